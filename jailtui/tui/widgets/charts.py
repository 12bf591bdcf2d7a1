"""History charts: newest sample on the right, one column per sample, scaled from zero.

A chart may carry marks (a rule's amount drawn as a horizontal line across it, labelled) and a
time axis under it (``-3m … now``, from the sample times).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text

from .line import Drawn

_EIGHTHS = " ▁▂▃▄▅▆▇█"
#: Sparkline levels: ▁ is zero (a sample is there), █ is ``top`` or more.
_LEVELS = "▁▂▃▄▅▆▇█"
#: What a mark draws where no bar covers it.
LINE = "─"
#: Labels on the time axis, newest ("now") included, at most; their steps in seconds.
AXIS_LABELS = 5
AXIS_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)


def sparkline(values: Sequence[float], top: float, width: int) -> str:
    """One character per value for the last ``width`` values, oldest left, left-padded with
    spaces while there are fewer: ▁ for zero up to █ for ``top`` or more."""
    if width <= 0:
        return ""
    scale = (len(_LEVELS) - 1) / top
    return "".join([_LEVELS[int(v * scale + 0.5)] if 0.0 <= v < top else
                    _LEVELS[-1] if v >= top else _LEVELS[0] for v in values[-width:]]).rjust(width)


@dataclass(frozen=True, slots=True)
class Mark:
    """A horizontal line at ``value`` across a chart, with ``label`` on it."""

    value: float
    label: str
    style: str = "red"


def columns(values: Sequence[float | None], width: int, height: int,
            top: float) -> list[list[str]]:
    """The characters of ``height`` rows (top row first) for the last ``width`` values."""
    tail = list(values)[-width:] if width > 0 else []
    pad = width - len(tail)
    levels = [None if v is None else max(0.0, min(1.0, v / top if top > 0 else 0.0)) * height * 8
              for v in tail]
    rows = []
    for row in range(height - 1, -1, -1):
        chars = [" "] * pad
        for level in levels:
            if level is None:
                chars.append("·" if row == 0 else " ")
                continue
            eighths = int(round(level)) - row * 8
            if row == 0 and level > 0 and eighths <= 0:
                eighths = 1
            chars.append(_EIGHTHS[max(0, min(8, eighths))])
        rows.append(chars)
    return rows


def bars(values: Sequence[float | None], width: int, height: int, top: float,
         style: str = "green") -> list[Text]:
    """``height`` lines of block characters for the last ``width`` values, 0 at the bottom."""
    return [Text("".join(chars), style=style, no_wrap=True)
            for chars in columns(values, width, height, top)]


def mark_row(value: float, height: int, top: float) -> int:
    """The row (0 is the bottom one) in which a bar of ``value`` ends: its line goes there."""
    if top <= 0 or height <= 0:
        return 0
    level = round(max(0.0, value / top) * height * 8, 6)
    return max(0, min(height - 1, int(level // 8)))


def marked(values: Sequence[float | None], width: int, height: int, top: float, style: str,
           marks: Sequence[Mark]) -> list[Text]:
    """:func:`bars` with each mark drawn as a line (in the cells no bar covers) and labelled
    where its line is free, else at the left."""
    rows = columns(values, width, height, top)
    styles = [[style] * width for _ in rows]
    ordered = sorted(marks, key=lambda m: m.value)
    at = [height - 1 - mark_row(mark.value, height, top) for mark in ordered]
    for mark, i in zip(ordered, at, strict=True):
        chars, row_styles = rows[i], styles[i]
        for x, char in enumerate(chars):
            if char in (" ", "·"):
                chars[x], row_styles[x] = LINE, mark.style
    used: dict[int, int] = {}
    for mark, i in zip(ordered, at, strict=True):
        chars, row_styles = rows[i], styles[i]
        label = f" {mark.label} "
        start = _free(chars, used.get(i, 0), len(label))
        for x, char in enumerate(label[:max(0, width - start)], start):
            chars[x], row_styles[x] = char, f"bold {mark.style}"
        used[i] = start + len(label)
    return [_styled(chars, row_styles) for chars, row_styles in zip(rows, styles, strict=True)]


def _free(chars: list[str], start: int, length: int) -> int:
    """The first column from ``start`` where ``length`` cells hold only the line."""
    run = 0
    for x in range(start, len(chars)):
        run = run + 1 if chars[x] == LINE else 0
        if run == length:
            return x - length + 1
    return start


def _styled(chars: list[str], styles: list[str]) -> Text:
    line = Text(no_wrap=True)
    x = 0
    while x < len(chars):
        end = x
        while end < len(chars) and styles[end] == styles[x]:
            end += 1
        line.append("".join(chars[x:end]), styles[x])
        x = end
    return line


def ago(seconds: float) -> str:
    """``-45s``, ``-2m30s``, ``-1h05m``: how long before the newest sample."""
    s = int(round(seconds))
    if s < 60:
        return f"-{s}s"
    minutes, s = divmod(s, 60)
    if minutes < 60:
        return f"-{minutes}m" + (f"{s:02d}s" if s else "")
    hours, minutes = divmod(minutes, 60)
    return f"-{hours}h" + (f"{minutes:02d}m" if minutes else "")


def axis(times: Sequence[float], width: int) -> Text:
    """Time labels under the last ``width`` samples: ``now`` at the newest, and the ages that
    are whole steps (``-1m``, ``-2m``, …) under the samples closest to them."""
    shown = list(times)[-width:] if width > 0 else []
    chars = [" "] * max(0, width)
    if not shown or width < 3:
        return Text("".join(chars), no_wrap=True)
    first = width - len(shown)
    now = shown[-1]
    span = now - shown[0]
    step = next((s for s in AXIS_STEPS if span / s <= AXIS_LABELS - 1), AXIS_STEPS[-1])
    chars[width - 3:] = "now"
    end = width - 4
    ages = [now - t for t in reversed(shown)]
    for k in range(1, int(span // step) + 1):
        j = min(range(len(ages)), key=lambda i: abs(ages[i] - k * step))
        label = ago(k * step)
        x = first + len(shown) - 1 - j
        if x + len(label) > end:
            continue
        chars[x:x + len(label)] = label
        end = x - 1
    return Text("".join(chars), style="dim", no_wrap=True)


def scale_top(known: Sequence[float], floor: float, marks: Sequence[Mark], height: int) -> float:
    """The value at the top of a chart: the largest of ``floor`` and the data, raised so that
    the highest mark lies on the boundary under the top row: bars that reach its amount end
    right under its line, bars above it cross it."""
    top = max([floor, *known])
    if marks:
        highest = max(mark.value for mark in marks)
        top = max(top, highest * height / (height - 1) if height > 1 else highest)
    return top


class HistoryChart(Drawn):
    """A titled bar chart of one series; ``update_series`` assigns new data (never mutates).

    ``floor`` is the least the scale goes up to (``show_scale=False`` when it is the scale and
    the title says it); marks raise the scale so that their lines show; ``with_axis`` adds a
    line of time labels under the bars.
    """

    DEFAULT_CSS = """
    HistoryChart { height: 6; }
    """

    def __init__(self, title: str, fmt: Callable[[float], str], *, style: str = "green",
                 floor: float = 0.0, with_axis: bool = False, show_scale: bool = True,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.fmt = fmt
        self.style = style
        self.floor = floor
        self.with_axis = with_axis
        self.show_scale = show_scale
        self.values: tuple[float | None, ...] = ()
        self.times: tuple[float, ...] = ()
        self.marks: tuple[Mark, ...] = ()
        self.span = ""

    def update_series(self, values: Sequence[float | None], span: str = "",
                      times: Sequence[float] = (), marks: Sequence[Mark] = ()) -> None:
        self.values = tuple(values)
        self.span = span
        self.times = tuple(times)
        self.marks = tuple(marks)
        self.redraw()

    def draw(self) -> list[Text]:
        width = self.size.width
        height = max(1, self.size.height - 1 - (1 if self.with_axis else 0))
        known = [v for v in self.values[-width:] if v is not None] if width else []
        top = scale_top(known, self.floor, self.marks, height)
        head = Text(self.title, style="bold")
        if known:
            head.append(f"  now {self.fmt(known[-1])}  min {self.fmt(min(known))}  "
                        f"max {self.fmt(max(known))}")
            if self.show_scale and top > 0:
                head.append(f"  scale 0-{self.fmt(top)}", style="dim")
        else:
            head.append("  no data yet", style="dim")
        if self.span:
            head.append(f"  last {self.span}", style="dim")
        head.truncate(width, overflow="ellipsis")
        lines = [head, *marked(self.values, width, height, top, self.style, self.marks)]
        if self.with_axis:
            lines.append(axis(self.times, width))
        return lines
