"""Shared implementation of the fake FreeBSD base tools used by the test-suite.

The executables beside this file (jls, ps, rctl, jail, service, jexec, sysctl, kill) are thin
wrappers around :func:`main`. Each run reads a JSON description of a FreeBSD host from
``$JAILTUI_FAKE_STATE`` (layout: see state.py), prints what the real tool prints, byte for byte,
and writes back what a mutating command changed. Behaviour follows the FreeBSD sources summarised
in docs/freebsd.md and docs/freebsd/*.md. Standard library only: these stand in for base-system
binaries.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, replace

STATE_ENV = "JAILTUI_FAKE_STATE"
LOG_ENV = "JAILTUI_FAKE_LOG"
JAIL_ENV = "JAILTUI_FAKE_JAIL"
ROOT_ENV = "JAILTUI_FAKE_ROOT"

EPERM, ESRCH, E2BIG, EINVAL, ERANGE, ENOSYS, ENAMETOOLONG, EOPNOTSUPP = (
    "Operation not permitted", "No such process", "Argument list too long", "Invalid argument",
    "Result too large", "Function not implemented", "File name too long",
    "Operation not supported")


class Exit(Exception):
    """Leave the tool with this exit status, like exit(3)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class BadOption(Exception):
    """getopt(3) met an unknown option or a missing argument (already reported)."""


class Tool:
    """The output streams of one running tool, with err(3)-style helpers."""

    def __init__(self, name: str, out=None, err=None) -> None:
        self.name = name
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr

    def print(self, text: str) -> None:
        self.out.write(text)

    def warnx(self, message: str) -> None:
        self.err.write(f"{self.name}: {message}\n")

    def errx(self, message: str, code: int = 1):
        self.warnx(message)
        raise Exit(code)

    def usage(self, *lines: str, code: int = 1):
        self.err.write("".join(line + "\n" for line in lines))
        raise Exit(code)


# ---------------------------------------------------------------------------------------------
# State file, lock and invocation log


def state_path() -> str:
    path = os.environ.get(STATE_ENV)
    if not path:
        sys.stderr.write(f"fake FreeBSD tool: ${STATE_ENV} is not set\n")
        raise Exit(70)
    return path


@contextlib.contextmanager
def _locked(path: str, exclusive: bool):
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _write(path: str, state: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def read_state(path: str) -> dict:
    """The state as it is now (shared lock)."""
    with _locked(path, exclusive=False):
        return _read(path)


def write_state(path: str, state: dict) -> None:
    """Replace the state atomically (exclusive lock)."""
    with _locked(path, exclusive=True):
        _write(path, state)


@contextlib.contextmanager
def transaction(path: str):
    """Read, let the caller change, write back; also written when the tool exits on an error."""
    with _locked(path, exclusive=True):
        state = _read(path)
        try:
            yield state
        except Exit:
            _write(path, state)
            raise
        _write(path, state)


def log_invocation(tool: str, args: list[str]) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps([tool, *args]) + "\n")


# ---------------------------------------------------------------------------------------------
# The fake host's files: /PATH on the host is $JAILTUI_FAKE_ROOT/PATH here


def host_path(path: str) -> str:
    root = os.environ.get(ROOT_ENV)
    if not root:
        sys.stderr.write(f"fake FreeBSD tool: ${ROOT_ENV} is not set\n")
        raise Exit(70)
    return os.path.join(root, path.lstrip("/"))


def read_host_file(path: str) -> str | None:
    try:
        with open(host_path(path), encoding="utf-8") as fh:
            return fh.read()
    except (FileNotFoundError, IsADirectoryError):
        return None


def write_host_file(path: str, text: str) -> None:
    full = host_path(path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text)


def host_glob(pattern: str) -> list[str]:
    """glob(3) on the host: sorted host paths."""
    import glob

    root = host_path("/").rstrip("/")
    return sorted(found[len(root):] for found in glob.glob(host_path(pattern)))


def sh_assignments(text: str, values: dict | None = None) -> dict:
    """``name=value`` lines of an sh-sourced file (rc.conf, bastille.conf, pot.conf), with
    quotes removed and ``${name}`` expanded; enough for the files the fakes read."""
    values = dict(values or {})
    for line in text.splitlines():
        m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\s#;]*)", line)
        if m:
            raw = m.group(2)
            if raw[:1] == "'":
                values[m.group(1)] = raw[1:-1]
            else:
                raw = raw[1:-1] if raw[:1] == '"' else raw
                values[m.group(1)] = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                                            lambda v: values.get(v.group(1), ""), raw)
    return values


# ---------------------------------------------------------------------------------------------
# getopt(3), libxo argument parsing and libxo's JSON encoder


