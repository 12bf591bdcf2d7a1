"""Hostile text for tests: what a jailed root can put into a jail name, hostname, path, process
command or command output, and the check that none of it reaches a terminal as a control."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

#: Categories a terminal acts on instead of drawing: controls (C0, DEL, C1), format characters
#: (bidi overrides and isolates, zero-width, BOM), surrogates, line and paragraph separators.
ACTING = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

OSC_TITLE = "\x1b]2;pwned-title\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIC8K\x1b\\"
CLEAR = "\x1b[2J"
#: One of everything, as a C string can hold it (no NUL: a kernel name cannot carry one).
HOSTILE = (f"{OSC_TITLE}{OSC_CLIPBOARD}{CLEAR}\x9b31m\r\u202eevil\u2066\u200b\ufeff"
           "[/]db[prod][bold]")
#: Text that looks like markup and must be shown as it is.
MARKUP = ("[/]", "db[prod]", "[bold]")

FRAGMENTS = (
    CLEAR, "\x1b[31m", OSC_TITLE, "\x1b]2;t\x1b\\", OSC_CLIPBOARD, "\x1b]52;c;aGk=\x07",
    "\x9b2J", "\x9d0;t\x9c", "\x00", "\r", "\n", "\t", "\x7f", "\x08", "\u202e", "\u202d",
    "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u2028", "\udc9b", "[/]", "[bold]",
    "db[prod]", "[/bold]", "[$x]", "\\", "x" * 200, "é", "中",
)

#: Any mixture of escape sequences, lone controls, markup look-alikes and plain text.
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
                        min_size=1, max_size=8).map("".join)


def acting(text: str, *, keep: str = "") -> list[str]:
    """The characters of ``text`` a terminal would act on, except those in ``keep``."""
    return [ch for ch in text if unicodedata.category(ch) in ACTING and ch not in keep]


def assert_inert(text: str, *, keep: str = "") -> None:
    """No control, bidi or zero-width character in ``text`` (``keep`` may allow newline)."""
    found = acting(text, keep=keep)
    assert not found, f"raw controls {sorted(set(found))!r} in {text[:300]!r}"


def assert_inert_bytes(data: bytes, *, keep: str = "\n") -> None:
    """The same for bytes written to a terminal or a file (UTF-8; no stray byte either)."""
    assert_inert(data.decode("utf-8"), keep=keep)


def hostile_fake_state(state: dict, text: str = HOSTILE) -> dict:
    """The fake FreeBSD tools' state (tests/fakebin) with ``text`` where a jailed root or the
    host puts it: the host name, jail git7's name, hostname and path, its rules and usage, and
    the user and command of its processes.

    Names printed in line-based output (the host name by sysctl, the jail name in rctl's
    rules) leave out CR: LocalRunner reads tool output with universal newlines, so a CR there
    splits the line (names the host's root chose, not a jail's)."""
    line = text.replace("\r", "")
    name = f"git7{line}"
    state["hostname"] = f"watermelon{line}"
    for jail in state["jails"]:
        if jail["name"] == "git7":
            jail.update(name=name, hostname=f"git7{text}", path=f"{jail['path']}{text}")
    state["usage"][name] = state["usage"].pop("git7")
    state["rules"] = [rule.replace("jail:git7:", f"jail:{name}:") for rule in state["rules"]]
    for proc in state["processes"]:
        if proc.get("jid") == 2:
            proc.update(user=f"git{text}", command=f"{proc['command']} {text}")
    return state
