"""The rctl(8) rule grammar: resource catalogue, parsing, formatting and validation.

Checks mirror what rctl(8) and the kernel (kern_rctl.c) enforce, so that a rule is refused here
with a message naming the bad field instead of by the kernel with a bare ``Invalid argument``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import RuleError
from .model import Rule, RuleFilter


class Unit(StrEnum):
    SECONDS = "s"
    BYTES = "B"
    COUNT = "count"
    PERCENT = "%"
    BYTES_PER_SECOND = "B/s"
    OPS_PER_SECOND = "ops/s"


UNIT_WORDS: dict[Unit, str] = {
    Unit.SECONDS: "in seconds", Unit.BYTES: "in bytes", Unit.COUNT: "a count",
    Unit.PERCENT: "in percent of one CPU core", Unit.BYTES_PER_SECOND: "in bytes per second",
    Unit.OPS_PER_SECOND: "in operations per second",
}


@dataclass(frozen=True, slots=True)
class Resource:
    """One racct resource; ``index`` is the kernel's, which is also the order of ``rctl -u``.

    The flags are kern_racct.c's ``racct_types``; ``in_millions`` (RACCT_IN_MILLIONS) means the
    kernel keeps the amount times 10**6, so a rule amount above INT64_MAX / 10**6 is ERANGE.
    """

    name: str
    index: int
    description: str
    unit: Unit
    deniable: bool = True
    sloppy: bool = False
    decaying: bool = False
    in_millions: bool = False

    @property
    def throttleable(self) -> bool:
        return self.decaying and self.name != "pcpu"

    @property
    def takes_size_suffix(self) -> bool:
        return self.unit in (Unit.BYTES, Unit.BYTES_PER_SECOND)


def _catalogue() -> dict[str, Resource]:
    rows = [
        ("cputime", "CPU time", Unit.SECONDS, dict(deniable=False, in_millions=True)),
        ("datasize", "data segment size", Unit.BYTES, {}),
        ("stacksize", "stack size", Unit.BYTES, {}),
        ("coredumpsize", "core dump size", Unit.BYTES, {}),
        ("memoryuse", "resident set size", Unit.BYTES, {}),
        ("memorylocked", "locked memory", Unit.BYTES, {}),
        ("maxproc", "number of processes", Unit.COUNT, {}),
        ("openfiles", "file descriptor table size", Unit.COUNT, {}),
        ("vmemoryuse", "address space size", Unit.BYTES, {}),
        ("pseudoterminals", "number of PTYs", Unit.COUNT, dict(sloppy=True)),
        ("swapuse", "swap space", Unit.BYTES, dict(sloppy=True)),
        ("nthr", "number of threads", Unit.COUNT, {}),
        ("msgqqueued", "queued SysV messages", Unit.COUNT, dict(sloppy=True)),
        ("msgqsize", "SysV message queue size", Unit.BYTES, dict(sloppy=True)),
        ("nmsgq", "SysV message queues", Unit.COUNT, dict(sloppy=True)),
        ("nsem", "SysV semaphores", Unit.COUNT, dict(sloppy=True)),
        ("nsemop", "semaphores modified in one semop(2)", Unit.COUNT, {}),
        ("nshm", "SysV shared memory segments", Unit.COUNT, dict(sloppy=True)),
        ("shmsize", "SysV shared memory size", Unit.BYTES, dict(sloppy=True)),
        ("wallclock", "wall clock time", Unit.SECONDS, dict(deniable=False, in_millions=True)),
        ("pcpu", "%CPU", Unit.PERCENT, dict(decaying=True, in_millions=True)),
        ("readbps", "filesystem reads", Unit.BYTES_PER_SECOND, dict(deniable=False, decaying=True)),
        ("writebps", "filesystem writes", Unit.BYTES_PER_SECOND,
         dict(deniable=False, decaying=True)),
        ("readiops", "filesystem read operations", Unit.OPS_PER_SECOND,
         dict(deniable=False, decaying=True)),
        ("writeiops", "filesystem write operations", Unit.OPS_PER_SECOND,
         dict(deniable=False, decaying=True)),
    ]
    return {name: Resource(name, i, desc, unit, **flags)
            for i, (name, desc, unit, flags) in enumerate(rows)}


RESOURCES: dict[str, Resource] = _catalogue()

SUBJECTS: tuple[str, ...] = ("process", "user", "loginclass", "jail")
SUBJECT_ALIASES: dict[str, str] = {
    "p": "process", "u": "user", "l": "loginclass", "c": "loginclass", "class": "loginclass",
    "j": "jail",
}
SIGNALS: tuple[str, ...] = (
    "sighup", "sigint", "sigquit", "sigill", "sigtrap", "sigabrt", "sigemt", "sigfpe", "sigkill",
    "sigbus", "sigsegv", "sigsys", "sigpipe", "sigalrm", "sigterm", "sigurg", "sigstop",
    "sigtstp", "sigchld", "sigttin", "sigttou", "sigio", "sigxcpu", "sigxfsz", "sigvtalrm",
    "sigprof", "sigwinch", "siginfo", "sigusr1", "sigusr2", "sigthr",
)
ACTIONS: tuple[str, ...] = ("deny", "log", "devctl", "throttle", *SIGNALS)

SIZE_SUFFIXES: dict[str, int] = {
    "": 0, "b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60,
}
INT64_MAX = 2**63 - 1
_AMOUNT = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([a-zA-Z]?)")
_BAD_ID_CHARS = re.compile(r"[\s,=/:]")


def allowed_actions(resource: str) -> tuple[str, ...]:
    """The actions the kernel accepts on ``resource``, most useful first."""
    res = RESOURCES[resource]
    actions = ["deny"] if res.deniable else []
    actions += ["log", "devctl"]
    if res.throttleable:
        actions.append("throttle")
    return (*actions, *SIGNALS)


def _unknown(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else "one of " + ", ".join(choices)


def _split(text: str) -> list[str | None]:
    """Split like the kernel's strsep sequence: subject, id, resource, action, amount, per."""
    rest: str | None = text
    out: list[str | None] = []
    for seps in (":", ":", ":", "=/", "/"):
        if rest is None:
            out.append(None)
            continue
        cut = min((i for i in (rest.find(s) for s in seps) if i >= 0), default=-1)
        if cut < 0:
            out.append(rest)
            rest = None
        else:
            out.append(rest[:cut])
            rest = rest[cut + 1:]
    out.append(rest)
    return out


