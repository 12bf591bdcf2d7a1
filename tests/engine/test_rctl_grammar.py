"""The rctl(8) rule grammar in jailtui.engine.rctl: what rctl(8) and kern_rctl.c accept and refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jailtui.engine.errors import MAX_MESSAGE, RuleError
from jailtui.engine.model import Rule
from jailtui.engine.rctl import (ACTIONS, INT64_MAX, RESOURCES, SIGNALS, SUBJECTS, RuleFilter,
                                 allowed_actions, parse_amount, parse_filter, parse_rule, validate)
from jailtui.engine.vis import vis

KERNEL_ORDER = (
    "cputime datasize stacksize coredumpsize memoryuse memorylocked maxproc openfiles vmemoryuse "
    "pseudoterminals swapuse nthr msgqqueued msgqsize nmsgq nsem nsemop nshm shmsize wallclock "
    "pcpu readbps writebps readiops writeiops").split()
NOT_DENIABLE = {"cputime", "wallclock", "readbps", "writebps", "readiops", "writeiops"}
THROTTLEABLE = {"readbps", "writebps", "readiops", "writeiops"}
SLOPPY = {"pseudoterminals", "swapuse", "msgqqueued", "msgqsize", "nmsgq", "nsem", "nshm", "shmsize"}
BYTE_RESOURCES = {"datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked", "vmemoryuse",
                  "swapuse", "msgqsize", "shmsize", "readbps", "writebps"}
#: kern_racct.c racct_types: RACCT_IN_MILLIONS resources, whose rule amounts the kernel multiplies
#: by 10**6 after refusing anything above INT64_MAX / 10**6 with ERANGE (kern_rctl.c).
IN_MILLIONS = {"cputime", "wallclock", "pcpu"}
MILLIONS_LIMIT = 9_223_372_036_854


def refused(text: str, part: str) -> RuleError:
    with pytest.raises(RuleError) as info:
        parse_rule(text)
    assert info.value.part == part, str(info.value)
    assert vis(text.strip()) in str(info.value)
    return info.value


# -- resources and actions --------------------------------------------------------------------


def test_catalogue_is_the_kernel_order():
    assert list(RESOURCES) == KERNEL_ORDER
    assert [res.index for res in RESOURCES.values()] == list(range(25))
    assert {name for name, res in RESOURCES.items() if res.sloppy} == SLOPPY


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_every_resource_parses(resource):
    assert parse_rule(f"jail:www:{resource}:log=7") == Rule("jail", "www", resource, "log", 7)
    assert parse_rule(f"jail:www:{resource.upper()}:devctl=7").resource == resource


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_deny_exactly_on_deniable_resources(resource):
    text = f"jail:www:{resource}:deny=10"
    if resource in NOT_DENIABLE:
        assert "cannot be denied" in refused(text, "action").problem
    else:
        assert parse_rule(text).action == "deny"


def test_memoryuse_and_pcpu_are_deniable():
    assert parse_rule("jail:www:memoryuse:deny=1g").amount == 1 << 30
    assert parse_rule("jail:www:pcpu:deny=50").amount == 50


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_throttle_only_on_io_rates(resource):
    text = f"jail:www:{resource}:throttle=100"
    if resource in THROTTLEABLE:
        assert parse_rule(text).action == "throttle"
    else:
        assert "throttle applies only to" in refused(text, "action").problem


@pytest.mark.parametrize("signal", SIGNALS)
def test_every_signal_action(signal):
    assert parse_rule(f"jail:www:maxproc:{signal}=10").action == signal
    assert parse_rule(f"jail:www:maxproc:{signal.upper()}=10").action == signal


def test_unknown_action_names_a_close_one():
    error = refused("jail:www:maxproc:sigtrem=10", "action")
    assert "did you mean 'sigterm'?" in str(error)


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_allowed_actions_agree_with_the_parser(resource):
    for action in ACTIONS:
        text = f"jail:www:{resource}:{action}=1"
        if action in allowed_actions(resource):
            assert parse_rule(text).action == action
        else:
            refused(text, "action")


# -- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "shift"), [("k", 10), ("m", 20), ("g", 30), ("t", 40),
                                               ("p", 50), ("e", 60)])
def test_size_suffixes_are_powers_of_1024(suffix, shift):
    assert parse_rule(f"jail:www:memoryuse:deny=3{suffix}").amount == 3 << shift
    assert parse_rule(f"jail:www:readbps:throttle=3{suffix.upper()}").amount == 3 << shift


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_suffixes_only_on_byte_resources(resource):
    action = allowed_actions(resource)[0]
    text = f"jail:www:{resource}:{action}=2k"
    if resource in BYTE_RESOURCES:
        assert parse_rule(text).amount == 2048
    else:
        assert "applies to sizes in bytes" in refused(text, "amount").problem


@pytest.mark.parametrize(("word", "value"), [
    ("0", 0), ("100", 100), ("512m", 512 << 20), ("1b", 1), ("010", 8), ("0x10", 16),
    ("0X1k", 1024), ("0x1e", 30), ("0b", 0)])
def test_amounts_read_like_expand_number(word, value):
    assert parse_amount(word, word, RESOURCES["memoryuse"]) == value


@pytest.mark.parametrize("word", ["10q", "1.5g", "-1", "+1", "08", "0x", "10kb", " 1", "1 ", "k"])
def test_invalid_numeric_values(word):
    with pytest.raises(RuleError) as info:
        parse_amount(f"jail:www:memoryuse:deny={word}", word, RESOURCES["memoryuse"])
    assert info.value.part == "amount"
    assert info.value.problem == f"invalid numeric value '{word}'"


def test_amount_limits():
    assert parse_rule("jail:www:memoryuse:deny=7e").amount == 7 << 60
    assert "too large" in refused("jail:www:memoryuse:deny=8e", "amount").problem
    assert parse_rule(f"jail:www:cputime:log={MILLIONS_LIMIT}").amount == MILLIONS_LIMIT
    refused(f"jail:www:wallclock:log={MILLIONS_LIMIT + 1}", "amount")
    with pytest.raises(RuleError) as info:
        parse_rule("jail:www:memoryuse:deny=" + "9" * 5000)
    assert info.value.part == "amount" and str(info.value).endswith("is too large (at most 9223372036854775807)")
    assert len(str(info.value)) < MAX_MESSAGE + 40


@pytest.mark.parametrize("text", ["jail:www:maxproc:deny", "jail:www:maxproc:deny=",
                                  "jail:www:maxproc:deny=/jail"])
def test_missing_amount(text):
    assert refused(text, "amount").problem == "missing"


# -- per --------------------------------------------------------------------------------------


def test_omitted_per_is_the_subject():
    rule = parse_rule("user:www:maxproc:deny=10")
    assert rule.per == "user"
    assert rule == parse_rule("user:www:maxproc:deny=10/user")
    assert str(rule) == "user:www:maxproc:deny=10"
    assert str(parse_rule("user:www:maxproc:deny=10/JAIL")) == "user:www:maxproc:deny=10/jail"


@pytest.mark.parametrize("resource", KERNEL_ORDER)
def test_per_process_refused_on_sloppy_resources(resource):
    action = allowed_actions(resource)[0]
    for text in (f"jail:www:{resource}:{action}=1/process", f"process:42:{resource}:{action}=1"):
        if resource in SLOPPY:
            assert "not accounted per process" in refused(text, "per").problem
        else:
            assert parse_rule(text).per == "process"


def test_unknown_per():
    refused("jail:www:maxproc:deny=10/group", "per")
    refused("jail:www:maxproc:deny=10/j", "per")


# -- subjects and ids -------------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "subject"), [
    ("p", "process"), ("P", "process"), ("u", "user"), ("U", "user"), ("l", "loginclass"),
    ("c", "loginclass"), ("class", "loginclass"), ("CLASS", "loginclass"), ("j", "jail"),
    ("J", "jail"), ("Jail", "jail"), ("USER", "user"), ("loginclass", "loginclass")])
def test_subject_aliases(alias, subject):
    assert parse_rule(f"{alias}:123:maxproc:deny=10").subject == subject


@pytest.mark.parametrize("word", ["g", "group", "G"])
def test_group_is_not_a_kernel_subject(word):
    assert "'group' is not a subject" in refused(f"{word}:wheel:maxproc:deny=1", "subject").problem


def test_unknown_and_missing_subject():
    assert "did you mean 'jail'?" in str(refused("jial:www:maxproc:deny=1", "subject"))
    assert refused("", "subject").problem == "missing"
    assert refused(":www:maxproc:deny=1", "subject").problem == "missing"


@pytest.mark.parametrize("text", ["jail", "jail:", "jail::maxproc:deny=1"])
def test_missing_subject_id(text):
    assert refused(text, "subject-id").problem == "missing"


@pytest.mark.parametrize("word", ["www", "1x", "-1", "\u0661\u0662", "\u00b2"])
def test_process_ids_are_ascii_digits(word):
    assert "not a process id" in refused(f"process:{word}:maxproc:deny=1", "subject-id").problem


@pytest.mark.parametrize("word", ["a b", "a,b", "a=b", "a/b", "a\tb"])
def test_subject_id_characters(word):
    refused(f"jail:{word}:maxproc:deny=1", "subject-id")


def test_subject_id_length():
    assert parse_rule(f"jail:{'x' * 255}:maxproc:deny=1").subject_id == "x" * 255
    refused(f"jail:{'x' * 256}:maxproc:deny=1", "subject-id")
    refused(f"jail:{'é' * 128}:maxproc:deny=1", "subject-id")


def test_missing_resource_and_action():
    assert refused("jail:www", "resource").problem == "missing"
    assert "did you mean 'memoryuse'?" in str(refused("jail:www:memoryused:deny=1", "resource"))
    assert refused("jail:www:maxproc", "action").problem == "missing"
    assert refused("jail:www:maxproc:=1", "action").problem == "missing"


def test_validate_refuses_hand_built_rules():
    with pytest.raises(RuleError) as info:
        validate(Rule("jail", "www", "wallclock", "deny", 10))
    assert info.value.part == "action"
    assert info.value.rule == "jail:www:wallclock:deny=10"
    rule = Rule("jail", "www", "maxproc", "deny", 10)
    assert validate(rule) is rule


def test_pcpu_is_counted_in_millions_so_huge_amounts_are_refused():
    assert parse_rule(f"jail:www:pcpu:deny={MILLIONS_LIMIT}").amount == MILLIONS_LIMIT
    error = refused(f"jail:www:pcpu:deny={MILLIONS_LIMIT + 1}", "amount")
    assert error.problem == f"'{MILLIONS_LIMIT + 1}' is too large (at most {MILLIONS_LIMIT})"
    assert parse_rule(f"jail:www:memoryuse:deny={MILLIONS_LIMIT + 1}").amount == MILLIONS_LIMIT + 1


@pytest.mark.parametrize("text", ["jail:www:memoryuse:deny=1g\njail:db:memoryuse:deny=1g",
                                  "jail:w\nw:memoryuse:deny=1g", "jail:www:memory\x1b[2Juse:deny=1"])
def test_an_error_about_a_rule_with_controls_is_one_safe_line(text):
    with pytest.raises(RuleError) as info:
        parse_rule(text)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith("invalid rule 'jail:")
    assert "\\n" in message or "\\e" in message


def test_rule_text_and_exact_filter():
    rule = parse_rule("  j:www:MemoryUse:DENY=1G  ")
    assert str(rule) == "jail:www:memoryuse:deny=1073741824"
    assert str(rule.exact()) == "jail:www:memoryuse:deny=1073741824/jail"
    assert rule.exact().matches(rule)
    for other in ("jail:www:memoryuse:deny=1073741824/process", "jail:www:memoryuse:deny=1g/user",
                  "jail:www:memoryuse:deny=2g", "jail:www:memoryuse:log=1g",
                  "jail:db:memoryuse:deny=1g"):
        assert not rule.exact().matches(parse_rule(other)), other


# -- properties -------------------------------------------------------------------------------

ID_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Z"), blacklist_characters=",=/:"),
    min_size=1, max_size=30).filter(lambda s: not any(ch.isspace() for ch in s))


def subject_ids(subject: str) -> st.SearchStrategy[str]:
    return st.integers(0, 99_999).map(str) if subject == "process" else ID_TEXT


def amounts(resource: str) -> st.SearchStrategy[int]:
    return st.integers(0, MILLIONS_LIMIT if resource in IN_MILLIONS else INT64_MAX)


@st.composite
def rules(draw) -> Rule:
    subject = draw(st.sampled_from(SUBJECTS))
    resource = draw(st.sampled_from(KERNEL_ORDER))
    pers = [p for p in SUBJECTS if not (p == "process" and resource in SLOPPY)]
    return Rule(subject, draw(subject_ids(subject)), resource,
                draw(st.sampled_from(allowed_actions(resource))), draw(amounts(resource)),
                draw(st.sampled_from(pers)))


@st.composite
def filters(draw) -> RuleFilter:
    subject = draw(st.sampled_from(("", *SUBJECTS)))
    subject_id = draw(st.one_of(st.just(""), subject_ids(subject))) if subject else ""
    resource = draw(st.sampled_from(("", *KERNEL_ORDER)))
    amount = draw(st.none() | (amounts(resource) if resource else st.integers(0, INT64_MAX)))
    return RuleFilter(subject, subject_id, resource, draw(st.sampled_from(("", *ACTIONS))),
                      amount, draw(st.sampled_from(("", *SUBJECTS))))


@given(rules())
def test_rule_text_round_trip(rule):
    assert parse_rule(str(rule)) == rule


@given(rules(), st.randoms())
def test_aliases_and_case_give_the_same_rule(rule, random):
    alias = {"process": "p", "user": "u", "loginclass": "class", "jail": "j"}[rule.subject]
    subject = random.choice([alias, rule.subject.upper()])
    text = f"{subject}:{rule.subject_id}:{rule.resource.upper()}:{rule.action.title()}" \
           f"={rule.amount}/{rule.per.upper()}"
    assert parse_rule(text) == rule


FRAGMENTS = st.sampled_from([":", "=", "/", "jail", "j", "process", "p", "www", "1", "0x1f", "08",
                             "10k", "memoryuse", "cputime", "readbps", "deny", "throttle", "sigkill",
                             "jail", "user", " ", "", "\u0661", "é"])


@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=3))).map("".join)))
def test_any_text_is_a_rule_or_a_rule_error(text):
    try:
        rule = parse_rule(text)
    except RuleError as error:
        assert error.part in ("subject", "subject-id", "resource", "action", "amount", "per")
    else:
        assert isinstance(rule, Rule)
        assert parse_rule(str(rule)) == rule


@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=3))).map("".join)))
def test_any_text_is_a_filter_or_a_rule_error(text):
    try:
        flt = parse_filter(text)
    except RuleError:
        return
    assert parse_filter(str(flt)) == flt


@given(filters())
def test_filter_text_round_trip(flt):
    assert parse_filter(str(flt)) == flt


@given(rules(), st.sets(st.sampled_from(["subject", "subject_id", "resource", "action", "amount",
                                         "per"])))
def test_a_rule_matches_any_filter_cut_from_it(rule, blanks):
    fields = {"subject": rule.subject, "subject_id": rule.subject_id, "resource": rule.resource,
              "action": rule.action, "amount": rule.amount, "per": rule.per}
    fields.update({name: None if name == "amount" else "" for name in blanks})
    assert RuleFilter(**fields).matches(rule)


# -- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("::", RuleFilter()),
    ("jail:", RuleFilter(subject="jail")),
    ("j:www", RuleFilter(subject="jail", subject_id="www")),
    ("jail:www:memoryuse", RuleFilter("jail", "www", "memoryuse")),
    ("::maxproc", RuleFilter(resource="maxproc")),
    ("jail:www:memoryuse:deny=1g", RuleFilter("jail", "www", "memoryuse", "deny", 1 << 30)),
    ("jail:::=/user", RuleFilter(subject="jail", per="user")),
    ("u:80::sigterm", RuleFilter("user", "80", "", "sigterm")),
])
def test_parse_filter(text, expected):
    assert parse_filter(text) == expected
    assert parse_filter(str(expected)) == expected


@pytest.mark.parametrize(("flt", "text"), [
    (RuleFilter(), "::"), (RuleFilter(subject="jail"), "jail:"),
    (RuleFilter("jail", "www"), "jail:www"), (RuleFilter(resource="pcpu"), "::pcpu"),
    (RuleFilter(subject="jail", per="jail"), "jail:::=/jail"),
    (RuleFilter("jail", "www", "maxproc", amount=5), "jail:www:maxproc:=5"),
    (RuleFilter("jail", "www", "maxproc", "deny", 5, "jail"), "jail:www:maxproc:deny=5/jail"),
])
def test_filter_text(flt, text):
    assert str(flt) == text


@pytest.mark.parametrize(("text", "part"), [
    ("jail", "subject"), ("", "subject"), (":www", "subject"), ("bogus:", "subject"),
    ("process:www", "subject-id"), ("jail:www:nosuch", "resource"), ("jail:www:maxproc:kill", "action"),
    ("jail:www:maxproc:deny=1x", "amount"), ("jail:www:maxproc:deny=1/nobody", "per"),
])
def test_bad_filters(text, part):
    with pytest.raises(RuleError) as info:
        parse_filter(text)
    assert info.value.part == part


def test_filter_matches():
    www_mem = Rule("jail", "www", "memoryuse", "deny", 1 << 30)
    www_proc = Rule("jail", "www", "maxproc", "log", 100)
    db_mem = Rule("jail", "db", "memoryuse", "deny", 1 << 30)
    user_mem = Rule("user", "www", "memoryuse", "deny", 1 << 30, "process")
    everything = [www_mem, www_proc, db_mem, user_mem]

    def matching(text):
        return [rule for rule in everything if parse_filter(text).matches(rule)]

    assert matching("::") == everything
    assert matching("jail:") == [www_mem, www_proc, db_mem]
    assert matching("jail:www") == [www_mem, www_proc]
    assert matching("::memoryuse") == [www_mem, db_mem, user_mem]
    assert matching("::memoryuse:deny=1g/process") == [user_mem]
    assert matching(":::log") == [www_proc]
    assert matching("jail:www:memoryuse:deny=512m") == []
