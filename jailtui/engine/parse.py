"""Pure parsers for what FreeBSD's tools print: ``jls`` and ``ps`` libxo JSON, ``rctl`` usage and
rule lists, ``sysctl -n`` values, jail.conf(5) and the failure report of ``service jail start``.

Every function takes text and does no I/O. Output that is not understood raises ParseError with
a one-line message naming the command and what was wrong.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import ParseError
from .model import Jail, JailState, Process, Rule, Usage
from .rctl import ACTIONS, RESOURCES, SUBJECTS

#: Kernel figures are 64-bit: at most 20 digits (Python refuses int() of more than 4300).
_INTEGER = re.compile(r"-?[0-9]{1,20}")
_UNSIGNED = re.compile(r"[0-9]{1,20}")

# -- libxo JSON ------------------------------------------------------------------------------


def _json_list(text: str, command: str, *path: str) -> list[dict[str, Any]]:
    """The list of objects at ``path`` in the one JSON document ``command`` printed."""
    try:
        node: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{command}: output is not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError:
        raise ParseError(f"{command}: JSON output holds a number too long to read") from None
    except RecursionError:
        raise ParseError(f"{command}: JSON output is nested too deeply") from None
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise ParseError(f"{command}: JSON output has no {'.'.join(path)} list")
        node = node[key]
    if not isinstance(node, list) or not all(isinstance(item, dict) for item in node):
        raise ParseError(f"{command}: JSON {'.'.join(path)} is not a list of objects")
    return node


# -- jls -------------------------------------------------------------------------------------

#: Keys of the fixed output modes (default, -N, -v); any other key means param mode.
_JLS_FIXED_KEYS = frozenset(
    {"jid", "name", "ipv4", "hostname", "path", "state", "cpusetid", "ipv4_addrs", "ipv6_addrs"})


def parse_jls(text: str) -> list[Jail]:
    """Jails from ``jls --libxo json`` in default, ``-N``, ``-v`` or param (``-n``) mode."""
    return [_jail(entry) for entry in _json_list(text, "jls", "jail-information", "jail")]


def _jail(entry: dict[str, Any]) -> Jail:
    jid = _jls_int(entry, "jid")
    name = _jls_text(entry, "name") or (str(jid) if jid is not None else "")
    return Jail(
        name=name, jid=jid, state=_jls_state(entry),
        hostname=_jls_text(entry, "hostname", "host.hostname"), path=_jls_text(entry, "path"),
        ip4=_jls_addresses(entry, "ipv4_addrs", "ip4.addr", "ipv4"),
        ip6=_jls_addresses(entry, "ipv6_addrs", "ip6.addr"),
        cpusetid=_jls_int(entry, "cpusetid", "cpuset.id"),
        params=_jls_params(entry) if _param_mode(entry) else {})


def _first(entry: dict[str, Any], keys: Sequence[str]) -> tuple[str, Any]:
    for key in keys:
        if key in entry:
            return key, entry[key]
    return keys[0], None


def _jls_int(entry: dict[str, Any], *keys: str) -> int | None:
    key, value = _first(entry, keys)
    if value is None:
        return None
    if isinstance(value, bool) or not _INTEGER.fullmatch(str(value)):
        raise ParseError(f"jls: {key} is not a number: {value!r}")
    return int(str(value))


def _jls_text(entry: dict[str, Any], *keys: str) -> str:
    key, value = _first(entry, keys)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ParseError(f"jls: {key} is not text: {value!r}")
    return str(value)


def _jls_addresses(entry: dict[str, Any], *keys: str) -> tuple[str, ...]:
    """Addresses from a JSON list (``-v``, param mode) or one string (default mode)."""
    key, value = _first(entry, keys)
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ParseError(f"jls: {key} is not a list of addresses: {value!r}")
    return tuple(item.strip() for item in items if item.strip())


def _jls_state(entry: dict[str, Any]) -> JailState:
    if "state" in entry:
        state = str(entry["state"]).upper()
        if state not in (JailState.ACTIVE, JailState.DYING):
            raise ParseError(f"jls: unknown jail state {entry['state']!r}")
        return JailState(state)
    return JailState.DYING if entry.get("dying") in (True, "true") else JailState.ACTIVE


def _param_mode(entry: dict[str, Any]) -> bool:
    return isinstance(entry.get("jid"), str) or any(key not in _JLS_FIXED_KEYS for key in entry)


def _jls_params(entry: dict[str, Any]) -> dict[str, str]:
    return {key: _param_text(value, key) for key, value in entry.items()}


def _param_text(value: Any, key: str) -> str:
    """A param-mode value as text: lists joined with commas, booleans ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    if isinstance(value, str | int | float):
        return str(value)
    raise ParseError(f"jls: parameter {key} has an unexpected value {value!r}")


