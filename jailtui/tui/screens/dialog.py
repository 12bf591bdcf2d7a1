"""The frame every change dialog shares: a centred box over the dimmed screen, buttons at the
bottom right, Esc to close."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A modal box (compose it inside ``Vertical(id="dialog")``); Esc dismisses with None."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > #dialog {
        width: 76;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    Dialog .buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    Dialog .buttons Button {
        margin-left: 2;
        min-width: 10;
    }
    Dialog .hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape,q", "close", "Cancel", key_display="Esc",
                        tooltip="close without changing anything")]

    def action_close(self) -> None:
        self.dismiss(None)
