"""Pure parsers for what FreeBSD's tools print: ``jls`` and ``ps`` libxo JSON, ``rctl`` usage and
rule lists, ``sysctl -n`` values and the failure report of ``service jail start``
(jail.conf(5) lives in :mod:`jailtui.engine.jailconf`).

Every function takes text and does no I/O. Output that is not understood raises ParseError with
a one-line message naming the command and what was wrong.
"""

from __future__ import annotations

import gc
import json
import operator
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import MISSING, fields
from typing import Any

from .errors import ParseError
from .model import Jail, JailState, Process, Rule, Usage
from .proctable import Columns, ProcessTable
from .rctl import ACTIONS, RESOURCES, SUBJECTS
from .vis import vis

#: Kernel figures are 64-bit: at most 20 digits (Python refuses int() of more than 4300).
_INTEGER = re.compile(r"-?[0-9]{1,20}")
_UNSIGNED = re.compile(r"[0-9]{1,20}")

# -- libxo JSON ------------------------------------------------------------------------------


def _json_list(text: str, command: str, *path: str) -> list[dict[str, Any]]:
    """The list of objects at ``path`` in the one JSON document ``command`` printed.

    libxo escapes only backslash, double quote, newline and CR (libxo.c xo_escape_json), so a
    TAB or ESC a jail put in its hostname arrives raw: decode with ``strict=False`` and treat
    every string as untrusted.
    """
    try:
        node: Any = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{command}: output is not JSON ({exc.msg} at line {exc.lineno})") \
            from None
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


class _Memo(dict[str, Any]):
    """Converted values by their text: a jail prints the same JID, a process the same start
    time and, while idle, the same cpu time at every sample. Emptied when it outgrows
    ``size``."""

    def __init__(self, convert: Callable[[str], Any], size: int = 400_000) -> None:
        super().__init__()
        self.convert, self.size = convert, size

    def __missing__(self, text: str) -> Any:
        if len(self) >= self.size:
            self.clear()
        value = self[text] = self.convert(text)
        return value


# -- jls -------------------------------------------------------------------------------------

#: Keys of the fixed output modes (default, -N, -v); any other key means param mode.
_JLS_FIXED_KEYS = frozenset(
    {"jid", "name", "ipv4", "hostname", "path", "state", "cpusetid", "ipv4_addrs", "ipv6_addrs"})


def parse_jls(text: str, skipped: list[str] | None = None) -> list[Jail]:
    """Jails from ``jls --libxo json`` in default, ``-N``, ``-v`` or param (``-n``) mode.

    With ``skipped`` given, a jail whose entry cannot be read is left out and a line naming it
    is appended there, so one odd jail never hides the others; without it, it raises.
    """
    records = _jls_records(text)
    if records is not None:
        jails = _recorded_jails(records, skipped)
        if jails is not None:
            return jails
    jails = []
    for index, entry in enumerate(_json_list(text, "jls", "jail-information", "jail")):
        jail = _entry_jail(entry, index, skipped)
        if jail is not None:
            jails.append(jail)
    return jails


def _entry_jail(entry: dict[str, Any], index: int, skipped: list[str] | None) -> Jail | None:
    """The Jail of one entry; None (and a line in ``skipped``) when it cannot be read."""
    try:
        try:
            return _sampled_jail(entry)
        except (KeyError, TypeError, ParseError):
            pass
        return _jail(entry)
    except ParseError as exc:
        if skipped is None:
            raise
        problem = exc.message.removeprefix("jls: ")
        skipped.append(f"jls: skipped jail {_entry_label(entry, index)}: {problem}")
        return None


_JLS_START = '{"jid":'
#: What libxo writes between two jails of the list (the samples in tests/data/freebsd).
_JLS_BETWEEN = ', {"jid":'
_JLS_HEAD = re.compile(r'\{(?:"__version": "[0-9.]*", )?"jail-information": \{"jail": \[')
#: The Jail of each jail's text in the last list read: a jail that did not change is not read
#: again. Only the last list's jails are kept.
_JLS_SEEN: dict[str, Jail] = {}


