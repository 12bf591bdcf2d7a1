"""Fault injection while the dashboard runs on the fake FreeBSD host: faults are switched on
and off between samples (see tests/fakebin/_freebsd.py and faults_helpers.py); each case
asserts the app stays responsive, says what is wrong, and loses nothing. README.md's "Faults"
table lists the same cases."""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from jailtui.cli import main
from jailtui.engine.audit import AuditLog
from jailtui.tui.app import JailtuiApp
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.screens.signal import SignalScreen
from jailtui.tui.widgets.header import HostHeader
from jailtui.tui.widgets.process_table import ProcessTable

from faults_helpers import faulty, freebsd_app, write_conf  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tui"))
from actions_helpers import answer, ask, notes, settled, until_screen  # noqa: E402
from tui_helpers import sample, wait_until  # noqa: E402

#: The host's tool timeout. A key that waited for a hung tool would take at least this long, so
#: "answered in under TIMEOUT" proves it did not wait, with room for a loaded machine.
TIMEOUT = 3.0


def make_app(fake, tmp_path: Path, audit: Path | None = None) -> JailtuiApp:  # type: ignore[no-untyped-def]
    return freebsd_app(fake, tmp_path, timeout=TIMEOUT, autosample=False, audit=audit)


def drive(app: JailtuiApp, scenario) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1, 15)
            await pilot.pause()
            await scenario(pilot)
    asyncio.run(go())


def rows(app: JailtuiApp) -> list[str]:
    """The jails listed (in name order: the display order follows CPU%)."""
    return sorted(app.dashboard.table.keys)


def header(app: JailtuiApp) -> str:
    return app.screen.query_one(HostHeader).plain


async def responsive(pilot, app: JailtuiApp) -> float:  # type: ignore[no-untyped-def]
    """Seconds from pressing ? to the help screen, and back."""
    started = time.monotonic()
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), 3)
    took = time.monotonic() - started
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), 3)
    return took


# -- the host's tools -------------------------------------------------------------------------

TOOL_FAULTS = [
    ("jls", "hang:20", "jls --libxo json -d jid name"),
    ("ps", "garbage", "ps: output is not JSON"),
    ("jls", "half-json", "jls: output is not JSON"),
    ("ps", "huge", "ps: answer larger than 32 MiB; stopped reading"),
    ("sysctl", "exit:1", "injected failure"),
    ("ps", "missing", "ps: command not found (jailtui needs FreeBSD's base tools"),
]


@pytest.mark.parametrize("tool, fault, message", TOOL_FAULTS,
                         ids=[f"{tool}-{fault.split(':')[0]}" for tool, fault, _ in TOOL_FAULTS])
def test_a_failing_tool_leaves_the_last_data_says_why_and_recovers(
        faulty, tmp_path, tool, fault, message) -> None:  # noqa: F811
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        before = rows(app)
        assert {"git7", "sto2", "git6", "db1"} <= set(before)
        if fault == "missing":
            faulty.remove(tool)
        else:
            faulty.fault(tool, fault)
        app.request_sample()
        assert await responsive(pilot, app) < TIMEOUT, "a key waited for the host"
        await wait_until(pilot, lambda: not app.sampling, 10)
        snapshot = app.snapshot
        assert snapshot is not None and snapshot.stale
        assert snapshot.error is not None and snapshot.error.startswith(message)
        if fault.startswith("hang"):
            assert snapshot.error.endswith(f": no answer after {TIMEOUT:g} s")
        assert len(snapshot.error) < 600 and "\n" not in snapshot.error
        assert "STALE" in header(app) and message[:40] in header(app)
        assert f"sampling failed: {message}" in notes(app)
        assert rows(app) == before, "the last good data must stay on screen"
        if fault == "missing":
            faulty.restore(tool)
        else:
            faulty.fault(tool, None)
            faulty.kill_hung()
        await sample(pilot, app)
        assert not app.snapshot.stale and "STALE" not in header(app)
        assert "the host answers again" in notes(app)
        assert rows(app) == before

    drive(app, scenario)


def legend(app: JailtuiApp) -> str:
    return app.dashboard.query_one("#legend").render().plain


@pytest.mark.parametrize("fault, warning", [
    ("hang:20", f"rctl jail:: no answer after {TIMEOUT:g} s"),
    ("garbage", "rctl: rule"),
])
def test_rctl_failing_costs_the_limits_not_the_jail_list(faulty, tmp_path, fault,  # noqa: F811
                                                         warning) -> None:
    """rctl's rules and usage are extras: when rctl fails the sample goes on, with warnings,
    within one timeout for the rules and one for every jail's usage."""
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        before = rows(app)
        faulty.fault("rctl", fault)
        started = time.monotonic()
        app.request_sample()
        assert await responsive(pilot, app) < TIMEOUT, "a key waited for the host"
        await wait_until(pilot, lambda: not app.sampling, 10)
        assert time.monotonic() - started < 2 * TIMEOUT + 2
        snapshot = app.snapshot
        assert not snapshot.stale and rows(app) == before
        assert snapshot.warnings[0].startswith(warning)
        assert warning in legend(app)
        faulty.fault("rctl", None)
        faulty.kill_hung()
        await sample(pilot, app)
        assert not app.snapshot.warnings and "⚠" not in legend(app)
        assert app.snapshot.jail("git7").usage is not None

    drive(app, scenario)


