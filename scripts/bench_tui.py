#!/usr/bin/env python3
"""Benchmark the dashboard: (a) the cost of applying one sample, (b) its CPU use in tmux.

    .venv/bin/python scripts/bench_tui.py            # full: 500 jails, 60 s CPU runs
    .venv/bin/python scripts/bench_tui.py --quick    # smaller and shorter
    .venv/bin/python scripts/bench_tui.py --skip-cpu # only (a)

(a) Builds snapshots of a demo host with 500 jails x 40 processes (20,000) through the Sampler,
mounts the app headless and applies consecutive snapshots to the jail table, then to one jail's
process table. Reports the diff alone (synchronous), the diff plus the repaint that follows, the
fraction of a 1 s refresh, how many cells each tick changed against the cells in the table (a
keyed diff writes only what changed) and how many row lines it drew again.

(b) Runs ``jailtui --demo --demo-jails 100 --interval 1``, ``top -d 1`` and ``htop -d 10`` each
in its own tmux session (120x35), and reads their CPU time with psutil over the same window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# -- (a) apply cost -----------------------------------------------------------------------------

class Feed:
    """Consecutive snapshots of a demo host, one simulated second apart, made on demand so
    the heap holds what the app holds (one snapshot and the history), not a pile of them."""

    def __init__(self, jails: int, procs: int) -> None:
        from jailtui.engine.sampler import Sampler
        from jailtui.engine.simulated import ManualClock, SimulatedHost

        self.clock = ManualClock(10_000.0)
        self.host = SimulatedHost(seed=1, jails=jails, processes_per_jail=procs,
                                  clock=self.clock)
        self.sampler = Sampler(self.host)
        self.took: list[float] = []

    def __iter__(self) -> Feed:
        return self

    def __next__(self):  # type: ignore[no-untyped-def]
        self.clock.now += 1.0
        started = time.perf_counter()
        snapshot = self.sampler.sample()
        self.took.append(time.perf_counter() - started)
        return snapshot


async def measure_apply(jails: int, procs: int, ticks: int, size: tuple[int, int]) -> dict:
    from jailtui.tui.app import JailtuiApp
    from jailtui.tui.screens.detail import JailDetailScreen
    from jailtui.tui.widgets.jail_table import JailTable, jail_row
    from jailtui.tui.widgets.process_table import ProcessTable

    from jailtui.tui.widgets.jail_table import jail_cells

    feed = Feed(jails, procs)
    app = JailtuiApp(feed.host, None, interval=1.0, sampler=feed.sampler, autosample=False)
    first = next(feed)
    rows = first.jails
    results: dict = {"jails": jails, "processes": len(first.processes)}
    for name, build in (("row_cells_ms", jail_cells), ("row_text_ms", jail_row)):
        started = time.perf_counter()
        for _ in range(5):
            for s in rows:
                build(s)
        results[name] = (time.perf_counter() - started) / 5 * 1000
    async with app.run_test(size=size) as pilot:
        while app.samples < 1:
            await pilot.pause(0.01)
        app.apply_snapshot(next(feed))
        await pilot.pause()
        table = app.screen.query_one(JailTable)
        results["dashboard"] = await _ticks(app, pilot, feed, ticks, table)
        name = max((s for s in rows if s.jail.running), key=lambda s: s.nproc).jail.name
        app.open_jail(name)
        while not isinstance(app.screen, JailDetailScreen):
            await pilot.pause(0.01)
        app.apply_snapshot(next(feed))
        await pilot.pause()
        results["detail"] = await _ticks(app, pilot, feed, ticks,
                                         app.screen.query_one(ProcessTable))
        results["detail"]["jail"] = name
    results["sample_ms"] = statistics.mean(feed.took[1:]) * 1000
    return results


async def _ticks(app, pilot, feed, ticks: int, table) -> dict:  # type: ignore[no-untyped-def]
    applies, totals, cpu, cells, built = [], [], [], [], []
    for _ in range(ticks):
        snapshot = next(feed)
        cells0, built0 = table.cell_updates, table.lines_rendered
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        app.apply_snapshot(snapshot)
        t1 = time.perf_counter()
        await pilot.pause()
        t2 = time.perf_counter()
        cpu.append(time.process_time() - cpu0)
        applies.append(t1 - t0)
        totals.append(t2 - t0)
        cells.append(table.cell_updates - cells0)
        built.append(table.lines_rendered - built0)
    return {
        "rows": table.row_count, "columns": len(table.shown_columns),
        "apply_ms": statistics.mean(applies) * 1000,
        "apply_p95_ms": sorted(applies)[int(0.95 * (len(applies) - 1))] * 1000,
        "apply_repaint_ms": statistics.mean(totals) * 1000,
        "cpu_ms": statistics.mean(cpu) * 1000,
        "cells_per_tick": statistics.mean(cells),
        "lines_per_tick": statistics.mean(built),
        "visible": table.size.height - 1,
    }


def report_apply(r: dict) -> None:
    print(f"\n(a) applying one sample: {r['jails']} jails, {r['processes']} processes")
    print(f"    sampler (SimulatedHost -> Snapshot): {r['sample_ms']:.1f} ms per sample "
          "(in the worker thread)")
    print(f"    row builder: {r['row_cells_ms']:.2f} ms for {r['jails']} rows of cell tuples "
          f"(what a tick builds), {r['row_text_ms']:.2f} ms as rich Text")
    for view in ("dashboard", "detail"):
        v = r[view]
        what = f"jail table, {v['rows']} rows" if view == "dashboard" else \
            f"process table of {v['jail']}, {v['rows']} rows"
        total_cells = v["rows"] * v["columns"]
        print(f"    {view} ({what} x {v['columns']} columns):")
        print(f"      diff applied      {v['apply_ms']:7.2f} ms  (p95 {v['apply_p95_ms']:.2f} ms)"
              f"  = {v['apply_ms'] / 10:.2f}% of a 1 s refresh")
        print(f"      diff + repaint    {v['cpu_ms']:7.2f} ms CPU (wall {v['apply_repaint_ms']:.1f}"
              f" ms) = {v['cpu_ms'] / 10:.2f}% of a 1 s refresh")
        print(f"      cells rewritten   {v['cells_per_tick']:7.1f} per tick of {total_cells} "
              f"({v['cells_per_tick'] / max(1, total_cells) * 100:.1f}%)")
        print(f"      lines redrawn     {v['lines_per_tick']:7.1f} per tick of {v['visible']} "
              "on the screen (row strips built)")


# -- (b) CPU in tmux ----------------------------------------------------------------------------

def tmux_cpu(name: str, command: str, seconds: float, warmup: float, size: tuple[int, int],
             probe: Path | None = None) -> tuple[float, float | None] | None:
    """CPU seconds used by ``command`` (and its children) in a tmux pane over ``seconds``,
    and, when ``probe`` is given, the part the app reports as spent in Sampler.sample()."""
    import psutil

    session = f"bench-{name}-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]),
                    "-y", str(size[1]), command], check=True)
    try:
        time.sleep(warmup)
        out = subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout.split()
        if not out:
            return None
        root = psutil.Process(int(out[0]))

        def total() -> float:
            used = 0.0
            for proc in [root, *root.children(recursive=True)]:
                try:
                    t = proc.cpu_times()
                    used += t.user + t.system
                except psutil.Error:
                    pass
            return used

        def sampled() -> float | None:
            try:
                return float(probe.read_text()) if probe else None
            except (OSError, ValueError):
                return None

        start, sample_start = total(), sampled()
        time.sleep(seconds)
        if not root.is_running():
            return None
        sample_end = sampled()
        sampling = None if sample_start is None or sample_end is None else \
            sample_end - sample_start
        return total() - start, sampling
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def run_probed_app(probe: Path, argv: list[str]) -> int:
    """The jailtui CLI, writing the CPU time spent in Sampler.sample() to ``probe`` each
    second (the demo host's simulation plus the sampler's derivations)."""
    import threading

    from jailtui import cli
    from jailtui.engine import sampler as sampler_module

    spent = [0.0]
    original = sampler_module.Sampler.sample

    def sample(self):  # type: ignore[no-untyped-def]
        started = time.thread_time()
        try:
            return original(self)
        finally:
            spent[0] += time.thread_time() - started

    sampler_module.Sampler.sample = sample  # type: ignore[method-assign]

    def write() -> None:
        while True:
            probe.write_text(f"{spent[0]:.6f}")
            time.sleep(1.0)

    threading.Thread(target=write, daemon=True).start()
    return cli.main(argv)


def measure_cpu(seconds: float, jails: int) -> list[tuple[str, str, float | None, float | None]]:
    import tempfile

    probe = Path(tempfile.mkstemp(prefix="jailtui-bench-", suffix=".cpu")[1])
    demo = f"--demo --demo-jails {jails} --interval 1"
    runs = [
        ("jailtui", f"{sys.executable} {Path(__file__).resolve()} --probe {probe} {demo}",
         f"jailtui {demo}", probe),
        ("top", "top -d 1", "top -d 1", None),
        ("htop", "htop -d 10", "htop -d 10", None),
    ]
    results = []
    try:
        for name, command, shown, probe_file in runs:
            if probe_file is None and shutil.which(command.split()[0]) is None:
                results.append((name, shown, None, None))
                continue
            used = tmux_cpu(name, command, seconds, 5.0, (120, 35), probe_file)
            if used is None:
                results.append((name, shown, None, None))
                continue
            total, sampling = used
            results.append((name, shown, total / seconds * 100,
                            None if sampling is None else sampling / seconds * 100))
    finally:
        probe.unlink(missing_ok=True)
    return results


def report_cpu(results: list[tuple[str, str, float | None, float | None]],
               seconds: float) -> None:
    print(f"\n(b) CPU over {seconds:.0f} s, 1 s refresh, tmux 120x35 "
          f"({os.cpu_count()} CPUs, % of one core)")
    print(f"    {'program':<10} {'CPU %':>7}  command")
    for name, command, percent, sampling in results:
        shown = "n/a (not installed)" if percent is None else f"{percent:.2f}"
        print(f"    {name:<10} {shown:>7}  {command}")
        if sampling is not None and percent is not None:
            print(f"    {'':<10} {sampling:>7.2f}  of which Sampler.sample() (demo host "
                  f"simulation + sampler), TUI itself {percent - sampling:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="100 jails x 20 processes, 10 ticks, 10 s CPU runs")
    parser.add_argument("--jails", type=int)
    parser.add_argument("--processes", type=int, help="processes per jail")
    parser.add_argument("--ticks", type=int)
    parser.add_argument("--seconds", type=float, help="length of each CPU run")
    parser.add_argument("--skip-cpu", action="store_true")
    parser.add_argument("--size", default="160x50", help="terminal of the apply benchmark")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.probe is not None:
        return run_probed_app(args.probe, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    jails = args.jails or (100 if args.quick else 500)
    procs = args.processes or (20 if args.quick else 40)
    ticks = args.ticks or (10 if args.quick else 30)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    size = tuple(int(n) for n in args.size.lower().split("x"))
    report_apply(asyncio.run(measure_apply(jails, procs, ticks, size)))
    if not args.skip_cpu:
        if shutil.which("tmux") is None:
            print("\n(b) skipped: tmux is not installed")
        else:
            report_cpu(measure_cpu(seconds, 100), seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
