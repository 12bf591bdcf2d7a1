"""History charts: newest sample on the right, one column per sample, scaled from zero."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widget import Widget

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def bars(values: Sequence[float | None], width: int, height: int, top: float,
         style: str = "green") -> list[Text]:
    """``height`` lines of block characters for the last ``width`` values, 0 at the bottom."""
    tail = list(values)[-width:] if width > 0 else []
    pad = width - len(tail)
    levels = [None if v is None else max(0.0, min(1.0, v / top if top > 0 else 0.0)) * height * 8
              for v in tail]
    lines = []
    for row in range(height - 1, -1, -1):
        chars = []
        for level in levels:
            if level is None:
                chars.append("·" if row == 0 else " ")
                continue
            eighths = int(round(level)) - row * 8
            if row == 0 and level > 0 and eighths <= 0:
                eighths = 1
            chars.append(_EIGHTHS[max(0, min(8, eighths))])
        lines.append(Text(" " * pad + "".join(chars), style=style, no_wrap=True))
    return lines


class HistoryChart(Widget):
    """A titled bar chart of one series; ``update_series`` assigns new data (never mutates)."""

    DEFAULT_CSS = """
    HistoryChart { height: 6; }
    """

    def __init__(self, title: str, fmt: Callable[[float], str], *, style: str = "green",
                 floor: float = 0.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.fmt = fmt
        self.style = style
        self.floor = floor
        self.values: tuple[float | None, ...] = ()
        self.span = ""

    def update_series(self, values: Sequence[float | None], span: str = "") -> None:
        self.values = tuple(values)
        self.span = span
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, max(1, self.size.height - 1)
        known = [v for v in self.values[-width:] if v is not None] if width else []
        top = max([self.floor, *known]) if known else self.floor
        head = Text(self.title, style="bold", no_wrap=True, overflow="ellipsis")
        if known:
            head.append(f"  now {self.fmt(known[-1])}  max {self.fmt(max(known))}")
            head.append(f"  scale 0-{self.fmt(top)}" if top > 0 else "", style="dim")
        else:
            head.append("  no data yet", style="dim")
        if self.span:
            head.append(f"  last {self.span}", style="dim")
        lines = [head, *bars(self.values, width, height, top, self.style)]
        return Text("\n").join(lines)
