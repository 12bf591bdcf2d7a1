"""Text widgets that repaint only when their Text changes (a Static update relayouts).

What they show may quote a jail (its name, hostname, path, a tool's warning): every control in
it is made visible.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from ...literal import visible


class Line(Widget):
    """Like a one-line Static, but ``set`` is a no-op for equal text and costs no layout pass
    (``Static.update`` relayouts the screen, which repaints every widget)."""

    DEFAULT_CSS = """
    Line { height: 1; }
    """

    def __init__(self, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text()

    def set(self, text: Text) -> None:
        text = visible(text)
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text


class Note(Static):
    """A Static (it may wrap to several lines) that re-renders only when its text changes."""

    def __init__(self, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text: Text | None = None

    def set(self, text: Text) -> None:
        text = visible(text)
        if text != self.text:
            self.text = text
            self.update(text)

    def show(self, visible: bool) -> None:
        if self.display != visible:
            self.display = visible
