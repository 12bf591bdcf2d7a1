"""Editing /etc/rctl.conf (rctl.conf(5)) the way rc.d/rctl reads it, keeping what the admin wrote.

libexec/rc/rc.d/rctl reads the file with ``while read var comments`` and hands ``var`` to
``rctl -a`` unless it is empty or starts with ``#``. So only the FIRST word of a line (split on
blanks) is a rule; ``#`` starts a comment only at the start of that word (``rule#note`` reaches
rctl whole, and fails); the rest of the line is ignored; ``read`` takes backslashes out and
joins a line ending in one to the next; a last line without a newline is never read (``read``
fails at end of file); and in a CRLF file a rule with nothing after it reaches rctl with the CR
attached. :func:`problems` names each line rc.d/rctl would not apply as written.

The text functions are pure and keep everything else as it was: comments, blank lines, line
endings (CRLF stays CRLF), unrelated rules, lines that do not parse, and the spelling of a rule
that is not changed (shorthand such as ``j:www:memoryuse:deny=512m``). Which lines a new rule
replaces follows the kernel (:mod:`.kernel_rules`): a deny rule replaces the deny rules of its
slot (subject, subject-id, resource and per); a rule of any other action replaces only an
identical one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import kernel_rules
from .errors import CommandFailed, JailtuiError, NotPermitted
from .model import Rule, RuleFilter
from .rctl import parse_rule

DEFAULT_MODE = 0o644
ROOT_HINT = "run jailtui as root to change it"
#: rctl.conf is a short list of rules; anything bigger is not one.
MAX_SIZE = 1 << 20
LOCK_WAIT = 10.0
#: read(1)'s default IFS within a line.
_BLANKS = " \t"


@dataclass(frozen=True, slots=True)
class _Line:
    """One line: ``text`` without its ending ``eol``, and its first word ``text[start:end]``."""

    text: str
    eol: str
    start: int
    end: int
    rule: Rule | None
    problem: str = ""
    joined: bool = False

    @property
    def word(self) -> str:
        return self.text[self.start:self.end]

    @property
    def holds_rule(self) -> bool:
        """True when rc.d/rctl would hand this line's first word to ``rctl -a``."""
        return bool(self.word) and not self.word.startswith("#") and not self.joined

    def with_rule(self, rule: Rule) -> str:
        return self.text[:self.start] + str(rule) + self.text[self.end:] + self.eol

    def without_rule(self) -> str | None:
        """The line once its rule is gone: the rest of it as a comment, or nothing."""
        rest = self.text[self.end:].strip(_BLANKS)
        if not rest:
            return None
        return (rest if rest.startswith("#") else f"# {rest}") + self.eol


