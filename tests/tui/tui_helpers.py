"""Helpers for the Pilot tests: a stepping clock, hosts that fail or add processes, waiting."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

pytest.importorskip("textual")

from jailtui.engine.model import Process, Sample  # noqa: E402
from jailtui.engine.simulated import ManualClock  # noqa: E402
from jailtui.engine.simulated import SimulatedHost  # noqa: E402
from jailtui.tui.app import JailtuiApp  # noqa: E402


class SteppingHost:
    """Wraps a host: moves the clock a second before each sample, can fail or add processes."""

    def __init__(self, inner: Any, clock: ManualClock) -> None:
        self.inner = inner
        self.clock = clock
        self.fail_next: list[Exception] = []
        self.extra: Callable[[Sample], tuple[Process, ...]] | None = None
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def sample(self) -> Sample:
        self.calls += 1
        self.clock.advance(1.0)
        if self.fail_next:
            raise self.fail_next.pop(0)
        sample = self.inner.sample()
        if self.extra is not None:
            sample = dataclasses.replace(sample, processes=sample.processes + self.extra(sample))
        return sample


def make_app(jails: int = 12, interval: float = 60.0, racct: bool = True,
             read_only: bool = False, processes_per_jail: int | None = None) -> JailtuiApp:
    clock = ManualClock()
    inner = SimulatedHost(seed=1, jails=jails, clock=clock, racct=racct,
                          processes_per_jail=processes_per_jail)
    return JailtuiApp(SteppingHost(inner, clock), None, interval=interval, read_only=read_only)


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coro)


async def wait_until(pilot: Any, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.01)


async def sample(pilot: Any, app: JailtuiApp, count: int = 1) -> None:
    """Trigger ``count`` samples and wait until each one is applied."""
    for _ in range(count):
        target = app.samples + 1
        await wait_until(pilot, lambda: not app.sampling)
        app.request_sample()
        await wait_until(pilot, lambda: app.samples >= target)
    await pilot.pause()


async def started(pilot: Any, app: JailtuiApp, samples: int = 2) -> None:
    """Wait for the first sample, then take more so CPU% has a baseline."""
    await wait_until(pilot, lambda: app.samples >= 1)
    await sample(pilot, app, samples - 1)


def screen_lines(app: JailtuiApp) -> list[str]:
    """The screen as the terminal shows it, one string per line (from the SVG export)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, svg):
        x, y = float(match[1]), float(match[2])
        text = html.unescape(match[3]).replace("\xa0", " ")
        rows.setdefault(y, []).append((x, text))
    char_width = min((x for row in rows.values() for x, _ in row if x > 0), default=12.2)
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / char_width)) + text
        lines.append(line)
    return lines
