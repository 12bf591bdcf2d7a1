"""Every surface that turns jail-controlled text into output, fed hostile strings: the result is
vis'd text, never a raw control, never parsed as markup."""

from __future__ import annotations

import io
import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from jailtui import report
from jailtui.engine.audit import AuditLog, quote
from jailtui.engine.vis import vis
from jailtui.literal import literal, visible
from jailtui.tui import cells
from jailtui.tui.outcome import Outcome
from jailtui.tui.screens.event_log import audit_text
from jailtui.tui.widgets.header import fit

from hostile import HOSTILE, MARKUP, assert_inert, hostile_text

STYLES = ("bold", "red", "", "dim", "bold reverse")


def rendered(*renderables: object, width: int = 300) -> str:
    """What rich writes for ``renderables`` (no colours: every ESC would be the data's)."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False,
                      force_terminal=False)
    for renderable in renderables:
        console.print(renderable)
    return out.getvalue()


@given(hostile_text)
def test_literal_is_the_vis_of_its_value(text: str) -> None:
    shown = literal(text, "bold")
    assert shown.plain == vis(text)
    assert_inert(shown.plain)
    assert_inert(literal(text, multiline=True).plain, keep="\n\t")


def test_literal_is_never_markup() -> None:
    for text in MARKUP:
        assert literal(text).plain == text
        assert rendered(literal(text)).strip() == text


@given(st.lists(st.tuples(hostile_text, st.sampled_from(STYLES)), min_size=1, max_size=4))
def test_visible_keeps_each_style_on_its_own_text(pieces: list[tuple[str, str]]) -> None:
    text = Text.assemble(*pieces)
    kept = [Text(piece).plain for piece, _ in pieces]  # rich drops BEL, BS, VT, FF and CR
    shown = visible(text)
    assert shown.plain == "".join(vis(piece) for piece in kept)
    assert_inert(shown.plain)
    expected, start = [], 0
    for piece, (_, style) in zip(kept, pieces, strict=True):
        end = start + len(vis(piece))
        if style and piece:
            expected.append((start, end, style))
        start = end
    assert [(s.start, s.end, s.style) for s in shown.spans if s.end > s.start] == expected


def test_visible_returns_clean_text_itself() -> None:
    text = Text("www.example.org", style="bold")
    assert visible(text) is text


# -- CLI tables --------------------------------------------------------------------------------

@settings(max_examples=60)
@given(hostile_text, hostile_text)
def test_cli_table_cells_and_title_are_inert(cell: str, title: str) -> None:
    table = report.table("NAME", "COMMAND", title=title)
    report.row(table, [cell, Text.assemble(("x", "bold"), cell)])
    report.row(table, [3, 4])
    assert_inert(rendered(table), keep="\n")


def test_cli_table_shows_markup_as_it_is() -> None:
    table = report.table("NAME", title="[/] db[prod]")
    report.row(table, ["db[prod]"])
    report.row(table, ["[bold]x[/] and some text to make the table wide"])
    output = rendered(table)
    assert "[/] db[prod]" in output
    assert re.search(r"^\s*db\[prod\]\s*$", output, re.M)
    assert "[bold]x[/]" in output


# -- TUI cells, header, outcomes, event log ------------------------------------------------------

@given(hostile_text, hostile_text)
def test_table_cells_show_what_plain_measures(value: str, more: str) -> None:
    for cell in (cells.text(value), cells.num(value, "bold"),
                 (value, "", False, ((more, "dim"),))):
        shown = cells.to_text(cell)
        assert shown.plain == cells.plain(cell) == vis(value) + (vis(more) if len(cell) > 3
                                                                   else "")
        assert_inert(shown.plain)


@given(hostile_text)
def test_header_pieces_are_inert(hostname: str) -> None:
    line = fit([(0, Text("jailtui")), (0, Text(hostname, style="bold"))], 10_000)
    assert_inert(line.plain)
    assert line.plain == f"jailtui │ {vis(Text(hostname).plain)}"


@given(hostile_text, hostile_text, hostile_text)
def test_an_outcome_keeps_output_lines_and_nothing_else(name: str, message: str,
                                                        output: str) -> None:
    outcome = Outcome(f"stop jail {name}", False, message, output, output)
    shown = outcome.text().plain
    assert_inert(shown, keep="\n\t")
    lines = shown.split("\n")
    assert lines[0].endswith(f"stop jail {vis(name)}  failed")
    assert lines[1] == vis(message)


def test_the_event_log_shows_each_audit_line_on_one_line() -> None:
    lines = [f"2026-11-22T10:00:00Z action=jail-stop target=jail:{HOSTILE} result=ok",
             "second\nthird"]
    shown = audit_text(lines, None).plain
    assert_inert(shown, keep="\n")
    assert shown.count("\n") == 2


# -- the audit log ---------------------------------------------------------------------------------

@given(hostile_text)
def test_audit_values_are_one_inert_word(value: str) -> None:
    word = quote(value)
    assert_inert(word)
    assert len(shlex.split(word)) == 1
    if not re.search(r"[ \t\n]", value):
        assert shlex.split(word) == [vis(value)]


def test_audit_records_of_hostile_changes_are_single_inert_lines(tmp_path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    log.record("jail-stop", f"jail:{HOSTILE}", f"failed: {HOSTILE}\nsecond line", "demo",
               detail=HOSTILE)
    log.record("jail-start", "jail:www", "ok", "demo")
    data = (tmp_path / "audit.log").read_bytes()
    assert_inert(data.decode(), keep="\n")
    first, second = data.decode().splitlines()
    fields = dict(word.split("=", 1) for word in shlex.split(first)[1:])
    assert fields["target"] == f"jail:{vis(HOSTILE)}"
    assert fields["result"] == f"failed: {vis(HOSTILE)} second line"
    assert second.endswith("action=jail-start target=jail:www result=ok")


@pytest.mark.parametrize("text", MARKUP)
def test_an_outcome_shows_markup_as_it_is(text: str) -> None:
    outcome = Outcome(f"stop jail {text}", True, text)
    assert outcome.text().plain.split("\n")[1] == text


@given(hostile_text)
def test_a_line_shows_its_text_inert(value: str) -> None:
    from jailtui.tui.widgets.line import Line

    line = Line()
    line.set(Text.assemble(("title ", "bold"), value))
    assert line.render().plain == f"title {vis(Text(value).plain)}"
    assert_inert(line.render().plain)
