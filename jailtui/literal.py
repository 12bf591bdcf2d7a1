"""Untrusted text as rich Text: every control made visible by :func:`~jailtui.engine.vis.vis`,
never parsed as markup.

The CLI and the dashboard turn what a jail controls into something drawn only through these:
:func:`literal` for a string, :func:`visible` for a Text assembled from pieces (its styles stay
on the characters they covered).
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Span, Text

from .engine.vis import is_safe, vis, vis_map


def literal(value: object, style: StyleType = "", *, multiline: bool = False) -> Text:
    """``value`` as one Text in ``style``; ``multiline`` keeps newlines and tabs."""
    return Text(vis(value, multiline=multiline), style=style)


def visible(text: Text, *, multiline: bool = False) -> Text:
    """``text`` itself when it holds no control, else a copy with each one made visible."""
    plain = text.plain
    if is_safe(plain, multiline=multiline):
        return text
    shown, offsets = vis_map(plain, multiline=multiline)
    result = text.blank_copy(shown)
    result.spans = [Span(offsets[span.start], offsets[span.end], span.style)
                    for span in text.spans]
    return result
