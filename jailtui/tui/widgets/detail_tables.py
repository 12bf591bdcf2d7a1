"""The small tables of a jail's detail: its rules with usage, every racct resource, parameters."""

from __future__ import annotations

from dataclasses import dataclass

from ...engine import units
from ...engine.model import Jail, Rule, RuleFilter, Usage
from ...engine.rctl import RESOURCES, UNIT_WORDS, Resource
from ...engine.sampler import JailStats, LimitUse
from ...present import limit_level, marked
from ..cells import DASH, DIM, Cell, bar, num, text
from ..palette import bar_color, limit_style
from .keyed_table import SORT_BINDINGS, Column, KeyedTable


def _fraction(limit: LimitUse) -> float | None:
    return limit.fraction


def _head(rule: Rule) -> str:
    """``subject:id:resource:action``: the rule without amount and per (their own columns)."""
    return str(RuleFilter(rule.subject, rule.subject_id, rule.resource, rule.action))


LIMIT_COLUMNS: tuple[Column, ...] = (
    Column("rule", "RULE", 12, 0, False, lambda lim: _head(lim.rule), "subject:id:resource:action"),
    Column("amount", "AMOUNT", 6, 0, True, lambda lim: lim.rule.amount, "the rule's amount"),
    Column("per", "PER", 4, 3, False, lambda lim: lim.rule.per, "what the amount is counted per"),
    Column("used", "USED", 6, 0, True, lambda lim: lim.used, "current racct value"),
    Column("pct", "USE%", 5, 0, True, _fraction, "used / amount", True),
    Column("bar", "", 10, 2, False, None, ""),
)


def limit_row(limit: LimitUse) -> tuple[Cell, ...]:
    rule = limit.rule
    pct = "-" if limit.fraction is None else marked(f"{limit.fraction * 100:.0f}%",
                                                    limit_level(limit))
    return (text(_head(rule)), num(units.amount(rule.resource, rule.amount)), text(rule.per, DIM),
            num(units.amount(rule.resource, limit.used)) if limit.used is not None else DASH,
            num(pct, limit_style(limit)), bar(limit.fraction, 10, bar_color(limit)))


class LimitsTable(KeyedTable[LimitUse]):
    COLUMNS = LIMIT_COLUMNS
    KEY_COLUMN = "rule"
    BINDINGS = [*SORT_BINDINGS]

    def show_limits(self, stats: JailStats | None) -> int:
        limits = stats.limits if stats else ()
        return self.show([(str(lim.rule), lim, limit_row(lim)) for lim in limits])


@dataclass(frozen=True, slots=True)
class ResourceValue:
    resource: Resource
    value: int | None
    limits: tuple[LimitUse, ...]


RESOURCE_COLUMNS: tuple[Column, ...] = (
    Column("resource", "RESOURCE", 15, 0, False, lambda r: r.resource.index, "racct resource"),
    Column("value", "VALUE", 7, 0, True, lambda r: r.value, "current value, human units", True),
    Column("raw", "RAW", 10, 3, True, lambda r: r.value, "as rctl -u prints it", True),
    Column("limit", "LIMIT", 8, 1, False, lambda r: _closest(r.limits),
           "rules on this resource; sorts by the one closest to its amount", True),
    Column("description", "DESCRIPTION", 20, 2, False, lambda r: _describe(r.resource),
           "what it measures, and its unit", fill=True),
)


def _closest(limits: tuple[LimitUse, ...]) -> float | None:
    return max((lim.fraction for lim in limits if lim.fraction is not None), default=None)


def resource_row(r: ResourceValue) -> tuple[Cell, ...]:
    res = r.resource
    parts = [(marked(f"{lim.rule.action}={units.amount(res.name, lim.rule.amount)}",
                     limit_level(lim)), limit_style(lim)) for lim in r.limits]
    limit: Cell = ("-", DIM, False)
    if parts:
        rest = tuple(item for part in parts[1:] for item in ((", ", ""), part))
        limit = (parts[0][0], parts[0][1], False, rest)
    value_style = "" if r.value else DIM
    return (text(res.name, "bold"),
            num(units.amount(res.name, r.value), value_style) if r.value is not None else DASH,
            num(str(r.value), DIM) if r.value is not None else DASH, limit,
            text(_describe(res), DIM))


def _describe(res: Resource) -> str:
    if "percent" in res.description:
        return res.description
    return f"{res.description} ({UNIT_WORDS[res.unit]})"


class ResourcesTable(KeyedTable[ResourceValue]):
    """Every racct resource of the jail, in the kernel's order until sorted (s, S, a click
    on a header), like the other tables."""

    COLUMNS = RESOURCE_COLUMNS
    KEY_COLUMN = "resource"
    BINDINGS = [*SORT_BINDINGS]

    def show_usage(self, usage: Usage | None, limits: tuple[LimitUse, ...]) -> int:
        values = usage.as_dict() if usage is not None else {}
        by_resource: dict[str, list[LimitUse]] = {}
        for lim in limits:
            by_resource.setdefault(lim.rule.resource, []).append(lim)
        rows = [ResourceValue(res, values.get(name), tuple(by_resource.get(name, ())))
                for name, res in RESOURCES.items()]
        return self.show([(r.resource.name, r, resource_row(r)) for r in rows])


PARAM_COLUMNS: tuple[Column, ...] = (
    Column("param", "PARAMETER", 16, 0, False, lambda kv: kv[0], "jail parameter"),
    Column("value", "VALUE", 20, 0, False, lambda kv: kv[1], "value", fill=True),
)


def jail_params(jail: Jail) -> list[tuple[str, str]]:
    """The jail's parameters, with the identity ones first."""
    facts = [("name", jail.name), ("jid", "-" if jail.jid is None else str(jail.jid)),
             ("state", jail.state.value), ("host.hostname", jail.hostname),
             ("path", jail.path), ("ip4.addr", ",".join(jail.ip4)),
             ("ip6.addr", ",".join(jail.ip6)),
             ("cpuset.id", "" if jail.cpusetid is None else str(jail.cpusetid)),
             ("configured", "yes (jail.conf)" if jail.configured else "no")]
    seen = {key for key, _ in facts}
    rest = sorted((str(k), str(v)) for k, v in jail.params.items() if k not in seen)
    return [(k, v) for k, v in facts if v] + rest


class ParamsTable(KeyedTable[tuple[str, str]]):
    COLUMNS = PARAM_COLUMNS
    KEY_COLUMN = "param"
    DEFAULT_SORT = "param"
    BINDINGS = [*SORT_BINDINGS]

    def order(self, keys: list[str]) -> list[str]:
        if self.sort_column == "param" and not self.sort_reverse:
            return keys
        return super().order(keys)

    def show_params(self, jail: Jail | None) -> int:
        pairs = jail_params(jail) if jail is not None else []
        return self.show([(k, (k, v), (text(k, "bold"), text(v))) for k, v in pairs])
