"""The simulated host's world: the jails (as jail.conf describes them, and as they run) and
their processes, and the racct usage summed from those processes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..jailconf import ConfLookup
from ..managers import BASTILLE, IOCAGE, JAIL_CONF, NONE, Owner
from ..model import Jail, Rule, Usage
from .catalogue import GIB, INF, MIB, _Kind, _Program

HOSTNAME = "jailhost.example.org"
OSRELEASE = "14.2-RELEASE-p1"
OSRELDATE = 1402000


@dataclass(frozen=True, slots=True)
class _JailSpec:
    """A jail as jail.conf describes it. ``age`` (days) says when it last started (None: at
    boot); ``failure`` is the jail(8) output when it cannot start."""

    name: str
    kind: str
    hostname: str
    path: str
    ip4: tuple[str, ...] = ()
    ip6: tuple[str, ...] = ()
    running: bool = True
    age: float | None = None
    osrelease: str = OSRELEASE
    osreldate: int = OSRELDATE
    children_max: int = 0
    raw_sockets: bool = False
    conf: Mapping[str, str] = field(default_factory=dict)
    failure: tuple[str, ...] = ()
    #: ``vnet``: a network stack of its own (jls vnet=new); ``inherit``: the host's addresses
    #: (ip4=inherit, ip6=inherit); "": the addresses given.
    network: str = ""
    manager: str = JAIL_CONF
    #: The CPUs its cpuset allows (``cpuset -l 2-3 -j JID``); 0: every CPU of the host.
    cpus: int = 0

    @property
    def owner(self) -> Owner:
        """Who runs it: /etc/jail.conf, bastille, iocage (``ioc-NAME``), or nobody."""
        if self.manager == BASTILLE:
            return Owner(BASTILLE, f"/usr/local/bastille/jails/{self.name}/jail.conf", self.name)
        if self.manager == IOCAGE:
            handle = self.name.removeprefix("ioc-")
            return Owner(IOCAGE, f"/zroot/iocage/jails/{handle}/config.json", handle)
        if self.manager == NONE:
            return Owner(NONE, "", self.name)
        conf = "/etc/jail.conf"
        return Owner(JAIL_CONF, conf, self.name, ConfLookup(self.name, conf, conf))


LEGACY_MOUNT = "/sbin/mount -t nullfs -o ro /usr/ports /usr/local/jails/legacy/usr/ports"
DEFAULT_JAILS = (
    _JailSpec("www", "www", "www.example.org", "/usr/local/jails/www", ("10.0.0.10",),
              ("2001:db8::10",), age=2.3),
    _JailSpec("db", "db", "db.example.org", "/usr/local/jails/db", ("10.0.0.11",)),
    _JailSpec("build", "build", "build.example.org", "/jails/build", ("10.0.0.12",),
              children_max=4, cpus=2),
    _JailSpec("build.ports", "ports", "ports.build.example.org", "/jails/build/ports",
              ("10.0.0.12",)),
    _JailSpec("cache", "cache", "cache.example.org", "/usr/local/bastille/jails/cache/root",
              ("10.0.0.14",), manager=BASTILLE),
    _JailSpec("mail", "mail", "mail.example.org", "/usr/local/jails/mail",
              ("10.0.0.25", "192.168.1.25")),
    _JailSpec("dns", "dns", "ns1.example.org", "/usr/local/jails/dns", (),
              ("2001:db8:0:53::53",)),
    _JailSpec("ioc-monitor", "monitor", "monitor.example.org",
              "/zroot/iocage/jails/monitor/root", raw_sockets=True, manager=IOCAGE,
              network="vnet", conf={"vnet": "true", "vnet.interface": "epair20b"}),
    _JailSpec("git", "git", "git.example.org", "/jails/git", ("10.0.0.22",), age=0.2),
    _JailSpec("sandbox", "idle", "sandbox.example.org", "/jails/sandbox", network="inherit",
              conf={"ip4": "inherit", "ip6": "inherit"}, manager=NONE),
    _JailSpec("staging", "www", "staging.example.org", "/usr/local/jails/staging",
              ("10.0.0.40",), running=False),
    _JailSpec("legacy", "www", "legacy.example.org", "/usr/local/jails/legacy", ("10.0.0.50",),
              running=False, osrelease="13.4-RELEASE-p2", osreldate=1304000,
              conf={"mount.fstab": "/etc/fstab.legacy"},
              failure=("mount_nullfs: /usr/local/jails/legacy/usr/ports: No such file or "
                       "directory", f"jail: legacy: {LEGACY_MOUNT}: failed")),
)
EXTRA_KINDS = (("www", "web"), ("db", "pg"), ("cache", "redis"), ("mail", "mx"), ("git", "git"),
               ("dns", "ns"), ("monitor", "mon"), ("www", "app"))
DEFAULT_RULES = (
    Rule("jail", "www", "memoryuse", "deny", GIB),
    Rule("jail", "www", "maxproc", "log", 200),
    Rule("jail", "db", "pcpu", "deny", 200),
    Rule("jail", "build", "readbps", "throttle", 50 * MIB),
    Rule("jail", "cache", "memoryuse", "deny", 2 * GIB),
)


def _jail_specs(count: int, hostile: str = "") -> list[_JailSpec]:
    """The default jails, then generated ones (``web013``, ``pg014``, ...) up to ``count``."""
    specs = [_tainted(spec, hostile) for spec in DEFAULT_JAILS[:count]] if hostile \
        else list(DEFAULT_JAILS[:count])
    for n in range(len(DEFAULT_JAILS), count):
        kind, prefix = EXTRA_KINDS[n % len(EXTRA_KINDS)]
        name = f"{prefix}{n + 1:03d}"
        root = "/usr/local/jails" if n % 2 else "/jails"
        specs.append(_JailSpec(name, kind, f"{name}.prod.example.org", f"{root}/{name}",
                               (f"192.168.{100 + n // 250}.{n % 250 + 2}",)))
    return specs


def _tainted(spec: _JailSpec, text: str) -> _JailSpec:
    """``spec`` with ``text``, which a jailed root controls, in the name, hostname and path of
    www and in the start failure of legacy (for tests of hostile text)."""
    if spec.name == "www":
        return replace(spec, name=f"www{text}", hostname=f"www{text}", path=f"{spec.path}{text}")
    if spec.failure:
        return replace(spec, failure=(*spec.failure[:-1], f"{spec.failure[-1]} {text}"))
    return spec


def _host_size(jails: int) -> tuple[int, int]:
    """CPUs and physical memory: a 32 GiB, 8-core host, bigger for hundreds of jails."""
    scale = 1 if jails <= 16 else 4 if jails <= 100 else 8
    return 8 * scale, 32 * GIB * scale - 113 * MIB


# -- simulation state ----------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _SimProc:
    """A running process. ``pcpu``, ``rbps`` and ``wbps`` are decaying averages; ``cpu``,
    ``read`` and ``write`` are what this instance wants on average."""

    pid: int
    ppid: int
    jail: _SimJail
    program: _Program
    command: str
    start: float
    until: float
    job: int
    rss: int
    rss_want: int
    vsz: int
    cpu: float
    read: float
    write: float
    busy: bool
    pcpu: float = 0.0
    rbps: float = 0.0
    wbps: float = 0.0
    cputime: float = 0.0
    swap: int = 0
    stopped: bool = False


@dataclass(slots=True, eq=False)
class _SimJail:
    """A configured jail and, while it runs, its JID, processes and racct leftovers."""

    spec: _JailSpec
    kind: _Kind
    parent: _SimJail | None = None
    children: list[_SimJail] = field(default_factory=list)
    jid: int | None = None
    cpuset: int = 0
    uuid: str = ""
    procs: list[_SimProc] = field(default_factory=list)
    expires_at: float = INF
    next_job: list[float] = field(default_factory=list)
    job_running: list[int] = field(default_factory=list)
    respawn: list[tuple[float, _Program, bool]] = field(default_factory=list)
    gone_cputime: float = 0.0
    gone_wallclock: float = 0.0
    phase: float = 0.0
    omega: float = 0.01
    sum_cpu: float = 0.0
    sum_read: float = 0.0
    sum_write: float = 0.0
    f_cpu: float = 1.0
    f_read: float = 1.0
    f_write: float = 1.0
    view: Jail | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def running(self) -> bool:
        return self.jid is not None

    def group(self) -> list[_SimJail]:
        """This jail and its running descendants: what its racct counts."""
        out = [self]
        for child in self.children:
            if child.running:
                out += child.group()
        return out

    @property
    def cpus(self) -> int:
        """The CPUs its cpuset allows (0: all): a child jail's cpuset is made inside its
        parent's, so it never has more."""
        inherited = self.parent.cpus if self.parent is not None else 0
        own = self.spec.cpus
        return min(own, inherited) if own and inherited else own or inherited

    def holders(self) -> list[_SimJail]:
        """This jail and its ancestors: whose rules apply to its processes."""
        out = [self]
        parent = self.parent
        while parent is not None:
            out.append(parent)
            parent = parent.parent
        return out


