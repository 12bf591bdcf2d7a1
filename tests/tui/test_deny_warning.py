"""A deny limit below the jail's current use warns with its figures before it is applied, and
the limit editor's "now" figures follow each sample while it is open."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.widgets import Button, Input, Select

from jailtui.engine.model import Usage
from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.limit_editor import LimitEditor

from actions_helpers import answer, audit, make_change_app, open_detail, until_screen
from tui_helpers import run, screen_lines

GIB, MIB = 1 << 30, 1 << 20


def feed(app: Any, name: str, **usage: int) -> None:
    """Apply the latest snapshot again, with jail ``name`` using ``usage``."""
    snap = app.snapshot
    jails = tuple(replace(s, usage=replace(s.usage or Usage(), **usage))
                  if s.jail.name == name else s for s in snap.jails)
    app.apply_snapshot(replace(snap, jails=jails))


def live(app: Any) -> list[str]:
    return [str(rule) for rule in app.host.inner.rules()]


async def editor_for(pilot: Any, app: Any, name: str) -> LimitEditor:
    await open_detail(pilot, app, name, tab="2")
    await pilot.press("L")
    return await until_screen(pilot, app, LimitEditor)


async def filled(pilot: Any, app: Any, resource: str, amount: str, **usage: int) -> LimitEditor:
    """db's limit editor with ``resource`` and ``amount`` typed in, db using ``usage``."""
    form = await editor_for(pilot, app, "db")
    feed(app, "db", **usage)
    form.query_one("#resource", Select).value = resource
    await pilot.pause()
    form.query_one("#amount", Input).value = amount
    await pilot.pause()
    return form


def test_a_deny_below_use_warns_in_the_editor_and_asks_on_cancel(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled(pilot, app, "vmemoryuse", "512m", vmemoryuse=int(4.2 * GIB))
            warning = ("db uses 4.2G, this denies above 512M (8x below current use): new "
                       "allocations will fail")
            assert warning in form.query_one("#preview").render().plain.replace("\n", " ")
            await pilot.click("#apply")
            ask = await until_screen(pilot, app, ConfirmScreen)
            assert ask.text == f"Set jail:db:vmemoryuse:deny=536870912 below current use?\n{warning}"
            assert str(ask.focused.label) == "Cancel" and isinstance(ask.focused, Button)
            await pilot.press("enter")
            await until_screen(pilot, app, JailDetailScreen)
            await pilot.pause(0.2)
            assert "jail:db:vmemoryuse:deny=536870912" not in live(app)
            assert audit(tmp_path) == ""
    run(go())


def test_a_confirmed_deny_below_use_is_applied(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled(pilot, app, "maxproc", "10", maxproc=13)
            form.query_one("#amount", Input).focus()
            await pilot.press("enter")
            ask = await until_screen(pilot, app, ConfirmScreen)
            assert "db uses 13, this denies above 10 (1.3x below current use): new " \
                   "processes (fork) will fail" in ask.text
            await answer(pilot, app, "y")
            assert "jail:db:maxproc:deny=10" in live(app)
    run(go())


def test_a_deny_above_use_is_applied_without_a_question(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled(pilot, app, "maxproc", "13", maxproc=13)
            assert "below current use" not in form.query_one("#preview").render().plain
            await pilot.click("#apply")
            await until_screen(pilot, app, JailDetailScreen)
            await answer(pilot, app)
            assert "jail:db:maxproc:deny=13" in live(app)
    run(go())


def test_the_editor_now_figures_follow_each_sample(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await editor_for(pilot, app, "db")
            form.query_one("#amount", Input).value = "1g"
            await pilot.pause()
            feed(app, "db", memoryuse=int(4.2 * GIB))
            await pilot.pause()
            assert "now 4.2G" in "\n".join(screen_lines(app))
            assert "db uses 4.2G, this denies above 1G" in \
                form.query_one("#preview").render().plain.replace("\n", " ")
            feed(app, "db", memoryuse=300 * MIB)
            await pilot.pause()
            shown = "\n".join(screen_lines(app))
            assert "now 300M" in shown and "now 4.2G" not in shown
            assert "below current use" not in form.query_one("#preview").render().plain
            assert form.query_one("#amount", Input).value == "1g"
            assert form.query_one("#resource", Select).value == "memoryuse"
    run(go())
