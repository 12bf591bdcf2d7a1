"""Presentation the CLI and the dashboard share: how near a limit a figure is (levels and
their marks), the limit label, the IP column and the child-jail note. Plain strings only: the
CLI (rich) and the dashboard (Textual) each style them their own way."""

from __future__ import annotations

from collections.abc import Sequence

from .engine import units
from .engine.model import Jail
from .engine.sampler import JailStats, LimitUse
from .engine.vis import vis


def addresses(jail: Jail, *, compact: bool = False) -> str:
    """The IP column: every address (or the first and ``+N`` when ``compact``), else
    ``vnet`` or ``inherit``, else ``-``."""
    ips = jail.ips
    if not ips:
        return jail.network or "-"
    if compact:
        return ips[0] + (f" +{len(ips) - 1}" if len(ips) > 1 else "")
    return ",".join(ips)


def children_note(stats: Sequence[JailStats]) -> list[str]:
    """``racct of build includes its child jails build.ports``, for each such parent."""
    return [f"racct of {vis(s.jail.name)} includes its child jails: "
            + ", ".join(vis(name) for name in s.children)
            for s in stats if s.racct_includes_children]


#: How close a figure is to what it may reach: nothing to say, near it, at (or past) it.
CALM, NEAR, AT = 0, 1, 2
#: The level said without colour, before the figure: ``!`` near, ``!!`` at.
MARKS = ("", "!", "!!")


def level(fraction: float | None, at: float = 0.9) -> int:
    """NEAR from 75%, AT from ``at`` (of a limit, an allowance, the host)."""
    if fraction is None or fraction < 0.75:
        return CALM
    return AT if fraction >= at else NEAR


def limit_level(limit: LimitUse) -> int:
    """A deny rule is AT from 90% (the kernel refuses what would pass it); a rule of another
    action (log, devctl, throttle, a signal) from 100%, when it fires."""
    return level(limit.fraction, 0.9 if limit.rule.action == "deny" else 1.0)


def marked(text: str, alert: int) -> str:
    """``text`` with the mark of ``alert`` before it."""
    return f"{MARKS[alert]}{text}"


def limit_label(limit: LimitUse) -> str:
    """``memoryuse 412M/512M 80%``."""
    rule = limit.rule
    used = "?" if limit.used is None else units.amount(rule.resource, limit.used)
    amount = units.amount(rule.resource, rule.amount)
    if used.endswith("/s") and amount.endswith("/s"):
        used = used[:-2]
    text = f"{rule.resource} {used}/{amount}"
    if limit.fraction is not None:
        text += f" {limit.fraction * 100:.0f}%"
    return text


def worst_limit(limits: tuple[LimitUse, ...]) -> LimitUse | None:
    """The rule closest to (or furthest past) its amount; deny rules win ties."""
    return max(limits, key=lambda lim: (lim.fraction if lim.fraction is not None else -1.0,
                                       lim.rule.action == "deny"), default=None)