def _usage(jails: Sequence[_SimJail], kind: _Kind, now: float) -> Usage:
    """racct of a jail and its children as ``rctl -u`` prints it, summed from the processes."""
    cputime = wallclock = pcpu = rbps = wbps = 0.0
    data = stack = rss = nproc = files = vsz = pty = swap = nthr = 0
    for jail in jails:
        cputime += jail.gone_cputime
        wallclock += jail.gone_wallclock
        nproc += len(jail.procs)
        for p in jail.procs:
            prog = p.program
            cputime += p.cputime
            wallclock += now - p.start
            rss += p.rss
            vsz += p.vsz
            swap += p.swap
            pcpu += p.pcpu
            rbps += p.rbps
            wbps += p.wbps
            nthr += prog.nlwp
            files += prog.files
            pty += prog.pty
            data += int(prog.data * MIB)
            stack += int(prog.stack * MIB)
    return Usage(cputime=int(cputime), datasize=data, stacksize=stack, memoryuse=rss,
                 maxproc=nproc, openfiles=files, vmemoryuse=vsz, pseudoterminals=pty,
                 swapuse=swap, nthr=nthr, wallclock=int(wallclock), pcpu=int(pcpu),
                 readbps=int(rbps), writebps=int(wbps), readiops=int(rbps / kind.io_size),
                 writeiops=int(wbps / kind.io_size), **kind.sysv)


