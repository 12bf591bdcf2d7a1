#!/usr/bin/env python3
"""jailtui's performance in one run, as a table of ratios and counts (issue 11).

    .venv/bin/python scripts/bench.py            # everything (~15 minutes on 2 cores)
    .venv/bin/python scripts/bench.py --quick    # smaller sizes, shorter CPU windows

Sections: (1) parse time against ``json.loads`` (ps, jls) or a plain split (rctl rules,
rctl -u) of the same bytes, the bytes made by the fake FreeBSD tools (tests/fakebin) from
state.scaled_host; (2) spawns and sampler CPU per sample, FreeBSD backend on the fake tools,
with the racct syscall (answered by the fake kernel in-process) and without it (one shell
running every ``rctl -u``); (3) whole-process CPU in tmux next to ``top -d 1`` and
``htop -d 10`` in the same run: jailtui's own process, apart from the fake tools it spawns
(Python programs standing in for FreeBSD's C tools), dashboard open and paused; (4) start-up
to the first frame with data; (5) key to screen; (6) RSS over 10,000 samples; (7) the cost of
applying one sample to the dashboard and the cells it rewrites (scripts/bench_tui.py).
No figure here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAKEBIN = ROOT / "tests" / "fakebin"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _state_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("fakebin_state", FAKEBIN / "state.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fake_state = _state_module()


class FakeHost:
    """A scaled host on disk: the state file, the host's files and the environment that puts
    the fake tools first on PATH."""

    def __init__(self, jails: int, per_jail: int = 20) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="jailtui-bench-"))
        state, files = fake_state.scaled_host(jails, per_jail)
        self.state_path = self.dir / "state.json"
        fake_state.write_state(str(self.state_path), state)
        fake_state.write_files(self.dir / "root", files)
        self.env = {"JAILTUI_FAKE_STATE": str(self.state_path),
                    "JAILTUI_FAKE_LOG": str(self.dir / "calls.log"),
                    "JAILTUI_FAKE_ROOT": str(self.dir / "root"), "PYTHONCOERCECLOCALE": "0",
                    "PATH": f"{FAKEBIN}{os.pathsep}{os.environ['PATH']}"}

    def __enter__(self) -> FakeHost:
        self._saved = {key: os.environ.get(key) for key in self.env}
        os.environ.update(self.env)
        return self

    def __exit__(self, *exc: object) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, *argv: str) -> str:
        return subprocess.run(argv, env={**os.environ, **self.env}, capture_output=True,
                              text=True, check=True).stdout

    def host(self, syscall: bool, counting: list | None = None):  # type: ignore[no-untyped-def]
        from conftest import RootedRunner

        from jailtui.engine.freebsd import FreeBSDHost
        from jailtui.engine.racct import RacctSyscall

        class Runner(RootedRunner):
            def run(self, argv, **kwargs):  # type: ignore[no-untyped-def,override]
                if counting is not None:
                    counting.append(argv[0])
                return super().run(argv, **kwargs)

        racct = RacctSyscall(fake_state.KernelLibc(self.state_path)) if syscall else False
        return FreeBSDHost(Runner(self.dir / "root"), syscall=racct, timeout=600)


def best(call, *args, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the neighbours)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call(*args)
        times.append(time.perf_counter() - started)
    return min(times)


# -- (1) parsing ---------------------------------------------------------------------------------

def bench_parse(process_counts: tuple[int, ...], jail_counts: tuple[int, ...]) -> list[tuple]:
    from jailtui.engine import parse
    from jailtui.engine.freebsd import JLS_PARAMS, PS_KEYWORDS

    rows = []
    for count in process_counts:
        with FakeHost(max(1, count // 20), 20) as fake:
            text = fake.run("ps", "--libxo", "json", "-ax", "-o", PS_KEYWORDS)
        parse.read_ps(text)  # the memo of start and cpu times, as after the first sample
        ours, base = best(parse.read_ps, text), best(json.loads, text)
        rows.append(("ps", f"{count:,} processes", len(text), ours, base, "json.loads", 2.0))

        def new_columns(text: str) -> None:
            parse._LAST_COLUMNS.clear()
            parse.read_ps(text)

        rows.append(("ps, new", f"{count:,} processes", len(text), best(new_columns, text),
                     base, "json.loads", None))
        ours = best(parse.parse_ps, text)
        rows.append(("ps, all", f"{count:,} processes", len(text), ours, base, "json.loads",
                     None))
    for count in jail_counts:
        with FakeHost(count, 1) as fake:
            jls = fake.run("jls", "--libxo", "json", "-d", *JLS_PARAMS)
            rules = fake.run("rctl", "jail:")
            usage = [fake.run("rctl", "-u", f"jail:j{i:04d}") for i in range(min(count, 100))]
        ours, base = best(parse.parse_jls, jls), best(json.loads, jls)
        rows.append(("jls", f"{count:,} jails", len(jls), ours, base, "json.loads", 2.0))

        def first_read(text: str) -> None:
            parse._JLS_SEEN.clear()
            parse.parse_jls(text)

        rows.append(("jls, new", f"{count:,} jails", len(jls), best(first_read, jls), base,
                     "json.loads", None))
        ours = best(parse.parse_rctl_rules, rules)
        base = best(lambda t: [line.split(":") for line in t.split("\n")], rules)
        rows.append(("rctl rules", f"{count:,} jails", len(rules), ours, base, "split", 3.0))
        if count <= 100:
            ours = best(lambda texts: [parse.parse_rctl_usage(t) for t in texts], usage)
            base = best(lambda texts: [[line.split("=") for line in t.split("\n")]
                                       for t in texts], usage)
            rows.append(("rctl -u", f"{len(usage)} jails", sum(map(len, usage)), ours, base,
                         "split", 3.0))
    return rows


def report_parse(rows: list[tuple]) -> None:
    print("\n(1) parsing, best of 5 (ratio = jailtui's parser / the baseline on the same bytes;"
          "\n    ps: the table a sample reads, the same bytes again; 'ps, new': no column as"
          " last time;\n    'ps, all': every Process built by the general reader;"
          "\n    jls: a list read before, 'jls, new': every jail read for the first time)")
    print(f"    {'output':<11} {'size':<17} {'bytes':>11} {'parse ms':>9} {'base ms':>8} "
          f"{'baseline':<10} {'ratio':>6} {'target':>6}")
    for what, size, length, ours, base, name, target in rows:
        print(f"    {what:<11} {size:<17} {length:>11,} {ours * 1000:>9.2f} {base * 1000:>8.2f} "
              f"{name:<10} {ours / base:>6.2f} "
              f"{'<=' + format(target, 'g') if target else '':>6}")


# -- (2) sampler ---------------------------------------------------------------------------------

def bench_sampler(jail_counts: tuple[int, ...], samples: int) -> list[tuple]:
    from jailtui.engine.sampler import Sampler

    rows = []
    for jails in jail_counts:
        with FakeHost(jails, 20) as fake:
            for syscall in (True, False):
                spawned: list[str] = []
                sampler = Sampler(fake.host(syscall, spawned))
                sampler.sample()
                cpu, wall = [], []
                # without the syscall the shell runs one fake rctl, a Python program, per jail
                for _ in range(samples if syscall else 1):
                    spawned.clear()
                    gc.collect()
                    started, thread = time.perf_counter(), time.thread_time()
                    snapshot = sampler.sample()
                    cpu.append(time.thread_time() - thread)
                    wall.append(time.perf_counter() - started)
                rows.append((jails, len(snapshot.processes), syscall, len(spawned),
                             statistics.median(cpu), statistics.median(wall),
                             snapshot.stale or bool(snapshot.warnings)))
    return rows


def report_sampler(rows: list[tuple]) -> None:
    print("\n(2) one sample, FreeBSD backend on the fake tools (median; CPU of the sampling "
          "thread, the fake tools not counted)")
    print(f"    {'jails':>5} {'procs':>6} {'racct':<8} {'spawns':>6} {'CPU ms':>7} {'target':>7}"
          f" {'wall s':>7}")
    for jails, procs, syscall, spawns, cpu, wall, bad in rows:
        target = {100: "<=15", 500: "<=60"}.get(jails, "")
        print(f"    {jails:>5} {procs:>6} {'syscall' if syscall else 'rctl -u':<8} {spawns:>6} "
              f"{cpu * 1000:>7.1f} {target:>7} {wall:>7.2f}" + ("  (stale or warnings!)" if bad else ""))


# -- (3) whole process in tmux -------------------------------------------------------------------

APP_SCRIPT = """
import os, sys, time
sys.path[:0] = [{root!r}, {tests!r}]
from conftest import RootedRunner
from jailtui.engine.freebsd import FreeBSDHost
from jailtui.engine.racct import RacctSyscall
from jailtui.tui.app import JailtuiApp
import importlib.util
spec = importlib.util.spec_from_file_location("fakebin_state", {state_py!r})
fake_state = importlib.util.module_from_spec(spec); spec.loader.exec_module(fake_state)
host = FreeBSDHost(RootedRunner({root_dir!r}),
                   syscall=RacctSyscall(fake_state.KernelLibc({state!r})), timeout=600)
