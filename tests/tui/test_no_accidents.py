"""No change happens by accident: the palette offers reading first, and every confirmation
opens on Cancel, so Enter alone (or ``: NAME Enter Enter``) never changes a host."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Button

from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.detail_tables import LimitsTable
from jailtui.tui.widgets.process_table import ProcessTable

from actions_helpers import answer, ask, audit, make_change_app, open_detail, palette_hits, \
    settled, until_screen
from tui_helpers import run, started

CHANGE_WORDS = ("Start ", "Stop ", "Restart ", "Shell ", "Run ", "Add limit", "Undo ")


def host_state(app: Any) -> tuple[Any, ...]:
    """What a change would alter: every jail's JID and every rule."""
    inner = app.host.inner
    return (tuple((j.name, j.jid) for j in inner.jails()), tuple(map(str, inner.rules())))


@pytest.mark.parametrize("query", ["www", "db", "staging", "cache"])
def test_typing_a_jail_name_offers_open_first_and_changes_last(tmp_path, query) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            shown = await palette_hits(pilot, app, query)
            name = query.split()[-1]
            assert shown[0] == f"Open jail {name}"
            changes = [i for i, text in enumerate(shown) if text.startswith(CHANGE_WORDS)]
            others = [i for i, text in enumerate(shown) if not text.startswith(CHANGE_WORDS)]
            assert changes, f"the palette offers changes to {name} too"
            assert max(others) < min(changes), shown
    run(go())


def test_unasked_the_palette_lists_changes_last(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            shown = await palette_hits(pilot, app, "")
            assert shown[-1] == "Undo last limit change", shown
            assert "Event log" in shown
    run(go())


# the key sequence of the issue, on several jails and verbs: never a change
SEQUENCES = ["www", "db", "cache", "staging", "restart www", "stop db", "restart cache",
             "start staging", "add limit to db", "run a command in www", "undo"]


@pytest.mark.parametrize("query", SEQUENCES)
@pytest.mark.parametrize("wait", [False, True], ids=["typed-fast", "after-results"])
def test_colon_name_enter_enter_never_changes_a_host(tmp_path, query, wait) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            if query == "undo":  # something to undo, made on purpose first
                app.changes.actions.add_rule("jail:db:maxproc:deny=500")
            before = host_state(app)
            audited = audit(tmp_path)
            await pilot.press("colon")
            await until_screen(pilot, app, CommandPalette)
            await pilot.press(*query)
            if wait:
                await pilot.pause(0.6)
            await pilot.press("enter", "enter")
            await pilot.pause(0.5)
            await settled(pilot, app)
            assert host_state(app) == before
            assert audit(tmp_path) == audited
            if wait and query in ("www", "db", "cache", "staging"):
                assert isinstance(app.screen, JailDetailScreen)
                assert app.screen.jail_name == query
    run(go())


def test_a_palette_undo_asks_first(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.changes.actions.add_rule("jail:db:maxproc:deny=500")
            await palette_hits(pilot, app, "undo last")
            await pilot.press("enter")
            dialog = await until_screen(pilot, app, ConfirmScreen)
            assert dialog.text == ("Undo rctl-add jail:db:maxproc:deny=500?\n"
                                   "removes jail:db:maxproc:deny=500")
            assert "jail:db:maxproc:deny=500" in map(str, app.host.inner.rules())
            await answer(pilot, app, "y")
            assert "jail:db:maxproc:deny=500" not in map(str, app.host.inner.rules())
    run(go())


async def focused_cancel(pilot: Any, app: Any, kind: type) -> Any:
    dialog = await until_screen(pilot, app, kind)
    await pilot.pause()
    assert isinstance(dialog.focused, Button)
    assert str(dialog.focused.label) == "Cancel"
    return dialog


@pytest.mark.parametrize("verb,key,jail", [("stop", "D", "www"), ("restart", "R", "db"),
                                          ("start", "U", "staging")])
def test_a_jail_change_opens_on_cancel_and_needs_y(tmp_path, verb, key, jail) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail(jail)
            before = app.host.inner.jail(jail).jid
            await pilot.press(key)
            await focused_cancel(pilot, app, ConfirmScreen)
            await pilot.press("enter")
            await until_screen(pilot, app, DashboardScreen)
            await pilot.pause(0.2)
            assert app.host.inner.jail(jail).jid == before and audit(tmp_path) == ""
            await pilot.press(key)
            await focused_cancel(pilot, app, ConfirmScreen)
            await answer(pilot, app, "y")
            assert app.host.inner.jail(jail).jid != before
            assert f"action=jail-{verb} target=jail:{jail} result=ok" in audit(tmp_path)
    run(go())


def test_removing_a_rule_opens_on_cancel(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab="2")
            assert detail.query_one(LimitsTable).select_key("jail:www:maxproc:log=200")
            await pilot.press("delete")
            await focused_cancel(pilot, app, ConfirmScreen)
            await pilot.press("enter")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.pause(0.2)
            assert "jail:www:maxproc:log=200" in map(str, app.host.inner.rules())
            await pilot.press("delete")
            await focused_cancel(pilot, app, ConfirmScreen)
            await answer(pilot, app, "y")
            assert "jail:www:maxproc:log=200" not in map(str, app.host.inner.rules())
    run(go())


def test_a_signal_opens_on_cancel_and_is_sent_with_y(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            jid = app.snapshot.jail("www").jail.jid
            victim = next(p for p in app.snapshot.processes
                          if p.jid == jid and p.ppid != 1 and p.pid != 1)
            assert detail.query_one(ProcessTable).select_key(str(victim.pid))
            await pilot.press("K")
            await focused_cancel(pilot, app, SignalScreen)
            await pilot.press("k", "enter")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.pause(0.2)
            assert victim.pid in {p.pid for p in app.host.inner.processes("www")}
            assert audit(tmp_path) == ""
            await ask(pilot, app, "K", SignalScreen)
            await pilot.press("k")
            await answer(pilot, app, "y")
            assert victim.pid not in {p.pid for p in app.host.inner.processes("www")}
            assert "detail=signal=KILL" in audit(tmp_path)
    run(go())
