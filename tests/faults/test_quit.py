"""Quitting never waits for the host: ``q`` and ^C end the dashboard at once while a tool hangs,
the hung commands' process groups die, and a start/stop under way is left to finish."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jailtui.tui.app import JailtuiApp

from faults_helpers import alive, faulty, freebsd_app, write_conf  # noqa: F401

def _app(fake, tmp_path: Path, timeout: float = 60.0) -> JailtuiApp:  # type: ignore[no-untyped-def]
    return freebsd_app(fake, tmp_path, timeout=timeout)


def _gone(pids: list[int], within: float = 2.0) -> bool:
    end = time.monotonic() + within
    while any(alive(pid) for pid in pids):
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
def test_quit_at_once_while_a_tool_hangs(faulty, tmp_path, key) -> None:  # noqa: F811
    faulty.fault("jls", "hang:15")
    app = _app(faulty, tmp_path)
    pressed: list[float] = []

    async def go() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            end = time.monotonic() + 5
            while len(faulty.hung_pids()) < 2 and time.monotonic() < end:
                await pilot.pause(0.05)
            assert app.sampling and len(faulty.hung_pids()) == 2
            pressed.append(time.monotonic())
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.exit_requested, f"{key} did not quit"

    asyncio.run(go())  # returns only when every thread the app waits for has ended
    took = time.monotonic() - pressed[0]
    assert took < 3, f"quitting took {took:.1f} s"
    assert _gone(faulty.hung_pids()), "the hung jls and its child outlived the app"


def test_a_start_under_way_is_left_to_finish_with_a_notice(faulty, tmp_path) -> None:  # noqa: F811
    app = _app(faulty, tmp_path)
    pressed: list[float] = []

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            end = time.monotonic() + 10
            while app.samples < 1 and time.monotonic() < end:
                await pilot.pause(0.05)
            faulty.fault("service", "slow:2")
            app.dashboard.select_jail("db1")
            await pilot.press("U")
            await pilot.pause(0.3)
            await pilot.press("y")
            end = time.monotonic() + 5
            while app.changes.busy is None and time.monotonic() < end:
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            pressed.append(time.monotonic())
            await pilot.press("q")

    asyncio.run(go())
    assert time.monotonic() - pressed[0] < 1.5
    assert app.quit_notice == ("left running in the background: starting jail db1 (stopped)… "
                               "('jailtui ls' shows how it ends)")
    end = time.monotonic() + 6
    while not any(j["name"] == "db1" for j in faulty.state()["jails"]):
        assert time.monotonic() < end, "the start was cut when the app quit"
        time.sleep(0.1)
    time.sleep(0.5)
    records = [line for line in (tmp_path / "audit.log").read_text().splitlines()
               if "action=jail-start" in line]
    assert len(records) == 1 and records[0].endswith(
        ' target=jail:db1 result="unknown: jailtui quit while it ran, which left it running '
        'in the background"'), records


def _run_in_terminal(faulty, tmp_path: Path, keys: bytes) -> tuple[float, str]:  # noqa: F811
    """Start the real jailtui in a pseudo-terminal, wait for the hang, send ``keys``; returns
    the seconds until it exited and what it printed."""
    args = ["--backend", "freebsd", "--jail-conf", str(write_conf(tmp_path)), "--timeout", "60",
            "--audit-log", str(tmp_path / "a.log"), "--rctl-conf", str(tmp_path / "rctl.conf")]
    code = "import sys; from jailtui.cli import main; sys.exit(main(sys.argv[1:]))"
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    output = bytearray()

    def drain() -> None:
        while True:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    return
                if not data:
                    return
                output.extend(data)
            elif proc.poll() is not None:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        end = time.monotonic() + 20
        while len(faulty.hung_pids()) < 2 or len(output) < 2000:
            assert time.monotonic() < end and proc.poll() is None, bytes(output)[-2000:]
            time.sleep(0.1)
        time.sleep(0.5)
        sent = time.monotonic()
        os.write(master, keys)
        proc.wait(15)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        reader.join(2)
        os.close(master)
    return took, bytes(output).decode("utf-8", "replace")


@pytest.mark.parametrize("keys", [b"q", b"\x03"], ids=["q", "ctrl-c"])
def test_in_a_real_terminal_quit_is_immediate_while_jls_hangs(faulty, tmp_path, keys) -> None:  # noqa: F811
    faulty.fault("jls", "hang:12")
    took, output = _run_in_terminal(faulty, tmp_path, keys)
    assert took < 3, f"jailtui took {took:.1f} s to quit"
    assert "Traceback" not in output
    assert _gone(faulty.hung_pids()), "the hung jls and its child outlived jailtui"


def test_the_quit_notice_reaches_the_terminal_as_one_safe_line(monkeypatch, capsys,
                                                                 tmp_path) -> None:
    from jailtui.cli import parse_args
    from jailtui.tui import app as app_module

    def quit_during_a_start(self) -> None:  # type: ignore[no-untyped-def]
        self.quit_notice = "left running in the background: starting jail \x1b]2;x\x07db…"

    monkeypatch.setattr(JailtuiApp, "run", quit_during_a_start)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    args = parse_args(["--demo", "--audit-log", str(tmp_path / "a.log")])
    assert app_module.run(args) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "jailtui: left running in the background: starting jail \\e]2;x\\adb…")
