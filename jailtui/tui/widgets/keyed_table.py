"""A LineTable updated by keyed diffs: rows keyed by a stable id, only changed lines repainted.

Each tick the owner passes every item with its full row of cells (light tuples, see cells.py).
The table orders the rows (``order``), keeps the cursor on the same key and hands them to
:class:`~.line_table.LineTable`, which draws again only the rows on the screen that show other
cells than before. It also chooses the columns that fit the width and their widths: each at
most ``max_width`` (longer cells end in an ellipsis); a ``fill`` column takes the rest, or
its longest cell whole (the table then scrolls sideways, as top and htop do).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from ..cells import Cell, plain, to_text
from .line_table import LineTable, Span

T = TypeVar("T")
#: The most of a fill column's cell ever drawn (ps(1) prints at most ARG_MAX-sized lines).
FILL_LIMIT = 4096

#: Sorting as every table has it (a click on a column's header too).
SORT_BINDINGS = [
    Binding("s", "cycle_sort", "Sort", tooltip="sort by the next column"),
    Binding("S", "reverse_sort", "Reverse", show=False, tooltip="reverse the sort"),
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``priority`` 0 is always shown, higher numbers go first when space runs out.

    ``sort`` maps an item to a sort key; None means "missing" and sorts last either way.
    ``width`` is the minimum content width (numbers get a stable column from the first tick).
    """

    key: str
    label: str
    width: int = 0
    priority: int = 0
    right: bool = False
    sort: Callable[[Any], Any] | None = None
    help: str = ""
    descending: bool = False
    #: The widest it gets; longer cells are cut with an ellipsis.
    max_width: int = 30
    #: It takes the width the other columns leave (at least ``width``).
    fill: bool = False


