"""jail.conf(5): the lexer and parser of jail(8)'s config files (jaillex.l, jailparse.y and
config.c's load_config), pure functions on text; and :class:`JailConfs`, which finds the file
rc.d/jail and jail(8) would use for a jail (rc.conf's ``jail_NAME_conf``,
``/etc/jail.NAME.conf``, ``/etc/jail.conf.d/NAME.conf``, ``jail_conf``), following
``.include`` (docs/freebsd/rc-jail.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import JailtuiError, ParseError
from .shvars import parse_sh_vars


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
        #: ``.include`` patterns with the number of blocks before each (jail(8) reads the
        #: included files at that point).
        self.includes: list[tuple[int, str]] = []

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
                self.includes += [(len(self.blocks), _text(value)) for value in self._values()]
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
        after_include = bool(self.includes) and self.includes[-1][0] == len(self.blocks)
        if not self.blocks or self.blocks[-1].name != "*" or after_include:
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
    blocks, includes = _parsed(text)
    return JailConfFile(_jails(blocks), [pattern for _, pattern in includes])


@lru_cache(maxsize=512)
def _parsed(text: str) -> tuple[tuple[_Block, ...], tuple[tuple[int, str], ...]]:
    """The blocks of one file and its ``.include`` patterns (never mutated once parsed)."""
    lexer = _Lexer(text)
    parser = _ConfParser(lexer.tokens(), lexer.line(len(text)))
    try:
        parser.parse()
    except RecursionError:
        raise _too_deep() from None
    return tuple(parser.blocks), tuple(parser.includes)


def _jails(blocks: Sequence[_Block]) -> list[JailConf]:
    names = dict.fromkeys(block.name for block in blocks if not block.wildcard)
    try:
        return [JailConf(name, _effective_params(name, blocks)) for name in names]
    except RecursionError:
        raise _too_deep() from None


def _too_deep() -> ParseError:
    return ParseError("jail.conf: blocks or variables are nested too deeply")


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


def _effective_params(name: str, blocks: Sequence[_Block]) -> dict[str, str | list[str]]:
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


# -- the files of a host, as rc.d/jail and jail(8) find them --------------------------------

#: config.c include_config(): ``.include`` nests at most this deep.
MAX_INCLUDE_DEPTH = 32
JAIL_CONF = "/etc/jail.conf"
#: What load_rc_config reads for rc.d/jail (libexec/rc/rc.subr): rc_conf_files of
#: /etc/defaults/rc.conf, then rc.conf.d/jail under /etc and under ${local_startup%/rc.d}.
RC_CONF_FILES = ("/etc/rc.conf", "/etc/rc.conf.local")
RC_CONF_D = ("/etc/rc.conf.d/jail", "/usr/local/etc/rc.conf.d/jail")
#: rc.d/jail parse_options skips /etc/jail.conf.d/NAME.conf when jail_conf includes that dir.
_INCLUDES_CONF_D = re.compile(r"""^\s*\.include\s*["']?/etc/jail\.conf\.d/""", re.MULTILINE)
_GLOB_MAGIC = re.compile(r"[*?[]")


def rc_name(name: str) -> str:
    """rc.d/jail's ``_j``: the name with ``/`` and ``.`` turned into ``_`` (``tr /. _``)."""
    return name.replace("/", "_").replace(".", "_")


def rc_var(name: str) -> str:
    """rc.d/jail's ``_jv``, used in rc.conf variable names (``tr -c '[:alnum:]' _``)."""
    return re.sub(r"[^A-Za-z0-9]", "_", rc_name(name))


@dataclass(frozen=True, slots=True)
class ConfLookup:
    """Where one jail's configuration lives. ``conf`` is the top-level file whose tree
    (``.include`` followed) defines the jail, "" when none does; ``rc_conf`` is the file
    rc.d/jail would hand to ``jail -f`` for this name ("" when it would ignore the jail)."""

    name: str
    conf: str = ""
    rc_conf: str = ""
    entry: JailConf | None = None
    legacy: RcJail | None = None

    @property
    def by_service(self) -> bool:
        """True when ``service jail`` acts on this very jail: rc.d keeps the name as it is and
        picks the file that defines it (or writes one from rc.conf's jail_NAME_* variables)."""
        if self.legacy is not None:
            return True
        return bool(self.conf) and self.rc_conf == self.conf and rc_name(self.name) == self.name


