"""The view stays live and honest: samples reach the view under a dialog, closing a dialog
returns to the tab it was opened from, Esc clears an invalid filter, and keys typed before a
text field has the focus are not lost."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.screens.limit_editor import LimitEditor
from jailtui.tui.screens.run_command import CommandScreen
from jailtui.tui.widgets.header import HostHeader

from actions_helpers import make_change_app, open_detail, until_screen
from tui_helpers import run, sample, started, wait_until

DIALOGS = [("question_mark", HelpScreen), ("D", ConfirmScreen), ("L", LimitEditor),
           ("colon", CommandPalette)]


def header_status(screen: Any) -> Any:
    return screen.query_one(HostHeader).status


@pytest.mark.parametrize("key,kind", DIALOGS, ids=[k for k, _ in DIALOGS])
def test_the_jail_list_and_its_header_keep_updating_under_a_dialog(tmp_path, key, kind) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            await pilot.press(key)
            await until_screen(pilot, app, kind)
            await sample(pilot, app, 2)
            assert isinstance(app.screen, kind)
            assert app.dashboard.snapshot is app.snapshot
            status = header_status(app.dashboard)
            assert status.snapshot is app.snapshot and status.good_at == app.good_at
    run(go())


def test_a_jail_detail_keeps_updating_under_a_dialog(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            await pilot.press("question_mark")
            await until_screen(pilot, app, HelpScreen)
            await sample(pilot, app, 2)
            assert detail.snapshot is app.snapshot
            assert header_status(detail).good_at == app.good_at
    run(go())


@pytest.mark.parametrize("tab,name", [("1", "processes"), ("2", "limits"), ("3", "resources"),
                                      ("4", "params"), ("5", "history")])
def test_closing_a_dialog_returns_to_its_tab(tmp_path, tab, name) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab=tab)
            for key, kind in (("question_mark", HelpScreen), ("L", LimitEditor),
                              ("colon", CommandPalette), ("R", ConfirmScreen)):
                await pilot.press(key)
                await until_screen(pilot, app, kind)
                await pilot.press("escape")
                await until_screen(pilot, app, JailDetailScreen)
                await pilot.pause(0.1)
                assert detail.active_tab == name, key
                assert detail.query_one("#tabs").active == name, key
    run(go())


def test_escape_clears_an_invalid_filter_of_the_jail_list(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            legend = app.dashboard.query_one("#legend")
            await pilot.press("slash", "left_square_bracket", "enter")
            await pilot.pause()
            assert "invalid regex" in legend.render().plain
            await pilot.press("escape")
            await pilot.pause()
            assert "invalid regex" not in legend.render().plain
            assert app.dashboard.filter_bar.value == "" and app.dashboard.filter_error is None
            assert app.dashboard.table.shown_count == len(app.snapshot.jails)
    run(go())


KEYS = {"!": "exclamation_mark", ":": "colon", "/": "slash", " ": "space", "-": "minus",
        "|": "vertical_line"}


def burst(app: Any, text: str) -> None:
    """Every key of ``text`` queued at once, as a paste or a laggy ssh delivers them."""
    for char in text:
        app.post_message(events.Key(KEYS.get(char, char), char))


@pytest.mark.parametrize("keys,kind,typed", [
    ("!uname -a", CommandScreen, "uname -a"),
    ("!ps -p 1", CommandScreen, "ps -p 1"),
    (":www", CommandPalette, "www"),
    ("/db", DashboardScreen, "db"),
])
def test_a_burst_of_keys_lands_in_the_text_field_in_order(tmp_path, keys, kind, typed) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            interval = app.interval
            burst(app, keys)
            await until_screen(pilot, app, kind)
            field = app.screen.focused
            await wait_until(pilot, lambda: isinstance(app.screen.focused, Input))
            field = app.screen.focused
            await pilot.pause(0.2)
            assert field.value == typed
            assert app.interval == interval and not app.paused  # '-' and 'p' bound no action
    run(go())


def test_a_paste_before_the_field_has_the_focus_is_kept(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            burst(app, "!")
            app.post_message(events.Paste("df -h"))
            await until_screen(pilot, app, CommandScreen)
            await pilot.pause(0.2)
            assert app.screen.query_one(Input).value == "df -h"
    run(go())
