"""Table cells: light tuples compared each tick, turned into rich Text only when written.

A cell is ``(plain, style, right)`` or ``(plain, style, right, ((more, style), ...))``; tables
never get markup strings, so ``[idle]`` and ``[/]`` stay literal.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..engine import units
from ..engine.sampler import LimitUse

Cell = tuple[Any, ...]
DIM = "dim"
DASH: Cell = ("-", DIM, True)


def num(value: str, style: str = "") -> Cell:
    """A right-aligned number cell."""
    return (value, style, True)


def text(value: str, style: str = "") -> Cell:
    """A left-aligned literal cell."""
    return (value, style, False)


def to_text(cell: Cell) -> Text:
    result = Text(cell[0], style=cell[1], justify="right" if cell[2] else "left", end="")
    if len(cell) > 3:
        for segment, style in cell[3]:
            result.append(segment, style)
    return result


def plain(cell: Cell) -> str:
    if len(cell) > 3:
        return cell[0] + "".join(segment for segment, _ in cell[3])
    return cell[0]


def limit_style(limit: LimitUse) -> str:
    """Red near a deny limit, yellow near any other; dim for rules far from their amount."""
    fraction = limit.fraction
    if fraction is None:
        return DIM
    if limit.rule.action == "deny":
        if fraction >= 0.9:
            return "bold red"
        if fraction >= 0.75:
            return "yellow"
        return ""
    if fraction >= 1.0:
        return "bold magenta"
    if fraction >= 0.75:
        return "yellow"
    return DIM


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


def limits_cell(limits: tuple[LimitUse, ...]) -> Cell:
    """The worst limit coloured by its action, and ``+N`` for the other rules."""
    worst = worst_limit(limits)
    if worst is None:
        return ("-", DIM, False)
    if len(limits) > 1:
        return (limit_label(worst), limit_style(worst), False, ((f" +{len(limits) - 1}", DIM),))
    return (limit_label(worst), limit_style(worst), False)


def bar(fraction: float | None, width: int = 10, style: str = "") -> Cell:
    """``███████░░░`` for a fraction (clipped to 0..1)."""
    if fraction is None:
        return ("-", DIM, False)
    filled = round(min(max(fraction, 0.0), 1.0) * width)
    return ("█" * filled, style or "green", False, (("░" * (width - filled), DIM),))
