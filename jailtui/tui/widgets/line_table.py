"""A table drawn on Textual's Line API: one cached Strip per row, only changed lines repainted.

Rows are keyed; each row is a tuple of cells (light tuples, see cells.py) and the columns
(:class:`Span`) say which cell each shows, how wide and aligned. A row's strip is built once
for what it shows (its cells, the cursor or hover on it, the focus) and kept until that changes,
a column changes width, or the styles change; :meth:`LineTable.set_rows` repaints only the
lines on the screen whose row or cells changed. The header is the widget's first line and does
not scroll vertically. A cell longer than its column is cut with an ellipsis.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..cells import Cell, parts, plain

ELLIPSIS = "…"
#: What vis() writes for a control (engine/vis.py): a cut never splits one.
_ESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[0abtnvfre])")
_LONGEST_ESCAPE = 10


@dataclass(frozen=True, slots=True)
class Span:
    """A column as drawn: its key, header label, content width, alignment and the index of
    the cell it shows in each row."""

    key: str
    label: str
    width: int
    right: bool
    index: int
    bold: bool = False
    #: The widest the column may grow to fit a cell (0: it does not grow).
    cap: int = 0


def cut(text: str, width: int) -> str:
    """The start of ``text`` that fits ``width`` cells, never ending inside an escape that
    vis() wrote (``\\e``, ``\\x9b``, ``\\u202e``)."""
    kept = text[:width] if text.isascii() else set_cell_size(text, width).rstrip(" ")
    if "\\" in text[max(0, len(kept) - _LONGEST_ESCAPE):len(kept) + _LONGEST_ESCAPE]:
        end = len(kept)
        for match in _ESCAPE.finditer(text, max(0, end - _LONGEST_ESCAPE)):
            if match.start() >= end:
                break
            if match.end() > end:
                return kept[:match.start()]
    return kept


def fit(pieces: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """``pieces`` (text, style) cut to ``width`` cells, ending in an ellipsis when cut."""
    if sum(cell_len(text) for text, _ in pieces) <= width:
        return pieces
    out: list[tuple[str, str]] = []
    room = width - 1
    for text, style in pieces:
        size = cell_len(text)
        if size <= room:
            out.append((text, style))
            room -= size
            continue
        if width > 0:
            out.append((cut(text, room) + ELLIPSIS, style))
        break
    return out


class KeyMessage(Message):
    """A message about one row or column of a table, by its key."""

    def __init__(self, table: LineTable, key: str) -> None:
        super().__init__()
        self.table = table
        self.key = key

    @property
    def control(self) -> LineTable:
        return self.table


class LineTable(ScrollView, can_focus=True):
    """Keyed rows under a fixed header, a row cursor, mouse and keyboard as in DataTable."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, tooltip="cursor up"),
        Binding("down", "cursor_down", "Down", show=False, tooltip="cursor down"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="one page up"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="one page down"),
        Binding("home,ctrl+home", "scroll_top", "Top", show=False, tooltip="first row"),
        Binding("end,ctrl+end", "scroll_bottom", "Bottom", show=False, tooltip="last row"),
        Binding("left", "scroll_left", "Left", show=False,
                tooltip="scroll left (columns wider than the screen)"),
        Binding("right", "scroll_right", "Right", show=False, tooltip="scroll right"),
        Binding("enter", "select_cursor", "Select", show=False,
                tooltip="select the highlighted row"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header", "line-table--cursor", "line-table--hover",
    }

    #: DataTable's look (its DEFAULT_CSS), so the cursor row reads the same in every terminal.
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .line-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .line-table--hover {
            background: $block-hover-background;
        }
    }
    """

    class RowSelected(KeyMessage):
        """Enter on a row, or a click on the highlighted row."""

    class HeaderSelected(KeyMessage):
        """A click on a column's header (``key``: the column's)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cell_padding = 1
        #: Row strips built, and row lines Textual asked for (counts for tests and the
        #: benchmark: a tick that changed one row on the screen adds one to each).
        self.lines_rendered = 0
        self.lines_drawn = 0
        self._spans: tuple[Span, ...] = ()
        self._keys: list[str] = []
        self._position: dict[str, int] = {}
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._strips: dict[str, tuple[tuple[Cell, ...], int, Strip]] = {}
        self._header: Strip | None = None
        self._cursor = 0
        self._hover: int | None = None
        #: Set by set_rows: a cell is wider than its column, which may grow (see Span.cap).
        self.too_narrow = False

    # -- what it shows -----------------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        """The row keys, top to bottom."""
        return self._keys

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self._cursor] if self._cursor < len(self._keys) else None

    @property
    def spans(self) -> tuple[Span, ...]:
        return self._spans

    @property
    def table_width(self) -> int:
        return sum(span.width + 2 * self.cell_padding for span in self._spans)

    def row_cells(self, key: str) -> tuple[Cell, ...]:
        """The cells of row ``key`` (KeyError when it is not shown)."""
        return self._cells[key]

    def set_columns(self, spans: Sequence[Span]) -> None:
        """New columns: every line is drawn again, or only the header when just the labels
        changed."""
        spans = tuple(spans)
        if spans == self._spans:
            return
        layout = [(s.width, s.right, s.index) for s in spans]
        same = layout == [(s.width, s.right, s.index) for s in self._spans]
        self._spans = spans
        if same:
            self.refresh_header()
            return
        self._strips.clear()
        self._header = None
        self._resize_virtual()
        self.refresh()

    def row_of(self, key: str) -> int | None:
        """The row showing ``key``, None when it is not shown."""
        return self._position.get(key)

    def set_rows(self, keys: list[str], cells: dict[str, tuple[Cell, ...]]) -> int:
        """Show ``keys`` in this order with their ``cells``; the cursor stays on its key.
        Repaints the lines on the screen that show another row or changed cells; returns the
        cells changed in rows that stay (the shown columns only)."""
        old_keys, old_cells = self._keys, self._cells
        cursor, old_row = self.cursor_key, self._cursor
        indexes = [span.index for span in self._spans]
        growing = {s.index: s.width for s in self._spans if s.cap > s.width}
        changed: set[str] = set()
        written = 0
        narrow = False
        for key, row in cells.items():
            old = old_cells.get(key)
            if old is None:
                if growing and not narrow:
                    narrow = any(cell_len(plain(row[i])) > width for i, width in growing.items())
                continue
            if old is row or old == row:
                continue
            diff = 0
            for i in indexes:
                if row[i] != old[i]:
                    diff += 1
                    if i in growing and not narrow:
                        narrow = cell_len(plain(row[i])) > growing[i]
            if diff:
                changed.add(key)
                written += diff
        self.too_narrow = narrow
        self._keys = keys
        self._cells = cells
        if keys != old_keys:
            self._position = {key: i for i, key in enumerate(keys)}
        strips = self._strips
        if len(strips) > 2 * len(keys) + 64:
            for key in [key for key in strips if key not in cells]:
                del strips[key]
        self._resize_virtual()
        if cursor is not None and cursor in self._position:
            self._cursor = self._position[cursor]
        elif self._cursor >= len(keys):
            self._cursor = max(0, len(keys) - 1)
        first, last = self._visible_rows()
        dirty = [row for row in range(first, last)
                 if row >= len(keys) or row >= len(old_keys) or keys[row] != old_keys[row]
                 or keys[row] in changed]
        self._refresh_rows(dirty)
        if cursor is not None and self.cursor_key != cursor:
            self._refresh_rows([self._cursor])
        elif self._cursor != old_row:
            self.scroll_to_cursor()
        return written

    # -- the cursor --------------------------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (clamped to the rows there are)."""
        row = max(0, min(row, len(self._keys) - 1))
        old = self._cursor
        self._cursor = row
        if old != row:
            self._refresh_rows([old, row])
        if scroll:
            self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        if self._keys:
            self.scroll_to_region(Region(0, self._cursor + 1, 1, 1), spacing=Spacing(1, 0, 0, 0),
                                  animate=False, force=True, x_axis=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._keyboard()
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._keyboard()
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def _page(self, direction: int) -> None:
        """A page of rows, the cursor keeping its line on the screen as far as it can."""
        self._keyboard()
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + direction * page, animate=False, force=True,
                       immediate=True)
        self.move_cursor(row=self._cursor + direction * page)

    def action_scroll_top(self) -> None:
        self._keyboard()
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self._keyboard()
        self.move_cursor(row=len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def _keyboard(self) -> None:
        """A key hides the mouse's hover highlight, as in DataTable."""
        self._set_hover(None)

    # -- mouse -------------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int | None:
        """The row under the mouse, -1 for the header, None for below the last row."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        if offset.y == 0:
            return -1
        row = int(self.scroll_y) + offset.y - 1
        return row if row < len(self._keys) else None

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row is None:
            return
        event.stop()
        if row == -1:
            offset = event.get_content_offset(self)
            assert offset is not None
            span = self.span_at(offset.x + int(self.scroll_x))
            if span is not None:
                self.post_message(self.HeaderSelected(self, span.key))
            return
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    def span_at(self, x: int) -> Span | None:
        """The column drawn at ``x`` (table coordinates)."""
        left = 0
        for span in self._spans:
            left += span.width + 2 * self.cell_padding
            if x < left:
                return span
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event)
        self._set_hover(row if row is not None and row >= 0 else None)

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, row: int | None) -> None:
        if row != self._hover:
            old, self._hover = self._hover, row
            self._refresh_rows([r for r in (old, row) if r is not None])

    # -- drawing -----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._header = None

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self._header = None
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        size = Size(self.table_width, len(self._keys) + 1)
        if size != self.virtual_size:
            self.virtual_size = size

    def _visible_rows(self) -> tuple[int, int]:
        first = int(self.scroll_y)
        return first, first + max(0, self.scrollable_content_region.height - 1)

    def _refresh_rows(self, rows: Sequence[int]) -> None:
        """Repaint the lines of ``rows`` that are on the screen, a run of lines at a time."""
        first, last = self._visible_rows()
        width = self.size.width
        run_start = run_end = -1
        for row in sorted(set(rows)):
            if not first <= row < last:
                continue
            y = row - first + 1
            if y == run_end:
                run_end += 1
                continue
            if run_start >= 0:
                self.refresh(Region(0, run_start, width, run_end - run_start))
            run_start, run_end = y, y + 1
        if run_start >= 0:
            self.refresh(Region(0, run_start, width, run_end - run_start))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_x)
        base = self.rich_style
        if y == 0:
            if self._header is None:
                self._header = self._draw_header(base + self.get_component_rich_style(
                    "line-table--header"))
            strip = self._header
        else:
            row = int(self.scroll_y) + y - 1
            if row >= len(self._keys):
                return Strip.blank(width, base)
            self.lines_drawn += 1
            strip = self._row_strip(row, base)
        if scroll_x or strip.cell_length != width:
            strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        return strip

    def _row_strip(self, row: int, base: Style) -> Strip:
        key = self._keys[row]
        cells = self._cells[key]
        state = 1 if row == self._cursor else 2 if row == self._hover else 0
        cached = self._strips.get(key)
        if cached is not None and cached[1] == state and (cached[0] is cells
                                                          or cached[0] == cells):
            return cached[2]
        strip = self._draw_row(cells, base, state)
        self._strips[key] = (cells, state, strip)
        self.lines_rendered += 1
        return strip

    def _draw_row(self, cells: tuple[Cell, ...], base: Style, state: int) -> Strip:
        post: Style | None = None
        if state:
            highlight = self.get_component_rich_style(
                "line-table--cursor" if state == 1 else "line-table--hover")
            base = base + highlight
            if highlight.color is not None:
                post = Style(color=highlight.color)
        pad = " " * self.cell_padding
        segments: list[Segment] = []
        add = segments.append
        for span in self._spans:
            pieces = fit(parts(cells[span.index]), span.width)
            room = span.width - sum(cell_len(text) for text, _ in pieces)
            add(Segment(pad + " " * room if span.right else pad, base))
            for text, style in pieces:
                shown = base + Style.parse(style) if style else base
                add(Segment(text, shown + post if post is not None else shown))
            add(Segment(pad if span.right else " " * room + pad, base))
        table = self.table_width
        width = max(table, self.scrollable_content_region.width)
        if width > table:
            add(Segment(" " * (width - table), base))
        return Strip(segments, width)

    def _draw_header(self, style: Style) -> Strip:
        pad = " " * self.cell_padding
        segments = []
        for span in self._spans:
            label = fit([(span.label, "")], span.width)[0][0] if span.width else ""
            text = label.rjust(span.width) if span.right else label.ljust(span.width)
            shown = style + Style(bold=True) if span.bold else style
            segments.append(Segment(pad + text + pad, shown))
        width = max(self.table_width, self.scrollable_content_region.width)
        return Strip(segments).extend_cell_length(width, style)

    def refresh_header(self) -> None:
        self._header = None
        self.refresh(Region(0, 0, self.size.width, 1))
