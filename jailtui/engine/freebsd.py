"""FreeBSDHost: the real backend. Builds FreeBSD's own commands, runs them through a Runner and
parses their machine formats (``jls``/``ps`` libxo JSON, raw ``rctl`` lines, ``sysctl -n``).

Sampling (Host.sample) costs a constant number of spawns (sysctl, jls, ps, rctl rule list) plus
racct usage, which comes from the rctl_get_racct syscall when local and otherwise from one shell
that runs ``rctl -u`` for every jail.
"""

from __future__ import annotations

import glob
import re
import secrets
import shlex
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import compress
from typing import Any, Literal, TypeVar

from . import local, parse
from .cpuset import CpusetSyscall
from .errors import (
    ChangeTimedOut,
    CommandFailed,
    HostUnreachable,
    JailtuiError,
    NotPermitted,
    ParseError,
    RacctUnavailable,
    UnknownJail,
    UsageError,
)
from .host import DEFAULT_SHELL, Host
from .jailconf import JailConfs
from .managers import (
    BASTILLE,
    COMMANDS,
    IOCAGE,
    NONE,
    ControlPlan,
    Owner,
    Owners,
    RuleKeeping,
    plan,
    rule_keeping,
)
from .model import (
    ActionResult,
    CommandResult,
    HostInfo,
    Jail,
    JailState,
    Process,
    ProcessIdentity,
    RacctStatus,
    Rule,
    Usage,
)
from .proctable import ProcessTable, jail_user
from .racct import RacctSyscall
from .rctl import RuleFilter
from .runner import LocalRunner, Runner
from .vis import vis

#: ``uid`` names the user in the jail's own passwd; ``lstart`` tells a process from a later
#: one that reused its PID; ``etimes`` is the elapsed time in seconds (bin/ps/keyword.c,
#: print.c elapseds), no clock to parse. ``command`` stays last: ps gives only the last
#: column its length. What a sample sums comes first, what is only shown after ``lstart``:
#: parse.read_ps keeps that part of each process as one string until it is looked at.
PS_KEYWORDS = "jid,pid,pcpu,rss,vsz,nlwp,time,etimes,uid,lstart,ppid,user,pmem,state,command"
HOST_OIDS = (
    "kern.hostname", "kern.osrelease", "kern.osreldate", "hw.ncpu", "hw.physmem", "hw.pagesize",
    "kern.boottime", "vm.loadavg", "kern.cp_time", "vm.stats.vm.v_free_count",
    "vm.stats.vm.v_inactive_count", "security.jail.jailed",
)
#: Read with the host figures on every sample: a failed read is not kept, and racct switched
#: off shows at the next sample. Unknown means a kernel without RACCT.
RACCT_OID = "kern.racct.enable"
#: The jail list in one jls call: ``-d`` adds the dying jails; the parameters are those of
#: ``jls -v`` plus the jailsys modes (vnet, ip4, ip6) that -v does not print.
JLS_PARAMS = ("jid", "name", "host.hostname", "path", "dying", "cpuset.id", "ip4.addr",
              "ip6.addr", "ip4", "ip6", "vnet")
#: Parameters a kernel may lack (no VIMAGE, INET or INET6): jls then fails with "unknown
#: parameter: X" (usr.sbin/jls/jls.c add_param), and the list is asked for again without X.
OPTIONAL_JLS_PARAMS = frozenset({"ip4.addr", "ip6.addr", "ip4", "ip6", "vnet"})
_UNKNOWN_PARAM = re.compile(r"^jls: unknown parameter: (\S+)", re.MULTILINE)
#: A jail's passwd is read again after this long, and never when larger than PASSWD_MAX.
PASSWD_TTL = 300.0
PASSWD_MAX = 1024 * 1024
ROOT_TTL = 10.0
RACCT_DISABLED = RacctStatus(enabled=False, present=True,
                             reason="RACCT/RCTL present, but disabled", hint=RacctUnavailable.FIX)
RACCT_ABSENT = RacctStatus(enabled=False, present=False,
                           reason="RACCT/RCTL support not present in kernel",
                           hint="build a kernel with options RACCT and RCTL")
ROOT_HINT = "run jailtui as root on the host, not inside a jail"
#: rc.d/jail and the managers run exec.* scripts and wait stop.timeout (10 s) per jail.
CHANGE_TIMEOUT = 600.0
Control = Literal["service", "jail"]