app = JailtuiApp(host, None, interval=1.0, read_only=True)
app.run()
"""


def tmux_cpu(name: str, command: str, seconds: float, warmup: float,
             keys: tuple[str, ...] = (), ready: Callable[[str], bool] | None = None,
             shows: str | None = None) -> tuple[float, float] | None:
    """CPU seconds of the pane's process and of its descendants over ``seconds``: once the
    pane is ``ready`` (at once when None), the ``keys`` are typed, the pane ``shows`` what they
    do, and ``warmup`` seconds pass (a sample in flight ends, the screen settles)."""
    import psutil

    session = f"bench-{name}-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "35",
                    command], check=True)
    try:
        if ready is not None and not _wait_for_pane(session, ready, timeout=600.0):
            return None
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
        if shows is not None and not _wait_for_pane(session, lambda pane: shows in pane, 30.0):
            return None
        time.sleep(warmup)
        panes = subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                               capture_output=True, text=True, check=True).stdout.split()
        if not panes:
            return None
        root = psutil.Process(int(panes[0]))

        def used() -> tuple[float, float]:
            own = root.cpu_times()
            mine = own.user + own.system
            children = own.children_user + own.children_system
            for proc in root.children(recursive=True):
                try:
                    t = proc.cpu_times()
                    children += t.user + t.system
                except psutil.Error:
                    pass
            return mine, children

        start = used()
        time.sleep(seconds)
        if not root.is_running():
            return None
        end = used()
        return end[0] - start[0], end[1] - start[1]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _wait_for_pane(session: str, ready: Callable[[str], bool], timeout: float) -> bool:
    """Wait until the pane's text is ``ready``; False when it is not within ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                              capture_output=True, text=True).stdout
        if ready(pane):
            return True
        time.sleep(0.5)
    return False


