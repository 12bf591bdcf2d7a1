"""The dashboard on a host whose jail names, hostnames, paths, commands, users, command output,
warnings and errors are hostile: what is drawn holds no raw control (checked on the rendered
screen) and text that looks like markup is shown as it is, on every screen, dialog, toast and
in the command palette."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from textual.command import CommandPalette
from textual.widgets import Input, Static

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.errors import HostUnreachable
from jailtui.engine.model import Sample
from jailtui.engine.simulated import SimulatedHost
from jailtui.engine.vis import vis
from jailtui.tui.app import JailtuiApp
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.event_log import EventLogScreen
from jailtui.tui.screens.limit_editor import LimitEditor
from jailtui.tui.screens.result import ResultScreen
from jailtui.tui.screens.run_command import CommandScreen
from jailtui.tui.screens.signal import SignalScreen

from actions_helpers import Terminal, ask, notes, settled, until_screen
from hostile import HOSTILE, assert_inert, hostile_text
from tui_helpers import ManualClock, SteppingHost, run, sample, screen_lines, started, wait_until

NAME = f"www{HOSTILE}"
SHOWN = vis(HOSTILE)


class HostileHost(SteppingHost):
    """The hostile demo host; the host's own identity and a warning carry the text too."""

    def __init__(self, inner: Any, clock: ManualClock, text: str) -> None:
        super().__init__(inner, clock)
        self.text = text

    def sample(self) -> Sample:
        sample = super().sample()
        host = dataclasses.replace(sample.host, hostname=f"jailhost{self.text}",
                                   osrelease=f"14.2{self.text}")
        return dataclasses.replace(sample, host=host, warnings=(f"rctl: {self.text}",))


def make_app(tmp_path: Path, text: str = HOSTILE, audit: Path | None = None) -> JailtuiApp:
    clock = ManualClock()
    host = HostileHost(SimulatedHost(seed=1, jails=12, clock=clock, hostile=text), clock, text)
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(audit or tmp_path / "audit.log"))
    return JailtuiApp(host, actions, interval=60.0, run_foreground=Terminal())


def drawn(app: JailtuiApp) -> str:
    """The screen as rendered (SVG export): asserted free of controls, returned as text."""
    assert_inert(app.export_screenshot(), keep="\n")
    return "\n".join(screen_lines(app))


async def palette(pilot: Any, app: JailtuiApp, query: str) -> str:
    await pilot.press("ctrl+p")
    await until_screen(pilot, app, CommandPalette)
    await pilot.press(*query)
    await pilot.pause(0.5)
    await wait_until(pilot, lambda: not app.screen.query_one(Input).has_class("-searching")
                     if app.screen.query(Input) else True)
    await pilot.pause(0.3)
    assert app.is_running
    text = drawn(app)
    await pilot.press("escape")
    return text


def test_dashboard_header_legend_and_palette_show_hostile_text_inert(tmp_path) -> None:
    async def go() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(200, 40)) as pilot:
            await started(pilot, app)
            screen = drawn(app)
            assert f"jailhost{SHOWN[:30]}" in screen
            assert f"rctl: {SHOWN[:30]}" in screen
            assert f"www{SHOWN[:20]}" in screen
            shown = await palette(pilot, app, "open jail www")
            assert f"Open jail www{SHOWN[:40]}" in shown
            assert app.is_running
            shown = await palette(pilot, app, "stop")
            assert "db[prod][bold]" in shown.replace("\n", "") or "db[prod]" in shown
            assert app.is_running
    run(go())


def test_a_jail_named_like_markup_opens_from_the_palette(tmp_path) -> None:
    async def go() -> None:
        app = make_app(tmp_path, text="[/]")
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            await pilot.press("ctrl+p")
            await until_screen(pilot, app, CommandPalette)
            await pilot.press(*"open jail www[/]")
            await pilot.pause(0.5)
            assert "Open jail www[/]" in drawn(app)
            await pilot.press("enter")
            screen = await until_screen(pilot, app, JailDetailScreen)
            assert screen.jail_name == "www[/]"
            assert app.is_running
    run(go())


