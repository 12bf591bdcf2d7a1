"""The Line API table: a tick redraws only the rows on the screen that changed, the cursor keeps
its key, mouse and page keys move it as in DataTable, and a long cell ends in an ellipsis
without pushing the other columns off the screen."""

from __future__ import annotations

from typing import Any

import pytest
from hostile import HOSTILE, assert_inert
from test_untrusted_tui import NAME
from test_untrusted_tui import make_app as make_hostile_app
from textual import events
from textual.app import App, ComposeResult
from tui_helpers import run, sample, screen_lines, started, wait_until

from jailtui.engine.vis import vis
from jailtui.tui.cells import num, text
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.widgets.jail_table import JailTable
from jailtui.tui.widgets.keyed_table import Column, KeyedTable
from jailtui.tui.widgets.line_table import LineTable, cut, fit
from jailtui.tui.widgets.process_table import ProcessTable


class Numbers(KeyedTable[int]):
    COLUMNS = (
        Column("name", "NAME", 6, 0, False, lambda v: f"row{v[0]:03}", "name", max_width=12),
        Column("value", "VALUE", 6, 0, True, lambda v: v[1], "value", True),
        Column("note", "NOTE", 10, 1, False, None, "note", fill=True),
    )
    KEY_COLUMN = "name"
    DEFAULT_SORT = "name"


def rows(values: dict[int, int], names: dict[int, str] | None = None,
         notes: dict[int, str] | None = None) -> list[Any]:
    names, notes = names or {}, notes or {}
    return [(f"row{i:03}", (i, v), (text(names.get(i, f"row{i:03}")), num(str(v)),
                                    text(notes.get(i, f"note {i}"))))
            for i, v in values.items()]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield Numbers(id="numbers")

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        self.selected.append(event.key)


async def shown(pilot: Any, app: TableApp, values: dict[int, int], **kw: Any) -> Numbers:
    table = app.query_one(Numbers)
    table.show(rows(values, **kw))
    await pilot.pause()
    await pilot.pause()
    return table


def with_table(values: dict[int, int], scenario: Any) -> None:
    """Run ``scenario(pilot, app, table)`` on a 60x20 screen showing ``values``."""
    async def go() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            await scenario(pilot, app, await shown(pilot, app, values))
    run(go())


def body(app: App[Any]) -> list[str]:
    """The table's rows on the screen (under its header)."""
    return screen_lines(app)[1:]


def test_a_tick_redraws_only_the_rows_on_the_screen_that_changed() -> None:
    async def go() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            values = {i: i * 10 for i in range(100)}
            table = await shown(pilot, app, values)
            assert table.keys[:3] == ["row000", "row001", "row002"]
            built, drawn = table.lines_rendered, table.lines_drawn
            await shown(pilot, app, dict(values))
            assert (table.lines_rendered, table.lines_drawn) == (built, drawn), \
                "an unchanged tick draws nothing"
            values[5] = 12345
            await shown(pilot, app, dict(values))
            assert table.lines_rendered == built + 1 and table.lines_drawn == drawn + 1
            assert "12345" in body(app)[5] and "row005" in body(app)[5]
            assert table.cell_updates == 1
            values[80] = 777
            built, drawn = table.lines_rendered, table.lines_drawn
            await shown(pilot, app, dict(values))
            assert (table.lines_rendered, table.lines_drawn) == (built, drawn), \
                "a row below the screen is not drawn"
            assert table.cell_updates == 2
            for y in (3, 0):  # every row of both views built once
                table.scroll_to(y=y, animate=False)
                await pilot.pause()
            built, drawn = table.lines_rendered, table.lines_drawn
            for y in (3, 0):
                table.scroll_to(y=y, animate=False)
                await pilot.pause()
            page = table.size.height - 1
            assert table.lines_drawn - drawn >= 2 * page, "a scroll draws every line"
            assert table.lines_rendered == built, "from the strips kept for its rows"
            assert table.select_key("row080")
            await pilot.pause()
            assert "777" in body(app)[table.cursor_row - int(table.scroll_y)]
    run(go())