def _jls_records(text: str) -> list[str] | None:
    """The text of each jail of a list of the plain layout (the head, jails and ", " between
    them), each without its leading ``{"jid":``; None for any other document.

    No JSON string holds ``{"jid":`` (its quote would be escaped), so the list splits there.
    A split anywhere else (inside an object's own list) leaves a piece that is not one JSON
    object, which _recorded_jails refuses.
    """
    first = text.find(_JLS_START)
    if first < 0 or not _JLS_HEAD.fullmatch(text, 0, first):
        return None
    end = len(text) - (4 if text.endswith("]}}\n") else 3)
    if not text.endswith("]}}", 0, end + 3):
        return None
    return text[first + len(_JLS_START):end].split(_JLS_BETWEEN)


def _libxo_records(text: str, start: str, head: re.Pattern[str],
                   record: re.Pattern[str]) -> list[Any] | None:
    """``record.findall`` of a document made of nothing but ``head``, records that match
    ``record`` (each begins with ``start``, a text no JSON string holds, and is followed by
    the start of another or by the end of the list) and ", " between them; None for any
    other document."""
    first = text.find(start)
    if first < 0 or not head.fullmatch(text, 0, first):
        return None
    records = record.findall(text, first)
    # If every start is a record's, the records follow one another from the head to the end.
    if not records or text.count(start, first) != len(records):
        return None
    return records


def _recorded_jails(records: list[str], skipped: list[str] | None) -> list[Jail] | None:
    """The jails of :func:`_jls_records`, each read once while its text stays the same; None
    when one is not one JSON object after all (the general reader then says why)."""
    global _JLS_SEEN
    entries: dict[str, Any] = {}
    for record in records:
        if record not in _JLS_SEEN:
            try:
                entries[record] = json.loads(_JLS_START + record, strict=False)
            except (ValueError, RecursionError):
                return None
    seen: dict[str, Jail] = {}
    jails = []
    for index, record in enumerate(records):
        jail = _JLS_SEEN.get(record) or _entry_jail(entries[record], index, skipped)
        if jail is not None:
            seen[record] = jail
            jails.append(jail)
    _JLS_SEEN = seen
    return jails


def _entry_label(entry: dict[str, Any], index: int) -> str:
    """What to call a jail that could not be read: its name and JID as far as they go."""
    name, jid = entry.get("name"), entry.get("jid")
    jid_text = vis(jid) if isinstance(jid, str | int) and not isinstance(jid, bool) else ""
    if isinstance(name, str) and name:
        return f'"{vis(name)}"' + (f" (JID {jid_text})" if jid_text else "")
    return f"JID {jid_text}" if jid_text else f"number {index + 1} in the list"


def _jail(entry: dict[str, Any]) -> Jail:
    jid = _jls_int(entry, "jid")
    name = _jls_text(entry, "name") or (str(jid) if jid is not None else "")
    return Jail(
        name=name, jid=jid, state=_jls_state(entry),
        hostname=_jls_text(entry, "hostname", "host.hostname"), path=_jls_text(entry, "path"),
        ip4=_jls_addresses(entry, "ipv4_addrs", "ip4.addr", "ipv4"),
        ip6=_jls_addresses(entry, "ipv6_addrs", "ip6.addr"),
        cpusetid=_jls_int(entry, "cpusetid", "cpuset.id"),
        params=_jls_params(entry) if _param_mode(entry) else {},
        vnet=_jls_text(entry, "vnet"), ip4_mode=_jls_text(entry, "ip4"),
        ip6_mode=_jls_text(entry, "ip6"))


_SAMPLED_JAIL_KEYS = operator.itemgetter(
    "jid", "name", "host.hostname", "path", "dying", "cpuset.id", "ip4.addr", "ip6.addr", "ip4",
    "ip6", "vnet")


