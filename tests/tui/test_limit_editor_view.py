"""The limit editor as the eye meets it: where focus starts and goes, that focus and the
checkbox read without colour, and that a dropdown stays inside the dialog."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from actions_helpers import make_change_app, until_screen
from terminal_screen import app_screen
from tui_helpers import run, screen_lines, started, wait_until

from jailtui.tui.screens.limit_editor import LimitEditor

FOCUSABLE = ("resource", "action", "amount", "per", "persist", "apply", "cancel")


async def open_editor(pilot, app) -> LimitEditor:  # type: ignore[no-untyped-def]
    await started(pilot, app)
    await pilot.press("L")
    return await until_screen(pilot, app, LimitEditor)


def test_add_opens_on_the_amount_and_a_chosen_resource_returns_there(tmp_path) -> None:
    app = make_change_app(tmp_path)

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            form = await open_editor(pilot, app)
            assert app.focused is form.query_one("#amount")
            await pilot.press("shift+tab", "shift+tab")
            assert app.focused is form.query_one("#resource")
            await pilot.press("enter", "down", "enter")
            await wait_until(pilot, lambda: form.query_one("#resource", Select).value
                             != "memoryuse")
            await wait_until(pilot, lambda: app.focused is form.query_one("#amount"))

    run(go())


def test_the_checkbox_says_its_state_in_text(tmp_path) -> None:
    app = make_change_app(tmp_path)

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            form = await open_editor(pilot, app)
            assert any("[ ] also write to" in line for line in screen_lines(app))
            form.query_one("#persist").focus()
            await pilot.press("space")
            await pilot.pause()
            assert form.persist
            assert any("[x] also write to" in line for line in screen_lines(app))

    run(go())


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
def test_every_dropdown_stays_inside_the_dialog(tmp_path, size) -> None:
    app = make_change_app(tmp_path)

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            form = await open_editor(pilot, app)
            box = form.query_one("#dialog").region.shrink((1, 1, 1, 1))
            for name in ("resource", "action", "per"):
                select = form.query_one(f"#{name}", Select)
                select.focus()
                await pilot.press("enter")
                await wait_until(pilot, lambda: select.expanded)
                await pilot.pause()
                overlay = select.query_one("SelectOverlay").region
                assert box.contains_region(overlay), f"{name}: {overlay} leaves {box}"
                await pilot.press("escape")
                await wait_until(pilot, lambda: not select.expanded)

    run(go())


def test_focus_shows_without_colour(tmp_path, monkeypatch) -> None:
    """With NO_COLOR, moving focus to each field or button changes how its row is drawn
    beyond colour (bold, reverse or the characters themselves)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_change_app(tmp_path)

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            form = await open_editor(pilot, app)
            form.query_one("#amount").value = "1g"  # Apply takes focus once the rule is valid
            box = form.query_one("#dialog").region

            def row_of(name: str) -> list[tuple[str, bool, bool]]:
                region = form.query_one(f"#{name}").region
                screen = app_screen(app, "truecolor")
                return [(cell.char, cell.bold, cell.reverse) for cell in
                        screen.rows[region.y][box.x:box.right]]

            for name in FOCUSABLE:
                elsewhere = "cancel" if name != "cancel" else "amount"
                form.query_one(f"#{elsewhere}").focus()
                await pilot.pause()
                unfocused = row_of(name)
                form.query_one(f"#{name}").focus()
                await pilot.pause()
                assert row_of(name) != unfocused, f"focus on {name} shows only as colour"

    run(go())
