"""The dashboard: host header, the jail table, a legend line that the ``/`` filter opens in
and, when the terminal is tall enough, the host panel (host CPU and memory history, the
busiest processes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from ...engine.sampler import Snapshot
from ...engine.vis import vis
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import Footer
from ..widgets.header import HostHeader, Status
from ..widgets.host_panel import HostPanel
from ..widgets.jail_table import TREND_POINTS, JailTable
from ..widgets.line import Line
from .jail_screen import JailScreen

LEGEND = "CPU% = % of one core"
#: The least terminal height (rows) that shows the host panel.
PANEL_MIN_HEIGHT = 30
#: The panel's height: what the jail list leaves free, within these bounds (border included).
PANEL_HEIGHT = 11
PANEL_MAX_HEIGHT = 21
#: The dashboard's rows besides the jail table and the panel: header (2), legend, footer.
_CHROME = 4


class DashboardScreen(JailScreen):
    """Every jail of the host; Enter opens one, the change keys act on the highlighted one."""

    BINDINGS = [
        Binding("slash,f3,f4", "filter", "Filter", key_display="/",
                tooltip="filter jails by regex (name, hostname, IP, path)"),
        Binding("escape", "clear_filter", "Clear filter", show=False,
                tooltip="clear the filter"),
        Binding("v", "toggle_panel", "Panel", show=False,
                tooltip="show or hide the host panel: host CPU and memory history, busiest "
                        f"processes (hidden below {PANEL_MIN_HEIGHT} rows)"),
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
        self.panel_wanted = True
        self._fitted: tuple[int, int] | None = None
        #: The pattern the rows on screen went through.
        self._filtered: re.Pattern[str] | None = None

    def compose(self) -> ComposeResult:
        yield HostHeader(id="header")
        yield JailTable(id="jails", **self.table_options)
        with Horizontal(id="legend-row"):
            yield FilterBar("regex on name, hostname, IP or path; Enter keeps it, Esc clears",
                            id="filter")
            yield Line(id="legend")
        yield HostPanel(id="panel")
        yield Footer()

    @property
    def table(self) -> JailTable:
        return self.query_one(JailTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def panel(self) -> HostPanel:
        return self.query_one(HostPanel)

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

    def show_sample(self, snapshot: Snapshot) -> None:
        self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: Snapshot) -> int:
        """Apply one snapshot to the table; returns the number of cells written."""
        self.snapshot = snapshot
        written = self._show_jails(snapshot)
        if self.panel.display:
            self._fit_panel()
            written += self.panel.show(snapshot, self.jailtui.sampler.host_history())
        self._legend()
        return written

    def _show_jails(self, snapshot: Snapshot) -> int:
        self._filtered = self.pattern
        return self.table.show_jails(snapshot.jails, self.pattern,
                                     self.jailtui.sampler.recent_cpu(TREND_POINTS))

    def on_resize(self, event: events.Resize) -> None:
        self._fit_panel()

    def _fit_panel(self) -> None:
        """Show the panel when wanted and the terminal is tall enough, as tall as the jail
        list leaves free; a panel that appears catches up at once (a hidden one is not
        drawn, and is not resized)."""
        panel = self.panel
        shown = self.panel_wanted and self.app.size.height >= PANEL_MIN_HEIGHT
        if shown:
            self._size_panel()
        if shown == panel.display:
            return
        panel.display = shown
        if shown and self.snapshot is not None:
            self.call_after_refresh(self._catch_up_panel)

    def _size_panel(self) -> None:
        """Relayout only when the terminal height or the number of jails listed changed."""
        height, rows = self.app.size.height, self.table.shown_count
        if self._fitted == (height, rows):
            return
        self._fitted = (height, rows)
        free = height - _CHROME - (rows + 1)
        self.panel.styles.height = max(PANEL_HEIGHT, min(PANEL_MAX_HEIGHT, free))

    def _catch_up_panel(self) -> None:
        if self.panel.display and self.snapshot is not None:
            self.panel.show(self.snapshot, self.jailtui.sampler.host_history())

    def refilter(self) -> None:
        """The jail list through the filter just set (the panel does not depend on it): the
        rows again only when the pattern changed, the legend always."""
        if self.snapshot is not None and self.pattern != self._filtered:
            self._show_jails(self.snapshot)
            if self.panel.display:
                self._fit_panel()
        self._legend()

    def on_mount(self) -> None:
        self._legend()

    def _legend(self) -> None:
        """The jails listed, the sort and the filter; before any data came, why the list is
        empty (it is not "no jails")."""
        table = self.table
        if self.snapshot is None or (self.snapshot.stale and self.jailtui.good_at is None):
            waiting = self.snapshot is None
            line = Text("waiting for the first sample…" if waiting else
                        f"no data: {vis((self.snapshot and self.snapshot.error) or '?')}",
                        style="dim" if waiting else "bold red", no_wrap=True,
                        overflow="ellipsis")
            self.query_one("#legend", Line).set(line)
            return
        total = len(self.snapshot.jails)
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

    def on_line_table_row_selected(self, event: JailTable.RowSelected) -> None:
        event.stop()
        self.jailtui.open_jail(event.key)

    def action_toggle_panel(self) -> None:
        self.panel_wanted = not self.panel_wanted
        self._fit_panel()
        if self.panel_wanted and not self.panel.display:
            self.notify(f"the host panel needs a terminal of {PANEL_MIN_HEIGHT} rows or more",
                        severity="warning")

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

    def filtered(self) -> JailTable:
        return self.table

    def on_keyed_table_sorted(self, event: JailTable.Sorted) -> None:
        event.stop()
        self._legend()

    def selected_jail(self) -> str | None:
        selected = self.table.selected
        return selected.jail.name if selected is not None else None

    def select_jail(self, name: str) -> None:
        self.table.select_key(name)
