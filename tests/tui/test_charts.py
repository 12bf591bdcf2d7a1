"""Charts where the operator looks: the jail list's CPU trend column, the host panel under it
(host CPU and memory history, the busiest processes of all jails) and the History tab's time
axis and rule lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from jailtui.engine.model import Process, Rule, Sample
from jailtui.engine.simulated import ManualClock, SimulatedHost
from jailtui.tui.app import JailtuiApp
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.widgets.charts import (LINE, HistoryChart, Mark, ago, axis, mark_row, marked,
                                          scale_top, sparkline)
from jailtui.tui.cells import plain
from jailtui.tui.widgets.host_panel import BusiestList, HostPanel
from jailtui.tui.widgets.jail_table import JailTable
from jailtui.tui.widgets.process_table import ProcessTable

from hostile import HOSTILE, assert_inert
from tui_helpers import SteppingHost, run, sample, screen_lines, started, wait_until

GiB = 1 << 30
MiB = 1 << 20
BLOCKS = "▁▂▃▄▅▆▇█"

Script = Callable[[int, int], tuple[Process, ...]]


class ScriptedJailHost(SteppingHost):
    """The demo host, but jail ``name`` runs exactly the processes ``script(tick, jid)`` gives,
    the host runs ``host_procs(tick)`` more, and ``rules`` are listed too."""

    def __init__(self, name: str, script: Script, rules: tuple[Rule, ...] = (),
                 host_procs: Callable[[int], tuple[Process, ...]] = lambda tick: (),
                 hostile: str = "") -> None:
        clock = ManualClock()
        super().__init__(SimulatedHost(seed=1, jails=12, clock=clock, hostile=hostile), clock)
        self.name = name
        self.script = script
        self.rules = rules
        self.host_procs = host_procs

    def sample(self) -> Sample:
        raw = super().sample()
        jid = next(j.jid for j in raw.jails if j.name == self.name)
        assert jid is not None
        kept = tuple(p for p in raw.processes if p.jid != jid)
        return dataclasses.replace(
            raw, processes=kept + self.script(self.calls, jid) + self.host_procs(self.calls),
            rules=raw.rules + self.rules)


def scripted_app(host: ScriptedJailHost) -> JailtuiApp:
    return JailtuiApp(host, None, interval=60.0)


def ramp(tick: int, jid: int) -> tuple[Process, ...]:
    """One process: idle for 3 samples, then 12% of a core more over each 1 s interval."""
    m = max(0, tick - 3)
    return (Process(pid=70001, jid=jid, ppid=1, user="root", cputime=0.12 * m * (m + 1) / 2,
                    etime=100 + tick, rss=8 * MiB, command="ramp"),)


def flat(tick: int, jid: int) -> tuple[Process, ...]:
    """One process at 150% of a core."""
    return (Process(pid=70001, jid=jid, ppid=1, user="root", cputime=1.5 * tick,
                    etime=100 + tick, rss=8 * MiB, command="ramp"),)


def test_the_trend_column_rises_with_a_jails_cpu() -> None:
    async def go() -> None:
        host = ScriptedJailHost("sandbox", ramp)
        app = scripted_app(host)
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app, samples=12)
            table = app.screen.query_one(JailTable)
            assert "trend" in [c.key for c in table.shown_columns]
            trend = table.get_cell("sandbox", "trend").plain
            assert len(trend) == 10 and set(trend) <= set(BLOCKS), trend
            levels = [BLOCKS.index(c) for c in trend]
            assert levels == sorted(levels), f"a rising CPU draws a rising line: {trend}"
            assert levels[0] == 0 and levels[-1] == 7, trend
            assert len(set(levels)) >= 6, trend
            line = next(row for row in screen_lines(app) if " sandbox " in row)
            assert trend in line, "the trend is on screen"
            stopped = next(s for s in app.snapshot.jails if not s.jail.running)
            assert table.get_cell(stopped.jail.name, "trend").plain.strip() == "-"
            host.script = flat
            await sample(pilot, app, 10)
            assert table.get_cell("sandbox", "trend").plain == "█" * 10, \
                "a full block is one core or more"
            trend_at = [c.key for c in table.COLUMNS].index("trend")
            for _ in range(2):
                before = table.row_cells("sandbox")[trend_at]
                await sample(pilot, app)
                assert table.row_cells("sandbox")[trend_at] == before, \
                    "the cell is rewritten only when its points change"
    run(go())


def hot(tick: int, jid: int) -> tuple[Process, ...]:
    """A process at 300% of one core, named like a kernel thread (literal, never markup)."""
    return (Process(pid=70002, jid=jid, ppid=1, user="root", cputime=3.0 * tick,
                    etime=100 + tick, rss=300 * MiB, command="[hot] spin --loop"),)


def host_burner(tick: int) -> tuple[Process, ...]:
    return (Process(pid=70003, jid=0, ppid=1, user="root", cputime=5.0 * tick, etime=100 + tick,
                    rss=MiB, command="host-burner"),)


def test_the_panel_lists_the_busiest_jailed_processes_by_cpu() -> None:
    async def go() -> None:
        host = ScriptedJailHost("dns", lambda tick, jid: ramp(tick, jid) + hot(tick, jid),
                                host_procs=host_burner)
        app = scripted_app(host)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, samples=3)
            panel = app.screen.query_one(HostPanel)
            assert panel.display
            busiest = panel.query_one(BusiestList)
            rows = [[plain(cell) for cell in row] for row in busiest.rows]
            assert len(rows) == busiest.size.height - 1 >= 8, "as many as fit the panel"
            assert panel.size.height > 11, "the panel takes what the 12 jails leave free"
            assert rows[0] == ["dns", "70002", "300.0", "300M", "[hot] spin --loop"]
            snapshot = app.snapshot
            jids = {s.jail.jid for s in snapshot.jails if s.jail.running}
            jailed = sorted((snapshot.cpu[p.pid] for p in snapshot.processes if p.jid in jids),
                            reverse=True)
            assert [row[2] for row in rows] == [f"{v:.1f}" for v in jailed[:len(rows)]]
            names = {str(p.pid): s.jail.name for s in snapshot.jails if s.jail.running
                     for p in snapshot.processes if p.jid == s.jail.jid}
            assert all(names[row[1]] == row[0] for row in rows)
            lines = screen_lines(app)
            header = next(i for i, line in enumerate(lines) if " COMMAND" in line)
            assert lines[header].split()[-5:] == ["JAIL", "PID", "CPU%", "RSS", "COMMAND"]
            for row, line in zip(rows, lines[header + 1:], strict=False):
                words = line.split()
                at = words.index(row[1])
                assert words[at - 1:at + 3] == row[:4], "in CPU order"
                assert row[4].startswith(words[at + 3].rstrip("…"))
            screen = "\n".join(lines)
            assert "Busiest processes" in screen
            assert "host-burner" not in screen, "host processes are not a jail's"
            assert "Host CPU% of 8 CPUs" in screen and "Memory of 32G" in screen
    run(go())


def test_the_panel_shows_what_a_jail_controls_inert() -> None:
    async def go() -> None:
        def spin(tick: int, jid: int) -> tuple[Process, ...]:
            return (Process(pid=70005, jid=jid, ppid=1, user="root", cputime=3.0 * tick,
                            etime=100 + tick, rss=MiB, command=f"spin [bold]x[/] {HOSTILE}"),)

        app = scripted_app(ScriptedJailHost(f"www{HOSTILE}", spin, hostile=HOSTILE))
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app, samples=3)
            busiest = app.screen.query_one(BusiestList)
            assert busiest.shown[0].jail == f"www{HOSTILE}"
            drawn = [line.plain for line in busiest.draw()]
            assert_inert("".join(drawn))
            assert "spin [bold]x[/] \\e]2;pwned-title\\a" in drawn[1], \
                "markup stays literal, controls are made visible"
            assert_inert(app.export_screenshot(), keep="\n")
    run(go())


def test_the_panel_hides_when_short_and_keeps_the_keys_on_the_jail_list() -> None:
    async def go() -> None:
        host = ScriptedJailHost("dns", hot)
        app = scripted_app(host)
        async with app.run_test(size=(120, 29)) as pilot:
            await started(pilot, app, samples=3)
            panel = app.screen.query_one(HostPanel)
            busiest = panel.query_one(BusiestList)
            assert not panel.display, "hidden below 30 rows"
            assert busiest.updates == 0 and not busiest.rows, "and never drawn"
            assert len(app.sampler.host_history()) == 3, "history keeps recording"
            await pilot.resize_terminal(120, 35)
            await wait_until(pilot, lambda: bool(busiest.rows))
            assert panel.display
            assert busiest.shown[0].jail == "dns", "caught up at once"
            chart = panel.query_one("#host-cpu", HistoryChart)
            assert len(chart.values) == 3
            assert isinstance(app.focused, JailTable)
            await pilot.press("v")
            await pilot.pause()
            assert not panel.display
            updates = busiest.updates
            await sample(pilot, app)
            assert busiest.updates == updates and len(chart.values) == 3, \
                "a hidden panel is not repainted"
            await pilot.press("v")
            await wait_until(pilot, lambda: panel.display and len(chart.values) == 4)
            table = app.screen.query_one(JailTable)
            assert isinstance(app.focused, JailTable)
            await pilot.click(BusiestList)
            await pilot.pause()
            assert isinstance(app.focused, JailTable), "the panel takes no focus"
            assert isinstance(app.screen, DashboardScreen)
            table.select_key("www")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            assert app.screen.jail_name == "www"
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.resize_terminal(80, 24)
            await pilot.press("v", "v")
            await pilot.pause()
            assert not panel.display
    run(go())


def half_time_at_the_limit(tick: int, jid: int) -> tuple[Process, ...]:
    """RSS at 1G (the deny amount) on odd samples, 256M on even ones."""
    rss = GiB if tick % 2 else 256 * MiB
    return (Process(pid=70004, jid=jid, ppid=1, user="root", cputime=0.0, etime=100 + tick,
                    rss=rss, command="cache"),)


def test_the_history_tab_draws_the_rule_at_its_amount_and_a_time_axis() -> None:
    async def go() -> None:
        rule = Rule("jail", "sandbox", "memoryuse", "deny", GiB)
        lower = Rule("jail", "sandbox", "memoryuse", "devctl", 512 * MiB)
        per_process = Rule("jail", "sandbox", "memoryuse", "log", 128 * MiB, "process")
        app = scripted_app(ScriptedJailHost("sandbox", half_time_at_the_limit,
                                            rules=(rule, lower, per_process)))
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, samples=24)
            app.open_jail("sandbox")
            await wait_until(pilot, lambda: isinstance(app.focused, ProcessTable))
            await pilot.press("5")
            chart = app.screen.query_one("#chart-rss", HistoryChart)
            await wait_until(pilot, lambda: chart.size.height > 0)
            await sample(pilot, app)
            lines = [line.plain for line in chart.draw()]
            width = chart.size.width
            head, bars, axis = lines[0], lines[1:-1], lines[-1]
            assert "RSS" in head and len(bars) == chart.size.height - 2 == 5
            ticks = app.sampler.history("sandbox").rss
            assert len(ticks) == 25
            at_limit = [width - len(ticks) + i for i, v in enumerate(ticks) if v == GiB]
            below = [width - len(ticks) + i for i, v in enumerate(ticks) if v < GiB]
            line_row = bars[0]
            assert "deny 1G" in line_row, "labelled with its action and amount"
            assert all(line_row[x] == LINE for x in at_limit + below), line_row
            for row in bars[1:]:
                assert all(row[x] == "█" for x in at_limit), "usage at the amount ends " \
                                                              "right under the line"
            assert all(bars[-1][x] != " " for x in below) and all(
                bars[1][x] == " " for x in below), "256M is a fifth of the way up"
            assert "devctl 512M" in bars[2] and all(bars[2][x] == LINE for x in below), \
                "512M is in the third row from the bottom: the scale is 0-1.25G"
            assert "log" not in "".join(bars), "a per-process rule is not the jail's total"
            assert axis.rstrip().endswith("now") and len(axis) == width
            assert axis.index("-10s") == width - 1 - 10, "under the sample 10 s old"
            assert axis.index("-20s") == width - 1 - 20
            screen = "\n".join(screen_lines(app))
            assert "deny 1G" in screen and "now" in screen
    run(go())


def test_sparkline_levels_padding_and_clipping() -> None:
    assert sparkline([0.0, 43.0, 100.0, 250.0, -5.0], 100.0, 7) == "  ▁▄██▁"
    assert sparkline(list(range(20)), 100.0, 3) == "▂▂▂", "only the last width values"
    assert sparkline([], 100.0, 4) == "    "


def test_the_axis_labels_sit_under_the_samples_of_their_age() -> None:
    times = [1000.0 + 10 * i for i in range(31)]  # a sample every 10 s for 5 minutes
    line = axis(times, 60).plain
    assert len(line) == 60 and line.endswith("now")
    first = 60 - 31
    assert line.index("-2m") == first + 30 - 12
    assert line.index("-4m") == first + 30 - 24
    assert "-1m" not in line and "-3m" not in line, "steps keep four labels at most"
    assert axis([5.0], 10).plain == "       now"
    assert ago(45) == "-45s" and ago(150) == "-2m30s" and ago(3900) == "-1h05m"


def test_marks_share_a_row_and_keep_clear_of_the_bars() -> None:
    rows = [line.plain for line in marked([8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                                           0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0],
                                          19, 2, 10.0, "green",
                                          [Mark(9.0, "deny 9", "red"),
                                           Mark(8.5, "log 8", "yellow")])]
    assert rows[0] == "▅ log 8  deny 9 ──▅", rows
    assert rows[1] == "█                 █"
    assert mark_row(10.0, 4, 10.0) == 3 and mark_row(0.0, 4, 10.0) == 0
    assert mark_row(5.0, 4, 10.0) == 2, "a bar of 5 fills two rows; the line is above them"
    assert scale_top([2.0], 1.0, [Mark(8.0, "x")], 5) == 10.0, "the amount under the top row"
    assert scale_top([30.0], 1.0, [Mark(8.0, "x")], 5) == 30.0, "usage far past it still shows"