def first_sample_shown(pane: str) -> bool:
    """The dashboard shows its first sample: the CPU window starts after it, or it would count
    the first sample and the first frame of every row (at 500 jails they outlast the window)."""
    return "jailtui" in pane and "waiting for the first sample" not in pane


def bench_tmux(jail_counts: tuple[int, ...], seconds: float) -> list[tuple]:
    rows = []
    if shutil.which("tmux") is None:
        return rows
    for tool, command in (("top", "top -d 1"), ("htop", "htop -d 10")):
        if shutil.which(tool) is None:
            rows.append((command, None, None))
            continue
        used = tmux_cpu(tool, command, seconds, 3.0)
        rows.append((command, None if used is None else used[0] / seconds * 100, None))
    for jails in jail_counts:
        with FakeHost(jails, 20) as fake:
            script = fake.dir / "app.py"
            script.write_text(APP_SCRIPT.format(
                root=str(ROOT), tests=str(ROOT / "tests"), state_py=str(FAKEBIN / "state.py"),
                root_dir=str(fake.dir / "root"), state=str(fake.state_path)))
            env = " ".join(f"{key}={value}" for key, value in fake.env.items())
            command = f"env {env} {sys.executable} {script}"
            for label, keys, shows in (("dashboard", (), None), ("paused", ("p",), "PAUSED")):
                used = tmux_cpu(f"jailtui{jails}{label}", command, seconds, 5.0, keys,
                                ready=first_sample_shown, shows=shows)
                shown = f"jailtui, {jails} jails, {label}"
                rows.append((shown, None, None) if used is None else
                            (shown, used[0] / seconds * 100, used[1] / seconds * 100))
    return rows


