"""One jail: its processes (flat or tree), rules with usage, racct resources, parameters, history.

Only the visible tab is repainted on each sample; the sampler keeps recording history meanwhile.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import TabbedContent, TabPane

from ...engine import units
from ...engine.model import Rule
from ...engine.proctable import of_jail
from ...engine.rctl import Unit
from ...engine.sampler import JailHistory, JailStats, Snapshot
from ...engine.vis import vis
from ...present import addresses, children_note, level, marked
from ..palette import (
    ADDRESS_COLOR,
    AT_COLOR,
    GOOD_COLOR,
    MANAGER_COLOR,
    NEAR_COLOR,
    NEAR_STYLE,
    level_style,
)
from ..widgets.charts import HistoryChart, Mark
from ..widgets.detail_tables import LimitsTable, ParamsTable, ResourcesTable
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import Footer
from ..widgets.header import HostHeader, Status
from ..widgets.keyed_table import KeyedTable
from ..widgets.line import Line, Note
from ..widgets.process_table import ProcessTable
from .jail_screen import JailScreen

TABS = ("processes", "limits", "resources", "params", "history")
_BPS = Unit.BYTES_PER_SECOND
#: The History chart on which the rules of each resource are drawn.
CHART_RESOURCES = {"chart-cpu": "pcpu", "chart-rss": "memoryuse", "chart-read": "readbps",
                   "chart-write": "writebps"}


def _cpu(v: float) -> str:
    return f"{v:.1f}%"


def _size(v: float) -> str:
    return units.size(v)


def _rate(v: float) -> str:
    return units.rate(v, _BPS)


def rule_marks(rules: tuple[Rule, ...], resource: str) -> list[Mark]:
    """A line for each rule of the jail on ``resource`` at its amount, labelled with its action
    (deny in the at-limit colour, other actions in the near one: both stay light when NO_COLOR
    turns them grey). Rules counted per process or per user are left out: their amount is not
    the jail's total."""
    return [Mark(rule.amount, f"{rule.action} {units.amount(resource, rule.amount)}",
                 AT_COLOR if rule.action == "deny" else NEAR_COLOR)
            for rule in rules if rule.resource == resource and rule.per == rule.subject]


