"""The audit log: one line per attempted change, who made it, on which host, and how it ended.

``2026-11-22T10:00:00Z user=root host=demo action=rctl-add target=jail:www:pcpu:deny=50 result=ok``

Values that need it are double-quoted, runs of spaces, tabs and newlines collapse to one space
and every other control is made visible (:func:`~jailtui.engine.vis.vis`), so every record stays
one line of text a terminal only displays, and ``shlex.split`` reads it back. A record is written
whole or cut off by a newline (a short write on a full disk never glues half a record to the
next), and writing the log never breaks the change it records: its failure is returned as a
warning.
"""

from __future__ import annotations

import errno
import getpass
import os
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from .errors import JailtuiError
from .vis import vis

MEMORY_LINES = 1000
_SAFE = re.compile(r"[\w@%+=:,./()\-]+")
_BLANKS = re.compile(r"[ \t\n]+")


class _Default(Enum):
    PATH = "default"


DEFAULT = _Default.PATH


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """The line recorded, and why it could not be written (None when it was, or logging is off)."""

    line: str
    error: str | None = None

    def __str__(self) -> str:
        return self.line


def default_path() -> Path:
    """``$XDG_STATE_HOME/jailtui/audit.log``, else ``~/.local/state/jailtui/audit.log``."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jailtui" / "audit.log"


def current_user() -> str:
    """The login name, with the sudo caller in front when there is one: ``alice(root)``."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = f"uid{os.getuid()}"
    sudo = os.environ.get("SUDO_USER")
    return f"{sudo}({user})" if sudo and sudo != user else user


def quote(value: str) -> str:
    """One word on one line, double-quoted when needed (``shlex.split`` reads it back);
    runs of blanks, newlines included, become one space, other controls are made visible."""
    value = vis(_BLANKS.sub(" ", value).strip(" "))
    if _SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def error_line(exc: BaseException) -> str:
    """One line for a status bar or a record: a JailtuiError's message, ``Type: msg`` otherwise."""
    text = str(exc) if isinstance(exc, JailtuiError) else (
        f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return " ".join(text.split())


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AuditLog:
    """Appends records to ``path`` (the default location unless given; None writes nothing)."""

    def __init__(self, path: Path | _Default | None = DEFAULT, *,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = default_path() if isinstance(path, _Default) else path
        self.clock = clock
        self._recent: deque[str] = deque(maxlen=MEMORY_LINES)

    def format(self, action: str, target: str, result: str, host: str, detail: str = "") -> str:
        stamp = self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fields = [("user", current_user()), ("host", host), ("action", action),
                  ("target", target), ("result", result)]
        if detail:
            fields.append(("detail", detail))
        return " ".join([stamp, *(f"{key}={quote(value)}" for key, value in fields)])

    def record(self, action: str, target: str, result: str, host: str,
               detail: str = "") -> AuditRecord:
        """Append one line; a write failure is returned in ``error``, never raised."""
        line = self.format(action, target, result, host, detail)
        self._recent.append(line)
        if self.path is None:
            return AuditRecord(line)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            return AuditRecord(line, f"audit log {self.path} not written: {_reason(exc)}")
        try:
            problem = _append(fd, line.encode("utf-8"), _cut_off(self.path))
        finally:
            os.close(fd)
        if problem is not None:
            return AuditRecord(line, f"audit log {self.path} {problem}")
        return AuditRecord(line)

    def tail(self, n: int = 50) -> list[str]:
        """The last ``n`` records, oldest first: from the file, else from this session."""
        if n <= 0:
            return []
        if self.path is not None:
            try:
                with open(self.path, encoding="utf-8", errors="replace") as log:
                    return [line.rstrip("\n") for line in deque(log, maxlen=n)]
            except OSError:
                pass
        return list(self._recent)[-n:]


def _cut_off(path: Path) -> bool:
    """Whether the log ends inside a line (a record cut short, by this or another process)."""
    try:
        with open(path, "rb") as log:
            size = os.fstat(log.fileno()).st_size
            return size > 0 and os.pread(log.fileno(), 1, size - 1) != b"\n"
    except OSError:
        return False


def _append(fd: int, record: bytes, cut_off: bool) -> str | None:
    """Write ``record`` and its newline (after a newline ending a cut-off line): loops over
    short writes; when the disk refuses the rest, ends the partial line. Returns what failed."""
    data = memoryview((b"\n" if cut_off else b"") + record + b"\n")
    total = len(data)
    written = 0
    try:
        while written < total:
            count = os.write(fd, data[written:])
            if count <= 0:
                raise OSError(errno.EIO, "the system wrote nothing")
            written += count
    except OSError as exc:
        if written == 0:
            return f"not written: {_reason(exc)}"
        try:
            os.write(fd, b"\n")
        except OSError:
            pass
        return f"holds a record cut short ({written} of {total} bytes): {_reason(exc)}"
    return None


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
