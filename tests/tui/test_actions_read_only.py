"""Read-only mode shows every change key disabled and changes nothing; view-only hides them;
the event log lists the session's changes with their results, newest last."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.event_log import EventLogScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.screens.jail_screen import CHANGE_ACTIONS
from jailtui.tui.screens.limit_editor import LimitEditor

from actions_helpers import answer, ask, audit, make_change_app, notes, open_detail, until_screen
from tui_helpers import make_app, run, started, wait_until

LIST_KEYS = ("U", "D", "R", "c", "exclamation_mark", "L", "z")


def change_keys(screen) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {key: active.enabled for key, active in screen.active_bindings.items()
            if active.binding.action in CHANGE_ACTIONS}


def footer_keys(screen) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Footer entries by key: True when shown enabled, False when dimmed."""
    from textual.widgets._footer import FooterKey

    return {key.key: not key.has_class("-disabled") for key in screen.query(FooterKey)}


def test_read_only_disables_every_change_visibly_and_changes_nothing(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path, read_only=True)
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            states = {s.jail.name: s.jail.jid for s in app.snapshot.jails}
            keys = change_keys(app.screen)
            assert set(LIST_KEYS) <= set(keys) and not any(keys.values())
            shown = footer_keys(app.screen)
            assert not any(shown[key] for key in ("U", "D", "R", "c"))
            assert shown["question_mark"]
            assert "read-only" in app.screen.query_one("#header").plain
            for key in ("U", "D", "R", "c", "exclamation_mark", "L", "z"):
                app.dashboard.select_jail("www" if key != "U" else "staging")
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, DashboardScreen), key
            assert notes(app).count("read-only: changes are disabled") == len(LIST_KEYS)
            help_screen = await ask(pilot, app, "question_mark", HelpScreen)
            text = help_screen.text()
            assert "start the jail (asks first) (read-only)" in text
            assert "add an rctl limit to the jail (read-only)" in text
            await pilot.press("escape")
            detail = await open_detail(pilot, app, "www", tab="2")
            keys = change_keys(detail)
            assert {"e", "delete", "U", "D", "L"} <= set(keys) and not any(keys.values())
            await pilot.press("1")
            await pilot.pause()
            assert change_keys(detail)["K"] is False
            for key in ("K", "L", "D"):
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is detail
            app.changes.jail_action("stop", "www")
            app.changes.edit_limit("www")
            await pilot.pause()
            assert app.screen is detail
            assert {s.jail.name: s.jail.jid for s in app.snapshot.jails} == states
            assert audit(tmp_path) == "" and not (tmp_path / "rctl.conf").exists()
            log = await ask(pilot, app, "E", EventLogScreen)
            assert "no changes in this session yet" in log.text
    run(go())


def test_view_only_hides_the_change_keys() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            assert change_keys(app.screen) == {}
            assert "E" not in app.screen.active_bindings
            await pilot.press("D", "L")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
    run(go())


@pytest.mark.parametrize("read_only", [False, True])
def test_the_palette_offers_the_changes(tmp_path, read_only) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path, read_only=read_only)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            await ask(pilot, app, "ctrl+p", CommandPalette)
            await pilot.press(*"add limit to db")
            await pilot.pause(0.3)
            await pilot.press("enter")
            if read_only:
                await until_screen(pilot, app, DashboardScreen)
                await wait_until(pilot, lambda: "read-only" in notes(app))
            else:
                assert (await until_screen(pilot, app, LimitEditor)).jail == "db"
    run(go())


def test_event_log_lists_changes_and_results_newest_last(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.changes.jail_action("start", "legacy")
            await pilot.pause()
            await answer(pilot, app, "y")
            await pilot.press("escape")
            app.dashboard.select_jail("www")
            await answer(pilot, app, "D", "y")
            log = await ask(pilot, app, "E", EventLogScreen)
            text = log.text
            failed = text.index("start jail legacy (stopped)  failed")
            stopped = text.index("stop jail www (JID")
            assert failed < stopped
            assert "jail: legacy: /sbin/mount -t nullfs" in text
            assert "www is stopped" in text
            assert f"audit log {tmp_path / 'audit.log'}, last 2 lines" in text
            assert "action=jail-start target=jail:legacy result=\"failed:" in text
            await pilot.press("E")
            await until_screen(pilot, app, DashboardScreen)
            detail = await open_detail(pilot, app, "db")
            await ask(pilot, app, "E", EventLogScreen)
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is detail)
            assert isinstance(detail, JailDetailScreen)
    run(go())