class FreeBSDHost(Host):
    """A FreeBSD host reached through ``runner`` (this machine by default)."""

    def __init__(self, runner: Runner | None = None, *, control: Control = "service",
                 jail_conf: str | None = None, timeout: float = 10.0,
                 change_timeout: float = CHANGE_TIMEOUT,
                 syscall: RacctSyscall | None | bool = None,
                 this_machine: bool | None = None,
                 cpusets: CpusetSyscall | None | bool = None) -> None:
        """``jail_conf`` overrides rc.conf's ``jail_conf`` (default /etc/jail.conf)."""
        self.runner = runner or LocalRunner()
        self.label = self.runner.label
        self.control = control
        self.timeout = timeout
        self.change_timeout = change_timeout
        self.owners = Owners(self.runner.read_text, self.runner.glob,
                             JailConfs(self.runner.read_text, self.runner.glob, jail_conf))
        self.syscall = _chosen(syscall, self.runner.local, RacctSyscall.load)
        #: How many CPUs a jail's cpuset allows, without a spawn; None: left unknown.
        self.cpusets = _chosen(cpusets, self.runner.local, CpusetSyscall.load)
        #: The host is the FreeBSD machine jailtui runs on, so psutil sees its processes.
        self.this_machine = (self.runner.local and sys.platform.startswith("freebsd")
                             if this_machine is None else this_machine)
        self._jls_params: tuple[str, ...] = JLS_PARAMS
        self._warnings: list[str] = []
        self._paths: dict[int, str] = {}
        self._seen: dict[str, Jail] = {}
        self._root: dict[tuple[str, int, str], tuple[float, bool | None]] = {}
        self._passwd: dict[tuple[int, str], tuple[float, dict[int, str] | None]] = {}

    # -- running commands ------------------------------------------------------------------

    def _run(self, argv: Sequence[str], *, timeout: float | None = None) -> CommandResult:
        return self.runner.run(argv, timeout=timeout or self.timeout)

    def cancel(self) -> None:
        self.runner.cancel()

    def _checked(self, argv: Sequence[str]) -> CommandResult:
        result = self._run(argv)
        if not result.ok:
            raise error_from(result)
        return result

    # -- reading ---------------------------------------------------------------------------

    def host_info(self) -> HostInfo:
        """The host figures from one ``sysctl -n``; an OID the kernel does not know leaves
        its figure unknown (and says so) instead of failing the sample."""
        oids = (*HOST_OIDS, RACCT_OID)
        result = self._run(("sysctl", "-n", *oids))
        unknown = parse.unknown_oids(result.stderr)
        if not result.ok and result.returncode != len(unknown):
            raise error_from(result)
        values = parse.parse_sysctl_n(result.stdout, oids, result.stderr)
        facts, missing = _host_facts(values, self._warnings.append)
        swap = local.swap() if self.this_machine else None
        if swap is not None:
            facts.update(swap_total=swap.total, swap_used=swap.used)
        return HostInfo(**facts, racct=_racct_status(values.get(RACCT_OID)),
                        unknown=tuple(missing))

    def drain_warnings(self) -> list[str]:
        warnings, self._warnings = self._warnings, []
        return warnings

    def jails(self) -> list[Jail]:
        """Running jails (jls, dying ones included) and the stopped ones a jail.conf or a
        manager knows, each with its manager and config file."""
        skipped: list[str] = []
        found = parse.parse_jls(self._jls_list().stdout, skipped)
        self._warnings += skipped
        running = ([jail for jail in found if jail.state is not JailState.DYING]
                   + [jail for jail in found if jail.state is JailState.DYING])
        self._paths = {jail.jid: jail.path for jail in running if jail.jid is not None}
        self._seen = {jail.name: jail for jail in reversed(running)}
        self.owners.refresh({jail.name: jail.path for jail in running})
        jails = [_owned(jail, self.owners.owner(jail.name, jail.path)) for jail in running]
        if self.cpusets is not None:
            jails = [replace(jail, cpus=self.cpusets.jail_cpus(jail.jid))
                     if jail.jid is not None else jail for jail in jails]
        names = {jail.name for jail in running}
        jails += [_configured_jail(name, owner, params)
                  for name, (owner, params) in self.owners.configured().items()
                  if name not in names]
        return jails

    def _jls_list(self) -> CommandResult:
        """``jls --libxo json -d PARAM...``; a parameter this kernel lacks is left out."""
        while True:
            result = self._run(("jls", "--libxo", "json", "-d", *self._jls_params))
            lacking = _UNKNOWN_PARAM.search(result.stderr)
            if (result.ok or lacking is None or lacking[1] not in OPTIONAL_JLS_PARAMS
                    or lacking[1] not in self._jls_params):
                break
            self._jls_params = tuple(p for p in self._jls_params if p != lacking[1])
        if not result.ok:
            raise error_from(result)
        return result

    def config_warnings(self) -> tuple[str, ...]:
        return self.owners.warnings

    def processes(self, jail: str | None = None) -> list[Process]:
        return self._jail_users(list(parse.read_ps(self._ps(jail))))

    def sampled_processes(self) -> Sequence[Process]:
        """Every process as a ProcessTable when ps printed what a sample asks for: nothing
        is built for a process nobody looks at."""
        found = parse.read_ps(self._ps(None))
        if not isinstance(found, ProcessTable):
            return self._jail_users(list(found))
        cols = found.columns
        # the jails with a process of a uid other than 0 (read_ps's uids are digits)
        jids = set(compress(cols.jid, map("0".__ne__, found.uid)))
        jids.discard(0)
        return found.named({jid: self._jail_passwd(jid) for jid in sorted(jids)})

    def _ps(self, jail: str | None) -> str:
        argv = ["ps", "--libxo", "json", "-ax", "-o", PS_KEYWORDS]
        if jail is not None:
            argv[4:4] = ["-J", jail]
        result = self._run(argv)
        if not result.ok:
            if jail is not None and "Invalid jail id" in result.stderr:
                raise UnknownJail(jail)
            if jail is None or result.stderr.strip():
                raise error_from(result)
        return result.stdout

    def _jail_users(self, processes: list[Process]) -> list[Process]:
        """ps names users from the host's passwd; a jailed process gets the name its jail's
        own passwd gives its uid (uid 0 is root everywhere and is left as ps printed it)."""
        tables: dict[int, dict[int, str] | None] = {}
        named = []
        for proc in processes:
            if proc.jid and proc.uid and proc.jid not in tables:
                tables[proc.jid] = self._jail_passwd(proc.jid)
            user = jail_user(tables, proc.jid, proc.uid, proc.user)
            named.append(proc if user == proc.user else replace(proc, user=user))
        return named

    def _jail_passwd(self, jid: int) -> dict[int, str] | None:
        """uid -> name from ``<jail path>/etc/passwd``, cached; None when it cannot be read."""
        path = self._paths.get(jid)
        if not path:
            return None
        now = time.monotonic()
        cached = self._passwd.get((jid, path))
        if cached is not None and now - cached[0] < PASSWD_TTL:
            return cached[1]
        table = None
        text = self._read_jail_file(path, "etc/passwd")
        if text is not None:
            table = parse.parse_passwd(text)
        self._passwd = {key: value for key, value in self._passwd.items()
                        if key[0] in self._paths}
        self._passwd[(jid, path)] = (now, table)
        return table

    def _read_jail_file(self, path: str, name: str) -> str | None:
        """A file of the jail's own tree, None when missing, unreadable or too large."""
        where = f"{path.rstrip('/')}/{name}"
        try:
            text = self.runner.read_text(where)
        except JailtuiError:
            return None
        if text is not None and len(text) > PASSWD_MAX:
            self._warnings.append(f"{vis(where)}: larger than {PASSWD_MAX // 1024} KiB; "
                                  "not read")
            return None
        return text

    def usage(self, jail: str) -> Usage:
        if self.syscall is not None:
            return parse.parse_rctl_usage(self.syscall.get_racct(f"jail:{jail}:"))
        return parse.parse_rctl_usage(self._checked(("rctl", "-u", f"jail:{jail}")).stdout)

    def usages(self, names: Sequence[str]) -> tuple[dict[str, Usage], list[str]]:
        """Without the syscall, every jail's ``rctl -u`` runs in ONE shell with one deadline.

        The names are the shell's arguments, never part of the script; each jail's section is
        framed by a marker with a fresh random nonce, so no output can forge one.
        """
        if self.syscall is not None or not names:
            return super().usages(names)
        mark = f"@@jailtui-{secrets.token_hex(8)}@@"
        script = USAGE_SCRIPT.replace("MARK", mark)
        try:
            result = self._run(("/bin/sh", "-c", script, "sh", *names))
        except JailtuiError as exc:
            return {}, [f"rctl -u ({len(names)} jails): {exc.message.rpartition(': ')[2]}"]
        sections = _usage_sections(result.stdout, mark)
        usage: dict[str, Usage] = {}
        warnings: list[str] = []
        for index, name in enumerate(names):
            if index >= len(sections):
                warnings.append(f"{name}: no racct usage in the output of rctl -u")
                continue
            text, status = sections[index]
            problem = _usage_problem(name, text, status)
            if isinstance(problem, Usage):
                usage[name] = problem
            elif isinstance(problem, _REFUSALS):
                if str(problem) not in warnings:
                    warnings.append(str(problem))
            else:
                warnings.append(f"{name}: {problem}")
        if not sections and not result.ok:
            warnings.append(str(error_from(result)))
        return usage, warnings

    def rules(self, filter: RuleFilter | None = None) -> list[Rule]:
        """Always with a filter (``::`` for all): plain ``rctl`` prints an empty list and exits
        0 when the kernel refuses (usr.bin/rctl/rctl.c main), so unreadable would look empty."""
        argv = ("rctl", str(filter if filter is not None else RuleFilter()))
        return parse.parse_rctl_rules(self._checked(argv).stdout)

    # -- changing --------------------------------------------------------------------------

    def add_rule(self, rule: Rule) -> None:
        self._checked(("rctl", "-a", str(rule)))

    def remove_rules(self, filter: RuleFilter) -> None:
        self._checked(("rctl", "-r", str(filter)))

    def plan(self, action: str, jail: Jail) -> ControlPlan:
        owner = self.owners.owner(jail.name, jail.path)
        return plan(action, jail.name, owner, control=self.control, installed=self._installed)

    def _installed(self, manager: str) -> bool:
        return bool(self.runner.glob(COMMANDS[manager]))

    def execute(self, plan: ControlPlan, jail: Jail) -> ActionResult:
        """Run the plan's commands with a long timeout, then ask jls: rc.d/jail and bastille
        exit 0 even when a jail fails, and a restart worked only if the JID changed."""
        name, action = jail.name, plan.action
        results: list[CommandResult] = []
        timed_out: ChangeTimedOut | None = None
        for argv in plan.commands:
            try:
                result = self.runner.run(argv, timeout=self.change_timeout,
                                         leave_running_on_timeout=True)
            except ChangeTimedOut as exc:
                timed_out = exc
                break
            results.append(result)
            if not result.ok:
                break
        check = self._run(("jls", "--libxo", "json", "-v", "-j", name))
        found = parse.parse_jls(check.stdout) if check.ok else []
        jid = found[0].jid if found else None
        state = f"running as JID {jid}" if jid is not None else "not running"
        output = "\n".join(r.output for r in results if r.output)
        # One jail per ``service jail`` call; rc.d names it ``${_hostname:-${_j}}`` in the
        # failure line, the jail_NAME_hostname of rc.conf when set (libexec/rc/rc.d/jail).
        failure = "\n".join(text for r in results if r.argv[0] == "service"
                            for text in parse.service_failures(r.stdout).values()).strip()
        if timed_out is not None:
            message = (f"{action} {name}: {shlex.join(timed_out.argv)} gave no answer in "
                       f"{timed_out.timeout:g} s and was left running; {name} is {state} now")
            ok = False
        elif action == "restart" and jid is not None and jid == jail.jid:
            detail = _last_line(failure or output)
            message = (f"restart {name} failed: it still runs as JID {jid}"
                       + (f" ({detail})" if detail else ""))
            ok = False
        else:
            ok = (all(r.ok for r in results) and not failure
                  and (jid is not None) == (action != "stop"))
            detail = _last_line(failure or output)
            if ok:
                message = output or f"{name}: {action} done"
            elif detail:
                message = f"{action} {name} failed: {detail}"
            else:
                message = f"{action} {name} failed: jail is {state}"
        return ActionResult(action, name, ok, message, (*results, check), jid)

    def rule_keeping(self, rule: Rule) -> RuleKeeping | None:
        """From the owners as the last jails() found them (read now if never): no spawn."""
        if rule.subject != "jail":
            return None
        if not self.owners.refreshed:
            self.owners.refresh()
        owner = self.owners.owner(rule.subject_id, self.owners.paths.get(rule.subject_id, ""))
        record = {BASTILLE: owner.conf.rsplit("/", 1)[0] + "/rctl.conf",
                  IOCAGE: owner.conf}.get(owner.manager)
        return rule_keeping(owner, rule, (self.runner.read_text(record) if record else "") or "")

    def keep_rule(self, keeping: RuleKeeping) -> tuple[CommandResult, ...]:
        results: list[CommandResult] = []
        for argv in keeping.commands:
            result = self.runner.run(argv, timeout=self.change_timeout)
            results.append(result)
            if not result.ok:
                raise CommandFailed(f"{shlex.join(argv)}: "
                                    f"{_last_line(result.output) or f'exit {result.returncode}'}",
                                    result.argv, result.output)
        if keeping.check is not None and results:
            path, line = keeping.check
            if line not in (self.runner.read_text(path) or "").splitlines():
                last = results[-1]
                raise CommandFailed(f"{shlex.join(last.argv)} did not write {line} to {path}"
                                    + (f": {_last_line(last.output)}" if last.output else ""),
                                    last.argv, last.output)
        return tuple(results)

    def shell_argv(self, name: str, command: Sequence[str] = ()) -> list[str]:
        return [*self._jexec(name), *(command or DEFAULT_SHELL)]

    def shell_note(self, name: str) -> str:
        if self._root_in_jail(name) is not False:
            return ""
        return (f'jail "{vis(name)}" has no root in its own user database (a Linux userland?): '
                f"running jexec {vis(name)} without -l -U root, so without a login "
                "environment")

    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        result = self._run((*self._jexec(name), *argv), timeout=max(self.timeout, 60.0))
        if not result.ok and result.stderr.startswith("jexec: jail "):
            raise error_from(result)
        return result

    def _jexec(self, name: str) -> list[str]:
        """``jexec -l -U root NAME``: a login environment from the jail's own passwd; plain
        ``jexec NAME`` where root cannot be looked up in the jail."""
        if self._root_in_jail(name) is False:
            return ["jexec", name]
        return ["jexec", "-l", "-U", "root", name]

    def _root_in_jail(self, name: str) -> bool | None:
        """Whether ``jexec -U root`` can find root in the jail: it looks root up after
        attaching (usr.sbin/jexec/jexec.c), in the jail's /etc/spwd.db or /etc/pwd.db
        (lib/libc/gen/getpwent.c pwdbopen). A Linux userland has neither: jexec then fails
        with "getpwnam: root: No such file or directory". None when the jail's /etc cannot
        be seen from here. The answer is kept a little while: one shell asks twice."""
        jail = self._seen.get(name)
        if jail is None:
            try:
                jail = self.jail(name)
            except UnknownJail:
                return None
        if not jail.path or jail.jid is None:
            return None
        key, now = (jail.name, jail.jid, jail.path), time.monotonic()
        cached = self._root.get(key)
        if cached is not None and now - cached[0] < ROOT_TTL:
            return cached[1]
        root = glob.escape(jail.path.rstrip("/"))
        found: bool | None = None
        if self.runner.glob(f"{root}/etc"):
            found = bool(self.runner.glob(f"{root}/etc/*pwd.db"))
            passwd = self._read_jail_file(jail.path, "etc/passwd") if found else None
            found = found and (passwd is None or "root" in parse.parse_passwd(passwd).values())
        self._root = {key: (now, found)}
        return found

    def signal(self, pid: int, signal: str) -> None:
        self._checked(("kill", "-s", signal, str(pid)))

    def process_identity(self, pid: int) -> ProcessIdentity | None:
        """psutil's start time when the host is this machine (no spawn; it cannot tell the
        jail), else ``ps -o pid,jid,lstart -p PID``, which prints ``{ }`` and exits 1 when
        there is no such process."""
        if self.this_machine:
            try:
                start = local.start_time(pid)
            except PermissionError:
                pass
            else:
                return None if start is None else ProcessIdentity(pid, None, start)
        result = self._run(("ps", "--libxo", "json", "-o", "pid,jid,lstart", "-p", str(pid)))
        if not result.ok and result.stderr.strip():
            raise error_from(result)
        found = [proc for proc in parse.parse_ps(result.stdout) if proc.pid == pid]
        return ProcessIdentity(pid, found[0].jid, found[0].start) if found else None


