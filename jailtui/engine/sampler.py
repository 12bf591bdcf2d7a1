"""Sampler: samples a Host, derives per-jail and host rates, keeps bounded history.

CPU% comes from each process's cputime delta over the monotonic interval between two good
samples (percent of ONE core, like racct pcpu). A failed sample never raises: the previous
snapshot comes back marked stale, and the next good one is measured against the last good one.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from itertools import islice, repeat
from operator import add
from typing import Any

from .audit import error_line
from .host import Host
from .model import HostInfo, Jail, JailState, Process, RacctStatus, Rule, Sample, Usage
from .proctable import Columns, columns

DEFAULT_HISTORY = 300
CP_TIME_BUSY = 4
#: How many of the busiest jailed processes a snapshot keeps (the dashboard's top list).
BUSIEST = 32


@dataclass(frozen=True, slots=True)
class LimitUse:
    """A jail rule next to the current value of its resource; ``fraction`` is used/amount."""

    rule: Rule
    used: int | None
    fraction: float | None


@dataclass(frozen=True, slots=True)
class JailStats:
    """One jail in one snapshot. ``cpu`` is percent of one core; sizes in bytes.

    ``openfiles`` and the IO rates come from racct and are None when it is off or the jail
    is stopped.
    """

    jail: Jail
    nproc: int = 0
    nthr: int = 0
    cpu: float = 0.0
    pcpu: float = 0.0
    rss: int = 0
    vsz: int = 0
    openfiles: int | None = None
    readbps: int | None = None
    writebps: int | None = None
    readiops: int | None = None
    writeiops: int | None = None
    usage: Usage | None = None
    rules: tuple[Rule, ...] = ()
    limits: tuple[LimitUse, ...] = ()
    #: The running jails created inside this one, at any depth: the kernel charges their
    #: racct to this jail too (kern_racct.c racct_add_cred_locked walks up pr_parent), so
    #: the racct figures (usage, openfiles, IO, limits) include theirs; the process figures
    #: (nproc, cpu, rss, vsz) are this jail's own.
    children: tuple[str, ...] = ()
    #: What it may use, percent of one core: its lowest pcpu deny rule, else the CPUs its
    #: cpuset allows, else the host's; None when none of them is known.
    cpu_allowance: float | None = None
    #: What sets ``cpu_allowance``: ``pcpu`` (a deny rule), ``cpuset`` or ``host``.
    cpu_allowed_by: str = ""

    @property
    def name(self) -> str:
        return self.jail.name

    @property
    def cpu_fraction(self) -> float | None:
        """CPU used over what it may use (1.0: all of it); None when that is unknown."""
        if not self.cpu_allowance:
            return None
        return self.cpu / self.cpu_allowance

    @property
    def racct_includes_children(self) -> bool:
        return bool(self.children and self.usage is not None)

    @property
    def jid(self) -> int | None:
        return self.jail.jid


@dataclass(frozen=True, slots=True)
class HostStats:
    """The host header: ``cpu`` is percent of the whole host (None until two samples)."""

    info: HostInfo
    cpu: float | None = None
    mem_used: int = 0
    mem_total: int = 0
    uptime: float = 0.0
    running: int = 0
    stopped: int = 0
    nproc: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the views show for one tick; ``stale`` means the host could not be read.

    ``rules_error`` says why the rctl rules could not be listed; the jails' ``rules`` and
    ``limits`` are then empty because they are unknown, not because there are none.
    """

    time: float
    monotonic: float
    host: HostStats
    jails: tuple[JailStats, ...] = ()
    processes: Sequence[Process] = ()
    cpu: Mapping[int, float] = field(default_factory=dict, compare=False, hash=False)
    racct: RacctStatus = HostInfo().racct
    warnings: tuple[str, ...] = ()
    stale: bool = False
    error: str | None = None
    rules_error: str | None = None
    #: Configuration problems (also in ``warnings``): a jail.conf jail(8) cannot load.
    config_warnings: tuple[str, ...] = ()
    #: The processes of running jails with the most CPU (``cpu``), busiest first, at most
    #: BUSIEST; host processes (JID 0) are not among them.
    busiest: tuple[Process, ...] = ()

    def age(self, now_monotonic: float) -> float:
        return max(0.0, now_monotonic - self.monotonic)

    def jail(self, name: str) -> JailStats | None:
        return next((stats for stats in self.jails if stats.jail.name == name), None)


