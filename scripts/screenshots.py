#!/usr/bin/env python3
"""Render SVG screenshots of the dashboard, a jail's detail, the limit editor and the help
from the demo host.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--size 120x35]

Writes dashboard.svg, detail.svg, detail-history.svg, limit-editor.svg and help.svg. The demo
host runs on a stepped clock so the pictures are the same on every run; nothing is changed on
it (the editor is shown, not applied) and no audit log is written.

With tmux installed it also writes dashboard-16colors.svg: the demo run in a stock tmux
(TERM=screen, no COLORTERM: the 16 ANSI colours) and the pane captured with its escapes, so the
picture is what that terminal really shows (live demo data, not the stepped clock).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jailtui.engine.actions import Actions  # noqa: E402
from jailtui.engine.audit import AuditLog  # noqa: E402
from jailtui.engine.simulated import ManualClock, SimulatedHost  # noqa: E402
from jailtui.tui.app import JailtuiApp  # noqa: E402
from jailtui.tui.screens.detail import JailDetailScreen  # noqa: E402
from jailtui.tui.screens.help import HelpScreen  # noqa: E402
from jailtui.tui.screens.limit_editor import LimitEditor  # noqa: E402


class SteppedHost:
    """The demo host, two seconds of simulated time per sample."""

    def __init__(self, inner: SimulatedHost, clock: ManualClock) -> None:
        self.inner = inner
        self.clock = clock

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)

    def sample(self):  # type: ignore[no-untyped-def]
        self.clock.now += 2.0
        return self.inner.sample()


async def until(pilot, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise SystemExit("screenshots: the app did not get there in time")
        await pilot.pause(0.02)


async def take(out: Path, size: tuple[int, int], history: int) -> list[Path]:
    clock = ManualClock(10_000.0)
    host = SteppedHost(SimulatedHost(seed=1, jails=12, clock=clock), clock)
    actions = Actions(host, audit=AuditLog(None))
    app = JailtuiApp(host, actions, interval=2.0, autosample=False)
    written = []
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.samples >= 1)
        for _ in range(history):
            target = app.samples + 1
            app.request_sample()
            await until(pilot, lambda: app.samples >= target)
        await pilot.pause(0.2)
        written.append(Path(app.save_screenshot("dashboard.svg", str(out))))
        busiest = max((s for s in app.snapshot.jails if s.jail.running and s.limits),
                      key=lambda s: s.cpu, default=None) or app.snapshot.jails[0]
        app.open_jail(busiest.jail.name)
        await until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
        await pilot.pause(0.3)
        written.append(Path(app.save_screenshot("detail.svg", str(out))))
        await pilot.press("5")
        await pilot.pause(0.3)
        written.append(Path(app.save_screenshot("detail-history.svg", str(out))))
        await pilot.press("2", "L")
        await until(pilot, lambda: isinstance(app.screen, LimitEditor))
        app.screen.query_one("#amount").value = "512m"
        await pilot.pause(0.3)
        written.append(Path(app.save_screenshot("limit-editor.svg", str(out))))
        await pilot.press("escape", "1", "escape")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.3)
        written.append(Path(app.save_screenshot("help.svg", str(out))))
    return written


def terminal_shot(out: Path, size: tuple[int, int], seconds: float = 20.0) -> Path | None:
    """The dashboard as a 16-colour tmux pane shows it; None without tmux."""
    if shutil.which("tmux") is None:
        return None
    from rich.console import Console
    from rich.terminal_theme import MONOKAI
    from rich.text import Text

    socket = f"jailtui-shot-{os.getpid()}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLORTERM", "NO_COLOR", "TMUX", "TEXTUAL_COLOR_SYSTEM")}
    env["XDG_CONFIG_HOME"] = str(out / ".no-config")  # the defaults, not the user's config
    app = shlex.join([sys.executable, "-m", "jailtui", "--demo"])
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    try:
        subprocess.run([*tmux, "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]),
                        f"cd {shlex.quote(str(ROOT))} && TERM=screen exec {app}"],
                       env=env, check=True)
        time.sleep(seconds)
        pane = subprocess.run([*tmux, "capture-pane", "-e", "-p"], env=env, check=True,
                              capture_output=True, text=True).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, capture_output=True)
    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=size[0], color_system="standard", file=sink,
                          force_terminal=True)
        console.print(Text.from_ansi(pane.rstrip("\n")), end="", overflow="crop",
                      no_wrap=True)
    path = out / "dashboard-16colors.svg"
    path.write_text(console.export_svg(title="jailtui in tmux, TERM=screen (16 colours)",
                                       theme=MONOKAI))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="120x35", help="COLUMNSxROWS (default 120x35)")
    parser.add_argument("--history", type=int, default=90,
                        help="samples taken before the pictures, for the charts (default 90)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(args.out, (width, height), args.history)):
        print(path)
    shot = terminal_shot(args.out, (width, height))
    print(shot if shot else "tmux not found: no 16-colour screenshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
