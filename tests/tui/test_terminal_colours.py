"""The dashboard in every terminal an admin has: truecolor, 256 colours, 16 colours (TERM=screen,
tmux's default) and NO_COLOR. The screen is rendered as the app's driver would write it for
that colour system and read back cell by cell (tests/tui/terminal_screen.py): alerts must carry
a mark and differ by more than colour, warning and critical must differ in 16 colours, and no
text may be drawn in its background's colour."""

from __future__ import annotations

import pytest

from actions_helpers import make_change_app, until_screen
from terminal_screen import Cell, Screen, app_screen, unreadable
from tui_helpers import make_app, run, sample, started

from jailtui.engine.model import Rule
from jailtui.engine.sampler import LimitUse
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.screens.limit_editor import LimitEditor

SYSTEMS = [("truecolor", False), ("256", False), ("standard", False), ("truecolor", True),
           ("standard", True)]
#: WCAG's floor for large text; the dim legend of the default theme is at 3.7.
MIN_CONTRAST = 3.0
CURSOR_CONTRAST = {"truecolor": 2.0, "256": 1.0, "standard": 1.0}


def _limit(app, name: str) -> LimitUse:  # type: ignore[no-untyped-def]
    return next(lim for lim in app.snapshot.jail(name).limits if lim.rule.resource == "memoryuse")


def _limits_cell(screen: Screen, name: str, label: str) -> Cell:
    """The first cell of jail ``name``'s LIMITS column, which must read ``label``."""
    y = screen.row_with(f" {name} ")
    x = screen.text(y).find(label)
    assert x > 0, f"{name}'s limit is not shown as {label!r}: {screen.text(y)!r}"
    return screen.rows[y][x]


async def _dashboard(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """mail at its memoryuse deny limit, dns near it, www far from it."""
    await started(pilot, app)
    host = app.host.inner
    for name, share in (("mail", 1.04), ("dns", 1.25)):
        rss = app.snapshot.jail(name).rss
        host.add_rule(Rule("jail", name, "memoryuse", "deny", int(rss * share)))
    await sample(pilot, app, 2)


@pytest.mark.parametrize("system, no_color", SYSTEMS)
def test_near_and_at_limit_rows_differ_without_colour_and_all_text_reads(
        system: str, no_color: bool, monkeypatch) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(140, 30)) as pilot:
            await _dashboard(pilot, app)
            at, near, calm = _limit(app, "mail"), _limit(app, "dns"), _limit(app, "www")
            assert at.fraction >= 0.9 and 0.75 <= near.fraction < 0.9 and calm.fraction < 0.75
            screen = app_screen(app, system)
            cursor = screen.row_with(f" {app.dashboard.selected_jail()} ")
            problems = [p for p in unreadable(screen, MIN_CONTRAST) if not p.startswith(
                f"row {cursor} ")]
            assert problems == [], "\n".join(problems[:20])
            # a dim figure on the highlighted row fades towards the cursor's colour
            problems = unreadable(screen, CURSOR_CONTRAST[system], (0, cursor, 200, 1))
            assert problems == [], "\n".join(problems[:20])
            at_cell = _limits_cell(screen, "mail", "!!memoryuse ")
            near_cell = _limits_cell(screen, "dns", "!memoryuse ")
            calm_cell = _limits_cell(screen, "www", "memoryuse ")
            attributes = {(cell.bold, cell.reverse) for cell in (at_cell, near_cell, calm_cell)}
            assert len(attributes) == 3, "near, at and calm differ by colour alone"
            if not no_color:
                assert at_cell.fg != near_cell.fg, "warning and critical have one colour"
            if system == "standard":
                assert screen.kinds <= {"16"}

    run(go())


def test_the_header_keeps_its_values_readable_in_16_colours() -> None:
    """The whole host line once came out dim (its separator's style leaked into the line):
    in 16 colours its green figures became grey on grey."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await started(pilot, app)
            screen = app_screen(app, "standard")
            line = screen.text(0)
            for figure in ("CPU ", "mem ", "jailhost"):
                x = line.index(figure) + len(figure) if figure.endswith(" ") else \
                    line.index(figure)
                value = screen.rows[0][x]
                assert value.char.isalnum() and not value.dim, f"{figure} is dim"
                assert value.shown_fg != value.shown_bg, f"{figure} is invisible"

    run(go())


def test_a_yellow_note_stays_yellow_in_16_colours() -> None:
    """Textual's default palette for ANSI names turns yellow into an orange that a 16-colour
    terminal shows as bright red, the colour of critical; jailtui's keeps it yellow."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(140, 30)) as pilot:
            await started(pilot, app)
            screen = app_screen(app, "standard")
            y = screen.row_with(" sandbox ")
            none = screen.rows[y][screen.text(y).index(" none ") + 1]
            assert none.char == "n" and none.shown_fg in (("16", 3), ("16", 11))

    run(go())


@pytest.mark.parametrize("system, no_color", SYSTEMS)
def test_every_view_draws_its_text_apart_from_its_background(
        system: str, no_color: bool, monkeypatch, tmp_path) -> None:
    """The detail's five tabs, the help and the limit editor (a modal is checked inside its
    box: the screen behind it is dimmed on purpose)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_change_app(tmp_path)
    # a dim figure on the highlighted row fades towards the cursor's colour
    floor = 2.0 if system == "truecolor" else 1.0

    def check(what: str, region: tuple[int, int, int, int] | None = None) -> None:
        problems = unreadable(app_screen(app, system), floor, region)
        assert problems == [], f"{what}:\n" + "\n".join(problems[:20])

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.open_jail("www")
            await until_screen(pilot, app, JailDetailScreen)
            for tab in "12345":
                await pilot.press(tab)
                await pilot.pause(0.2)
                check(f"tab {tab}")
            await pilot.press("L")
            form = await until_screen(pilot, app, LimitEditor)
            form.query_one("#amount").value = "1t"
            await pilot.pause(0.2)
            box = form.query_one("#dialog").region
            check("limit editor", (box.x, box.y, box.width, box.height))
            await pilot.press("escape", "question_mark")
            await until_screen(pilot, app, HelpScreen)
            body = app.screen.query_one("#help-body").region
            check("help", (body.x, body.y, body.width, body.height))

    run(go())