@dataclass(frozen=True, slots=True)
class JailHistory:
    """One jail's recent samples, oldest first, as parallel tuples for charts."""

    name: str
    times: tuple[float, ...] = ()
    cpu: tuple[float, ...] = ()
    rss: tuple[int, ...] = ()
    readbps: tuple[int | None, ...] = ()
    writebps: tuple[int | None, ...] = ()

    def __len__(self) -> int:
        return len(self.times)


@dataclass(frozen=True, slots=True)
class HostHistory:
    """Host CPU (percent of the host) and used memory, oldest first."""

    times: tuple[float, ...] = ()
    cpu: tuple[float | None, ...] = ()
    mem_used: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.times)


@dataclass(frozen=True, slots=True)
class _Baseline:
    """What the next sample's deltas are measured against (the last good sample)."""

    monotonic: float
    boottime: float
    cp_time: tuple[int, ...]
    procs: Mapping[int, tuple[float, int]]
    cpu: Mapping[int, float]
    host_cpu: float | None


@dataclass(slots=True)
class _Track:
    points: deque[tuple[float, float, int, int | None, int | None]]
    #: The CPU% of ``points`` on their own: the jail list reads the last few every tick.
    cpu: deque[float]
    gone: int = 0


class Sampler:
    """Turns ``host.sample()`` into Snapshots; safe to call from one worker thread while
    another reads history."""

    def __init__(self, host: Host, history: int = DEFAULT_HISTORY) -> None:
        self.host = host
        self._length = _checked_length(history)
        self._lock = threading.Lock()
        self._baseline: _Baseline | None = None
        self._last_good: Snapshot | None = None
        self._last: Snapshot | None = None
        self._tracks: dict[str, _Track] = {}
        self._host_points: deque[tuple[float, float | None, int]] = deque(maxlen=self._length)
        self._last_rows: tuple[Sequence[int], dict[int | None, str], dict[str, list[int]],
                               list[int]] | None = None

    @property
    def last(self) -> Snapshot | None:
        """The most recent snapshot, stale or not."""
        return self._last

    @property
    def history_length(self) -> int:
        return self._length

    @history_length.setter
    def history_length(self, length: int) -> None:
        length = _checked_length(length)
        with self._lock:
            self._length = length
            self._host_points = deque(self._host_points, maxlen=length)
            for track in self._tracks.values():
                track.points = deque(track.points, maxlen=length)
                track.cpu = deque(track.cpu, maxlen=length)
            self._forget_gone()

    def sample(self) -> Snapshot:
        """Sample the host once; never raises (a failure gives the last snapshot, stale)."""
        try:
            raw = self.host.sample()
            snapshot = self._derive(raw)
        except Exception as exc:  # the sampler outlives any host failure
            snapshot = self._stale(error_line(exc))
        else:
            self._last_good = snapshot
            self._record(snapshot)
        self._last = snapshot
        return snapshot

    def history(self, name: str) -> JailHistory:
        with self._lock:
            track = self._tracks.get(name)
            points = tuple(track.points) if track else ()
        if not points:
            return JailHistory(name)
        times, cpu, rss, readbps, writebps = zip(*points, strict=True)
        return JailHistory(name, times, cpu, rss, readbps, writebps)

    def recent_cpu(self, points: int) -> dict[str, tuple[float, ...]]:
        """The last ``points`` CPU% of every tracked jail, oldest first."""
        with self._lock:
            return {name: tuple(islice(reversed(track.cpu), points))[::-1]
                    for name, track in self._tracks.items()}

    def host_history(self) -> HostHistory:
        with self._lock:
            points = tuple(self._host_points)
        if not points:
            return HostHistory()
        times, cpu, mem_used = zip(*points, strict=True)
        return HostHistory(times, cpu, mem_used)

    def tracked(self) -> list[str]:
        """Names of the jails with history, including recently vanished ones."""
        with self._lock:
            return list(self._tracks)

    # -- deriving --------------------------------------------------------------------------

    def _stale(self, error: str) -> Snapshot:
        if self._last_good is not None:
            return replace(self._last_good, stale=True, error=error)
        return Snapshot(time=time.time(), monotonic=time.monotonic(), host=HostStats(HostInfo()),
                        stale=True, error=error)

    def _derive(self, raw: Sample) -> Snapshot:
        base = self._baseline
        if base is not None and _rebooted(base, raw.host):
            base = None
        interval = raw.monotonic - base.monotonic if base is not None else 0.0
        frozen = base if base is not None and interval <= 0 else None
        jid_names = {jail.jid: jail.name for jail in raw.jails if jail.running}
        cols = columns(raw.processes)
        pids = cols.pid
        procs: dict[int, tuple[float, int]] = {}
        if frozen is not None:
            cpus = list(map(frozen.cpu.get, pids, cols.pcpu))
        else:
            prevs = map(base.procs.get, pids) if base is not None else repeat(None)
            # _process_cpu, its common case inline: a process seen last time, older, no less CPU
            cpus = [(cputime - prev[0]) / interval * 100.0
                    if prev is not None and etime >= prev[1] and cputime >= prev[0]
                    and interval > 0 else _process_cpu(cputime, etime, pcpu, prev, interval)
                    for cputime, etime, pcpu, prev in zip(cols.cputime, cols.etime, cols.pcpu,
                                                          prevs, strict=False)]
            procs = dict(zip(pids, zip(cols.cputime, cols.etime, strict=True), strict=True))
        proc_cpu = dict(zip(pids, cpus, strict=True))
        rows, jailed = self._rows(cols.jid, jid_names)
        groups = {name: _Group.of(found, cols, cpus) for name, found in rows.items()}
        rules = _rules_by_jail(raw.rules)
        children = _descendants(raw.jails)
        ncpu = None if "ncpu" in raw.host.unknown else raw.host.ncpu
        jails = tuple(_jail_stats(jail, groups.get(jail.name) if jail.running else None,
                                  raw.usage.get(jail.name), rules.get(jail.name, ()),
                                  children.get(jail.name, ()) if jail.running else (), ncpu)
                      for jail in raw.jails)
        if frozen is not None:
            host_cpu = frozen.host_cpu
        else:
            host_cpu = _cp_time_busy(base.cp_time, raw.host.cp_time) if base else None
            self._baseline = _Baseline(raw.monotonic, raw.host.boottime, raw.host.cp_time,
                                       procs, proc_cpu, host_cpu)
        key = cpus.__getitem__ if len(proc_cpu) == len(cpus) else (  # a PID seen twice
            lambda index: proc_cpu[pids[index]])
        busiest = [raw.processes[index] for index in heapq.nlargest(BUSIEST, jailed, key=key)]
        return Snapshot(time=raw.time, monotonic=raw.monotonic,
                        host=_host_stats(raw, host_cpu), jails=jails, processes=raw.processes,
                        cpu=proc_cpu, racct=raw.host.racct, warnings=raw.warnings,
                        rules_error=raw.rules_error, busiest=tuple(busiest),
                        config_warnings=raw.config_warnings)

    def _rows(self, jids: Sequence[int],
              names: dict[int | None, str]) -> tuple[dict[str, list[int]], list[int]]:
        """The rows of each running jail's processes (by name) and of all of them, in ps
        order; the last ones again while the JIDs of the processes and the jails stay the
        same, as they mostly do from one sample to the next."""
        last = self._last_rows
        if last is not None and last[0] == jids and last[1] == names:
            return last[2], last[3]
        rows: dict[str, list[int]] = {name: [] for name in names.values()}
        jailed: list[int] = []
        for index, jid in enumerate(jids):
            name = names.get(jid)
            if name is not None:
                rows[name].append(index)
                jailed.append(index)
        self._last_rows = (jids, names, rows, jailed)
        return rows, jailed

    # -- history ---------------------------------------------------------------------------

    def _record(self, snapshot: Snapshot) -> None:
        with self._lock:
            seen = set()
            for stats in snapshot.jails:
                if stats.jail.name in seen:  # a dying jail left behind under a live one's name
                    continue
                seen.add(stats.jail.name)
                track = self._tracks.get(stats.jail.name)
                if track is None:
                    track = self._tracks[stats.jail.name] = _Track(
                        deque(maxlen=self._length), deque(maxlen=self._length))
                track.gone = 0
                track.points.append((snapshot.time, stats.cpu, stats.rss,
                                     stats.readbps, stats.writebps))
                track.cpu.append(stats.cpu)
            for name, track in self._tracks.items():
                if name not in seen:
                    track.gone += 1
            self._forget_gone()
            self._host_points.append((snapshot.time, snapshot.host.cpu, snapshot.host.mem_used))

    def _forget_gone(self) -> None:
        for name in [n for n, t in self._tracks.items() if t.gone >= self._length]:
            del self._tracks[name]


