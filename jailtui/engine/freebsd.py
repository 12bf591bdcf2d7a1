"""FreeBSDHost: the real backend. Builds FreeBSD's own commands, runs them through a Runner and
parses their machine formats (``jls``/``ps`` libxo JSON, raw ``rctl`` lines, ``sysctl -n``).

Sampling (Host.sample) costs a constant number of spawns (sysctl, jls, ps, rctl rule list) plus
racct usage, which comes from the rctl_get_racct syscall when local and ``rctl -u`` per jail
otherwise.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from collections.abc import Mapping, Sequence
from typing import Literal

from . import parse
from .errors import (ChangeTimedOut, CommandFailed, JailtuiError, NotPermitted, RacctUnavailable,
                     UnknownJail, UsageError)
from .host import DEFAULT_SHELL, Host
from .jailconf import JailConfs, rc_name
from .managers import (BASTILLE, COMMANDS, IOCAGE, NONE, ControlPlan, Owner, Owners, RuleKeeping,
                       plan, rule_keeping)
from .model import (ActionResult, CommandResult, HostInfo, Jail, JailState, Process, RacctStatus,
                    Rule, Usage)
from .racct import RacctSyscall
from .rctl import RuleFilter
from .runner import LocalRunner, Runner

PS_KEYWORDS = "jid,pid,ppid,user,pcpu,pmem,rss,vsz,nlwp,state,time,etime,command"
HOST_OIDS = (
    "kern.hostname", "kern.osrelease", "kern.osreldate", "hw.ncpu", "hw.physmem", "hw.pagesize",
    "kern.boottime", "vm.loadavg", "kern.cp_time", "vm.stats.vm.v_free_count",
    "vm.stats.vm.v_inactive_count", "security.jail.jailed",
)
RACCT_DISABLED = RacctStatus(enabled=False, present=True,
                             reason="RACCT/RCTL present, but disabled; " + RacctUnavailable.FIX)
RACCT_ABSENT = RacctStatus(enabled=False, present=False,
                           reason="RACCT/RCTL support not present in kernel; "
                                  "build a kernel with options RACCT and RCTL")
ROOT_HINT = "run jailtui as root on the host, not inside a jail"
#: rc.d/jail and the managers run exec.* scripts and wait stop.timeout (10 s) per jail.
CHANGE_TIMEOUT = 600.0
Control = Literal["service", "jail"]


class FreeBSDHost(Host):
    """A FreeBSD host reached through ``runner`` (this machine by default)."""

    def __init__(self, runner: Runner | None = None, *, control: Control = "service",
                 jail_conf: str | None = None, timeout: float = 10.0,
                 change_timeout: float = CHANGE_TIMEOUT,
                 syscall: RacctSyscall | None | bool = None) -> None:
        """``jail_conf`` overrides rc.conf's ``jail_conf`` (default /etc/jail.conf)."""
        self.runner = runner or LocalRunner()
        self.label = self.runner.label
        self.control = control
        self.timeout = timeout
        self.change_timeout = change_timeout
        self.owners = Owners(self.runner.read_text, self.runner.glob,
                             JailConfs(self.runner.read_text, self.runner.glob, jail_conf))
        if syscall is None:
            syscall = RacctSyscall.load() if self.runner.local else False
        self.syscall: RacctSyscall | None = syscall or None
        self._racct: tuple[int, RacctStatus] | None = None

    # -- running commands ------------------------------------------------------------------

    def _run(self, argv: Sequence[str], *, timeout: float | None = None) -> CommandResult:
        return self.runner.run(argv, timeout=timeout or self.timeout)

    def _checked(self, argv: Sequence[str]) -> CommandResult:
        result = self._run(argv)
        if not result.ok:
            raise error_from(result)
        return result

    # -- reading ---------------------------------------------------------------------------

    def host_info(self) -> HostInfo:
        values = parse.parse_sysctl_n(self._checked(("sysctl", "-n", *HOST_OIDS)).stdout, HOST_OIDS)
        boottime = parse.parse_boottime(values["kern.boottime"])
        pagesize = int(values["hw.pagesize"])
        free_pages = int(values["vm.stats.vm.v_free_count"]) + int(values["vm.stats.vm.v_inactive_count"])
        return HostInfo(
            hostname=values["kern.hostname"], osrelease=values["kern.osrelease"],
            osreldate=int(values["kern.osreldate"]), ncpu=int(values["hw.ncpu"]),
            physmem=int(values["hw.physmem"]), pagesize=pagesize, boottime=float(boottime),
            loadavg=parse.parse_loadavg(values["vm.loadavg"]),
            cp_time=parse.parse_cp_time(values["kern.cp_time"]),
            mem_free=free_pages * pagesize, racct=self._racct_status(boottime),
            jailed=values["security.jail.jailed"].strip() == "1")

    def _racct_status(self, boottime: int) -> RacctStatus:
        """kern.racct.enable is a boot-time tunable: read it once per boot."""
        if self._racct is None or self._racct[0] != boottime:
            result = self._run(("sysctl", "-n", "kern.racct.enable"))
            if not result.ok:
                status = RACCT_ABSENT
            elif result.stdout.strip() == "1":
                status = RacctStatus(enabled=True)
            else:
                status = RACCT_DISABLED
            self._racct = (boottime, status)
        return self._racct[1]

    def jails(self) -> list[Jail]:
        """Running jails (jls) and the stopped ones a jail.conf or a manager knows, each with
        its manager and config file."""
        running = parse.parse_jls(self._checked(("jls", "--libxo", "json", "-v")).stdout)
        self.owners.refresh({jail.name: jail.path for jail in running})
        jails = [_owned(jail, self.owners.owner(jail.name, jail.path)) for jail in running]
        names = {jail.name for jail in running}
        jails += [_configured_jail(name, owner, params)
                  for name, (owner, params) in self.owners.configured().items()
                  if name not in names]
        return jails

    def config_warnings(self) -> tuple[str, ...]:
        return self.owners.warnings

    def processes(self, jail: str | None = None) -> list[Process]:
        argv = ["ps", "--libxo", "json", "-ax", "-o", PS_KEYWORDS]
        if jail is not None:
            argv[4:4] = ["-J", jail]
        result = self._run(argv)
        if not result.ok:
            if jail is not None and "Invalid jail id" in result.stderr:
                raise UnknownJail(jail)
            if jail is None or result.stderr.strip():
                raise error_from(result)
        return parse.parse_ps(result.stdout) if result.stdout.strip() else []

    def usage(self, jail: str) -> Usage:
        if self.syscall is not None:
            return parse.parse_rctl_usage(self.syscall.get_racct(f"jail:{jail}:"))
        return parse.parse_rctl_usage(self._checked(("rctl", "-u", f"jail:{jail}")).stdout)

    def rules(self, filter: RuleFilter | None = None) -> list[Rule]:
        argv = ("rctl",) if filter is None else ("rctl", str(filter))
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
        failure = "\n".join(parse.service_failures(r.stdout).get(rc_name(name), "")
                            for r in results if r.argv[0] == "service").strip()
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
        return ["jexec", "-l", "-U", "root", name, *(command or DEFAULT_SHELL)]

    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        result = self._run(("jexec", "-l", "-U", "root", name, *argv), timeout=max(self.timeout, 60.0))
        if not result.ok and result.stderr.startswith("jexec: jail "):
            raise error_from(result)
        return result

    def signal(self, pid: int, signal: str) -> None:
        self._checked(("kill", "-s", signal, str(pid)))


# -- helpers -------------------------------------------------------------------------------

_JAIL_NOT_FOUND = re.compile(r'jail "?([^"]+?)"? not found')


def error_from(result: CommandResult) -> JailtuiError:
    """Map a failed FreeBSD command to the error a user should see (REFERENCE.md 1.5, 3.7-3.9)."""
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
                ip4=_addresses(params.get("ip4.addr", [])), ip6=_addresses(params.get("ip6.addr", [])),
                configured=True, params={k: text(k) for k in params},
                manager=owner.manager, conf=owner.conf)