# -- helpers -------------------------------------------------------------------------------

#: One ``rctl -u`` per argument, each framed by MARK lines; "MARK STATUS" closes a section.
USAGE_SCRIPT = 'for j; do echo "MARK"; rctl -u "jail:$j" 2>&1; echo "MARK $?"; done'
#: Failures of ``rctl -u`` that hold for every jail: one warning, not one per jail.
_REFUSALS = (NotPermitted, RacctUnavailable, HostUnreachable)


S = TypeVar("S")


def _chosen(given: S | bool | None, local: bool, load: Callable[[], S | None]) -> S | None:
    """A system call object: ``given`` itself; True, or None on this machine: ``load()`` (None
    off FreeBSD); False, or None through a remote runner: none."""
    if given is True or (given is None and local):
        return load()
    if given is None or isinstance(given, bool):
        return None
    return given


def _usage_sections(output: str, mark: str) -> list[tuple[str, int]]:
    """(text, exit status) of each section of USAGE_SCRIPT's output, in order."""
    sections: list[tuple[str, int]] = []
    lines: list[str] | None = None
    for line in output.split("\n"):
        before, found, after = line.partition(mark)
        if not found:
            if lines is not None:
                lines.append(line)
            continue
        if lines is not None and before:
            lines.append(before)
        if not after:
            lines = []
        elif lines is not None and after.startswith(" ") and after[1:].isdigit():
            sections.append(("\n".join(lines), int(after[1:])))
            lines = None
    return sections


