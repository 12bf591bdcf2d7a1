"""Frozen dataclasses for what a FreeBSD host reports: jails, processes, racct usage, rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum


class JailState(StrEnum):
    """``ACTIVE`` and ``DYING`` are jls(8)'s words; ``STOPPED`` is a configured jail not running."""

    ACTIVE = "ACTIVE"
    DYING = "DYING"
    STOPPED = "STOPPED"


@dataclass(frozen=True, slots=True)
class Jail:
    """One jail, running (it has a JID) or only configured in jail.conf (``jid`` is None)."""

    name: str
    jid: int | None = None
    state: JailState = JailState.ACTIVE
    hostname: str = ""
    path: str = ""
    ip4: tuple[str, ...] = ()
    ip6: tuple[str, ...] = ()
    cpusetid: int | None = None
    configured: bool = False
    params: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: Who runs the jail: ``bastille``, ``iocage``, ``appjail``, ``pot``, ``jail.conf``, or
    #: ``none`` (made by hand, no config names it); "" when not worked out.
    manager: str = ""
    #: The jail.conf file rc.d/jail would use for it ("" when none names it).
    conf: str = ""
    #: The jailsys parameters as jls prints them: ``new``, ``inherit`` or ``disable`` ("" when
    #: not known). ``vnet=new`` is a jail with its own network stack; ``ip4=inherit`` shares
    #: every address of the host.
    vnet: str = ""
    ip4_mode: str = ""
    ip6_mode: str = ""
    #: How many CPUs its cpuset lets it run on (``cpuset -g -j JID``); None when unknown.
    cpus: int | None = None

    @property
    def running(self) -> bool:
        return self.jid is not None and self.state is not JailState.STOPPED

    @property
    def ips(self) -> tuple[str, ...]:
        return self.ip4 + self.ip6

    @property
    def parent(self) -> str:
        """The name of the jail this one was created in ("" for a jail of the host): jail(8)
        names a child jail ``parent.child``, and a name holds no other dot."""
        return self.name.rpartition(".")[0]

    @property
    def network(self) -> str:
        """``vnet`` for a jail with its own network stack, ``inherit`` for one that uses the
        host's addresses, else "" (its addresses say it)."""
        if self.vnet == "new":
            return "vnet"
        if not self.ips and "inherit" in (self.ip4_mode, self.ip6_mode):
            return "inherit"
        return ""

    def answers_to(self, name: str) -> bool:
        """True for its name, or for its JID given as digits (as jls -j and jexec take it)."""
        return self.name == name or (name.isdigit() and self.jid == int(name))


@dataclass(frozen=True, slots=True)
class Process:
    """One process as ps(1) reports it; ``rss`` and ``vsz`` in bytes (ps prints KiB)."""

    pid: int
    jid: int = 0
    ppid: int = 0
    user: str = ""
    pcpu: float = 0.0
    pmem: float = 0.0
    rss: int = 0
    vsz: int = 0
    nlwp: int = 1
    state: str = ""
    cputime: float = 0.0
    etime: int = 0
    command: str = ""
    #: The effective uid (ps ``uid``); ``user`` is its name in the jail's own passwd.
    uid: int | None = None
    #: When it started (ps ``lstart``), seconds since the epoch; with ``pid`` it names one
    #: process for good, as PIDs are reused.
    start: float | None = None


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """What a PID is now: its jail and its start time (None where the host cannot tell)."""

    pid: int
    jid: int | None
    start: float | None


@dataclass(frozen=True, slots=True)
class Usage:
    """The 25 racct resources in kernel order, raw integers as ``rctl -u`` prints them.

    Units: cputime and wallclock in seconds, pcpu in percent of one core, readbps/writebps in
    bytes per second, readiops/writeiops in operations per second, sizes in bytes, the rest counts.
    """

    cputime: int = 0
    datasize: int = 0
    stacksize: int = 0
    coredumpsize: int = 0
    memoryuse: int = 0
    memorylocked: int = 0
    maxproc: int = 0
    openfiles: int = 0
    vmemoryuse: int = 0
    pseudoterminals: int = 0
    swapuse: int = 0
    nthr: int = 0
    msgqqueued: int = 0
    msgqsize: int = 0
    nmsgq: int = 0
    nsem: int = 0
    nsemop: int = 0
    nshm: int = 0
    shmsize: int = 0
    wallclock: int = 0
    pcpu: int = 0
    readbps: int = 0
    writebps: int = 0
    readiops: int = 0
    writeiops: int = 0

    @classmethod
    def from_mapping(cls, values: Mapping[str, int]) -> Usage:
        """Build from ``resource -> value``; unknown names are ignored, missing ones are 0."""
        return cls(**{f.name: int(values[f.name]) for f in fields(cls) if f.name in values})

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __getitem__(self, resource: str) -> int:
        return getattr(self, resource)


