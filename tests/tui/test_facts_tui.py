"""The dashboard with what real hosts have: vnet and inherit jails in the IP column, child jails
under their parent with racct marked as theirs too, unknown host figures, swap, and a signal
refused when its process is gone."""

from __future__ import annotations

import time

from jailtui.engine.model import HostInfo, Jail, JailState, RacctStatus
from jailtui.engine.sampler import HostStats, JailStats, Snapshot
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.header import Status, host_line
from jailtui.tui.widgets.jail_table import JailTable
from jailtui.tui.widgets.process_table import ProcessTable

from actions_helpers import answer, ask, audit, make_change_app, notes, open_detail
from tui_helpers import make_app, run, started

GIB = 1 << 30


def test_ip_column_and_children_under_their_parent() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            assert table.get_cell("ioc-monitor", "ip").plain == "vnet"
            assert table.get_cell("sandbox", "ip").plain == "inherit"
            assert table.get_cell("www", "ip").plain == "10.0.0.10 +1"
            for column in ("jid", "cpu", "name"):
                app.sort_jails(column)
                await pilot.pause()
                keys = list(table.keys)
                assert keys.index("build.ports") == keys.index("build") + 1, column
            build, ports = (app.snapshot.jail(name) for name in ("build", "build.ports"))
            assert build.racct_includes_children and not ports.racct_includes_children
            assert table.get_cell("build", "files").plain.endswith("*")
            assert not table.get_cell("build.ports", "files").plain.endswith("*")
            assert not table.get_cell("www", "files").plain.endswith("*")
    run(go())


def test_a_dying_jail_under_a_live_ones_name_gets_its_own_row() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            gone = JailStats(Jail("www", 1, JailState.DYING, path="/usr/local/jails/www"))
            table.show_jails((*app.snapshot.jails, gone))
            await pilot.pause()
            assert table.get_cell("www (JID 1)", "state").plain == "DYING"
            assert table.get_cell("www", "state").plain == "ACTIVE"
    run(go())


def header(info: HostInfo) -> str:
    snapshot = Snapshot(time=1000.0, monotonic=1.0,
                        host=HostStats(info, cpu=None, mem_used=0, mem_total=0))
    return " | ".join(text.plain for _, text in host_line(Status(snapshot=snapshot)))


def test_header_shows_unknown_figures_as_unknown_and_swap_when_known() -> None:
    known = HostInfo(hostname="h", ncpu=8, loadavg=(1.0, 0.5, 0.25), swap_total=8 * GIB,
                     swap_used=GIB, racct=RacctStatus(enabled=True))
    text = header(known)
    assert "swap 1G/8G" in text and "load 1.00 0.50 0.25" in text
    unknown = HostInfo(hostname="h", ncpu=1, unknown=("loadavg", "physmem", "cp_time", "ncpu"))
    text = header(unknown)
    assert "load ?" in text and "mem ?" in text and "CPU ? of ? CPUs" in text
    assert "swap" not in text


def test_a_signal_to_a_process_that_exited_meanwhile_is_not_sent(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            jail = app.snapshot.jail("www").jail
            victim = next(p for p in app.snapshot.processes
                          if p.jid == jail.jid and p.ppid != 1)
            assert detail.query_one(ProcessTable).select_key(str(victim.pid))
            await ask(pilot, app, "K", SignalScreen)
            app.host.inner.signal(victim.pid, "KILL")
            await answer(pilot, app, "y")
            assert f"nothing sent: PID {victim.pid} ({victim.command}) has exited" in notes(app)
            assert f"target=pid:{victim.pid} result=\"failed: nothing sent" in audit(tmp_path)
    run(go())


def test_the_signal_dialog_says_when_the_process_started(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "db")
            proc = next(p for p in app.snapshot.processes
                        if p.jid == app.snapshot.jail("db").jail.jid)
            assert detail.query_one(ProcessTable).select_key(str(proc.pid))
            dialog = await ask(pilot, app, "K", SignalScreen)
            started_at = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(proc.start))
            assert f"started {started_at}" in str(dialog.query_one("#process").render())
    run(go())
