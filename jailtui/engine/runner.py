"""How a command reaches a host: argv only, never a shell string, a timeout on every call.

Each local command runs in a session of its own, so a timeout (or :meth:`Runner.cancel` when
the dashboard quits) kills its whole process group, children included; what it prints is read
up to a bound, beyond which the command is stopped and the error names the tool and the size.
"""

from __future__ import annotations

import os
import selectors
import shlex
import signal
import stat
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import IO

from .errors import ChangeTimedOut, HostUnreachable, ParseError
from .model import CommandResult

DEFAULT_TIMEOUT = 10.0
#: The most jailtui reads from one command: ps of 20,000 processes prints about 7 MiB.
MAX_OUTPUT = 32 * 1024 * 1024
#: Files whose text LocalRunner keeps between reads (configuration files, jails' passwd).
TEXT_CACHE = 4096
#: The locale every tool runs in (lib/libc/locale/setlocale.c: a non-empty LC_ALL wins, then
#: LC_<category>, then LANG). Characters are UTF-8, so ps's strvis(3) keeps non-ASCII command
#: lines (in the C locale it encodes every byte >= 0x80 as ``M-x``); numbers, dates and messages
#: stay C, so "0.5", lstart's "%c" and error texts parse. LC_ALL is emptied, not removed, so a
#: value in jailtui's own environment cannot override the categories.
C_LOCALE = {"LC_ALL": "", "LANG": "C.UTF-8", "LC_CTYPE": "C.UTF-8", "LC_COLLATE": "C",
            "LC_MESSAGES": "C", "LC_MONETARY": "C", "LC_NUMERIC": "C", "LC_TIME": "C"}
_CHUNK = 64 * 1024
#: How long to wait for a killed process group to be reaped before leaving it.
_REAP_WAIT = 1.0


class Runner(ABC):
    """Runs argv on a host and returns what it printed; raises HostUnreachable when it cannot."""

    label: str = "local"
    local: bool = True

    @abstractmethod
    def run(self, argv: Sequence[str], *, timeout: float | None = DEFAULT_TIMEOUT,
            leave_running_on_timeout: bool = False) -> CommandResult:
        """Run ``argv`` to completion; a non-zero exit is a result, not an exception.

        When ``timeout`` passes the command is killed, its whole process group, unless
        ``leave_running_on_timeout`` (changes: rc.d/jail, a jail manager): then it is not killed
        but left to finish on its own, and ChangeTimedOut is raised.
        """

    @abstractmethod
    def read_text(self, path: str) -> str | None:
        """The text of a file on the host, or None when it does not exist."""

    @abstractmethod
    def glob(self, pattern: str) -> list[str]:
        """Paths on the host matching a shell glob, sorted."""

    def cancel(self) -> None:  # noqa: B027 (a hook: most runners have nothing to kill)
        """Kill every command still running through this runner, except those left running."""


def not_found(tool: str) -> HostUnreachable:
    return HostUnreachable(f"{tool}: command not found",
                           "jailtui needs FreeBSD's base tools; use --demo elsewhere")


