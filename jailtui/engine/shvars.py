"""Variables of the sh(1) files FreeBSD and the jail managers keep their settings in:
rc.conf(5) and its companions, bastille.conf, pot.conf, appjail.conf.

jailtui never runs these files. It reads plain assignments the way sh would (``name=value``,
``name="value"``, ``name='value'``, ``export name=value``, ``$name``, ``${name}`` and
``${name:-default}`` expanded outside single quotes, ``#`` comments) and skips every other
statement (commands, conditionals, functions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


def parse_sh_vars(text: str, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables ``text`` assigns, expanded against ``known`` and earlier assignments;
    the result holds ``known`` too."""
    values = dict(known or {})
    for words in _statements(text):
        if words and words[0] == [("$", "export")]:
            words = words[1:]
        if not words or not all(_is_assignment(word) for word in words):
            continue
        for word in words:
            name, value = _assignment(word, values)
            values[name] = value
    return values


# A word is a list of pieces: ("'", text) taken literally, ("$", text) still to be expanded.
_Piece = tuple[str, str]


def _statements(text: str) -> list[list[list[_Piece]]]:
    """Split ``text`` into statements (newline or ``;``) of words, honouring quotes."""
    statements: list[list[list[_Piece]]] = []
    words: list[list[_Piece]] = []
    word: list[_Piece] | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            word = None
            i += 1
        elif ch in "\n;":
            statements.append(words)
            words, word = [], None
            i += 1
        elif ch == "#" and word is None:
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            if word is None:
                word = []
                words.append(word)
            if ch == "'":
                end = text.find("'", i + 1)
                end = n if end < 0 else end
                word.append(("'", text[i + 1:end]))
                i = end + 1
            elif ch == '"':
                j, buf = i + 1, []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n and text[j + 1] in '$`"\\\n':
                        buf.append("" if text[j + 1] == "\n" else text[j + 1])
                        j += 2
                    else:
                        buf.append(text[j])
                        j += 1
                word.append(("$", "".join(buf)))
                i = j + 1
            elif ch == "\\" and i + 1 < n:
                word.append(("'", "" if text[i + 1] == "\n" else text[i + 1]))
                i += 2
            else:
                j = i
                while j < n and text[j] not in " \t\n;'\"\\":
                    j += 1
                word.append(("$", text[i:j]))
                i = j
    statements.append(words)
    return statements


def _is_assignment(word: list[_Piece]) -> bool:
    quote, text = word[0]
    return quote == "$" and bool(_ASSIGNMENT.match(text))


def _assignment(word: list[_Piece], values: Mapping[str, str]) -> tuple[str, str]:
    """Assignments are expanded left to right, each seeing the ones before it."""
    match = _ASSIGNMENT.match(word[0][1])
    assert match is not None
    rest: list[_Piece] = [("$", word[0][1][match.end():]), *word[1:]]
    return match[1], "".join(_expand(piece, values) for piece in rest)


def _expand(piece: _Piece, values: Mapping[str, str]) -> str:
    quote, text = piece
    return text if quote == "'" else _VARIABLE.sub(lambda m: _lookup(m, values), text)


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}"
                       r"|([A-Za-z_][A-Za-z0-9_]*))")


def _lookup(match: re.Match[str], values: Mapping[str, str]) -> str:
    name = match[1] or match[3]
    value = values.get(name, "")
    if match[1] and match[2] is not None and not value:
        return match[2]
    return value
