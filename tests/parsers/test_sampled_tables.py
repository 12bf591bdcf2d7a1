"""The whole-document readers a sample uses (read_ps's ProcessTable, parse_jls's jails read once
per text) give what the general reader gives for any document: libxo's own, with hostile
strings, with odd values, and with any character inserted, removed or changed."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jailtui.engine import parse
from jailtui.engine.errors import ParseError
from jailtui.engine.freebsd import JLS_PARAMS, PS_KEYWORDS
from jailtui.engine.proctable import ProcessTable, of_jail

from hostile import HOSTILE, hostile_text
from test_sampled_readers import GOOD, JLS_GOOD, ODD

#: libxo key of each ps keyword (bin/ps/keyword.c), in PS_KEYWORDS order.
PS_KEYS = {"jid": "jail-id", "pid": "pid", "pcpu": "percent-cpu", "rss": "rss",
           "vsz": "virtual-size", "nlwp": "threads", "time": "cpu-time",
           "etimes": "elapsed-times", "uid": "uid", "lstart": "start-time", "ppid": "ppid",
           "user": "user", "pmem": "percent-memory", "state": "state", "command": "command"}
ORDER = [PS_KEYS[keyword] for keyword in PS_KEYWORDS.split(",")]
JLS_KEYS = list(JLS_PARAMS)


def xo_string(text: str) -> str:
    """A string as libxo writes it (xo_escape_json: backslash, quote, newline, CR)."""
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'


def xo_value(value, escape: bool) -> str:  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        return xo_string(value) if escape else json.dumps(value)
    if isinstance(value, list):
        return "[" + ",".join(xo_value(item, escape) for item in value) + "]"
    return json.dumps(value)


def ps_document(entries: list[dict], escape: bool = True) -> str:
    records = ("{" + ",".join(f'"{key}":{xo_value(value, escape)}' for key, value in entry.items())
               + "}" for entry in entries)
    return '{"process-information": {"process": [' + ", ".join(records) + "]}}\n"


def jls_document(entries: list[dict], escape: bool = True) -> str:
    records = ("{" + ",".join(f'"{key}":{xo_value(value, escape)}' for key, value in entry.items())
               + "}" for entry in entries)
    return '{"__version": "2", "jail-information": {"jail": [' + ", ".join(records) + "]}}\n"


def ps_entry(number: int, **changes) -> dict:  # type: ignore[no-untyped-def]
    entry = {**GOOD, "pid": str(number), **changes}
    return {key: entry[key] for key in ORDER if key in entry} | {
        key: value for key, value in entry.items() if key not in ORDER}


def jls_entry(number: int, **changes) -> dict:  # type: ignore[no-untyped-def]
    return {**JLS_GOOD, "jid": str(number), "name": f"j{number}", **changes}


def outcome(read, text: str):  # type: ignore[no-untyped-def]
    """repr of what ``read(text)`` gives as a tuple, or the message of its ParseError."""
    try:
        return repr(tuple(read(text)))
    except ParseError as exc:
        return exc.message


def same_processes(text: str) -> None:
    assert outcome(parse.read_ps, text) == outcome(parse.parse_ps, text)


def test_a_samples_ps_output_is_read_as_a_table() -> None:
    text = ps_document([ps_entry(1), ps_entry(2, user="root", uid="0", **{"jail-id": "0"})])
    table = parse.read_ps(text)
    assert isinstance(table, ProcessTable)
    assert table == tuple(parse.parse_ps(text)) and len(table) == 2
    assert table[0].command == "nginx: worker process (nginx)" and table[1].user == "root"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hostile_text, hostile_text, st.sampled_from(["SJ", "-", "R+", ""])),
                min_size=1, max_size=4), st.booleans())
def test_hostile_strings_are_read_as_the_general_reader_reads_them(strings, escape) -> None:
    entries = [ps_entry(pid, user=user, command=command, state=state)
               for pid, (user, command, state) in enumerate(strings, 1)]
    text = ps_document(entries, escape)
    same_processes(text)
    if escape and not any("-" in (user, command, state) for user, command, state in strings):
        assert isinstance(parse.read_ps(text), ProcessTable)


def test_every_escape_json_has_is_decoded_as_json_does() -> None:
    command = 'a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\udc9b\\u002d'
    text = ps_document([ps_entry(1)]).replace('"nginx: worker process (nginx)"',
                                               f'"{command}"')
    table = parse.read_ps(text)
    assert isinstance(table, ProcessTable)
    assert table[0].command == json.loads(f'"{command}"') == 'a"b\\c/d\b\f\n\r\té\U0001f600\udc9b-'
    same_processes(text)


@pytest.mark.parametrize("user", ["\\u002d", "\\x41", "\\u12", "x\\"])
def test_an_escape_that_reads_otherwise_goes_to_the_general_reader(user: str) -> None:
    text = ps_document([ps_entry(1)]).replace('"user":"www"', f'"user":"{user}"')
    same_processes(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(ORDER), ODD, max_size=3), st.booleans())
def test_odd_values_are_read_as_the_general_reader_reads_them(changes, escape) -> None:
    text = ps_document([ps_entry(1), ps_entry(2, **changes), ps_entry(3)], escape)
    same_processes(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edit_of_a_ps_document_is_read_as_the_general_reader_reads_it(data) -> None:
    text = ps_document([ps_entry(1), ps_entry(2, command=HOSTILE), ps_entry(3)])
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    new = data.draw(st.sampled_from(["", " ", ",", "\"", "\\", "{", "}", "[", "]", ", ",
                                     '{"jail-id":"', '"}, {"jail-id":"1"', "-", "0", "\n"]))
    same_processes(text[:at] + new + text[at + cut:])


@pytest.mark.parametrize("text", [
    "", "{ }\n", '{"process-information": {"process": []}}\n',
    ps_document([ps_entry(1)]).replace(", ", ","),
    ps_document([ps_entry(1)]).replace("]}}\n", "]}}\n\n"),
    ps_document([ps_entry(1), ps_entry(2)]).replace('}, {"jail-id"', '},  {"jail-id"'),
    ps_document([ps_entry(1)]).replace("[", '[{"pid":"9"}, '),
    ps_document([ps_entry(1)]).replace("]}}", '], "process": []}}'),
    ps_document([ps_entry(1)]).replace('{"process-information"', '{"__version": "1", "process-information"'),
])
def test_documents_around_the_plain_one(text: str) -> None:
    same_processes(text)


def test_a_table_names_jailed_users_and_is_a_sequence_of_processes() -> None:
    text = ps_document([ps_entry(1), ps_entry(2, uid="0", user="root"),
                        ps_entry(3, uid="81", **{"jail-id": "5"})])
    table = parse.read_ps(text)
    assert isinstance(table, ProcessTable)
    named = table.named({2: {80: "www-in-jail"}, 5: None})
    assert [p.user for p in named] == ["www-in-jail", "root", "www"]
    assert [p.user for p in table] == ["www", "root", "www"]
    assert named[1:] == tuple(named)[1:] and named[-1].pid == 3
    assert () + named == tuple(named) == named + () and isinstance(named + (), tuple)
    assert hash(named) == hash(tuple(named)) and named != list(named)


# -- jls -------------------------------------------------------------------------------------

def general_jls(text: str, skipped: list[str] | None = None) -> list:
    """parse_jls without the records of a plain list (the entries from the whole JSON)."""
    saved = parse._jls_records
    parse._jls_records = lambda text: None  # type: ignore[assignment]
    try:
        return parse.parse_jls(text, skipped)
    finally:
        parse._jls_records = saved


def jail_outcome(read, text: str):  # type: ignore[no-untyped-def]
    skipped: list[str] = []
    try:
        jails = read(text, skipped)
    except ParseError as exc:
        return exc.message
    return repr(jails), [jail.params for jail in jails], skipped


def same_jail_list(text: str) -> None:
    parse._JLS_SEEN.clear()
    expected = jail_outcome(general_jls, text)
    assert jail_outcome(parse.parse_jls, text) == expected
    assert jail_outcome(parse.parse_jls, text) == expected  # the second time from what was seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hostile_text, hostile_text), min_size=1, max_size=4),
       st.booleans())
def test_hostile_jails_are_read_as_the_general_reader_reads_them(strings, escape) -> None:
    entries = [jls_entry(jid, name=name, **{"host.hostname": host})
               for jid, (name, host) in enumerate(strings, 1)]
    same_jail_list(jls_document(entries, escape))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edit_of_a_jls_document_is_read_as_the_general_reader_reads_it(data) -> None:
    text = jls_document([jls_entry(1), jls_entry(2, path=HOSTILE), jls_entry(3, jid="x")])
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    new = data.draw(st.sampled_from(["", " ", ",", "\"", "\\", "{", "}", "[", "]", ", ",
                                     '{"jid":', '"}, {"jid":"1"', "-", "0", "\n"]))
    same_jail_list(text[:at] + new + text[at + cut:])


def test_a_changed_jail_is_read_again_and_only_the_last_lists_jails_are_kept() -> None:
    parse._JLS_SEEN.clear()
    first = parse.parse_jls(jls_document([jls_entry(1), jls_entry(2)]))
    again = parse.parse_jls(jls_document([jls_entry(1), jls_entry(2, path="/moved")]))
    assert again[0] is first[0]
    assert again[1].path == "/moved" and first[1].path == JLS_GOOD["path"]
    for round in range(3):
        parse.parse_jls(jls_document([jls_entry(10 * round + n) for n in range(5)]))
        assert len(parse._JLS_SEEN) == 5
    parse.parse_jls(jls_document([jls_entry(1)]))
    assert len(parse._JLS_SEEN) == 1


def test_the_processes_of_one_jail_are_built_alone() -> None:
    text = ps_document([ps_entry(1), ps_entry(2, **{"jail-id": "7"}), ps_entry(3),
                        ps_entry(4, **{"jail-id": "7"})])
    table = parse.read_ps(text)
    assert isinstance(table, ProcessTable)
    assert [p.pid for p in of_jail(table, 7)] == [2, 4]
    assert table._built.count(None) == 2
    assert of_jail(tuple(parse.parse_ps(text)), 7) == of_jail(table, 7)
    assert of_jail(table, 99) == []


def test_a_column_printed_again_is_converted_once_and_a_changed_one_again() -> None:
    before = parse.read_ps(ps_document([ps_entry(1, rss="100"), ps_entry(2)]))
    after = parse.read_ps(ps_document([ps_entry(1, rss="200"), ps_entry(2)]))
    assert isinstance(before, ProcessTable) and isinstance(after, ProcessTable)
    assert after.columns.pid is before.columns.pid
    assert after.columns.rss is not before.columns.rss
    assert [p.rss for p in before] == [100 * 1024, 10452 * 1024]
    assert [p.rss for p in after] == [200 * 1024, 10452 * 1024]
    fewer = parse.read_ps(ps_document([ps_entry(2)]))
    assert [p.pid for p in fewer] == [2] and fewer == tuple(parse.parse_ps(
        ps_document([ps_entry(2)])))
    assert set(parse._LAST_COLUMNS) == {"pid", "jid", "pcpu", "nlwp", "rss", "vsz", "cputime",
                                        "start"}
    assert all(len(printed) == 1 for printed, _ in parse._LAST_COLUMNS.values())


@pytest.mark.parametrize("tail", ["]}}", "]}}\n", "]}0\n", "]}}\n\n", "]}", "]]}\n", " ]}}\n",
                                  "]}} ", "}]}\n", "]}}}\n", "]]}", "}}}", "x}}", "]}]"])
def test_the_end_of_a_list_is_checked(tail: str) -> None:
    jls = jls_document([jls_entry(1), jls_entry(2)])
    same_jail_list(jls.removesuffix("]}}\n") + tail)
    ps = ps_document([ps_entry(1), ps_entry(2)])
    same_processes(ps.removesuffix("]}}\n") + tail)