# -- ps --------------------------------------------------------------------------------------


def parse_etime(s: str) -> int:
    """Seconds from ps's ``elapsed-time`` ``[[DD-]HH:]MM:SS`` (leading spaces allowed)."""
    match = _ETIME.fullmatch(s.strip())
    if match is None:
        raise ParseError(f"ps: elapsed time {s!r} is not [[DD-]HH:]MM:SS")
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def parse_cputime(s: str) -> float:
    """Seconds from ps's ``cpu-time`` ``M:SS.hh`` (minutes unbounded, decimal point or comma)."""
    match = _CPUTIME.fullmatch(s.strip())
    if match is None:
        raise ParseError(f"ps: cpu time {s!r} is not M:SS.hh")
    minutes, seconds, fraction = match.groups()
    return float(f"{int(minutes) * 60 + int(seconds)}.{fraction or 0}")


_ETIME = re.compile(r"(?:(?:([0-9]{1,20})-)?([0-9]{1,20}):)?([0-9]{1,20}):([0-9]{1,20})")
_CPUTIME = re.compile(r"([0-9]{1,20}):([0-9]{1,20})(?:[.,]([0-9]{1,20}))?")


def _decimal(s: str) -> float:
    return float(s.replace(",", "."))


def _kib(s: str) -> int:
    return int(s) * 1024


#: libxo key -> (Process field, converter), in the order applied: ``elapsed-times`` (exact
#: seconds) wins over ``elapsed-time``.
_PS_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "jail-id": ("jid", int), "pid": ("pid", int), "ppid": ("ppid", int), "user": ("user", str),
    "percent-cpu": ("pcpu", _decimal), "percent-memory": ("pmem", _decimal),
    "rss": ("rss", _kib), "virtual-size": ("vsz", _kib), "threads": ("nlwp", int),
    "state": ("state", str), "cpu-time": ("cputime", parse_cputime),
    "elapsed-time": ("etime", parse_etime), "elapsed-times": ("etime", int),
    "command": ("command", str),
}


def parse_ps(text: str) -> list[Process]:
    """Processes from ``ps --libxo json``; sizes become bytes; no output at all means none."""
    if not text.strip():
        return []
    return [_process(entry) for entry in _json_list(text, "ps", "process-information", "process")]


def _process(entry: dict[str, Any]) -> Process:
    values: dict[str, Any] = {}
    for key, (attr, convert) in _PS_FIELDS.items():
        raw = entry.get(key)
        if raw is None or raw == "-":
            continue
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ParseError(f"ps: {key} has an unexpected value {raw!r}")
        try:
            values[attr] = convert(str(raw))
        except (ValueError, ParseError):
            raise ParseError(f"ps: cannot read {key} {raw!r} of pid {entry.get('pid', '?')}") from None
    if "pid" not in values:
        raise ParseError(f"ps: a process has no pid: {entry!r}")
    return Process(**values)


# -- rctl ------------------------------------------------------------------------------------

_HUMANIZED = re.compile(r"[0-9]+(?:\.[0-9])?[KMGTPE]")
_USAGE_ITEM = re.compile(r"([a-z][a-z0-9_]*)=(.*)")
_RULE = re.compile(r"([^:]*):([^:]*):([^:]*):([^=/:]*)=([^/]*)(?:/(.*))?")


def _items(text: str) -> Iterator[str]:
    """Lines of rctl output, or the parts of a comma-separated syscall buffer."""
    for line in text.replace("\0", "").splitlines():
        yield from (item.strip() for item in line.split(",") if item.strip())


def _human_readable(what: str, item: str) -> ParseError:
    return ParseError(f"rctl: human-readable {what} '{item}' is not supported",
                      "run rctl without -h")