def _usage_problem(name: str, text: str, status: int) -> Usage | JailtuiError:
    """One jail's ``rctl -u`` section read as usage, or the error it stands for.

    rctl.c show_usage(): usage lines and exit 0; errx() when racct is absent or disabled
    (ENOSYS); warn() "failed to show resource consumption for 'FILTER'" and exit 1 otherwise
    (EPERM without privilege). sh reports a missing rctl with status 127.
    """
    if status == 0:
        try:
            return parse.parse_rctl_usage(text)
        except ParseError as exc:
            return exc
    if status in (126, 127):
        return HostUnreachable("rctl: command not found" if status == 127
                               else "rctl: cannot be run")
    error = error_from(CommandResult(("rctl", "-u", f"jail:{name}"), status, "", text))
    if isinstance(error, NotPermitted):
        return NotPermitted("cannot read racct usage: Operation not permitted", ROOT_HINT)
    return error


#: HostInfo field -> (the OIDs it is made of, how), in an order where pagesize comes before
#: the figures that need it.
_HOST_FIELDS: dict[str, tuple[tuple[str, ...], Callable[..., Any]]] = {
    "hostname": (("kern.hostname",), str),
    "osrelease": (("kern.osrelease",), str),
    "osreldate": (("kern.osreldate",), lambda v: parse.sysctl_number("kern.osreldate", v)),
    "ncpu": (("hw.ncpu",), lambda v: parse.sysctl_number("hw.ncpu", v)),
    "physmem": (("hw.physmem",), lambda v: parse.sysctl_number("hw.physmem", v)),
    "pagesize": (("hw.pagesize",), lambda v: parse.sysctl_number("hw.pagesize", v)),
    "boottime": (("kern.boottime",), lambda v: float(parse.parse_boottime(v))),
    "loadavg": (("vm.loadavg",), parse.parse_loadavg),
    "cp_time": (("kern.cp_time",), parse.parse_cp_time),
    "mem_free": (("vm.stats.vm.v_free_count", "vm.stats.vm.v_inactive_count"),
                 lambda free, inactive: (parse.sysctl_number("vm.stats.vm.v_free_count", free)
                                         + parse.sysctl_number("vm.stats.vm.v_inactive_count",
                                                               inactive))),
    "jailed": (("security.jail.jailed",), lambda v: v.strip() == "1"),
}