def too_large(argv: Sequence[str], limit: int) -> ParseError:
    return ParseError(f"{argv[0]}: answer larger than {_size(limit)}; stopped reading",
                      "jailtui reads at most this much from one command")


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def _text(data: bytes) -> str:
    """Bytes as text the way text-mode pipes read them: UTF-8, universal newlines."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group of ``proc`` (its own session), then reap it briefly."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(_REAP_WAIT)
    except subprocess.TimeoutExpired:
        pass


class LocalRunner(Runner):
    """Runs commands on this machine with :mod:`subprocess`."""

    def __init__(self, env: dict[str, str] | None = None, *, max_output: int = MAX_OUTPUT) -> None:
        self.env = {**os.environ, **C_LOCALE, **(env or {})}
        self.max_output = max_output
        #: path -> (device, inode, size, mtime, ctime), text: the configuration files are
        #: read at every sample, and read again only when one of those changed.
        self._texts: dict[str, tuple[tuple[int, ...], str]] = {}
        self._running: set[subprocess.Popen[bytes]] = set()
        self._cancelled: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def run(self, argv: Sequence[str], *, timeout: float | None = DEFAULT_TIMEOUT,
            leave_running_on_timeout: bool = False) -> CommandResult:
        argv = tuple(argv)
        if leave_running_on_timeout:
            return self._run_detached(argv, timeout)
        proc = self._spawn(argv, subprocess.PIPE, subprocess.PIPE)
        with self._lock:
            self._running.add(proc)
        try:
            stdout, stderr = self._collect(proc, argv, timeout)
        finally:
            with self._lock:
                self._running.discard(proc)
                cancelled = proc in self._cancelled
                self._cancelled.discard(proc)
        if cancelled:
            raise HostUnreachable(f"{argv[0]}: cancelled")
        return CommandResult(argv, proc.returncode, _text(stdout), _text(stderr))

    def cancel(self) -> None:
        with self._lock:
            running = list(self._running)
            self._cancelled.update(running)
        for proc in running:
            _kill_group(proc)

    def _spawn(self, argv: tuple[str, ...], stdout: int | IO[bytes],
               stderr: int | IO[bytes]) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                    env=self.env, start_new_session=True)
        except FileNotFoundError:
            raise not_found(argv[0]) from None
        except PermissionError as exc:
            raise HostUnreachable(f"{argv[0]}: {exc.strerror}") from None

    def _collect(self, proc: subprocess.Popen[bytes], argv: tuple[str, ...],
                 timeout: float | None) -> tuple[bytes, bytes]:
        """Read both pipes to their end within ``timeout`` and at most ``max_output`` bytes."""
        deadline = None if timeout is None else time.monotonic() + timeout
        chunks: dict[int, list[bytes]] = {proc.stdout.fileno(): [], proc.stderr.fileno(): []}  # type: ignore[union-attr]
        total = 0
        with selectors.DefaultSelector() as selector:
            for fd in chunks:
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    _kill_group(proc)
                    raise _no_answer(argv, timeout)
                for key, _ in selector.select(left):
                    data = os.read(key.fd, _CHUNK)
                    if not data:
                        selector.unregister(key.fd)
                        continue
                    total += len(data)
                    if total > self.max_output:
                        _kill_group(proc)
                        raise too_large(argv, self.max_output)
                    chunks[key.fd].append(data)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            proc.wait(left)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise _no_answer(argv, timeout) from None
        stdout, stderr = (b"".join(part) for part in chunks.values())
        return stdout, stderr

    def _run_detached(self, argv: tuple[str, ...], timeout: float | None) -> CommandResult:
        """Output goes to unlinked files, so a command left running never meets a closed pipe."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = self._spawn(argv, out, err)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                threading.Thread(target=proc.wait, name=f"reap {argv[0]}", daemon=True).start()
                raise ChangeTimedOut(argv, timeout) from None
            stdout, stderr = (self._bounded(f, argv) for f in (out, err))
        return CommandResult(argv, proc.returncode, stdout, stderr)

    def _bounded(self, file: IO[bytes], argv: tuple[str, ...]) -> str:
        file.seek(0)
        data = file.read(self.max_output + 1)
        if len(data) > self.max_output:
            raise too_large(argv, self.max_output)
        return _text(data)

    def read_text(self, path: str) -> str | None:
        """A regular file's text, at most ``max_output`` bytes (a FIFO or device never blocks)."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HostUnreachable(f"cannot read {path}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise HostUnreachable(f"cannot read {path}: not a regular file")
            key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            cached = self._texts.get(path)
            if cached is not None and cached[0] == key:
                return cached[1]
            try:
                data = file.read(self.max_output + 1)
            except OSError as exc:
                raise HostUnreachable(f"cannot read {path}: {exc.strerror}") from None
        if len(data) > self.max_output:
            raise ParseError(f"{path}: larger than {_size(self.max_output)}; not read")
        text = _text(data)
        if len(self._texts) >= TEXT_CACHE:
            self._texts.clear()
        self._texts[path] = (key, text)
        return text

    def glob(self, pattern: str) -> list[str]:
        import glob

        return sorted(glob.glob(pattern))


def _command(argv: Sequence[str]) -> str:
    return shlex.join(argv)


def _no_answer(argv: Sequence[str], timeout: float | None) -> HostUnreachable:
    return HostUnreachable(f"{_command(argv)}: no answer after {timeout:g} s")
