"""Ask for one command line to run in a jail; split like a shell would, never run by one."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...literal import literal
from .dialog import Dialog


def split_command(line: str) -> tuple[list[str], str | None]:
    """(argv, None), or ([], why the line cannot be split)."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        return [], f"cannot split the command line: {exc}"
    return argv, None if argv else "type a command, e.g. uname -a"


class CommandScreen(Dialog[list[str] | None]):
    """Dismisses with the argv to run in jail ``jail``, or None."""

    def __init__(self, jail: str) -> None:
        super().__init__()
        self.jail = jail
        self.argv: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = literal(f"Run a command in jail {self.jail}")
            yield Input(placeholder="command and arguments, e.g. uname -a", id="command",
                        compact=True)
            yield Static(id="preview", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Run", variant="primary", id="run", compact=True, disabled=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._check("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check(event.value)

    def _check(self, line: str) -> None:
        self.argv, problem = split_command(line)
        preview = self.query_one("#preview", Static)
        if problem is not None:
            preview.update(literal(problem, "red" if line.strip() else "dim"))
        else:
            preview.update(literal(f"runs in jail {self.jail} as root (jexec -l -U root): "
                                   f"{shlex.join(self.argv)}", "dim"))
        self.query_one("#run", Button).disabled = problem is not None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.argv:
            self.dismiss(self.argv)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.argv if event.button.id == "run" and self.argv else None)
