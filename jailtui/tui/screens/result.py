"""The result of a change or of a command run in a jail: its message and literal output."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from ...literal import literal
from ..outcome import Outcome
from .dialog import Dialog


class ResultScreen(Dialog[None]):
    """One :class:`Outcome`, scrollable; Enter, q or Esc closes it."""

    DEFAULT_CSS = """
    ResultScreen > #dialog {
        width: 100;
    }
    ResultScreen #output {
        height: auto;
        max-height: 20;
        border: none;
        background: $background;
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("q", "close", "Close", show=False, tooltip="close")]

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        outcome = self.outcome
        with Vertical(id="dialog") as box:
            box.border_title = literal(outcome.summary)
            yield Static(literal(outcome.message, "" if outcome.ok else "bold red"),
                         id="message")
            if outcome.output or outcome.stderr:
                with VerticalScroll(id="output"):
                    if outcome.output:
                        yield Static(literal(outcome.output.rstrip("\n"), multiline=True),
                                     id="stdout")
                    if outcome.stderr:
                        yield Static(literal(outcome.stderr.rstrip("\n"), "yellow",
                                             multiline=True), id="stderr")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @property
    def text(self) -> str:
        """Everything shown, as plain text (tests read this)."""
        o = self.outcome
        return "\n".join(part for part in (o.summary, o.message, o.output, o.stderr) if part)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
