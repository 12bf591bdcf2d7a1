"""The footer lets its old keys go: Textual's Footer keeps every key it ever composed alive
through the ``compact`` watchers (Textual issue 6666) unless they are pruned."""

from __future__ import annotations

import gc
import time
from typing import Any

from textual import widgets
from textual.widget import Widget

from jailtui.tui.screens.help import HelpScreen

from tui_helpers import make_app, run, wait_until


def footer_keys() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects()
               if isinstance(obj, Widget) and type(obj).__name__ == "FooterKey")


async def settled_keys(pilot: Any, bound: int) -> int:
    """The footer keys alive once the screens just closed are taken down (Textual removes a
    popped screen's widgets after the pop returns; under load that takes a while): a leak
    keeps them past any wait."""
    end = time.monotonic() + 10
    while (count := footer_keys()) > bound and time.monotonic() < end:
        await pilot.pause(0.1)
    return count


def test_the_footer_keys_do_not_pile_up_as_screens_come_and_go() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            for _ in range(3):
                app.open_jail(app.snapshot.jails[0].name)
                await pilot.pause(0.2)
                app.close_jail(app.snapshot.jails[0].name)
                await pilot.pause(0.2)
            before = footer_keys()
            for _ in range(15):
                await pilot.press("question_mark")
                await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
                app.open_jail(app.snapshot.jails[0].name)
                await pilot.pause(0.2)
                app.close_jail(app.snapshot.jails[0].name)
                await pilot.pause(0.2)
            assert await settled_keys(pilot, before + 5) <= before + 5
    run(go())


def test_the_footer_keys_do_not_pile_up_as_the_filter_opens_and_closes() -> None:
    """``/`` and Esc change the keys of the same footer each time: it recomposes, and the keys
    it had before must go."""
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            for _ in range(2):
                await pilot.press("slash")
                await pilot.press("escape")
            await pilot.pause()
            before = footer_keys()
            for _ in range(10):
                await pilot.press("slash")
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
            assert await settled_keys(pilot, before + 5) <= before + 5
    run(go())


def test_the_footer_is_composed_again_only_when_its_keys_change(monkeypatch) -> None:
    """Textual asks the footer to recompose each time the bindings may have changed (twice for
    a key that moves the focus): the same keys are not mounted again."""
    composed: list[int] = []
    recompose = widgets.Footer.recompose

    async def counting(self) -> None:  # type: ignore[no-untyped-def]
        composed.append(1)
        await recompose(self)

    monkeypatch.setattr(widgets.Footer, "recompose", counting)

    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            footer = app.dashboard.query_one(widgets.Footer)
            keys = list(footer.query("FooterKey"))
            assert keys
            composed.clear()
            app.dashboard.refresh_bindings()
            await pilot.pause()
            assert composed == [] and list(footer.query("FooterKey")) == keys
            await pilot.press("slash")
            await pilot.pause()
            assert len(composed) == 1
            shown = {key.key for key in footer.query("FooterKey")}
            assert {"escape", "enter"} <= shown and "s" not in shown
            await pilot.press("escape")
            await pilot.pause()
            assert len(composed) == 2
            assert "s" in {key.key for key in footer.query("FooterKey")}
    run(go())
