"""Jail managers in the TUI (demo host): the MANAGER column and detail header, start/stop
through the manager named in the confirmation, refusals, and the second confirmation (No by
default) before a jail made by hand is removed."""

from __future__ import annotations

from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.limit_editor import LimitEditor

from actions_helpers import (answer, ask, audit, make_change_app, notes, open_detail, settled,
                             until_screen)
from tui_helpers import run, started


def jid(app, name: str) -> int | None:  # type: ignore[no-untyped-def]
    return app.host.inner.jail(name).jid


def test_the_jail_list_and_the_detail_say_who_runs_each_jail(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            table = app.dashboard.table
            cells = {name: table.get_cell(name, "manager").plain
                     for name in ("www", "build.ports", "cache", "ioc-monitor", "sandbox",
                                  "staging")}
            assert cells == {"www": "jail.conf", "build.ports": "jail.conf",
                             "cache": "bastille", "ioc-monitor": "iocage", "sandbox": "none",
                             "staging": "jail.conf"}
            detail = await open_detail(pilot, app, "cache")
            title = detail.query_one("#title").render().plain
            assert "bastille /usr/local/bastille/jails/cache/jail.conf" in title
    run(go())


def test_a_managed_jail_is_stopped_through_its_manager(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("cache")
            dialog = await ask(pilot, app, "D")
            assert "via bastille stop cache" in dialog.text
            await answer(pilot, app, "y")
            assert jid(app, "cache") is None
            app.dashboard.select_jail("build.ports")
            dialog = await ask(pilot, app, "R")
            assert "via jail -f /etc/jail.conf -rc build.ports" in dialog.text
    run(go())


def test_a_jail_made_by_hand_needs_a_second_yes_and_enter_cancels_it(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            before = jid(app, "sandbox")
            app.dashboard.select_jail("sandbox")
            first = await ask(pilot, app, "D")
            assert "made by hand" in first.text and "exec.prestop" in first.text
            await pilot.press("y")
            second = await until_screen(pilot, app, ConfirmScreen)
            assert second is not first
            assert second.text.startswith(f"Really remove jail sandbox (JID {before}) with "
                                          "jail -r?")
            assert "This skips exec.prestop, exec.stop and exec.poststop" in second.text
            await pilot.press("enter")
            await until_screen(pilot, app, DashboardScreen)
            await pilot.pause(0.1)
            assert jid(app, "sandbox") == before and audit(tmp_path) == ""
            await ask(pilot, app, "D")
            await pilot.press("y")
            await until_screen(pilot, app, ConfirmScreen)
            await answer(pilot, app, "y")
            assert jid(app, "sandbox") is None
            assert "action=jail-stop target=jail:sandbox result=ok detail=force" in \
                audit(tmp_path)
    run(go())


def test_a_restart_jailtui_refuses_is_explained_without_a_dialog(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            before = jid(app, "sandbox")
            app.dashboard.select_jail("sandbox")
            await pilot.press("R")
            await pilot.pause(0.2)
            assert isinstance(app.screen, DashboardScreen)
            assert "restart jail sandbox: refused: no jail.conf or jail manager knows jail " \
                   '"sandbox" (made by hand): it cannot be started again after a stop' in notes(app)
            assert jid(app, "sandbox") == before
    run(go())


def test_the_limit_editor_says_what_the_manager_does_on_restart(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_detail(pilot, app, "ioc-monitor", "2")
            editor = await ask(pilot, app, "L", LimitEditor)
            note = editor.query_one("#manager-note").render().plain
            assert note.startswith("iocage runs ioc-monitor: iocage stop removes every rule")
            await pilot.press("escape")
            await until_screen(pilot, app, JailDetailScreen)
            app.open_jail("www")
            await until_screen(pilot, app, JailDetailScreen)
            editor = await ask(pilot, app, "L", LimitEditor)
            assert not editor.query("#manager-note")
            await settled(pilot, app)
    run(go())