def _subject(text: str, word: str) -> str:
    subject = SUBJECT_ALIASES.get(word.lower(), word.lower())
    if subject in ("g", "group"):
        raise RuleError(text, "subject", "'group' is not a subject the kernel knows",
                        "use one of " + ", ".join(SUBJECTS))
    if subject not in SUBJECTS:
        raise RuleError(text, "subject", f"unknown subject '{word}'", _unknown(word, SUBJECTS))
    return subject


def _subject_id(text: str, subject: str, word: str) -> str:
    if _BAD_ID_CHARS.search(word):
        raise RuleError(text, "subject-id", f"'{word}' contains a space or one of , = / :")
    if subject == "process" and not (word.isascii() and word.isdigit()):
        raise RuleError(text, "subject-id", f"'{word}' is not a process id")
    if len(word.encode(errors="surrogatepass")) > 255:
        raise RuleError(text, "subject-id", "longer than 255 bytes")
    return word


def _resource(text: str, word: str) -> Resource:
    res = RESOURCES.get(word.lower())
    if res is None:
        raise RuleError(text, "resource", f"unknown resource '{word}'",
                        _unknown(word, list(RESOURCES)))
    return res


def _action(text: str, word: str) -> str:
    action = word.lower()
    if action not in ACTIONS:
        raise RuleError(text, "action", f"unknown action '{word}'",
                        _unknown(word, ["deny", "log", "devctl", "throttle", "sigterm", "sigkill"]))
    return action


def _number(digits: str) -> int:
    """strtoumax(3) with base 0, as expand_number(3) calls it: 0x is hex, a leading 0 octal."""
    if digits[:2].lower() == "0x":
        return int(digits[2:], 16)
    return int(digits, 8 if digits.startswith("0") else 10)