def report_tmux(rows: list[tuple], seconds: float) -> None:
    print(f"\n(3) whole process over {seconds:.0f} s in tmux 120x35, 1 s refresh, % of one core"
          " (FreeBSD backend on the fake tools, racct syscall)")
    print(f"    {'program':<34} {'own CPU %':>9} {'its fake tools %':>17}")
    for name, own, children in rows:
        print(f"    {name:<34} {'n/a' if own is None else format(own, '.2f'):>9} "
              f"{'' if children is None else format(children, '.2f'):>17}")


# -- (4) start-up and (5) keys -------------------------------------------------------------------

STARTUP_SCRIPT = """
import time
started = time.perf_counter()
import asyncio, sys
sys.path[:0] = [{root!r}]
from jailtui import cli
from jailtui.wiring import FirstSample

# what `jailtui --demo` does (cli._run_tui): the garbage collector held off, the host wired and
# its first sample started, then the dashboard imported and built; headless Textual instead of
# the terminal
args = cli.parse_args(["--demo", "--demo-jails", "{jails}", "--read-only", "--interval", "1"])
import gc
gc.disable()
wiring = cli._wiring(args)
first = FirstSample(wiring.host)
from jailtui.tui.app import build

async def main():
    app = build(args, wiring, first)
    async with app.run_test(size=(160, 50)) as pilot:
        while app.samples < 1:
            await pilot.pause(0.005)
        await pilot.pause()
        print(time.perf_counter() - started)

asyncio.run(main())
"""


def bench_startup(jails: int, runs: int) -> float:
    """Seconds from interpreter start-up to the first frame with data (demo host: the fake
    tools' own start-up would dominate), median of ``runs``; headless Textual. As installed
    (pip compiles every module): with bytecode caches, written by one run not counted, in a
    directory of their own; no config file."""
    with tempfile.TemporaryDirectory(prefix="jailtui-bench-") as scratch:
        env = {key: value for key, value in os.environ.items()
               if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"),
                   XDG_CONFIG_HOME=os.path.join(scratch, "config"),
                   XDG_STATE_HOME=os.path.join(scratch, "state"))
        script = STARTUP_SCRIPT.format(root=str(ROOT), jails=jails)
        times = []
        for _ in range(runs + 1):
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                 check=True, env=env).stdout
            times.append(float(out.split()[-1]))
    return statistics.median(times[1:])