@dataclass(slots=True)
class _Group:
    """Running sums over one jail's processes."""

    nproc: int = 0
    nthr: int = 0
    cpu: float = 0.0
    pcpu: float = 0.0
    rss: int = 0
    vsz: int = 0
    cputime: float = 0.0

    @classmethod
    def of(cls, rows: list[int], cols: Columns, cpus: list[float]) -> _Group:
        """The sums over the processes at ``rows`` of ``cols`` (floats added in row order,
        from 0.0, as a running sum would)."""
        if not rows:
            return cls()

        def each(column: Sequence[Any]) -> Iterator[Any]:
            return map(column.__getitem__, rows)

        return cls(len(rows), sum(each(cols.nlwp)), reduce(add, each(cpus), 0.0),
                   reduce(add, each(cols.pcpu), 0.0), sum(each(cols.rss)) * cols.unit,
                   sum(each(cols.vsz)) * cols.unit, reduce(add, each(cols.cputime), 0.0))


def _checked_length(length: int) -> int:
    if length < 1:
        raise ValueError(f"history length must be at least 1, not {length}")
    return int(length)


def _rebooted(base: _Baseline, info: HostInfo) -> bool:
    return bool(base.boottime and info.boottime and base.boottime != info.boottime)


def _process_cpu(cputime: float, etime: int, pcpu: float, prev: tuple[float, int] | None,
                 interval: float) -> float:
    """Percent of one core over the interval for a process of ``cputime`` seconds of CPU,
    ``etime`` seconds old; ps pcpu when there is nothing to compare."""
    if interval <= 0:
        return pcpu
    if prev is not None:
        if etime >= prev[1] and cputime >= prev[0]:
            return (cputime - prev[0]) / interval * 100.0
        if etime >= prev[1]:
            return pcpu
    if etime < interval:
        return cputime / interval * 100.0
    return pcpu


