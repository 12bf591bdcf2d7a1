"""The Host interface every backend implements: read jails, processes, racct; change them.

Backends: :class:`~jailtui.engine.freebsd.FreeBSDHost` (real commands through a Runner) and
:class:`~jailtui.engine.simulated.SimulatedHost` (the demo). Methods raise
:class:`~jailtui.engine.errors.JailtuiError` subclasses with one-line messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from .errors import JailtuiError
from .managers import ControlPlan, Refused, RuleKeeping
from .model import (
    ActionResult,
    CommandResult,
    HostInfo,
    Jail,
    Process,
    ProcessIdentity,
    Rule,
    Sample,
    Usage,
)
from .rctl import RuleFilter
from .vis import vis

DEFAULT_SHELL: tuple[str, ...] = ("/bin/sh",)
#: How far two readings of one start time may differ: ps prints whole seconds, psutil a float.
START_SLACK = 1.5


class ProcessChanged(JailtuiError):
    """The PID no longer names the process the operator saw (it exited, or was reused)."""


class Host(ABC):
    """A FreeBSD host as jailtui sees it. Jails are addressed by name, never by JID."""

    #: Short label for headers and audit lines, e.g. ``local`` or ``demo``.
    label: str = "host"
    #: The demo: its jails live in this process only, nothing runs on the machine; a shell
    #: in one of them is the demo's simulated shell (:mod:`.demo_shell`), never a real one.
    simulated: bool = False

    @abstractmethod
    def host_info(self) -> HostInfo:
        """Identity, CPU, memory and racct status of the host."""

    @abstractmethod
    def jails(self) -> list[Jail]:
        """Running jails and configured-but-stopped ones, running first in JID order."""

    def jail(self, name: str) -> Jail:
        """The jail called ``name`` (or with JID ``name``); raises UnknownJail."""
        from .errors import UnknownJail

        for jail in self.jails():
            if jail.answers_to(name):
                return jail
        raise UnknownJail(name)

    @abstractmethod
    def processes(self, jail: str | None = None) -> list[Process]:
        """Processes of one jail (by name), or of every jail and the host when ``jail`` is None."""

    @abstractmethod
    def usage(self, jail: str) -> Usage:
        """racct usage of a jail; raises RacctUnavailable when accounting is off."""

    @abstractmethod
    def rules(self, filter: RuleFilter | None = None) -> list[Rule]:
        """rctl rules matching ``filter`` (all rules when None)."""

    @abstractmethod
    def add_rule(self, rule: Rule) -> None:
        """Apply a validated rule live (``rctl -a``)."""

    @abstractmethod
    def remove_rules(self, filter: RuleFilter) -> None:
        """Remove every rule matching ``filter`` (``rctl -r``); raises when none matched."""

    @abstractmethod
    def plan(self, action: str, jail: Jail) -> ControlPlan:
        """How ``action`` (start, stop, restart) of ``jail`` would be done, or why not."""

    @abstractmethod
    def execute(self, plan: ControlPlan, jail: Jail) -> ActionResult:
        """Run ``plan`` (refusals already dealt with) and confirm the jail's state after it;
        ``jail`` is the jail as it was before."""

    def change(self, action: str, name: str, *, force: bool = False,
               jail: Jail | None = None) -> ActionResult:
        """Start, stop or restart jail ``name`` the way its owner does it; raises Refused when
        that would skip its teardown (``force`` lifts that for a jail made by hand)."""
        jail = jail if jail is not None else self.jail(name)
        plan = self.plan(action, jail)
        if plan.refused and not (force and plan.forceable):
            raise Refused(plan.refusal, plan.hint)
        return self.execute(plan, jail)

    def start(self, name: str, *, force: bool = False) -> ActionResult:
        """Start a configured jail and confirm it runs."""
        return self.change("start", name, force=force)

    def stop(self, name: str, *, force: bool = False) -> ActionResult:
        """Stop a running jail and confirm it is gone."""
        return self.change("stop", name, force=force)

    def restart(self, name: str, *, force: bool = False) -> ActionResult:
        """Stop and start a jail and confirm it runs again with a new JID."""
        return self.change("restart", name, force=force)

    def rule_keeping(self, rule: Rule) -> RuleKeeping | None:
        """How ``rule`` survives its jail's restarts when a jail manager runs the jail (its
        command, or a note); None when no manager does (rctl.conf is the place)."""
        return None

    def keep_rule(self, keeping: RuleKeeping) -> tuple[CommandResult, ...]:
        """Run the manager's commands of ``keeping``; CommandFailed when one fails or the
        manager did not record the rule."""
        return ()

    def config_warnings(self) -> tuple[str, ...]:
        """Problems met reading the jails' configuration in the last :meth:`jails`."""
        return ()

    @abstractmethod
    def shell_argv(self, name: str, command: Sequence[str] = ()) -> list[str]:
        """argv that opens an interactive shell (or ``command``) inside the jail, for the
        terminal."""

    @abstractmethod
    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        """Run one command inside a jail and capture its output."""

    @abstractmethod
    def signal(self, pid: int, signal: str) -> None:
        """Send ``signal`` (TERM, KILL, HUP, ...) to a process."""

    @abstractmethod
    def process_identity(self, pid: int) -> ProcessIdentity | None:
        """The jail and start time of ``pid`` now; None when no process has that PID."""

    def check_process(self, seen: Process) -> None:
        """Raise ProcessChanged unless ``seen.pid`` is still the process that was seen: in the
        same jail and started at the same time. PIDs are reused, so a stale view must never
        signal whatever process got the number since."""
        what = f"PID {seen.pid} ({vis(seen.command)})" if seen.command else f"PID {seen.pid}"
        hint = "look at the process list again"
        if seen.start is None:
            raise ProcessChanged(f"nothing sent: the start time of {what} is unknown, so it "
                                 "cannot be told from a process that reused the PID", hint)
        now = self.process_identity(seen.pid)
        if now is None:
            raise ProcessChanged(f"nothing sent: {what} has exited", hint)
        if now.jid is not None and now.jid != seen.jid:
            where = "on the host" if now.jid == 0 else f"in the jail with JID {now.jid}"
            raise ProcessChanged(f"nothing sent: {what} is gone; PID {seen.pid} is now a "
                                 f"process {where}", hint)
        if now.start is not None and abs(now.start - seen.start) > START_SLACK:
            raise ProcessChanged(f"nothing sent: {what} is gone; PID {seen.pid} was reused by "
                                 f"a process started {_clock(now.start)}, not "
                                 f"{_clock(seen.start)}", hint)

    def shell_note(self, name: str) -> str:
        """What the operator should know about the shell :meth:`shell_argv` opens ("")."""
        return ""

    def sampled_processes(self) -> Sequence[Process]:
        """Every process, for :meth:`sample`: :meth:`processes` unless a host has a cheaper
        sequence of the same processes."""
        return self.processes()

    def drain_warnings(self) -> list[str]:
        """Problems the reads since the last call got past (an odd jail skipped, a figure
        unknown); :meth:`sample` reports them."""
        return []

    def usages(self, names: Sequence[str]) -> tuple[dict[str, Usage], list[str]]:
        """racct usage of the running jails ``names``, and what could not be read.

        A jail whose usage cannot be read becomes a warning naming it; a refusal that applies
        to every jail (no privilege, racct off) is one warning and stops asking.
        """
        from .errors import JailtuiError, NotPermitted, RacctUnavailable

        usage: dict[str, Usage] = {}
        warnings: list[str] = []
        for name in names:
            try:
                usage[name] = self.usage(name)
            except (NotPermitted, RacctUnavailable) as exc:
                warnings.append(str(exc))
                break
            except JailtuiError as exc:
                warnings.append(f"{name}: {exc}")
        return usage, warnings

    def cancel(self) -> None:  # noqa: B027 (a hook: most hosts have nothing to stop)
        """Stop the commands still running for this host (those left running finish)."""

    def sample(self) -> Sample:
        """Everything in one pass: a constant number of commands plus racct usage (see
        :meth:`usages`). Rules that cannot be listed leave ``rules_error`` set, so they never
        read as "no rules".
        """
        import time

        from .errors import JailtuiError

        info = self.host_info()
        jails = self.jails()
        processes = self.sampled_processes()
        usage: dict[str, Usage] = {}
        config = self.config_warnings()
        warnings: list[str] = [*config, *self.drain_warnings()]
        rules: list[Rule] = []
        rules_error: str | None = None
        if not info.racct.enabled:
            rules_error = info.racct.explained or "racct is off"
        else:
            try:
                rules = self.rules(RuleFilter(subject="jail"))
            except JailtuiError as exc:
                rules_error = str(exc)
                warnings.append(rules_error)
            usage, problems = self.usages([jail.name for jail in jails if jail.running])
            warnings += problems
        return Sample(time=time.time(), monotonic=time.monotonic(), host=info,
                      jails=tuple(jails),
                      processes=tuple(processes) if isinstance(processes, list) else processes,
                      usage=usage,
                      rules=tuple(rules), warnings=tuple(warnings), rules_error=rules_error,
                      config_warnings=tuple(config))


def _clock(epoch: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))