# -- jails and processes changing under the app ------------------------------------------------


def test_a_jail_vanishes_while_its_detail_is_open(faulty, tmp_path) -> None:  # noqa: F811
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        app.open_jail("git6")
        detail = await until_screen(pilot, app, JailDetailScreen)
        state = faulty.state()
        state["jails"] = [j for j in state["jails"] if j["name"] != "git6"]
        state["processes"] = [p for p in state["processes"] if p["jid"] != 116]
        faulty.set_state(state)
        await sample(pilot, app)
        assert "no longer on the host" in detail.query_one("#title").render().plain
        assert detail.query_one(ProcessTable).row_count == 0
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.dashboard)
        assert set(rows(app)) == {"git7", "sto2", "db1"}
        assert app.snapshot.jail("git7").usage is not None and not app.snapshot.stale

    drive(app, scenario)


@pytest.mark.parametrize("meanwhile", ["restarted", "jid-reused"])
def test_a_stop_confirmed_for_a_jail_that_changed_is_refused(faulty, tmp_path,  # noqa: F811
                                                            meanwhile) -> None:
    """The confirmation names git7 as JID 2; meanwhile git7 restarts (new JID) or stops and
    another jail gets JID 2. Nothing is stopped."""
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        app.dashboard.select_jail("git7")
        dialog = await ask(pilot, app, "D")
        assert "jail git7 (JID 2)?" in dialog.text
        state = faulty.state()
        git7 = next(j for j in state["jails"] if j["name"] == "git7")
        if meanwhile == "restarted":
            git7["jid"] = 117
        else:
            git7.update(name="intruder", hostname="intruder")
        faulty.set_state(state)
        faulty.clear_log()
        await answer(pilot, app, "y")
        assert not any(argv[0] in ("service", "jail") for argv in faulty.invocations())
        expected = ("it was JID 2, now JID 117" if meanwhile == "restarted"
                    else "it was JID 2, now it is stopped")
        assert f'jail "git7" changed since it was selected: {expected}' in notes(app)
        assert any(j["jid"] in (2, 117) for j in faulty.state()["jails"])

    drive(app, scenario)


def test_a_reused_pid_is_never_signalled(faulty, tmp_path) -> None:  # noqa: F811
    """The operator picks PID 3189 in git7 and pauses sampling; the process exits and the PID
    goes to a process in sto2 with the same command line. TERM must not reach it."""
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        app.open_jail("git7")
        detail = await until_screen(pilot, app, JailDetailScreen)
        await pilot.pause()
        assert detail.query_one(ProcessTable).select_key("3189")
        await ask(pilot, app, "K", SignalScreen)
        state = faulty.state()
        reused = next(p for p in state["processes"] if p["pid"] == 3189)
        reused.update(jid=105, ppid=5530, etime=1)
        faulty.set_state(state)
        faulty.clear_log()
        await answer(pilot, app, "y")
        assert ["kill", "-s", "TERM", "3189"] not in faulty.invocations()
        assert any(p["pid"] == 3189 and p["jid"] == 105 for p in faulty.state()["processes"])
        assert "3189" in notes(app)

    drive(app, scenario)


def test_racct_turned_off_mid_run_shows_in_the_header(faulty, tmp_path) -> None:  # noqa: F811
    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        assert "racct on" in header(app)
        faulty.update(racct="disabled")
        await sample(pilot, app)
        assert not app.snapshot.stale and not app.snapshot.racct.enabled
        assert "racct off" in header(app) and "disabled" in app.snapshot.racct.reason
        assert set(rows(app)) >= {"git7", "sto2", "git6", "db1"}

    drive(app, scenario)


# -- files: audit log, rctl.conf ---------------------------------------------------------------


def test_a_full_disk_under_the_audit_log_is_said_and_the_change_still_made(
        faulty, tmp_path) -> None:  # noqa: F811
    app = make_app(faulty, tmp_path, audit=Path("/dev/full"))

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        app.open_jail("git7")
        await until_screen(pilot, app, JailDetailScreen)
        await pilot.pause()
        assert app.detail.query_one(ProcessTable).select_key("3189")
        await ask(pilot, app, "K", SignalScreen)
        await answer(pilot, app, "y")
        assert "audit log /dev/full not written: No space left on device" in notes(app)
        assert not any(p["pid"] == 3189 for p in faulty.state()["processes"])

    drive(app, scenario)


