"""Start, stop and restart from the TUI on the demo host: confirmation naming the jail and its
JID, refusal when the jail changed meanwhile, progress, and the output of a failed start."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from jailtui.engine.errors import UnknownJail
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.result import ResultScreen

from actions_helpers import (answer, ask, audit, make_change_app, notes, open_detail, settled,
                             until_screen)
from tui_helpers import run, sample, started, wait_until


def jid(app, name: str) -> int | None:  # type: ignore[no-untyped-def]
    return app.host.inner.jail(name).jid


def test_stop_asks_with_name_and_jid_then_stops(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            before = jid(app, "www")
            app.dashboard.select_jail("www")
            dialog = await ask(pilot, app, "D")
            assert dialog.text.startswith(f"Stop jail www (JID {before})?")
            await answer(pilot, app, "y")
            assert jid(app, "www") is None
            assert "www is stopped" in notes(app)
            assert app.dashboard.table.get_cell("www", "state").plain == "STOPPED"
            assert "action=jail-stop target=jail:www result=ok" in audit(tmp_path)
    run(go())


def test_answering_no_changes_nothing(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            before = jid(app, "db")
            app.dashboard.select_jail("db")
            for no in ("n", "escape"):
                await ask(pilot, app, "R")
                await pilot.press(no)
                await until_screen(pilot, app, DashboardScreen)
            await pilot.pause(0.1)
            assert jid(app, "db") == before and app.changes.busy is None
            assert audit(tmp_path) == ""
    run(go())


def test_start_and_restart_from_the_detail_view(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "staging")
            dialog = await ask(pilot, app, "U")
            assert dialog.text.startswith("Start jail staging (stopped)?")
            await answer(pilot, app, "y")
            started_as = jid(app, "staging")
            assert started_as is not None
            assert f"JID {started_as}" in detail.query_one("#title").render().plain
            dialog = await ask(pilot, app, "R")
            assert dialog.text.startswith(f"Restart jail staging (JID {started_as})?")
            await answer(pilot, app, "y")
            assert app.screen is detail
            assert jid(app, "staging") not in (None, started_as)
            assert f"staging is running as JID {jid(app, 'staging')}" in notes(app)
    run(go())


def test_start_of_a_running_jail_is_not_offered(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            await pilot.press("U")
            await pilot.pause(0.1)
            assert isinstance(app.screen, DashboardScreen)
            assert "www (JID" in notes(app) and "already running" in notes(app)
    run(go())


def _restart(app) -> str:  # type: ignore[no-untyped-def]
    app.host.inner.restart("www")
    return "changed since it was selected: it was JID"


def _stop(app) -> str:  # type: ignore[no-untyped-def]
    app.host.inner.stop("www")
    return "now it is stopped"


def _vanish(app) -> str:  # type: ignore[no-untyped-def]
    def gone(name: str):  # type: ignore[no-untyped-def]
        raise UnknownJail(name)

    app.host.jail = gone
    return "is gone"


@pytest.mark.parametrize("change", [_restart, _stop, _vanish])
def test_refused_when_the_jail_changed_while_asking(tmp_path, change) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            await ask(pilot, app, "D")
            expected = change(app)
            await answer(pilot, app, "y")
            assert expected in notes(app)
            assert 'jail "www" changed since it was selected' in notes(app)
            assert "result=\"failed: jail" in audit(tmp_path)
            if change is _restart:
                assert jid(app, "www") is not None
    run(go())


def test_progress_then_the_failed_start_shows_the_jail_output(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        # The start runs until the test lets it finish: no race with a slow machine.
        gate = threading.Event()
        inner = app.host.inner
        execute = inner.execute

        def held(*args: Any) -> Any:
            assert gate.wait(60), "the test never let the start finish"
            return execute(*args)

        inner.execute = held
        async with app.run_test(size=(120, 35)) as pilot:
            try:
                await started(pilot, app)
                app.dashboard.select_jail("legacy")
                await ask(pilot, app, "U")
                await pilot.press("y")
                await wait_until(pilot, lambda: app.changes.busy is not None)
                await pilot.pause()
                assert app.changes.busy == "starting jail legacy (stopped)…"
                assert "starting jail legacy" in app.dashboard.query_one("#header").plain
                app.dashboard.select_jail("www")
                await pilot.press("D")
                await wait_until(pilot, lambda: "wait: starting jail legacy" in notes(app))
                assert isinstance(app.screen, DashboardScreen)
                assert app.changes.busy == "starting jail legacy (stopped)…"
            finally:
                gate.set()
            result = await until_screen(pilot, app, ResultScreen)
            await settled(pilot, app)
            assert "start legacy failed" in result.text
            assert "mount_nullfs: /usr/local/jails/legacy/usr/ports: No such file" in result.text
            assert "$ service jail onestart legacy" in result.text
            assert "start legacy failed: jail: legacy: /sbin/mount" in result.text
            assert "start legacy failed" not in notes(app), "the dialog says it, not a toast"
            assert jid(app, "legacy") is None
            await pilot.press("escape")
            await until_screen(pilot, app, DashboardScreen)
            await sample(pilot, app)
            assert app.dashboard.table.get_cell("legacy", "state").plain == "STOPPED"
    run(go())