def _checked_id(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ParseError(f"jls: {text!r} is not a number")
    return int(text)


_IDS = _Memo(_checked_id, 100_000)


def _sampled_jail(entry: dict[str, Any]) -> Jail:
    """The entry of exactly the parameters a sample asks for (freebsd.JLS_PARAMS), strings and
    two lists of strings: the same Jail as :func:`_jail` gives, read in one go. Anything else
    raises (KeyError, TypeError, ParseError) for _jail to read."""
    if len(entry) != 11:
        raise KeyError
    jid, name, hostname, path, dying, cpuset, ip4, ip6, ip4_mode, ip6_mode, vnet = \
        _SAMPLED_JAIL_KEYS(entry)
    "".join((jid, name, hostname, path, dying, cpuset, ip4_mode, ip6_mode, vnet))
    if type(ip4) is not list or type(ip6) is not list:
        raise TypeError
    params = dict(entry)
    params["ip4.addr"] = ip4_text = ",".join(ip4)
    params["ip6.addr"] = ip6_text = ",".join(ip6)
    number = _IDS[jid]
    return _new_jail(name or str(number), number,
                     JailState.DYING if dying == "true" else JailState.ACTIVE, hostname, path,
                     _address_list(ip4, ip4_text), _address_list(ip6, ip6_text), _IDS[cpuset],
                     params, vnet, ip4_mode, ip6_mode)


def _address_list(items: list[str], joined: str) -> tuple[str, ...]:
    """_jls_addresses of a list of strings: as they are when none is empty or holds a space."""
    if all(items) and " " not in joined and joined.isprintable():
        return tuple(items)
    return tuple(item.strip() for item in items if item.strip())


def _slots_builder(cls: type, *names: str) -> Callable[..., Any]:
    """A frozen slots dataclass built from the values of ``names`` in order (the other fields
    at their defaults), each slot set directly: its own __init__ goes through
    object.__setattr__ per field, twice the cost, and a sample builds one per jail."""
    setters = [getattr(cls, name).__set__ for name in names]
    rest = [(getattr(cls, f.name).__set__, f) for f in fields(cls) if f.name not in names]
    new = object.__new__

    def build(*values: Any) -> Any:
        obj: Any = new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(obj, value)
        for setter, field in rest:
            factory: Callable[[], Any] = field.default_factory  # type: ignore[assignment]
            setter(obj, factory() if field.default is MISSING else field.default)
        return obj

    return build


_new_jail = _slots_builder(Jail, "name", "jid", "state", "hostname", "path", "ip4", "ip6",
                           "cpusetid", "params", "vnet", "ip4_mode", "ip6_mode")


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


_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_LSTART = re.compile(r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):"
                     r"([0-9]{2}) ([0-9]{4})")


def parse_lstart(s: str) -> float:
    """Seconds since the epoch from ps's ``start-time`` (``lstart``): strftime ``%c`` of the
    start in the C locale, ``Thu Nov 27 08:09:44 2026``, read in jailtui's own time zone."""
    match = _LSTART.fullmatch(s.strip())
    if match is None or match[1] not in _MONTHS:
        raise ParseError(f"ps: start time {s!r} is not 'Day Mon DD HH:MM:SS YYYY'")
    month, day, hour, minute, second, year = match.groups()
    try:
        return time.mktime((int(year), _MONTHS[month], int(day), int(hour), int(minute),
                            int(second), 0, 0, -1))
    except (OverflowError, ValueError):  # a year the platform's mktime(3) cannot represent
        raise ParseError(f"ps: start time {s!r} is out of range") from None


#: libxo key -> (Process field, converter), in the order applied: ``elapsed-times`` (exact
#: seconds) wins over ``elapsed-time``.
_PS_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "jail-id": ("jid", int), "pid": ("pid", int), "ppid": ("ppid", int), "user": ("user", str),
    "uid": ("uid", int), "percent-cpu": ("pcpu", _decimal), "percent-memory": ("pmem", _decimal),
    "rss": ("rss", _kib), "virtual-size": ("vsz", _kib), "threads": ("nlwp", int),
    "state": ("state", str), "cpu-time": ("cputime", parse_cputime),
    "elapsed-time": ("etime", parse_etime), "elapsed-times": ("etime", int),
    "start-time": ("start", parse_lstart), "command": ("command", str),
}