def test_the_cursor_keeps_its_key_through_sorts_and_diffs_and_stays_on_the_screen() -> None:
    async def go() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            values = {i: i for i in range(100)}
            table = await shown(pilot, app, values)
            assert table.select_key("row007")
            await pilot.pause()
            table.sort_by("value")  # largest first: row007 is near the bottom
            await pilot.pause()
            assert table.keys[0] == "row099" and table.cursor_key == "row007"
            assert table.cursor_row == table.keys.index("row007") == 92
            top = int(table.scroll_y)
            assert top <= table.cursor_row < top + table.size.height - 1, "cursor off screen"
            line = body(app)[table.cursor_row - top]
            assert "row007" in line
            del values[99], values[98]
            values[7] = 1000
            await shown(pilot, app, values)
            assert table.cursor_key == "row007" and table.keys[0] == "row007"
            assert int(table.scroll_y) == 0 and "row007" in body(app)[0]
            assert not table.select_key("row099") and table.cursor_key == "row007"
    run(go())


def test_a_click_moves_the_cursor_a_second_selects_and_a_header_click_sorts() -> None:
    async def go() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            table = await shown(pilot, app, {i: 100 - i for i in range(50)})
            await pilot.click(Numbers, offset=(3, 4))
            await pilot.pause()
            assert table.cursor_key == "row003" and app.selected == []
            await pilot.click(Numbers, offset=(3, 4))
            await pilot.pause()
            assert app.selected == ["row003"], "a click on the highlighted row selects it"
            await pilot.press("enter")
            await pilot.pause()
            assert app.selected == ["row003", "row003"]
            value_x = next(i for i, span in enumerate(table.spans) if span.key == "value")
            x = sum(s.width + 2 for s in table.spans[:value_x]) + 2
            await pilot.click(Numbers, offset=(x, 0))
            await pilot.pause()
            assert table.sort_column == "value" and table.sort_reverse
            assert screen_lines(app)[0].split()[1] == "VALUE▼"
            assert table.keys[0] == "row000" and table.cursor_key == "row003"
            await pilot.click(Numbers, offset=(x, 0))
            await pilot.pause()
            assert not table.sort_reverse and table.keys[0] == "row049"
            assert screen_lines(app)[0].split()[1] == "VALUE▲"
            await pilot.click(Numbers, offset=(x + 15, 0))  # NOTE: not sortable
            await pilot.pause()
            assert table.sort_column == "value"
    run(go())


def test_page_keys_move_a_page_and_home_end_the_ends() -> None:
    async def go(pilot: Any, app: TableApp, table: Numbers) -> None:
        page = table.size.height - 1
        table.focus()
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == page and int(table.scroll_y) == page
        assert "row019" in body(app)[0]
        await pilot.press("down", "pagedown")
        await pilot.pause()
        assert table.cursor_row == 2 * page + 1
        await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_row == page + 1
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "row099" and "row099" in body(app)[-1]
        await pilot.press("pagedown")
        assert table.cursor_key == "row099"
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_key == "row000" and int(table.scroll_y) == 0
        await pilot.press("up")
        assert table.cursor_key == "row000"
    with_table({i: i for i in range(100)}, go)