@dataclass(frozen=True, slots=True)
class RcJail:
    """A jail defined by the obsolete rc.conf variables ``jail_NAME_rootdir`` and
    ``jail_NAME_hostname``: rc.d/jail's parse_options writes ``/var/run/jail.NAME.conf`` from
    them at every start and stop, before any jail.conf (libexec/rc/rc.d/jail)."""

    name: str
    rootdir: str
    hostname: str
    ip4: tuple[str, ...] = ()
    ip6: tuple[str, ...] = ()

    @property
    def generated(self) -> str:
        """The file rc.d/jail writes and hands to jail(8)."""
        return f"/var/run/jail.{self.name}.conf"

    @property
    def params(self) -> dict[str, str | list[str]]:
        """The jail.conf parameters parse_options writes that jailtui shows."""
        params: dict[str, str | list[str]] = {"host.hostname": self.hostname,
                                               "path": self.rootdir}
        if self.ip4:
            params["ip4.addr"] = list(self.ip4)
        if self.ip6:
            params["ip6.addr"] = list(self.ip6)
        return params


class JailConfs:
    """The jail.conf files of a host, read through ``read`` and ``glob`` (a Runner's).

    :meth:`refresh` reads rc.conf and every file rc.d/jail may use (``jail_conf``,
    ``/etc/jail.*.conf``, ``/etc/jail.conf.d/*.conf``, ``jail_NAME_conf``) with their
    includes; a file jail(8) could not load is left out and named in :attr:`warnings`.
    """

    def __init__(self, read: Callable[[str], str | None], glob: Callable[[str], list[str]],
                 jail_conf: str | None = None) -> None:
        self._read = read
        self._glob = glob
        self._jail_conf = jail_conf
        self.rc: dict[str, str] = {}
        self._problems: list[str] = []
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, tuple[JailConf, ...]] = {}
        self._cache: dict[tuple[tuple[str, str], ...], tuple[JailConf, ...]] = {}
        self._conf_d: bool | None = None
        self._by_name: dict[str, dict[str, JailConf]] = {}
        self._listed: set[str] = set()
        self._lookups: dict[str, ConfLookup] = {}

    @property
    def jail_conf(self) -> str:
        return self._jail_conf or self.rc.get("jail_conf") or JAIL_CONF

    @property
    def warnings(self) -> tuple[str, ...]:
        """Files that could not be read or that jail(8) could not load."""
        return tuple(dict.fromkeys(self._problems))

    def refresh(self) -> None:
        self._texts = {}
        self._problems = []
        self._conf_d = None
        self._by_name = {}
        self._lookups = {}
        self.rc = read_rc_conf(self._text, self._glob)
        per_jail = [*self._glob("/etc/jail.*.conf"), *self._glob("/etc/jail.conf.d/*.conf")]
        self._listed = set(per_jail)
        tops = [self.jail_conf, *per_jail,
                *(value for key, value in self.rc.items()
                  if key.startswith("jail_") and key.endswith("_conf") and key != "jail_conf"
                  and value)]
        trees: dict[str, tuple[JailConf, ...]] = {}
        for path in dict.fromkeys(tops):
            if self._text(path) is None:
                continue
            try:
                trees[path] = self._tree(path)
            except ParseError as exc:
                self._problems.append(unusable(path, exc.message))
        self._trees = trees

    def defined(self) -> dict[str, ConfLookup]:
        """Every jail some file defines, with its lookup, in file order."""
        names = dict.fromkeys(entry.name for tree in self._trees.values() for entry in tree)
        return {name: self.lookup(name) for name in names}

    def legacy(self) -> dict[str, RcJail]:
        """The jails rc.conf's jail_NAME_rootdir and jail_NAME_hostname define, by name."""
        found: dict[str, RcJail] = {}
        for key in self.rc:
            if key.startswith("jail_") and key.endswith("_rootdir"):
                entry = self._legacy(key[len("jail_"):-len("_rootdir")])
                if entry is not None:
                    found[entry.name] = entry
        return found

    def _legacy(self, name: str) -> RcJail | None:
        """parse_options' rc.conf branch, taken when both variables are set. Only a name rc.d
        keeps as it is (no ``.`` or ``/``, nothing ``tr -c '[:alnum:]' _`` changes) can be
        the kernel jail rc.d makes from them."""
        if rc_var(name) != name:
            return None
        rootdir = self.rc.get(f"jail_{name}_rootdir", "")
        hostname = self.rc.get(f"jail_{name}_hostname", "")
        if not rootdir or not hostname:
            return None
        ip4: list[str] = []
        ip6: list[str] = []
        values = [self.rc.get(f"jail_{name}_ip", "")]
        alias = 0
        while self.rc.get(f"jail_{name}_ip_multi{alias}"):
            values.append(self.rc[f"jail_{name}_ip_multi{alias}"])
            alias += 1
        for value in values if values[0] else ():
            for item in value.split(","):
                address = item.split("|")[-1].strip().split("/")[0].split(" ")[0]
                if address.count(".") >= 3:
                    ip4.append(address)
                elif ":" in address:
                    ip6.append(address)
        return RcJail(name, rootdir, hostname, tuple(ip4), tuple(ip6))

    def lookup(self, name: str) -> ConfLookup:
        """rc.d/jail's parse_options for ``name``, and the file that really defines it (the
        same answer until the next refresh: a sample asks for each jail more than once)."""
        found = self._lookups.get(name)
        if found is None:
            found = self._lookups[name] = self._lookup(name)
        return found

    def _lookup(self, name: str) -> ConfLookup:
        j, jv = rc_name(name), rc_var(name)
        legacy = self._legacy(name)
        if legacy is not None:
            return ConfLookup(name, "", legacy.generated, legacy=legacy)
        own = self.rc.get(f"jail_{jv}_conf")
        candidates = [own or f"/etc/jail.{j}.conf"]
        listed = {f"/etc/jail.{j}.conf"} if not own else set()
        if not self._includes_conf_d():
            candidates.append(f"/etc/jail.conf.d/{j}.conf")
            listed.add(candidates[-1])
        candidates.append(self.jail_conf)
        # the default per-jail files are looked for in the refresh's listing of them, not
        # opened one by one for every jail at every sample
        rc_conf = next((path for path in candidates
                        if (path not in listed or path in self._listed)
                        and self._text(path) is not None), "")
        for path in [*candidates, *self._trees]:
            entry = self._names(path).get(name)
            if entry is not None:
                return ConfLookup(name, path, rc_conf, entry)
        return ConfLookup(name, "", rc_conf)

    def _includes_conf_d(self) -> bool:
        """Whether the main jail.conf includes /etc/jail.conf.d (asked once per refresh)."""
        if self._conf_d is None:
            main = self._text(self.jail_conf)
            self._conf_d = bool(main and _INCLUDES_CONF_D.search(main))
        return self._conf_d

    def _names(self, path: str) -> dict[str, JailConf]:
        """The jails of one file's tree by name, the first definition of a name winning."""
        names = self._by_name.get(path)
        if names is None:
            names = self._by_name[path] = {}
            for entry in self._trees.get(path, ()):
                names.setdefault(entry.name, entry)
        return names

    def _text(self, path: str) -> str | None:
        if path not in self._texts:
            try:
                self._texts[path] = self._read(path)
            except JailtuiError as exc:
                self._problems.append(str(exc))
                self._texts[path] = None
        return self._texts[path]

    def _tree(self, path: str) -> tuple[JailConf, ...]:
        files: list[tuple[str, str]] = []
        blocks = self._blocks(path, files, 0)
        key = tuple(files)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = tuple(_jails(blocks))
        return self._cache[key]

    def _blocks(self, path: str, files: list[tuple[str, str]], depth: int) -> list[_Block]:
        """config.c parse_config/include_config: the blocks of ``path`` with each ``.include``
        replaced by the blocks of the files it names, in order."""
        text = self._text(path)
        if text is None:
            raise ParseError(f"{path}: No such file or directory")
        files.append((path, text))
        try:
            blocks, includes = _parsed(text)
        except ParseError as exc:
            raise ParseError(f"{path}: {exc.message}") from None
        out: list[_Block] = []
        done = 0
        for position, pattern in includes:
            out += blocks[done:position]
            done = position
            if depth + 1 > MAX_INCLUDE_DEPTH:
                raise ParseError(f"{path}: maximum include depth exceeded")
            if not pattern.startswith("/") and "/" in path:
                pattern = path[:path.rindex("/") + 1] + pattern
            names = self._glob(pattern) if _GLOB_MAGIC.search(pattern) else [pattern]
            for name in names:
                out += self._blocks(name, files, depth + 1)
        return out + list(blocks[done:])


def unusable(path: str, problem: str) -> str:
    """The warning for a jail.conf jail(8) cannot load: what is wrong (file and line), then
    the file jail(8) would be handed."""
    return f"{problem}: jail(8) cannot use {path}"


def read_rc_conf(read: Callable[[str], str | None], glob: Callable[[str], list[str]]
                 ) -> dict[str, str]:
    """The rc.conf(5) variables rc.d/jail sees, in load_rc_config's order: a rc.conf.d entry
    is a file or a directory of files."""
    values: dict[str, str] = {}
    for path in RC_CONF_FILES:
        values = parse_sh_vars(read(path) or "", values)
    for path in RC_CONF_D:
        for each in glob(path + "/*") or [path]:
            values = parse_sh_vars(read(each) or "", values)
    return values