def _host_facts(values: dict[str, str],
                warn: Callable[[str], None]) -> tuple[dict[str, Any], list[str]]:
    """HostInfo fields from sysctl values; a field whose OID is missing or unreadable is left
    at its default and named in the second list, with a warning."""
    facts: dict[str, Any] = {}
    missing: list[str] = []
    for field, (oids, convert) in _HOST_FIELDS.items():
        absent = [oid for oid in oids if oid not in values]
        try:
            if absent:
                raise ParseError(f"sysctl: unknown oid '{absent[0]}'")
            facts[field] = convert(*(values[oid] for oid in oids))
        except ParseError as exc:
            missing.append(field)
            warn(f"{exc.message}: {field} unknown")
    if "mem_free" in facts:
        if "pagesize" in facts:
            facts["mem_free"] *= facts["pagesize"]
        else:
            del facts["mem_free"]
            missing.append("mem_free")
    return facts, missing


def _racct_status(value: str | None) -> RacctStatus:
    """kern.racct.enable: 1 on, 0 present but off, missing when the kernel has no RACCT."""
    if value is None:
        return RACCT_ABSENT
    if value.strip() == "1":
        return RacctStatus(enabled=True)
    if value.strip() == "0":
        return RACCT_DISABLED
    return RacctStatus(enabled=False, present=True,
                       reason=f"sysctl: {RACCT_OID} is not 0 or 1: {vis(value)!r}")


