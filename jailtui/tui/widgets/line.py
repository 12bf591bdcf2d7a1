"""Text widgets that repaint only when their Text changes (a Static update relayouts).

What they show may quote a jail (its name, hostname, path, a tool's warning): every control in
it is made visible.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
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


class Drawn(Widget):
    """A widget that draws its lines (``draw``) once per change and keeps them as strips until
    ``redraw`` or a resize: the general render path costs several times more, which counts for
    widgets repainted on every tick."""

    _strips: list[Strip] | None = None

    def draw(self) -> list[Text]:
        """The lines to show; what a jail controls must already be made visible."""
        raise NotImplementedError

    def redraw(self) -> None:
        self._strips = None
        self.refresh()

    def on_resize(self) -> None:
        self._strips = None

    def notify_style_update(self) -> None:
        self._strips = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.rich_style
        if self._strips is None:
            console = self.app.console
            self._strips = [Strip(line.render(console, end="")).crop_extend(0, width, style)
                            .apply_style(style) for line in self.draw()]
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(width, style)
