"""The readers of what a sample asks for (ps, jls, rctl rules, rctl -u) take a short path for
the plain case; whatever the input, they give what the general, checked readers give (the
same object or the same ParseError message)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jailtui.engine import parse
from jailtui.engine.errors import ParseError

KEYS = ("pid", "jail-id", "ppid", "user", "percent-cpu", "percent-memory", "rss", "virtual-size",
        "threads", "state", "cpu-time", "elapsed-times", "command", "uid", "start-time")
GOOD = {"pid": "3189", "jail-id": "2", "ppid": "3188", "user": "www", "percent-cpu": "1.3",
        "percent-memory": "0.1", "rss": "10452", "virtual-size": "23088", "threads": "1",
        "state": "SJ", "cpu-time": "2:13.50", "elapsed-times": "11528",
        "command": "nginx: worker process (nginx)", "uid": "80",
        "start-time": "Thu Nov 14 08:09:44 2024"}
ODD = st.one_of(
    st.sampled_from(["-", "", " 12", "1_000", "1,5", "nan", "inf", "1e3", "12K", "0:01.5",
                     "1:2:3", "Mon Feb 31 99:99:99 0000", "9" * 30, "\u0663", "-5"]),
    st.text(max_size=8), st.integers(-2**64, 2**64), st.floats(), st.booleans(), st.none(),
    st.lists(st.text(max_size=3), max_size=2))


def outcome(read, given):  # type: ignore[no-untyped-def]
    """What ``read(given)`` gives, or the message of its ParseError."""
    try:
        return read(given)
    except ParseError as exc:
        return exc.message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), ODD, max_size=4),
       st.lists(st.sampled_from(KEYS), max_size=2), st.booleans())
def test_the_fast_reading_agrees_with_the_general_one(changes, dropped, extra) -> None:
    entry = {**GOOD, **changes}
    for key in dropped:
        entry.pop(key, None)
    if extra:
        entry["elapsed-time"] = "01:00"
    expected = outcome(parse._process, entry)
    try:
        fast = parse._sampled_process(entry)
    except (KeyError, TypeError, ValueError, ParseError):
        return
    assert repr(fast) == repr(expected)  # repr: nan is not equal to itself
    document = json.dumps({"process-information": {"process": [entry]}})
    assert repr(parse.parse_ps(document)) == repr([expected])


def test_the_fast_reading_is_taken_for_a_sample() -> None:
    assert parse._sampled_process(dict(GOOD)) == parse._process(dict(GOOD))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("value", ["-", 7, 7.0, True, None, ["x"]])
def test_every_field_odd_alone(key: str, value) -> None:  # type: ignore[no-untyped-def]
    entry = {**GOOD, key: value}
    document = json.dumps({"process-information": {"process": [entry]}})
    expected = outcome(parse._process, entry)
    if isinstance(expected, str):
        with pytest.raises(ParseError):
            parse.parse_ps(document)
    else:
        assert parse.parse_ps(document) == [expected]


# -- rctl -u ---------------------------------------------------------------------------------

USAGE_PIECES = st.one_of(
    st.sampled_from(["memoryuse", "nthr", "pcpu", "bogus", "", "=", "\n", ",", "\0", " ", "\r",
                     "-", "12", "9" * 21, "1M", "\u0663", "openfiles=5", "nthr=2"]),
    st.text(max_size=4))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(USAGE_PIECES, max_size=12).map("".join))
def test_usage_reading_agrees_with_the_checked_one(text: str) -> None:
    assert outcome(parse.parse_rctl_usage, text) == outcome(parse._checked_usage, text)


@pytest.mark.parametrize("text", [
    "nthr=5\nnthr=7\n", "nthr=5,openfiles=3", "nthr=5\nbogus=1\n", "nthr=-1\n", "nthr= 5\n",
    "nthr=5\r\n", "nthr=5\n\nopenfiles=2\n", "\n", "", "nthr=1M\n", f"nthr={'9' * 21}\n"])
def test_usage_odd_texts(text: str) -> None:
    assert outcome(parse.parse_rctl_usage, text) == outcome(parse._checked_usage, text)


# -- jls -------------------------------------------------------------------------------------

JLS_GOOD = {"jid": "7", "name": "www", "host.hostname": "www.example.org",
            "path": "/usr/local/jails/www", "dying": "false", "cpuset.id": "9",
            "ip4.addr": ["10.0.0.7"], "ip6.addr": ["2001:db8::7", "2001:db8::8"], "ip4": "new",
            "ip6": "new", "vnet": "inherit"}
JLS_ODD = st.one_of(
    st.sampled_from(["", "true", "false", "007", " 7", "-1", "9" * 21, "x", " 10.0.0.1",
                     "10.0.0.1 ", "a b", "\t", "\u3000", "1,2"]),
    st.lists(st.sampled_from(["", " ", "10.0.0.1", " 10.0.0.2 ", "a\tb", "\u3000x", "1,2"]),
             max_size=3),
    st.text(max_size=5), st.integers(-5, 2**70), st.booleans(), st.none(), st.floats())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(JLS_GOOD)), JLS_ODD, max_size=4),
       st.lists(st.sampled_from(list(JLS_GOOD)), max_size=2))
def test_the_fast_jail_reading_agrees_with_the_general_one(changes, dropped) -> None:
    entry = {**JLS_GOOD, **changes}
    for key in dropped:
        entry.pop(key, None)
    expected = outcome(parse._jail, dict(entry))
    try:
        fast = parse._sampled_jail(dict(entry))
    except (KeyError, TypeError, ParseError):
        return
    assert repr(fast) == repr(expected) and fast.params == expected.params


@pytest.mark.parametrize("key", list(JLS_GOOD))
@pytest.mark.parametrize("value", ["", "true", "007", " 7", ["", " 10.0.0.1 "], [" 10.0.0.1"],
                                   "x", 7, True])
def test_every_jail_field_odd_alone(key: str, value) -> None:  # type: ignore[no-untyped-def]
    entry = {**JLS_GOOD, key: value}
    document = json.dumps({"jail-information": {"jail": [entry]}})
    expected = outcome(parse._jail, dict(entry))
    if isinstance(expected, str):
        with pytest.raises(ParseError):
            parse.parse_jls(document)
    else:
        [jail] = parse.parse_jls(document)
        assert repr(jail) == repr(expected) and jail.params == expected.params


# -- rctl rules ------------------------------------------------------------------------------

ODD_RULES = ["jail:www:memoryuse:deny=1073741824", "user:80:maxproc:deny=5/process",
                     "jail:a b:nthr:log=1", "jail:x:pcpu:deny=50/", "jail:x:bogus:deny=1",
                     "jail:x:nthr:bogus=1", "jail:x,y:nthr:deny=1", "jail:x:nthr:deny=1,",
                     " jail:x:nthr:deny=1", "jail:x:nthr:deny=1\r", "jail:x:nthr:deny=1M",
                     f"jail:x:nthr:deny={'9' * 21}", "jail:x:nthr:deny=-1", "jail::nthr:deny=1",
                     "jail:x:nthr:deny=1/jail/x", "jail:x=y/z:nthr:deny=1", "\0", "\t",
                     "jail:\u3000:nthr:deny=1", "process:1:nthr:deny=1/user"]
RULE_PIECES = st.one_of(st.sampled_from(ODD_RULES), st.text(max_size=4))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RULE_PIECES, max_size=6), st.sampled_from(["\n", ",", ""]))
def test_rule_reading_agrees_with_the_checked_one(pieces: list[str], sep: str) -> None:
    text = sep.join(pieces)
    assert outcome(parse.parse_rctl_rules, text) == outcome(parse._checked_rules, text)


@pytest.mark.parametrize("line", ODD_RULES)
def test_each_odd_rule_line(line: str) -> None:
    text = f"jail:www:maxproc:deny=10\n{line}\n"
    for _ in range(2):  # the second time from the memo of rules
        assert outcome(parse.parse_rctl_rules, text) == outcome(parse._checked_rules, text)