_JAIL_NOT_FOUND = re.compile(r'jail "?([^"]+?)"? not found')


def error_from(result: CommandResult) -> JailtuiError:
    """Map a failed FreeBSD command to the error a user should see (docs/freebsd.md, "Errors
    jailtui maps to one line")."""
    stderr = result.stderr.strip()
    line = _last_line(stderr) or f"{result.argv[0]} exited with status {result.returncode}"
    tool = result.argv[0]
    if "RACCT/RCTL present, but disabled" in stderr:
        return RacctUnavailable("RACCT/RCTL present, but disabled", RacctUnavailable.FIX)
    if "RACCT/RCTL support not present in kernel" in stderr:
        return RacctUnavailable("RACCT/RCTL support not present in kernel",
                                "build a kernel with options RACCT and RCTL")
    if "Operation not permitted" in stderr:
        return NotPermitted(_strip_tool(line), ROOT_HINT)
    if tool == "rctl" and "failed to remove rule" in stderr and "No such process" in stderr:
        quoted = re.search(r"'([^']*)'", stderr)
        return CommandFailed(f"no rule matches '{quoted.group(1) if quoted else ''}'",
                             result.argv, result.output)
    if tool == "rctl" and "malformed rule" in stderr:
        return UsageError(_strip_tool(line))
    found = _JAIL_NOT_FOUND.search(stderr)
    if found and tool in ("jls", "jexec"):
        return UnknownJail(found.group(1))
    if "Invalid jail id:" in stderr:
        return UnknownJail(stderr.rsplit(":", 1)[1].strip())
    return CommandFailed(_strip_tool(line), result.argv, result.output)


