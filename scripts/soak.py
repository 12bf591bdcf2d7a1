#!/usr/bin/env python3
"""Soak: the dashboard on the simulated host, sampling every 0.1 s for N minutes.

    .venv/bin/python scripts/soak.py --minutes 60    # the documented run: one hour
    .venv/bin/python scripts/soak.py --minutes 2     # what the test suite runs

While it runs it moves around like an operator (opens jails, switches tabs, sorts, restarts a
jail now and then). After a warm-up that fills the history rings it checks, every few
seconds and always on the jail list with no notification showing: resident memory stays
within --max-growth MiB of the warm-up figure (Textual's render caches fill for a few minutes,
then it is flat); the number of live timers, Textual workers and threads never rises over
its warm-up figure, nor that of widgets by more than SLACK (at most one sampling thread at a
time); no sample went stale, no error was notified
and the event log holds no failure.
It prints one JSON report and exits 0 when every check held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from textual.timer import Timer
from textual.widget import Widget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jailtui.engine.actions import Actions  # noqa: E402
from jailtui.engine.audit import AuditLog  # noqa: E402
from jailtui.engine.sampler import Snapshot  # noqa: E402
from jailtui.engine.simulated import SimulatedHost  # noqa: E402
from jailtui.tui import app as app_module  # noqa: E402
from jailtui.tui.app import JailtuiApp  # noqa: E402
from jailtui.tui.screens.confirm import ConfirmScreen  # noqa: E402
from jailtui.tui.screens.detail import JailDetailScreen  # noqa: E402

SAMPLER_THREAD = "jailtui-sample"
#: How far each count may rise over its warm-up figure: a screen just closed may not be
#: collected yet, anything else must not grow at all.
SLACK = {"timers": 0, "widgets": 10, "workers": 0, "threads": 0}


class SoakApp(JailtuiApp):
    """The dashboard, remembering every error it shows."""

    CSS_PATH = Path(app_module.__file__).with_name("app.tcss")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: list[str] = []

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               **kwargs: Any) -> None:
        if severity == "error":
            self.errors.append(f"notified: {title}: {message}")
        super().notify(message, title=title, severity=severity, **kwargs)  # type: ignore[arg-type]

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.stale:
            self.errors.append(f"stale sample: {snapshot.error}")
        super().apply_snapshot(snapshot)


def live(*kinds: type) -> list[int]:
    """How many objects of each of ``kinds`` are alive (after a collection)."""
    gc.collect()
    objects = gc.get_objects()
    return [sum(1 for obj in objects if isinstance(obj, kind)) for kind in kinds]


def threads() -> tuple[int, int]:
    """(threads other than sampling ones, sampling threads) alive now."""
    names = [thread.name for thread in threading.enumerate()]
    sampling = names.count(SAMPLER_THREAD)
    return len(names) - sampling, sampling


class Soak:
    def __init__(self, app: SoakApp, args: argparse.Namespace) -> None:
        self.app = app
        self.args = args
        self.process = psutil.Process()
        self.baseline: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.problems: dict[str, str] = {}
        self.checks = 0
        self.rss: list[float] = []

    def measure(self) -> dict[str, int]:
        other, sampling = threads()
        timers, widgets = live(Timer, Widget)
        return {"rss": self.process.memory_info().rss, "timers": timers, "widgets": widgets,
                "workers": len(self.app.workers), "threads": other, "sampling": sampling}

    def check(self) -> None:
        now = self.measure()
        self.checks += 1
        self.rss.append(round(now["rss"] / 2**20, 1))
        for key, value in now.items():
            self.peak[key] = max(self.peak.get(key, value), value)
        if not self.baseline:
            self.baseline = now
            return
        growth = now["rss"] - self.baseline["rss"]
        if growth > self.args.max_growth * 2**20:
            self.problems["rss"] = f"memory grew by {growth / 2**20:.1f} MiB since the warm-up"
        for key, slack in SLACK.items():
            if now[key] > self.baseline[key] + slack:
                self.problems[key] = f"{key}: {now[key]} now, {self.baseline[key]} after the warm-up"
        if now["sampling"] > 1:
            self.problems["sampling"] = f"{now['sampling']} sampling threads at once"

    async def run(self, pilot: Any) -> None:
        args = self.args
        start = time.monotonic()
        end = start + args.minutes * 60
        warm = start + args.warmup
        next_check = warm
        next_move = start + 2
        step = 0
        while time.monotonic() < end:
            await pilot.pause(0.25)
            now = time.monotonic()
            if now >= next_move:
                await self.move(pilot, step)
                step += 1
                next_move = time.monotonic() + args.move_every
            if now >= next_check:
                await self.quiet(pilot)
                self.check()
                next_check = time.monotonic() + args.check_every
        await self.quiet(pilot)
        self.check()

    async def quiet(self, pilot: Any) -> None:
        """The same view each time it is measured: the jail list, no change running, no
        notification showing (each holds a timer until it expires)."""
        app = self.app
        await self.back_to_dashboard(pilot)
        for _ in range(300):
            if not app.changes.busy and not app.query("Toast"):
                break
            await pilot.pause(0.05)

    async def move(self, pilot: Any, step: int) -> None:
        """One operator move: open a jail, look at a tab, sort, or restart a jail (one that
        jailtui would restart: a jail made by hand is refused, and that is no fault)."""
        app = self.app
        snapshot = app.snapshot
        if snapshot is None or app.changes is None or app.changes.busy:
            return
        running = [stats.name for stats in snapshot.jails if stats.jail.running]
        if not running:
            return
        name = running[step % len(running)]
        kind = step % 4
        await self.back_to_dashboard(pilot)
        if kind == 0:
            app.open_jail(name)
            await pilot.pause(0.3)
            await pilot.press("5")
            await pilot.pause(0.5)
            await pilot.press("t" if step % 8 == 0 else "1")
            await pilot.pause(0.3)
        elif kind == 1:
            await pilot.press("s")
        elif kind == 2:
            restartable = [stats.name for stats in snapshot.jails if stats.jail.running
                           and not app.changes.actions.plan("restart", stats.jail).refused]
            if not restartable:
                return
            app.dashboard.select_jail(restartable[step % len(restartable)])
            await pilot.press("R")
            for _ in range(20):
                await pilot.pause(0.05)
                if isinstance(app.screen, ConfirmScreen):
                    await pilot.press("y")
                    break
        else:
            await pilot.press("question_mark")
            await pilot.pause(0.3)
            await pilot.press("escape")

    async def back_to_dashboard(self, pilot: Any) -> None:
        app = self.app
        for _ in range(5):
            if app.screen is app.dashboard:
                return
            await pilot.press("escape")
            await pilot.pause(0.1)
            if isinstance(app.screen, JailDetailScreen):
                app.close_jail(app.screen.jail_name)

    def report(self) -> dict[str, Any]:
        app = self.app
        failed = [f"event log: {o.summary}: {o.message}"
                  for o in (app.changes.outcomes if app.changes else []) if not o.ok]
        errors = app.errors + failed
        return {
            "ok": not self.problems and not errors and app.samples >= self.min_samples(),
            "minutes": self.args.minutes, "interval": self.args.interval,
            "samples": app.samples, "changes": len(app.changes.outcomes) if app.changes else 0,
            "checks": self.checks, "baseline": self.baseline, "peak": self.peak,
            "rss_mib": self.rss,
            "problems": list(self.problems.values()), "errors": errors[:20],
        }

    def min_samples(self) -> int:
        """A quarter of the samples the interval asks for: fewer means the app stalled."""
        return int(self.args.minutes * 60 / max(self.args.interval, 0.1) / 4)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=60.0, help="how long (default 60)")
    p.add_argument("--interval", type=float, default=0.1, help="sampling interval (0.1 s)")
    p.add_argument("--jails", type=int, default=12, help="jails on the simulated host")
    p.add_argument("--warmup", type=float, default=45.0,
                   help="seconds before the baseline is taken (history rings fill at 300 samples)")
    p.add_argument("--check-every", type=float, default=10.0, help="seconds between checks")
    p.add_argument("--move-every", type=float, default=3.0, help="seconds between moves")
    p.add_argument("--max-growth", type=float, default=24.0,
                   help="MiB resident memory may grow after the warm-up (default 24)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jailtui-soak-") as tmp:
        host = SimulatedHost(seed=7, jails=args.jails)
        actions = Actions(host, rctl_conf=Path(tmp) / "rctl.conf",
                          audit=AuditLog(Path(tmp) / "audit.log"))
        app = SoakApp(host, actions, interval=args.interval)
        soak = Soak(app, args)

        async def go() -> None:
            async with app.run_test(size=(160, 50)) as pilot:
                await soak.run(pilot)

        asyncio.run(go())
    report = soak.report()
    print(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
