"""Every parser and the sanitiser under hypothesis: whatever a tool or a file holds, the only
exception is the documented one (ParseError; JailtuiError for rctl rules and rctl.conf lines)
and vis() always returns text a terminal cannot act on."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jailtui.engine import jailconf, parse, rctlconf
from jailtui.engine.errors import JailtuiError, ParseError
from jailtui.engine.freebsd import HOST_OIDS
from jailtui.engine.model import Jail, Process, Rule, Usage
from jailtui.engine.rctl import ACTIONS, RESOURCES, SUBJECTS, RuleFilter, parse_filter, parse_rule
from jailtui.engine.vis import is_safe, vis

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- building blocks -----------------------------------------------------------------------------

#: Text that reaches deep into the parsers: their punctuation, digits of every length (Python
#: refuses int() of more than 4300 digits), controls, and non-ASCII.
PIECES = st.one_of(
    st.sampled_from([":", "=", ",", "/", "\n", "\r", "\0", " ", "\t", "-", ".", "{", "}", "[", "]",
                     '"', "'", "\\", "#", "$", "${", ";", "+=", "e", "x", "0x", "k", "M", "G",
                     "\x1b[2J", "\u202e", "\udcff", "jail", "user", "process", "loginclass",
                     "deny", "log", "sigterm", "pcpu", "memoryuse", "sec", "usec"]),
    st.integers(-2**70, 2**70).map(str),
    st.sampled_from(["Thu Nov 27 08:09:44 2026", "Mon Feb 31 99:99:99 0000", "unknown oid"]),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.text(max_size=6),
)
TEXT = st.lists(PIECES, max_size=30).map("".join)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    TEXT, st.sampled_from(["-", "", "ACTIVE", "DYING", "0:01.50", "1-02:03:04", "12,5", "nan"]),
)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def libxo(container: str, name: str, keys: list[str]) -> st.SearchStrategy[str]:
    """A libxo document shaped like the tool's, with any values, sometimes cut, nested or with
    a number of more digits than Python converts."""
    entry = st.dictionaries(st.one_of(st.sampled_from(keys), TEXT), JSON_VALUES, max_size=8)
    document = st.fixed_dictionaries({container: st.fixed_dictionaries(
        {name: st.one_of(st.lists(entry, max_size=4), JSON_VALUES)})})
    text = document.map(lambda doc: json.dumps(doc, allow_nan=True))
    return st.one_of(
        text,
        st.tuples(text, st.floats(0, 1)).map(lambda t: t[0][:int(len(t[0]) * t[1])]),
        st.integers(1, 100_000).map(_nested),
        st.integers(4301, 6000).map(lambda n: f'{{"{container}": {{"{name}": [{"1" * n}]}}}}'),
        TEXT,
    )


JLS_KEYS = ["jid", "name", "hostname", "path", "state", "cpusetid", "ipv4", "ipv4_addrs",
            "ipv6_addrs", "dying", "host.hostname", "ip4.addr", "ip6.addr", "cpuset.id",
            "osrelease", "persist"]
PS_KEYS = ["jail-id", "pid", "ppid", "user", "percent-cpu", "percent-memory", "rss",
           "virtual-size", "threads", "state", "cpu-time", "elapsed-time", "elapsed-times",
           "start-time", "uid", "command"]


def only(errors: tuple[type[BaseException], ...], call, *args) -> object:  # type: ignore[no-untyped-def]
    try:
        return call(*args)
    except errors:
        return None


# -- jls, ps ----------------------------------------------------------------------------------


@FUZZ
@given(libxo("jail-information", "jail", JLS_KEYS))
def test_jls(text: str) -> None:
    jails = only((ParseError,), parse.parse_jls, text)
    assert jails is None or all(isinstance(jail, Jail) for jail in jails)


@FUZZ
@given(libxo("process-information", "process", PS_KEYS))
def test_ps(text: str) -> None:
    processes = only((ParseError,), parse.parse_ps, text)
    assert processes is None or all(isinstance(p, Process) for p in processes)


# -- rctl -------------------------------------------------------------------------------------

USAGE_LINES = st.lists(st.one_of(
    st.tuples(st.sampled_from(list(RESOURCES)), TEXT).map("=".join),
    st.tuples(st.sampled_from(list(RESOURCES)), st.integers(1, 6000)).map(
        lambda t: f"{t[0]}={'7' * t[1]}"),
    TEXT), max_size=8)
RULE_LINES = st.lists(st.one_of(
    st.tuples(st.sampled_from(SUBJECTS + ("", "x")), TEXT, st.sampled_from(list(RESOURCES)),
              st.sampled_from(ACTIONS), st.one_of(TEXT, st.integers(0, 2**80).map(str)),
              st.sampled_from(SUBJECTS + ("", "x"))).map(
        lambda t: f"{t[0]}:{t[1]}:{t[2]}:{t[3]}={t[4]}" + (f"/{t[5]}" if t[5] else "")),
    TEXT), max_size=8)


@FUZZ
@given(USAGE_LINES, st.sampled_from(["\n", ","]))
def test_rctl_usage(lines: list[str], sep: str) -> None:
    usage = only((ParseError,), parse.parse_rctl_usage, sep.join(lines))
    assert usage is None or isinstance(usage, Usage)


@FUZZ
@given(RULE_LINES, st.sampled_from(["\n", ","]))
def test_rctl_rules(lines: list[str], sep: str) -> None:
    rules = only((ParseError,), parse.parse_rctl_rules, sep.join(lines))
    assert rules is None or all(isinstance(rule, Rule) for rule in rules)


@FUZZ
@given(st.one_of(RULE_LINES.map(lambda lines: lines[0] if lines else ""), TEXT))
def test_rule_and_filter_grammar(text: str) -> None:
    assert isinstance(only((JailtuiError,), parse_rule, text), Rule | None)
    assert isinstance(only((JailtuiError,), parse_filter, text), RuleFilter | None)


# -- sysctl -----------------------------------------------------------------------------------


@FUZZ
@given(st.lists(TEXT, min_size=len(HOST_OIDS) - 1, max_size=len(HOST_OIDS) + 1),
       st.lists(st.sampled_from(HOST_OIDS), max_size=2))
def test_sysctl(values: list[str], unknown: list[str]) -> None:
    text = "\n".join(values)
    stderr = "".join(f"sysctl: unknown oid '{oid}'\n" for oid in unknown)
    found = only((ParseError,), parse.parse_sysctl_n, text, HOST_OIDS, stderr)
    for value in values:
        for read in (parse.parse_boottime, parse.parse_loadavg, parse.parse_cp_time,
                     parse.parse_etime, parse.parse_cputime, parse.parse_lstart):
            only((ParseError,), read, value)
        only((ParseError,), parse.sysctl_number, "hw.ncpu", value)
    assert found is None or set(found) <= set(HOST_OIDS)


@FUZZ
@given(st.lists(TEXT, max_size=8))
def test_passwd(lines: list[str]) -> None:
    users = parse.parse_passwd("\n".join(lines))
    assert all(isinstance(uid, int) and isinstance(name, str) for uid, name in users.items())


# -- jail.conf and rctl.conf --------------------------------------------------------------------

CONF_PIECES = st.one_of(PIECES, st.sampled_from([
    "www {", "}", "path = ", "$v = ", "${v}", ".include ", '"/etc/*.conf"', "*", "a.b {",
    "ip4.addr += ", "nopersist;", "/*", "*/", "//"]))
JAIL_CONF = st.one_of(
    st.lists(CONF_PIECES, max_size=40).map(" ".join),
    st.integers(1, 20_000).map(lambda n: "a {" * n),
    st.integers(1, 5_000).map(lambda n: "".join(f'$v{i} = "${{v{i + 1}}}";' for i in range(n))
                              + "j { x = $v0; }"),
)


@FUZZ
@given(JAIL_CONF)
def test_jail_conf(text: str) -> None:
    conf = only((ParseError,), jailconf.parse_jail_conf, text)
    assert conf is None or all(isinstance(jail.name, str) for jail in conf.jails)


@FUZZ
@given(st.lists(st.one_of(RULE_LINES.map(" # ".join), TEXT), max_size=8).map("\n".join),
       RULE_LINES)
def test_rctl_conf(text: str, rules: list[str]) -> None:
    flt = RuleFilter(subject="jail")
    only((JailtuiError,), rctlconf.rules_in, text)
    only((JailtuiError,), rctlconf.problems, text)
    only((JailtuiError,), rctlconf.matching, text, flt)
    parsed = [rule for rule in (only((JailtuiError,), parse_rule, r) for r in rules) if rule]
    for rule in parsed:
        only((JailtuiError,), rctlconf.with_rule, text, rule)
        only((JailtuiError,), rctlconf.without_rules, text,
             RuleFilter(rule.subject, rule.subject_id, rule.resource))
    only((JailtuiError,), rctlconf.synced, text, parsed, flt)


# -- service jail, and the sanitiser ----------------------------------------------------------


@FUZZ
@given(TEXT)
def test_service_failures(text: str) -> None:
    failures = parse.service_failures(text)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in failures.items())


@FUZZ
@given(st.one_of(TEXT, st.text(), st.binary().map(lambda b: b.decode("utf-8", "surrogateescape"))))
def test_vis_always_returns_safe_text(text: str) -> None:
    one_line = vis(text)
    assert is_safe(one_line) and "\n" not in one_line and vis(one_line) == one_line
    assert is_safe(vis(text, multiline=True), multiline=True)


# -- the cases named in the issue, spelled out ----------------------------------------------


def test_deeply_nested_json_is_a_parse_error() -> None:
    for parser, command in ((parse.parse_jls, "jls"), (parse.parse_ps, "ps")):
        for text in (_nested(200_000), '{"a":' * 200_000):
            try:
                parser(text)
            except ParseError as error:
                assert str(error) == f"{command}: JSON output is nested too deeply"
            else:
                raise AssertionError("no error")


def test_deeply_nested_jail_conf_is_a_parse_error() -> None:
    chain = "".join(f'$v{i} = "${{v{i + 1}}}";' for i in range(5000)) + "j { x = $v0; }"
    for text in ("a {" * 50_000, chain):
        try:
            jailconf.parse_jail_conf(text)
        except ParseError as error:
            assert str(error) == "jail.conf: blocks or variables are nested too deeply"
        else:
            raise AssertionError("no error")


def test_numbers_longer_than_64_bits_are_parse_errors() -> None:
    long = "9" * 5000
    cases = [
        (parse.parse_jls, f'{{"jail-information": {{"jail": [{{"jid": {long}}}]}}}}'),
        (parse.parse_jls, f'{{"jail-information": {{"jail": [{{"jid": "{long}"}}]}}}}'),
        (parse.parse_rctl_usage, f"memoryuse={long}"),
        (parse.parse_rctl_rules, f"jail:www:memoryuse:deny={long}"),
        (parse.parse_boottime, f"{{ sec = {long}, usec = 0 }}"),
        (parse.parse_cp_time, f"{long} 1 2 3 4"),
        (parse.parse_etime, f"{long}:00"),
    ]
    for parser, text in cases:
        try:
            parser(text)
        except ParseError:
            pass
        else:
            raise AssertionError(f"{parser.__name__} read a {len(long)}-digit number")