def _strip_tool(line: str) -> str:
    return line.split(": ", 1)[1] if re.match(r"^[a-z_]+: ", line) else line


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() not in ("", ".")]
    return lines[-1] if lines else ""


def _addresses(value: str | list[str]) -> tuple[str, ...]:
    """jail.conf addresses may carry an interface and a prefix: ``em0|10.1.1.3/24``."""
    items = value if isinstance(value, list) else [v for v in value.split(",")]
    return tuple(item.strip().split("|")[-1].split("/")[0] for item in items if item.strip())


def _owned(jail: Jail, owner: Owner) -> Jail:
    return replace(jail, manager=owner.manager, conf=owner.conf,
                   configured=owner.manager != NONE)


def _configured_jail(name: str, owner: Owner, params: Mapping[str, str | list[str]]) -> Jail:
    """A stopped jail as its jail.conf (or its manager's config) describes it."""

    def text(key: str) -> str:
        value = params.get(key, "")
        return ",".join(value) if isinstance(value, list) else value

    return Jail(name=name, jid=None, state=JailState.STOPPED,
                hostname=text("host.hostname"), path=text("path"),
                ip4=_addresses(params.get("ip4.addr", [])),
                ip6=_addresses(params.get("ip6.addr", [])),
                configured=True, params={k: text(k) for k in params},
                manager=owner.manager, conf=owner.conf)
