"""The warning for a deny rule below a jail's current use: its figures, and when it is silent."""

from __future__ import annotations

import pytest

from jailtui.engine.deny import below_use
from jailtui.engine.model import Usage
from jailtui.engine.rctl import parse_rule

GIB, MIB = 1 << 30, 1 << 20


def test_the_issue_example_with_its_figures() -> None:
    usage = Usage(memoryuse=int(4.2 * GIB), vmemoryuse=int(4.2 * GIB))
    assert below_use(parse_rule("jail:db:vmemoryuse:deny=512m"), usage) == \
        "db uses 4.2G, this denies above 512M (8x below current use): new allocations will fail"
    assert below_use(parse_rule("jail:db:memoryuse:deny=512m"), usage) == \
        ("db uses 4.2G, this denies above 512M (8x below current use): the VM daemon will "
         "page its memory out until it fits")


@pytest.mark.parametrize("rule,usage,expected", [
    ("jail:www:maxproc:deny=10", Usage(maxproc=13),
     "www uses 13, this denies above 10 (1.3x below current use): new processes (fork) will fail"),
    ("jail:www:pcpu:deny=50", Usage(pcpu=250),
     "www uses 250%, this denies above 50% (5x below current use): its processes will be "
     "throttled until it fits"),
    ("jail:www:openfiles:deny=0", Usage(openfiles=40),
     "www uses 40, this denies any use: opening files will fail"),
    ("jail:www:nsem:deny=2", Usage(nsem=9),
     "www uses 9, this denies above 2 (4x below current use): new ones will fail"),
])
def test_each_resource_says_what_the_kernel_does(rule, usage, expected) -> None:
    assert below_use(parse_rule(rule), usage) == expected


@pytest.mark.parametrize("rule", [
    "jail:db:memoryuse:deny=8g",            # above its use
    "jail:db:memoryuse:deny=1g",            # exactly its use: nothing in use is over
    "jail:db:memoryuse:log=512m",           # not a deny
    "jail:db:memoryuse:deny=512m/process",  # counted per process, not against the jail
    "user:www:memoryuse:deny=512m",         # not a jail
])
def test_silent_when_it_does_not_deny_below_the_jail_use(rule) -> None:
    assert below_use(parse_rule(rule), Usage(memoryuse=GIB)) is None


def test_silent_when_the_usage_is_unknown() -> None:
    assert below_use(parse_rule("jail:db:memoryuse:deny=1m"), None) is None
