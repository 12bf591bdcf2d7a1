"""Table cells: light tuples compared each tick, turned into rich Text only when written.

A cell is ``(plain, style, right)`` or ``(plain, style, right, ((more, style), ...))``; tables
never get markup strings, so ``[idle]`` and ``[/]`` stay literal, and every control in a cell is
made visible (:func:`~jailtui.engine.vis.vis`) when it becomes Text.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..engine.sampler import LimitUse
from ..engine.vis import vis
from ..present import limit_label, limit_level, marked, worst_limit
from .palette import GOOD_COLOR, limit_style

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
    result = Text(vis(cell[0]), style=cell[1], justify="right" if cell[2] else "left", end="")
    if len(cell) > 3:
        for segment, style in cell[3]:
            result.append(vis(segment), style)
    return result


def parts(cell: Cell) -> list[tuple[str, str]]:
    """The (text, style) pieces :func:`to_text` shows, every control made visible."""
    if len(cell) > 3:
        return [(vis(cell[0]), cell[1]), *((vis(segment), style) for segment, style in cell[3])]
    return [(vis(cell[0]), cell[1])]


def plain(cell: Cell) -> str:
    """The text :func:`to_text` shows."""
    if len(cell) > 3:
        return vis(cell[0] + "".join(segment for segment, _ in cell[3]))
    return vis(cell[0])


def limits_cell(limits: tuple[LimitUse, ...]) -> Cell:
    """The worst limit, marked and styled by how near its amount it is, and ``+N`` for the
    other rules."""
    worst = worst_limit(limits)
    if worst is None:
        return ("-", DIM, False)
    label = marked(limit_label(worst), limit_level(worst))
    if len(limits) > 1:
        return (label, limit_style(worst), False, ((f" +{len(limits) - 1}", DIM),))
    return (label, limit_style(worst), False)


def bar(fraction: float | None, width: int = 10, style: str = GOOD_COLOR) -> Cell:
    """``███████░░░`` for a fraction (clipped to 0..1)."""
    if fraction is None:
        return ("-", DIM, False)
    filled = round(min(max(fraction, 0.0), 1.0) * width)
    return ("█" * filled, style, False, (("░" * (width - filled), DIM),))
