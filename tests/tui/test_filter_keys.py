"""The jail list's ``/`` filter costs only what it changes: it opens in the legend's row, so the
jail table keeps its size (a resize re-measures and repaints every row), and Enter or Esc that
leave the pattern as it was neither list the jails again nor redraw the host panel."""

from __future__ import annotations

from jailtui.tui.widgets.filter_bar import FilterBar
from jailtui.tui.widgets.jail_table import JailTable

from tui_helpers import make_app, run, started


def test_the_filter_opens_in_the_legend_row_and_the_table_keeps_its_size() -> None:
    async def go() -> None:
        app = make_app(jails=40)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.dashboard.table
            legend = app.dashboard.query_one("#legend")
            size, legend_y = table.size, legend.region.y
            await pilot.press("slash")
            await pilot.pause()
            bar = app.dashboard.filter_bar
            assert isinstance(app.screen.focused, FilterBar)
            assert bar.region.y == legend.region.y == legend_y and bar.region.height == 1
            assert table.size == size
            await pilot.press("w", "w")
            await pilot.pause()
            assert bar.value == "ww" and "filter /ww/" in legend.render().plain
            assert bar.region.y == legend.region.y
            filtered = table.size
            await pilot.press("enter")
            await pilot.pause()
            assert table.has_focus and bar.display and table.size == filtered
            await pilot.press("slash")
            await pilot.pause()
            assert bar.has_focus and table.size == filtered
            await pilot.press("escape")
            await pilot.pause()
            assert table.has_focus and not bar.display and table.size == size
    run(go())


def test_keys_that_leave_the_pattern_as_it_was_do_not_list_the_jails_again(
        monkeypatch) -> None:
    listed: list[object] = []
    show_jails = JailTable.show_jails

    def counting(self, jails, pattern=None, trends=None):  # type: ignore[no-untyped-def]
        listed.append(pattern)
        return show_jails(self, jails, pattern, trends)

    monkeypatch.setattr(JailTable, "show_jails", counting)

    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await started(pilot, app)
            busiest = app.dashboard.query_one("#busiest")
            assert app.dashboard.panel.display
            table = app.dashboard.table
            total = table.row_count
            drawn = busiest.updates
            listed.clear()
            await pilot.press("slash", "escape")
            await pilot.pause()
            assert listed == [] and busiest.updates == drawn
            await pilot.press("slash", "w", "w")
            await pilot.pause()
            assert table.row_count < total
            assert [p.pattern if p else None for p in listed] == ["w", "ww"]
            await pilot.press("enter", "slash", "enter")
            await pilot.pause()
            assert len(listed) == 2 and busiest.updates == drawn
            await pilot.press("slash", "escape")
            await pilot.pause()
            assert listed[2:] == [None] and table.row_count == total
            assert busiest.updates == drawn
    run(go())
