"""The ``/`` filter: a regex input that never raises on an invalid pattern."""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


def compile_filter(text: str) -> tuple[re.Pattern[str] | None, str | None]:
    """(pattern or None for "no filter", error message or None); case-insensitive."""
    if not text:
        return None, None
    try:
        return re.compile(text, re.IGNORECASE), None
    except re.error as exc:
        return None, f"invalid regex: {exc}"


class FilterBar(Input):
    """Posts :class:`FilterBar.Changed` with a compiled pattern; invalid text keeps the old one."""

    BINDINGS = [
        Binding("escape", "clear", "Clear filter", tooltip="clear the filter and close it"),
        Binding("enter", "done", "Keep filter", priority=True,
                tooltip="keep the filter, back to the table"),
        Binding("down", "done", "Back to table", show=False,
                tooltip="keep the filter, back to the table"),
    ]

    class FilterChanged(Message):
        """``pattern`` is the last valid one; ``error`` says why the current text is not."""

        def __init__(self, bar: FilterBar, pattern: re.Pattern[str] | None, error: str | None,
                     closed: bool) -> None:
            super().__init__()
            self.bar = bar
            self.pattern = pattern
            self.error = error
            self.closed = closed

    def __init__(self, placeholder: str, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)
        self.pattern: re.Pattern[str] | None = None
        self.error: str | None = None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        pattern, error = compile_filter(event.value)
        self.error = error
        self.set_class(error is not None, "-invalid")
        if error is None:
            self.pattern = pattern
        self.post_message(self.FilterChanged(self, self.pattern, error, closed=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def action_done(self) -> None:
        self.post_message(self.FilterChanged(self, self.pattern, self.error, closed=True))

    def action_clear(self) -> None:
        self.value = ""
        self.pattern = None
        self.error = None
        self.set_class(False, "-invalid")
        self.post_message(self.FilterChanged(self, None, None, closed=True))
