"""The dashboard: host header, the jail table, the ``/`` filter and a legend line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from ...engine.sampler import Snapshot
from ...engine.vis import vis
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import Footer
from ..widgets.header import HostHeader, Status
from ..widgets.jail_table import JailTable
from ..widgets.line import Line
from .jail_screen import JailScreen

if TYPE_CHECKING:
    from ..app import JailtuiApp

LEGEND = "CPU% = % of one core"


class DashboardScreen(JailScreen):
    """Every jail of the host; Enter opens one, the change keys act on the highlighted one."""

    BINDINGS = [
        Binding("slash,f3,f4", "filter", "Filter", key_display="/",
                tooltip="filter jails by regex (name, hostname, IP, path)"),
        Binding("escape", "clear_filter", "Clear filter", show=False,
                tooltip="clear the filter"),
    ]

    def __init__(self, sort: str | None = None, reverse: bool | None = None,
                 columns: Sequence[str] = ()) -> None:
        """``sort``, ``reverse`` and ``columns``: the jail table's, see :class:`KeyedTable`."""
        super().__init__(id="dashboard")
        self.table_options: dict[str, Any] = {"sort": sort, "reverse": reverse,
                                              "columns": tuple(columns)}
        self.pattern: re.Pattern[str] | None = None
        self.filter_error: str | None = None
        self.snapshot: Snapshot | None = None

    @property
    def jailtui(self) -> JailtuiApp:
        return cast("JailtuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield HostHeader(id="header")
        yield JailTable(id="jails", **self.table_options)
        yield FilterBar("regex on name, hostname, IP or path; Enter keeps it, Esc clears",
                        id="filter")
        yield Line(id="legend")
        yield Footer()

    @property
    def table(self) -> JailTable:
        return self.query_one(JailTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    AUTO_FOCUS = "JailTable"

    def on_screen_resume(self) -> None:
        """Catch up after a screen on top (detail, help, palette) closes."""
        app = self.jailtui
        self.show_status(app.status())
        if app.snapshot is not None:
            self.show_snapshot(app.snapshot)

    def show_status(self, status: Status) -> None:
        for header in self.query(HostHeader):
            header.update_status(status)

    def show_snapshot(self, snapshot: Snapshot) -> int:
        """Apply one snapshot to the table; returns the number of cells written."""
        self.snapshot = snapshot
        written = self.table.show_jails(snapshot.jails, self.pattern)
        self._legend()
        return written

    def refilter(self) -> None:
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)
        else:
            self._legend()

    def _legend(self) -> None:
        table = self.table
        total = len(self.snapshot.jails) if self.snapshot else 0
        column = table.by_key[table.sort_column]
        line = Text.assemble((f"{table.shown_count}", "bold"), f"/{total} jails",
                             ("  sort ", "dim"), column.label,
                             " ▼" if table.sort_reverse else " ▲")
        if self.filter_error:
            line.append(f"  {self.filter_error}", style="bold red")
        elif self.pattern is not None:
            line.append("  filter ", style="dim")
            line.append(f"/{self.pattern.pattern}/", style="bold")
        line.append(f"  {LEGEND}", style="dim")
        if self.snapshot and self.snapshot.warnings:
            line.append(f"  ⚠ {vis(self.snapshot.warnings[0])}", style="yellow")
        line.no_wrap = True
        line.overflow = "ellipsis"
        self.query_one("#legend", Line).set(line)

    # -- actions ---------------------------------------------------------------------------

    def action_open(self) -> None:
        selected = self.table.selected
        if selected is not None:
            self.jailtui.open_jail(selected.jail.name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None:
            self.jailtui.open_jail(key)

    def action_filter(self) -> None:
        bar = self.filter_bar
        bar.display = True
        self.app.set_focus(bar)

    def action_clear_filter(self) -> None:
        bar = self.filter_bar
        if self.pattern is not None or bar.display or bar.value or self.filter_error:
            bar.action_clear()

    def set_filter(self, text: str) -> None:
        """Set the filter text as if typed (the palette and tests use this)."""
        bar = self.filter_bar
        bar.display = bool(text)
        bar.value = text

    def on_filter_bar_filter_changed(self, event: FilterBar.FilterChanged) -> None:
        event.stop()
        self.pattern = event.pattern
        self.filter_error = event.error
        if event.closed:
            self.filter_bar.display = self.pattern is not None
            self.table.focus()
        self.refilter()

    def on_keyed_table_sorted(self, event: JailTable.Sorted) -> None:
        event.stop()
        self._legend()

    def selected_jail(self) -> str | None:
        selected = self.table.selected
        return selected.jail.name if selected is not None else None

    def select_jail(self, name: str) -> None:
        self.table.select_key(name)
