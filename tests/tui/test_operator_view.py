"""What an operator sees at a glance, in any terminal size: hot jails against what they may use,
the footer's help and quit keys, the demo marker, every table sortable."""

from __future__ import annotations

from jailtui.tui.screens.detail import JailDetailScreen

from tui_helpers import make_app, run, started, wait_until


def title(app) -> str:  # type: ignore[no-untyped-def]
    found = app.screen.query("#title")
    return found.first().text.plain if found else ""


def test_the_detail_says_what_the_jails_cpu_is_measured_against() -> None:
    """build runs on a 2-CPU cpuset, www on the whole 8-CPU host, db under a pcpu deny rule."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(160, 35)) as pilot:
            await started(pilot, app)
            for name, bound in (("build", "of 200% (cpuset)"), ("www", "of 800% (host)"),
                                ("db", "of 200% (pcpu)")):
                app.open_jail(name)
                await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen)
                                 and app.screen.jail_name == name)
                await wait_until(pilot, lambda: bound in title(app))

    run(go())