async def bench_keys(jails: int, presses: int) -> dict[str, list[float]]:
    """Key to screen at ``jails`` jails: each press, then until the screen was refreshed."""
    from jailtui.engine.sampler import Sampler
    from jailtui.engine.simulated import ManualClock, SimulatedHost
    from jailtui.tui.app import JailtuiApp

    clock = ManualClock(10_000.0)
    host = SimulatedHost(seed=1, jails=jails, processes_per_jail=20, clock=clock)
    app = JailtuiApp(host, None, interval=1.0, sampler=Sampler(host), autosample=False,
                     read_only=True)
    times: dict[str, list[tuple[float, float]]] = {"cursor down/up": [],
                                                    "/ (open the filter)": []}
    async with app.run_test(size=(160, 50)) as pilot:
        app.apply_snapshot(app.sampler.sample())
        await pilot.pause()

        async def press(key: str) -> tuple[float, float]:
            started, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            return time.perf_counter() - started, time.process_time() - cpu

        for index in range(presses):
            times["cursor down/up"].append(await press("down" if index % 2 == 0 else "up"))
        for _ in range(max(5, presses // 4)):
            times["/ (open the filter)"].append(await press("slash"))
            await press("escape")
    return times


def report_startup(startup: float, jails: int) -> None:
    print(f"\n(4) start-up to the first frame with data, {jails} demo jails: {startup * 1000:.0f} ms"
          " (median; target <= 300 ms)")


def report_latency(keys: dict[str, list[tuple[float, float]]], key_jails: int) -> None:
    print(f"\n(5) key to screen, {key_jails} jails, headless (target p95 <= 50 ms): CPU is "
          "the work a key costs; wall adds the test pilot's own waits for idle")
    for name, pairs in keys.items():
        for label, values in (("CPU", [cpu for _, cpu in pairs]),
                              ("wall", [wall for wall, _ in pairs])):
            ordered = sorted(values)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            print(f"    {name:<22} {label:<5} median {statistics.median(values) * 1000:6.1f} ms"
                  f"   p95 {p95 * 1000:6.1f} ms   ({len(values)} presses)")


# -- (6) memory ------------------------------------------------------------------------------------

def bench_memory(jails: int, samples: int) -> list[tuple[int, float]]:
    """RSS while one Sampler takes ``samples`` samples of the FreeBSD backend as fast as it
    can: the commands' outputs are recorded once from the fake tools and replayed, so only
    jailtui's own parsing and history run (the fake tools would take hours)."""
    import psutil

    from jailtui.engine.sampler import Sampler

    with FakeHost(jails, 20) as fake:
        host = fake.host(True)
        recorded: dict[tuple[str, ...], object] = {}
        real_run = host.runner.run

        def replay(argv, **kwargs):  # type: ignore[no-untyped-def]
            key = tuple(argv)
            if key not in recorded:
                recorded[key] = real_run(argv, **kwargs)
            return recorded[key]

        host.runner.run = replay  # type: ignore[method-assign]
        sampler = Sampler(host)
        me = psutil.Process()
        points = []
        for index in range(1, samples + 1):
            sampler.sample()
            if index in (1, 100, 1000) or index % (samples // 5) == 0:
                points.append((index, me.memory_info().rss / 2**20))
    return points


def report_memory(points: list[tuple[int, float]], jails: int) -> None:
    print(f"\n(6) RSS over {points[-1][0]:,} samples ({jails} jails x 20 processes, outputs "
          "replayed)")
    print("    " + "   ".join(f"{n:,}: {rss:.1f} MiB" for n, rss in points))
    warm = dict(points).get(1000, points[0][1])
    print(f"    growth after warm-up (sample 1,000 to {points[-1][0]:,}): "
          f"{points[-1][1] - warm:+.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter windows")
    parser.add_argument("--seconds", type=float, help="length of each CPU window in tmux")
    parser.add_argument("--skip", default="", help="sections to skip, e.g. 3,6")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    print(f"jailtui benchmark, {time.strftime('%Y-%m-%d')}, {os.uname().sysname} "
          f"{os.uname().machine}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if "1" not in skip:
        report_parse(bench_parse((1000, 20000) if args.quick else (1000, 20000, 100000),
                                 (10, 100) if args.quick else (10, 100, 1000)))
    if "2" not in skip:
        report_sampler(bench_sampler((10, 100) if args.quick else (10, 100, 500),
                                     2 if args.quick else 3))
    if "3" not in skip:
        report_tmux(bench_tmux((100,) if args.quick else (100, 500), seconds), seconds)
    if "4" not in skip:
        report_startup(bench_startup(100, 3 if args.quick else 5), 100)
    if "5" not in skip:
        report_latency(asyncio.run(bench_keys(500, 20 if args.quick else 60)), 500)
    if "6" not in skip:
        jails = 20
        report_memory(bench_memory(jails, 2000 if args.quick else 10000), jails)
    if "7" not in skip:
        sys.path.insert(0, str(ROOT / "scripts"))
        import bench_tui

        print("\n(7) the dashboard's share of a sample, from scripts/bench_tui.py:", end="")
        bench_tui.report_apply(asyncio.run(bench_tui.measure_apply(
            100 if args.quick else 500, 20, 10 if args.quick else 30, (160, 50))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
