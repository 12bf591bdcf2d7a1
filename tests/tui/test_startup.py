"""Start-up: the first screen imports only what it shows (the rest comes at first use), the
first sample starts before Textual is imported and the dashboard shows it instead of taking
another, and until it came the jail list says it waits (never an empty "no jails" list); a
first sample that failed shows the failure."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from concurrent.futures import Future

from jailtui.engine.errors import HostUnreachable
from jailtui.engine.sampler import Sampler
from jailtui.engine.simulated import ManualClock, SimulatedHost
from jailtui.tui.app import JailtuiApp
from jailtui.wiring import FirstSample

from tui_helpers import SteppingHost, run, wait_until

#: Modules only a key, the palette or a change needs.
LATER = ("jailtui.tui.changes", "jailtui.tui.commands", "jailtui.tui.screens.detail",
         "jailtui.tui.screens.help", "jailtui.tui.screens.confirm", "jailtui.tui.screens.signal",
         "jailtui.tui.screens.dialog", "jailtui.tui.screens.limit_editor",
         "jailtui.tui.screens.event_log", "jailtui.tui.screens.run_command",
         "jailtui.tui.screens.result", "jailtui.tui.screens.demo_shell",
         "jailtui.tui.widgets.process_table", "jailtui.tui.widgets.detail_tables",
         "textual.widgets._tabbed_content")


def imported_by(code: str) -> set[str]:
    """The modules of LATER that ``code``, run in a fresh interpreter, imported."""
    script = f"{code}\nimport sys\nprint(' '.join(m for m in {LATER!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    return set(out.split())


def test_the_dashboard_module_imports_no_dialog_detail_or_palette_command() -> None:
    assert imported_by("import jailtui.tui.app") == set()


def test_the_dashboard_the_command_line_builds_imports_the_dialogs_only_when_they_open(
        tmp_path) -> None:
    code = (f"import os; os.environ['XDG_CONFIG_HOME'] = {str(tmp_path)!r}\n"
            "from jailtui import cli\nfrom jailtui.tui.app import build\n"
            f"app = build(cli.parse_args(['--demo', '--audit-log', {str(tmp_path / 'a')!r}]))\n"
            "assert app.changes is not None")
    assert imported_by(code) == {"jailtui.tui.changes"}


def test_the_command_line_starts_the_first_sample_before_it_imports_textual(tmp_path) -> None:
    script = f"""
import gc, os, sys
os.environ["XDG_CONFIG_HOME"] = {str(tmp_path)!r}
from jailtui import cli, wiring
started = wiring.FirstSample.__init__

def first_sample(self, host):
    started(self, host)
    print("textual imported:", "textual" in sys.modules, "sampling:", not self.future.done()
          or self.future.result()[0].jails != (), "collecting:", gc.isenabled())
    sys.stdout.flush()
    os._exit(0)

wiring.FirstSample.__init__ = first_sample
cli.main(["--demo", "--audit-log", {str(tmp_path / "a")!r}])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60).stdout
    assert out.split() == ["textual", "imported:", "False", "sampling:", "True",
                           "collecting:", "False"]


def app_on(first: Future, host: SteppingHost, sampler: Sampler) -> JailtuiApp:
    return JailtuiApp(host, None, interval=60.0, sampler=sampler, first_sample=first)


def stepping_host() -> SteppingHost:
    clock = ManualClock()
    return SteppingHost(SimulatedHost(seed=1, jails=12, clock=clock), clock)


def test_the_dashboard_shows_the_first_sample_started_before_it() -> None:
    async def go() -> None:
        host = stepping_host()
        first = FirstSample(host)
        snapshot, _took = first.future.result(timeout=10)
        app = app_on(first.future, host, first.sampler)
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            assert app.snapshot is snapshot and host.calls == 1
            assert app.dashboard.table.row_count == len(snapshot.jails) == 12
            assert "12/12 jails" in app.dashboard.query_one("#legend").render().plain
    run(go())


def test_the_jail_list_says_it_waits_for_the_first_sample_until_it_comes() -> None:
    async def go() -> None:
        host = stepping_host()
        sampler = Sampler(host)
        first: Future = Future()
        app = app_on(first, host, sampler)
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause(0.2)
            legend = app.dashboard.query_one("#legend")
            assert app.samples == 0 and app.dashboard.table.row_count == 0
            assert legend.render().plain.strip() == "waiting for the first sample…"
            assert "waiting for the first sample" in app.dashboard.query_one("#header").plain
            started = time.perf_counter()
            snapshot = sampler.sample()
            first.set_result((snapshot, time.perf_counter() - started))
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            assert app.dashboard.table.row_count == 12 and host.calls == 1
            assert "12/12 jails" in legend.render().plain
    run(go())


def test_the_garbage_collector_held_off_for_start_up_runs_again_once_data_is_shown() -> None:
    async def go() -> None:
        host = stepping_host()
        first = FirstSample(host)
        app = app_on(first.future, host, first.sampler)
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            assert gc.isenabled()

    gc.disable()
    try:
        run(go())
    finally:
        gc.enable()


def test_a_first_sample_that_failed_shows_no_data_never_an_empty_list() -> None:
    async def go() -> None:
        host = stepping_host()
        first: Future = Future()
        first.set_exception(HostUnreachable("jls: cannot connect"))
        app = app_on(first, host, Sampler(host))
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            assert app.snapshot is not None and app.snapshot.stale
            assert "NO DATA: jls: cannot connect" in app.dashboard.query_one("#header").plain
            legend = app.dashboard.query_one("#legend").render().plain
            assert "no data: jls: cannot connect" in legend and "jails" not in legend
            assert any("sampling failed: jls: cannot connect" in n.message
                       for n in app.notices_shown)
            await pilot.press("r")
            await wait_until(pilot, lambda: app.samples >= 2)
            await pilot.pause()
            assert not app.snapshot.stale and app.dashboard.table.row_count == 12
            assert "12/12 jails" in app.dashboard.query_one("#legend").render().plain
    run(go())