def _split(text: str) -> list[tuple[str, str]]:
    """``(text, eol)`` per line; only ``\\n`` ends a line, as for read(1)."""
    if not text:
        return []
    pieces = text.split("\n")
    lines = [(piece[:-1], "\r\n") if piece.endswith("\r") else (piece, "\n")
             for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append((pieces[-1], ""))
    return lines


def _line(text: str, eol: str, joined: bool) -> _Line:
    body = text.lstrip(_BLANKS)
    start = len(text) - len(body)
    cut = min((i for i in (body.find(b) for b in _BLANKS) if i >= 0), default=len(body))
    end = start + cut
    word = text[start:end]
    if not word or word.startswith("#"):
        return _Line(text, eol, start, end, None)
    if joined:
        return _Line(text, eol, start, end, None, "joined to the line before (it ends in a "
                     "backslash): rc.d/rctl reads it as part of that line", joined=True)
    if "\\" in word:
        return _Line(text, eol, start, end, None,
                     "holds a backslash, which read(1) in rc.d/rctl takes out: left as written")
    try:
        rule = parse_rule(word)
    except JailtuiError as exc:
        return _Line(text, eol, start, end, None, str(exc))
    if eol == "\r\n" and end == len(text):
        return _Line(text, eol, start, end, rule,
                     "ends in CR LF: rc.d/rctl hands the rule to rctl -a with the CR attached, "
                     "and rctl rejects it (convert the file to LF line endings)")
    if eol == "":
        return _Line(text, eol, start, end, rule,
                     "has no newline at the end: rc.d/rctl never reads this last line")
    return _Line(text, eol, start, end, rule)


def _continues(text: str) -> bool:
    """True when a line ends in an unescaped backslash, which read(1) joins to the next."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _parsed(text: str) -> list[_Line]:
    lines: list[_Line] = []
    joined = False
    for body, eol in _split(text):
        lines.append(_line(body, eol, joined))
        joined = _continues(body)
    return lines


def _eol(lines: Sequence[_Line]) -> str:
    """The ending new lines get: CRLF in a file whose lines mostly end so, else LF."""
    crlf = sum(1 for line in lines if line.eol == "\r\n")
    return "\r\n" if crlf and crlf * 2 >= sum(1 for line in lines if line.eol) else "\n"


def _appended(out: list[str], lines: Sequence[_Line], rules: Sequence[Rule]) -> str:
    """``out`` with ``rules`` appended, each on a terminated line (so rc.d/rctl reads it)."""
    if not rules:
        return "".join(out)
    eol = _eol(lines)
    if out and not out[-1].endswith("\n"):
        out[-1] += eol
    return "".join(out) + "".join(f"{rule}{eol}" for rule in rules)


def rules_in(text: str) -> list[tuple[int, str]]:
    """``(line index, rule text)`` for every line rc.d/rctl would pass to ``rctl -a``."""
    return [(i, line.word) for i, line in enumerate(_parsed(text)) if line.holds_rule]


def matching(text: str, filter: RuleFilter) -> list[Rule]:
    """The valid rules of the file that ``filter`` matches, in file order."""
    return [line.rule for line in _parsed(text)
            if line.rule is not None and filter.matches(line.rule)]


def problems(text: str) -> list[str]:
    """One message per line rc.d/rctl would not apply as written (never changed here)."""
    return [f"line {i + 1}: {line.problem}" for i, line in enumerate(_parsed(text))
            if line.problem]


def new_problems(before: str, after: str) -> list[str]:
    """:func:`problems` of the lines an edit wrote (the lines ``before`` did not have)."""
    old = Counter(line.text + line.eol for line in _parsed(before))
    found = []
    for i, line in enumerate(_parsed(after)):
        raw = line.text + line.eol
        if old[raw] > 0:
            old[raw] -= 1
        elif line.problem:
            found.append(f"line {i + 1}: {line.problem}")
    return found


def _edit(text: str, decide: Callable[[_Line, Rule], str | None]) -> tuple[list[str],
                                                                          list[_Line]]:
    """Apply ``decide`` to each line holding a valid rule: the new line, or None to drop it."""
    lines = _parsed(text)
    out: list[str] = []
    for line in lines:
        new = line.text + line.eol if line.rule is None else decide(line, line.rule)
        if new is not None:
            out.append(new)
    return out, lines


def with_rule(text: str, rule: Rule, replaces: Rule | None = None) -> str:
    """Add ``rule`` as ``rctl -a`` would: it takes the place of the first line it displaces
    (or of ``replaces``, the rule it was edited from), keeping that line's comment; other such
    lines go, their comments kept; with none, it is appended."""
    displaces = kernel_rules.displacing(rule)
    placed = False

    def decide(line: _Line, old: Rule) -> str | None:
        nonlocal placed
        if not (displaces.matches(old) or old == replaces):
            return line.text + line.eol
        if placed:
            return line.without_rule()
        placed = True
        return line.text + line.eol if old == rule else line.with_rule(rule)

    out, lines = _edit(text, decide)
    return _appended(out, lines, [] if placed else [rule])


def without_rules(text: str, filter: RuleFilter) -> str:
    """Drop the rules matching ``filter`` (as ``rctl -r``); a dropped line's comment stays."""
    out, _ = _edit(text, lambda line, rule: line.without_rule() if filter.matches(rule)
                   else line.text + line.eol)
    return "".join(out)


def _slot(rule: Rule) -> tuple[str, ...]:
    return rule.subject, rule.subject_id, rule.resource, rule.action, rule.per


def synced(text: str, rules: Sequence[Rule], scope: RuleFilter) -> str:
    """Make the file's rules matching ``scope`` equal ``rules``: unchanged lines stay, a changed
    amount is replaced in place, vanished rules are dropped and new ones appended."""
    wanted = list(dict.fromkeys(rules))
    present = {line.rule for line in _parsed(text)
               if line.rule is not None and scope.matches(line.rule)}
    pending = [rule for rule in wanted if rule not in present]
    seen: set[Rule] = set()

    def decide(line: _Line, rule: Rule) -> str | None:
        if not scope.matches(rule):
            return line.text + line.eol
        if rule in wanted and rule not in seen:
            seen.add(rule)
            return line.text + line.eol
        same = next((new for new in pending if _slot(new) == _slot(rule)), None)
        if same is None:
            return line.without_rule()
        pending.remove(same)
        return line.with_rule(same)

    out, lines = _edit(text, decide)
    return _appended(out, lines, pending)


def changed(before: str, after: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """``(removed, added)``: the rules an edit took out of the file and put into it."""
    old = Counter(rule for rule in (line.rule for line in _parsed(before)) if rule is not None)
    new = Counter(rule for rule in (line.rule for line in _parsed(after)) if rule is not None)
    return tuple((old - new).elements()), tuple((new - old).elements())


def reverted(text: str, removed: Sequence[Rule], added: Sequence[Rule]) -> str:
    """Undo an edit that took ``removed`` out and put ``added`` in: each removed rule goes back
    in the place of an added one where it can, the other added rules go."""
    for i, rule in enumerate(removed):
        text = with_rule(text, rule, replaces=added[i] if i < len(added) else None)
    for rule in added[len(removed):]:
        text = without_rules(text, rule.exact())
    return text


class RctlConf:
    """The rctl.conf file: a bounded read of a regular file (missing = empty), an atomic
    replace of the file a symlink points to, and a lock around read-modify-write."""

    def __init__(self, path: Path = Path("/etc/rctl.conf")) -> None:
        self.path = Path(path)

    @property
    def target(self) -> Path:
        """The file itself: a symlinked rctl.conf is written through to what it points to."""
        return Path(os.path.realpath(self.path))

    @property
    def backup(self) -> Path:
        target = self.target
        return target.with_name(target.name + ".bak")

    def read(self) -> str:
        data = self._read_bytes()
        return "" if data is None else data.decode("utf-8", errors="surrogateescape")

    def _read_bytes(self) -> bytes | None:
        try:
            self._regular(os.stat(self.path).st_mode)
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _error("read", self.path, exc) from exc
        try:
            self._regular(os.fstat(fd).st_mode)
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_SIZE:
                chunk = os.read(fd, MAX_SIZE + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise _error("read", self.path, exc) from exc
        finally:
            os.close(fd)
        if size > MAX_SIZE:
            raise CommandFailed(f"refusing to read {self.path}: larger than {MAX_SIZE} bytes, "
                                "which is no rctl.conf", hint="check --rctl-conf")
        return b"".join(chunks)

    def _regular(self, mode: int) -> None:
        if not stat.S_ISREG(mode):
            raise CommandFailed(f"refusing to use {self.path} as rctl.conf: it is "
                                f"{_kind(mode)}, not a regular file", hint="check --rctl-conf")

    def write(self, text: str) -> None:
        """Replace the file (the symlink's target): the old content goes to ``.bak``, the new
        one through a synced temp file renamed over it, keeping mode and owner. On failure
        the file is unchanged."""
        target = self.target
        try:
            old = os.stat(target)
        except FileNotFoundError:
            old = None
        except OSError as exc:
            raise _error("write", self.path, exc) from exc
        if old is not None:
            self._regular(old.st_mode)
        if not target.parent.is_dir():
            raise CommandFailed(f"cannot write {self.path}: directory {target.parent} "
                                "does not exist")
        mode = old.st_mode & 0o7777 if old else DEFAULT_MODE
        owner = (old.st_uid, old.st_gid) if old else None
        previous = self._read_bytes() if old is not None else None
        try:
            if previous is not None:
                _replace_atomically(self.backup, previous, mode, owner)
            _replace_atomically(target, text.encode("utf-8", errors="surrogateescape"), mode,
                                owner)
        except OSError as exc:
            raise _error("write", self.path, exc) from exc

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive flock(2) on a lock file beside the file (the file itself is
        replaced by rename, so it cannot carry the lock)."""
        target = self.target
        lock = target.with_name(f".{target.name}.lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except FileNotFoundError:
            raise CommandFailed(f"cannot write {self.path}: directory {target.parent} "
                                "does not exist") from None
        except OSError as exc:
            raise _error("lock", lock, exc) from exc
        try:
            deadline = time.monotonic() + LOCK_WAIT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CommandFailed(f"cannot write {self.path}: another writer has held "
                                            f"{lock} for {LOCK_WAIT:.0f} s") from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)

    def update(self, edit: Callable[[str], str]) -> tuple[str, str]:
        """Read, edit and write under the lock, so concurrent writers never lose a rule;
        returns the text before and after (equal when nothing changed)."""
        with self.locked():
            text = self.read()
            new = edit(text)
            if new != text:
                self.write(new)
            return text, new


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


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