def parse_amount(text: str, word: str, resource: Resource | None = None) -> int:
    """Expand an amount like expand_number(3): a number (``0x`` hex, leading ``0`` octal, else
    decimal) with an optional k m g t p e suffix (powers of 1024)."""
    m = _AMOUNT.fullmatch(word)
    if m is None:
        problem = "missing" if word == "" else f"invalid numeric value '{word}'"
        raise RuleError(text, "amount", problem, "a whole number, e.g. 512m or 100")
    digits, suffix = m.groups()
    shift = SIZE_SUFFIXES.get(suffix.lower())
    if shift is None:
        raise RuleError(text, "amount", f"invalid numeric value '{word}'",
                        "suffixes: k m g t p e, powers of 1024")
    if suffix and resource is not None and not resource.takes_size_suffix:
        raise RuleError(text, "amount", f"suffix '{suffix}' applies to sizes in bytes; "
                        f"{resource.name} is {UNIT_WORDS[resource.unit]}", "write the plain number")
    value = _number(digits) << shift if len(digits) <= 64 else INT64_MAX + 1
    limit = INT64_MAX // 1_000_000 if resource is not None and resource.in_millions else INT64_MAX
    if value > limit:
        raise RuleError(text, "amount", f"'{word}' is too large (at most {limit})")
    return value


def _per(text: str, word: str) -> str:
    if word.lower() not in SUBJECTS:
        raise RuleError(text, "per", f"unknown per '{word}'", "one of " + ", ".join(SUBJECTS))
    return word.lower()


def validate(rule: Rule, text: str | None = None) -> Rule:
    """Refuse combinations the kernel rejects with EOPNOTSUPP; returns the rule unchanged."""
    text = text if text is not None else str(rule)
    res = RESOURCES[rule.resource]
    if rule.action == "deny" and not res.deniable:
        raise RuleError(text, "action", f"{res.name} cannot be denied",
                        "use log, devctl or a signal; deny works on sizes, counts and pcpu")
    if rule.action == "throttle" and not res.throttleable:
        raise RuleError(text, "action", f"throttle applies only to readbps, writebps, readiops "
                        f"and writeiops, not {res.name}")
    if rule.per == "process" and res.sloppy:
        raise RuleError(text, "per", f"{res.name} is not accounted per process",
                        "use /jail, /user or /loginclass")
    return rule


def parse_rule(text: str) -> Rule:
    """Parse and validate a full rule as ``rctl -a`` takes it (aliases and suffixes allowed)."""
    text = text.strip()
    subject, subject_id, resource, action, amount, per = _split(text)
    if not subject:
        raise RuleError(text, "subject", "missing", "rules look like jail:NAME:memoryuse:deny=512m")
    subj = _subject(text, subject)
    if subject_id is None or subject_id == "":
        raise RuleError(text, "subject-id", "missing", f"name the {subj} after '{subject}:'")
    sid = _subject_id(text, subj, subject_id)
    if not resource:
        raise RuleError(text, "resource", "missing", "e.g. memoryuse, pcpu, maxproc")
    res = _resource(text, resource)
    if not action:
        raise RuleError(text, "action", "missing", "e.g. deny, log, throttle, sigterm")
    act = _action(text, action)
    if amount is None:
        raise RuleError(text, "amount", "missing", f"add '=' and a number after '{action}'")
    value = parse_amount(text, amount, res)
    perw = _per(text, per) if per else subj
    return validate(Rule(subj, sid, res.name, act, value, perw), text)


def parse_filter(text: str) -> RuleFilter:
    """Parse a filter: any prefix of a rule, each given field checked as in :func:`parse_rule`."""
    text = text.strip()
    subject, subject_id, resource, action, amount, per = _split(text)
    if subject_id is None:
        raise RuleError(text, "subject", "missing ':' after the subject",
                        "filters look like jail:NAME or jail:NAME:memoryuse")
    subj = _subject(text, subject) if subject else ""
    if subject_id and not subj:
        raise RuleError(text, "subject", "missing before the subject-id")
    sid = _subject_id(text, subj, subject_id) if subject_id else ""
    res = _resource(text, resource) if resource else None
    act = _action(text, action) if action else ""
    value = parse_amount(text, amount, res) if amount else None
    perw = _per(text, per) if per else ""
    return RuleFilter(subj, sid, res.name if res else "", act, value, perw)


def jail_filter(jail: str) -> RuleFilter:
    return RuleFilter(subject="jail", subject_id=jail)
