"""Editing /etc/rctl.conf (rctl.conf(5)) without disturbing what the admin wrote.

One rule per line as ``rctl -a`` takes it; ``#`` starts a comment; blank lines are ignored
(rc.d/rctl strips comments and feeds each rule to ``rctl -a``). The text functions are pure:
comments, blank lines, unrelated rules and lines that do not parse are kept as they are, and a
line whose rule is unchanged keeps its spelling (shorthand such as ``j:www:memoryuse:deny=512m``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CommandFailed, JailtuiError, NotPermitted
from .model import Rule
from .rctl import RuleFilter, parse_rule

DEFAULT_MODE = 0o644
ROOT_HINT = "run jailtui as root to change it"


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of the file split into its rule text (``start:end``) and the rest."""

    text: str
    start: int
    end: int
    rule: Rule | None
    problem: str = ""

    @property
    def rule_text(self) -> str:
        return self.text[self.start:self.end]

    @property
    def comment(self) -> str:
        return self.text[self.end:].strip()

    def with_rule(self, rule: Rule) -> str:
        return self.text[:self.start] + str(rule) + self.text[self.end:]

    def without_rule(self) -> str | None:
        """The line once its rule is gone: its comment alone, or nothing."""
        return self.comment or None


def _split(text: str) -> tuple[list[str], bool]:
    if not text:
        return [], True
    lines = text.split("\n")
    final_newline = lines[-1] == ""
    return (lines[:-1] if final_newline else lines), final_newline


def _join(lines: list[str], final_newline: bool) -> str:
    body = "\n".join(lines)
    return body + "\n" if lines and final_newline else body


def _line(text: str) -> _Line:
    code = text.split("#", 1)[0]
    stripped = code.strip()
    start = len(code) - len(code.lstrip())
    end = start + len(stripped)
    if not stripped:
        return _Line(text, start, end, None)
    try:
        return _Line(text, start, end, parse_rule(stripped))
    except JailtuiError as exc:
        return _Line(text, start, end, None, str(exc))


def _parsed(text: str) -> tuple[list[_Line], bool]:
    lines, final_newline = _split(text)
    return [_line(line) for line in lines], final_newline


def rules_in(text: str) -> list[tuple[int, str]]:
    """``(line index, rule text)`` for every line that holds a rule, valid or not."""
    return [(i, line.rule_text) for i, line in enumerate(_parsed(text)[0]) if line.rule_text]


def matching(text: str, filter: RuleFilter) -> list[Rule]:
    """The valid rules of the file that ``filter`` matches, in file order."""
    return [line.rule for line in _parsed(text)[0]
            if line.rule is not None and filter.matches(line.rule)]


def problems(text: str) -> list[str]:
    """One message per rule line that does not parse (these lines are never changed)."""
    return [f"line {i + 1}: {line.problem}" for i, line in enumerate(_parsed(text)[0])
            if line.problem]


def _edit(text: str, decide: Callable[[_Line, Rule], str | None]) -> tuple[list[str], bool]:
    """Apply ``decide`` to each line holding a valid rule: the new line, or None to drop it."""
    lines, final_newline = _parsed(text)
    out: list[str] = []
    for line in lines:
        new = line.text if line.rule is None else decide(line, line.rule)
        if new is not None:
            out.append(new)
    return out, final_newline


def with_rule(text: str, rule: Rule) -> str:
    """Set ``rule``: it replaces the rules with the same filter (subject:id:resource:action),
    keeping the first one's place and trailing comment, or it is appended."""
    placed = False

    def decide(line: _Line, old: Rule) -> str | None:
        nonlocal placed
        if old.filter != rule.filter:
            return line.text
        if placed:
            return line.without_rule()
        placed = True
        return line.text if old == rule else line.with_rule(rule)

    out, final_newline = _edit(text, decide)
    if not placed:
        out.append(str(rule))
    return _join(out, final_newline)


def without_rules(text: str, filter: RuleFilter) -> str:
    """Drop the rules matching ``filter``; a dropped line's trailing comment stays."""
    out, final_newline = _edit(
        text, lambda line, rule: line.without_rule() if filter.matches(rule) else line.text)
    return _join(out, final_newline)


def synced(text: str, rules: list[Rule], subject_filter: RuleFilter) -> str:
    """Make the file's rules matching ``subject_filter`` equal ``rules``: unchanged lines stay,
    changed amounts are replaced in place, vanished rules dropped and new ones appended."""
    lines, _ = _parsed(text)
    wanted = list(dict.fromkeys(rules))
    kept = {line.rule for line in lines if line.rule is not None
            and subject_filter.matches(line.rule) and line.rule in wanted}
    pending = [rule for rule in wanted if rule not in kept]
    seen: set[Rule] = set()

    def decide(line: _Line, rule: Rule) -> str | None:
        if not subject_filter.matches(rule):
            return line.text
        if rule in kept and rule not in seen:
            seen.add(rule)
            return line.text
        same = next((new for new in pending if new.filter == rule.filter), None)
        if same is None:
            return line.without_rule()
        pending.remove(same)
        return line.with_rule(same)

    out, final_newline = _edit(text, decide)
    out.extend(str(rule) for rule in pending)
    return _join(out, final_newline)


class RctlConf:
    """The rctl.conf file: read it (missing = empty) and replace it atomically."""

    def __init__(self, path: Path = Path("/etc/rctl.conf")) -> None:
        self.path = Path(path)

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except OSError as exc:
            raise _error("read", self.path, exc) from exc

    def write(self, text: str) -> None:
        """Replace the file: the old content goes to ``.bak``, the new one through a synced temp
        file renamed over it, keeping mode and owner. On failure the file is unchanged."""
        try:
            old = os.stat(self.path)
        except FileNotFoundError:
            old = None
        except OSError as exc:
            raise _error("write", self.path, exc) from exc
        if not self.path.parent.is_dir():
            raise CommandFailed(f"cannot write {self.path}: directory {self.path.parent} "
                                "does not exist")
        mode = old.st_mode & 0o7777 if old else DEFAULT_MODE
        owner = (old.st_uid, old.st_gid) if old else None
        try:
            if old is not None:
                _replace_atomically(self.backup, self.path.read_bytes(), mode, owner)
            _replace_atomically(self.path, text.encode("utf-8"), mode, owner)
        except OSError as exc:
            raise _error("write", self.path, exc) from exc


def _replace_atomically(path: Path, data: bytes, mode: int,
                        owner: tuple[int, int] | None) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), mode)
            if owner is not None:
                with contextlib.suppress(PermissionError):
                    os.fchown(out.fileno(), *owner)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _error(verb: str, path: Path, exc: OSError) -> JailtuiError:
    reason = exc.strerror or str(exc)
    message = f"cannot {verb} {path}: {reason}"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return NotPermitted(message, ROOT_HINT)
    if exc.errno == errno.EROFS:
        return CommandFailed(message, hint="remount the file system read-write")
    return CommandFailed(message)
