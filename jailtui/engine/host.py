"""The Host interface every backend implements: read jails, processes, racct; change them.

Backends: :class:`~jailtui.engine.freebsd.FreeBSDHost` (real commands through a Runner) and
:class:`~jailtui.engine.simulated.SimulatedHost` (the demo). Methods raise
:class:`~jailtui.engine.errors.JailtuiError` subclasses with one-line messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from .model import ActionResult, CommandResult, HostInfo, Jail, Process, Rule, Sample, Usage
from .rctl import RuleFilter

DEFAULT_SHELL: tuple[str, ...] = ("/bin/sh",)


class Host(ABC):
    """A FreeBSD host as jailtui sees it. Jails are addressed by name, never by JID."""

    #: Short label for headers and audit lines, e.g. ``local`` or ``demo``.
    label: str = "host"

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
    def start(self, name: str) -> ActionResult:
        """Start a configured jail and confirm it runs."""

    @abstractmethod
    def stop(self, name: str) -> ActionResult:
        """Stop a running jail and confirm it is gone."""

    @abstractmethod
    def restart(self, name: str) -> ActionResult:
        """Stop and start a jail; it comes back with a new JID."""

    @abstractmethod
    def shell_argv(self, name: str, command: Sequence[str] = ()) -> list[str]:
        """argv that opens an interactive shell (or ``command``) inside the jail, for the terminal."""

    @abstractmethod
    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        """Run one command inside a jail and capture its output."""

    @abstractmethod
    def signal(self, pid: int, signal: str) -> None:
        """Send ``signal`` (TERM, KILL, HUP, ...) to a process."""

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

    def cancel(self) -> None:
        """Stop the commands still running for this host (those left running finish)."""

    def sample(self) -> Sample:
        """Everything in one pass: a constant number of commands plus racct usage (see
        :meth:`usages`).
        """
        import time

        from .errors import JailtuiError

        info = self.host_info()
        jails = self.jails()
        processes = self.processes()
        usage: dict[str, Usage] = {}
        warnings: list[str] = []
        rules: list[Rule] = []
        if info.racct.enabled:
            try:
                rules = self.rules(RuleFilter(subject="jail"))
            except JailtuiError as exc:
                warnings.append(str(exc))
            usage, problems = self.usages([jail.name for jail in jails if jail.running])
            warnings += problems
        return Sample(time=time.time(), monotonic=time.monotonic(), host=info,
                      jails=tuple(jails), processes=tuple(processes), usage=usage,
                      rules=tuple(rules), warnings=tuple(warnings))
