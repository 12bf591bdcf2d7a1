"""The dashboard's colours, chosen to read the same in truecolor, 256 and 16 colours and to
say what matters without colour at all.

Alerts: each level has a mark before the figure (``!`` near, ``!!`` at:
:data:`~jailtui.present.MARKS`), so it reads without colour (``NO_COLOR``, a monochrome
terminal, a screen reader); AT is reversed and NEAR bold, so the two differ without colour as
well. Their colours are RGB values that a 16-colour terminal gets as distinct ANSI colours
(bright yellow, bright red, bright magenta, bright green) and a 256-colour one as close ones.

ANSI colour names (``yellow`` in a note) go through :data:`TERMINAL_ANSI` first: Textual's
default palette for them makes red and magenta one colour and yellow an orange that a
16-colour terminal then shows as red; this one keeps each name's hue at every depth.
"""

from __future__ import annotations

from rich.terminal_theme import TerminalTheme

from ..engine.sampler import LimitUse
from ..present import AT, NEAR, limit_level

#: xterm's colours: each ANSI name maps back to itself (yellow and white to their bright
#: variants) when a 16-colour terminal gets it.
_NORMAL = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
           (0, 205, 205), (229, 229, 229)]
_BRIGHT = [(127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
           (255, 0, 255), (0, 255, 255), (255, 255, 255)]
TERMINAL_ANSI = TerminalTheme((12, 12, 12), (217, 217, 217), _NORMAL, _BRIGHT)
TERMINAL_ANSI_LIGHT = TerminalTheme((255, 255, 255), (0, 0, 0), _NORMAL, _BRIGHT)

NEAR_COLOR, AT_COLOR, GOOD_COLOR = "#ffd75f", "#ff5f5f", "#5fd75f"
#: A rule of another action than deny, past its amount (it fires).
PAST_COLOR = "#ff87ff"
#: Light enough to stay readable when NO_COLOR turns colours into greys.
MANAGER_COLOR, ADDRESS_COLOR = "#d7afff", "#87d7ff"
NEAR_STYLE = f"bold {NEAR_COLOR}"
AT_STYLE = f"bold reverse {AT_COLOR}"
PAST_STYLE = f"bold reverse {PAST_COLOR}"
DIM = "dim"


def level_style(alert: int, calm: str = "") -> str:
    return AT_STYLE if alert == AT else NEAR_STYLE if alert == NEAR else calm


def limit_style(limit: LimitUse) -> str:
    """A rule's style by how near its amount the usage is; dim for a rule that is far from
    it, unless it is a deny rule."""
    alert = limit_level(limit)
    if alert == AT and limit.rule.action != "deny":
        return PAST_STYLE
    far = "" if limit.fraction is not None and limit.rule.action == "deny" else DIM
    return level_style(alert, far)


def bar_color(limit: LimitUse) -> str:
    """The colour of a rule's usage bar: green while calm."""
    alert = limit_level(limit)
    if alert == AT:
        return AT_COLOR if limit.rule.action == "deny" else PAST_COLOR
    return NEAR_COLOR if alert == NEAR else GOOD_COLOR
