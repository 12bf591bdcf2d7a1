"""The footer lets its old keys go: Textual's Footer keeps every key it ever composed alive
through the ``compact`` watchers (Textual issue 6666) unless they are pruned."""

from __future__ import annotations

import gc

from textual.widget import Widget

from jailtui.tui.screens.help import HelpScreen

from tui_helpers import make_app, run, wait_until


def footer_keys() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects()
               if isinstance(obj, Widget) and type(obj).__name__ == "FooterKey")


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
            assert footer_keys() <= before + 5
    run(go())
