"""Pure pieces of the TUI: row builders, limit colours, tree order, header fitting, chart bars."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from jailtui.engine.model import Jail, JailState, Process, Rule
from jailtui.engine.sampler import JailStats, LimitUse
from jailtui.tui.cells import limit_style, limits_cell, plain, to_text
from jailtui.tui.widgets.charts import bars
from jailtui.tui.widgets.filter_bar import compile_filter
from jailtui.tui.widgets.header import fit
from jailtui.tui.widgets.jail_table import COLUMNS, jail_row
from jailtui.tui.widgets.process_table import COLUMNS as PCOLUMNS
from jailtui.tui.widgets.process_table import ProcRow, process_row, tree_order

M = 1 << 20


def limit(action: str, used: int, amount: int, resource: str = "memoryuse") -> LimitUse:
    return LimitUse(Rule("jail", "www", resource, action, amount), used, used / amount)


def test_limit_levels_follow_the_action_and_differ_without_colour() -> None:
    at, near = Style.parse(limit_style(limit("deny", 95, 100))), \
        Style.parse(limit_style(limit("deny", 80, 100)))
    assert at.reverse and at.bold and not near.reverse and near.bold
    assert limit_style(limit("deny", 10, 100)) == ""
    assert limit_style(limit("log", 95, 100)) == limit_style(limit("deny", 80, 100))
    past = Style.parse(limit_style(limit("devctl", 120, 100)))
    assert past.reverse and past.color != at.color
    assert [plain(limits_cell((limit(action, used, 100),))) for action, used in
            (("deny", 95), ("deny", 80), ("deny", 10), ("log", 95), ("log", 100))] == [
        "!!memoryuse 95/100 95%", "!memoryuse 80/100 80%", "memoryuse 10/100 10%",
        "!memoryuse 95/100 95%", "!!memoryuse 100/100 100%"]


def test_limits_cell_shows_the_worst_rule_and_the_others_count() -> None:
    cell = limits_cell((limit("log", 10 * M, 100 * M), limit("deny", 412 * M, 512 * M)))
    assert plain(cell) == to_text(cell).plain == "!memoryuse 412M/512M 80% +1"
    assert to_text(cell).spans
    assert plain(limits_cell(())) == "-"


def test_rows_have_one_text_cell_per_column() -> None:
    running = JailStats(Jail("www", 3, hostname="[www]", ip4=("10.0.0.1", "10.0.0.2")),
                        nproc=4, nthr=9, cpu=150.0, rss=300 * M, vsz=900 * M)
    stopped = JailStats(Jail("old", None, JailState.STOPPED, configured=True))
    for stats in (running, stopped):
        row = jail_row(stats)
        assert len(row) == len(COLUMNS)
        assert all(isinstance(cell, Text) for cell in row)
    row = dict(zip((c.key for c in COLUMNS), jail_row(running), strict=True))
    assert row["hostname"].plain == "[www]"
    assert row["ip"].plain == "10.0.0.1 +1"
    assert row["cpu"].plain == "150.0"
    assert jail_row(stopped)[0].plain == "-"
    prow = process_row(ProcRow(Process(pid=7, command="[idle]"), 0.0))
    assert len(prow) == len(PCOLUMNS) and prow[-1].plain == "[idle]"


def test_tree_order_puts_children_under_their_parent() -> None:
    procs = [Process(pid=5, ppid=1), Process(pid=1, ppid=0), Process(pid=7, ppid=5),
             Process(pid=3, ppid=1), Process(pid=9, ppid=9)]
    order = tree_order(procs, lambda ps: sorted(ps, key=lambda p: p.pid))
    assert [(p.pid, depth) for p, depth in order] == [(1, 0), (3, 1), (5, 1), (7, 2), (9, 0)]


def test_header_fit_drops_low_priority_pieces_first() -> None:
    pieces = [(0, Text("host")), (2, Text("release")), (1, Text("cpu")), (2, Text("uptime"))]
    assert fit(pieces, 200).plain == "host │ release │ cpu │ uptime"
    assert fit(pieces, 22).plain == "host │ release │ cpu"
    assert fit(pieces, 12).plain == "host │ cpu"
    assert len(fit([(0, Text("x" * 50))], 10).plain) == 10


def test_invalid_regex_is_an_error_not_an_exception() -> None:
    assert compile_filter("") == (None, None)
    pattern, error = compile_filter("WWW")
    assert pattern is not None and pattern.search("www") and error is None
    pattern, error = compile_filter("(")
    assert pattern is None and error is not None and error.startswith("invalid regex")


def test_chart_bars_scale_from_zero_and_align_right() -> None:
    lines = bars([0.0, 50.0, 100.0, None], width=6, height=2, top=100.0)
    assert [line.plain for line in lines] == ["    █ ", "   ██·"]


def test_cpu_is_hot_relative_to_what_the_jail_may_use() -> None:
    """95% of one core is nothing on an 8-CPU host, near the limit under a pcpu deny of 120
    and at it under 100; 160% on a 2-CPU cpuset is near."""
    def cpu(used: float, allowance: float | None) -> str:
        stats = JailStats(Jail("www", 3), cpu=used, cpu_allowance=allowance)
        return dict(zip((c.key for c in COLUMNS), jail_row(stats), strict=True))["cpu"]

    assert cpu(95.0, 800.0).plain == "95.0"
    assert cpu(95.0, 120.0).plain == "!95.0"
    assert cpu(95.0, 100.0).plain == "!!95.0" and Style.parse(str(cpu(95.0, 100.0).style)).reverse
    assert cpu(160.0, 200.0).plain == "!160.0"
    assert cpu(300.0, None).plain == "300.0"
