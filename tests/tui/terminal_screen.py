"""What a terminal shows: escape sequences parsed into cells with their colours and attributes.

Used on two sources: the bytes Textual would write for a screen at a given colour system
(:func:`app_cells`), and ``tmux capture-pane -e`` of a real run. A colour is None (the
terminal's default), ``("16", n)`` for the 16 ANSI colours, ``("256", n)`` or ``("rgb", (r, g,
b))``; an index below 16 given as ``38;5;n`` counts as one of the 16.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

Color = tuple[str, Any] | None

_CSI = re.compile(r"\x1b\[([0-9;:?]*)([A-Za-z])")


@dataclass(frozen=True, slots=True)
class Cell:
    char: str
    fg: Color = None
    bg: Color = None
    bold: bool = False
    dim: bool = False
    reverse: bool = False

    @property
    def shown_fg(self) -> Color:
        return self.bg if self.reverse else self.fg

    @property
    def shown_bg(self) -> Color:
        return self.fg if self.reverse else self.bg

    @property
    def look(self) -> tuple[Color, Color, bool, bool]:
        """What sets this cell apart from another apart from its character."""
        return (self.shown_fg, self.shown_bg, self.bold, self.reverse)


@dataclass(slots=True)
class _Pen:
    fg: Color = None
    bg: Color = None
    bold: bool = False
    dim: bool = False
    reverse: bool = False

    def sgr(self, params: list[int]) -> set[str]:
        """Apply one SGR sequence; returns the kinds of colour codes it used."""
        kinds: set[str] = set()
        if not params:
            params = [0]
        i = 0
        while i < len(params):
            p = params[i]
            if p == 0:
                self.fg = self.bg = None
                self.bold = self.dim = self.reverse = False
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 7:
                self.reverse = True
            elif p == 27:
                self.reverse = False
            elif 30 <= p <= 37 or 90 <= p <= 97:
                self.fg = ("16", p - 30 if p < 90 else p - 90 + 8)
                kinds.add("16")
            elif 40 <= p <= 47 or 100 <= p <= 107:
                self.bg = ("16", p - 40 if p < 100 else p - 100 + 8)
                kinds.add("16")
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(params):
                if params[i + 1] == 5 and i + 2 < len(params):
                    n = params[i + 2]
                    color: Color = ("16", n) if n < 16 else ("256", n)
                    kinds.add("256" if n >= 16 else "16")
                    i += 2
                elif params[i + 1] == 2 and i + 4 < len(params):
                    color = ("rgb", tuple(params[i + 2:i + 5]))
                    kinds.add("rgb")
                    i += 4
                else:
                    color = None
                if p == 38:
                    self.fg = color
                else:
                    self.bg = color
            i += 1
        return kinds

    def cell(self, char: str) -> Cell:
        return Cell(char, self.fg, self.bg, self.bold, self.dim, self.reverse)


@dataclass(slots=True)
class Screen:
    """Parsed terminal output: ``rows`` of cells and the colour code kinds seen."""

    rows: list[list[Cell]]
    kinds: set[str]

    def text(self, y: int) -> str:
        return "".join(c.char for c in self.rows[y])

    def find(self, needle: str) -> list[tuple[int, int]]:
        """Every (row, column) where ``needle`` starts."""
        hits = []
        for y in range(len(self.rows)):
            line = self.text(y)
            start = line.find(needle)
            while start >= 0:
                hits.append((y, start))
                start = line.find(needle, start + 1)
        return hits

    def cells(self, y: int, x: int, length: int) -> list[Cell]:
        return self.rows[y][x:x + length]

    def row_with(self, needle: str) -> int:
        hits = self.find(needle)
        assert hits, f"{needle!r} is not on the screen:\n" + "\n".join(
            self.text(y) for y in range(len(self.rows)))
        return hits[0][0]


def parse(data: str, width: int, height: int) -> Screen:
    """Cells of ``data`` (SGR, cursor moves, newlines) on a ``width`` x ``height`` terminal."""
    rows = [[Cell(" ") for _ in range(width)] for _ in range(height)]
    pen = _Pen()
    kinds: set[str] = set()
    x = y = 0
    pos = 0
    for match in _CSI.finditer(data + "\x1b[0m"):
        for char in data[pos:match.start()]:
            if char == "\n":
                x, y = 0, y + 1
            elif char == "\r":
                x = 0
            elif char >= " ":
                if 0 <= y < height and 0 <= x < width:
                    rows[y][x] = pen.cell(char)
                x += 1
        pos = match.end()
        args, final = match[1], match[2]
        if final == "m":
            kinds |= pen.sgr([int(p) if p else 0 for p in re.split("[;:]", args)] if args
                             else [])
        elif final == "H":
            parts = [int(p) if p else 1 for p in args.split(";")] if args else [1, 1]
            y, x = parts[0] - 1, (parts[1] if len(parts) > 1 else 1) - 1
    return Screen(rows, kinds)


def app_screen(app: Any, color_system: str) -> Screen:
    """The screen as Textual would write it to a terminal of ``color_system`` ("standard",
    "256", "truecolor"): the compositor's full update (what ``App.export_screenshot`` draws)
    with each colour downgraded as rich does for that terminal. (Cells come from the
    segments, not from escape codes: rich caches a style's codes for the first colour system
    it was written in, and one test process renders for several.)"""
    from rich.color import ColorSystem
    from rich.console import Console

    system = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT,
              "truecolor": ColorSystem.TRUECOLOR}[color_system]
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True)
    rows: list[list[Cell]] = [[]]
    kinds: set[str] = set()
    for segment in console.render(update):
        if segment.control:
            continue
        style = segment.style
        fg, bg = (_color(c, system, kinds) for c in
                  ((style.color, style.bgcolor) if style else (None, None)))
        pen = Cell(" ", fg, bg, bool(style and style.bold), bool(style and style.dim),
                   bool(style and style.reverse))
        for char in segment.text:
            if char == "\n":
                rows.append([])
            else:
                rows[-1].append(Cell(char, pen.fg, pen.bg, pen.bold, pen.dim, pen.reverse))
    rows = [(row + [Cell(" ")] * width)[:width] for row in rows[:height]]
    return Screen(rows, kinds)


def _color(color: Any, system: Any, kinds: set[str]) -> Color:
    from rich.color import ColorType

    if color is None or color.is_default:
        return None
    color = color.downgrade(system)
    if color.type is ColorType.TRUECOLOR:
        kinds.add("rgb")
        return ("rgb", tuple(color.triplet))
    number = color.number
    kind = "16" if number < 16 else "256"
    kinds.add(kind)
    return (kind, number)


def luminance(color: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def lowest_contrast(screen: Screen) -> tuple[float, str]:
    """The least contrasted RGB text cell (not dim, not decoration) and its line."""
    worst = (21.0, "")
    for y, row in enumerate(screen.rows):
        for cell in row:
            fg, bg = cell.shown_fg, cell.shown_bg
            if (cell.char in (" ", "\xa0") or cell.char in DECORATION or cell.dim or fg is None
                    or bg is None or fg[0] != "rgb" or bg[0] != "rgb"):
                continue
            ratio = contrast(fg[1], bg[1])
            if ratio < worst[0]:
                worst = (ratio, f"{cell.char!r} {fg} on {bg}: {screen.text(y)!r}")
    return worst


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: Lines and blocks that only separate or frame (a footer's divider, a scrollbar), not text.
DECORATION = frozenset("▏▕▁▔│─┃━╸╺╭╮╰╯▐▌▊▎▍▋▉█▇▆▅▄▃▂")


def unreadable(screen: Screen, min_contrast: float = 1.0,
               region: tuple[int, int, int, int] | None = None) -> list[str]:
    """Text drawn in (or, for RGB colours, too close to) its background's colour, within
    ``region`` (x, y, width, height) if given; dim text is left to the terminal (it may only
    fade it)."""
    problems = []
    left, top, width, height = region or (0, 0, len(screen.rows[0]), len(screen.rows))
    for y, row in enumerate(screen.rows):
        line = screen.text(y)
        for x, cell in enumerate(row):
            if not (left <= x < left + width and top <= y < top + height):
                continue
            if cell.char in (" ", "\xa0") or cell.char in DECORATION or cell.dim:
                continue
            fg, bg = cell.shown_fg, cell.shown_bg
            if fg is None or bg is None:
                continue
            bad = fg == bg
            if not bad and fg[0] == bg[0] == "rgb" and min_contrast > 1.0:
                bad = contrast(fg[1], bg[1]) < min_contrast
            if bad:
                problems.append(f"row {y} col {x} {cell.char!r} fg={fg} bg={bg}: {line!r}")
    return problems
