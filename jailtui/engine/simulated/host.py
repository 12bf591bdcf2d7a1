"""SimulatedHost: the Host interface over the simulated world, its clock and its rctl rules.

Rules change as the kernel changes them (:mod:`jailtui.engine.kernel_rules`, kern_rctl.c
``rctl_rule_add``/``rctl_rule_remove``), and deny and throttle rules cap the usage the
processes add up to.
"""

from __future__ import annotations

import functools
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from operator import attrgetter
from typing import Concatenate, NoReturn, ParamSpec, TypeVar

from .. import kernel_rules
from ..errors import CommandFailed, JailtuiError, NotPermitted, RacctUnavailable, UnknownJail
from ..host import Host
from ..managers import BASTILLE, NONE, ControlPlan, RuleKeeping, plan, rule_keeping
from ..model import (ActionResult, CommandResult, HostInfo, Jail, JailState, Process,
                     ProcessIdentity, RacctStatus, Rule, Sample, Usage)
from ..rctl import RuleFilter, parse_rule
from .catalogue import GIB, INF, KINDS, MIB, PAGE, _host_kind, _Kind, _Program
from .world import (DEFAULT_RULES, HOSTNAME, OSRELDATE, OSRELEASE, SPAWN_COSTS, _conf_params,
                    _host_size, _ip_mode, _jail_specs, _JailSpec, _SimJail, _SimProc, _usage)

PID_MAX = 99_999
PID_WRAP = 100
MAX_STEP = 1.0
MAX_CATCHUP = 30.0
PCPU_TAU = 3.0
RSS_PULL = 0.25
JOB_BACKLOG = 2.0
STATHZ = 127
CP_SPLIT = (0.78, 0.04, 0.14, 0.04)
LOAD_WINDOWS = (60.0, 300.0, 900.0)
KERNEL_WIRED = 1.4 * GIB
SWAP_TOTAL = 8 * GIB
DEMO_EPOCH = 1_750_000_000.0
RACCT_DISABLED = "RACCT/RCTL present, but disabled"

FATAL_SIGNALS = frozenset({"TERM", "INT", "KILL", "QUIT", "ABRT", "ALRM", "PIPE", "SEGV", "BUS",
                           "SYS", "XCPU"})
STOP_SIGNALS = frozenset({"STOP", "TSTP", "TTIN", "TTOU"})
HARMLESS_SIGNALS = frozenset({"HUP", "USR1", "USR2", "INFO", "WINCH", "CHLD", "URG", "CONT"})
JAIL_COMMANDS = {name: "_cmd_" + name.replace("-", "_")
                 for name in ("hostname", "uname", "freebsd-version", "ps", "echo")}
FIXED_ANSWERS = {"id": (0, "uid=0(root) gid=0(wheel) groups=0(wheel),5(operator)\n"),
                 "whoami": (0, "root\n"), "true": (0, ""), "false": (1, "")}
#: The uids of the users the jails' programs run as, as each jail's own passwd gives them
#: (ports' UIDs file where a port creates the user); the host's passwd knows only some, so a
#: real ps on the host would print numbers for the others.
USER_IDS = {"root": 0, "operator": 2, "unbound": 59, "www": 80, "ntpd": 123, "zabbix": 122,
            "postfix": 125, "dovecot": 143, "dovenull": 144, "git": 211, "prometheus": 515,
            "redis": 535, "postgres": 770, "grafana": 904, "admin": 1001, "vmail": 5000,
            "nobody": 65534}
SIGNAL_NUMBERS = {"1": "HUP", "2": "INT", "3": "QUIT", "6": "ABRT", "9": "KILL", "14": "ALRM",
                  "15": "TERM", "17": "STOP", "19": "CONT", "30": "USR1", "31": "USR2"}


# -- what jails run ------------------------------------------------------------------------


P = ParamSpec("P")
R = TypeVar("R")