class KeyedTable(LineTable, Generic[T]):
    """Base of the jail and process tables; subclasses set COLUMNS and KEY_COLUMN."""

    COLUMNS: tuple[Column, ...] = ()
    KEY_COLUMN = ""
    DEFAULT_SORT = ""

    class Sorted(Message):
        """The sort column or direction changed."""

        def __init__(self, table: KeyedTable[Any]) -> None:
            super().__init__()
            self.table = table

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 sort: str | None = None, reverse: bool | None = None,
                 columns: Sequence[str] = ()) -> None:
        """``sort`` and ``reverse`` start the sort (default: DEFAULT_SORT in its column's
        natural direction); ``columns`` are the keys of the columns offered, in their order
        (default: all of COLUMNS)."""
        super().__init__(id=id, classes=classes)
        self.by_key = {column.key: column for column in self.COLUMNS}
        self.offered = tuple(self.by_key[key] for key in columns) or self.COLUMNS
        self.sort_column = sort or self.DEFAULT_SORT or self.KEY_COLUMN
        self.sort_reverse = (self.by_key[self.sort_column].descending if reverse is None
                             else reverse)
        self.cell_updates = 0
        self.shown_columns: tuple[Column, ...] = ()
        self._rows: dict[str, tuple[Cell, ...]] = {}
        self._items: dict[str, T] = {}
        self._order: list[str] = []
        self._layout_rows: Sequence[tuple[Cell, ...]] | None = None
        self._index = {column.key: i for i, column in enumerate(self.COLUMNS)}

    # -- what subclasses provide -------------------------------------------------------------

    def order(self, keys: list[str]) -> list[str]:
        """The display order of ``keys``; sorts by the sort column, missing values last."""
        column = self.by_key[self.sort_column]
        if column.sort is None:
            return keys
        items = self._items
        present: list[tuple[Any, str]] = []
        missing: list[tuple[Any, str]] = []
        for key in keys:
            value = column.sort(items[key])
            (missing if value is None else present).append((value, key))
        present.sort(key=_first, reverse=self.sort_reverse)
        missing.sort(key=_second)
        return [key for _, key in present] + [key for _, key in missing]

    # -- applying ----------------------------------------------------------------------------

    @property
    def shown_count(self) -> int:
        """Rows the table shows (or will, once it has a size)."""
        return len(self._rows)

    @property
    def selected(self) -> T | None:
        """The item under the cursor."""
        key = self.cursor_key
        return None if key is None else self._items.get(key)

    def show(self, items: Sequence[tuple[str, T, tuple[Cell, ...]]],
             layout_rows: Sequence[tuple[Cell, ...]] | None = None) -> int:
        """Make the table show exactly ``items`` (key, item, full row of cells); returns the
        number of cells written."""
        self._items = {key: item for key, item, _ in items}
        new_rows = {key: row for key, _, row in items}
        order = self.order([key for key, _, _ in items])
        if layout_rows is not None:
            self._layout_rows = layout_rows
        if not self.shown_columns:
            self._rows = new_rows
            self._order = order
            return 0
        if new_rows.keys() != self._rows.keys() and self.size.width:
            wanted = self.choose_columns(self._fit_width(self.size.width),
                                         layout_rows if layout_rows is not None else new_rows)
            if wanted != self.shown_columns:
                self._rows, self._order = new_rows, order
                self._rebuild(wanted)
                return len(new_rows) * len(wanted)
        self._rows, self._order = new_rows, order
        written = self.set_rows(order, new_rows)
        if self.too_narrow:
            self.set_columns(self._spans_for(self.shown_columns))
        self.cell_updates += written
        return written

    def resort(self, column: str | None = None, reverse: bool | None = None) -> None:
        """Sort by ``column`` (its natural direction unless ``reverse`` is given)."""
        if column is not None and column != self.sort_column:
            self.sort_column = column
            self.sort_reverse = self.by_key[column].descending if reverse is None else reverse
        elif reverse is not None:
            self.sort_reverse = reverse
        self._order = self.order(list(self._rows))
        if self.shown_columns:
            self.set_columns(self._spans_for(self.shown_columns))
            self.set_rows(self._order, self._rows)
        self.post_message(self.Sorted(self))

    def cycle_sort(self) -> None:
        """Next visible sortable column."""
        keys = [c.key for c in self.shown_columns if c.sort is not None]
        if not keys:
            return
        i = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.resort(keys[(i + 1) % len(keys)])

    def reverse_sort(self) -> None:
        self.resort(reverse=not self.sort_reverse)

    def sort_by(self, key: str) -> None:
        """Sort by column ``key`` in its natural direction; again on the same column reverses."""
        if key == self.sort_column:
            self.reverse_sort()
        else:
            self.resort(key)
    def action_cycle_sort(self) -> None:
        self.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.reverse_sort()

    def select_key(self, key: str) -> bool:
        """Put the cursor on ``key``; False when that row is not shown."""
        row = self.row_of(key)
        if row is None:
            return False
        self.move_cursor(row=row)
        return True

    def get_cell(self, key: str, column: str) -> Text:
        """The cell of row ``key`` in ``column`` as the table shows it (before any cut)."""
        return to_text(self.row_cells(key)[self._index[column]])

    # -- columns -----------------------------------------------------------------------------

    def choose_columns(self, width: int, rows: Sequence[tuple[Cell, ...]] | dict[str, tuple[
            Cell, ...]] | None = None) -> tuple[Column, ...]:
        """The columns that fit ``width``: priority 0 always, then by priority while they fit."""
        if rows is None:
            rows = self._layout_rows if self._layout_rows is not None else self._rows
        pad = 2 * self.cell_padding
        natural = {c.key: self._natural_width(c, rows) + pad for c in self.offered}
        used = 0
        chosen = set()
        for column in sorted(self.offered, key=lambda c: c.priority):
            if column.priority == 0 or used + natural[column.key] <= width:
                chosen.add(column.key)
                used += natural[column.key]
        return tuple(c for c in self.offered if c.key in chosen)

    def _natural_width(self, column: Column, rows: Any, cap: int | None = None) -> int:
        i = self._index[column.key]
        values = rows.values() if isinstance(rows, dict) else rows
        widest = max((cell_len(plain(row[i])) for row in values), default=0)
        return max(self._least_width(column), min(widest, cap or column.max_width))

    @staticmethod
    def _least_width(column: Column) -> int:
        return max(column.width, cell_len(column.label) + 1)

    def layout_columns(self, width: int) -> None:
        """Show the columns that fit ``width``, each as wide as its cells need (up to its
        ``max_width``); draws every line again only when that changes."""
        visible = self.choose_columns(self._fit_width(width))
        if visible != self.shown_columns:
            self._rebuild(visible)
        else:
            self.set_columns(self._spans_for(visible))

    def _rebuild(self, visible: tuple[Column, ...]) -> None:
        self.shown_columns = visible
        self.set_columns(self._spans_for(visible))
        self.set_rows(self._order, self._rows)

    def _spans_for(self, visible: tuple[Column, ...]) -> list[Span]:
        """The columns as drawn: widths from the rows (all of them, so a filter does not
        move the columns), the fill column taking the rest of the width."""
        rows = self._layout_rows if self._layout_rows is not None else self._rows
        natural = {c.key: self._natural_width(c, rows) for c in visible}
        pad = 2 * self.cell_padding
        free = self._fit_width(self.size.width) - sum(natural[c.key] + pad for c in visible)
        spans = []
        for column in visible:
            width = natural[column.key]
            if column.fill:
                # The rest of the width, or the whole of the longest cell (a command line):
                # the table then scrolls sideways to it, as top and htop do.
                width = max(width + free, self._natural_width(column, rows, FILL_LIMIT))
            spans.append(Span(column.key, self._label(column), width, column.right,
                              self._index[column.key], column.key == self.sort_column,
                              FILL_LIMIT if column.fill else column.max_width))
        return spans

    def _label(self, column: Column) -> str:
        mark = ("▼" if self.sort_reverse else "▲") if column.key == self.sort_column else ""
        return column.label + mark

    # -- keys and mouse ----------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """``/`` opens the screen's filter at once, so that keys typed right after it (queued
        here already) go to the filter input instead of the table."""
        if event.key == "slash" and hasattr(self.screen, "action_filter"):
            self.screen.action_filter()
            event.stop()
            event.prevent_default()
            return
        focused = self.screen.focused
        if focused is not self and isinstance(focused, Input) and event.is_printable \
                and event.character:
            focused.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_resize(self, event: events.Resize) -> None:
        self.layout_columns(event.size.width)

    def _fit_width(self, width: int) -> int:
        return width - self.styles.scrollbar_size_vertical

    def on_line_table_header_selected(self, event: LineTable.HeaderSelected) -> None:
        event.stop()
        if self.by_key[event.key].sort is not None:
            self.sort_by(event.key)


def _first(pair: tuple[Any, Hashable]) -> Any:
    return pair[0]


def _second(pair: tuple[Any, Hashable]) -> Any:
    return pair[1]
