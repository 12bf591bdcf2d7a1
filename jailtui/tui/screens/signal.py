"""Choose TERM, KILL or HUP for one process and confirm sending it."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, RadioButton, RadioSet, Static

from ...engine.model import Process
from ...literal import literal
from .dialog import Dialog

CHOICES: tuple[tuple[str, str], ...] = (
    ("TERM", "ask it to exit (it may clean up)"),
    ("KILL", "end it at once (no clean-up)"),
    ("HUP", "hang up: many daemons reload their configuration"),
)


def _started(process: Process) -> str:
    if process.start is None:
        return "at an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(process.start))


class SignalScreen(Dialog[str | None]):
    """Dismisses with ``TERM``, ``KILL`` or ``HUP``, or None; t/k/h pick, ``y`` sends. Cancel
    has the focus, so Enter alone sends nothing."""

    BINDINGS = [
        Binding("y", "send", "Send", tooltip="send the chosen signal"),
        Binding("n", "close", "Cancel", show=False, tooltip="cancel"),
        Binding("t", "pick('TERM')", "TERM", show=False, tooltip="choose SIGTERM"),
        Binding("k", "pick('KILL')", "KILL", show=False, tooltip="choose SIGKILL"),
        Binding("h", "pick('HUP')", "HUP", show=False, tooltip="choose SIGHUP"),
    ]

    def __init__(self, jail: str, process: Process) -> None:
        super().__init__()
        self.jail = jail
        self.process = process
        self.choice = CHOICES[0][0]

    def compose(self) -> ComposeResult:
        p = self.process
        with Vertical(id="dialog") as box:
            box.border_title = literal(f"Signal a process in jail {self.jail}")
            yield Static(Text.assemble("PID ", (str(p.pid), "bold"), "  user ", literal(p.user),
                                       (f"  started {_started(p)}\n", "dim"),
                                       literal(p.command, "bold")), id="process")
            yield Static(Text("Sent only if the PID is still this process (same jail, same "
                              "start time)."), classes="hint")
            with RadioSet(id="signals", compact=True):
                for i, (name, meaning) in enumerate(CHOICES):
                    yield RadioButton(Text.assemble((f"SIG{name:<4}", "bold"), f"  {meaning}"),
                                      value=i == 0, id=f"sig-{name}", compact=True)
            yield Static(Text("t k h choose · y sends · Enter, n or Esc cancels"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(self._label(), variant="warning", id="send", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _label(self) -> str:
        return f"Send SIG{self.choice} to {self.process.pid}"

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.choice = (event.pressed.id or "sig-TERM").removeprefix("sig-")
        self.query_one("#send", Button).label = self._label()

    def action_pick(self, name: str) -> None:
        self.query_one(f"#sig-{name}", RadioButton).value = True

    @property
    def text(self) -> str:
        return f"PID {self.process.pid} {self.process.command}\n{self._label()}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.choice if event.button.id == "send" else None)

    def action_send(self) -> None:
        self.dismiss(self.choice)