def test_a_long_cell_is_cut_with_an_ellipsis_never_inside_an_escape() -> None:
    assert cut("abc\\x9bdef", 5) == "abc", "\\x9b is not split"
    assert cut("abc\\x9bdef", 7) == "abc\\x9b"
    assert cut("ab\\edef", 3) == "ab" and cut("ab\\edef", 4) == "ab\\e"
    assert cut("中文字", 3) == "中"
    assert fit([("abcdef", "bold"), (" +2", "dim")], 9) == [("abcdef", "bold"), (" +2", "dim")]
    assert fit([("abcdef", "bold"), (" +2", "dim")], 8) == [("abcdef", "bold"), (" …", "dim")]
    assert fit([("abcdef", "")], 4) == [("abc…", "")]

    async def go() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            long = "x" * 100
            escaped = "y" * 9 + "\x1bz" * 10
            names = {0: long, 1: escaped}
            table = await shown(pilot, app, {0: 1, 1: 2, 2: 3}, names=names)
            name = next(s for s in table.spans if s.key == "name")
            assert name.width == 12
            lines = body(app)
            assert lines[0].startswith(" " + "x" * 11 + "…  "), lines[0]
            assert lines[1].startswith(" " + "y" * 9 + "\\e…  "), lines[1]
            assert lines[1].split()[1:3] == ["2", "note"] and lines[0].split()[1] == "1"
            assert table.get_cell("row000", "name").plain == long
            note = next(s for s in table.spans if s.key == "note")
            # 60 columns less the room kept for a scrollbar (2) and each cell's padding
            assert note.width == 60 - 2 - sum(s.width + 2 for s in table.spans
                                              if s.key != "note") - 2, \
                "the fill column takes the rest of the width"
            assert table.virtual_size.width <= 60, "no sideways scroll"
            # a longer cell in the fill column (a command line) is drawn whole: on the
            # screen to its edge, the rest sideways, as top and htop do
            table.show(rows({0: 1, 1: 2, 2: 3}, names=names, notes={2: "n" * 100}))
            await pilot.pause()
            lines = body(app)
            assert lines[2].rstrip().endswith("n") and "…" not in lines[2], lines[2]
            note = next(s for s in table.spans if s.key == "note")
            assert note.width == 100 and table.virtual_size.width > 60
            table.scroll_to(x=table.max_scroll_x, animate=False)
            await pilot.pause()
            right = screen_lines(app)
            assert right[0].rstrip().endswith("n" * 40) and "row" not in right[0], right
    run(go())


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
def test_a_hostile_jail_name_leaves_every_main_column_on_the_screen(tmp_path, size) -> None:
    async def go() -> None:
        app = make_hostile_app(tmp_path)
        async with app.run_test(size=size) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            assert len(vis(NAME)) > 100
            lines = screen_lines(app)
            header = next(line for line in lines if " NAME " in line)
            for label in (c.label for c in table.COLUMNS if c.priority == 0):
                assert f" {label}" in header, f"{label} is off the screen: {header!r}"
            row = next(line for line in lines if " www\\e]2;" in line)
            assert "…" in row and len(row) <= size[0]
            cpu = table.get_cell(NAME, "cpu").plain.strip()
            assert f" {cpu} " in row, "the CPU% of the hostile jail is on its row"
            assert_inert(app.export_screenshot(), keep="\n")
            app.open_jail(NAME)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await sample(pilot, app)
            procs = app.screen.query_one(ProcessTable)
            lines = screen_lines(app)
            header = next(line for line in lines if " PID " in line)
            for label in (c.label for c in procs.COLUMNS if c.priority == 0):
                assert f" {label}" in header, f"{label} is off the screen: {header!r}"
            hostile = [line for line in lines if vis(HOSTILE)[:8] in line]
            assert hostile and all(len(line) <= size[0] for line in hostile)
            assert any("…" in line for line in hostile)
            assert_inert(app.export_screenshot(), keep="\n")
    run(go())


def test_the_mouse_wheel_scrolls_the_rows_under_a_fixed_header() -> None:
    async def go(pilot: Any, app: TableApp, table: Numbers) -> None:
        for _ in range(2):
            table.post_message(events.MouseScrollDown(table, 5, 5, 0, 1, 0, False, False,
                                                      False))
            await pilot.pause()
        await pilot.pause()
        top = int(table.scroll_y)
        assert top > 0 and table.cursor_key == "row000"
        lines = screen_lines(app)
        assert lines[0].split()[:2] == ["NAME▲", "VALUE"], "the header stays on top"
        assert lines[1].split()[0] == table.keys[top]
    with_table({i: i for i in range(100)}, go)