SPAWN_COSTS: dict[str, Callable[[_SimProc], int]] = {
    "maxproc": lambda p: 1,
    "nthr": lambda p: p.program.nlwp,
    "vmemoryuse": lambda p: p.vsz,
    "openfiles": lambda p: p.program.files,
    "pseudoterminals": lambda p: p.program.pty,
}


def _ip_mode(spec: _JailSpec, addresses: tuple[str, ...], parent: _SimJail | None) -> str:
    """The ip4/ip6 jailsys value: ``new`` with addresses of its own; ``inherit`` for a vnet
    jail, one set to inherit, and a child jail without addresses (it gets its parent's)."""
    if addresses:
        return "new"
    if spec.network or parent is not None:
        return "inherit"
    return "disable"


def _conf_params(spec: _JailSpec) -> dict[str, str]:
    """A stopped jail's jail.conf entry."""
    params = {"path": spec.path, "host.hostname": spec.hostname,
              "exec.start": "/bin/sh /etc/rc", "exec.stop": "/bin/sh /etc/rc.shutdown jail",
              "exec.clean": "true", "mount.devfs": "true"}
    if spec.ip4:
        params["ip4.addr"] = ",".join(spec.ip4)
    if spec.ip6:
        params["ip6.addr"] = ",".join(spec.ip6)
    if spec.osrelease != OSRELEASE:
        params["osrelease"] = spec.osrelease
    return {**params, **spec.conf}