def test_every_detail_tab_shows_hostile_text_inert(tmp_path) -> None:
    async def go() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(200, 45)) as pilot:
            await started(pilot, app)
            app.open_jail(NAME)
            await until_screen(pilot, app, JailDetailScreen)
            await sample(pilot, app)
            screen = drawn(app)
            assert f" www{SHOWN[:30]}" in screen
            assert f"root{SHOWN[:11]}…" in screen, "the user column, cut at its 16 cells"
            for tab in "234":
                await pilot.press(tab)
                await sample(pilot, app)
                screen = drawn(app)
            assert f"/usr/local/jails/www{SHOWN[:20]}" in screen, "the parameters tab"
    run(go())


def shown(screen: Any, selector: str) -> str:
    """The text a Static of ``screen`` shows."""
    return screen.query_one(selector, Static).render().plain


def test_dialogs_and_toasts_show_hostile_text_inert(tmp_path) -> None:
    async def go() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(200, 50)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail(NAME)
            await pilot.pause()
            dialog = await ask(pilot, app, "D")
            drawn(app)
            assert shown(dialog, "#question").startswith(f"Stop jail www{SHOWN} (JID ")
            assert shown(dialog, "#details").startswith(f"www{SHOWN}, /usr/local/jails/www")
            await pilot.press("escape")
            await pilot.press("U")
            await pilot.pause(0.2)
            drawn(app)
            assert f"www{SHOWN} (JID" in notes(app), "the 'already running' toast"
            await ask(pilot, app, "exclamation_mark", CommandScreen)
            await pilot.press(*"hostname", "enter")
            result = await until_screen(pilot, app, ResultScreen)
            await settled(pilot, app)
            assert f"run in jail www{SHOWN[:20]}" in drawn(app), "the border title"
            assert result.outcome.output == f"{NAME}\n"
            assert shown(result, "#stdout") == f"www{SHOWN}"
            await pilot.press("escape")
            await ask(pilot, app, "L", LimitEditor)
            assert f"Add a limit to jail www{SHOWN[:20]}" in drawn(app)
            await pilot.press("escape")
            app.dashboard.select_jail("legacy")
            await pilot.pause()
            await ask(pilot, app, "U")
            await pilot.press("y")
            result = await until_screen(pilot, app, ResultScreen)
            await settled(pilot, app)
            drawn(app)
            assert SHOWN in shown(result, "#stdout"), "the failed start's output"
            await pilot.press("escape")
            log = await ask(pilot, app, "E", EventLogScreen)
            drawn(app)
            assert f"run in jail www{SHOWN}: hostname" in shown(log, "#session")
            assert "target=\"jail:www\\\\e]2;pwned-title" in shown(log, "#audit")
            await pilot.press("escape")
            app.open_jail(NAME)
            detail = await until_screen(pilot, app, JailDetailScreen)
            await sample(pilot, app)
            detail.processes.focus()
            signal = await ask(pilot, app, "K", SignalScreen)
            drawn(app)
            process = shown(signal, "#process")
            assert re.match(rf"PID \d+  user \w+{re.escape(SHOWN)}  started ", process)
            assert process.endswith(f" {SHOWN}"), "the command"
    run(go())


def test_a_hostile_sampling_error_is_shown_inert(tmp_path) -> None:
    async def go() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(200, 40)) as pilot:
            await started(pilot, app)
            app.host.fail_next.append(HostUnreachable(f"jls: {HOSTILE}"))
            await sample(pilot, app)
            assert re.search(rf"STALE \d+s: jls: {re.escape(SHOWN[:30])}", drawn(app))
            assert f"sampling failed: jls: {SHOWN[:30]}" in notes(app)
    run(go())


def test_a_failed_change_whose_record_is_lost_says_both(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")

    async def go() -> None:
        app = make_app(tmp_path, audit=blocker / "audit.log")
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            app.dashboard.select_jail("legacy")
            await pilot.pause()
            await ask(pilot, app, "U")
            await pilot.press("y")
            await until_screen(pilot, app, ResultScreen)
            await settled(pilot, app)
            assert f"audit log {blocker}/audit.log not written" in notes(app)
    run(go())


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text.filter(bool))
def test_any_hostile_jail_name_is_drawn_inert(tmp_path_factory: Any, text: str) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile")

    async def go() -> None:
        app = make_app(tmp_path, text=text)
        async with app.run_test(size=(160, 40)) as pilot:
            await started(pilot, app)
            drawn(app)
            await palette(pilot, app, "www")
            app.open_jail(f"www{text}")
            await until_screen(pilot, app, JailDetailScreen)
            await sample(pilot, app)
            drawn(app)
    run(go())
