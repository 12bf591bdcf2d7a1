"""Helpers for the Pilot tests of changes: an app with Actions, a fake terminal, waiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.simulated import SimulatedHost
from jailtui.tui.app import JailtuiApp
from jailtui.tui.screens.detail import JailDetailScreen

from tui_helpers import ManualClock, SteppingHost, sample, started, wait_until


class Terminal:
    """The injected ``run_foreground``: records each argv and answers ``returncode``."""

    def __init__(self, returncode: int = 0, error: Exception | None = None) -> None:
        self.calls: list[list[str]] = []
        self.returncode = returncode
        self.error = error

    def __call__(self, argv: list[str]) -> int:
        self.calls.append(list(argv))
        if self.error is not None:
            raise self.error
        return self.returncode


class ShellHost(SteppingHost):
    """The demo host with the shell a FreeBSD host has (``jexec``), for the tests of
    suspending the app around it: the injected Terminal records the argv, never runs it."""

    simulated = False

    def shell_argv(self, name: str, command: Any = ()) -> list[str]:
        return ["jexec", "-l", "-U", "root", name, *command]


def make_change_app(tmp_path: Path, *, read_only: bool = False, action_delay: float = 0.0,
                    terminal: Terminal | None = None, real_shell: bool = False) -> JailtuiApp:
    """The demo host (12 jails) with changes on; audit log and rctl.conf under ``tmp_path``;
    ``real_shell``: ``c`` suspends the app for a shell as on FreeBSD (see ShellHost)."""
    clock = ManualClock()
    inner = SimulatedHost(seed=1, jails=12, clock=clock, action_delay=action_delay)
    host = (ShellHost if real_shell else SteppingHost)(inner, clock)
    actions = Actions(host, read_only=read_only, rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(tmp_path / "audit.log"))
    return JailtuiApp(host, actions, interval=60.0, read_only=read_only,
                      run_foreground=terminal or Terminal())


def can_suspend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the headless test driver suspend like a real terminal (doing nothing)."""
    from textual.drivers.headless_driver import HeadlessDriver

    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))
    monkeypatch.setattr(HeadlessDriver, "suspend_application_mode", lambda self: None)
    monkeypatch.setattr(HeadlessDriver, "resume_application_mode", lambda self: None)


async def until_screen(pilot: Any, app: JailtuiApp, kind: type) -> Any:
    await wait_until(pilot, lambda: isinstance(app.screen, kind))
    await pilot.pause()
    return app.screen


async def ask(pilot: Any, app: JailtuiApp, key: str, kind: type | None = None) -> Any:
    """Press ``key`` and wait for the dialog it opens (a confirmation unless ``kind``)."""
    from jailtui.tui.screens.confirm import ConfirmScreen

    await pilot.press(key)
    return await until_screen(pilot, app, kind or ConfirmScreen)


async def answer(pilot: Any, app: JailtuiApp, *keys: str) -> None:
    """Press ``keys`` in a dialog and wait until the change they start has finished."""
    await pilot.press(*keys)
    await settled(pilot, app)


async def settled(pilot: Any, app: JailtuiApp) -> None:
    """Wait until the running change has finished and its sample is applied."""
    await wait_until(pilot, lambda: app.changes is not None and app.changes.busy is None)
    await wait_until(pilot, lambda: not app.sampling)
    await pilot.pause()


async def open_detail(pilot: Any, app: JailtuiApp, name: str, tab: str = "1"
                      ) -> JailDetailScreen:
    await started(pilot, app)
    app.open_jail(name)
    screen = await until_screen(pilot, app, JailDetailScreen)
    await pilot.press(tab)
    await sample(pilot, app)
    return screen


async def palette_hits(pilot: Any, app: JailtuiApp, query: str) -> list[str]:
    """Open the palette with ``:``, type ``query`` (none: list it unasked) and return its
    entries, top first; the palette is left open."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("colon")
    palette = await until_screen(pilot, app, CommandPalette)
    await pilot.press(*query or ["down"])
    options = palette.query_one(CommandList)
    await wait_until(pilot, lambda: options.option_count > 0)
    await pilot.pause(0.4)
    return [str(options.get_option_at_index(i).hit.text) for i in range(options.option_count)]


def notes(app: JailtuiApp) -> str:
    """Every notification shown so far: title and message, one per line."""
    return "\n".join(f"{n.title}: {n.message}" for n in app.notices_shown)


def audit(tmp_path: Path) -> str:
    path = tmp_path / "audit.log"
    return path.read_text() if path.exists() else ""
