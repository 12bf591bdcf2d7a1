"""What the CLI prints: stable JSON documents and rich tables, both from engine objects.

The JSON schema (``"schema": 1``) is documented in the README; keys are only ever added. JSON
carries the exact strings, every control escaped by ``json.dumps`` (``ensure_ascii``); tables
and lines show them through :mod:`jailtui.literal` (controls made visible, never markup).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from .engine import units
from .engine.model import CommandResult, Jail, Process, Rule, Usage
from .engine.rctl import RESOURCES
from .engine.sampler import HostStats, JailStats, LimitUse, Snapshot
from .engine.vis import vis
from .literal import literal, visible

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
                  "reason": info.racct.reason},
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


def addresses(jail: Jail, *, compact: bool = False) -> str:
    """The IP column: every address (or the first and ``+N`` when ``compact``), else
    ``vnet`` or ``inherit``, else ``-``."""
    ips = jail.ips
    if not ips:
        return jail.network or "-"
    if compact:
        return ips[0] + (f" +{len(ips) - 1}" if len(ips) > 1 else "")
    return ",".join(ips)


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

def table(*columns: str, title: str | None = None, right: Iterable[str] = ()) -> Table:
    """A plain table; its title and data cells are literal (``[idle]`` stays ``[idle]``)."""
    right = set(right)
    t = Table(box=box.SIMPLE_HEAD, title=None if title is None else literal(title),
              title_justify="left", pad_edge=False, show_edge=False, header_style="bold")
    for column in columns:
        t.add_column(column, justify="right" if column in right else "left",
                     no_wrap=column not in ("COMMAND", "PATH", "RULE"),
                     overflow="fold")
    return t


def row(t: Table, cells: Sequence[object]) -> None:
    t.add_row(*(visible(cell) if isinstance(cell, Text) else literal(cell) for cell in cells))


def header_line(snapshot: Snapshot) -> Text:
    """One line about the host; a figure the host did not give shows as ``?``."""
    host = snapshot.host
    info = host.info
    unknown = set(info.unknown)
    racct = "racct on" if info.racct.enabled else f"racct off: {info.racct.reason}"
    cpu = "" if host.cpu is None else f"  cpu {host.cpu:.0f}%"
    load = "?" if "loadavg" in unknown else " ".join(f"{x:.2f}" for x in info.loadavg)
    mem = ("?" if unknown & {"physmem", "mem_free"} else
           f"{units.size(host.mem_used)}/{units.size(host.mem_total)}")
    swap = ("" if info.swap_total is None or info.swap_used is None else
            f"  swap {units.size(info.swap_used)}/{units.size(info.swap_total)}")
    return literal(f"{info.hostname or '?'}  {info.osrelease or '?'}  "
                   f"up {'?' if 'boottime' in unknown else units.duration(host.uptime)}  "
                   f"load {load}{cpu}  mem {mem}{swap}  "
                   f"jails {host.running} running, {host.stopped} stopped  {racct}")


def children_note(stats: Sequence[JailStats]) -> list[str]:
    """``racct of build includes its child jails build.ports``, for each such parent."""
    return [f"racct of {vis(s.jail.name)} includes its child jails: "
            + ", ".join(vis(name) for name in s.children)
            for s in stats if s.racct_includes_children]


#: How close a figure is to what it may reach: nothing to say, near it, at (or past) it.
CALM, NEAR, AT = 0, 1, 2
#: The level said without colour, before the figure: ``!`` near, ``!!`` at.
MARKS = ("", "!", "!!")
#: The CLI's styles for NEAR and AT (the terminal's own colours); AT is reversed, so the two
#: differ with any palette and without colour.
NEAR_STYLE = "bold yellow"
AT_STYLE = "bold reverse red"


def level(fraction: float | None, at: float = 0.9) -> int:
    """NEAR from 75%, AT from ``at`` (of a limit, an allowance, the host)."""
    if fraction is None or fraction < 0.75:
        return CALM
    return AT if fraction >= at else NEAR


def limit_level(limit: LimitUse) -> int:
    """A deny rule is AT from 90% (the kernel refuses what would pass it); a rule of another
    action (log, devctl, throttle, a signal) from 100%, when it fires."""
    return level(limit.fraction, 0.9 if limit.rule.action == "deny" else 1.0)


def marked(text: str, alert: int) -> str:
    """``text`` with the mark of ``alert`` before it."""
    return f"{MARKS[alert]}{text}"


def limit_style(limit: LimitUse) -> str:
    """Reversed red at a deny limit (magenta past a rule of another action), bold yellow near
    one; dim for rules far from their amount but deny rules."""
    alert = limit_level(limit)
    if alert == AT:
        return AT_STYLE if limit.rule.action == "deny" else "bold reverse magenta"
    if alert == NEAR:
        return NEAR_STYLE
    return "" if limit.fraction is not None and limit.rule.action == "deny" else "dim"


def limit_label(limit: LimitUse) -> str:
    """``memoryuse 412M/512M 80%``."""
    rule = limit.rule
    used = "?" if limit.used is None else units.amount(rule.resource, limit.used)
    amount = units.amount(rule.resource, rule.amount)
    if used.endswith("/s") and amount.endswith("/s"):
        used = used[:-2]
    text = f"{rule.resource} {used}/{amount}"
    if limit.fraction is not None:
        text += f" {limit.fraction * 100:.0f}%"
    return text


def worst_limit(limits: tuple[LimitUse, ...]) -> LimitUse | None:
    """The rule closest to (or furthest past) its amount; deny rules win ties."""
    return max(limits, key=lambda lim: (lim.fraction if lim.fraction is not None else -1.0,
                                       lim.rule.action == "deny"), default=None)


def limit_text(limit: LimitUse) -> Text:
    """``!memoryuse 412M/512M 80% deny``: marked and coloured by how near the amount it is."""
    return Text(marked(f"{limit_label(limit)} {limit.rule.action}", limit_level(limit)),
                style=limit_style(limit))