def test_a_partial_audit_write_leaves_no_half_record(tmp_path, monkeypatch) -> None:
    from jailtui.engine import audit as audit_module

    log = AuditLog(tmp_path / "audit.log")
    real_write = os.write
    calls: list[int] = []

    def half_then_full(fd: int, data: bytes) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, data[:len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit_module.os, "write", half_then_full)
    first = log.record("rctl-add", "jail:www:pcpu:deny=10", "ok", "local")
    monkeypatch.undo()
    log.record("rctl-add", "jail:www:pcpu:deny=20", "ok", "local")
    lines = (tmp_path / "audit.log").read_text().splitlines()
    assert all(line.count(" user=") <= 1 for line in lines), f"records glued: {lines}"
    assert lines[-1].endswith("action=rctl-add target=jail:www:pcpu:deny=20 result=ok")
    assert first.error is not None and "No space left on device" in first.error


def _limits_add(tmp_path: Path, rule: str, conf: Path) -> list[str]:
    return ["--backend", "freebsd", "--jail-conf", str(write_conf(tmp_path)),
            "--rctl-conf", str(conf), "--audit-log", str(tmp_path / "audit.log"),
            "limits", "add", rule, "--persist"]


@pytest.mark.parametrize("fault, reason", [
    ("disk-full", "No space left on device"),
    ("read-only", "Read-only file system (remount the file system read-write)"),
])
def test_rctl_conf_that_cannot_be_written_keeps_its_rules(faulty, tmp_path, monkeypatch,  # noqa: F811
                                                          capsys, fault, reason) -> None:
    conf = tmp_path / "rctl.conf"
    before = "# limits\njail:git7:maxproc:deny=200\n"
    conf.write_text(before)
    if fault == "disk-full":
        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr("jailtui.engine.rctlconf.os.fsync", full)
    else:
        def read_only(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise OSError(errno.EROFS, "Read-only file system")
        monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert main(_limits_add(tmp_path, "jail:git7:pcpu:deny=30", conf)) == 1
    err = capsys.readouterr().err
    assert err.startswith("jailtui: rule jail:git7:pcpu:deny=30 is set live, but ")
    assert f"was not updated: cannot write {conf}: {reason}" in err
    monkeypatch.undo()
    assert conf.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".rctl") and p.name != ".rctl.conf.lock") == []
    assert "jail:git7:pcpu:deny=30" in faulty.state()["rules"]


def test_a_symlinked_rctl_conf_is_written_through_to_its_target(faulty, tmp_path) -> None:  # noqa: F811
    target = tmp_path / "etc" / "rctl.conf.real"
    target.parent.mkdir()
    target.write_text("jail:git7:maxproc:deny=200\n")
    link = tmp_path / "rctl.conf"
    link.symlink_to(target)
    assert main(_limits_add(tmp_path, "jail:git7:pcpu:deny=30", link)) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == "jail:git7:maxproc:deny=200\njail:git7:pcpu:deny=30\n"


SLOW_READ = """\
import sys, time
from jailtui.engine import rctlconf
read = rctlconf.RctlConf.read
def slow(self):
    text = read(self)
    time.sleep(0.5)  # a slow disk: the other writer reads the same text meanwhile
    return text
rctlconf.RctlConf.read = slow
from jailtui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_concurrent_writers_never_lose_a_rule(faulty, tmp_path) -> None:  # noqa: F811
    conf = tmp_path / "rctl.conf"
    conf.write_text("")
    rules = ["jail:git7:pcpu:deny=30", "jail:sto2:pcpu:deny=40", "jail:db1:maxproc:deny=50"]
    writers = [subprocess.Popen([sys.executable, "-c", SLOW_READ,
                                 *_limits_add(tmp_path, rule, conf)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for rule in rules]
    for writer in writers:
        _out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
    assert sorted(conf.read_text().splitlines()) == sorted(rules)


@pytest.mark.parametrize("size", [20_000_000, 200_000_000])
def test_a_command_that_prints_too_much_keeps_the_app_responsive(faulty, tmp_path,  # noqa: F811
                                                                 size) -> None:
    """``!`` in a jail whose command prints 20 MB (shown cut, with the size said) or 200 MB
    (stopped at the bound, with an error naming the tool and the size)."""
    from textual.widgets import Input

    from jailtui.tui.screens.result import ResultScreen
    from jailtui.tui.screens.run_command import CommandScreen

    app = make_app(faulty, tmp_path)

    async def scenario(pilot) -> None:  # type: ignore[no-untyped-def]
        app.open_jail("git7")
        await until_screen(pilot, app, JailDetailScreen)
        form = await ask(pilot, app, "exclamation_mark", CommandScreen)
        form.query_one(Input).value = "yes"
        await pilot.pause()
        faulty.fault("jexec", f"huge:{size}")
        started = time.monotonic()
        result = await ask(pilot, app, "enter", ResultScreen)
        await settled(pilot, app)
        assert time.monotonic() - started < 8
        text = result.text
        closing = time.monotonic()
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen), 3)
        assert time.monotonic() - closing < 1.0
        assert len(text) < 100_000
        if size < 32 * 2**20:
            assert f"… {size - 65536:,} characters before these are not shown" in text
        else:
            assert "jexec: answer larger than 32 MiB; stopped reading" in text

    drive(app, scenario)
