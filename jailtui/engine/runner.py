"""How a command reaches a host: argv only, never a shell string, a timeout on every call."""

from __future__ import annotations

import os
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from .errors import HostUnreachable
from .model import CommandResult

DEFAULT_TIMEOUT = 10.0
#: The locale every tool runs in (lib/libc/locale/setlocale.c: a non-empty LC_ALL wins, then
#: LC_<category>, then LANG). Characters are UTF-8, so ps's strvis(3) keeps non-ASCII command
#: lines (in the C locale it encodes every byte >= 0x80 as ``M-x``); numbers, dates and messages
#: stay C, so "0.5", lstart's "%c" and error texts parse. LC_ALL is emptied, not removed, so a
#: value in jailtui's own environment cannot override the categories.
C_LOCALE = {"LC_ALL": "", "LANG": "C.UTF-8", "LC_CTYPE": "C.UTF-8", "LC_COLLATE": "C",
            "LC_MESSAGES": "C", "LC_MONETARY": "C", "LC_NUMERIC": "C", "LC_TIME": "C"}


class Runner(ABC):
    """Runs argv on a host and returns what it printed; raises HostUnreachable when it cannot."""

    label: str = "local"
    local: bool = True

    @abstractmethod
    def run(self, argv: Sequence[str], *, timeout: float | None = DEFAULT_TIMEOUT) -> CommandResult:
        """Run ``argv`` to completion; a non-zero exit is a result, not an exception."""

    @abstractmethod
    def read_text(self, path: str) -> str | None:
        """The text of a file on the host, or None when it does not exist."""

    @abstractmethod
    def glob(self, pattern: str) -> list[str]:
        """Paths on the host matching a shell glob, sorted."""


class LocalRunner(Runner):
    """Runs commands on this machine with :mod:`subprocess`."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = {**os.environ, **C_LOCALE, **(env or {})}

    def run(self, argv: Sequence[str], *, timeout: float | None = DEFAULT_TIMEOUT) -> CommandResult:
        argv = tuple(argv)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                                  timeout=timeout, env=self.env, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise HostUnreachable(f"{argv[0]}: command not found",
                                  "jailtui needs FreeBSD's base tools; use --demo elsewhere") from None
        except PermissionError as exc:
            raise HostUnreachable(f"{argv[0]}: {exc.strerror}") from None
        except subprocess.TimeoutExpired:
            raise HostUnreachable(f"{' '.join(argv)}: no answer after {timeout:g} s") from None
        return CommandResult(argv, proc.returncode, proc.stdout, proc.stderr)

    def read_text(self, path: str) -> str | None:
        try:
            return Path(path).read_text(errors="replace")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HostUnreachable(f"cannot read {path}: {exc.strerror}") from None

    def glob(self, pattern: str) -> list[str]:
        import glob

        return sorted(glob.glob(pattern))
