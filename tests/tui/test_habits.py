"""The habits of htop, top and k9s: P/M/N/J sort, the busiest jail on top by default, F-keys,
^C and ^Q quit from anywhere, q goes back from a detail or a dialog and quits only from the
jail list."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.screens.limit_editor import LimitEditor
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.filter_bar import FilterBar
from jailtui.tui.widgets.process_table import ProcessTable

from actions_helpers import make_change_app, open_detail, until_screen
from tui_helpers import run, started, wait_until


def order(app: Any) -> list[str]:
    return list(app.dashboard.table.keys)


def running(app: Any) -> list[Any]:
    return [s for s in app.snapshot.jails if s.jail.running]


def test_the_busiest_jail_is_on_top_by_default(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 3)
            cpu = {s.jail.name: s.cpu for s in running(app)}
            shown = [name for name in order(app) if name in cpu]
            assert shown[0] == max(cpu, key=cpu.get)
            assert [cpu[name] for name in shown] == sorted(cpu.values(), reverse=True)
            assert "CPU% ▼" in app.dashboard.query_one("#legend").render().plain
    run(go())


def test_p_m_n_j_sort_like_top_and_again_reverses(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 3)
            cpu = {s.jail.name: s.cpu for s in running(app)}
            rss = {s.jail.name: s.rss for s in running(app)}
            jids = {s.jail.name: s.jail.jid for s in running(app)}
            names = sorted(s.jail.name for s in app.snapshot.jails)
            await pilot.press("M")
            await pilot.pause()
            assert order(app)[0] == max(rss, key=rss.get)
            await pilot.press("J")
            await pilot.pause()
            assert [n for n in order(app) if n in jids] == sorted(jids, key=jids.get)
            await pilot.press("N")
            await pilot.pause()
            assert order(app) == names
            await pilot.press("N")
            await pilot.pause()
            tops = [name for name in names if "." not in name]  # children stay under parents
            assert [name for name in order(app) if "." not in name] == tops[::-1]
            await pilot.press("P")
            await pilot.pause()
            assert order(app)[0] == max(cpu, key=cpu.get)
            await pilot.press("P")
            await pilot.pause()
            assert [n for n in order(app) if n in cpu][0] == min(cpu, key=cpu.get)
    run(go())


def test_f_keys_as_htop_has_them(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            await pilot.press("f1")
            await until_screen(pilot, app, HelpScreen)
            await pilot.press("f1")
            await until_screen(pilot, app, DashboardScreen)
            for key in ("f3", "f4"):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen.focused, FilterBar)
                await pilot.press("escape")
                await pilot.pause()
            table = app.dashboard.table
            before = table.sort_column
            await pilot.press("f6")
            await pilot.pause()
            assert table.sort_column != before
            detail = await open_detail(pilot, app, "www")
            procs = detail.query_one(ProcessTable)
            await pilot.press("f5")
            await pilot.pause()
            assert procs.tree_view
            before = procs.sort_column
            await pilot.press("f6")
            await pilot.pause()
            assert procs.sort_column != before
            await pilot.press("f9")
            await until_screen(pilot, app, SignalScreen)
            await pilot.press("escape")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.press("f10")
            await wait_until(pilot, lambda: app.return_code is not None)
    run(go())


async def at(pilot: Any, app: Any, where: str) -> None:
    """Go to ``where``: the jail list, a detail, a dialog, a text field, the limit editor."""
    await started(pilot, app)
    app.dashboard.select_jail("www")
    if where == "detail":
        await open_detail(pilot, app, "www")
    elif where == "dialog":
        await pilot.press("D")
        await until_screen(pilot, app, ConfirmScreen)
    elif where == "field":
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.screen.focused, Input))
    elif where == "editor":
        await pilot.press("L")
        await until_screen(pilot, app, LimitEditor)


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q"])
@pytest.mark.parametrize("where", ["list", "detail", "dialog", "field", "editor"])
def test_ctrl_c_and_ctrl_q_quit_from_anywhere(tmp_path, key, where) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await at(pilot, app, where)
            await pilot.press(key)
            await wait_until(pilot, lambda: app.return_code is not None)
        assert app.host.inner.jail("www").running
    run(go())


def test_q_quits_from_the_jail_list(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await at(pilot, app, "list")
            await pilot.press("q")
            await wait_until(pilot, lambda: app.return_code is not None)
    run(go())


@pytest.mark.parametrize("where,back_to", [("detail", DashboardScreen),
                                           ("dialog", DashboardScreen)])
def test_q_elsewhere_goes_back_and_never_quits(tmp_path, where, back_to) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await at(pilot, app, where)
            await pilot.press("q")
            await until_screen(pilot, app, back_to)
            await pilot.pause(0.2)
            assert app.return_code is None
            assert app.host.inner.jail("www").running
    run(go())


def test_q_in_the_limit_editor_is_typed_and_esc_goes_back(tmp_path) -> None:
    """The editor opens on the amount field: there q is a character, and Esc leaves."""
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await at(pilot, app, "editor")
            await pilot.press("q")
            await pilot.pause(0.2)
            assert isinstance(app.screen, LimitEditor) and app.return_code is None
            assert app.screen.query_one("#amount", Input).value == "q"
            await pilot.press("escape")
            await until_screen(pilot, app, DashboardScreen)
            assert app.return_code is None
    run(go())


def test_q_in_a_dialog_over_a_detail_returns_to_the_detail(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await at(pilot, app, "detail")
            await pilot.press("R")
            await until_screen(pilot, app, ConfirmScreen)
            await pilot.press("q")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.press("question_mark")
            await until_screen(pilot, app, HelpScreen)
            await pilot.press("q")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.press("q")
            await until_screen(pilot, app, DashboardScreen)
            await pilot.pause(0.2)
            assert app.return_code is None
    run(go())
