"""The jail table: one row per jail, running or configured-but-stopped, keyed by jail name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ...engine import units
from ...engine.model import JailState
from ...engine.rctl import Unit
from ...engine.sampler import JailStats, under_parents
from ...present import addresses, level, marked
from ..palette import level_style
from ..cells import DASH, DIM, Cell, limits_cell, num, text, to_text, worst_limit
from .charts import sparkline
from .keyed_table import Column, KeyedTable

_BPS = Unit.BYTES_PER_SECOND
#: After a racct figure of a jail with running child jails: the kernel counts theirs in it.
WITH_CHILDREN = "*"
_CHILDREN_HELP = f"; {WITH_CHILDREN}: includes its child jails (racct counts them)"
#: Samples in the CPU trend column, and the CPU% (of one core) its full block stands for.
TREND_POINTS = 10
TREND_TOP = 100.0


def _running(key: Callable[[JailStats], Any]) -> Callable[[JailStats], Any]:
    """A sort key that is None (sorted last) for stopped jails."""
    return lambda s: key(s) if s.jail.running else None


def _worst(s: JailStats) -> float | None:
    worst = worst_limit(s.limits)
    return None if worst is None or worst.fraction is None else worst.fraction


COLUMNS: tuple[Column, ...] = (
    Column("jid", "JID", 3, 0, True, lambda s: s.jail.jid, "jail ID (changes on restart)"),
    Column("name", "NAME", 8, 0, False, lambda s: s.jail.name, "jail name"),
    Column("state", "STATE", 6, 3, False, lambda s: s.jail.state.value,
           "ACTIVE, DYING or STOPPED (configured, not running)"),
    Column("manager", "MANAGER", 7, 4, False, lambda s: s.jail.manager,
           "who starts and stops it: bastille, iocage, appjail, pot, jail.conf, or none "
           "(made by hand: jailtui will not stop it without a second confirmation)"),
    Column("hostname", "HOSTNAME", 8, 9, False, lambda s: s.jail.hostname, "host.hostname"),
    Column("ip", "IP", 8, 4, False,
           lambda s: s.jail.ips[0] if s.jail.ips else (s.jail.network or None),
           "first address, +N more; vnet: a network stack of its own; inherit: the host's "
           "addresses"),
    Column("nproc", "PROC", 4, 2, True, _running(lambda s: s.nproc), "processes", True),
    Column("nthr", "THR", 4, 6, True, _running(lambda s: s.nthr), "threads" + _CHILDREN_HELP,
           True),
    Column("cpu", "CPU%", 5, 0, True, _running(lambda s: s.cpu),
           "CPU over the last interval, percent of ONE core (400 = 4 cores busy); ! from 75% "
           "and !! from 90% of what the jail may use: its pcpu deny rule, else its cpuset's "
           "CPUs, else the host's", True),
    Column("trend", "TREND", TREND_POINTS, 5, False, None,
           f"CPU% of the last {TREND_POINTS} samples, oldest left, scaled to ONE core: "
           "▁ idle … █ one core busy or more"),
    Column("rss", "RSS", 5, 0, True, _running(lambda s: s.rss), "resident memory", True),
    Column("vsz", "VSZ", 5, 8, True, _running(lambda s: s.vsz), "virtual memory", True),
    Column("files", "FILES", 5, 7, True, lambda s: s.openfiles,
           "open files (racct)" + _CHILDREN_HELP, True),
    Column("read", "READ/s", 7, 6, True, lambda s: s.readbps,
           "filesystem reads (racct)" + _CHILDREN_HELP, True),
    Column("write", "WRITE/s", 7, 6, True, lambda s: s.writebps,
           "filesystem writes (racct)" + _CHILDREN_HELP, True),
    Column("limits", "LIMITS", 12, 0, False, _worst,
           "the rule closest to its amount: ! from 75%, !! (reversed) from 90% of a deny "
           "rule or past the amount of another action"
           + _CHILDREN_HELP, True),
)


def jail_row(s: JailStats) -> tuple[Text, ...]:
    """The row of one jail as rich Text, in COLUMNS order."""
    return tuple(to_text(cell) for cell in jail_cells(s))


def jail_cells(s: JailStats, trend: Sequence[float] = ()) -> tuple[Cell, ...]:
    """The cells of one jail, in COLUMNS order; stopped jails dim with ``-``; racct figures
    that include child jails marked; ``trend`` is its recent CPU%, oldest first. (The NAME
    cell is the row's key: the dotted name of a child jail, listed under its parent, shows
    where it belongs.)"""
    jail = s.jail
    ip = addresses(jail, compact=True)
    name = jail.name
    manager = jail.manager or "-"
    if not jail.running:
        return (DASH, text(name, DIM), text(jail.state.value, DIM), text(manager, DIM),
                text(jail.hostname or "-", DIM), text(ip, DIM), DASH, DASH, DASH, DASH, DASH,
                DASH, DASH, DASH, DASH, limits_cell(s.limits))
    state = "yellow" if jail.state is JailState.DYING else ""
    mark = _children_mark if s.racct_includes_children else _plain
    return (
        num(str(jail.jid)), text(name, "bold"), text(jail.state.value, state),
        text(manager, "yellow" if manager == "none" else ""),
        text(jail.hostname or "-"), text(ip),
        num(str(s.nproc)), mark(num(str(s.nthr))),
        _cpu_cell(s),
        text(sparkline(trend, TREND_TOP, TREND_POINTS), "green"),
        num(units.size(s.rss)), num(units.size(s.vsz)),
        mark(num(units.count(s.openfiles))) if s.openfiles is not None else DASH,
        mark(num(units.rate(s.readbps, _BPS))) if s.readbps is not None else DASH,
        mark(num(units.rate(s.writebps, _BPS))) if s.writebps is not None else DASH,
        mark(limits_cell(s.limits)) if s.limits else limits_cell(s.limits),
    )


def _plain(cell: Cell) -> Cell:
    return cell


def _children_mark(cell: Cell) -> Cell:
    return (*cell[:3], (*(cell[3] if len(cell) > 3 else ()), (WITH_CHILDREN, DIM)))


def row_keys(jails: tuple[JailStats, ...]) -> list[str]:
    """Row keys: the jail name; a second jail of that name (a DYING one left behind by a
    restart) gets its JID added, so both rows show."""
    keys, seen = [], set()
    for s in jails:
        key = s.jail.name
        if key in seen:
            key = f"{key} (JID {s.jail.jid})"
        seen.add(key)
        keys.append(key)
    return keys


def _cpu_cell(s: JailStats) -> Cell:
    """CPU%, marked hot by the share it uses of what it may use (its pcpu deny rule, its
    cpuset's CPUs or the host's), not of one core."""
    alert = level(s.cpu_fraction)
    return num(marked(units.percent(s.cpu), alert),
               level_style(alert, "" if s.cpu >= 0.05 else DIM))


def matches(pattern: re.Pattern[str] | None, s: JailStats) -> bool:
    """The filter: name, hostname, any IP or the path."""
    if pattern is None:
        return True
    jail = s.jail
    return any(pattern.search(value) for value in (jail.name, jail.hostname, jail.path, *jail.ips)
               if value)


class JailTable(KeyedTable[JailStats]):
    """Every jail; Enter (or a click on the highlighted row) opens its detail."""

    COLUMNS = COLUMNS
    KEY_COLUMN = "name"
    #: The busiest jail on top, as top(1) and htop do.
    DEFAULT_SORT = "cpu"

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", tooltip="open the jail's detail"),
        Binding("s,f6", "cycle_sort", "Sort", tooltip="sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="reverse the sort"),
        Binding("P", "sort_by('cpu')", "CPU", show=False,
                tooltip="sort by CPU%, busiest first (again: reverse), as in top and htop"),
        Binding("M", "sort_by('rss')", "Memory", show=False,
                tooltip="sort by memory (RSS), largest first (again: reverse)"),
        Binding("N", "sort_by('name')", "Name", show=False,
                tooltip="sort by name (again: reverse)"),
        Binding("J", "sort_by('jid')", "JID", show=False, tooltip="sort by JID (again: reverse)"),
        Binding("j", "cursor_down", "Down", show=False, tooltip="cursor down"),
        Binding("k", "cursor_up", "Up", show=False, tooltip="cursor up"),
        Binding("g", "scroll_top", "Top", show=False, tooltip="first jail"),
        Binding("G", "scroll_bottom", "Bottom", show=False, tooltip="last jail"),
    ]

    def show_jails(self, jails: tuple[JailStats, ...],
                   pattern: re.Pattern[str] | None = None,
                   trends: Mapping[str, Sequence[float]] | None = None) -> int:
        """Show ``jails``; ``trends`` maps a jail name to its recent CPU% (the TREND column)."""
        trends = trends or {}
        rows = [jail_cells(s, trends.get(s.jail.name, ())) for s in jails]
        keys = row_keys(jails)
        if pattern is None:
            return self.show(list(zip(keys, jails, rows, strict=True)), rows)
        return self.show([(key, s, row) for key, s, row in zip(keys, jails, rows, strict=True)
                          if matches(pattern, s)], rows)

    def order(self, keys: list[str]) -> list[str]:
        """The sort column's order, with each jail's children right under it."""
        return under_parents(super().order(keys))

    def action_cycle_sort(self) -> None:
        self.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.reverse_sort()

    def action_sort_by(self, key: str) -> None:
        self.sort_by(key)
