"""The TUI's changes on the FreeBSD path: FreeBSDHost against the fake tools, where each action
must run exactly the expected commands and failures must read well in the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.freebsd import JLS_PARAMS
from jailtui.tui.app import JailtuiApp
from jailtui.tui.screens.confirm import ConfirmScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.limit_editor import LimitEditor
from jailtui.tui.screens.result import ResultScreen
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.detail_tables import LimitsTable
from jailtui.tui.widgets.process_table import ProcessTable

from actions_helpers import Terminal, answer, ask, can_suspend, notes, settled, until_screen
from tui_helpers import run, wait_until

JAIL_CONF = """\
path = "/usr/local/bastille/jails/$name/root";
git7 { host.hostname = git7; }
sto2 { host.hostname = sto2; }
git6 { host.hostname = git6; }
db1 { host.hostname = "db1.example.org"; }
x { host.hostname = "x.example.org"; }
"""
JLS = ["jls", "--libxo", "json", "-d", *JLS_PARAMS]
JLS_ONE = ["jls", "--libxo", "json", "-v"]


def make_freebsd_app(tmp_path: Path, fake, terminal: Terminal | None = None) -> JailtuiApp:  # type: ignore[no-untyped-def]
    fake.write_file("/etc/jail.conf", JAIL_CONF)
    host = fake.host()
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf", audit=AuditLog(tmp_path / "a.log"))
    return JailtuiApp(host, actions, interval=60.0, run_foreground=terminal or Terminal())


async def ready(pilot, app, fake) -> None:  # type: ignore[no-untyped-def]
    """First sample in, sampling paused, the invocation log empty."""
    await wait_until(pilot, lambda: app.samples >= 1)
    await pilot.press("p")
    await wait_until(pilot, lambda: not app.sampling)
    await pilot.pause()
    fake.clear_log()


async def confirm(pilot, app, key: str, name: str) -> ConfirmScreen:  # type: ignore[no-untyped-def]
    app.dashboard.select_jail(name)
    dialog = await ask(pilot, app, key)
    await answer(pilot, app, "y")
    return dialog


@pytest.mark.parametrize("key, name, verb, jid", [
    ("U", "db1", "onestart", None), ("D", "git7", "onestop", 2), ("R", "sto2", "onerestart", 105),
])
def test_jail_actions_run_service_jail_then_check_with_jls(tmp_path, fake_freebsd, key, name,
                                                           verb, jid) -> None:
    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            await ready(pilot, app, fake_freebsd)
            dialog = await confirm(pilot, app, key, name)
            who = f"JID {jid}" if jid is not None else "stopped"
            assert f"jail {name} ({who})?" in dialog.text
            assert fake_freebsd.invocations() == [
                JLS, ["service", "jail", verb, name], [*JLS_ONE, "-j", name]]
            assert "failed" not in notes(app)
    run(go())


def test_a_jail_that_fails_to_start_reads_well(tmp_path, fake_freebsd) -> None:
    state = fake_freebsd.state()
    state["config"]["x"] = {"fail": "/sbin/mount -t nullfs /x /j/x", "fail_output": [
        "mount_nullfs: /j/x: No such file or directory"]}
    fake_freebsd.set_state(state)

    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            await ready(pilot, app, fake_freebsd)
            await confirm(pilot, app, "U", "x")
            result = await until_screen(pilot, app, ResultScreen)
            assert "start x failed: jail: x: /sbin/mount -t nullfs /x /j/x: failed" in result.text
            assert "$ service jail onestart x" in result.text
    run(go())


async def limits_tab(pilot, app, fake, name: str) -> JailDetailScreen:  # type: ignore[no-untyped-def]
    await ready(pilot, app, fake)
    app.open_jail(name)
    detail = await until_screen(pilot, app, JailDetailScreen)
    await pilot.press("2")
    await pilot.pause()
    return detail


async def limit_editor(pilot, app, fake, name: str) -> LimitEditor:  # type: ignore[no-untyped-def]
    await limits_tab(pilot, app, fake, name)
    fake.clear_log()
    await pilot.press("L")
    return await until_screen(pilot, app, LimitEditor)


def test_add_and_remove_a_rule_issue_rctl_a_and_r(tmp_path, fake_freebsd) -> None:
    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await limit_editor(pilot, app, fake_freebsd, "git6")
            form.query_one("#resource", Select).value = "memoryuse"
            form.query_one("#amount", Input).value = "512m"
            await pilot.pause()
            await pilot.click("#apply")
            await settled(pilot, app)
            assert fake_freebsd.invocations() == [
                JLS, ["rctl", "jail:git6"],
                ["rctl", "-a", "jail:git6:memoryuse:deny=536870912"]]
            fake_freebsd.clear_log()
            app.open_jail("git7")
            detail = await until_screen(pilot, app, JailDetailScreen)
            await pilot.press("2")
            await pilot.pause()
            assert detail.query_one(LimitsTable).select_key("jail:git7:pcpu:deny=50")
            fake_freebsd.clear_log()
            await ask(pilot, app, "delete")
            await answer(pilot, app, "y")
            assert fake_freebsd.invocations() == [
                ["rctl", "jail:git7:pcpu:deny=50/jail"],
                ["rctl", "-r", "jail:git7:pcpu:deny=50/jail"]]
    run(go())


def test_removing_a_rule_leaves_the_deny_of_another_per(tmp_path, fake_freebsd) -> None:
    rules = fake_freebsd.state()["rules"]
    fake_freebsd.update(rules=[*rules, "jail:git7:memoryuse:deny=104857600/process"])

    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await limits_tab(pilot, app, fake_freebsd, "git7")
            assert detail.query_one(LimitsTable).select_key("jail:git7:memoryuse:deny=1073741824")
            dialog = await ask(pilot, app, "delete")
            assert "rctl -r jail:git7:memoryuse:deny=1073741824/jail" in dialog.text
            await answer(pilot, app, "y")
            assert [r for r in fake_freebsd.state()["rules"] if ":memoryuse:" in r and "git7" in r
                    ] == ["jail:git7:memoryuse:deny=104857600/process"]
    run(go())


def test_the_limits_tab_says_rules_cannot_be_read(tmp_path, fake_freebsd) -> None:
    fake_freebsd.update(root=False)

    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await limits_tab(pilot, app, fake_freebsd, "git7")
            note = detail.query_one("#limits-note").render().plain
            assert note.startswith("cannot read rules: failed to show rules for 'jail:': "
                                   "Operation not permitted")
            assert "no rctl rules" not in note
            await pilot.press("L")
            form = await until_screen(pilot, app, LimitEditor)
            form.query_one("#amount", Input).value = "1g"
            await pilot.pause()
            assert "the live rules cannot be read: what it replaces is unknown" in \
                form.query_one("#preview").render().plain
    run(go())


def test_rctl_without_privilege_reads_well(tmp_path, fake_freebsd) -> None:
    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await limit_editor(pilot, app, fake_freebsd, "git6")
            form.query_one("#amount", Input).value = "1g"
            await pilot.pause()
            fake_freebsd.update(root=False)
            await pilot.click("#apply")
            await settled(pilot, app)
            text = notes(app)
            assert "set jail:git6:memoryuse:deny=1073741824: failed to show rules for " \
                   "'jail:git6': Operation not permitted (run jailtui as root" in text
            assert "Traceback" not in text
    run(go())


def test_signal_runs_kill(tmp_path, fake_freebsd) -> None:
    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd)
        async with app.run_test(size=(120, 35)) as pilot:
            await ready(pilot, app, fake_freebsd)
            app.open_jail("git7")
            detail = await until_screen(pilot, app, JailDetailScreen)
            await pilot.pause()
            assert detail.query_one(ProcessTable).select_key("3189")
            await ask(pilot, app, "K", SignalScreen)
            fake_freebsd.clear_log()
            await answer(pilot, app, "y")
            assert fake_freebsd.invocations() == [
                ["ps", "--libxo", "json", "-o", "pid,jid,lstart", "-p", "3189"],
                ["kill", "-s", "TERM", "3189"]]
            assert "sent SIGTERM to PID 3189" in notes(app)
    run(go())


def test_shell_runs_jexec_in_the_terminal(tmp_path, fake_freebsd, monkeypatch) -> None:
    can_suspend(monkeypatch)
    terminal = Terminal()

    async def go() -> None:
        app = make_freebsd_app(tmp_path, fake_freebsd, terminal)
        async with app.run_test(size=(120, 35)) as pilot:
            await ready(pilot, app, fake_freebsd)
            app.dashboard.select_jail("git7")
            await answer(pilot, app, "c")
            assert terminal.calls == [["jexec", "-l", "-U", "root", "git7", "/bin/sh"]]
            assert fake_freebsd.invocations() == [JLS]
    run(go())
