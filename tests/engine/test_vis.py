"""The one sanitiser: every control becomes visible text, nothing else changes."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from jailtui.engine.vis import is_safe, vis, vis_map

from hostile import hostile_text

#: Categories a terminal acts on instead of drawing: controls, format characters (bidi,
#: zero-width), surrogates, line/paragraph separators.
ACTING = {"Cc", "Cf", "Cs", "Zl", "Zp"}

hostile = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x1b", "\x9b", "\x07", "\r", "\n", "\t", "\x00", "\x7f", "\u202e",
                         "\u2066", "\u200b", "\ufeff", "\u2028", "[", "]", "/", "\\", "é"]),
        st.characters(codec=None)),
    max_size=60)


@given(hostile)
def test_vis_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    out = vis(text)
    assert not any(unicodedata.category(ch) in ACTING for ch in out)
    assert is_safe(out)


@given(hostile)
def test_multiline_keeps_only_newline_and_tab(text: str) -> None:
    out = vis(text, multiline=True)
    assert not any(unicodedata.category(ch) in ACTING and ch not in "\n\t" for ch in out)


def test_controls_are_shown_not_dropped() -> None:
    assert vis("a\x1b[2Jb") == "a\\e[2Jb"
    assert vis("\x1b]52;c;aGk=\x07") == "\\e]52;c;aGk=\\a"
    assert vis("x\x9b31m") == "x\\x9b31m"
    assert vis("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert vis("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r"
    assert vis("one\ntwo\t\x1b", multiline=True) == "one\ntwo\t\\e"


def test_ordinary_text_is_unchanged() -> None:
    for text in ("db", "build.ports", "[idle]", "[/]", "postgres: app appdb", "café 中文",
                 "C:\\path\\^[ already vis-encoded by ps"):
        assert vis(text) == text


def test_an_undecodable_byte_shows_as_that_byte() -> None:
    raw = b"ok\x9b\xff".decode("utf-8", "surrogateescape")
    assert vis(raw) == "ok\\x9b\\xff"
    assert vis("\ud800") == "\\ud800"


@given(hostile_text)
def test_vis_map_says_where_each_offset_lands(text: str) -> None:
    for multiline in (False, True):
        shown, offsets = vis_map(text, multiline=multiline)
        assert shown == vis(text, multiline=multiline)
        assert offsets == [len(vis(text[:i], multiline=multiline)) for i in range(len(text) + 1)]
