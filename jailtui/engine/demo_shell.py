"""The demo's shell: a line-based shell in a simulated jail, for the dashboard's ``c`` and for
``jailtui console`` on the demo host.

Nothing runs on the machine: each line is split as a shell would split it and handed to
:meth:`Actions.run`, the path of ``!`` (audited, refused read-only), which asks the simulated
host (``run_in_jail``). ``exit`` and ``logout`` leave.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from .actions import Actions
from .errors import JailtuiError

LEAVE = ("exit", "logout")


@dataclass(frozen=True, slots=True)
class Reply:
    """What one line printed, its exit status, and whether the shell has ended."""

    stdout: str = ""
    stderr: str = ""
    status: int = 0
    done: bool = False


class DemoShell:
    """A shell in the simulated jail ``jail`` whose commands run through ``actions``."""

    def __init__(self, actions: Actions, jail: str) -> None:
        self.actions = actions
        self.jail = jail
        self.status = 0

    @property
    def banner(self) -> str:
        commands = getattr(self.actions.host, "commands", lambda: ())()
        known = f" It knows {', '.join(commands)}." if commands else ""
        return (f"jailtui demo: a simulated shell in simulated jail {self.jail}; nothing runs "
                f"on this machine.{known} exit leaves.")

    @property
    def prompt(self) -> str:
        return f"root@{self.jail}:/ # "

    def run(self, line: str) -> Reply:
        """Run one command line (never raises: an error is what the shell prints)."""
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            return self._reply(Reply(stderr=f"sh: {exc}\n", status=2))
        if not argv:
            return Reply(status=self.status)
        if argv[0] in LEAVE:
            return Reply(status=self.status, done=True)
        try:
            result = self.actions.run(self.jail, argv)
        except JailtuiError as exc:
            return self._reply(Reply(stderr=f"{exc}\n", status=1))
        return self._reply(Reply(result.stdout, result.stderr, result.returncode))

    def _reply(self, reply: Reply) -> Reply:
        self.status = reply.status
        return reply
