"""What adding or removing an rctl rule does to a rule set, as sys/kern/kern_rctl.c does it.

``rctl_rule_add`` first removes the rules the new one displaces, then links it:

* a ``deny`` rule displaces every deny rule with the same subject, subject-id, resource and
  per, whatever its amount (one deny amount per slot, ``per`` being part of the slot);
* any other action (``log``, ``devctl``, ``throttle``, ``sig*``) displaces only an identical
  rule, so such rules stack: ``log=1g`` and ``log=2g`` both stay.

``rctl_rule_remove`` removes every rule the filter matches (``rctl_rule_matches``: a field left
unset matches anything, so a filter without ``/per`` matches every per) and fails with ESRCH
when none matches. This module is the one model of these rules in jailtui: the simulator, the
engine's changes and previews, and rctl.conf editing all use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Rule, RuleFilter


def displacing(rule: Rule) -> RuleFilter:
    """The filter ``rctl_rule_add`` removes with before it links ``rule``."""
    return RuleFilter(rule.subject, rule.subject_id, rule.resource, rule.action,
                      None if rule.action == "deny" else rule.amount, rule.per)


def displaced(rules: Iterable[Rule], rule: Rule) -> tuple[Rule, ...]:
    """The rules of ``rules`` that adding ``rule`` takes away (``rule`` itself excepted)."""
    gone = displacing(rule)
    return tuple(old for old in rules if old != rule and gone.matches(old))


def added(rules: Iterable[Rule], rule: Rule) -> tuple[Rule, ...]:
    """The rule set after ``rctl -a rule``."""
    gone = displacing(rule)
    return (*(old for old in rules if not gone.matches(old)), rule)


def removed(rules: Iterable[Rule], filter: RuleFilter) -> tuple[tuple[Rule, ...],
                                                                tuple[Rule, ...]]:
    """``(kept, removed)`` after ``rctl -r filter``; nothing removed is the kernel's ESRCH."""
    kept: list[Rule] = []
    gone: list[Rule] = []
    for rule in rules:
        (gone if filter.matches(rule) else kept).append(rule)
    return tuple(kept), tuple(gone)
