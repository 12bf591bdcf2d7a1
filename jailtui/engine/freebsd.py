"""FreeBSDHost: the real backend. Builds FreeBSD's own commands, runs them through a Runner and
parses their machine formats (``jls``/``ps`` libxo JSON, raw ``rctl`` lines, ``sysctl -n``).

Sampling (Host.sample) costs a constant number of spawns (sysctl, jls, ps, rctl rule list) plus
racct usage, which comes from the rctl_get_racct syscall when local and otherwise from one shell
that runs ``rctl -u`` for every jail.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from collections.abc import Sequence
from typing import Literal

from . import parse
from .errors import (CommandFailed, HostUnreachable, JailtuiError, NotPermitted, ParseError,
                     RacctUnavailable, UnknownJail, UsageError)
from .host import DEFAULT_SHELL, Host
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
Control = Literal["service", "jail"]


class FreeBSDHost(Host):
    """A FreeBSD host reached through ``runner`` (this machine by default)."""

    def __init__(self, runner: Runner | None = None, *, control: Control = "service",
                 jail_conf: str = "/etc/jail.conf",
                 jail_conf_globs: Sequence[str] = ("/etc/jail.conf.d/*.conf", "/etc/jail.*.conf"),
                 timeout: float = 10.0, syscall: RacctSyscall | None | bool = None) -> None:
        self.runner = runner or LocalRunner()
        self.label = self.runner.label
        self.control = control
        self.jail_conf = jail_conf
        self.jail_conf_globs = tuple(jail_conf_globs)
        self.timeout = timeout
        if syscall is None:
            syscall = RacctSyscall.load() if self.runner.local else False
        self.syscall: RacctSyscall | None = syscall or None
        self._racct: tuple[int, RacctStatus] | None = None

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
        running = parse.parse_jls(self._checked(("jls", "--libxo", "json", "-v")).stdout)
        configured = self._configured()
        names = {jail.name for jail in running}
        jails = [replace(jail, configured=jail.name in configured) for jail in running]
        jails += [conf for name, conf in configured.items() if name not in names]
        return jails

    def _configured(self) -> dict[str, Jail]:
        """Jails named in jail.conf and its usual companions, as STOPPED jails."""
        found: dict[str, Jail] = {}
        paths = [self.jail_conf] + [p for g in self.jail_conf_globs for p in self.runner.glob(g)]
        for path in paths:
            text = self.runner.read_text(path)
            if text is None:
                continue
            try:
                conf = parse.parse_jail_conf(text)
            except JailtuiError:
                continue
            for entry in conf.jails:
                found.setdefault(entry.name, _configured_jail(entry))
        return found

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
        argv = ("rctl",) if filter is None else ("rctl", str(filter))
        return parse.parse_rctl_rules(self._checked(argv).stdout)

    # -- changing --------------------------------------------------------------------------

    def add_rule(self, rule: Rule) -> None:
        self._checked(("rctl", "-a", str(rule)))

    def remove_rules(self, filter: RuleFilter) -> None:
        self._checked(("rctl", "-r", str(filter)))

    def start(self, name: str) -> ActionResult:
        argv = (("service", "jail", "onestart", name) if self.control == "service"
                else ("jail", "-c", name))
        return self._change("start", name, argv, want_running=True)

    def stop(self, name: str) -> ActionResult:
        argv = (("service", "jail", "onestop", name) if self.control == "service"
                else ("jail", "-r", name))
        return self._change("stop", name, argv, want_running=False)

    def restart(self, name: str) -> ActionResult:
        argv = (("service", "jail", "onerestart", name) if self.control == "service"
                else ("jail", "-rc", name))
        return self._change("restart", name, argv, want_running=True)

    def _change(self, action: str, name: str, argv: Sequence[str], *,
                want_running: bool) -> ActionResult:
        """Run the command, then ask jls: ``service jail`` exits 0 even when a jail fails."""
        result = self.runner.run(argv, timeout=max(self.timeout, 120.0),
                                 leave_running_on_timeout=True)
        check = self._run(("jls", "--libxo", "json", "-v", "-j", name))
        jid = None
        if check.ok:
            found = parse.parse_jls(check.stdout)
            jid = found[0].jid if found else None
        ok = result.ok and (jid is not None) == want_running
        output = result.output
        if ok:
            message = output or f"{name}: {action} done"
        else:
            failure = parse.service_failures(result.stdout).get(name, "") if argv[0] == "service" else ""
            detail = _last_line(failure or output)
            state = f"running as JID {jid}" if jid is not None else "not running"
            message = f"{action} {name} failed: {detail}" if detail else f"{action} {name} failed: jail is {state}"
            if failure:
                output = failure
        return ActionResult(action, name, ok, message, (result, check), jid)

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

#: One ``rctl -u`` per argument, each framed by MARK lines; "MARK STATUS" closes a section.
USAGE_SCRIPT = 'for j; do echo "MARK"; rctl -u "jail:$j" 2>&1; echo "MARK $?"; done'
#: Failures of ``rctl -u`` that hold for every jail: one warning, not one per jail.
_REFUSALS = (NotPermitted, RacctUnavailable, HostUnreachable)


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


def _configured_jail(entry: parse.JailConf) -> Jail:
    params = entry.params

    def text(key: str) -> str:
        value = params.get(key, "")
        return ",".join(value) if isinstance(value, list) else value

    return Jail(name=entry.name, jid=None, state=JailState.STOPPED,
                hostname=text("host.hostname"), path=text("path"),
                ip4=_addresses(params.get("ip4.addr", [])), ip6=_addresses(params.get("ip6.addr", [])),
                configured=True, params={k: text(k) for k in params})
