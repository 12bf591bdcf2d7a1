"""A yes/no question about one change, naming exactly what it will touch."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Static

from ...literal import literal, visible
from .dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """``question`` in bold with ``details`` below; ``option`` adds a checkbox whose state is
    :attr:`option_value` once answered. ``y`` confirms, ``n`` or Esc cancels; the Cancel
    button has the focus, so Enter alone never confirms."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="confirm"),
        Binding("n", "answer(False)", "No", tooltip="cancel"),
    ]

    def __init__(self, question: str, details: str | Text = "", *, confirm: str = "Yes",
                 option: str | None = None, option_value: bool = False) -> None:
        super().__init__(classes="confirm")
        self.question = question
        self.details = details
        self.confirm_label = confirm
        self.option = option
        self.option_value = option_value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(literal(self.question, "bold"), id="question")
            if self.details:
                details = visible(self.details, multiline=True) if isinstance(
                    self.details, Text) else literal(self.details, multiline=True)
                yield Static(details, id="details", classes="hint")
            if self.option is not None:
                yield Checkbox(literal(self.option), self.option_value, id="option", compact=True)
            yield Static(literal(f"y {self.confirm_label.lower()} · Enter, n or Esc cancels"),
                         id="keys", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(self.confirm_label, variant="warning", id="yes", compact=True)
                yield Button("Cancel", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @property
    def text(self) -> str:
        """The question and details as plain text (tests read this)."""
        details = self.details.plain if isinstance(self.details, Text) else self.details
        return f"{self.question}\n{details}".strip()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.option_value = event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_close(self) -> None:
        self.dismiss(False)