@dataclass(frozen=True, slots=True)
class Rule:
    """An rctl rule ``subject:subject-id:resource:action=amount[/per]``.

    ``amount`` is the raw number the kernel prints (bytes, seconds, percent, count); ``per``
    equals ``subject`` when the rule text omits it, as the kernel does.
    """

    subject: str
    subject_id: str
    resource: str
    action: str
    amount: int
    per: str = ""

    def __post_init__(self) -> None:
        if not self.per:
            object.__setattr__(self, "per", self.subject)

    def __str__(self) -> str:
        text = f"{self.subject}:{self.subject_id}:{self.resource}:{self.action}={self.amount}"
        return text if self.per == self.subject else f"{text}/{self.per}"

    def exact(self) -> RuleFilter:
        """The filter that matches this rule and no other (for ``rctl -r``): every field is
        set, ``per`` included, since an unset per matches every per."""
        return RuleFilter(self.subject, self.subject_id, self.resource, self.action,
                          self.amount, self.per)


@dataclass(frozen=True, slots=True)
class RuleFilter:
    """A rule with fields left empty, as ``rctl -r`` and ``rctl FILTER`` take it."""

    subject: str = ""
    subject_id: str = ""
    resource: str = ""
    action: str = ""
    amount: int | None = None
    per: str = ""

    def __str__(self) -> str:
        parts = [self.subject, self.subject_id, self.resource, self.action]
        if self.amount is not None or self.per:
            amount = "" if self.amount is None else str(self.amount)
            return ":".join(parts) + f"={amount}" + (f"/{self.per}" if self.per else "")
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        if len(parts) == 1:
            return f"{parts[0]}:" if parts[0] else "::"
        return ":".join(parts)

    def matches(self, rule: Rule) -> bool:
        """True when every field set in the filter equals the rule's (kern_rctl.c
        ``rctl_rule_matches``)."""
        return all((
            not self.subject or self.subject == rule.subject,
            not self.subject_id or self.subject_id == rule.subject_id,
            not self.resource or self.resource == rule.resource,
            not self.action or self.action == rule.action,
            self.amount is None or self.amount == rule.amount,
            not self.per or self.per == rule.per,
        ))


@dataclass(frozen=True, slots=True)
class RacctStatus:
    """Whether the kernel accounts resources; ``reason`` says why not, ``hint`` how to fix it."""

    enabled: bool
    present: bool = True
    reason: str = ""
    hint: str = ""

    @property
    def explained(self) -> str:
        """``reason; hint``: why racct is off and what to do about it."""
        return "; ".join(part for part in (self.reason, self.hint) if part)


@dataclass(frozen=True, slots=True)
class HostInfo:
    """Host-wide facts for the header: identity, CPUs, memory, load, CPU tick counters."""

    hostname: str = ""
    osrelease: str = ""
    osreldate: int = 0
    ncpu: int = 1
    physmem: int = 0
    pagesize: int = 4096
    boottime: float = 0.0
    loadavg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cp_time: tuple[int, ...] = ()
    mem_free: int = 0
    racct: RacctStatus = RacctStatus(enabled=False, present=False, reason="unknown")
    jailed: bool = False
    #: Swap in bytes, None where the host does not say.
    swap_total: int | None = None
    swap_used: int | None = None
    #: Fields above that could not be read (an unknown sysctl oid): shown as unknown.
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """Everything read from a host in one pass.

    ``usage`` is keyed by jail name and empty when racct is off; ``warnings`` lists partial
    failures (one jail's usage unreadable, say) that did not stop the sample, the jails'
    configuration problems (``config_warnings``, a jail.conf jail(8) cannot load) first.
    ``rules_error`` says why the rctl rules could not be listed (not root, racct off, a
    timeout): ``rules`` is then empty but unknown, never "no rules".
    """

    time: float
    monotonic: float
    host: HostInfo
    jails: tuple[Jail, ...] = ()
    #: A tuple, or a proctable.ProcessTable (equal to the tuple of its processes).
    processes: Sequence[Process] = ()
    usage: Mapping[str, Usage] = field(default_factory=dict, compare=False, hash=False)
    rules: tuple[Rule, ...] = ()
    warnings: tuple[str, ...] = ()
    rules_error: str | None = None
    config_warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A finished host command: argv as run, exit status, and what it printed."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        return "\n".join(part for part in (self.stdout.rstrip("\n"), self.stderr.rstrip("\n"))
                         if part)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The outcome of start/stop/restart: the jail as confirmed afterwards and the command
    output."""

    action: str
    jail: str
    ok: bool
    message: str
    commands: tuple[CommandResult, ...] = ()
    jid: int | None = None