def _synced(method: Callable[Concatenate[SimulatedHost, P], R]
            ) -> Callable[Concatenate[SimulatedHost, P], R]:
    """Run under the host lock, after advancing the simulation to the clock."""

    @functools.wraps(method)
    def wrapper(self: SimulatedHost, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            self._advance()
            return method(self, *args, **kwargs)

    return wrapper


# -- the host ------------------------------------------------------------------------------


class ManualClock:
    """A monotonic clock that moves only when told: drives the host deterministically."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> None:
        self.now += seconds


class _StartFailed(Exception):
    """A jail that service jail could not start: it exits 0 and prints jail(8)'s complaint."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.message = message
        self.output = output


class SimulatedHost(Host):
    """A FreeBSD 14.2 host with jails, processes, racct and rctl, all simulated.

    ``jails`` > 12 adds generated jails; ``processes_per_jail`` sets how many processes each
    running jail starts with; ``racct=False`` behaves like a GENERIC kernel without
    ``kern.racct.enable=1``; ``action_delay`` makes start/stop/restart take that long (for
    progress displays). With an injected ``clock`` the wall time is ``epoch + clock()``,
    ``epoch`` defaulting to a fixed date so that everything is reproducible. ``hostile`` (for
    tests) is text a jailed root controls: jail www is renamed ``www`` + it, and it is in that
    jail's hostname, path, rules, process commands and users, and in legacy's start failure.
    """

    label = "demo"
    simulated = True

    def __init__(self, seed: int = 1, jails: int = 12, processes_per_jail: int | None = None,
                 clock: Callable[[], float] = time.monotonic, racct: bool = True, *,
                 action_delay: float = 0.0, epoch: float | None = None,
                 hostile: str = "") -> None:
        if jails < 0 or (processes_per_jail is not None and processes_per_jail < 0):
            raise ValueError("jails and processes_per_jail cannot be negative")
        self._rng = random.Random(seed)
        self._clock = clock
        self._clock0 = clock()
        if epoch is None:
            epoch = time.time() - time.monotonic() if clock is time.monotonic else DEMO_EPOCH
        self._epoch = epoch
        self._racct = racct
        self._per_jail = processes_per_jail
        self._action_delay = action_delay
        self._lock = threading.RLock()
        self.ncpu, self.physmem = _host_size(jails)
        self._now = 0.0
        self._uptime0 = self._rng.uniform(9, 40) * 86400.0
        self._pids: dict[int, _SimProc] = {}
        self._next_pid = 0
        self._last_jid = 0
        self._next_cpuset = 2
        self._rules: list[Rule] = []
        self._deny: dict[str, dict[str, int]] = {}
        self._throttle: dict[str, dict[str, int]] = {}
        self._cp_time = [0.0] * 5
        self._loadavg = [0.0, 0.0, 0.0]
        self._host = self._build_host()
        self._running: list[_SimJail] = [self._host]
        self._hostile = hostile
        self._configured = self._build_jails(jails)
        self._by_name = {jail.name: jail for jail in self._configured}
        self._next_pid = self._rng.randrange(20_000, 90_000)
        for rule in DEFAULT_RULES:
            self._insert_rule(replace(rule, subject_id=f"www{hostile}")
                              if hostile and rule.subject_id == "www" else rule)
        self._boot_jails()
        self._start_counters()

    # -- building --------------------------------------------------------------------------

    def _build_host(self) -> _SimJail:
        kernel, kind = _host_kind(self.ncpu)
        host = _SimJail(_JailSpec("", "host", HOSTNAME, "/"), kind, jid=0)
        self._wave(host)
        boot = -self._uptime0
        leaders: dict[str, int] = {}
        for prog in kernel:
            proc = self._new_proc(host, prog, kind.ppid, boot)
            self._admit(proc, gap=False)
            if prog.key:
                leaders[prog.key] = proc.pid
        self._idle = next(p for p in host.procs if p.command == "[idle]")
        self._next_pid = 400 + self._rng.randrange(400)
        self._populate(host, list(kind.programs), boot + 25.0, leaders)
        self._arm_jobs(host)
        return host

    def _build_jails(self, count: int) -> list[_SimJail]:
        jails: list[_SimJail] = []
        by_name: dict[str, _SimJail] = {}
        for spec in _jail_specs(count, self._hostile):
            jail = _SimJail(spec, KINDS[spec.kind])
            self._wave(jail)
            parent = by_name.get(spec.name.rpartition(".")[0]) if "." in spec.name else None
            if parent is not None:
                jail.parent = parent
                parent.children.append(jail)
            jails.append(jail)
            by_name[spec.name] = jail
        return jails

    def _wave(self, jail: _SimJail) -> None:
        jail.phase = self._rng.uniform(0, 2 * math.pi)
        jail.omega = 2 * math.pi / self._rng.uniform(300, 1200)

    def _boot_jails(self) -> None:
        """Start the jails that run, in the order they started since boot."""
        def started(jail: _SimJail) -> float:
            age = jail.spec.age
            return -age * 86400.0 if age is not None else -self._uptime0 + 40.0

        order = sorted((j for j in self._configured if j.spec.running), key=started)
        for jail in order:
            if jail.parent is None or jail.parent.running:
                self._last_jid += self._rng.choice((1, 1, 1, 2))
                self._boot(jail, started(jail), initial=True)

    def _start_counters(self) -> None:
        """Load average, kern.cp_time and [idle]'s CPU time as of a host up since boot."""
        demand = sum(p.cpu for jail in self._running for p in jail.procs)
        self._loadavg = [demand / 100 * f for f in (1.0, 0.95, 0.9)]
        ticks = self._uptime0 * STATHZ * self.ncpu
        busy = min(0.9, demand / (self.ncpu * 100)) * 0.8
        self._cp_time = [ticks * busy * share for share in CP_SPLIT] + [ticks * (1 - busy)]
        self._idle.cputime = self._uptime0 * self.ncpu * (1 - busy)

    # -- processes -------------------------------------------------------------------------

    def _alloc_pid(self, gap: bool = True) -> int:
        pid = self._next_pid
        while True:
            if pid > PID_MAX:
                pid = PID_WRAP
            if pid not in self._pids:
                break
            pid += 1
        step = 1
        if gap and self._rng.random() < 0.3:
            step += self._rng.randrange(1, 6)
        self._next_pid = pid + step
        return pid

    def _new_proc(self, jail: _SimJail, prog: _Program, ppid: int, start: float, *,
                  until: float = INF, job: int = -1, index: int = 0) -> _SimProc:
        """A process with this program's figures, randomised; not yet admitted."""
        rng = self._rng
        scale = 1.0 - prog.spread + 2.0 * prog.spread * rng.random()
        rss = int(prog.rss * MIB * scale) // PAGE * PAGE
        vsz = max(rss, int(prog.vsz * MIB * (0.97 + 0.06 * rng.random())) // PAGE * PAGE)
        cpu = prog.cpu * (0.6 + 0.8 * rng.random())
        command = prog.commands[rng.randrange(len(prog.commands))] if len(prog.commands) > 1 \
            else prog.commands[0]
        if "{port}" in command:
            command = command.replace("{port}", str(rng.randrange(10_000, 65_536)))
        command = command.replace("{i}", str(index)).replace("{n}", str(index + 1))
        age = max(0.0, self._now - start)
        proc = _SimProc(
            pid=-1, ppid=ppid, jail=jail, program=prog, command=command, start=start,
            until=until, job=job, rss=rss, rss_want=rss, vsz=vsz, cpu=cpu,
            read=prog.read * MIB * scale, write=prog.write * MIB * scale,
            busy=bool(prog.cpu or prog.read or prog.write))
        if age > 0:
            proc.pcpu, proc.rbps, proc.wbps = cpu, proc.read, proc.write
            proc.cputime = cpu / 100 * age * (0.8 + 0.4 * rng.random())
        return proc

    def _admit(self, proc: _SimProc, *, gap: bool = True) -> bool:
        """Give a new process a PID unless a deny rule of its jail (or a parent jail) refuses."""
        jail = proc.jail
        if jail.jid and not self._may_fork(proc):
            return False
        proc.pid = self._alloc_pid(gap)
        jail.procs.append(proc)
        self._pids[proc.pid] = proc
        jail.expires_at = min(jail.expires_at, proc.until)
        if proc.job >= 0:
            jail.job_running[proc.job] += 1
        return True

    def _may_fork(self, proc: _SimProc) -> bool:
        for holder in proc.jail.holders():
            limits = self._deny.get(holder.name)
            checks = [(res, amount) for res, amount in (limits or {}).items()
                      if res in SPAWN_COSTS]
            if not checks:
                continue
            usage = _usage(holder.group(), holder.kind, self._now)
            if any(usage[res] + SPAWN_COSTS[res](proc) > amount for res, amount in checks):
                return False
        return True

    def _populate(self, jail: _SimJail, programs: list[_Program], start: float,
                  leaders: dict[str, int] | None = None) -> None:
        """Start instances of ``programs`` in order; parents come before their children."""
        leaders = dict(leaders or {})
        seen: dict[int, int] = {}
        for prog in programs:
            index = seen[id(prog)] = seen.get(id(prog), -1) + 1
            ppid = leaders.get(prog.parent, jail.kind.ppid)
            begin, until = start, INF
            if prog.since is not None:
                begin = max(start, self._now - self._rng.uniform(0.3, 1.0) * prog.since)
            if prog.life is not None:
                begin = max(start, self._now - self._rng.uniform(0, prog.life[1]))
                until = begin + self._rng.uniform(*prog.life)
                if until <= self._now:
                    until = self._now + self._rng.uniform(0, prog.life[0])
            proc = self._new_proc(jail, prog, ppid, begin, until=until, index=index)
            if self._admit(proc) and prog.key:
                leaders.setdefault(prog.key, proc.pid)

    def _programs(self, kind: _Kind) -> list[_Program]:
        """The instances a jail of ``kind`` starts with, sized by ``processes_per_jail``."""
        programs = [prog for prog in kind.programs for _ in range(prog.count)]
        if self._per_jail is None:
            return programs
        extra = self._per_jail - len(programs)
        return programs[:self._per_jail] + [kind.fill or programs[-1]] * max(0, extra)

    def _arm_jobs(self, jail: _SimJail) -> None:
        jail.next_job = [self._now + self._rng.expovariate(1.0 / job.every)
                         for job in jail.kind.jobs]
        jail.job_running = [0] * len(jail.kind.jobs)

    def _seed_jobs(self, jail: _SimJail) -> None:
        """Jobs already under way, as on a host that has been up for a while."""
        for index, job in enumerate(jail.kind.jobs):
            mean_life = sum(job.life) / 2
            for _ in range(min(job.most, round(mean_life / job.every))):
                start = self._now - self._rng.uniform(0, mean_life)
                self._start_job(jail, index, start)

    def _start_job(self, jail: _SimJail, index: int, start: float) -> None:
        job = jail.kind.jobs[index]
        parents = [p.pid for p in jail.procs if p.program.key == job.program.parent]
        if job.program.parent and not parents:
            return
        ppid = parents[self._rng.randrange(len(parents))] if parents else jail.kind.ppid
        until = max(start + self._rng.uniform(*job.life), self._now + 0.5)
        self._admit(self._new_proc(jail, job.program, ppid, start, until=until, job=index))

    def _forget(self, jail: _SimJail, proc: _SimProc) -> None:
        del self._pids[proc.pid]
        if proc.job >= 0:
            jail.job_running[proc.job] -= 1
        jail.gone_cputime += proc.cputime
        jail.gone_wallclock += self._now - proc.start

    # -- jails -----------------------------------------------------------------------------

    def _boot(self, jail: _SimJail, started: float, *, initial: bool = False) -> None:
        if not initial:
            self._last_jid += 1
        jail.jid = self._last_jid
        jail.cpuset = self._next_cpuset = self._next_cpuset + 1
        jail.uuid = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        jail.gone_cputime = jail.gone_wallclock = 0.0
        jail.expires_at = INF
        jail.respawn = []
        self._arm_jobs(jail)
        self._running.append(jail)
        self._populate(jail, self._programs(jail.kind), min(started + 2.0, self._now))
        if initial and self._per_jail is None:
            self._seed_jobs(jail)
        self._touch(jail)
        for holder in jail.holders():
            self._pageout(holder)

    def _halt(self, jail: _SimJail) -> None:
        for child in jail.children:
            if child.running:
                self._halt(child)
        for proc in jail.procs:
            del self._pids[proc.pid]
        jail.procs = []
        jail.jid = None
        jail.respawn = []
        self._running.remove(jail)
        self._touch(jail)

    def _touch(self, jail: _SimJail) -> None:
        jail.view = None
        if jail.parent is not None:
            jail.parent.view = None

    def _find(self, name: str) -> _SimJail:
        jail = self._by_name.get(name)
        if jail is None and name.isdigit():
            jail = next((j for j in self._running[1:] if j.jid == int(name)), None)
        if jail is None:
            raise UnknownJail(name)
        return jail

    # -- time ------------------------------------------------------------------------------

    def _advance(self) -> None:
        target = self._clock() - self._clock0
        behind = target - self._now
        if behind <= 0:
            return
        if behind > MAX_CATCHUP:
            self._step(behind - MAX_CATCHUP)
            behind = MAX_CATCHUP
        steps = math.ceil(behind / MAX_STEP)
        for _ in range(steps):
            self._step(behind / steps)
        self._now = target

    def _step(self, dt: float) -> None:
        """One tick: processes exit and start, rates move, rules cap them, time is charged."""
        self._now += dt
        now = self._now
        keep = math.exp(-dt / PCPU_TAU)
        for jail in self._running:
            self._housekeep(jail, now)
        demand = sum(self._smooth(jail, now, keep) for jail in self._running)
        self._apply_limits()
        busy = sum(self._charge(jail, dt / 100) for jail in self._running)
        idle = self._idle
        idle.pcpu = max(0.0, self.ncpu * 100.0 - busy)
        idle.cputime += idle.pcpu * dt / 100
        self._account(dt, busy, demand)

    def _housekeep(self, jail: _SimJail, now: float) -> None:
        if jail.expires_at <= now:
            self._reap(jail, now)
        while jail.respawn and jail.respawn[0][0] <= now:
            _, prog, tree = jail.respawn.pop(0)
            self._respawn(jail, prog, tree)
        for index, job in enumerate(jail.kind.jobs):
            if jail.next_job[index] > now:
                continue
            if jail.next_job[index] < now - JOB_BACKLOG:
                jail.next_job[index] = now - JOB_BACKLOG * self._rng.random()
            wave = max(0.2, self._wave_at(jail, now))
            while jail.next_job[index] <= now:
                at = jail.next_job[index]
                jail.next_job[index] = at + self._rng.expovariate(1.0 / job.every) / wave
                if jail.job_running[index] < job.most:
                    self._start_job(jail, index, at)

    def _reap(self, jail: _SimJail, now: float) -> None:
        alive, gone = [], []
        for proc in jail.procs:
            (gone if proc.until <= now else alive).append(proc)
        jail.procs = alive
        jail.expires_at = min((p.until for p in alive), default=INF)
        for proc in gone:
            self._forget(jail, proc)
            if proc.job < 0 and proc.program.life is not None:
                self._replace(jail, proc)

    def _replace(self, jail: _SimJail, proc: _SimProc) -> None:
        """A recycled worker (php-fpm child, pooled connection) is replaced by a new one."""
        prog = proc.program
        until = self._now + self._rng.uniform(*prog.life) if prog.life else INF
        ppid = proc.ppid if proc.ppid in self._pids else jail.kind.ppid
        self._admit(self._new_proc(jail, prog, ppid, self._now, until=until))

    def _respawn(self, jail: _SimJail, prog: _Program, tree: bool) -> None:
        """Bring back a killed service, with its workers when it was their master."""
        programs = [prog]
        if tree:
            keys = {prog.key}
            for other in jail.kind.programs:
                if other.parent in keys:
                    programs += [other] * other.count
                    if other.key:
                        keys.add(other.key)
        leaders = {p.program.key: p.pid for p in jail.procs if p.program.key}
        self._populate(jail, programs, self._now, leaders)

    def _wave_at(self, jail: _SimJail, now: float) -> float:
        return 1.0 + jail.kind.wave * math.sin(jail.phase + now * jail.omega)

    def _smooth(self, jail: _SimJail, now: float, keep: float) -> float:
        """Move each busy process towards what it wants now; returns the CPU it wants."""
        wave = self._wave_at(jail, now)
        random_ = self._rng.random
        s_cpu = s_read = s_write = demand = 0.0
        for p in jail.procs:
            if not p.busy:
                continue
            noise = 0.6 + 0.8 * random_()
            want = 0.0 if p.stopped else min(p.cpu * wave * noise, p.program.nlwp * 100.0)
            demand += want
            p.pcpu = want + (p.pcpu - want) * keep
            s_cpu += p.pcpu
            if p.read:
                want = 0.0 if p.stopped else p.read * wave * noise
                p.rbps = want + (p.rbps - want) * keep
                s_read += p.rbps
            if p.write:
                want = 0.0 if p.stopped else p.write * wave * noise
                p.wbps = want + (p.wbps - want) * keep
                s_write += p.wbps
            target = min(p.vsz, int(p.rss_want * (0.99 + 0.0125 * noise)))
            p.rss += int((target - p.rss) * RSS_PULL) & -PAGE
        jail.sum_cpu, jail.sum_read, jail.sum_write = s_cpu, s_read, s_write
        return demand

    def _apply_limits(self) -> None:
        """pcpu deny and IO throttle factors per jail, the host's CPU ceiling, pageout."""
        for jail in self._running:
            jail.f_cpu = jail.f_read = jail.f_write = 1.0
        for name in {**self._deny, **self._throttle}:
            holder = self._by_name.get(name)
            if holder is None or not holder.running:
                continue
            group = holder.group()
            deny = self._deny.get(name, {})
            f_cpu = _factor(deny.get("pcpu"), sum(j.sum_cpu for j in group))
            f_read = _factor(self._io_limit(name, "read", holder.kind),
                             sum(j.sum_read for j in group))
            f_write = _factor(self._io_limit(name, "write", holder.kind),
                              sum(j.sum_write for j in group))
            for jail in group:
                jail.f_cpu = min(jail.f_cpu, f_cpu)
                jail.f_read = min(jail.f_read, f_read)
                jail.f_write = min(jail.f_write, f_write)
            self._pageout(holder)
        for holder in self._running:
            if holder.spec.cpus:
                group = holder.group()
                f_cpu = _factor(holder.spec.cpus * 100.0, sum(j.sum_cpu for j in group))
                for jail in group:
                    jail.f_cpu = min(jail.f_cpu, f_cpu)
        total = sum(j.sum_cpu * j.f_cpu for j in self._running)
        ceiling = _factor(self.ncpu * 100.0, total)
        if ceiling < 1.0:
            for jail in self._running:
                jail.f_cpu *= ceiling

    def _io_limit(self, name: str, direction: str, kind: _Kind) -> float | None:
        limits = self._throttle.get(name, {})
        candidates = [limits[f"{direction}bps"]] if f"{direction}bps" in limits else []
        if f"{direction}iops" in limits:
            candidates.append(limits[f"{direction}iops"] * kind.io_size)
        return min(candidates, default=None)

    def _pageout(self, holder: _SimJail) -> None:
        """The pageout daemon holds a jail with a memoryuse deny rule at its limit."""
        limit = self._deny.get(holder.name, {}).get("memoryuse")
        if limit is None or not holder.running:
            return
        procs = [p for jail in holder.group() for p in jail.procs]
        total = sum(p.rss for p in procs)
        if total <= limit:
            return
        keep = limit * 0.97 / total
        for p in procs:
            rss = int(p.rss * keep) // PAGE * PAGE
            p.swap = max(p.swap, p.rss_want - rss)
            p.rss = rss

    def _charge(self, jail: _SimJail, dt100: float) -> float:
        """Apply the jail's factors and charge CPU time; returns the CPU used."""
        f_cpu, f_read, f_write = jail.f_cpu, jail.f_read, jail.f_write
        total = 0.0
        for p in jail.procs:
            if not p.busy:
                continue
            if f_cpu < 1.0:
                p.pcpu *= f_cpu
            if f_read < 1.0:
                p.rbps *= f_read
            if f_write < 1.0:
                p.wbps *= f_write
            p.cputime += p.pcpu * dt100
            total += p.pcpu
        return total

    def _account(self, dt: float, busy: float, demand: float) -> None:
        """kern.cp_time ticks and vm.loadavg."""
        ticks = STATHZ * self.ncpu * dt
        share = min(1.0, busy / (self.ncpu * 100.0))
        for i, part in enumerate(CP_SPLIT):
            self._cp_time[i] += ticks * share * part
        self._cp_time[4] += ticks * (1.0 - share)
        runnable = demand / 100.0
        for i, window in enumerate(LOAD_WINDOWS):
            decay = math.exp(-dt / window)
            self._loadavg[i] = self._loadavg[i] * decay + runnable * (1.0 - decay)

    # -- reading ---------------------------------------------------------------------------

    @_synced
    def host_info(self) -> HostInfo:
        return self._host_info()

    @_synced
    def jails(self) -> list[Jail]:
        return self._jail_views()

    @_synced
    def processes(self, jail: str | None = None) -> list[Process]:
        if jail is None:
            return self._ps(self._running)
        found = self._find(jail)
        return self._ps([found]) if found.running else []

    @_synced
    def usage(self, jail: str) -> Usage:
        self._require_racct()
        found = self._find(jail)
        if not found.running:
            return Usage()
        return _usage(found.group(), found.kind, self._now)

    @_synced
    def sample(self) -> Sample:
        info = self._host_info()
        usage: dict[str, Usage] = {}
        rules: tuple[Rule, ...] = ()
        if self._racct:
            usage = {jail.name: _usage(jail.group(), jail.kind, self._now)
                     for jail in self._running[1:]}
            rules = tuple(rule for rule in self._rules if rule.subject == "jail")
        monotonic = self._clock0 + self._now
        return Sample(time=self._epoch + monotonic, monotonic=monotonic, host=info,
                      jails=tuple(self._jail_views()), processes=tuple(self._ps(self._running)),
                      usage=usage, rules=rules,
                      rules_error=None if self._racct else info.racct.explained)

    def _host_info(self) -> HostInfo:
        rss = sum(p.rss for jail in self._running for p in jail.procs)
        cache = self.physmem * (0.12 + 0.04 * math.sin(self._now / 700.0))
        free = max(self.physmem * 0.02, self.physmem - KERNEL_WIRED - 0.8 * rss - cache)
        status = (RacctStatus(enabled=True) if self._racct else
                  RacctStatus(enabled=False, present=True,
                              reason=RACCT_DISABLED, hint=RacctUnavailable.FIX))
        return HostInfo(
            hostname=HOSTNAME, osrelease=OSRELEASE, osreldate=OSRELDATE, ncpu=self.ncpu,
            physmem=self.physmem, pagesize=PAGE,
            boottime=self._epoch + self._clock0 - self._uptime0,
            loadavg=(round(self._loadavg[0], 2), round(self._loadavg[1], 2),
                     round(self._loadavg[2], 2)),
            cp_time=tuple(int(t) for t in self._cp_time), mem_free=int(free) // PAGE * PAGE,
            racct=status, jailed=False, swap_total=SWAP_TOTAL,
            swap_used=sum(p.swap for jail in self._running for p in jail.procs))

    def _jail_views(self) -> list[Jail]:
        running = [self._view(jail) for jail in self._running[1:]]
        return running + [self._view(jail) for jail in self._configured if not jail.running]

    def _view(self, jail: _SimJail) -> Jail:
        if jail.view is None:
            spec = jail.spec
            ip4, ip6 = _ip_mode(spec, spec.ip4, jail.parent), _ip_mode(spec, spec.ip6, jail.parent)
            vnet = "new" if spec.network == "vnet" else "inherit"
            owner = spec.owner
            known = owner.manager != NONE
            if jail.running:
                jail.view = Jail(spec.name, jail.jid, JailState.ACTIVE, spec.hostname, spec.path,
                                 spec.ip4, spec.ip6, jail.cpuset, known, self._jls_params(jail),
                                 owner.manager, owner.conf, vnet=vnet, ip4_mode=ip4, ip6_mode=ip6,
                                 cpus=jail.cpus or self.ncpu)
            else:
                jail.view = Jail(spec.name, None, JailState.STOPPED, spec.hostname, spec.path,
                                 spec.ip4, spec.ip6, None, known, _conf_params(spec),
                                 owner.manager, owner.conf, vnet=vnet, ip4_mode=ip4,
                                 ip6_mode=ip6)
        return jail.view

    def _jls_params(self, jail: _SimJail) -> dict[str, str]:
        """What ``jls -n`` prints for a running jail (a common subset, all as text)."""
        spec = jail.spec
        sysv = "new" if jail.kind.sysv else "disable"
        return {
            "jid": str(jail.jid), "name": spec.name,
            "parent": str(jail.parent.jid if jail.parent and jail.parent.jid else 0),
            "path": spec.path, "host": "new", "host.hostname": spec.hostname,
            "host.hostuuid": jail.uuid, "ip4": _ip_mode(spec, spec.ip4, jail.parent),
            "ip4.addr": ",".join(spec.ip4), "ip4.saddrsel": "true",
            "ip6": _ip_mode(spec, spec.ip6, jail.parent), "ip6.addr": ",".join(spec.ip6),
            "vnet": "new" if spec.network == "vnet" else "inherit", "securelevel": "-1",
            "enforce_statfs": "2",
            "children.max": str(spec.children_max),
            "children.cur": str(sum(1 for child in jail.children if child.running)),
            "devfs_ruleset": "4", "cpuset.id": str(jail.cpuset), "persist": "false",
            "dying": "false", "osrelease": spec.osrelease, "osreldate": str(spec.osreldate),
            "allow.raw_sockets": _bool(spec.raw_sockets), "allow.set_hostname": "false",
            "allow.chflags": "false", "allow.mount": "false", "allow.mlock": "false",
            "allow.reserved_ports": "false", "allow.sysvipc": "false",
            "sysvmsg": "disable", "sysvsem": "disable", "sysvshm": sysv,
        }

    def _ps(self, jails: Sequence[_SimJail]) -> list[Process]:
        rows = [self._ps_row(p) for jail in jails for p in jail.procs]
        rows.sort(key=attrgetter("pid"))
        return rows

    def _ps_row(self, p: _SimProc) -> Process:
        prog = p.program
        user, command = prog.user, p.command
        if self._hostile and p.jail.spec.name == f"www{self._hostile}":
            user, command = f"{user}{self._hostile}", f"{command} {self._hostile}"
        return Process(p.pid, p.jail.jid or 0, p.ppid, user, round(p.pcpu, 1),
                       round(p.rss * 100.0 / self.physmem, 1), p.rss, p.vsz,
                       prog.nlwp, prog.state or self._stat(p), round(p.cputime, 2),
                       int(self._now - p.start), command, uid=USER_IDS.get(prog.user),
                       start=self._wall(p.start))

    def _wall(self, when: float) -> float:
        """Simulated time as wall-clock seconds, whole as ps's lstart prints them."""
        return float(int(self._epoch + self._clock0 + when))

    @staticmethod
    def _stat(p: _SimProc) -> str:
        """ps(1)'s STAT: run state, then the program's flags, then J inside a jail."""
        if p.stopped:
            letter = "T"
        elif p.pcpu >= 50.0:
            letter = "R"
        elif p.pcpu >= 0.3:
            letter = "S"
        else:
            letter = "I"
        return letter + p.program.flags + ("J" if p.jail.jid else "")

    # -- rctl ------------------------------------------------------------------------------

    def _require_racct(self) -> None:
        if not self._racct:
            raise RacctUnavailable(RACCT_DISABLED, RacctUnavailable.FIX)

    @_synced
    def rules(self, filter: RuleFilter | None = None) -> list[Rule]:
        self._require_racct()
        return [rule for rule in self._rules if filter is None or filter.matches(rule)]

    @_synced
    def add_rule(self, rule: Rule) -> None:
        self._require_racct()
        self._insert_rule(parse_rule(str(rule)))

    @_synced
    def remove_rules(self, filter: RuleFilter) -> None:
        self._require_racct()
        kept, gone = kernel_rules.removed(self._rules, filter)
        if not gone:
            line = f"failed to remove rule '{filter}': No such process"
            raise CommandFailed(f"no rule matches '{filter}'", ("rctl", "-r", str(filter)),
                                f"rctl: {line}")
        self._rules = list(kept)
        self._index_rules()

    def _insert_rule(self, rule: Rule) -> None:
        self._rules = list(kernel_rules.added(self._rules, rule))
        self._index_rules()

    def _index_rules(self) -> None:
        deny: dict[str, dict[str, int]] = {}
        throttle: dict[str, dict[str, int]] = {}
        for rule in self._rules:
            if rule.subject != "jail" or rule.per != "jail":
                continue
            table = {"deny": deny, "throttle": throttle}.get(rule.action)
            if table is not None:
                limits = table.setdefault(rule.subject_id, {})
                limits[rule.resource] = min(limits.get(rule.resource, rule.amount), rule.amount)
        self._deny, self._throttle = deny, throttle

    # -- jail actions ----------------------------------------------------------------------

    def plan(self, action: str, jail: Jail) -> ControlPlan:
        return plan(action, jail.name, self._find(jail.name).spec.owner)

    def rule_keeping(self, rule: Rule) -> RuleKeeping | None:
        found = self._by_name.get(rule.subject_id) if rule.subject == "jail" else None
        return rule_keeping(found.spec.owner, rule) if found is not None else None

    def keep_rule(self, keeping: RuleKeeping) -> tuple[CommandResult, ...]:
        """The demo's managers keep what they are asked to."""
        return tuple(CommandResult(argv, 0) for argv in keeping.commands)

    def execute(self, plan: ControlPlan, jail: Jail) -> ActionResult:
        """Run the plan (``service jail one<action> NAME``, the manager's command, ...): the
        change is made and its output returned as that command's."""
        change = {"start": self._start, "stop": self._stop, "restart": self._restart}[plan.action]
        action = plan.action
        if self._action_delay > 0:
            time.sleep(self._action_delay)
        with self._lock:
            self._advance()
            found = self._find(jail.name)
            argv = plan.commands[0]
            running = {each.name for each in self._configured if each.running}
            try:
                text = change(found, argv)
            except _StartFailed as failed:
                return ActionResult(action, found.name, False, failed.message,
                                    (CommandResult(argv, 0, failed.output + "\n"),), None)
            if argv[0] != "service":
                started = [each.name for each in reversed(found.holders())
                           if action != "start" or each.name not in running]
                text = _jail8_output(action, started, plan.manager)
            return ActionResult(action, found.name, True, text,
                                (CommandResult(argv, 0, text + "\n"),), found.jid)

    def _start(self, jail: _SimJail, argv: tuple[str, ...]) -> str:
        if jail.running:
            _fail(f'jail: "{jail.name}" already exists', argv)
        if jail.spec.failure:
            output = "\n".join((f'Starting jails: cannot start jail  "{jail.name}": ',
                                *jail.spec.failure, "."))
            raise _StartFailed(f"start {jail.name} failed: {jail.spec.failure[-1]}", output)
        started = [each for each in reversed(jail.holders()) if not each.running]
        for each in started:
            self._boot(each, self._now)
        return f"Starting jails: {' '.join(each.name for each in started)}."

    def _stop(self, jail: _SimJail, argv: tuple[str, ...]) -> str:
        if not jail.running:
            _fail(f'jail: "{jail.name}" not found', argv)
        self._halt(jail)
        return f"Stopping jails: {jail.name}."

    def _restart(self, jail: _SimJail, argv: tuple[str, ...]) -> str:
        stopped = self._stop(jail, argv)
        self._boot(jail, self._now)
        return f"{stopped}\nStarting jails: {jail.name}."

    # -- commands in jails -----------------------------------------------------------------

    def _running_jail(self, name: str, argv: tuple[str, ...]) -> _SimJail:
        jail = self._find(name)
        if not jail.running:
            _fail(f'jexec: jail "{jail.name}" not found', argv)
        return jail

    @_synced
    def shell_argv(self, name: str, command: Sequence[str] = ()) -> list[str]:
        """Refused: there is no jail to exec into, and a shell here would be one on the
        machine running jailtui. The demo's shell is :class:`~.demo_shell.DemoShell`."""
        jail = self._running_jail(name, ("jexec", name, *command))
        raise JailtuiError(f"jail {jail.name} is simulated: the demo has no shell to exec",
                           "the dashboard's c and jailtui console open the demo's simulated "
                           "shell")

    @staticmethod
    def commands() -> tuple[str, ...]:
        """The programs a simulated jail has (:meth:`run_in_jail` runs nothing else)."""
        return tuple(sorted({*JAIL_COMMANDS, *FIXED_ANSWERS}))

    @_synced
    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        full = ("jexec", "-l", "-U", "root", name, *argv)
        jail = self._running_jail(name, full)
        if not argv:
            return CommandResult(full, 0)
        program = argv[0].rsplit("/", 1)[-1]
        if program in FIXED_ANSWERS:
            return CommandResult(full, *FIXED_ANSWERS[program])
        if program not in JAIL_COMMANDS:
            return CommandResult(full, 1, "", f"jexec: execvp: {argv[0]}: No such file or "
                                              "directory\n")
        returncode, stdout = getattr(self, JAIL_COMMANDS[program])(jail, list(argv[1:]))
        return CommandResult(full, returncode, stdout)

    def _cmd_hostname(self, jail: _SimJail, args: list[str]) -> tuple[int, str]:
        return 0, jail.spec.hostname + "\n"

    def _cmd_uname(self, jail: _SimJail, args: list[str]) -> tuple[int, str]:
        spec = jail.spec
        words = {"s": "FreeBSD", "n": spec.hostname, "r": spec.osrelease,
                 "v": f"FreeBSD {OSRELEASE} GENERIC", "m": "amd64", "p": "amd64"}
        flags = "".join(arg.lstrip("-") for arg in args) or "s"
        if "a" in flags:
            flags = "snrvm"
        return 0, " ".join(words[f] for f in "snrvmp" if f in flags) + "\n"

    def _cmd_freebsd_version(self, jail: _SimJail, args: list[str]) -> tuple[int, str]:
        return 0, (OSRELEASE if "-k" in args else jail.spec.osrelease) + "\n"

    def _cmd_ps(self, jail: _SimJail, args: list[str]) -> tuple[int, str]:
        lines = ["  PID TT  STAT        TIME COMMAND"]
        for p in self._ps([jail]):
            minutes, seconds = divmod(p.cputime, 60)
            lines.append(f"{p.pid:5d}  -  {p.state:<5} {int(minutes):4d}:{seconds:05.2f} "
                         f"{p.command}")
        return 0, "\n".join(lines) + "\n"

    def _cmd_echo(self, jail: _SimJail, args: list[str]) -> tuple[int, str]:
        return 0, " ".join(args) + "\n"

    # -- signals ---------------------------------------------------------------------------

    @_synced
    def signal(self, pid: int, signal: str) -> None:
        name = signal.upper().removeprefix("SIG")
        name = SIGNAL_NUMBERS.get(name, name)
        argv = ("kill", "-s", name, str(pid))
        if name not in FATAL_SIGNALS | STOP_SIGNALS | HARMLESS_SIGNALS:
            _fail(f"kill: unknown signal {signal}; valid signals: "
                  + " ".join(sorted(FATAL_SIGNALS | STOP_SIGNALS | HARMLESS_SIGNALS)), argv)
        proc = self._pids.get(pid)
        if proc is None:
            _fail(f"kill: {pid}: No such process", argv)
        if proc.program.state or pid == 1:
            raise NotPermitted(f"kill: {pid}: Operation not permitted",
                               "kernel processes and init cannot be signalled")
        if name in FATAL_SIGNALS:
            self._kill(proc)
        elif name in STOP_SIGNALS or name == "CONT":
            proc.stopped = name != "CONT"

    @_synced
    def process_identity(self, pid: int) -> ProcessIdentity | None:
        proc = self._pids.get(pid)
        if proc is None:
            return None
        return ProcessIdentity(pid, proc.jail.jid or 0, self._wall(proc.start))

    def _kill(self, proc: _SimProc) -> None:
        """The process and its descendants exit; a killed service is restarted a bit later."""
        jail = proc.jail
        doomed = {proc.pid}
        for other in jail.procs:
            if other.ppid in doomed:
                doomed.add(other.pid)
        gone = [p for p in jail.procs if p.pid in doomed]
        jail.procs = [p for p in jail.procs if p.pid not in doomed]
        for each in gone:
            self._forget(jail, each)
        if proc.job < 0:
            tree = len(gone) > 1
            jail.respawn.append((self._now + (5.0 if tree else 1.0), proc.program, tree))
            jail.respawn.sort(key=lambda entry: entry[0])


# -- helpers -------------------------------------------------------------------------------



def _factor(limit: float | None, total: float) -> float:
    return 1.0 if limit is None or total <= limit else limit / total


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _jail8_output(action: str, names: Sequence[str], manager: str) -> str:
    """What jail(8) prints for the change (``NAME: removed``, ``NAME: created``; a start
    brings up the parents first, usr.sbin/jail/state.c dep_setup), after bastille's
    ``[NAME]:`` header when bastille runs it."""
    name = names[-1]
    lines = {"start": [f"{each}: created" for each in names], "stop": [f"{name}: removed"],
             "restart": [f"{name}: removed", f"{name}: created"]}[action]
    return "\n".join([f"[{name}]:", *lines] if manager == BASTILLE else lines)


def _fail(message: str, argv: tuple[str, ...]) -> NoReturn:
    raise CommandFailed(message, argv, message)
