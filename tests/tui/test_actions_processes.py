"""The jail shell (suspending the app, with an injected runner, on the demo host given the
shell of a FreeBSD host), one command with its output, and signals to a process."""

from __future__ import annotations

from textual.widgets import Button, Input

from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.result import ResultScreen
from jailtui.tui.screens.run_command import CommandScreen
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.process_table import ProcessTable

from actions_helpers import (Terminal, answer, ask, audit, can_suspend, make_change_app, notes,
                             open_detail, settled, until_screen)
from tui_helpers import run, sample


def test_shell_suspends_runs_the_argv_and_returns_to_the_same_view(tmp_path,
                                                                      monkeypatch) -> None:
    can_suspend(monkeypatch)
    terminal = Terminal(returncode=0)

    async def go() -> None:
        app = make_change_app(tmp_path, terminal=terminal, real_shell=True)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab="3")
            await answer(pilot, app, "c")
            assert len(terminal.calls) == 1
            argv = terminal.calls[0]
            assert argv == ["jexec", "-l", "-U", "root", "www", "/bin/sh"]
            assert app.screen is detail and detail.active_tab == "resources"
            assert "action=jail-shell target=jail:www result=ok detail=/bin/sh" in audit(tmp_path)
    run(go())


def test_shell_from_the_jail_list_and_a_failing_shell(tmp_path, monkeypatch) -> None:
    can_suspend(monkeypatch)
    terminal = Terminal(returncode=127)

    async def go() -> None:
        app = make_change_app(tmp_path, terminal=terminal, real_shell=True)
        async with app.run_test(size=(120, 35)) as pilot:
            await sample(pilot, app)
            dashboard = app.screen
            dashboard.select_jail("db")
            await answer(pilot, app, "c")
            assert terminal.calls[0][-2:] == ["db", "/bin/sh"]
            assert app.screen is dashboard
            assert "back from the shell (exit status 127)" in notes(app)
            dashboard.select_jail("staging")
            await pilot.press("c")
            await pilot.pause()
            assert "jail staging is not running" in notes(app) and len(terminal.calls) == 1
    run(go())


def test_a_terminal_that_cannot_suspend_gets_a_message(tmp_path) -> None:
    terminal = Terminal()

    async def go() -> None:
        app = make_change_app(tmp_path, terminal=terminal, real_shell=True)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            await answer(pilot, app, "c")
            assert terminal.calls == []
            assert "cannot suspend this terminal" in notes(app)
            assert app.screen is detail
    run(go())


def test_a_shell_that_cannot_run_gets_a_message(tmp_path, monkeypatch) -> None:
    can_suspend(monkeypatch)
    terminal = Terminal(error=FileNotFoundError(2, "No such file or directory"))

    async def go() -> None:
        app = make_change_app(tmp_path, terminal=terminal, real_shell=True)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            await answer(pilot, app, "c")
            assert "cannot run jexec: " in notes(app)
            assert "No such file or directory" in notes(app)
            assert app.screen is detail
    run(go())


def test_run_one_command_and_see_its_output(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            form = await ask(pilot, app, "exclamation_mark", CommandScreen)
            run_button = form.query_one("#run", Button)
            assert run_button.disabled
            await pilot.press(*"echo 'a [b]")
            await pilot.pause()
            assert run_button.disabled
            assert "cannot split the command line" in form.query_one("#preview").render().plain
            form.query_one(Input).value = "echo '[red]x[/red]' [/]"
            await pilot.pause()
            assert not run_button.disabled
            result = await ask(pilot, app, "enter", ResultScreen)
            await settled(pilot, app)
            assert result.outcome.ok and result.outcome.message == "exit status 0"
            assert result.query_one("#stdout").render().plain == "[red]x[/red] [/]"
            await pilot.press("escape")
            await until_screen(pilot, app, JailDetailScreen)
            await ask(pilot, app, "exclamation_mark", CommandScreen)
            await pilot.press(*"nosuch --flag", "enter")
            result = await until_screen(pilot, app, ResultScreen)
            await settled(pilot, app)
            assert "exit status 1" in result.text and "nosuch: No such file" in result.text
            await pilot.press("q")
            await until_screen(pilot, app, JailDetailScreen)
            assert app.screen is detail
            assert "action=jail-exec target=jail:www result=\"failed: exit status 1\"" \
                in audit(tmp_path)
    run(go())


def test_signal_a_process_after_choosing_the_signal(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www")
            table = detail.query_one(ProcessTable)
            jail = app.snapshot.jail("www").jail
            victim = next(p for p in app.snapshot.processes
                          if p.jid == jail.jid and p.ppid != 1 and p.pid != 1)
            assert table.select_key(str(victim.pid))
            dialog = await ask(pilot, app, "K", SignalScreen)
            assert f"PID {victim.pid} {victim.command}" in dialog.text
            assert f"Send SIGTERM to {victim.pid}" in dialog.text
            await pilot.press("escape")
            await until_screen(pilot, app, JailDetailScreen)
            assert victim.pid in {p.pid for p in app.host.inner.processes("www")}
            dialog = await ask(pilot, app, "K", SignalScreen)
            await pilot.press("k")
            await pilot.pause()
            assert f"Send SIGKILL to {victim.pid}" in dialog.text
            await answer(pilot, app, "y")
            assert victim.pid not in {p.pid for p in app.host.inner.processes("www")}
            assert f"sent SIGKILL to PID {victim.pid}" in notes(app)
            assert f"action=signal target=pid:{victim.pid} result=ok detail=signal=KILL" \
                in audit(tmp_path)
            assert str(victim.pid) not in list(table.keys)
    run(go())


def test_signal_is_only_offered_on_the_processes_tab(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab="2")
            assert "K" not in detail.active_bindings and "e" in detail.active_bindings
            await pilot.press("1")
            await pilot.pause()
            assert "K" in detail.active_bindings and "e" not in detail.active_bindings
    run(go())