def parse_rctl_usage(text: str) -> Usage:
    """Usage from ``rctl -u`` lines or the raw ``rctl_get_racct`` buffer (``k=v,k=v``)."""
    values: dict[str, int] = {}
    seen = False
    for item in _items(text):
        match = _USAGE_ITEM.fullmatch(item)
        if match is None:
            raise ParseError(f"rctl: usage line '{item}' is not resource=value")
        name, value = match.groups()
        if _HUMANIZED.fullmatch(value):
            raise _human_readable("value", item)
        if not _INTEGER.fullmatch(value):
            raise ParseError(f"rctl: usage value '{item}' is not an integer")
        seen = True
        if name in RESOURCES:
            values[name] = int(value)
    if not seen:
        raise ParseError("rctl: no resource usage in the output")
    return Usage.from_mapping(values)


def parse_rctl_rules(text: str) -> list[Rule]:
    """Rules as ``rctl`` lists them (one per line) or the raw ``rctl_get_rules`` buffer.

    Kernel output is canonical, so no user-input checks apply; rules naming a resource or an
    action this version does not know (a newer kernel) are skipped.
    """
    return [rule for item in _items(text) if (rule := _kernel_rule(item)) is not None]


def _kernel_rule(item: str) -> Rule | None:
    match = _RULE.fullmatch(item)
    if match is None:
        raise ParseError(f"rctl: rule '{item}' is not subject:id:resource:action=amount[/per]")
    subject, subject_id, resource, action, amount, per = match.groups()
    if subject not in SUBJECTS or (per is not None and per not in SUBJECTS):
        raise ParseError(f"rctl: rule '{item}' names an unknown subject")
    if _HUMANIZED.fullmatch(amount):
        raise _human_readable("amount", item)
    if not _UNSIGNED.fullmatch(amount):
        raise ParseError(f"rctl: rule '{item}' has a non-numeric amount")
    if resource not in RESOURCES or action not in ACTIONS:
        return None
    return Rule(subject, subject_id, resource, action, int(amount), per or subject)


# -- sysctl ----------------------------------------------------------------------------------


