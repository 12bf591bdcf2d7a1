"""A DataTable updated by keyed diffs: rows keyed by a stable id, only changed cells rewritten.

Each tick the owner passes every item with its full row of cells (light tuples, see cells.py).
The table removes vanished rows, adds new ones, rewrites (as Text) only the cells that changed,
reorders with ``sort`` only when the order changed and keeps the cursor on the same key, all
inside one ``batch_update``. It uses DataTable's public API only (``add_row``, ``remove_row``,
``update_cell``, ``sort``, ``clear``), so DataTable repaints the rows it shows whenever a cell
changed; ``scripts/bench_tui.py`` measures what that costs.
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
from textual.widgets import DataTable, Input
from textual.widgets.data_table import ColumnKey, RowDoesNotExist, RowKey

from ...engine.vis import vis
from ..cells import Cell, plain, to_text

T = TypeVar("T")

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


class KeyedTable(DataTable, Generic[T]):
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
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
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
        present, missing = [], []
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
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        row = self.cursor_row
        if not self.is_valid_row_index(row):
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

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
        written = 0
        cursor = self.cursor_key
        old_rows = self._rows
        shown = [self._index[c.key] for c in self.shown_columns]
        column_keys = [ColumnKey(c.key) for c in self.shown_columns]
        columns = self.columns
        gone = old_rows.keys() - new_rows.keys()
        with self.app.batch_update():
            if len(gone) > len(new_rows):
                # remove_row renumbers every row below the one it removes: when most rows
                # go (a filter typed), starting again is cheaper.
                self.clear()
                old_rows = {}
            else:
                for key in gone:
                    self.remove_row(key)
            for key in order:
                row = new_rows[key]
                old = old_rows.get(key)
                if old is None:
                    self.add_row(*(to_text(row[i]) for i in shown), key=key)
                    continue
                if old == row:
                    continue
                row_key = RowKey(key)
                for i, column_key in zip(shown, column_keys, strict=True):
                    cell = row[i]
                    if cell != old[i]:
                        shown_text = to_text(cell)
                        grow = shown_text.cell_len > columns[column_key].content_width
                        self.update_cell(row_key, column_key, shown_text, update_width=grow)
                        written += 1
            self._rows = new_rows
            if order != self._order or len(order) != self.row_count:
                self._order = order
                self._apply_order()
            self._restore_cursor(cursor)
        self.cell_updates += written
        return written

    def resort(self, column: str | None = None, reverse: bool | None = None) -> None:
        """Sort by ``column`` (its natural direction unless ``reverse`` is given)."""
        if column is not None and column != self.sort_column:
            self.sort_column = column
            self.sort_reverse = self.by_key[column].descending if reverse is None else reverse
        elif reverse is not None:
            self.sort_reverse = reverse
        cursor = self.cursor_key
        self._order = self.order(list(self._rows))
        self._relabel()
        self._apply_order()
        self._restore_cursor(cursor)
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
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    def _apply_order(self) -> None:
        """Rows in ``self._order``; ``sort`` also repaints the header and every row."""
        rank = {vis(key): i for i, key in enumerate(self._order)}
        self.sort(self.KEY_COLUMN, key=lambda cell: rank.get(cell.plain, len(rank)))

    def _restore_cursor(self, key: str | None) -> None:
        if key is None or key not in self._rows:
            return
        index = self.get_row_index(key)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

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

    def _natural_width(self, column: Column, rows: Any) -> int:
        i = self._index[column.key]
        values = rows.values() if isinstance(rows, dict) else rows
        widest = max((cell_len(plain(row[i])) for row in values), default=0)
        return max(column.width, cell_len(column.label) + 1, min(widest, 40))

    def layout_columns(self, width: int) -> None:
        """Show the columns that fit ``width``; rebuilds the table only when they change."""
        visible = self.choose_columns(self._fit_width(width))
        if visible != self.shown_columns:
            self._rebuild(visible)

    def _rebuild(self, visible: tuple[Column, ...]) -> None:
        cursor = self.cursor_key
        scroll_y = self.scroll_y
        self.shown_columns = visible
        with self.app.batch_update():
            self.clear(columns=True)
            for column in visible:
                self.add_column(self._label(column), key=column.key)
            shown = [self._index[c.key] for c in visible]
            for key in self._order:
                row = self._rows[key]
                self.add_row(*(to_text(row[i]) for i in shown), key=key)
            if cursor is not None and cursor in self._rows:
                self.move_cursor(row=self.get_row_index(cursor), animate=False, scroll=False)
        self.scroll_y = scroll_y

    def _label(self, column: Column) -> Text:
        label = column.label
        if column.key == self.sort_column:
            label += "▼" if self.sort_reverse else "▲"
        width = max(column.width, cell_len(column.label) + 1)
        padded = label.rjust(width) if column.right else label.ljust(width)
        style = "bold" if column.key == self.sort_column else ""
        return Text(padded, style=style)

    def _relabel(self) -> None:
        """New header labels (the sort mark); the ``sort`` that follows repaints them."""
        for column in self.shown_columns:
            data_column = self.columns.get(ColumnKey(column.key))
            if data_column is not None:
                data_column.label = self._label(column)

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

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key is None or self.by_key[key].sort is None:
            return
        self.sort_by(key)


def _first(pair: tuple[Any, Hashable]) -> Any:
    return pair[0]


def _second(pair: tuple[Any, Hashable]) -> Any:
    return pair[1]
