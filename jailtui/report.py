"""What the CLI prints: stable JSON documents and rich tables, both from engine objects.

The JSON schema (``"schema": 1``) is documented in the README; keys are only ever added. JSON
carries the exact strings, every control escaped by ``json.dumps`` (``ensure_ascii``); tables
and lines show them through :mod:`jailtui.literal` (controls made visible, never markup).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from .engine import units
from .engine.model import CommandResult, Jail, Process, Rule, Usage
from .engine.rctl import RESOURCES
from .engine.sampler import HostStats, JailStats, LimitUse, Snapshot
from .engine.vis import vis
from .literal import literal, visible
from .present import AT, NEAR, limit_label, limit_level, marked

SCHEMA = 1


# -- JSON ------------------------------------------------------------------------------------

def host_json(host: HostStats) -> dict[str, Any]:
    info = host.info
    return {
        "hostname": info.hostname, "osrelease": info.osrelease, "osreldate": info.osreldate,
        "ncpu": info.ncpu, "physmem": info.physmem, "boottime": info.boottime,
        "uptime": round(host.uptime), "loadavg": list(info.loadavg),
        "cpu_percent": None if host.cpu is None else round(host.cpu, 1),
        "mem_used": host.mem_used, "mem_total": host.mem_total,
        "racct": {"enabled": info.racct.enabled, "present": info.racct.present,
                  "reason": info.racct.explained},
        "jailed": info.jailed, "running": host.running, "stopped": host.stopped,
        "processes": host.nproc, "swap_total": info.swap_total, "swap_used": info.swap_used,
        "unknown": list(info.unknown),
    }


def jail_json(jail: Jail) -> dict[str, Any]:
    return {
        "name": jail.name, "jid": jail.jid, "state": jail.state.value, "running": jail.running,
        "configured": jail.configured, "hostname": jail.hostname, "path": jail.path,
        "ip4": list(jail.ip4), "ip6": list(jail.ip6), "cpusetid": jail.cpusetid,
        "vnet": jail.vnet or None, "ip4_mode": jail.ip4_mode or None,
        "ip6_mode": jail.ip6_mode or None, "network": jail.network or None,
        "parent": jail.parent or None,
        "manager": jail.manager or None, "conf": jail.conf or None,
    }


def rule_json(rule: Rule) -> dict[str, Any]:
    return {"rule": str(rule), "subject": rule.subject, "subject_id": rule.subject_id,
            "resource": rule.resource, "action": rule.action, "amount": rule.amount,
            "per": rule.per, "unit": RESOURCES[rule.resource].unit.value
            if rule.resource in RESOURCES else None}


def limit_json(limit: LimitUse) -> dict[str, Any]:
    return {**rule_json(limit.rule), "used": limit.used,
            "fraction": None if limit.fraction is None else round(limit.fraction, 4)}


def stats_json(stats: JailStats) -> dict[str, Any]:
    return {
        **jail_json(stats.jail), "nproc": stats.nproc, "nthr": stats.nthr,
        "cpu_percent": round(stats.cpu, 1), "pcpu": round(stats.pcpu, 1),
        "rss": stats.rss, "vsz": stats.vsz, "openfiles": stats.openfiles,
        "readbps": stats.readbps, "writebps": stats.writebps,
        "readiops": stats.readiops, "writeiops": stats.writeiops,
        "limits": [limit_json(limit) for limit in stats.limits],
        "children": list(stats.children),
        "racct_includes_children": stats.racct_includes_children,
    }


def process_json(proc: Process, jail: str | None, cpu: float | None = None) -> dict[str, Any]:
    return {
        "jid": proc.jid, "jail": jail, "pid": proc.pid, "ppid": proc.ppid, "user": proc.user,
        "pcpu": proc.pcpu, "cpu_percent": None if cpu is None else round(cpu, 1),
        "pmem": proc.pmem, "rss": proc.rss, "vsz": proc.vsz, "nlwp": proc.nlwp,
        "state": proc.state, "cputime": proc.cputime, "etime": proc.etime,
        "command": proc.command, "uid": proc.uid, "start": proc.start,
    }


def command_json(result: CommandResult) -> dict[str, Any]:
    return {"argv": list(result.argv), "returncode": result.returncode,
            "stdout": result.stdout, "stderr": result.stderr}


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    return None if usage is None else usage.as_dict()


def document(kind: str, snapshot: Snapshot | None = None, **body: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema": SCHEMA, "kind": kind}
    if snapshot is not None:
        doc["time"] = snapshot.time
        doc["host"] = host_json(snapshot.host)
        doc["warnings"] = list(snapshot.warnings)
    doc.update(body)
    return doc


# -- tables ----------------------------------------------------------------------------------

#: Text columns that wrap at spaces, each word kept whole (a rule's amount, a limit's figures).
WRAP = frozenset({"RULE", "LIMIT", "LIMITS"})
#: Text columns that may also split a long word (a command line, a path, a description).
FOLD = frozenset({"COMMAND", "PATH", "DESCRIPTION"})
FOLD_MIN = 24
#: What SIMPLE_HEAD puts between two columns (padding, divider, padding).
GAP = 3


class FitTable:
    """A plain table that fits the width it is printed at without cutting a figure: columns
    named in ``drop`` go, in that order, while it is too wide; text columns wrap (WRAP, FOLD);
    numbers and the other columns are never narrowed. Title and cells are literal
    (``[idle]`` stays ``[idle]``)."""

    def __init__(self, columns: Sequence[str], title: str | None, right: Iterable[str],
                 drop: Sequence[str]) -> None:
        self.columns = list(columns)
        self.title = title
        self.right = set(right)
        self.drop = list(drop)
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: Text) -> None:
        self.rows.append(cells)

    def layout(self, width: int) -> list[tuple[str, int]]:
        """The columns shown at ``width`` and the width of each: columns go (``drop``) while
        the table does not fit with every WRAP column whole and every FOLD column at least
        FOLD_MIN wide; then WRAP columns wrap down to their longest word; last, what must
        stay and is still too wide folds its text (never a number)."""
        natural = {name: max([cell_len(name), *(cell_len(row[i].plain) for row in self.rows)])
                   for i, name in enumerate(self.columns)}
        floor = {name: min(natural[name], max(FOLD_MIN, cell_len(name))) if name in FOLD
                 else natural[name] for name in self.columns}
        shown = list(self.columns)

        def total(widths: dict[str, int]) -> int:
            return sum(widths[name] for name in shown) + GAP * (len(shown) - 1)

        for name in self.drop:
            if total(floor) <= width:
                break
            shown.remove(name)
        for i, name in enumerate(self.columns):
            if name in WRAP:
                floor[name] = max([cell_len(name), *(cell_len(word) for row in self.rows
                                                     for word in row[i].plain.split())])
        if total(floor) > width:
            for name in shown:
                if name not in self.right:
                    floor[name] = min(floor[name], max(cell_len(name), 4))
        widths = {name: natural[name] for name in shown}
        for name in sorted(shown, key=lambda name: natural[name] - floor[name], reverse=True):
            widths[name] = max(floor[name], widths[name] - max(0, total(widths) - width))
        return [(name, widths[name]) for name in shown]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        chosen = self.layout(options.max_width)
        t = Table(box=box.SIMPLE_HEAD,
                  title=None if self.title is None else literal(self.title),
                  title_justify="left", pad_edge=False, show_edge=False, header_style="bold")
        for name, width in chosen:
            t.add_column(name, justify="right" if name in self.right else "left", width=width,
                         no_wrap=name in self.right, overflow="fold")
        index = [self.columns.index(name) for name, _ in chosen]
        for cells in self.rows:
            t.add_row(*(cells[i] for i in index))
        yield t


def table(*columns: str, title: str | None = None, right: Iterable[str] = (),
          drop: Sequence[str] = ()) -> FitTable:
    """A table of ``columns``; ``drop`` lists those that may go, first to go first."""
    return FitTable(columns, title, right, drop)


def row(t: FitTable, cells: Sequence[object]) -> None:
    t.add_row(*(visible(cell) if isinstance(cell, Text) else literal(cell) for cell in cells))


def header_line(snapshot: Snapshot, width: int | None = None) -> Text:
    """One line about the host, wrapped between its figures (never inside one) when wider
    than ``width``; a figure the host did not give shows as ``?``."""
    host = snapshot.host
    info = host.info
    unknown = set(info.unknown)
    load = "?" if "loadavg" in unknown else " ".join(f"{x:.2f}" for x in info.loadavg)
    mem = ("?" if unknown & {"physmem", "mem_free"} else
           f"{units.size(host.mem_used)}/{units.size(host.mem_total)}")
    pieces = [info.hostname or "?", info.osrelease or "?",
              f"up {'?' if 'boottime' in unknown else units.duration(host.uptime)}",
              f"load {load}"]
    if host.cpu is not None:
        pieces.append(f"cpu {host.cpu:.0f}%")
    pieces.append(f"mem {mem}")
    if info.swap_total is not None and info.swap_used is not None:
        pieces.append(f"swap {units.size(info.swap_used)}/{units.size(info.swap_total)}")
    pieces.append(f"jails {host.running} running, {host.stopped} stopped")
    pieces.append("racct on" if info.racct.enabled else f"racct off: {info.racct.explained}")
    lines = [""]
    for piece in (vis(p) for p in pieces):
        if lines[-1] and width is not None and cell_len(lines[-1]) + 2 + cell_len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] = f"{lines[-1]}  {piece}" if lines[-1] else piece
    return Text("\n".join(lines))


#: The CLI's styles for NEAR and AT (the terminal's own colours); AT is reversed, so the two
#: differ with any palette and without colour.
NEAR_STYLE = "bold yellow"
AT_STYLE = "bold reverse red"


def limit_style(limit: LimitUse) -> str:
    """Reversed red at a deny limit (magenta past a rule of another action), bold yellow near
    one; dim for rules far from their amount but deny rules."""
    alert = limit_level(limit)
    if alert == AT:
        return AT_STYLE if limit.rule.action == "deny" else "bold reverse magenta"
    if alert == NEAR:
        return NEAR_STYLE
    return "" if limit.fraction is not None and limit.rule.action == "deny" else "dim"


def limit_text(limit: LimitUse) -> Text:
    """``!memoryuse 412M/512M 80% deny``: marked and coloured by how near the amount it is."""
    return Text(marked(f"{limit_label(limit)} {limit.rule.action}", limit_level(limit)),
                style=limit_style(limit))