def parse_ps(text: str) -> list[Process]:
    """Processes from ``ps --libxo json``; sizes become bytes.

    No output, or the empty document ``{ }`` that ps prints (and exits 1 with) when nothing
    matches, as for ``ps -J`` of a jail without processes (bin/ps/ps.c: ``nkept == 0``), is
    no process at all.
    """
    if not text.strip() or _EMPTY_DOCUMENT.fullmatch(text):
        return []
    with _collector_paused():
        processes = []
        for entry in _json_list(text, "ps", "process-information", "process"):
            try:
                processes.append(_sampled_process(entry))
            except (KeyError, TypeError, ValueError, ParseError):
                processes.append(_process(entry))
        return processes


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a large output becomes objects: they hold no cycles,
    and the collector would walk the growing heap over and over (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_EMPTY_DOCUMENT = re.compile(r"\s*\{\s*\}\s*")


_CPUTIMES = _Memo(parse_cputime)
_LSTARTS = _Memo(parse_lstart)


#: Process's slots set directly: its frozen __init__ costs twice as much (object.__setattr__
#: per field), and a sample builds one Process per process on the host.
_NEW_PROCESS = object.__new__
(_SET_PID, _SET_JID, _SET_PPID, _SET_USER, _SET_PCPU, _SET_PMEM, _SET_RSS, _SET_VSZ, _SET_NLWP,
 _SET_STATE, _SET_CPUTIME, _SET_ETIME, _SET_COMMAND, _SET_UID, _SET_START) = (
    getattr(Process, f.name).__set__ for f in fields(Process))


_SAMPLED_KEYS = operator.itemgetter(
    "pid", "jail-id", "ppid", "user", "percent-cpu", "percent-memory", "rss", "virtual-size",
    "threads", "state", "cpu-time", "elapsed-times", "command", "uid", "start-time")


def _sampled_process(entry: dict[str, Any]) -> Process:
    """The entry of exactly the keywords a sample asks for (freebsd.PS_KEYWORDS), every value
    a string and no text field ``-``: the same Process as :func:`_process` gives, read in one
    go. Anything else raises (KeyError, TypeError, ValueError, ParseError) for _process."""
    if len(entry) != 15:
        raise KeyError
    values = _SAMPLED_KEYS(entry)
    "".join(values)  # TypeError unless every value is a string
    pid, jid, ppid, user, pcpu, pmem, rss, vsz, nlwp, state, cputime, etime, command, uid, \
        start = values
    if user == "-" or state == "-" or command == "-":
        raise KeyError
    proc = _NEW_PROCESS(Process)
    _SET_PID(proc, int(pid))
    _SET_JID(proc, int(jid))
    _SET_PPID(proc, int(ppid))
    _SET_USER(proc, user)
    _SET_PCPU(proc, float(pcpu))
    _SET_PMEM(proc, float(pmem))
    _SET_RSS(proc, int(rss) * 1024)
    _SET_VSZ(proc, int(vsz) * 1024)
    _SET_NLWP(proc, int(nlwp))
    _SET_STATE(proc, state)
    _SET_CPUTIME(proc, _CPUTIMES[cputime])
    _SET_ETIME(proc, int(etime))
    _SET_COMMAND(proc, command)
    _SET_UID(proc, int(uid))
    _SET_START(proc, _LSTARTS[start])
    return proc


#: One process of exactly the keywords a sample asks for (freebsd.PS_KEYWORDS), in their order,
#: as libxo prints it (docs/freebsd/jls-ps-sysctl.md): every value a string, the next process
#: or the end of the list right after. Numbers of at most 20 digits (int() reads any), strings
#: as JSON has them, escapes and all (libxo escapes backslash, quote, newline and CR), no text
#: field ``-`` (the general reader leaves those out). What is only shown is one group, read
#: by _PS_SHOWN when a Process is built.
_PS_SHOWN_FIELDS = '"ppid":N,"user":T,"percent-memory":D,"state":T,"command":T'
_PS_RECORD_FIELDS = ('\\{"jail-id":N,"pid":N,"percent-cpu":D,"rss":N,"virtual-size":N,'
                     '"threads":N,"cpu-time":"([^"\\\\]*)","elapsed-times":N,"uid":N,'
                     '"start-time":"([^"\\\\]*)",(@)\\}(?=, \\{"jail-id":"|\\]\\}\\}\\n?\\Z)')


def _ps_fields(text: str, group: str) -> str:
    return (text.replace("N", f'"{group}[0-9]{{1,20}})"')
            .replace("D", f'"{group}[0-9]{{1,20}}(?:\\.[0-9]{{1,20}})?)"')
            .replace("T", f'"(?!-"){group}[^"\\\\]*(?:\\\\.[^"\\\\]*)*)"'))


_PS_RECORD = re.compile(_ps_fields(_PS_RECORD_FIELDS, "(")
                        .replace("@", _ps_fields(_PS_SHOWN_FIELDS, "(?:")))
_PS_SHOWN = re.compile(_ps_fields(_PS_SHOWN_FIELDS, "("))
_PS_START = '{"jail-id":"'
_PS_HEAD = re.compile(r'\{(?:"__version": "[0-9.]*", )?"process-information": \{"process": \[')


def read_ps(text: str) -> Sequence[Process]:
    """What :func:`parse_ps` gives, for a sample: the processes of ``ps --libxo json -o
    PS_KEYWORDS`` as a ProcessTable, the summed columns read in one go; any other text
    through parse_ps."""
    with _collector_paused():
        table = _ps_table(text)
    return parse_ps(text) if table is None else table


def _ps_table(text: str) -> ProcessTable | None:
    """The ProcessTable of a plain ps list (see _libxo_records); None for anything else, or
    for a value the general reader would read otherwise."""
    rows = _libxo_records(text, _PS_START, _PS_HEAD, _PS_RECORD)
    if rows is None:
        return None
    jid, pid, pcpu, rss, vsz, nlwp, cputime, etime, uid, start, shown = zip(*rows, strict=True)
    try:
        if "\\" in text and not all(map(_shown_fields, filter(_escaped, shown))):
            return None
        return ProcessTable(
            Columns(_column("pid", pid, int), _column("jid", jid, int),
                    _column("pcpu", pcpu, float), _column("nlwp", nlwp, int),
                    _column("rss", rss, int), _column("vsz", vsz, int),
                    _column("cputime", cputime, _CPUTIMES.__getitem__),
                    list(map(int, etime)), 1024),
            uid, _column("start", start, _LSTARTS.__getitem__), shown, _shown_fields)
    except (ValueError, ParseError):
        return None


#: Each column of the last ps read, as printed and converted: from one sample to the next,
#: most columns (PIDs, JIDs, start times, sizes) print the same. One entry per column.
_LAST_COLUMNS: dict[str, tuple[tuple[str, ...], list[Any]]] = {}


def _column(name: str, printed: tuple[str, ...], convert: Callable[[str], Any]) -> list[Any]:
    """``convert`` of every value of column ``name``: the last list again when ps printed
    the same column (not to be changed by its users)."""
    last = _LAST_COLUMNS.get(name)
    if last is not None and last[0] == printed:
        return last[1]
    values = list(map(convert, printed))
    _LAST_COLUMNS[name] = (printed, values)
    return values


def _escaped(text: str) -> bool:
    return "\\" in text


def _shown_fields(shown: str) -> tuple[int, str, float, str, str]:
    """ppid, user, pmem, state and command from the shown part of a _PS_RECORD: what
    json.loads(strict=False) and the general reader make of them."""
    match = _PS_SHOWN.fullmatch(shown)
    if match is None:
        raise ValueError(shown)
    ppid, user, pmem, state, command = match.groups()
    if "\\" in shown:
        user, state, command = _json_string(user), _json_string(state), _json_string(command)
        if "-" in (user, state, command):
            raise ValueError(shown)
    return int(ppid), user, float(pmem), state, command


def _json_string(escaped: str) -> str:
    """The text of a JSON string's inside, decoded as json.loads(strict=False) decodes it."""
    value: str = json.decoder.scanstring(escaped + '"', 0, False)[0]  # type: ignore[attr-defined]
    return value


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
            raise ParseError(f"ps: cannot read {key} {raw!r} of pid "
                             f"{entry.get('pid', '?')}") from None
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
    known = _USAGE_LINES
    for line in text.split("\n" if "\n" in text else ","):
        item = known.get(line)
        if item is None:
            name, _, value = line.partition("=")
            if name in RESOURCES and value.isdigit() and value.isascii() and len(value) <= 20:
                item = known[line] = (name, int(value))
            elif line:
                return _checked_usage(text)
            else:
                continue
        values[item[0]] = item[1]
    if len(known) > 200_000:
        known.clear()
    if not values:
        return _checked_usage(text)
    return Usage(**values)  # RESOURCES are Usage's fields


#: ``resource=value`` lines already read: most figures stay the same from sample to sample.
_USAGE_LINES: dict[str, tuple[str, int]] = {}


def _checked_usage(text: str) -> Usage:
    """parse_rctl_usage for any text: every item checked, the first bad one named."""
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
    rules = []
    for line in text.split("\n"):
        if line:
            rule = _RULES.get(line) or _plain_rule(line)
            if rule is None:
                return _checked_rules(text)
            rules.append(rule)
    if len(_RULES) > 100_000:
        _RULES.clear()
    return rules


#: Rules by their line: the kernel lists the same rules at every sample.
_RULES: dict[str, Rule] = {}


def _plain_rule(line: str) -> Rule | None:
    """The Rule of a line of known subject, resource and action, a plain amount and a subject
    id of printable characters without space or comma; None for anything else."""
    parts = line.split(":")
    if len(parts) != 4:
        return None
    subject, subject_id, resource, rest = parts
    action, _, amount_per = rest.partition("=")
    amount, slash, per = amount_per.partition("/")
    if (subject not in SUBJECTS or resource not in RESOURCES or action not in ACTIONS
            or not (amount.isdigit() and amount.isascii() and len(amount) <= 20)
            or (slash and per not in SUBJECTS) or not subject_id.isprintable()
            or " " in subject_id or "," in subject_id):
        return None
    rule = _RULES[line] = Rule(subject, subject_id, resource, action, int(amount),
                               per or subject)
    return rule


def _checked_rules(text: str) -> list[Rule]:
    """parse_rctl_rules for any text: every item checked, the first bad one named."""
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


_UNKNOWN_OID = re.compile(r"^sysctl: unknown oid '([^']*)'", re.MULTILINE)


def unknown_oids(stderr: str) -> set[str]:
    """The OIDs sysctl(8) warned about with ``sysctl: unknown oid 'X'``."""
    return set(_UNKNOWN_OID.findall(stderr))


def parse_sysctl_n(text: str, oids: Sequence[str], stderr: str = "") -> dict[str, str]:
    """``sysctl -n OID...`` output: one value per line, in the order the OIDs were asked.

    For an OID it does not know, sysctl prints nothing, warns ``sysctl: unknown oid 'X'`` and
    goes on with the others (sbin/sysctl/sysctl.c parse()); the OIDs named so in ``stderr``
    are missing from the result.
    """
    unknown = unknown_oids(stderr)
    known = [oid for oid in oids if oid not in unknown]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(known):
        raise ParseError(f"sysctl: asked for {len(known)} values ({' '.join(known)}), "
                         f"got {len(lines)} lines")
    return dict(zip(known, lines, strict=True))


def sysctl_number(oid: str, value: str) -> int:
    """An integer sysctl value; a ParseError naming the OID otherwise."""
    digits = value.strip(" \t")  # not str.strip(): it also drops controls such as \x1f
    if not _INTEGER.fullmatch(digits):
        raise ParseError(f"sysctl: {oid} is not a number: {value!r}")
    return int(digits)


def parse_passwd(text: str) -> dict[int, str]:
    """uid -> user name from a passwd(5) file (``name:password:uid:...``); the first entry of
    a uid wins, as for getpwuid(3); comments, NIS ``+``/``-`` lines and bad lines are skipped."""
    users: dict[int, str] = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 4 or not fields[0] or line.startswith(("#", "+", "-")):
            continue
        if fields[2].isascii() and fields[2].isdigit():
            users.setdefault(int(fields[2]), fields[0])
    return users


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
