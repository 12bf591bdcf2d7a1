"""The keyed tables as the terminal shows them: the cursor row stands out and stays on its key
through samples and sorts, and every row on the screen shows its current cells (read from the
app's SVG screenshot, so a table that skipped a repaint or lost its highlight fails here)."""

from __future__ import annotations

import math
import re
from typing import Any

from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.widgets.jail_table import JailTable
from jailtui.tui.widgets.process_table import ProcessTable

from tui_helpers import make_app, run, sample, screen_lines, started, wait_until

_RECT = re.compile(r'<rect fill="(#[0-9a-fA-F]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"')
_TEXT_Y = re.compile(r'<text class="[^"]*" x="[\d.]+" y="([\d.]+)"')


def backgrounds(app: Any) -> dict[int, list[tuple[float, float, str]]]:
    """Each screen row's background rectangles (x, width, colour) in the SVG screenshot."""
    svg = app.export_screenshot()
    ys = sorted({float(y) for y in _TEXT_Y.findall(svg)})
    line = min(b - a for a, b in zip(ys, ys[1:], strict=False))
    rows: dict[int, list[tuple[float, float, str]]] = {}
    for fill, x, y, width in _RECT.findall(svg):
        rows.setdefault(math.floor(float(y) / line), []).append((float(x), float(width), fill))
    return rows


def background_at(rows: dict[int, list[tuple[float, float, str]]], y: int, x: float) -> str:
    return next(fill for left, width, fill in rows[y] if left <= x < left + width)


def shown_rows(table: Any) -> dict[int, str]:
    """Screen line -> row key, for the table's rows on the screen (under its header)."""
    top = table.region.y + 1
    first = round(table.scroll_y)
    keys = table.keys
    return {top + i: keys[first + i] for i in range(table.region.height - 1)
            if first + i < len(keys)}


def assert_cursor_on(app: Any, table: Any, key: str) -> None:
    """The row showing ``key`` is drawn in a background no other row of the table has."""
    assert table.cursor_key == key
    lines = screen_lines(app)
    shown = shown_rows(table)
    assert key in shown.values(), f"{key} is not on the screen"
    assert len(shown) >= 5
    cursor = next(y for y, k in shown.items() if k == key)
    assert f" {key} " in lines[cursor]
    rows = backgrounds(app)
    width = max(left + w for row in rows.values() for left, w, _ in row) / app.size.width
    x = (lines[cursor].index(f" {key} ") + 1.5) * width
    look = {y: background_at(rows, y, x) for y in shown}
    others = {look[y] for y in shown if y != cursor}
    assert len(others) == 1, f"the rows that are not the cursor differ: {others}"
    assert look[cursor] not in others, f"the cursor row of {key} looks like the others: {look}"


def assert_screen_shows_cells(app: Any, table: Any) -> None:
    """Every row on the screen reads its key's current cells, in the columns' order."""
    lines = screen_lines(app)
    columns = [c.key for c in table.shown_columns]
    shown = shown_rows(table)
    assert len(shown) >= 5
    for y, key in shown.items():
        line = lines[y].rstrip()
        at = 0
        for column in columns:
            value = table.get_cell(key, column).plain.strip()
            found = line.find(value, at)
            cut = line.find("…", at)
            if found < 0 and cut >= 0 and value.startswith(line[at:cut].strip()):
                at = cut + 1  # too long for its column: cut with an ellipsis
                continue
            edge = line[at:].strip()
            if found < 0 and column == columns[-1] and edge and value.startswith(edge):
                continue  # the last column goes on past the screen's edge (scrolls sideways)
            assert found >= 0, f"{key}: {column} {value!r} is not shown after column {at}: " \
                f"{line!r}"
            at = found + len(value)


async def select_and_sample(pilot: Any, app: Any, table: Any, row: int) -> str:
    """Put the cursor on the ``row``-th row, check it, take two samples, check again."""
    key = table.keys[row]
    assert table.select_key(key)
    await pilot.pause()
    assert_cursor_on(app, table, key)
    await sample(pilot, app, 2)
    assert_cursor_on(app, table, key)
    assert_screen_shows_cells(app, table)
    return key


def test_the_jail_tables_cursor_row_stands_out_and_follows_its_jail() -> None:
    async def go() -> None:
        app = make_app(jails=20)
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            before = list(table.keys)
            key = await select_and_sample(pilot, app, table, 3)
            await pilot.press("N")
            await pilot.pause()
            assert list(table.keys) != before
            assert_cursor_on(app, table, key)
            assert_screen_shows_cells(app, table)
    run(go())


def test_the_process_tables_cursor_row_stands_out_and_follows_its_process() -> None:
    async def go() -> None:
        app = make_app(jails=6, processes_per_jail=12)
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            name = max((s for s in app.snapshot.jails if s.jail.running),
                       key=lambda s: s.nproc).jail.name
            app.open_jail(name)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await sample(pilot, app)
            table = app.screen.query_one(ProcessTable)
            key = await select_and_sample(pilot, app, table, 2)
            await pilot.press("t")
            await sample(pilot, app)
            assert_cursor_on(app, table, key)
            assert_screen_shows_cells(app, table)
    run(go())


def test_select_key_of_a_row_not_shown_is_false_and_moves_nothing() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            key = table.keys[2]
            assert table.select_key(key)
            assert table.select_key("no-such-jail") is False
            app.dashboard.set_filter(f"^{re.escape(key)}$")
            await pilot.pause()
            other = next(s.jail.name for s in app.snapshot.jails if s.jail.name != key)
            assert table.select_key(other) is False
            assert table.cursor_key == key
    run(go())
