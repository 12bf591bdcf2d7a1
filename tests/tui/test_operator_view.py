"""What an operator sees at a glance, in any terminal size: hot jails against what they may use,
the footer's help and quit keys, the demo marker, every table sortable."""

from __future__ import annotations

import re

from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.widgets.detail_tables import ResourcesTable

from actions_helpers import make_change_app
from tui_helpers import make_app, run, screen_lines, started, wait_until


def order(table) -> list[str]:  # type: ignore[no-untyped-def]
    return list(table.keys)


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


def footer(app) -> str:  # type: ignore[no-untyped-def]
    lines = screen_lines(app)
    return lines[-1] if lines else ""


def test_at_80_columns_the_footers_keep_help_quit_and_back(tmp_path) -> None:
    """With every change key shown, the footer is wider than 80 columns."""
    app = make_change_app(tmp_path)

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, app)
            await wait_until(pilot, lambda: "Open" in footer(app))
            assert " ? Help " in footer(app) and " q Quit " in footer(app)
            assert "^q" not in footer(app), "one quit key is enough where q quits"
            app.open_jail("www")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen)
                             and "Back" in footer(app))
            line = footer(app)
            assert " ? Help " in line and " ^q Quit " in line and " esc Back " in line, \
                "q goes back in a detail view, so the footer names the key that quits"

    run(go())


def test_the_demo_marker_stays_in_the_header_at_any_width() -> None:
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(120, 24)) as pilot:
            await started(pilot, app)
            for width in (200, 80, 40, 24):
                await pilot.resize_terminal(width, 24)
                await pilot.pause(0.1)
                first = screen_lines(app)[0]
                assert "demo" in first, f"no demo marker at {width} columns: {first!r}"

    run(go())


def test_an_operator_at_120_by_35_sees_who_manages_each_jail() -> None:
    """Stopping a jail behind its manager's back skips its teardown, and a jail made by hand
    (none) is stopped only with a second confirmation: the column is worth its width."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            header = next(line for line in screen_lines(app) if "JID" in line)
            assert "MANAGER" in header
            sandbox = next(line for line in screen_lines(app) if " sandbox " in line)
            assert " none " in sandbox
            assert "TREND" in header, "the trend fits beside the manager at 120 columns"

    run(go())


def test_at_80_columns_the_state_outranks_the_trend() -> None:
    """A stopped or dying jail must read as such on a small terminal; the sparkline goes first."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, app)
            header = next(line for line in screen_lines(app) if "JID" in line)
            assert "STATE" in header and "TREND" not in header, header
            legacy = next(line for line in screen_lines(app) if " legacy " in line)
            assert " STOPPED " in legacy

    run(go())


def test_the_resources_tab_sorts_like_the_other_tables() -> None:
    """s sorts by the next column (VALUE, largest first), S reverses it, a click on a header
    sorts by that column; cputime and wallclock name their units."""
    app = make_app()

    async def go() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            app.open_jail("www")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen)
                             and app.focused is not None)
            await pilot.press("3")
            table = app.screen.query_one(ResourcesTable)
            await wait_until(pilot, lambda: app.focused is table and table.row_count == 25)
            kernel_order = order(table)
            assert kernel_order[:3] == ["cputime", "datasize", "stacksize"]
            usage = app.snapshot.jail("www").usage.as_dict()
            await pilot.press("s")
            assert table.sort_column == "value"
            values = [usage[name] for name in order(table)]
            assert values == sorted(values, reverse=True)
            await pilot.press("S")
            assert [usage[name] for name in order(table)] == sorted(values)
            await pilot.click(ResourcesTable, offset=(2, 0))
            assert table.sort_column == "resource" and order(table) == kernel_order
            shown = {line.split()[0]: line.split()[1] for line in screen_lines(app)
                     if line.split() and line.split()[0] in ("cputime", "wallclock")}
            assert all(re.fullmatch(r"(\d+d)?(\d+h)?(\d+m)?(\d+s)?", shown[name])
                       for name in ("cputime", "wallclock")), shown

    run(go())