def getopt(tool: Tool, args: list[str], optstring: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """BSD getopt(3): options until the first operand or ``--``; complains like getopt does."""
    takes = {c: optstring[i + 1:i + 2] == ":" for i, c in enumerate(optstring) if c != ":"}
    opts: list[tuple[str, str | None]] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        if args[i] == "--":
            return opts, args[i + 1:]
        word, j = args[i], 1
        while j < len(word):
            flag = word[j]
            if flag not in takes:
                tool.warnx(f"illegal option -- {flag}")
                raise BadOption(flag)
            if not takes[flag]:
                opts.append((flag, None))
                j += 1
                continue
            value = word[j + 1:]
            if not value:
                i += 1
                if i == len(args):
                    tool.warnx(f"option requires an argument -- {flag}")
                    raise BadOption(flag)
                value = args[i]
            opts.append((flag, value))
            break
        i += 1
    return opts, args[i:]


@dataclass
class Xo:
    """The libxo output style chosen with --libxo."""

    style: str = "text"
    pretty: bool = False

    @property
    def json(self) -> bool:
        return self.style == "json"


_XO_LETTERS = {"J": "json", "T": "text", "X": "xml", "H": "html"}


def parse_libxo(tool: Tool, args: list[str]) -> tuple[Xo, list[str]]:
    """xo_parse_args(): take every --libxo option out of ``args``."""
    xo, rest, i = Xo(), [], 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--libxo="):
            words = arg[len("--libxo="):].split(",")
        elif arg.startswith("--libxo:"):
            words = [_XO_LETTERS.get(c, "pretty" if c == "P" else "") for c in arg[len("--libxo:"):]]
        elif arg == "--libxo":
            i += 1
            if i == len(args):
                tool.errx("missing libxo option")
            words = args[i].split(",")
        else:
            rest.append(arg)
            i += 1
            continue
        for word in words:
            if word in ("json", "text", "xml", "html"):
                xo.style = word
            elif word == "pretty":
                xo.pretty = True
        i += 1
    if xo.style in ("xml", "html"):
        tool.errx(f"fake: libxo style '{xo.style}' is not implemented", 70)
    return xo, rest


Member = tuple[str, "str | int | bool | list[str]"]
#: What xo_finish_h() (contrib/libxo/libxo/libxo.c) writes for JSON when nothing was emitted.
XO_EMPTY = "{ }\n"


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + xo_escape_json(str(value)) + '"'


def xo_escape_json(text: str) -> str:
    """libxo's xo_escape_json() (contrib/libxo/libxo/libxo.c): only backslash, double quote,
    newline and carriage return are escaped; TAB, ESC and every other byte are written raw, so
    the document is JSON only to a parser that accepts raw control characters."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def _instance(members: list[Member]) -> str:
    """One libxo instance: ``"k":v`` joined by ``,``; a list opens with ``, "k": [``."""
    parts = []
    for n, (key, value) in enumerate(members):
        if isinstance(value, list):
            items = ",".join(_scalar(v) for v in value)
            parts.append(("" if n == 0 else ", ") + f"{_scalar(key)}: [{items}]")
        else:
            parts.append(("" if n == 0 else ",") + f"{_scalar(key)}:{_scalar(value)}")
    return "{" + "".join(parts) + "}"


def _pretty_instance(members: list[Member], indent: str) -> str:
    lines = []
    for key, value in members:
        if isinstance(value, list):
            items = "".join(f"{indent}    {_scalar(v)},\n" for v in value).rstrip(",\n")
            body = f"\n{items}\n" if value else "\n"
            lines.append(f"{indent}  {_scalar(key)}: [{body}{indent}  ]")
        else:
            lines.append(f"{indent}  {_scalar(key)}: {_scalar(value)}")
    return f"{indent}{{\n" + ",\n".join(lines) + f"\n{indent}}}"


def xo_document(xo: Xo, container: str, list_name: str, instances: list[list[Member]],
                version: str | None = None) -> str:
    """A libxo JSON document: a container holding one list of instances, plus a newline."""
    if xo.pretty:
        head = f'{{\n  "__version": "{version}",\n' if version else "{\n"
        body = ",\n".join(_pretty_instance(m, "      ") for m in instances)
        body = f"\n{body}\n    " if instances else ""
        return (f'{head}  "{container}": {{\n    "{list_name}": [{body}]\n  }}\n}}\n')
    head = f'{{"__version": "{version}", ' if version else "{"
    body = ", ".join(_instance(m) for m in instances)
    return f'{head}"{container}": {{"{list_name}": [{body}]}}}}\n'


# ---------------------------------------------------------------------------------------------
# Shared look-ups


def is_root(state: dict) -> bool:
    return bool(state.get("root", True))


def current_uid(state: dict) -> int:
    return int(state.get("uid", 0 if is_root(state) else 1001))


def user_name(state: dict, uid: int) -> str | None:
    return state.get("users", {}).get(str(uid))


def user_id(state: dict, name: str) -> int | None:
    for uid, known in state.get("users", {}).items():
        if known == name:
            return int(uid)
    return None


def process_uid(state: dict, proc: dict) -> int:
    if "uid" in proc:
        return int(proc["uid"])
    user = str(proc.get("user", "root"))
    uid = user_id(state, user)
    return uid if uid is not None else int(user) if user.isdigit() else -1


def jail_lookup(state: dict, key: str, dying: bool = False) -> tuple[dict | None, str]:
    """Find a running jail by name, or by JID when ``key`` is all digits and not 0 (as jls -j).

    Returns the jail, or None and libjail's error message.
    """
    by_jid = key.isdigit() and int(key) != 0
    for jail in state.get("jails", []):
        if jail.get("dying") and not dying:
            continue
        if (jail["jid"] == int(key)) if by_jid else (jail["name"] == key):
            return jail, ""
    return None, f"jail {int(key)} not found" if by_jid else f'jail "{key}" not found'


def jail_getid(state: dict, key: str) -> tuple[int | None, str]:
    """libjail jail_getid(): an all-digit key is taken as a JID unchecked, a name is looked up."""
    if key.isdigit():
        return int(key), ""
    jail, message = jail_lookup(state, key)
    return (jail["jid"] if jail else None), message


def drop_processes(state: dict, pids: set[int]) -> None:
    """Processes exit: they leave the process table and take their per-process rules along."""
    state["processes"] = [p for p in state.get("processes", []) if p["pid"] not in pids]
    state["rules"] = [r for r in state.get("rules", [])
                      if not (r.startswith("process:") and _rule_pid(r) in pids)]


def _rule_pid(rule: str) -> int | None:
    sid = rule.split(":")[1]
    return int(sid) if sid.isdigit() else None


def locale_of(category: str) -> str:
    """The locale setlocale(category, "") picks: a non-empty LC_ALL, else LC_<category>, else
    LANG, else "C" (lib/libc/locale/setlocale.c __get_locale_env)."""
    for name in ("LC_ALL", category, "LANG"):
        value = os.environ.get(name, "")
        if value:
            return value
    return "C"


def utf8_ctype() -> bool:
    """Whether LC_CTYPE names a UTF-8 codeset (C.UTF-8, en_US.UTF-8, ...)."""
    codeset = locale_of("LC_CTYPE").partition(".")[2].partition("@")[0]
    return codeset.upper().replace("-", "") == "UTF8"


def _vis_byte(c: int, extra: bool) -> str:
    """do_mbyte() without VIS_CSTYLE/VIS_OCTAL, with VIS_NOSLASH (contrib/libc-vis/vis.c)."""
    if extra or (c & 0o177) == ord(" "):
        return f"\\{(c >> 6) & 0o3}{(c >> 3) & 0o7}{c & 0o7}"
    out = ""
    if c & 0o200:
        c &= 0o177
        out += "M"
    if c < 0x20 or c == 0x7F:
        return out + "^" + ("?" if c == 0x7F else chr(c + 0x40))
    return out + "-" + chr(c)


def _graphic(code: int, wide: bool) -> bool:
    """isgraph(3) in the C locale, iswgraph(3) (approximated) in a UTF-8 one."""
    if code < 0x80:
        return 0x21 <= code <= 0x7E
    return wide and chr(code).isprintable() and not chr(code).isspace()


def strvis_ps(text: str) -> str:
    """strvis(dst, src, VIS_TAB | VIS_NL | VIS_NOSLASH) as bin/ps/print.c command() and
    arguments() call it (contrib/libc-vis/vis.c istrsenvisx, do_svis, do_mbyte).

    In a UTF-8 locale the string is decoded and printable characters stay; in the C locale
    each byte is a character, so every byte >= 0x80 is encoded (``é`` becomes ``M-CM-)``).
    TAB and newline are in the extra set (octal ``\\011``); other controls become ``^X``.
    After an invalid UTF-8 sequence the rest is taken byte by byte (mbrtowc failed), and the
    whole result is then written back byte by byte (istrsenvisx's output loop with cerr set).
    """
    data = text.encode("utf-8", "surrogateescape")
    wide, bytewise = utf8_ctype(), False
    if not wide:
        chars = list(data)
    else:
        try:
            chars = [ord(ch) for ch in data.decode("utf-8")]
        except UnicodeDecodeError as error:
            head = data[:error.start].decode("utf-8")
            chars, bytewise = [ord(ch) for ch in head] + list(data[error.start:]), True
    out: list[int] = []
    for code in chars:
        extra = code in (0x09, 0x0A)
        if not extra and (_graphic(code, wide) or code == 0x20):
            out.append(code)
            continue
        values = [(code >> shift) & 0xFF for shift in (16, 8, 0)]
        while len(values) > 1 and values[0] == 0:
            values.pop(0)
        out.extend(ord(ch) for value in values for ch in _vis_byte(value, extra))
    if not bytewise:
        return "".join(map(chr, out))
    raw = bytes(byte for code in out for byte in code.to_bytes(3, "big").lstrip(b"\0") or b"\0")
    return raw.decode("utf-8", "surrogateescape")


def c_str(text: str, width: int = 0, precision: int | None = None, left: bool = False) -> str:
    """printf's %[-]W.Ps."""
    if precision is not None:
        text = text[:precision]
    return text.ljust(width) if left else text.rjust(width)


# ---------------------------------------------------------------------------------------------
# jls(8)

JLS_USAGE = "usage: jls [-dhNnqv] [-j jail] [param ...]"
PRINT_DEFAULT, PRINT_HEADER, PRINT_NAMEVAL, PRINT_QUOTED = 0x01, 0x02, 0x04, 0x08
PRINT_SKIP, PRINT_VERBOSE, PRINT_JAIL_NAME = 0x10, 0x20, 0x40

_ALLOW = ("adjtime", "chflags", "extattr", "mlock", "mount", "mount.devfs", "mount.fdescfs",
          "mount.nullfs", "mount.procfs", "mount.tmpfs", "mount.zfs", "quotas", "raw_sockets",
          "read_msgbuf", "reserved_ports", "set_hostname", "settime", "socket_af", "suser",
          "sysvipc", "unprivileged_proc_debug")
PARAM_KINDS = {
    "devfs_ruleset": "int", "dying": "bool", "enforce_statfs": "int", "host": "jailsys",
    "ip4": "jailsys", "ip6": "jailsys", "jid": "int", "name": "string", "osreldate": "int",
    "osrelease": "string", "parent": "int", "path": "string", "persist": "bool",
    "securelevel": "int", "sysvmsg": "jailsys", "sysvsem": "jailsys", "sysvshm": "jailsys",
    "vnet": "jailsys", **{f"allow.{name}": "bool" for name in _ALLOW},
    "children.cur": "int", "children.max": "int", "cpuset.id": "int",
    "host.domainname": "string", "host.hostid": "int", "host.hostname": "string",
    "host.hostuuid": "string", "ip4.addr": "ip", "ip4.saddrsel": "bool", "ip6.addr": "ip",
    "ip6.saddrsel": "bool", "zfs.mount_snapshot": "int",
}
READ_ONLY_PARAMS = {"children.cur", "cpuset.id", "dying", "parent"}


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "list" if isinstance(value, list) else "string"


def param_kinds(state: dict) -> dict[str, str]:
    """Every parameter this kernel knows: the 14.x GENERIC set plus any a jail's params add,
    less ``absent_params`` (a kernel without VIMAGE has no ``vnet``, one without INET6 no
    ``ip6``/``ip6.addr``: jailparam_init() then fails with "unknown parameter")."""
    kinds = dict(PARAM_KINDS)
    for jail in state.get("jails", []):
        for name, value in jail.get("params", {}).items():
            kinds.setdefault(name, _kind_of(value))
    for name in state.get("absent_params", []):
        kinds.pop(name, None)
    return kinds


def _coerce(kind: str, value):
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if kind == "int":
        return int(value)
    if kind in ("ip", "list"):
        return list(value)
    return value if isinstance(value, str) else str(value)


def jail_params(state: dict, jail: dict, kinds: dict[str, str]) -> dict:
    """Typed values of every parameter of ``jail``: defaults of a bastille-made jail, then the
    jail's own fields, then its ``params`` overrides."""
    values = {name: False for name, kind in PARAM_KINDS.items() if kind == "bool"}
    values.update({
        "allow.suser": True, "allow.unprivileged_proc_debug": True, "devfs_ruleset": 4,
        "dying": bool(jail.get("dying")), "enforce_statfs": 2, "host": "new", "ip4": "new",
        "ip6": "new", "jid": jail["jid"], "name": jail["name"], "osreldate": state["osreldate"],
        "osrelease": state["osrelease"], "parent": 0, "path": jail["path"], "persist": True,
        "securelevel": 2, "sysvmsg": "disable", "sysvsem": "disable", "sysvshm": "disable",
        "vnet": "inherit", "children.cur": 0, "children.max": 0, "cpuset.id": jail["cpusetid"],
        "host.domainname": "", "host.hostid": 0, "host.hostname": jail["hostname"],
        "host.hostuuid": "00000000-0000-0000-0000-000000000000",
        "ip4.addr": list(jail.get("ip4", [])), "ip4.saddrsel": True,
        "ip6.addr": list(jail.get("ip6", [])), "ip6.saddrsel": True, "zfs.mount_snapshot": 0,
    })
    for name, value in jail.get("params", {}).items():
        values[name] = _coerce(kinds.get(name, _kind_of(value)), value)
    return values


def _export(kind: str, value) -> str:
    """jailparam_export(): every value as a string."""
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("ip", "list"):
        return ",".join(value)
    return str(value)


def _noname(name: str) -> str:
    head, dot, last = name.rpartition(".")
    return f"{head}{dot}no{last}"


def _quoted(value: str, quote: bool) -> str:
    """quoted_print(): an empty value is always "", others are quoted with -q when needed."""
    if value == "":
        return '""'
    qc = ('"' if "'" in value else "'" if '"' in value
          else '"' if (" " in value or "\t" in value) else "")
    return f"{qc}{value}{qc}" if quote and qc else value


@dataclass
class JlsRequest:
    pflags: int = 0
    dying: bool = False
    jail_key: str | None = None
    check: bool = False
    params: list[str] | None = None


def _jls_options(tool: Tool, args: list[str], state: dict) -> JlsRequest:
    optstring = "adj:hNnqsv" + ("c" if state.get("osreldate", 0) >= 1500000 else "")
    try:
        opts, names = getopt(tool, args, optstring)
    except BadOption:
        tool.errx(JLS_USAGE)
    req, pflags = JlsRequest(), 0
    for flag, value in opts:
        if flag in "ad":
            req.dying = True
        elif flag == "j":
            req.jail_key = value
        elif flag == "c":
            req.check = True
        elif flag == "h":
            pflags = (pflags & ~(PRINT_SKIP | PRINT_VERBOSE)) | PRINT_HEADER
        elif flag == "N":
            pflags |= PRINT_JAIL_NAME
        elif flag == "n":
            pflags = (pflags & ~PRINT_VERBOSE) | PRINT_NAMEVAL
        elif flag == "q":
            pflags |= PRINT_QUOTED
        elif flag == "s":
            pflags = ((pflags & ~(PRINT_HEADER | PRINT_VERBOSE))
                      | PRINT_NAMEVAL | PRINT_QUOTED | PRINT_SKIP)
        elif flag == "v":
            pflags = (pflags & ~(PRINT_HEADER | PRINT_NAMEVAL | PRINT_SKIP)) | PRINT_VERBOSE
    if req.check and req.jail_key is None:
        tool.errx(JLS_USAGE)
    if names:
        pflags &= ~PRINT_VERBOSE
        req.params = names
    elif pflags & (PRINT_HEADER | PRINT_NAMEVAL):
        req.params = ["all"]
    elif not pflags & PRINT_VERBOSE:
        pflags |= PRINT_DEFAULT
    req.pflags = pflags
    return req


def _user_params(tool: Tool, names: list[str], kinds: dict[str, str]) -> list[str]:
    """add_param(): ``all`` expands to every parameter, top-level names first; repeats merge."""
    chosen: list[str] = []
    for name in names:
        expanded = sorted(kinds, key=lambda n: ("." in n, n)) if name == "all" else [name]
        for each in expanded:
            if each not in kinds:
                tool.errx(f"unknown parameter: {each}")
            if each not in chosen:
                chosen.append(each)
    return chosen


def _jls_header(req: JlsRequest, params: list[str]) -> str:
    if req.pflags & PRINT_VERBOSE:
        return ("   JID  Hostname" + " " * 22 + "Path\n" + " " * 8 + "Name" + " " * 26
                + "State\n" + " " * 8 + "CPUSetID\n" + " " * 8 + "IP Address(es)\n")
    if req.pflags & PRINT_DEFAULT:
        if req.pflags & PRINT_JAIL_NAME:
            return " JID             IP Address      Hostname                      Path\n"
        return "   JID  IP Address      Hostname" + " " * 22 + "Path\n"
    if req.pflags & PRINT_HEADER:
        return " ".join(params) + "\n"
    return ""


def _jls_default(jail: dict, req: JlsRequest, xo: Xo):
    ip4 = jail.get("ip4", [])
    first = ip4[0] if ip4 else ""
    if xo.json:
        key = ("name", jail["name"]) if req.pflags & PRINT_JAIL_NAME else ("jid", jail["jid"])
        return [key, ("ipv4", first), ("hostname", jail["hostname"]), ("path", jail["path"])]
    lead = (f" {c_str(jail['name'], 15, left=True)} " if req.pflags & PRINT_JAIL_NAME
            else f"{jail['jid']:6d}  ")
    return (f"{lead}{c_str(first, 15, 15, True)} {c_str(jail['hostname'], 29, 29, True)} "
            f"{c_str(jail['path'], precision=74)}\n")


def _jls_verbose(jail: dict, xo: Xo):
    state = "DYING" if jail.get("dying") else "ACTIVE"
    ip4, ip6 = list(jail.get("ip4", [])), list(jail.get("ip6", []))
    if xo.json:
        return [("jid", jail["jid"]), ("hostname", jail["hostname"]), ("path", jail["path"]),
                ("name", jail["name"]), ("state", state), ("cpusetid", jail["cpusetid"]),
                ("ipv4_addrs", ip4), ("ipv6_addrs", ip6)]
    pad = " " * 8
    return (f"{jail['jid']:6d}  {c_str(jail['hostname'], 29, 29, True)} "
            f"{c_str(jail['path'], precision=74)}\n"
            f"{pad}{c_str(jail['name'], 29, 29, True)} {state}\n{pad}{jail['cpusetid']}\n"
            + "".join(f"{pad}{ip}\n" for ip in ip4 + ip6))


def _skipped(name: str, values: dict, kinds: dict[str, str]) -> bool:
    """-s: read-only parameters, and children of a jailsys parameter that is not ``new``."""
    parent = name.split(".", 1)[0]
    return name in READ_ONLY_PARAMS or (
        "." in name and kinds.get(parent) == "jailsys" and values.get(parent) != "new")


def _jls_params(jail: dict, req: JlsRequest, params: list[str], state: dict,
                kinds: dict[str, str], xo: Xo):
    values = jail_params(state, jail, kinds)
    nameval, quote = req.pflags & PRINT_NAMEVAL, req.pflags & PRINT_QUOTED
    members: list[Member] = []
    words: list[str] = []
    for name in params:
        if req.pflags & PRINT_SKIP and _skipped(name, values, kinds):
            continue
        kind, value = kinds[name], values.get(name, "")
        if nameval and kind == "bool":
            members.append((name, value))
            words.append(name if value else _noname(name))
            continue
        text = _export(kind, value)
        if kind == "ip":
            members.append((name, list(value)))
        elif text != "":
            members.append((name, text))
        if kind == "ip" and not value:
            text = '""' if quote else "" if nameval else "-"
        else:
            text = _quoted(text, bool(quote))
        words.append(f"{name}={text}" if nameval else text)
    return members if xo.json else " ".join(words) + "\n"


def jls_main(tool: Tool, args: list[str]) -> int:
    xo, args = parse_libxo(tool, args)
    state = read_state(state_path())
    req = _jls_options(tool, args, state)
    kinds = param_kinds(state)
    params = _user_params(tool, req.params, kinds) if req.params is not None else []
    # jls.c walks the jails with "lastjid" (the next JID above the last one printed) and
    # kern_jail.c keeps allprison in JID order: the list comes out by increasing JID.
    jails = [] if state.get("jailed") else sorted(
        (j for j in state.get("jails", []) if req.dying or not j.get("dying")),
        key=lambda j: j["jid"] if isinstance(j["jid"], int) else 1 << 31)
    if req.jail_key is not None:
        jail, message = jail_lookup(state, req.jail_key, req.dying)
        if req.check:
            return 0 if jail else 1
        if jail is None or state.get("jailed"):
            if not xo.json:
                tool.print(_jls_header(req, params))
            tool.errx(message)
        jails = [jail]
    rows = []
    for jail in jails:
        if req.pflags & PRINT_VERBOSE:
            rows.append(_jls_verbose(jail, xo))
        elif req.pflags & PRINT_DEFAULT:
            rows.append(_jls_default(jail, req, xo))
        else:
            rows.append(_jls_params(jail, req, params, state, kinds, xo))
    if xo.json:
        tool.print(xo_document(xo, "jail-information", "jail", rows, version="2"))
    else:
        tool.print(_jls_header(req, params) + "".join(rows))
    return 0


# ---------------------------------------------------------------------------------------------
# ps(1)

PS_ARGS = "AaCcD:defG:gHhjJ:LlM:mN:O:o:p:rSTt:U:uvwXxZ"
PS_USAGE = (
    "usage: ps [--libxo] [-aCcdefHhjlmrSTuvwXxZ] [-O fmt | -o fmt]",
    "          [-G gid[,gid...]] [-J jid[,jid...]] [-M core] [-N system]",
    "          [-p pid[,pid...]] [-t tty[,tty...]] [-U user[,user...]]",
    "          [-D up | down | both]",
    "       ps [--libxo] -L",
)
DFMT, JFMT = "pid,tt,state,time,command", "user,pid,ppid,pgid,sid,jobc,state,tt,time,command"
LFMT = "uid,pid,ppid,cpu,pri,nice,vsz,rss,mwchan,state,tt,time,command"
UFMT = "user,pid,%cpu,%mem,vsz,rss,tt,state,start,time,command"
VFMT = "pid,state,time,sl,re,pagein,vsz,rss,lim,tsiz,%cpu,%mem,command"

# keyword: (header, libxo key, left-justified) -- bin/ps/keyword.c
PS_KEYWORDS = {
    "%cpu": ("%CPU", "percent-cpu", False), "%mem": ("%MEM", "percent-memory", False),
    "acflag": ("ACFLG", "accounting-flag", False), "args": ("COMMAND", "arguments", True),
    "class": ("CLASS", "login-class", True), "comm": ("COMMAND", "command", True),
    "command": ("COMMAND", "command", True), "cow": ("COW", "copy-on-write-faults", False),
    "cpu": ("C", "on-cpu", False), "dsiz": ("DSIZ", "data-size", False),
    "emul": ("EMUL", "emulation-envirnment", True), "etime": ("ELAPSED", "elapsed-time", False),
    "etimes": ("ELAPSED", "elapsed-times", False), "f": ("F", "flags", False),
    "f2": ("F2", "flags2", False), "fib": ("FIB", "fib", False), "gid": ("GID", "gid", False),
    "group": ("GROUP", "group", True), "inblk": ("INBLK", "read-blocks", False),
    "jail": ("JAIL", "jail-name", True), "jid": ("JID", "jail-id", False),
    "jobc": ("JOBC", "job-control-count", False), "ktrace": ("KTRACE", "ktrace", False),
    "label": ("LABEL", "label", True), "lim": ("LIM", "memory-limit", False),
    "lockname": ("LOCK", "lock-name", True), "login": ("LOGIN", "login-name", True),
    "lstart": ("STARTED", "start-time", True), "lwp": ("LWP", "thread-id", False),
    "majflt": ("MAJFLT", "major-faults", False), "minflt": ("MINFLT", "minor-faults", False),
    "msgrcv": ("MSGRCV", "received-messages", False),
    "msgsnd": ("MSGSND", "sent-messages", False), "mwchan": ("MWCHAN", "wait-channel", True),
    "nice": ("NI", "nice", False), "nivcsw": ("NIVCSW", "involuntary-context-switches", False),
    "nlwp": ("NLWP", "threads", False), "nsigs": ("NSIGS", "signals-taken", False),
    "nswap": ("NSWAP", "swaps", False), "nvcsw": ("NVCSW", "voluntary-context-switches", False),
    "nwchan": ("NWCHAN", "wait-channel-address", True),
    "oublk": ("OUBLK", "written-blocks", False), "paddr": ("PADDR", "process-address", False),
    "pagein": ("PAGEIN", "pageins", False), "pgid": ("PGID", "process-group", False),
    "pid": ("PID", "pid", False), "ppid": ("PPID", "ppid", False),
    "pri": ("PRI", "priority", False), "re": ("RE", "residency-time", False),
    "rgid": ("RGID", "real-gid", False), "rgroup": ("RGROUP", "real-group", True),
    "rss": ("RSS", "rss", False), "rtprio": ("RTPRIO", "realtime-priority", False),
    "ruid": ("RUID", "real-uid", False), "ruser": ("RUSER", "real-user", True),
    "sid": ("SID", "sid", False), "sig": ("PENDING", "signals-pending", False),
    "sigcatch": ("CAUGHT", "signals-caught", False),
    "sigignore": ("IGNORED", "signals-ignored", False),
    "sigmask": ("BLOCKED", "signal-mask", False), "sl": ("SL", "sleep-time", False),
    "ssiz": ("SSIZ", "stack-size", False), "start": ("STARTED", "start-time", True),
    "state": ("STAT", "state", True), "svgid": ("SVGID", "saved-gid", False),
    "svuid": ("SVUID", "saved-uid", False), "systime": ("SYSTIME", "system-time", False),
    "tdaddr": ("TDADDR", "thread-address", False), "tdev": ("TDEV", "terminal-device", False),
    "tdname": ("TDNAME", "thread-name", True), "time": ("TIME", "cpu-time", False),
    "tpgid": ("TPGID", "terminal-process-gid", False), "tracer": ("TRACER", "tracer", False),
    "tsid": ("TSID", "terminal-sid", False), "tsiz": ("TSIZ", "text-size", False),
    "tt": ("TT ", "terminal-name", False), "tty": ("TTY", "tty", True),
    "ucomm": ("UCOMM", "accounting-name", True), "uid": ("UID", "uid", False),
    "upr": ("UPR", "user-priority", False), "uprocp": ("UPROCP", "process-address", False),
    "user": ("USER", "user", True), "usertime": ("USERTIME", "user-time", False),
    "vmaddr": ("VMADDR", "vmspace-address", False), "vsz": ("VSZ", "virtual-size", False),
    "wchan": ("WCHAN", "wait-channel", True), "xstat": ("XSTAT", "exit-status", False),
}
PS_ALIASES = {
    "acflg": "acflag", "blocked": "sigmask", "caught": "sigcatch", "cputime": "time",
    "egid": "gid", "egroup": "group", "euid": "uid", "flags": "f", "flags2": "f2",
    "ignored": "sigignore", "inblock": "inblk", "logname": "login", "ni": "nice",
    "nsignals": "nsigs", "oublock": "oublk", "pcpu": "%cpu", "pending": "sig", "pmem": "%mem",
    "stat": "state", "tdnam": "tdname", "tid": "lwp", "usrpri": "upr", "vsize": "vsz",
}
UNLIMITED = 0
COMMAND_WIDTH = 16  # print.c cuts command and args to this unless they come last


@dataclass
class Column:
    keyword: str
    header: str

    @property
    def key(self) -> str:
        return PS_KEYWORDS[self.keyword][1]

    @property
    def left(self) -> bool:
        return PS_KEYWORDS[self.keyword][2]


@dataclass
class PsRequest:
    columns: list[Column]
    all: bool = False
    xkeep: int = -1
    xkeep_implied: bool = False
    nselectors: int = 0
    jids: list[int] | None = None
    pids: list[int] | None = None
    uids: list[int] | None = None
    ttys: list[str] | None = None
    sort: str = "default"
    wflag: int = 0
    status: int = 0
    fatal: bool = False
    user_format: bool = False


def _kludge_oldps(arg: str, nextarg: str | None) -> str:
    """kludge_oldps_options(): ``ps ax`` means ``ps -ax`` and ``ps 34`` means ``ps -p34``."""
    argp = next((i for i, c in enumerate(arg) if c != ":" and f"{c}:" in PS_ARGS), None)
    if not arg or (argp is not None and arg.startswith("-")):
        return arg
    pidp = None
    if arg.endswith("t") and not arg.startswith("-") and argp == len(arg) - 1:
        if nextarg is None or nextarg.startswith("-") or nextarg[:1].isdigit():
            arg = arg[:-1] + "T"
    elif argp is None and arg[-1].isdigit():
        pidp = len(arg.rstrip("0123456789,"))
    if arg.startswith("-") and pidp is None:
        return arg
    dash = "" if arg.startswith("-") else "-"
    return dash + (arg if pidp is None else f"{arg[:pidp]}p{arg[pidp:]}")


def _fmt_items(text: str):
    """parsefmt()'s item split: separators " \\t,\\n"; an item with '=' takes the rest."""
    rest: str | None = text
    while rest:
        cut = re.search(r"[= \t,\n]", rest)
        if cut and cut.group() == "=":
            yield rest
            return
        while rest is not None:
            sep = re.search(r"[ \t,\n]", rest)
            item, rest = (rest[:sep.start()], rest[sep.end():]) if sep else (rest, None)
            if item:
                yield item
                break


def _parse_fmt(tool: Tool, text: str, user: bool, req: PsRequest) -> None:
    for item in _fmt_items(text):
        name, eq, header = item.partition("=")
        if name in PS_ALIASES:
            _parse_fmt(tool, PS_ALIASES[name] + (f"={header}" if eq else ""), user, req)
            continue
        if name not in PS_KEYWORDS:
            tool.warnx(f"{name}: keyword not found")
            req.status = 1
            continue
        if not user and any(c.keyword == name for c in req.columns):
            continue
        req.columns.append(Column(name, header if eq else PS_KEYWORDS[name][0]))
    if not req.columns:
        tool.warnx("no valid keywords; valid keywords:")
        tool.print(" ".join(sorted(set(PS_KEYWORDS) | set(PS_ALIASES))) + "\n")
        raise Exit(1)


def _ps_list(text: str, add) -> None:
    """add_list(): elements separated by blanks and at most one comma each."""
    if text == "":
        add("")
    i = 0
    while i < len(text):
        while i < len(text) and text[i] in " \t":
            i += 1
        j = i
        while j < len(text) and text[j] not in " \t,":
            j += 1
        add(text[i:j])
        i = j
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
            if i == len(text):
                add("")


def _ps_options(tool: Tool, args: list[str], state: dict) -> PsRequest:
    try:
        opts, rest = getopt(tool, args, PS_ARGS)
    except BadOption:
        tool.usage(*PS_USAGE)
    req = PsRequest(columns=[])
    formats = {"j": JFMT, "l": LFMT, "u": UFMT, "v": VFMT, "Z": "label"}
    first_o = True
    for flag, value in opts:
        if flag in "Aa":
            req.all = True
            req.xkeep = 1 if flag == "A" else req.xkeep
        elif flag == "J":
            _ps_list(value, lambda e: _add_jid(tool, state, req, e))
            req.xkeep_implied, req.nselectors = True, req.nselectors + 1
        elif flag == "p":
            _ps_list(value, lambda e: _add_pid(tool, req, e))
            req.nselectors += 1
        elif flag == "U":
            _ps_list(value, lambda e: _add_uid(tool, state, req, e))
            req.xkeep_implied, req.nselectors = True, req.nselectors + 1
        elif flag == "t":
            req.ttys = (req.ttys or []) + [value]
            req.xkeep_implied, req.nselectors = True, req.nselectors + 1
        elif flag == "L":
            tool.print(" ".join(sorted(set(PS_KEYWORDS) | set(PS_ALIASES))) + "\n")
            raise Exit(0)
        elif flag in formats:
            if formats[flag]:
                _parse_fmt(tool, formats[flag], False, req)
                formats[flag] = ""
            req.user_format = req.user_format or flag != "Z"
            req.sort = {"u": "cpu", "v": "mem"}.get(flag, req.sort)
        elif flag == "o":
            _parse_fmt(tool, value, True, req)
            req.user_format = True
        elif flag == "O":
            _parse_fmt(tool, ("pid," if first_o else "") + value
                       + (",tt,state,time,command" if first_o else ""), True, req)
            first_o, req.user_format = False, True
        elif flag in "mr":
            req.sort = "mem" if flag == "m" else "cpu"
        elif flag in "Xx":
            req.xkeep = int(flag == "x")
        elif flag == "w":
            req.wflag += 1
    for operand in rest:
        if not operand[:1].isdigit():
            tool.warnx(f"illegal argument: {operand}\n")
            tool.usage(*PS_USAGE)
        _ps_list(operand, lambda e: _add_pid(tool, req, e))
    if req.fatal:
        raise Exit(1)
    return req


def _add_jid(tool: Tool, state: dict, req: PsRequest, elem: str) -> None:
    if elem == "":
        tool.warnx("Invalid (zero-length) jail id")
        req.fatal = True
        return
    jid, _ = jail_getid(state, elem)
    if jid is None:
        tool.warnx(f"Invalid jail id: {elem}")
        req.fatal = True
        return
    req.jids = (req.jids or []) + [jid]


def _add_pid(tool: Tool, req: PsRequest, elem: str) -> None:
    if not elem.isdigit():
        tool.warnx("Invalid (zero-length) process id" if elem == "" else f"Invalid process id: {elem}")
        req.fatal = True
        return
    req.pids = (req.pids or []) + [int(elem)]


def _add_uid(tool: Tool, state: dict, req: PsRequest, elem: str) -> None:
    uid = user_id(state, elem)
    if uid is None and elem.isdigit() and user_name(state, int(elem)) is not None:
        uid = int(elem)
    if uid is None:
        what = "name or ID matches" if elem.isdigit() else "named"
        tool.warnx(f"No user {what} '{elem}'")
        req.fatal = True
        return
    req.uids = (req.uids or []) + [uid]


def _ps_selected(state: dict, req: PsRequest) -> list[dict]:
    """The selection rules of ps.c: -p always wins, then -x/-X, then any selector matches."""
    xkeep = req.xkeep if req.xkeep >= 0 else int(req.xkeep_implied)
    uids, nselectors = req.uids, req.nselectors
    if not req.all and nselectors == 0:
        uids, nselectors = [current_uid(state)], 1
    kept = []
    for proc in state.get("processes", []):
        if req.pids and proc["pid"] in req.pids:
            kept.append(proc)
            continue
        if xkeep == 0 and not proc.get("tty"):
            continue
        if (nselectors == 0 or (req.jids and proc.get("jid", 0) in req.jids)
                or (uids and process_uid(state, proc) in uids)
                or (req.ttys and proc.get("tty") in req.ttys)):
            kept.append(proc)
    order = {"cpu": lambda p: -float(p.get("pcpu", 0)), "mem": lambda p: -int(p.get("vsz_kib", 0))}
    kept.sort(key=lambda p: p["pid"])
    if req.sort in order:
        kept.sort(key=order[req.sort])
    return kept


def _cputime(seconds: float) -> str:
    hundredths = int(round(float(seconds) * 100))
    secs, cs = divmod(hundredths, 100)
    return f"{secs // 60}:{secs % 60:02d}.{cs:02d}"


def _etime(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    if days:
        return f"{days:3d}-{hours:02d}:{mins:02d}:{secs:02d}"
    return f"{hours:02d}:{mins:02d}:{secs:02d}" if hours else f"{mins:02d}:{secs:02d}"


def _comm(proc: dict) -> str:
    if "comm" in proc:
        return proc["comm"]
    first = proc.get("command", "").split(" ")[0]
    return os.path.basename(first.strip("[]"))[:19]


def _tty(proc: dict, long: bool) -> str:
    tty = proc.get("tty")
    if not tty:
        return "-" if long else "- "
    return tty if long else tty.removeprefix("tty").removeprefix("pts/") + " "


def _age(proc: dict) -> int:
    """print.c elapsed(): now - ki_start; the state's ``etime`` when it gives no ``start``."""
    if "start" in proc:
        return max(0, int(time.time()) - int(proc["start"]))
    return int(proc.get("etime", 0))


def process_start(state: dict, proc: dict) -> int:
    """ki_start.tv_sec: the process's ``start`` when the state gives one, else a fixed time
    derived from its ``etime`` (the oldest process started at ``boottime``), so that one
    process keeps one start time from call to call while its etime stays as written."""
    if "start" in proc:
        return int(proc["start"])
    oldest = max((int(p.get("etime", 0)) for p in state.get("processes", [])), default=0)
    return int(state.get("boottime", 0)) + oldest - int(proc.get("etime", 0))


def _started(proc: dict, ctx: PsContext, long: bool) -> str:
    """print.c lstarted() is strftime("%c") of ki_start, "%a %b %e %H:%M:%S %Y" in the C
    locale; started() shortens it by the process's age."""
    age = int(proc.get("etime", 0))
    start = time.localtime(process_start(ctx.state, proc))
    if long:
        return time.strftime("%a %b %e %H:%M:%S %Y", start)
    fmt = "%H:%M  " if age < 86400 else "%a%H  " if age < 7 * 86400 else "%e%b%y"
    return time.strftime(fmt, start)


@dataclass
class PsContext:
    state: dict
    jails: dict[int, str]

    def uid(self, proc: dict) -> int:
        return process_uid(self.state, proc)

    def user(self, proc: dict) -> str:
        """user_from_uid(uid, 0) in print.c username(): the HOST's passwd, even for a jailed
        process, and the number when the host has no such user."""
        if "uid" in proc:
            return user_name(self.state, int(proc["uid"])) or str(proc["uid"])
        return str(proc.get("user", self.uid(proc)))


# keyword -> cell, formatted as bin/ps/print.c does; other keywords print "-" (not modelled)
PS_CELLS = {
    "%cpu": lambda p, c: f"{float(p.get('pcpu', 0)):.1f}",
    "%mem": lambda p, c: f"{float(p.get('pmem', 0)):.1f}",
    "args": lambda p, c: strvis_ps(p.get("command", "")),
    "command": lambda p, c: strvis_ps(p.get("command", "")),
    "comm": lambda p, c: _comm(p), "ucomm": lambda p, c: _comm(p),
    "class": lambda p, c: p.get("class", "default"),
    "etime": lambda p, c: _etime(_age(p)), "etimes": lambda p, c: str(_age(p)),
    "jail": lambda p, c: c.jails.get(p.get("jid", 0), "-"),
    "jid": lambda p, c: str(p.get("jid", 0)), "login": lambda p, c: str(p.get("user", "root")),
    "lstart": lambda p, c: _started(p, c, True), "start": lambda p, c: _started(p, c, False),
    "mwchan": lambda p, c: p.get("wchan", "-"), "wchan": lambda p, c: p.get("wchan", "-"),
    "nice": lambda p, c: str(p.get("nice", 0)), "nlwp": lambda p, c: str(p.get("nlwp", 1)),
    "pgid": lambda p, c: str(p.get("pgid", p["pid"])), "pid": lambda p, c: str(p["pid"]),
    "ppid": lambda p, c: str(p.get("ppid", 0)), "rss": lambda p, c: str(p.get("rss_kib", 0)),
    "sid": lambda p, c: str(p.get("sid", p["pid"])), "state": lambda p, c: p.get("state", "S"),
    "time": lambda p, c: _cputime(p.get("cputime", 0)), "tt": lambda p, c: _tty(p, False),
    "tty": lambda p, c: _tty(p, True), "uid": lambda p, c: str(c.uid(p)),
    "ruid": lambda p, c: str(c.uid(p)), "svuid": lambda p, c: str(c.uid(p)),
    "user": lambda p, c: c.user(p), "ruser": lambda p, c: c.user(p),
    "vsz": lambda p, c: str(p.get("vsz_kib", 0)),
}


def _termwidth(req: PsRequest, xo: Xo) -> int:
    cols = os.environ.get("COLUMNS", "")
    if xo.json:
        width = UNLIMITED
    elif cols:
        width = int(re.match(r"\s*(\d*)", cols).group(1) or 0)
    else:
        tty = next((fd for fd in (1, 2, 0) if os.isatty(fd)), None)
        width = os.get_terminal_size(tty).columns - 1 if tty is not None else UNLIMITED
    if req.wflag == 1 and width != UNLIMITED and width < 131:
        width = 131
    return UNLIMITED if req.wflag > 1 else width


def _ps_text(req: PsRequest, rows: list[list[str]], termwidth: int) -> str:
    """Columns as wide as their widest cell or header; the last one is cut at termwidth."""
    cols = req.columns
    widths = [max([len(c.header)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    last = len(cols) - 1

    def pad(i: int, text: str) -> str:
        if cols[i].left:
            return text if i == last else text.ljust(widths[i])
        return text.rjust(widths[i])

    def cut(i: int, text: str) -> str:
        left = termwidth - (sum(widths[:i]) + i)
        return text[:left] if i == last and termwidth != UNLIMITED and 0 < left < len(text) else text

    lines = [" ".join(pad(i, c.header) for i, c in enumerate(cols))] if any(
        c.header for c in cols) else []
    lines += [" ".join(pad(i, cut(i, v)) for i, v in enumerate(row)) for row in rows]
    return "".join(line + "\n" for line in lines)


def ps_main(tool: Tool, args: list[str]) -> int:
    if args:
        args = [_kludge_oldps(args[0], args[1] if len(args) > 1 else None), *args[1:]]
    xo, args = parse_libxo(tool, args)
    state = read_state(state_path())
    req = _ps_options(tool, args, state)
    if not req.user_format:
        _parse_fmt(tool, DFMT, False, req)
    ctx = PsContext(state, {j["jid"]: j["name"] for j in state.get("jails", [])})
    procs = _ps_selected(state, req)
    cells = [PS_CELLS.get(c.keyword, lambda p, c: "-") for c in req.columns]
    rows = [[cell(p, ctx) for cell in cells] for p in procs]
    for i, column in enumerate(req.columns[:-1]):
        if column.keyword in ("command", "args"):
            for row in rows:
                row[i] = row[i][:COMMAND_WIDTH]
    if not procs:
        # ps.c: nkept == 0 prints the header, calls xo_finish() before opening
        # process-information and exits 1; libxo's xo_finish_h() then writes "{ }" for JSON.
        tool.print(XO_EMPTY if xo.json else _ps_text(req, [], _termwidth(req, xo)))
        return 1
    if xo.json:
        instances = [[(c.key, v) for c, v in zip(req.columns, row)] for row in rows]
        tool.print(xo_document(xo, "process-information", "process", instances))
    else:
        tool.print(_ps_text(req, rows, _termwidth(req, xo)))
    return req.status


# ---------------------------------------------------------------------------------------------
# rctl(8) and the kernel side of the rctl syscalls (kern_rctl.c)

RCTL_USAGE = "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]"
RESOURCES = (
    "cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked", "maxproc",
    "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr", "msgqqueued", "msgqsize",
    "nmsgq", "nsem", "nsemop", "nshm", "shmsize", "wallclock", "pcpu", "readbps", "writebps",
    "readiops", "writeiops")
SUBJECTS = ("process", "user", "loginclass", "jail")
ACTIONS = (
    "sighup", "sigint", "sigquit", "sigill", "sigtrap", "sigabrt", "sigemt", "sigfpe", "sigkill",
    "sigbus", "sigsegv", "sigsys", "sigpipe", "sigalrm", "sigterm", "sigurg", "sigstop",
    "sigtstp", "sigchld", "sigttin", "sigttou", "sigio", "sigxcpu", "sigxfsz", "sigvtalrm",
    "sigprof", "sigwinch", "siginfo", "sigusr1", "sigusr2", "sigthr", "deny", "log", "devctl",
    "throttle")
NOT_DENIABLE = {"cputime", "wallclock", "readbps", "writebps", "readiops", "writeiops"}
THROTTLEABLE = {"readbps", "writebps", "readiops", "writeiops"}
SLOPPY = {"pseudoterminals", "swapuse", "msgqqueued", "msgqsize", "nmsgq", "nsem", "nshm",
          "shmsize"}
# kern_racct.c racct_types: RACCT_IN_MILLIONS (kern_rctl.c rctl_string_to_rule refuses an amount
# above INT64_MAX / 1000000 for these with ERANGE, then multiplies it).
IN_MILLIONS = {"cputime", "wallclock", "pcpu"}
INT64_MAX = 2**63 - 1
SUBJECT_ALIASES = {"u": "user", "g": "group", "p": "process", "l": "loginclass",
                   "c": "loginclass", "class": "loginclass", "j": "jail"}


class SyscallError(Exception):
    """An rctl syscall failed; the message is strerror(errno)."""


@dataclass(frozen=True)
class KRule:
    """A kernel rule or filter; None is an undefined field."""

    subject: str | None = None
    sid: str | None = None
    resource: str | None = None
    action: str | None = None
    amount: int | None = None
    per: str | None = None

    def __str__(self) -> str:
        """rctl_rule_to_sbuf(): /per only when it differs from the subject."""
        text = f"{self.subject}:{self.sid or ''}:{self.resource}:{self.action}={self.amount}"
        return text if self.per == self.subject else f"{text}/{self.per}"

    def matches(self, f: KRule) -> bool:
        """rctl_rule_matches(self, filter)."""
        pairs = ((f.subject, self.subject), (f.resource, self.resource),
                 (f.action, self.action), (f.amount, self.amount), (f.per, self.per))
        if f.subject is not None and f.sid is not None and self.sid != f.sid:
            return False
        return all(want is None or want == have for want, have in pairs)


def strsep(rest: str | None, delims: str) -> tuple[str | None, str | None]:
    if rest is None:
        return None, None
    for i, ch in enumerate(rest):
        if ch in delims:
            return rest[:i], rest[i + 1:]
    return rest, None


def split_rule(text: str) -> tuple[str | None, ...]:
    """subject:id:resource:action=amount/per, split with strsep like rctl.c and kern_rctl.c."""
    subject, rest = strsep(text, ":")
    sid, rest = strsep(rest, ":")
    resource, rest = strsep(rest, ":")
    action, rest = strsep(rest, "=/")
    amount, per = strsep(rest, "/")
    return subject, sid, resource, action, amount, per


def _lookup(word: str, names: tuple[str, ...]) -> str:
    """str2value(): case-insensitive."""
    for name in names:
        if name == word.lower():
            return name
    raise SyscallError(EINVAL)


def _strtoul(text: str) -> int | None:
    """strtoul(str, &end, 10) that must consume the whole string; wraps like C."""
    m = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?)(\d+)", text)
    if m is None:
        return None
    value = min(int(m.group(2)), 2**64 - 1)
    return (-value) % 2**64 if m.group(1) == "-" else value


def _subject_id(subject: str, sid: str, state: dict) -> str:
    if subject in ("process", "user"):
        value = _strtoul(sid)
        if value is None:
            raise SyscallError(EINVAL)
        if subject == "process" and not any(p["pid"] == value for p in state.get("processes", [])):
            raise SyscallError(ESRCH)
        return str(value)
    if len(sid.encode()) >= (33 if subject == "loginclass" else 256):
        raise SyscallError(ENAMETOOLONG)
    return sid


def kernel_rule(text: str, state: dict) -> KRule:
    """rctl_string_to_rule()."""
    subject, sid, resource, action, amount, per = split_rule(text)
    rule = KRule()
    if subject:
        rule = replace(rule, subject=_lookup(subject, SUBJECTS))
    if sid:
        if rule.subject is None:
            raise SyscallError(EINVAL)
        rule = replace(rule, sid=_subject_id(rule.subject, sid, state))
    if resource:
        rule = replace(rule, resource=_lookup(resource, RESOURCES))
    if action:
        rule = replace(rule, action=_lookup(action, ACTIONS))
    if amount:
        value = _strtoul(amount)
        if value is None:
            raise SyscallError(EINVAL)
        if value > INT64_MAX or (rule.resource in IN_MILLIONS and value > INT64_MAX // 10**6):
            raise SyscallError(ERANGE)
        rule = replace(rule, amount=value)
    if per:
        rule = replace(rule, per=_lookup(per, SUBJECTS))
    return rule


def stored_rules(state: dict) -> list[KRule]:
    """The rules in the state (kernel form; a user name is accepted for convenience)."""
    rules = []
    for text in state.get("rules", []):
        subject, sid, resource, action, amount, per = split_rule(text)
        if subject == "user" and sid and not sid.isdigit():
            sid = str(user_id(state, sid))
        rules.append(KRule(subject, sid, resource, action, int(amount), per or subject))
    return rules


def _fully_specified(rule: KRule) -> bool:
    return None not in (rule.subject, rule.sid, rule.resource, rule.action, rule.amount, rule.per)


def _check_rule(rule: KRule) -> None:
    """What rctl_rule_add() refuses with EOPNOTSUPP."""
    if rule.action == "deny" and rule.resource in NOT_DENIABLE:
        raise SyscallError(EOPNOTSUPP)
    if rule.action == "throttle" and rule.resource not in THROTTLEABLE:
        raise SyscallError(EOPNOTSUPP)
    if rule.per == "process" and rule.resource in SLOPPY:
        raise SyscallError(EOPNOTSUPP)


class Kernel:
    """The five rctl syscalls over the state; each raises SyscallError like the kernel."""

    def __init__(self, state: dict) -> None:
        self.state = state

    def _enter(self, text: str) -> None:
        if self.state.get("racct", "enabled") != "enabled":
            raise SyscallError(ENOSYS)
        if not is_root(self.state) or self.state.get("jailed"):
            raise SyscallError(EPERM)
        if len(text.encode()) + 1 > 4096:
            raise SyscallError(E2BIG)

    def _save(self, rules: list[KRule]) -> None:
        self.state["rules"] = [str(r) for r in rules]

    def get_rules(self, text: str) -> str:
        self._enter(text)
        f = kernel_rule(text, self.state)
        return ",".join(str(r) for r in stored_rules(self.state) if r.matches(f))

    def add_rule(self, text: str) -> None:
        """sys_rctl_add_rule() and rctl_rule_add(): before linking the rule, the kernel calls
        rctl_rule_remove() with the rule itself (an identical rule goes, so log, devctl,
        throttle and sig* rules of other amounts stack) or, for deny, with a copy whose amount
        is undefined (every deny rule of the same subject, resource and per goes). Then
        rctl_racct_add_rule() links it with LIST_INSERT_HEAD: rctl_get_rules() walks each
        subject's list, so the newest rule of a subject is listed first among its rules."""
        self._enter(text)
        rule = kernel_rule(text, self.state)
        if rule.per is None and rule.subject is not None:
            rule = replace(rule, per=rule.subject)
        if not _fully_specified(rule):
            raise SyscallError(EINVAL)
        _check_rule(rule)
        duplicate = replace(rule, amount=None) if rule.action == "deny" else rule
        rules = [r for r in stored_rules(self.state) if not r.matches(duplicate)]
        at = next((i for i, r in enumerate(rules)
                   if (r.subject, r.sid) == (rule.subject, rule.sid)), len(rules))
        rules.insert(at, rule)
        self._save(rules)

    def remove_rule(self, text: str) -> None:
        """sys_rctl_remove_rule() and rctl_rule_remove(): every rule the filter matches
        (rctl_rule_matches: an undefined field, per included, matches anything); ESRCH when
        none did. The filter keeps an omitted per undefined: only -a defaults it."""
        self._enter(text)
        f = kernel_rule(text, self.state)
        rules = stored_rules(self.state)
        kept = [r for r in rules if not r.matches(f)]
        if len(kept) == len(rules):
            raise SyscallError(ESRCH)
        self._save(kept)

    def get_racct(self, text: str) -> str:
        self._enter(text)
        f = kernel_rule(text, self.state)
        if f.subject is None or f.sid is None:
            raise SyscallError(EINVAL)
        if f.subject == "process":
            proc = next(p for p in self.state["processes"] if p["pid"] == int(f.sid))
            usage = {**_process_usage(proc), **self.state.get("usage", {}).get(f"process:{f.sid}", {})}
            names = [r for r in RESOURCES if r not in SLOPPY]
        else:
            key = f.sid if f.subject == "jail" else f"{f.subject}:{f.sid}"
            usage = self.state.get("usage", {}).get(key, {})
            names = list(RESOURCES)
        return ",".join(f"{name}={int(usage.get(name, 0))}" for name in names)

    def get_limits(self, text: str) -> str:
        self._enter(text)
        f = kernel_rule(text, self.state)
        if f.subject is None:
            raise SyscallError(EINVAL)
        if f.subject != "process":
            raise SyscallError(EOPNOTSUPP)
        if f.sid is None:
            raise SyscallError(EINVAL)
        proc = next(p for p in self.state["processes"] if p["pid"] == int(f.sid))
        jails = {j["jid"]: j["name"] for j in self.state.get("jails", [])}
        linked = {("process", f.sid), ("user", str(process_uid(self.state, proc))),
                  ("loginclass", proc.get("class", "default")),
                  ("jail", jails.get(proc.get("jid", 0), "0"))}
        return ",".join(str(r) for r in stored_rules(self.state) if (r.subject, r.sid) in linked)


def _process_usage(proc: dict) -> dict[str, int]:
    return {"cputime": int(proc.get("cputime", 0)), "memoryuse": proc.get("rss_kib", 0) * 1024,
            "vmemoryuse": proc.get("vsz_kib", 0) * 1024, "maxproc": 1,
            "nthr": proc.get("nlwp", 1), "wallclock": int(proc.get("etime", 0)),
            "pcpu": int(proc.get("pcpu", 0))}


def expand_number(text: str) -> int | None:
    """expand_number(3): strtoumax base 0, then one of k m g t p e (x1024) and an optional b."""
    m = re.match(r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", text)
    if m is None:
        return None
    digits = m.group(2)
    base = 16 if digits[:2].lower() == "0x" else 8 if len(digits) > 1 and digits[0] == "0" else 10
    value = int(digits, base)
    if value > 2**64 - 1:
        return None
    value = (-value) % 2**64 if m.group(1) == "-" else value
    rest = text[m.end():]
    if rest == "":
        return value
    shift = {"b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}.get(rest[0].lower())
    if shift is None:
        return None
    rest = rest[1:]
    if shift and rest[:1].lower() == "b":
        rest = rest[1:]
    if rest or value >> (64 - shift) != 0:
        return None
    return value << shift


def humanize_number(quotient: int) -> str:
    """humanize_number(buf[6], quotient, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE), base 1024."""
    divisor, deccut, prefixes = 1024, 973, ("", "K", "M", "G", "T", "P", "E")
    sign, quotient = (-1, -quotient) if quotient < 0 else (1, quotient)
    maximum = 10 ** (6 - (3 if sign < 0 else 2))
    i = remainder = 0
    while (quotient >= maximum or (quotient == maximum - 1 and (
            remainder >= deccut or remainder >= divisor // 2))) and i < 6:
        remainder = quotient % divisor
        quotient //= divisor
        i += 1
    if ((quotient == 9 and remainder < deccut) or quotient < 9) and i > 0:
        s1 = quotient + ((remainder * 10 + divisor // 2) // divisor // 10)
        s2 = ((remainder * 10 + divisor // 2) // divisor) % 10
        return f"{sign * s1}.{s2}{prefixes[i]}"
    return f"{sign * (quotient + (remainder + divisor // 2) // divisor)}{prefixes[i]}"


def _parse_id(tool: Tool, kind: str, text: str, table: dict[str, str], rule: str) -> int | None:
    """parse_user()/parse_group(): a name from the host's database, or a number."""
    for number, name in table.items():
        if name == text:
            return int(number)
    if not text[0].isdigit():
        tool.warnx(f"malformed rule '{rule}': unknown {kind} '{text}'")
        return None
    m = re.match(r"\d+(\.\d*)?([eE][+-]?\d+)?", text)
    if m.end() != len(text):
        tool.warnx(f"malformed rule '{rule}': trailing characters after numerical id")
        return None
    return int(float(m.group()))


def expand_rule(tool: Tool, rule: str, resolve: bool, state: dict) -> str | None:
    """rctl.c expand_rule(): subject aliases, user/group names to ids, amount suffixes."""
    subject, rest = strsep(rule, ":")
    textid, rest = strsep(rest, ":")
    if textid is None:
        tool.warnx(f"malformed rule '{rule}': missing subject")
        return None
    subject = SUBJECT_ALIASES.get(subject.lower(), subject)
    tables = {"user": state.get("users", {}), "group": state.get("groups", {"0": "wheel"})}
    if resolve and subject.lower() in tables and textid:
        number = _parse_id(tool, subject.lower(), textid, tables[subject.lower()], rule)
        if number is None:
            return None
        textid = str(number)
    resolved = f"{subject}:{textid}:{rest or ''}"
    subject, sid, resource, action, amount, per = split_rule(resolved)
    if not amount:
        return resolved
    num = expand_number(amount)
    if num is None:
        tool.warnx(f"malformed rule '{rule}': invalid numeric value '{amount}'")
        return None
    return f"{subject}:{sid}:{resource}:{action}={num}" + ("" if per is None else f"/{per}")


def _humanize_ids(rule: str, state: dict) -> str:
    subject, sid, rest = rule.split(":", 2)
    if subject == "user" and sid.isdigit():
        sid = user_name(state, int(sid)) or sid
    elif subject == "group" and sid.isdigit():
        sid = state.get("groups", {"0": "wheel"}).get(sid, sid)
    return f"{subject}:{sid}:{rest}"


def _humanize_amount(rule: str) -> str:
    subject, sid, resource, action, amount, per = split_rule(rule)
    if not amount or not amount.isdigit():
        return rule
    text = f"{subject}:{sid}:{resource}:{action}={humanize_number(int(amount))}"
    return text if per is None else f"{text}/{per}"


def _print_rules(tool: Tool, rules: str, hflag: bool, nflag: bool, state: dict) -> None:
    for rule in rules.split(",") if rules else []:
        rule = rule if nflag else _humanize_ids(rule, state)
        tool.print((_humanize_amount(rule) if hflag else rule) + "\n")


def _print_usage(tool: Tool, usage: str, hflag: bool) -> None:
    for item in usage.split(","):
        name, _, amount = item.partition("=")
        tool.print(f"{name}={humanize_number(int(amount))}\n" if hflag else item + "\n")


def _enosys(tool: Tool, state: dict) -> None:
    if state.get("racct") == "absent":
        tool.errx("RACCT/RCTL support not present in kernel; see rctl(8) for details")
    tool.errx("RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable")


def _rctl_one(tool: Tool, kernel: Kernel, op: str, rule: str, unexpanded: str,
              hflag: bool, nflag: bool) -> int:
    """One argument of rctl: run the syscall, print the result; 1 on failure."""
    failure = {"a": "failed to add rule", "r": "failed to remove rule",
               "l": "failed to get limits for", "u": "failed to show resource consumption for",
               "": "failed to show rules for"}[op]
    try:
        if op == "a":
            kernel.add_rule(rule)
        elif op == "r":
            kernel.remove_rule(rule)
        elif op == "u":
            _print_usage(tool, kernel.get_racct(rule), hflag)
        else:
            rules = kernel.get_limits(rule) if op == "l" else kernel.get_rules(rule)
            _print_rules(tool, rules, hflag, nflag, kernel.state)
    except SyscallError as error:
        if str(error) == ENOSYS:
            _enosys(tool, kernel.state)
        tool.warnx(f"{failure} '{unexpanded}': {error}")
        return 1
    return 0


def rctl_main(tool: Tool, args: list[str]) -> int:
    try:
        opts, rules = getopt(tool, args, "ahlnru")
    except BadOption:
        tool.usage(RCTL_USAGE)
    flags = {flag for flag, _ in opts}
    ops = [op for op in "alru" if op in flags]
    if len(ops) > 1:
        tool.errx("at most one of -a, -l, -r, or -u may be specified")
    op, hflag, nflag = (ops[0] if ops else ""), "h" in flags, "n" in flags
    if not rules and op:
        tool.usage(RCTL_USAGE)
    path = state_path()
    changes = op in ("a", "r")
    with transaction(path) if changes else contextlib.nullcontext(read_state(path)) as state:
        kernel = Kernel(state)
        if not rules:
            _rctl_one(tool, kernel, "", "::", "::", hflag, nflag)
            return 0
        failed = 0
        for unexpanded in rules:
            rule = expand_rule(tool, unexpanded, not (op == "a" and nflag), state)
            if rule is None:
                failed += 1
                continue
            failed += _rctl_one(tool, kernel, op, rule, unexpanded, hflag, nflag)
        return failed


def rctl_in_state(tool: Tool, state: dict, op: str, rule: str) -> int:
    """``rctl -a RULE`` (op "a") or ``rctl -r FILTER`` (op "r") on the state the caller holds,
    as a jail manager's script runs rctl(8); 1 after reporting a failure."""
    expanded = expand_rule(tool, rule, True, state)
    if expanded is None:
        return 1
    return _rctl_one(tool, Kernel(state), op, expanded, rule, False, False)


# ---------------------------------------------------------------------------------------------
# jail(8)

JAIL_USAGE = (
    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]",
    "            -[cmr] param=value ... [command=command ...]",
    "       jail [-dqv] [-f conf_file] -[cmr] [jail]",
    "       jail [-qv] [-f conf_file] -[rR] ['*' | jail ...]",
    "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]",
    "            [-n jailname] [-s securelevel]",
    "            path hostname [ip[,...]] command ...",
    "       jail [-f conf_file] -e separator",
)
JAIL_PROCESSES = (("/usr/sbin/syslogd -ss", "syslogd", "SsJ"), ("/usr/sbin/cron -s", "cron", "IsJ"))


@dataclass
class JailRun:
    """How jail(8) was asked to talk: verbose is -1 with -q or -i, 1 with -v."""

    verbose: int = 0
    iflag: bool = False


def _next_pid(state: dict) -> int:
    return max([p["pid"] for p in state.get("processes", [])] + [999]) + 1


def create_jail(tool: Tool, state: dict, name: str, run: JailRun, conf: dict) -> bool:
    """Start jail ``name`` with the parameters ``conf`` (hostname, path, addresses, and the
    fake's ``fail``); False after reporting a failure."""
    if jail_lookup(state, name)[0] is not None:
        tool.warnx(f'"{name}" already exists')
        return False
    if conf.get("fail"):
        tool.err.write("".join(line + "\n" for line in conf.get("fail_output", [])))
        tool.warnx(f"{name}: {conf['fail']}: failed")
        return False
    if not is_root(state) or state.get("jailed"):
        tool.warnx(f"{name}: jail_set: {EPERM}")
        return False
    jid = state.get("next_jid", 1)
    state["next_jid"] = jid + 1
    cpusets = [j.get("cpusetid", 1) for j in state.get("jails", [])]
    state.setdefault("jails", []).append({
        "jid": jid, "name": name, "hostname": conf.get("host.hostname", name),
        "path": conf.get("path", f"/usr/local/jails/{name}"), "ip4": list(conf.get("ip4.addr", [])),
        "ip6": list(conf.get("ip6.addr", [])), "cpusetid": max(cpusets + [2]) + 1, "dying": False,
        "params": dict(conf.get("params", {}))})
    for command, comm, pstate in JAIL_PROCESSES:
        state.setdefault("processes", []).append({
            "jid": jid, "pid": _next_pid(state), "ppid": 1, "user": "root", "pcpu": 0.0,
            "pmem": 0.0, "rss_kib": 2048, "vsz_kib": 13000, "nlwp": 1, "state": pstate,
            "cputime": 0.0, "etime": 0, "command": command, "comm": comm})
    if run.iflag:
        tool.print(f"{jid}\n")
    if run.verbose >= 0:
        tool.print(f"{name}: created\n")
    return True


def remove_jail(tool: Tool, state: dict, key: str, run: JailRun, conf: str = "") -> bool:
    """Stop a running jail by name or JID; False after reporting a failure.

    ``conf`` is the config file that defines the jail, "" when jail(8) only found it running
    (state.c start_state's running_jail): then it has no exec.prestop/stop/poststop, fstab
    or devfs to undo. Each removal is logged in the state's ``removed`` as [name, conf].
    """
    jail, _ = jail_lookup(state, key)
    if jail is None:
        if run.verbose >= 0:
            tool.warnx(f'"{key}" not found')
        return False
    if not is_root(state) or state.get("jailed"):
        tool.warnx(f"{jail['name']}: jail_remove: {EPERM}")
        return False
    state["jails"] = [j for j in state["jails"] if j is not jail]
    drop_processes(state, {p["pid"] for p in state.get("processes", []) if p.get("jid") == jail["jid"]})
    state.get("usage", {}).pop(jail["name"], None)
    state.setdefault("removed", []).append([jail["name"], conf])
    if run.verbose >= 0:
        tool.print(f"{jail['name']}: removed\n")
    return True


def _param_jail(tool: Tool, words: list[str]) -> tuple[str, dict]:
    """``jail -c name=foo path=/x persist``: the name and a config-like dict."""
    conf: dict = {}
    for word in words:
        key, eq, value = word.partition("=")
        if key in ("ip4.addr", "ip6.addr"):
            conf.setdefault(key, []).extend(value.split(","))
        elif key in ("name", "path", "host.hostname"):
            conf[key] = value
        else:
            conf.setdefault("params", {})[key] = value if eq else True
    name = conf.pop("name", "")
    path = conf.get("path")
    if path and not os.path.isdir(path):
        tool.warnx(f"{name}: path {path}: No such file or directory")
        raise Exit(1)
    return name, conf


_CONF_TOKENS = re.compile(r"""\s+|#[^\n]*|//[^\n]*|/\*.*?\*/|"((?:\\.|[^"\\])*)"|'([^']*)'"""
                          r"""|\+=|[{};,=]|[^\s{};,="'#]+""", re.S)
MAX_INCLUDE_DEPTH = 32


def conf_jails(tool: Tool, path: str, depth: int = 0) -> list[str]:
    """The jails config file ``path`` and the files it includes define, in order.

    usr.sbin/jail/config.c: parse_config fails (err(1)) on a missing file; include_config
    takes a relative name from the including file's directory, reads every match of a glob
    (none is fine) and a plain name that must exist, at most 32 deep; blocks nest as
    ``parent.child`` (jailparse.y). Only names matter here: a jail's parameters come from the
    state's ``config``.
    """
    text = read_host_file(path)
    if text is None:
        tool.errx(f"{path}: No such file or directory")
    tokens = [(m.group(0), m.group(1) if m.group(1) is not None else m.group(2))
              for m in _CONF_TOKENS.finditer(text)
              if not m.group(0)[:1].isspace() and not m.group(0).startswith(("#", "//", "/*"))]
    names: list[str] = []
    blocks: list[str] = []
    i = 0
    while i < len(tokens):
        raw, quoted = tokens[i]
        word = quoted if quoted is not None else raw
        if raw == ".include" and i + 1 < len(tokens):
            pattern = tokens[i + 1][1] if tokens[i + 1][1] is not None else tokens[i + 1][0]
            if depth + 1 > MAX_INCLUDE_DEPTH:
                tool.errx("maximum include depth exceeded")
            if not pattern.startswith("/") and "/" in path:
                pattern = path[:path.rindex("/") + 1] + pattern
            for each in host_glob(pattern) if re.search(r"[*?[]", pattern) else [pattern]:
                names += conf_jails(tool, each, depth + 1)
            i += 2
        elif i + 1 < len(tokens) and tokens[i + 1][0] == "{" and raw not in "{};,=":
            blocks.append(word)
            full = ".".join(blocks)
            if "*" not in full.split(".") and full not in names:
                names.append(full)
            i += 2
        elif raw == "}" and quoted is None:
            blocks = blocks[:-1]
            i += 1
        else:
            i += 1
    return names


def config_params(state: dict, name: str) -> dict:
    """The parameters the fake starts jail ``name`` with: the state's ``config`` entry."""
    return dict(state.get("config", {}).get(name, {}))


def jail_from_config(tool: Tool, state: dict, cfname: str, start: bool, stop: bool,
                     names: list[str], run: JailRun, rflag: bool = False) -> int:
    """``jail [-f cfname] -c|-r|-rc [NAME]`` (usr.sbin/jail/jail.c main, state.c start_state).

    -r alone: the config is read only if the file exists (docf); a name not in it is still
    removed when a jail by that name runs (running_jail), with nothing to tear down.
    -c and -rc: the file must exist and name the jail, else ``"NAME" not found``.
    -R never reads the config; its ``*`` is every running jail, -r's every configured one.
    """
    if stop and not start:
        docf = not rflag and read_host_file(cfname) is not None
        defined = conf_jails(tool, cfname) if docf else []
        keys = names
        if names == ["*"]:
            keys = ([j["name"] for j in state.get("jails", [])] if rflag
                    else [n for n in defined if jail_lookup(state, n)[0]])
        return int(not all([remove_jail(tool, state, key, run, cfname if key in defined else "")
                            for key in keys]))
    defined = conf_jails(tool, cfname)
    targets = names[:1] or [n for n in defined if jail_lookup(state, n)[0] is None]
    ok = True
    for name in targets:
        if name not in defined:
            tool.errx(f'"{name}" not found')
        if stop and not remove_jail(tool, state, name, run, cfname):
            ok = False
            continue
        ok = create_jail(tool, state, name, run, config_params(state, name)) and ok
    return int(not ok)


def jail_main(tool: Tool, args: list[str]) -> int:
    try:
        opts, names = getopt(tool, args, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    except BadOption:
        tool.usage(*JAIL_USAGE)
    flags, run = {flag for flag, _ in opts}, JailRun()
    for flag, _ in opts:
        run.verbose = {"q": -1, "i": -1, "v": 1}.get(flag, run.verbose)
    run.iflag = "i" in flags
    cfname = dict(opts).get("f") or "/etc/jail.conf"
    start, stop = "c" in flags, bool(flags & {"r", "R"})
    if "e" in flags:
        state = read_state(state_path())
        sep = dict(opts)["e"]
        tool.print("".join(f"name={n}{sep}path={config_params(state, n).get('path', '')}\n"
                           for n in conf_jails(tool, cfname)))
        return 0
    if not (start or stop or "m" in flags) or (stop and not names):
        tool.usage(*JAIL_USAGE)
    with transaction(state_path()) as state:
        if start and (len(names) > 1 or (names and "=" in names[0])):
            name, conf = _param_jail(tool, names)
            return int(not create_jail(tool, state, name, run, conf))
        if "m" in flags and not start:
            return _modify(tool, state, names, run)
        return jail_from_config(tool, state, cfname, start, stop, names, run, "R" in flags)


def _modify(tool: Tool, state: dict, names: list[str], run: JailRun) -> int:
    jail, _ = jail_lookup(state, names[0]) if names else (None, "")
    if jail is None:
        tool.warnx(f'"{names[0]}" not found' if names else "no jail specified")
        return 1
    if run.verbose >= 0:
        tool.print(f"{jail['name']}: updated\n")
    return 0


# ---------------------------------------------------------------------------------------------
# service jail ... (libexec/rc/rc.d/jail)

RC_JAIL = "/etc/rc.d/jail"
RC_KEYWORDS = ("start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled",
               "describe", "extracommands", "config", "console", "status")


class _Capture:
    """A temporary file: jail(8)'s stdout and stderr, interleaved, as rc.d/jail collects them."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def rc_conf() -> dict:
    """load_rc_config (libexec/rc/rc.subr): rc.conf, rc.conf.local, then rc.conf.d/jail under
    /etc and /usr/local/etc (a file, or a directory of files); jail_conf defaults to
    /etc/jail.conf (/etc/defaults/rc.conf)."""
    values = {"jail_conf": "/etc/jail.conf"}
    for path in ("/etc/rc.conf", "/etc/rc.conf.local"):
        values = sh_assignments(read_host_file(path) or "", values)
    for path in ("/etc/rc.conf.d/jail", "/usr/local/etc/rc.conf.d/jail"):
        for each in host_glob(path + "/*") or [path]:
            values = sh_assignments(read_host_file(each) or "", values)
    return values


def _rc_parse_options(tool: Tool, state: dict, rc: dict, j: str, jv: str) -> str | None:
    """rc.d/jail parse_options: with jail_JV_rootdir and jail_JV_hostname both set, the
    config rc.d writes from rc.conf (_rc_legacy_conf); else the first readable of
    jail_JV_conf (else /etc/jail.J.conf), /etc/jail.conf.d/J.conf (unless jail_conf includes
    /etc/jail.conf.d/) and jail_conf; none readable: a warning and the jail is ignored."""
    jail_conf = rc["jail_conf"]
    jconf = rc.get(f"jail_{jv}_conf") or f"/etc/jail.{j}.conf"
    state.pop("rc_confwarn", None)
    if rc.get(f"jail_{jv}_rootdir") and rc.get(f"jail_{jv}_hostname"):
        return _rc_legacy_conf(tool, state, rc, j, jv, jconf)
    if read_host_file(jconf) is not None:
        return jconf
    included = re.search(r"""^\s*\.include\s*["']?/etc/jail\.conf\.d/""",
                         read_host_file(jail_conf) or "", re.M)
    if read_host_file(f"/etc/jail.conf.d/{j}.conf") is not None and not included:
        return f"/etc/jail.conf.d/{j}.conf"
    if read_host_file(jail_conf) is not None:
        return jail_conf
    tool.err.write(f"{RC_JAIL}: WARNING: Invalid configuration for {j} (no jail.conf, no "
                   f"hostname, or no path).  Jail {j} was ignored.\n")
    return None


def _rc_yes(value: str | None) -> bool:
    """rc.subr checkyesno."""
    return (value or "").lower() in ("yes", "true", "on", "1")


def _rc_legacy_conf(tool: Tool, state: dict, rc: dict, j: str, jv: str, jconf: str) -> str | None:
    """parse_options' rc.conf branch: without jail_JV_ip and without the vimage kernel feature
    (check_kern_features vimage: kern.features.vimage) the jail is ignored with a warning;
    else rc.d warns that it writes /var/run/jail.J.conf (when jail_conf or jconf is readable
    and jail_parallel_start is off) and writes it: hostname, path, ip4.addr/ip6.addr from
    jail_JV_ip and jail_JV_ip_multiN (jail_extract_address: ``iface|addr/mask``, /32 and
    /128 by default; "vnet;" without an address), exec.start "/bin/sh /etc/rc", exec.stop
    "/bin/sh /etc/rc.shutdown jail". The fake starts the jail with the state's ``config``
    entry for J, which this writes from the same variables (keeping the fake's ``fail``)."""
    ip = rc.get(f"jail_{jv}_ip", "")
    if not ip and sysctl_values(state).get("kern.features.vimage") != "1":
        tool.err.write(f"{RC_JAIL}: WARNING: no ipaddress specified and no vimage support.  "
                       f"Jail {j} was ignored.\n")
        return None
    conf = f"/var/run/jail.{j}.conf"
    if read_host_file(rc["jail_conf"]) is not None or read_host_file(jconf) is not None:
        if not _rc_yes(rc.get("jail_parallel_start")):
            tool.err.write(f"{RC_JAIL}: WARNING: {conf} is created and used for jail {j}.\n")
    lines = [time.strftime("# Generated by rc.d/jail at %Y-%m-%d %H:%M:%S"), f"{j} {{",
             f'\thost.hostname = "{rc[f"jail_{jv}_hostname"]}";',
             f'\tpath = "{rc[f"jail_{jv}_rootdir"]}";']
    addresses: dict[str, list[str]] = {"ip4.addr": [], "ip6.addr": []}
    values = [ip] if ip else []
    while ip and rc.get(f"jail_{jv}_ip_multi{len(values) - 1}"):  # up to the first unset one
        values.append(rc[f"jail_{jv}_ip_multi{len(values) - 1}"])
    for value in values:
        for item in value.split(","):
            rest = item.split("|")[-1]
            addr = re.split(r"[/ ]", rest, maxsplit=1)[0]
            if addr.count(".") >= 3:
                key, mask = "ip4.addr", rest[len(addr):] or "/32"
            elif ":" in addr:
                key, mask = "ip6.addr", rest[len(addr):] or "/128"
            else:
                continue
            addresses[key].append(addr)
            lines.append(f'\t{key} += "{addr}{mask}";')
    if not ip:
        lines.append("\tvnet;")
    lines += ["\texec.clean;", '\texec.system_user = "root";', '\texec.jail_user = "root";',
              '\texec.start += "/bin/sh /etc/rc";',
              '\texec.stop = "/bin/sh /etc/rc.shutdown jail";',
              f'\texec.consolelog = "/var/log/jail_{j}_console.log";', "}"]
    write_host_file(conf, "\n".join(lines) + "\n")
    configs = state.setdefault("config", {})
    knobs = {k: v for k, v in configs.get(j, {}).items() if k in ("fail", "fail_output")}
    configs[j] = {"host.hostname": rc[f"jail_{jv}_hostname"], "path": rc[f"jail_{jv}_rootdir"],
                  **{key: found for key, found in addresses.items() if found}, **knobs}
    state["rc_confwarn"] = _rc_yes(rc.get("jail_confwarn", "YES"))
    return conf


def _rc_jail(state: dict, cfname: str, start: bool, stop: bool, names: list[str],
             run: JailRun) -> tuple[bool, str]:
    """``jail [flags] -f CONF -c|-r NAME`` with its output captured as rc.d/jail does
    (``>> $_tmp 2>&1``); an error exit of jail(8) is a failure too."""
    capture = _Capture()
    try:
        ok = jail_from_config(Tool("jail", capture, capture), state, cfname, start, stop, names,
                              run) == 0
    except Exit:
        ok = False
    return ok, capture.text


def _rc_start(tool: Tool, state: dict, rc: dict, names: list[str] | None) -> None:
    """rc.d/jail jail_start: one ``jail -i -f CONF -c J`` per name (``echo " J"`` on success,
    `` cannot start jail  "J": `` and jail(8)'s output on failure), or ``jail -f jail_conf -c``
    for all; it never fails."""
    out = "Starting jails:"
    if names is None:
        ok, text = _rc_jail(state, rc["jail_conf"], True, False, [], JailRun(verbose=0))
        running = [j["name"] for j in state.get("jails", []) if not j.get("dying")]
        out += "".join(f" {name}" for name in running) if ok else text
    for name in names or []:
        j, jv = re.sub(r"[/.]", "_", name), re.sub(r"[^A-Za-z0-9]", "_", re.sub(r"[/.]", "_", name))
        conf = _rc_parse_options(tool, state, rc, j, jv)
        if conf is None:
            continue
        shown = rc.get(f"jail_{jv}_hostname") or j
        ok, text = _rc_jail(state, conf, True, False, [j], JailRun(-1, True))
        out += f" {shown}" if ok else f' cannot start jail  "{shown}": \n' + text
    tool.print(out + ".\n")
    # start_postcmd jail_warn: _confwarn as the last parse_options left it.
    if state.pop("rc_confwarn", False):
        tool.err.write(f"{RC_JAIL}: WARNING: Per-jail configuration via jail_* variables is "
                       f"obsolete.  Please consider migrating to {rc['jail_conf']}.\n")


def _rc_stop(tool: Tool, state: dict, rc: dict, names: list[str] | None) -> None:
    """rc.d/jail jail_stop: for each name rc.d finds a config for and ``jls -j J`` sees,
    ``jail -q -f CONF -r J`` (a name CONF does not define is removed all the same,
    state.c start_state); without names, ``jail -f jail_conf -r J`` for every running J."""
    out = "Stopping jails:"
    if names is None:
        for name in [j["name"] for j in state.get("jails", []) if not j.get("dying")]:
            out += f" {name}"
            ok, text = _rc_jail(state, rc["jail_conf"], False, True, [name], JailRun())
            out += text if jail_lookup(state, name)[0] is not None else ""
    for name in names or []:
        j, jv = re.sub(r"[/.]", "_", name), re.sub(r"[^A-Za-z0-9]", "_", re.sub(r"[/.]", "_", name))
        conf = _rc_parse_options(tool, state, rc, j, jv)
        if conf is None or jail_lookup(state, j)[0] is None:
            continue
        out += f" {rc.get(f'jail_{jv}_hostname') or j}"
        ok, text = _rc_jail(state, conf, False, True, [j], JailRun(verbose=-1))
        if jail_lookup(state, j)[0] is not None:
            out += text
    state.pop("rc_confwarn", None)
    tool.print(out + ".\n")


def service_main(tool: Tool, args: list[str]) -> int:
    if not args or args[0].startswith("-"):
        tool.usage("usage: service [-j <jail name or id>] [-rRv] <rc.d script> start|stop|etc.",
                   "   or: service [-j <jail name or id>] -e",
                   "   or: service [-j <jail name or id>] -R",
                   "   or: service [-j <jail name or id>] -l|-r")
    if args[0] != "jail":
        tool.errx(f"{args[0]} does not exist in /etc/rc.d or the local startup directories "
                  "(/usr/local/etc/rc.d), or is not executable")
    verb = args[1] if len(args) > 1 else ""
    for prefix in ("fast", "force", "one", "quiet"):
        if verb.startswith(prefix) and verb[len(prefix):] in RC_KEYWORDS:
            verb = verb[len(prefix):]
            break
    if verb not in ("start", "stop", "restart", "status"):
        tool.err.write(f"{RC_JAIL}: unknown directive '{args[1]}'.\n" if len(args) > 1 else "")
        tool.usage(f"Usage: {RC_JAIL} [fast|force|one|quiet]({'|'.join(RC_KEYWORDS)})")
    if verb == "status":
        return jls_main(Tool("jls", tool.out, tool.err), ["-N"])
    rc = rc_conf()
    names = args[2:] or rc.get("jail_list", "").split() or None
    # rc.subr run_rc_command: restart is stop, then start, whatever stop did. The state's
    # ``rc_pause`` (seconds) is how long the fake waits in between, the lock released.
    if verb in ("stop", "restart"):
        with transaction(state_path()) as state:
            _rc_stop(tool, state, rc, names)
    if verb == "restart":
        time.sleep(float(read_state(state_path()).get("rc_pause", 0)))
    if verb in ("start", "restart"):
        with transaction(state_path()) as state:
            _rc_start(tool, state, rc, names)
    return 0


# ---------------------------------------------------------------------------------------------
# jexec(8)

JEXEC_USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]"


def _passwd(tool: Tool, state: dict, username: str | None) -> dict:
    uid = current_uid(state) if username is None else user_id(state, username)
    name = user_name(state, uid) if uid is not None else None
    if name is None:
        tool.errx(f"{username}: no such user")
    home = "/root" if uid == 0 else f"/home/{name}"
    return {"name": name, "dir": home, "shell": "/bin/sh"}


def _jail_passwd(tool: Tool, state: dict, jail: dict, username: str) -> dict:
    """get_user_info() for -U, after jail_attach(2): getpwnam(3) inside the jail, which reads
    the jail's /etc/spwd.db (as root) or /etc/pwd.db (lib/libc/gen/getpwent.c pwdbopen). For
    a jail whose tree exists on disk here, a pwd.db or spwd.db file stands for the database
    and etc/passwd gives its entries; with no database getpwnam fails with ENOENT and jexec.c
    says "getpwnam: NAME: No such file or directory"; with no entry, "NAME: no such user".
    Jails without a tree on the fake host's disk use the state's users."""
    etc = host_path(os.path.join(jail["path"], "etc"))
    if not os.path.isdir(etc):
        return _passwd(tool, state, username)
    if not any(os.path.exists(os.path.join(etc, db)) for db in ("spwd.db", "pwd.db")):
        tool.errx(f"getpwnam: {username}: No such file or directory")
    try:
        with open(os.path.join(etc, "passwd"), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 7 and fields[0] == username and not line.startswith("#"):
            return {"name": fields[0], "dir": fields[5], "shell": fields[6] or "/bin/sh"}
    tool.errx(f"{username}: no such user")


def jexec_main(tool: Tool, args: list[str]) -> int:
    try:
        opts, rest = getopt(tool, args, "lnu:U:")
    except BadOption:
        tool.usage(JEXEC_USAGE)
    given = dict(opts)
    clean, username = "l" in given, given.get("u", given.get("U"))
    if not rest or ("u" in given and "U" in given):
        tool.usage(JEXEC_USAGE)
    state = read_state(state_path())
    pwd = _passwd(tool, state, username) if "u" in given or (clean and "U" not in given) else None
    jid, message = jail_getid(state, rest[0])
    if jid is None:
        tool.errx(message)
    jail = next((j for j in state.get("jails", []) if j["jid"] == jid and not j.get("dying")), None)
    if jail is None:
        tool.errx(f"jail_attach({jid}): {EINVAL}")
    if not is_root(state) or state.get("jailed"):
        tool.errx(f"jail_attach({jid}): {EPERM}")
    os.chdir("/")
    env = dict(os.environ)
    if clean or username is not None:
        pwd = _jail_passwd(tool, state, jail, username) if "U" in given else pwd
        if clean:
            env = {k: v for k, v in os.environ.items() if k == "TERM"}
            env.update(PATH="/bin:/usr/bin", HOME=pwd["dir"], SHELL=pwd["shell"], USER=pwd["name"])
    env[JAIL_ENV] = jail["name"]
    command = rest[1:] or [env.get("SHELL") or "/bin/sh", "-i"]
    what = "execvp" if rest[1:] else "execlp"
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except OSError as error:
        tool.errx(f"{what}: {command[0]}: {os.strerror(error.errno)}")
    return 1


# ---------------------------------------------------------------------------------------------
# sysctl(8)

SYSCTL_USAGE = ("usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...",
                "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a")


def sysctl_values(state: dict) -> dict[str, str]:
    """Every OID the fake knows, formatted as sysctl prints it; state["sysctl"] adds or overrides."""
    pages = int(state.get("v_page_count", 0))
    free, inactive = int(state.get("v_free_count", 0)), int(state.get("v_inactive_count", 0))
    wire = pages // 10
    boot = int(state.get("boottime", 0))
    ncpu = int(state.get("ncpu", 1))
    cp_time = [int(v) for v in state.get("cp_time", [0] * 5)]
    values = {
        "hw.model": state.get("model", "Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz"),
        "hw.ncpu": str(ncpu), "hw.pagesize": str(state.get("pagesize", 4096)),
        "hw.physmem": str(state.get("physmem", 0)), "hw.realmem": str(state.get("physmem", 0)),
        "kern.boottime": f"{{ sec = {boot}, usec = 0 }} {time.ctime(boot)}",
        "kern.cp_time": " ".join(map(str, cp_time)),
        "kern.cp_times": " ".join(str(v // ncpu) for _ in range(ncpu) for v in cp_time),
        # sys/net/vnet.c FEATURE(vimage): in GENERIC since 12.0.
        "kern.features.vimage": "1",
        "kern.hostname": state.get("hostname", ""), "kern.osreldate": str(state.get("osreldate", 0)),
        "kern.osrelease": state.get("osrelease", ""), "kern.ostype": "FreeBSD",
        "kern.pid_max": "99999",
        "security.jail.jailed": "1" if state.get("jailed") else "0", "security.jail.vnet": "0",
        "vm.loadavg": "{ " + " ".join(f"{v:.2f}" for v in state.get("loadavg", [0, 0, 0])) + " }",
        "vm.stats.vm.v_active_count": str(max(pages - free - inactive - wire, 0)),
        "vm.stats.vm.v_free_count": str(free), "vm.stats.vm.v_inactive_count": str(inactive),
        "vm.stats.vm.v_laundry_count": "0", "vm.stats.vm.v_page_count": str(pages),
        "vm.stats.vm.v_page_size": str(state.get("pagesize", 4096)),
        "vm.stats.vm.v_wire_count": str(wire),
    }
    if state.get("racct", "enabled") != "absent":
        values.update({
            "kern.racct.enable": "1" if state.get("racct", "enabled") == "enabled" else "0",
            "kern.racct.pcpu_threshold": "1", "kern.racct.rctl.maxbufsize": "16777216",
            "kern.racct.rctl.log_rate_limit": "10", "kern.racct.rctl.devctl_rate_limit": "10",
            "kern.racct.rctl.throttle_min": "1", "kern.racct.rctl.throttle_max": "1000",
            "kern.racct.rctl.throttle_pct": "100", "kern.racct.rctl.throttle_pct2": "100"})
    values.update({k: str(v) for k, v in state.get("sysctl", {}).items() if v is not None})
    for name, value in state.get("sysctl", {}).items():
        if value is None:
            values.pop(name, None)
    return dict(sorted(values.items()))


def _sysctl_set(tool: Tool, name: str, values: dict[str, str]) -> int:
    if name not in values:
        tool.warnx(f"unknown oid '{name}'")
    elif name == "kern.racct.enable":
        tool.warnx(f"oid '{name}' is a read only tunable")
        tool.warnx("Tunable values are set in /boot/loader.conf")
    else:
        tool.warnx(f"oid '{name}' is read only")
    return 1


def sysctl_main(tool: Tool, args: list[str]) -> int:
    try:
        opts, names = getopt(tool, args, "AabB:def:hiJNnoqTtWxX")
    except BadOption:
        tool.usage(*SYSCTL_USAGE)
    flags = {flag for flag, _ in opts}
    values = sysctl_values(read_state(state_path()))
    if flags & {"a", "A", "X"}:
        names = list(values)
    elif not names:
        tool.usage(*SYSCTL_USAGE)
    failed = 0
    for name in names:
        if "=" in name:
            failed += _sysctl_set(tool, name.partition("=")[0], values)
            continue
        found = [k for k in values if k == name or k.startswith(name + ".")]
        if not found:
            # sysctl.c parse(): -i skips silently, -q only hides the warning; each failure
            # counts, and main() returns the count as the exit status.
            if "i" not in flags:
                if "q" not in flags:
                    tool.warnx(f"unknown oid '{name}'")
                failed += 1
            continue
        for oid in found:
            line = oid if "N" in flags else values[oid] if "n" in flags else (
                f"{oid}={values[oid]}" if "e" in flags else f"{oid}: {values[oid]}")
            tool.print(line + "\n")
    return failed


# ---------------------------------------------------------------------------------------------
# kill(1)

KILL_USAGE = ("usage: kill [-s signal_name] pid ...", "       kill -l [exit_status]",
              "       kill -signal_name pid ...", "       kill -signal_number pid ...")
SIGNALS = ("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "EMT", "FPE", "KILL", "BUS", "SEGV",
           "SYS", "PIPE", "ALRM", "TERM", "URG", "STOP", "TSTP", "CONT", "CHLD", "TTIN", "TTOU",
           "IO", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "INFO", "USR1", "USR2")
FATAL_SIGNALS = {2, 9, 15}


def _signal_list() -> str:
    return " ".join(SIGNALS[:16]) + "\n" + " ".join(SIGNALS[16:]) + "\n"


def _signum(tool: Tool, name: str) -> int:
    bare = name[3:] if name[:3].upper() == "SIG" else name
    for number, known in enumerate(SIGNALS, start=1):
        if known == bare.upper():
            return number
    tool.warnx(f"unknown signal {name}; valid signals:")
    tool.err.write(_signal_list())
    raise Exit(2)


def _kill_list(tool: Tool, args: list[str]) -> int:
    if len(args) > 1 or (args and not args[0][:1].isdigit()):
        tool.usage(*KILL_USAGE, code=2)
    if not args:
        tool.print(_signal_list())
        return 0
    number = int(re.match(r"\d+", args[0]).group())
    number -= 128 if number >= 128 else 0
    if not 0 < number <= len(SIGNALS):
        _signum(tool, args[0])
    tool.print(SIGNALS[number - 1] + "\n")
    return 0


def _parse_signal(tool: Tool, args: list[str]) -> tuple[int, list[str]]:
    if args[0] == "-s":
        if len(args) < 2:
            tool.warnx("option requires an argument -- s")
            tool.usage(*KILL_USAGE, code=2)
        return (0 if args[1] == "0" else _signum(tool, args[1])), args[2:]
    if args[0].startswith("-") and not args[0].startswith("--"):
        word = args[0][1:]
        if word[:1].isalpha():
            return _signum(tool, word), args[1:]
        if not word.isdigit():
            if word[:1].isdigit():
                tool.errx(f"illegal signal number: {word}", 2)
            _signum(tool, word)
        return int(word), args[1:]
    return 15, args


def _deliver(state: dict, pid: int, signum: int) -> str | None:
    """kill(2) on the fake process table; an error message or None."""
    proc = next((p for p in state.get("processes", []) if p["pid"] == pid), None)
    if proc is None or pid <= 0:
        return ESRCH
    if not is_root(state) and process_uid(state, proc) != current_uid(state):
        return EPERM
    if signum in FATAL_SIGNALS:
        drop_processes(state, {pid})
    return None


def kill_main(tool: Tool, args: list[str]) -> int:
    if not args:
        tool.usage(*KILL_USAGE, code=2)
    if args[0] == "-l":
        return _kill_list(tool, args[1:])
    signum, pids = _parse_signal(tool, args)
    if pids and pids[0].startswith("--"):
        pids = pids[1:]
    if not pids:
        tool.usage(*KILL_USAGE, code=2)
    errors = 0
    with transaction(state_path()) as state:
        for word in pids:
            if not re.fullmatch(r"-?\d+", word):
                tool.warnx(f"illegal process id: {word}")
                errors = 1
                continue
            message = _deliver(state, int(word), signum)
            if message:
                tool.warnx(f"{word}: {message}")
                errors = 1
    return errors


# ---------------------------------------------------------------------------------------------

TOOLS = {"jls": jls_main, "ps": ps_main, "rctl": rctl_main, "jail": jail_main,
         "service": service_main, "jexec": jexec_main, "sysctl": sysctl_main, "kill": kill_main}


# ---------------------------------------------------------------------------------------------
# Fault injection: state["faults"] maps "TOOL ARGS..." (the whole command, e.g. "rctl -u jail:www"),
# "TOOL FIRST-ARG" ("rctl -u") or "TOOL" to a fault, read on every call, so a test can switch
# faults on and off while the app runs.
#
#   hang[:SECONDS]   sleep (default an hour) with a forked child that sleeps too, both holding
#                    stdout; their pids are appended to STATE.pids as "TOOL PID"
#   slow:SECONDS     sleep, then answer normally
#   garbage          print bytes no FreeBSD tool prints (NUL, invalid UTF-8, ESC sequences), exit 0
#   half-json        print the first half of the real answer (a cut libxo document), same status
#   huge[:BYTES]     print BYTES (default 200 MB) on one line, exit 0
#   exit:N           print an error line on stderr and exit N

GARBAGE = b"\x00\xff\xfe{garbage \x1b[2J\x1b]52;c;aGk=\x07 ]]\n\x9b31m"
HUGE = 200 * 1000 * 1000


def _fault(name: str, args: list[str]) -> str | None:
    """The fault for this call: keyed by the whole command, its first argument, or the tool."""
    faults = read_state(state_path()).get("faults") or {}
    keys = [" ".join([name, *args]), " ".join([name, *args[:1]]), name]
    return next((faults[key] for key in keys if key in faults), None)


def _record_pid(name: str) -> None:
    with open(state_path() + ".pids", "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(f"{name} {os.getpid()}\n")


def inject(fault: str, name: str, args: list[str], tools: dict) -> int:
    kind, _, value = fault.partition(":")
    if kind == "hang":
        child = os.fork()
        _record_pid(name)
        time.sleep(float(value or 3600))
        if child == 0:
            os._exit(0)
        return 0
    if kind == "slow":
        time.sleep(float(value))
        return tools[name](Tool(name), args)
    if kind == "garbage":
        sys.stdout.flush()
        os.write(1, GARBAGE)
        return 0
    if kind == "half-json":
        out = _Capture()
        try:
            code = tools[name](Tool(name, out=out), args)
        except Exit as leave:
            code = leave.code
        sys.stdout.write(out.text[:len(out.text) // 2])
        return code
    if kind == "huge":
        left, chunk = int(value or HUGE), b"A" * (1 << 20)
        while left > 0:
            left -= os.write(1, chunk[:left])
        return 0
    if kind == "exit":
        Tool(name).warnx("injected failure")
        return int(value)
    raise ValueError(f"unknown fault {fault!r}")


def main(argv: list[str], tools: dict | None = None) -> int:
    """Run the tool named by argv[0] (from ``tools``, by default the base tools), or the fault
    injected for it, and return its exit status."""
    name = os.path.basename(argv[0])
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="surrogateescape")
    log_invocation(name, argv[1:])
    try:
        tools = tools or TOOLS
        fault = _fault(name, argv[1:])
        if fault:
            return inject(fault, name, list(argv[1:]), tools)
        return tools[name](Tool(name), list(argv[1:]))
    except Exit as leave:
        return leave.code