def _cp_time_busy(before: tuple[int, ...], after: tuple[int, ...]) -> float | None:
    """user+nice+sys+intr over all ticks between two kern.cp_time readings."""
    if len(before) != len(after) or len(after) <= CP_TIME_BUSY:
        return None
    deltas = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(deltas)
    if total <= 0 or min(deltas) < 0:
        return None
    return sum(deltas[:CP_TIME_BUSY]) / total * 100.0


def _rules_by_jail(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    grouped: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.subject == "jail":
            grouped.setdefault(rule.subject_id, []).append(rule)
    return {name: tuple(found) for name, found in grouped.items()}


def _descendants(jails: tuple[Jail, ...]) -> dict[str, tuple[str, ...]]:
    """Name -> the running jails below it (``a.b`` and ``a.b.c`` are below ``a``)."""
    below: dict[str, list[str]] = {}
    for jail in jails:
        if not jail.running or jail.state is JailState.DYING:
            continue
        parent = jail.parent
        while parent:
            below.setdefault(parent, []).append(jail.name)
            parent = parent.rpartition(".")[0]
    return {name: tuple(names) for name, names in below.items()}


def under_parents(names: Sequence[str]) -> list[str]:
    """``names`` reordered so that each jail's children follow it (in their order in
    ``names``); a jail whose parent is not in ``names`` keeps its place."""
    present = set(names)
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for name in names:
        parent = name.rpartition(".")[0]
        while parent and parent not in present:
            parent = parent.rpartition(".")[0]
        (children.setdefault(parent, []) if parent else roots).append(name)
    ordered: list[str] = []
    stack = list(reversed(roots))
    while stack:
        name = stack.pop()
        ordered.append(name)
        stack.extend(reversed(children.pop(name, [])))
    return ordered


def _jail_stats(jail: Jail, group: _Group | None, usage: Usage | None,
                rules: tuple[Rule, ...], children: tuple[str, ...] = (),
                ncpu: int | None = None) -> JailStats:
    group = group or _Group()
    allowance, allowed_by = cpu_allowance(jail, rules, ncpu)
    stats = JailStats(
        jail=jail, nproc=group.nproc, nthr=usage.nthr if usage else group.nthr, cpu=group.cpu,
        pcpu=group.pcpu, rss=group.rss, vsz=group.vsz, usage=usage, rules=rules,
        children=children, openfiles=usage.openfiles if usage else None,
        readbps=usage.readbps if usage else None, writebps=usage.writebps if usage else None,
        readiops=usage.readiops if usage else None, writeiops=usage.writeiops if usage else None,
        cpu_allowance=allowance, cpu_allowed_by=allowed_by)
    if rules:  # set before anyone sees it: replace() would build every JailStats twice
        object.__setattr__(stats, "limits",
                           tuple(_limit_use(rule, stats, group) for rule in rules))
    return stats


def cpu_allowance(jail: Jail, rules: tuple[Rule, ...],
                  ncpu: int | None) -> tuple[float | None, str]:
    """The most CPU ``jail`` may use, percent of one core, and what sets it: the lowest of a
    ``pcpu:deny`` rule on the whole jail (racct pcpu is percent of one core), the CPUs of its
    cpuset and the host's CPUs; (None, "") when none is known."""
    bounds = [(float(rule.amount), "pcpu") for rule in rules
              if rule.resource == "pcpu" and rule.action == "deny" and rule.per == "jail"
              and rule.subject == "jail" and rule.subject_id == jail.name]
    if ncpu:
        bounds.append((ncpu * 100.0, "host"))
    if jail.cpus:
        bounds.append((jail.cpus * 100.0, "cpuset"))  # a cpuset of every CPU says "host"
    return min(bounds, key=lambda bound: bound[0], default=(None, ""))


def _limit_use(rule: Rule, stats: JailStats, group: _Group) -> LimitUse:
    used = _used(rule.resource, stats, group)
    fraction = used / rule.amount if used is not None and rule.amount > 0 else None
    return LimitUse(rule, used, fraction)


def _used(resource: str, stats: JailStats, group: _Group) -> int | None:
    """The racct value of ``resource``, or a process-based stand-in when racct is off."""
    if stats.usage is not None:
        return stats.usage[resource]
    fallback = {
        "memoryuse": stats.rss, "vmemoryuse": stats.vsz, "maxproc": stats.nproc,
        "nthr": stats.nthr, "pcpu": round(stats.cpu), "cputime": int(group.cputime),
    }
    return fallback.get(resource)


def _host_stats(raw: Sample, cpu: float | None) -> HostStats:
    info = raw.host
    running = sum(1 for jail in raw.jails if jail.running)
    memory = not {"physmem", "mem_free"} & set(info.unknown)
    return HostStats(
        info=info, cpu=cpu, mem_used=max(0, info.physmem - info.mem_free) if memory else 0,
        mem_total=info.physmem if memory else 0,
        uptime=max(0.0, raw.time - info.boottime) if info.boottime else 0.0,
        running=running, stopped=len(raw.jails) - running, nproc=len(raw.processes))
