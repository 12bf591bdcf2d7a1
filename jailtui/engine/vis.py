"""vis: untrusted text made safe for a terminal, a table cell or a log line.

Everything a jail controls (its name, hostname, path, process commands, user names, command
output, error texts that quote a tool) may hold terminal controls: CSI (``ESC[2J``), OSC 2 titles,
OSC 52 clipboard writes, other C0/C1 controls, bidi overrides and zero-width characters. This is
the one function every output path calls before showing such text. Like ps(1) and vis(1) it
makes a control visible instead of dropping it (``ESC`` becomes ``\\e``, a bidi override
``\\u202e``, a byte that did not decode, kept by ``surrogateescape``, ``\\x9b``), so an operator
sees that something odd is there. Backslashes are left alone, as ps's
``strvis(VIS_NOSLASH)`` does, so ps's own encoding reads the same.

The result is plain text: callers still wrap it in ``rich.text.Text`` (never markup).
"""

from __future__ import annotations

import re

#: C escapes as vis(3) writes them with VIS_CSTYLE, plus ``\e`` for ESC.
_NAMED = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e",
}

#: Code points that change what a terminal does or shows beyond their own cell: C0 and DEL, C1
#: (0x9b is a one-byte CSI), bidi marks, embeddings, overrides and isolates, zero-width and
#: invisible format characters, line and paragraph separators, the BOM, interlinear annotation
#: marks, surrogates (undecodable bytes) and tag characters.
_OTHER_UNSAFE = (
    "\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x1f{_OTHER_UNSAFE}]")
#: The same, but newline and tab pass (multi-line output).
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHER_UNSAFE}]")


def _encode(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def vis(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control made visible; one line unless ``multiline`` keeps newlines
    and tabs (for command output shown in a scrolling view)."""
    value = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    if pattern.search(value) is None:
        return value
    return pattern.sub(_encode, value)


def vis_map(text: str, *, multiline: bool = False) -> tuple[str, list[int]]:
    """:func:`vis` of ``text``, and where each offset of ``text`` (0 to its length) lands in
    it: styles laid over ``text`` move onto the result with it."""
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    parts: list[str] = []
    offsets: list[int] = []
    done = 0
    size = 0
    for match in pattern.finditer(text):
        start = match.start()
        offsets.extend(range(size, size + start - done))
        parts.append(text[done:start])
        size += start - done
        offsets.append(size)
        encoded = _encode(match)
        parts.append(encoded)
        size += len(encoded)
        done = start + 1
    offsets.extend(range(size, size + len(text) - done + 1))
    parts.append(text[done:])
    return "".join(parts), offsets


def is_safe(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds nothing :func:`vis` would encode."""
    return (_UNSAFE_MULTILINE if multiline else _UNSAFE).search(text) is None