def parse_sysctl_n(text: str, oids: Sequence[str]) -> dict[str, str]:
    """``sysctl -n OID...`` output: one value per line, in the order the OIDs were asked."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(oids):
        raise ParseError(f"sysctl: asked for {len(oids)} values ({' '.join(oids)}), "
                         f"got {len(lines)} lines")
    return dict(zip(oids, lines))


def parse_boottime(value: str) -> int:
    """The ``sec`` of kern.boottime: ``{ sec = 1700000000, usec = 123456 } Tue Nov 14 ...``."""
    match = re.search(r"\{\s*sec\s*=\s*([0-9]{1,20})\b", value)
    if match is None:
        raise ParseError(f"sysctl: kern.boottime {value!r} has no sec field")
    return int(match[1])


def parse_loadavg(value: str) -> tuple[float, float, float]:
    """vm.loadavg ``{ 0.10 0.20 0.15 }`` as three floats."""
    parts = value.strip().removeprefix("{").removesuffix("}").split()
    try:
        one, five, fifteen = (_decimal(part) for part in parts)
    except ValueError:
        raise ParseError(f"sysctl: vm.loadavg {value!r} is not {{ 1m 5m 15m }}") from None
    return one, five, fifteen


def parse_cp_time(value: str) -> tuple[int, ...]:
    """kern.cp_time (or cp_times) tick counters: user nice sys intr idle [per CPU]."""
    parts = value.split()
    if not parts or not all(_UNSIGNED.fullmatch(part) for part in parts):
        raise ParseError(f"sysctl: kern.cp_time {value!r} is not a list of tick counts")
    return tuple(int(part) for part in parts)


# -- service jail ----------------------------------------------------------------------------

_CANNOT_START = re.compile(r'cannot start jail\s+"([^"]*)":')
#: rc.d/jail ends its report with the names of the jails that started and a dot.
_RC_CLOSING = re.compile(r"(?: \S+)*\.")


def service_failures(output: str) -> dict[str, str]:
    """Jail name -> what jail(8) printed, from ``service jail start|restart`` (which exits 0)."""
    failures: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        line = line.rstrip()
        header = _CANNOT_START.search(line)
        if header is not None:
            current = failures[header[1]] = []
            rest = line[header.end():].strip()
            if rest:
                current.append(rest)
        elif current is not None and _RC_CLOSING.fullmatch(line):
            current = None
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip("\n") for name, lines in failures.items()}


# -- jail.conf -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JailConf:
    """One jail of a jail.conf with its effective parameters (globals, wildcards and variables
    applied): a list where several values were given, else a string; bare booleans ``true``."""

    name: str
    params: dict[str, str | list[str]]


@dataclass(frozen=True, slots=True)
class JailConfFile:
    """The jails of one file in order of appearance, and its ``.include`` globs (not followed)."""

    jails: list[JailConf]
    includes: list[str]


@dataclass(frozen=True, slots=True)
class _Var:
    name: str


_Piece = str | _Var
_String = tuple[_Piece, ...]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word" or one of , ; = { } +=
    line: int
    pieces: _String = ()
    raw: str = ""


_PUNCTUATION = (",", ";", "=", "{", "}")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX = re.compile(r"[0-9A-Fa-f]{1,2}")


def _conf_error(line: int, problem: str) -> ParseError:
    return ParseError(f"jail.conf line {line}: {problem}")


class _Lexer:
    """jail(8)'s jaillex.l: words made of bare, quoted and ``$variable`` pieces, punctuation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, pos: int | None = None) -> int:
        return bisect_right(self.line_starts, self.pos if pos is None else pos)

    def tokens(self) -> list[_Token]:
        out: list[_Token] = []
        while self._skip_blank():
            if self.text.startswith("+=", self.pos):
                out.append(_Token("+=", self.line()))
                self.pos += 2
            elif self.text[self.pos] in _PUNCTUATION:
                out.append(_Token(self.text[self.pos], self.line()))
                self.pos += 1
            else:
                out.append(self._word())
        return out

    def _skip_blank(self) -> bool:
        """Skip whitespace and comments; False at the end of the text."""
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text[self.pos] == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise _conf_error(self.line(), "unterminated comment")
                self.pos = end + 2
            else:
                return True
        return False

    def _word_ends(self) -> bool:
        text, pos = self.text, self.pos
        return (pos >= len(text) or text[pos].isspace() or text[pos] in "#,;={}"
                or text.startswith(("//", "/*", "+="), pos))

    def _word(self) -> _Token:
        start, line = self.pos, self.line()
        pieces: list[_Piece] = []
        while not self._word_ends():
            ch = self.text[self.pos]
            if ch in "\"'":
                self._quoted(pieces, expand=ch == '"')
            elif ch == "$":
                pieces.append(self._variable(quoted=False))
            elif ch == "\\":
                pieces.append(self._escape())
            else:
                pieces.append(ch)
                self.pos += 1
        return _Token("word", line, _joined(pieces), self.text[start:self.pos])

    def _quoted(self, pieces: list[_Piece], *, expand: bool) -> None:
        """A quoted string; variables expand in double quotes only, escapes in both."""
        quote, line = self.text[self.pos], self.line()
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == quote:
                self.pos += 1
                return
            if ch == "\\":
                pieces.append(self._escape())
            elif ch == "$" and expand:
                pieces.append(self._variable(quoted=True))
            else:
                pieces.append(ch)
                self.pos += 1
        raise _conf_error(line, "unterminated string")

    def _variable(self, *, quoted: bool) -> _Piece:
        """``$name`` or ``${name}``; a ``$`` that starts neither is literal."""
        text, start = self.text, self.pos + 1
        if text.startswith("{", start):
            end = start + 1
            while end < len(text) and text[end] not in "}{\n" and not (quoted and text[end] == '"'):
                end += 1
            if end >= len(text) or text[end] != "}":
                raise _conf_error(self.line(), "unterminated variable")
            self.pos = end + 1
            return _Var(text[start + 1:end])
        match = _VAR_NAME.match(text, start)
        if match is None:
            self.pos = start
            return "$"
        self.pos = match.end()
        return _Var(match[0])

    def _escape(self) -> str:
        """A backslash escape as text2lval() reads it: C escapes, octal, hex, line joining."""
        text, pos = self.text, self.pos + 1
        if pos >= len(text):
            self.pos = pos
            return "\\"
        octal = _OCTAL.match(text, pos)
        if octal is not None:
            self.pos = octal.end()
            return chr(int(octal[0], 8) & 0xFF)
        if text[pos] == "x":
            hexa = _HEX.match(text, pos + 1)
            self.pos = hexa.end() if hexa else pos + 1
            return chr(int(hexa[0], 16) if hexa else 0)
        self.pos = pos + 1
        return "" if text[pos] == "\n" else _ESCAPES.get(text[pos], text[pos])