class JailDetailScreen(JailScreen):
    """The detail of the jail called ``name`` (followed by name, so a restart keeps it)."""

    BINDINGS = [
        Binding("escape", "back", "Back",
                tooltip="clear the process filter, else back to the jail list"),
        Binding("backspace,q", "back", "Back", show=False,
                tooltip="clear the process filter, else back to the jail list"),
        Binding("slash,f3,f4", "filter", "Filter", key_display="/",
                tooltip="filter processes by regex (command, user, PID)"),
        Binding("t,f5", "tree", "Tree", show=False, tooltip="process tree on/off"),
        Binding("1", "tab('processes')", "Processes", show=False, tooltip="Processes tab"),
        Binding("2", "tab('limits')", "Limits", show=False,
                tooltip="Limits tab: the jail's rctl rules against usage"),
        Binding("3", "tab('resources')", "Resources", show=False,
                tooltip="Resources tab: every racct resource"),
        Binding("4", "tab('params')", "Parameters", show=False,
                tooltip="Parameters tab: jail parameters"),
        Binding("5", "tab('history')", "History", show=False,
                tooltip="History tab: CPU, memory and IO charts"),
        Binding("right_square_bracket", "next_tab", "Next tab", key_display="]", show=False,
                tooltip="next tab"),
        Binding("left_square_bracket", "previous_tab", "Previous tab", key_display="[",
                show=False, tooltip="previous tab"),
        Binding("e", "edit_limit", "Edit", tooltip="edit the highlighted limit (Limits tab)"),
        Binding("delete,x", "remove_limit", "Remove", key_display="Del",
                tooltip="remove the highlighted limit (Limits tab; asks first)"),
        Binding("K,f9", "signal", "Signal", key_display="K",
                tooltip="send TERM, KILL or HUP to the highlighted process (asks first)"),
    ]
    TAB_ACTIONS = {"edit_limit": "limits", "remove_limit": "limits", "signal": "processes"}

    def __init__(self, name: str) -> None:
        super().__init__()
        self.jail_name = name
        self.pattern: re.Pattern[str] | None = None
        self.filter_error: str | None = None
        self.snapshot: Snapshot | None = None
        self.history: JailHistory | None = None
        self.active_tab = "processes"

    def compose(self) -> ComposeResult:
        yield HostHeader(id="header")
        yield Line(id="title")
        with TabbedContent(initial="processes", id="tabs"):
            with TabPane("1 Processes", id="processes"):
                yield FilterBar("regex on command, user or PID; Enter keeps it, Esc clears",
                                id="proc-filter")
                yield ProcessTable(id="procs")
                yield Line(id="proc-legend")
            with TabPane("2 Limits", id="limits"):
                yield LimitsTable(id="limits-table")
                yield Note(id="limits-note", classes="note")
            with TabPane("3 Resources", id="resources"):
                yield Note(id="racct-note", classes="note")
                yield ResourcesTable(id="resources-table")
            with TabPane("4 Parameters", id="params"):
                yield ParamsTable(id="params-table")
            with TabPane("5 History", id="history"), VerticalScroll(id="charts"):
                yield HistoryChart("CPU% (of one core)", _cpu, floor=1.0, with_axis=True,
                                   id="chart-cpu")
                yield HistoryChart("RSS (memory)", _size, style="cyan", floor=1 << 20,
                                   with_axis=True, id="chart-rss")
                yield HistoryChart("READ/s (racct)", _rate, style="magenta", with_axis=True,
                                   id="chart-read")
                yield HistoryChart("WRITE/s (racct)", _rate, style="yellow", with_axis=True,
                                   id="chart-write")
        yield Footer()

    @property
    def processes(self) -> ProcessTable:
        return self.query_one(ProcessTable)

    def selected_jail(self) -> str | None:
        return self.jail_name

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.TAB_ACTIONS.get(action)
        if tab is not None and tab != self.active_tab:
            return False
        return super().check_action(action, parameters)

    def on_screen_resume(self) -> None:
        self._catch_up()

    def _catch_up(self) -> None:
        """Show the app's latest data (once the tabs are mounted: they mount after the screen)."""
        if not self.query(ProcessTable) or not self.query("#charts"):
            self.set_timer(0.02, self._catch_up)
            return
        if self.focused is None:
            self.processes.focus()
        app = self.jailtui
        self.show_status(app.status())
        if app.snapshot is not None:
            self.show_snapshot(app.snapshot)

    def show_status(self, status: Status) -> None:
        for header in self.query(HostHeader):
            header.update_status(status)

    def show_sample(self, snapshot: Snapshot) -> None:
        self.show_snapshot(snapshot, self.jailtui.sampler.history(self.jail_name)
                           if self.active_tab == "history" else None)

    def show_snapshot(self, snapshot: Snapshot, history: JailHistory | None = None) -> int:
        """Repaint the title and the visible tab only; returns the cells written."""
        self.snapshot = snapshot
        if history is not None:
            self.history = history
        if not self.query(ProcessTable):
            return 0
        stats = snapshot.jail(self.jail_name)
        self._title(stats, snapshot)
        return self._show_tab(self.active_tab, snapshot, stats)

    def _show_tab(self, tab: str, snapshot: Snapshot, stats: JailStats | None) -> int:
        if tab == "processes":
            return self._show_processes(snapshot, stats)
        if tab == "limits":
            self._limits_note(stats, snapshot)
            return self.query_one(LimitsTable).show_limits(stats)
        if tab == "resources":
            self._racct_note(snapshot, stats)
            return self.query_one(ResourcesTable).show_usage(
                stats.usage if stats else None, stats.limits if stats else ())
        if tab == "params":
            return self.query_one(ParamsTable).show_params(stats.jail if stats else None)
        if tab == "history":
            self._show_history(stats)
        return 0

    def _show_processes(self, snapshot: Snapshot, stats: JailStats | None) -> int:
        table = self.processes
        jid = stats.jail.jid if stats is not None and stats.jail.running else None
        procs = of_jail(snapshot.processes, jid) if jid is not None else []
        written = table.show_processes(procs, snapshot.cpu, self.pattern)
        legend = Text.assemble((f"{table.shown_count}", "bold"), f"/{len(procs)} processes",
                               ("  sort ", "dim"), table.by_key[table.sort_column].label,
                               " ▼" if table.sort_reverse else " ▲",
                               ("  tree" if table.tree_view else "  flat", "bold"),
                               ("  CPU% = % of one core", "dim"))
        if self.filter_error:
            legend.append(f"  {self.filter_error}", style="bold red")
        elif self.pattern is not None:
            legend.append("  filter ", style="dim")
            legend.append(f"/{self.pattern.pattern}/", style="bold")
        if stats is not None and not stats.jail.running:
            legend.append("  the jail is not running", style="yellow")
        legend.no_wrap = True
        legend.overflow = "ellipsis"
        self.query_one("#proc-legend", Line).set(legend)
        return written

    def _show_history(self, stats: JailStats | None) -> None:
        h = self.history
        if h is None:
            return
        span = units.duration(h.times[-1] - h.times[0]) if len(h) > 1 else ""
        rules = stats.rules if stats is not None else ()
        series = {"chart-cpu": h.cpu, "chart-rss": h.rss, "chart-read": h.readbps,
                  "chart-write": h.writebps}
        for chart_id, values in series.items():
            self.query_one(f"#{chart_id}", HistoryChart).update_series(
                values, span, h.times, rule_marks(rules, CHART_RESOURCES[chart_id]))

    def _title(self, stats: JailStats | None, snapshot: Snapshot) -> None:
        title = Text.assemble((f" {vis(self.jail_name)} ", "bold reverse"))
        if stats is None:
            title.append("  no longer on the host", style=NEAR_STYLE)
        else:
            jail = stats.jail
            title.append(f"  JID {jail.jid if jail.jid is not None else '-'}")
            title.append(f"  {jail.state.value}",
                         style=GOOD_COLOR if jail.running else NEAR_COLOR)
            if jail.manager:
                title.append(f"  {jail.manager}", style=NEAR_COLOR if jail.manager == "none"
                             else MANAGER_COLOR)
                if jail.conf:
                    title.append(f" {vis(jail.conf)}", style="dim")
            if jail.running:
                title.append(f"  {stats.nproc} procs  {stats.nthr} thr  CPU ")
                alert = level(stats.cpu_fraction)
                title.append(marked(f"{stats.cpu:.1f}%", alert), style=level_style(alert))
                if stats.cpu_allowance:
                    title.append(f" of {stats.cpu_allowance:.0f}% ({stats.cpu_allowed_by})",
                                 style="dim")
                title.append(f"  RSS {units.size(stats.rss)}")
            if jail.ips or jail.network:
                title.append(f"  {vis(addresses(jail))}", style=ADDRESS_COLOR)
            if stats.racct_includes_children:
                title.append(f"  racct incl. {len(stats.children)} child jail"
                             f"{'s' if len(stats.children) > 1 else ''}", style=NEAR_COLOR)
            if jail.hostname:
                title.append(f"  {vis(jail.hostname)}")
            if jail.path:
                title.append(f"  {vis(jail.path)}", style="dim")
        title.no_wrap = True
        title.overflow = "ellipsis"
        self.query_one("#title", Line).set(title)

    def _limits_note(self, stats: JailStats | None, snapshot: Snapshot) -> None:
        note = self.query_one("#limits-note", Note)
        if stats is not None and stats.limits:
            note.set(Text("USE%: ! from 75% of the amount; !! (reversed) from 90% of a deny "
                          "rule, or past the amount of another action (log, devctl, throttle, "
                          "sig*)", style="dim"))
        elif not snapshot.racct.enabled:
            note.set(Text(f"racct off: {snapshot.racct.explained or 'disabled'}", style="yellow"))
        elif snapshot.rules_error is not None:
            note.set(Text(f"cannot read rules: {vis(snapshot.rules_error)}", style="bold yellow"))
        else:
            note.set(Text(f"no rctl rules for jail:{vis(self.jail_name)}", style="dim"))

    def _racct_note(self, snapshot: Snapshot, stats: JailStats | None) -> None:
        note = self.query_one("#racct-note", Note)
        if not snapshot.racct.enabled:
            note.show(True)
            note.set(Text(f"racct off: {snapshot.racct.explained or 'disabled'}", style="yellow"))
        elif stats is not None and not stats.jail.running:
            note.show(True)
            note.set(Text("the jail is not running: no racct usage", style="dim"))
        elif stats is not None and stats.racct_includes_children:
            note.show(True)
            note.set(Text(children_note([stats])[0], style="yellow"))
        else:
            note.show(False)

    # -- actions ---------------------------------------------------------------------------

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        tab = self.active_tab = event.pane.id or "processes"
        self.refresh_bindings()
        if self.snapshot is not None:
            if tab == "history":
                self.history = self.jailtui.sampler.history(self.jail_name)
            self._show_tab(tab, self.snapshot, self.snapshot.jail(self.jail_name))
        self._focus_tab(event.pane)

    def _focus_tab(self, pane: TabPane) -> None:
        """Focus the table of ``pane``, or the History charts: a widget left focused in
        another tab would bring that tab back when a dialog closes."""
        table = pane.query(KeyedTable)
        if table:
            table.first().focus()
        elif pane.query("#charts"):
            pane.query_one("#charts").focus()

    def action_tab(self, tab: str) -> None:
        self.active_tab = tab
        self.query_one(TabbedContent).active = tab
        self.refresh_bindings()

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        i = TABS.index(self.active_tab) if self.active_tab in TABS else 0
        self.action_tab(TABS[(i + step) % len(TABS)])

    def action_back(self) -> None:
        bar = self.query_one("#proc-filter", FilterBar)
        if self.pattern is not None or bar.value:
            bar.action_clear()
            return
        self.jailtui.close_jail(self.jail_name)

    def _highlighted_rule(self) -> Rule | None:
        limit = self.query_one(LimitsTable).selected
        if limit is None:
            self.notify("no limit highlighted (L adds one)", severity="warning")
            return None
        return limit.rule

    def action_edit_limit(self) -> None:
        rule = self._highlighted_rule()
        if rule is not None and self.changes is not None:
            self.changes.edit_limit(self.jail_name, rule)

    def action_remove_limit(self) -> None:
        rule = self._highlighted_rule()
        if rule is not None and self.changes is not None:
            self.changes.remove_limit(self.jail_name, rule)

    def action_signal(self) -> None:
        row = self.processes.selected
        if row is None:
            self.notify("no process highlighted", severity="warning")
        elif self.changes is not None:
            self.changes.signal(self.jail_name, row.proc)

    def action_tree(self) -> None:
        if self.active_tab != "processes":
            self.action_tab("processes")
        self.processes.action_toggle_tree()

    def action_filter(self) -> None:
        if self.active_tab != "processes":
            self.action_tab("processes")
        bar = self.query_one("#proc-filter", FilterBar)
        bar.display = True
        self.app.set_focus(bar)

    def filtered(self) -> ProcessTable:
        return self.processes

    def on_keyed_table_sorted(self, event: KeyedTable.Sorted) -> None:
        event.stop()
        if isinstance(event.table, ProcessTable):
            self.refilter()

    def refilter(self) -> None:
        if self.snapshot is not None and self.active_tab == "processes":
            self._show_processes(self.snapshot, self.snapshot.jail(self.jail_name))

