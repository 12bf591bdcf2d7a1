"""kernel_rules, the one model of what rctl -a / rctl -r do to a rule set, against kern_rctl.c:
worked examples, and random sequences checked against the fake rctl's independent kernel."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jailtui.engine import kernel_rules
from jailtui.engine.model import Rule, RuleFilter
from jailtui.engine.rctl import parse_filter, parse_rule

def rules(*texts: str) -> tuple[Rule, ...]:
    return tuple(parse_rule(text) for text in texts)


def texts(found: tuple[Rule, ...]) -> list[str]:
    return [str(rule) for rule in found]


def test_a_deny_displaces_the_deny_of_its_slot_whatever_the_amount() -> None:
    live = rules("jail:www:memoryuse:deny=1g", "jail:www:memoryuse:deny=100m/process",
                 "jail:www:memoryuse:log=1g", "jail:db:memoryuse:deny=1g")
    new = parse_rule("jail:www:memoryuse:deny=2g")
    assert texts(kernel_rules.displaced(live, new)) == ["jail:www:memoryuse:deny=1073741824"]
    assert texts(kernel_rules.added(live, new)) == [
        "jail:www:memoryuse:deny=104857600/process", "jail:www:memoryuse:log=1073741824",
        "jail:db:memoryuse:deny=1073741824", "jail:www:memoryuse:deny=2147483648"]


def test_other_actions_stack_and_only_an_identical_rule_is_displaced() -> None:
    live = rules("jail:www:memoryuse:log=1g", "jail:www:memoryuse:sigterm=1g")
    assert kernel_rules.displaced(live, parse_rule("jail:www:memoryuse:log=2g")) == ()
    assert texts(kernel_rules.added(live, parse_rule("jail:www:memoryuse:log=2g"))) == [
        "jail:www:memoryuse:log=1073741824", "jail:www:memoryuse:sigterm=1073741824",
        "jail:www:memoryuse:log=2147483648"]
    assert kernel_rules.displaced(live, live[0]) == (), "a rule does not displace itself"
    assert len(kernel_rules.added(live, live[0])) == 2


def test_removal_by_filter_and_by_exact_rule() -> None:
    live = rules("jail:www:memoryuse:deny=1g", "jail:www:memoryuse:deny=1g/process",
                 "jail:www:maxproc:log=10")
    kept, gone = kernel_rules.removed(live, parse_filter("jail:www:memoryuse:deny=1g"))
    assert (texts(kept), len(gone)) == (["jail:www:maxproc:log=10"], 2), "no per: every per"
    kept, gone = kernel_rules.removed(live, live[0].exact())
    assert gone == (live[0],) and kept == live[1:]
    assert kernel_rules.removed(live, parse_filter("jail:db")) == (live, ())


UNIVERSE = st.builds(
    Rule, st.just("jail"), st.sampled_from(("www", "db")), st.sampled_from(("memoryuse",
                                                                             "maxproc")),
    st.sampled_from(("deny", "log")), st.sampled_from((1, 2)), st.sampled_from(("jail",
                                                                                 "process")))


@st.composite
def filters(draw) -> RuleFilter:
    rule = draw(UNIVERSE)
    keep = draw(st.lists(st.booleans(), min_size=5, max_size=5))
    return RuleFilter("jail", rule.subject_id if keep[0] else "",
                      rule.resource if keep[1] else "", rule.action if keep[2] else "",
                      rule.amount if keep[3] else None, rule.per if keep[4] else "")


OPS = st.lists(st.one_of(st.tuples(st.just("add"), UNIVERSE),
                         st.tuples(st.just("remove"), filters())), max_size=25)


@settings(max_examples=300, deadline=None)
@given(ops=OPS)
def test_the_same_rules_as_the_fake_kernel(fake_tools, ops) -> None:
    state = {"rules": [], "racct": "enabled", "root": True}
    kernel = fake_tools.Kernel(state)
    ours: tuple[Rule, ...] = ()
    for op, item in ops:
        if op == "add":
            kernel.add_rule(str(item))
            ours = kernel_rules.added(ours, item)
            continue
        try:
            kernel.remove_rule(str(item))
            removed = True
        except fake_tools.SyscallError:
            removed = False
        ours, gone = kernel_rules.removed(ours, item)
        assert bool(gone) == removed, f"ESRCH differs for {item}"
    assert sorted(state["rules"]) == sorted(texts(ours))