def _joined(pieces: list[_Piece]) -> _String:
    """Merge adjacent text pieces."""
    out: list[_Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return tuple(out)


def _text(string: _String) -> str:
    return "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in string)


@dataclass(frozen=True, slots=True)
class _Statement:
    name: str
    values: tuple[_String, ...] | None  # None for a bare boolean
    append: bool
    variable: bool


@dataclass(slots=True)
class _Block:
    name: str
    statements: list[_Statement]

    @property
    def wildcard(self) -> bool:
        return "*" in self.name.split(".")


class _ConfParser:
    """jail(8)'s jailparse.y over the token list: blocks, statements, ``.include``."""

    def __init__(self, tokens: list[_Token], last_line: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.last_line = last_line
        self.blocks: list[_Block] = []
        self.includes: list[str] = []

    def parse(self) -> None:
        while (token := self._peek()) is not None:
            if token.kind == ";":
                self.pos += 1
            elif token.kind == "}":
                raise _conf_error(token.line, "'}' without a jail block to close")
            elif self._starts_block():
                self._block("")
            elif token.kind == "word" and token.raw == ".include":
                self.pos += 1
                self.includes += [_text(value) for value in self._values()]
                self._expect(";", ".include")
            else:
                self._global_block().statements.append(self._statement())

    def _peek(self, ahead: int = 0) -> _Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def _next(self, kind: str, expected: str) -> _Token:
        """The next token, which must be of ``kind``; ``expected`` words the error."""
        token = self._peek()
        if token is None:
            raise _conf_error(self.last_line, f"{expected}, found the end of the file")
        if token.kind != kind:
            raise _conf_error(token.line, f"{expected}, found '{token.raw or token.kind}'")
        self.pos += 1
        return token

    def _expect(self, kind: str, after: str) -> None:
        self._next(kind, f"'{kind}' expected after {after}")

    def _word(self, what: str) -> _Token:
        return self._next("word", f"{what} expected")

    def _starts_block(self) -> bool:
        first, second = self._peek(), self._peek(1)
        return (first is not None and first.kind == "word"
                and second is not None and second.kind == "{")

    def _global_block(self) -> _Block:
        if not self.blocks or self.blocks[-1].name != "*":
            self.blocks.append(_Block("*", []))
        return self.blocks[-1]

    def _block(self, parent: str) -> None:
        """``NAME { ... }``; a block nested in ``parent`` defines ``parent.NAME``."""
        token = self._word("a jail name")
        self.pos += 1
        block = _Block(parent + _literal(token, "a jail name"), [])
        self.blocks.append(block)
        while True:
            inner = self._peek()
            if inner is None:
                raise _conf_error(token.line, f"jail block '{block.name}' is not closed")
            if inner.kind == "}":
                self.pos += 1
                return
            if inner.kind == ";":
                self.pos += 1
            elif self._starts_block():
                self._block(block.name + ".")
            else:
                block.statements.append(self._statement())

    def _statement(self) -> _Statement:
        """``name;``, ``name = v, ...;``, ``name += v;``, ``name v;`` or ``$var = v;``."""
        token = self._word("a parameter name")
        variable = _variable_name(token)
        name = variable or _literal(token, "a parameter name")
        op = self._peek()
        values = None
        if op is not None and op.kind in ("=", "+="):
            self.pos += 1
            values = self._values()
        elif op is not None and op.kind == "word":
            values = self._values()
        self._expect(";", name)
        return _Statement(name, values, op is not None and op.kind == "+=", bool(variable))

    def _values(self) -> tuple[_String, ...]:
        values = [self._word("a value").pieces]
        while (token := self._peek()) is not None and token.kind == ",":
            self.pos += 1
            values.append(self._word("a value").pieces)
        return tuple(values)


def _variable_name(token: _Token) -> str:
    """The name defined by a ``$name = value;`` statement, or "" for a parameter."""
    piece = token.pieces[0] if len(token.pieces) == 1 else None
    return piece.name if isinstance(piece, _Var) and token.raw.startswith("$") else ""


def _literal(token: _Token, what: str) -> str:
    if any(isinstance(piece, _Var) for piece in token.pieces):
        raise _conf_error(token.line, f"{what} cannot contain a variable: {token.raw}")
    return _text(token.pieces)


def parse_jail_conf(text: str) -> JailConfFile:
    """jail.conf(5): each jail with its effective parameters, and the ``.include`` globs."""
    try:
        return _jail_conf(text)
    except RecursionError:
        raise ParseError("jail.conf: blocks or variables are nested too deeply") from None


def _jail_conf(text: str) -> JailConfFile:
    lexer = _Lexer(text)
    parser = _ConfParser(lexer.tokens(), lexer.line(len(text)))
    parser.parse()
    names = dict.fromkeys(block.name for block in parser.blocks if not block.wildcard)
    jails = [JailConf(name, _effective_params(name, parser.blocks)) for name in names]
    return JailConfFile(jails, parser.includes)


def _wildcard_matches(wildcard: str, name: str) -> bool:
    """jail(8)'s wild_jail_match: a ``*`` component matches one component, a final one any."""
    wild, parts = wildcard.split("."), name.split(".")
    for i, component in enumerate(wild):
        if i >= len(parts):
            return False
        if component == "*" and i == len(wild) - 1:
            return True
        if component not in ("*", parts[i]):
            return False
    return len(parts) == len(wild)


@dataclass(frozen=True, slots=True)
class _Setting:
    values: tuple[_String, ...]
    variable: bool


def _effective_params(name: str, blocks: list[_Block]) -> dict[str, str | list[str]]:
    """Apply the jail's own, global and wildcard statements in file order (later ones win),
    then expand variables per jail, as jail(8)'s load_config does."""
    implied = "jid" if name.isascii() and name.isdigit() and name.strip("0") else "name"
    settings: dict[str, _Setting] = {implied: _Setting(((name,),), False)}
    for block in blocks:
        if block.name == name or (block.wildcard and _wildcard_matches(block.name, name)):
            for statement in block.statements:
                _assign(settings, statement)
    expander = _Expander(settings)
    params: dict[str, str | list[str]] = {}
    for key, setting in settings.items():
        if not setting.variable:
            values = expander.values(key) or [""]
            params[key] = values[0] if len(values) == 1 else values
    return params


def _assign(settings: dict[str, _Setting], statement: _Statement) -> None:
    key, values = statement.name, statement.values
    if values is None:
        head, dot, last = key.rpartition(".")
        negated = last.startswith("no") and len(last) > 2 and not statement.variable
        key = head + dot + last[2:] if negated else key
        values = (("false" if negated else "true",),)
    if statement.append and key in settings:
        values = settings[key].values + values
    settings[key] = _Setting(values, statement.variable)


class _Expander:
    """Late-bound ``$var`` expansion over one jail's settings. A reference jail(8) would refuse
    (unknown name, a loop, a list inside other text) is kept as written, ``${name}``."""

    def __init__(self, settings: dict[str, _Setting]) -> None:
        self.settings = settings
        self.done: dict[str, list[str]] = {}
        self.active: set[str] = set()

    def values(self, key: str) -> list[str] | None:
        if key in self.done:
            return self.done[key]
        setting = self.settings.get(key)
        if setting is None or key in self.active:
            return None
        self.active.add(key)
        values = [value for string in setting.values for value in self._expand(string)]
        self.active.discard(key)
        self.done[key] = values
        return values

    def _expand(self, string: _String) -> list[str]:
        if len(string) == 1 and isinstance(string[0], _Var):
            return self.values(string[0].name) or [_text(string)]
        out = []
        for piece in string:
            found = self.values(piece.name) if isinstance(piece, _Var) else [piece]
            out.append(found[0] if found and len(found) == 1 else _text((piece,)))
        return ["".join(out)]
