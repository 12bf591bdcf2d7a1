"""The demo is clearly a demo: ``c`` opens the demo's simulated shell in the dashboard, whose
commands run in the simulated jail (the path of ``!``), never a shell on this machine."""

from __future__ import annotations

from typing import Any


from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.demo_shell import DemoShellScreen
from jailtui.tui.screens.detail import JailDetailScreen

from actions_helpers import Terminal, audit, can_suspend, make_change_app, notes, open_detail, \
    palette_hits, until_screen
from tui_helpers import run, started, wait_until


async def typed(pilot: Any, shell: DemoShellScreen, line: str) -> None:
    before = len(shell.transcript)
    await pilot.press(*line, "enter")
    await wait_until(pilot, lambda: len(shell.transcript) > before
                     and not shell.query_one("#command").disabled)
    await pilot.pause()


def test_c_on_the_demo_opens_the_simulated_shell_not_one_on_this_machine(tmp_path,
                                                                         monkeypatch) -> None:
    can_suspend(monkeypatch)
    terminal = Terminal()

    async def go() -> None:
        app = make_change_app(tmp_path, terminal=terminal)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab="3")
            await pilot.press("c")
            shell = await until_screen(pilot, app, DemoShellScreen)
            assert shell.text.startswith("jailtui demo: a simulated shell in simulated jail "
                                         "www; nothing runs on this machine. It knows echo, ")
            await typed(pilot, shell, "hostname")
            await typed(pilot, shell, "uname -s")
            await typed(pilot, shell, "ls /root")
            assert shell.text.splitlines()[1:] == [
                "root@www:/ # hostname", "www.example.org",
                "root@www:/ # uname -s", "FreeBSD",
                "root@www:/ # ls /root", "jexec: execvp: ls: No such file or directory"]
            assert "action=jail-exec target=jail:www result=ok detail=hostname" in audit(tmp_path)
            assert 'detail="ls /root"' in audit(tmp_path)
            await pilot.press(*"exit", "enter")
            await until_screen(pilot, app, JailDetailScreen)
            assert app.screen is detail and detail.active_tab == "resources"
            assert terminal.calls == [], "nothing ran on this machine's terminal"
            assert "jail-shell" not in audit(tmp_path)
    run(go())


def test_the_palette_shell_is_the_simulated_one_too(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            shown = await palette_hits(pilot, app, "shell in db")
            await pilot.press(*["down"] * shown.index("Shell in db"), "enter")
            shell = await until_screen(pilot, app, DemoShellScreen)
            assert shell.shell.jail == "db"
            await pilot.press("escape")
            await until_screen(pilot, app, DashboardScreen)
    run(go())


def test_the_simulated_shell_keeps_what_a_jail_prints_inert(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            await pilot.press("c")
            shell = await until_screen(pilot, app, DemoShellScreen)
            await typed(pilot, shell, "echo '[red]x[/red]' [/]")
            assert shell.text.splitlines()[-1] == "[red]x[/red] [/]"
            assert "\x1b" not in app.export_screenshot()
    run(go())


def test_a_stopped_jail_or_read_only_gets_no_shell(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path, read_only=True)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("www")
            await pilot.press("c")
            await pilot.pause(0.2)
            assert isinstance(app.screen, DashboardScreen) and "read-only" in notes(app)
    run(go())
