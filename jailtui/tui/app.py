"""The jailtui dashboard app: samples the host in a background thread and shows jails live.

A sample runs in one daemon thread at a time; when it is applied the next one is armed with
``set_timer``, so a slow host stretches the period instead of stacking threads. A failed sample
leaves the last data on screen, marked STALE in the header. Quitting never waits for the host:
the threads are daemons, the commands still running are killed (``Host.cancel``), and a change
still under way is left to finish, with a notice.
"""

from __future__ import annotations

import argparse
import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.console import RenderableType
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from .. import config
from ..config import Settings
from ..engine.audit import error_line
from ..engine.host import Host
from ..engine.model import HostInfo
from ..engine.sampler import HostStats, Sampler, Snapshot
from ..engine.vis import vis
from .messages import SampleFailed, SampleReady
from .palette import TERMINAL_ANSI, TERMINAL_ANSI_LIGHT
from .screens.dashboard import DashboardScreen
from .screens.jail_screen import CHANGE_ACTIONS, FollowsSnapshots, JailScreen
from .widgets.header import Status
from .widgets.keyed_table import Column

if TYPE_CHECKING:
    from concurrent.futures import Future

    from textual.command import Provider

    from ..engine.actions import Actions
    from ..wiring import FirstSample, Wiring
    from .changes import Foreground
    from .screens.detail import JailDetailScreen

# What only a key, the palette or a change opens (the jail detail, help, dialogs, the palette's
# commands) is imported when first used: the first screen comes up without it.

#: How many notifications :attr:`JailtuiApp.notices_shown` keeps.
NOTICES_KEPT = 200


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification as shown: title, message (controls made visible) and severity."""

    title: str
    message: str
    severity: SeverityLevel


INTERVALS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 30.0, 60.0)
MIN_INTERVAL, MAX_INTERVAL = INTERVALS[0], INTERVALS[-1]


def clamp_interval(seconds: float) -> float:
    return min(MAX_INTERVAL, max(MIN_INTERVAL, float(seconds)))


def _jail_commands() -> type[Provider]:
    from .commands import JailCommands

    return JailCommands


def _change_commands() -> type[Provider]:
    from .commands import ChangeCommands

    return ChangeCommands


class JailtuiApp(App[None]):
    """The dashboard of one host; ``actions`` makes changes (None: view only).

    ``autosample=False`` samples only when asked (``request_sample``), for scripts and tests;
    ``run_foreground`` runs the jail shell on the suspended terminal (tests inject their own).
    ``settings`` (the config file's) give the jail list's sort and columns and the theme;
    ``notices`` (what was wrong with the config file) are shown once the app runs.
    """

    CSS_PATH = "app.tcss"
    TITLE = "jailtui"
    COMMANDS = App.COMMANDS | {_jail_commands, _change_commands}
    COMMAND_PALETTE_DISPLAY = "^p"
    ansi_theme_dark = Reactive(TERMINAL_ANSI, init=False)
    ansi_theme_light = Reactive(TERMINAL_ANSI_LIGHT, init=False)
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?",
                tooltip="this help: every key"),
        Binding("p", "toggle_pause", "Pause", tooltip="pause or resume sampling"),
        Binding("plus,equals_sign", "faster", "Interval", key_display="+/-",
                tooltip="refresh faster (down to 0.5s)"),
        Binding("minus", "slower", "Slower", key_display="-", show=False,
                tooltip="refresh slower (up to 60s)"),
        Binding("r", "refresh", "Refresh now", show=False, tooltip="sample the host now"),
        Binding("ctrl+p,colon", "command_palette", "Commands", key_display="^p", show=False,
                tooltip="command palette: open a jail by name, sort, filter, pause"),
        Binding("q", "quit", "Quit", tooltip="quit jailtui"),
        Binding("ctrl+q", "quit", "Quit", key_display="^q", priority=True,
                tooltip="quit jailtui"),
        Binding("ctrl+c,f10", "quit", "Quit", show=False, priority=True,
                tooltip="quit jailtui"),
    ]

    def __init__(self, host: Host, actions: Actions | None = None, interval: float = 2.0,
                 read_only: bool = False, *, sampler: Sampler | None = None,
                 clock: Callable[[], float] = time.monotonic, autosample: bool = True,
                 run_foreground: Foreground | None = None, settings: Settings | None = None,
                 notices: Sequence[str] = (), config_path: Path | None = None,
                 first_sample: Future[tuple[Snapshot, float]] | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.notices = list(notices)
        self.config_path = config_path
        self.host = host
        self.actions = actions
        self.changes = None
        if actions is not None:
            from .changes import Changes, run_in_terminal

            self.changes = Changes(self, actions, run_foreground or run_in_terminal)
        self.sampler = sampler or Sampler(host)
        #: The first sample, already under way (it started before the app was built) on
        #: ``sampler``: the app shows it instead of taking one.
        self._first = first_sample
        self.interval = interval if interval > 0 else 2.0
        self.read_only = read_only
        self.clock = clock
        self.autosample = autosample
        self.paused = False
        #: The latest snapshot (stale: the last good data, marked).
        self.snapshot: Snapshot | None = None
        self.samples = 0
        self.sample_seconds = 0.0
        self.good_at: float | None = None
        self._timer: Timer | None = None
        self._in_flight = False
        self._was_stale = False
        self._racct_told = False
        self._conf_told: set[str] = set()
        self._shown: deque[Notice] = deque(maxlen=NOTICES_KEPT)
        self._exit_requested = False
        self._dashboard = DashboardScreen(*jail_sort(self.settings),
                                          columns=self.settings.columns)
        #: What became of a change under way when the app quit, for the terminal (see ``run``).
        self.quit_notice: str | None = None
        self.quitting = False

    # -- lifecycle -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._use_theme(self.settings.theme)
        self.push_screen(self._dashboard)
        self._show_status()
        for notice in self.notices:
            self.notify(notice, title="config", severity="warning", timeout=15)
        self.request_sample()

    def _use_theme(self, name: str) -> None:
        """The config file's theme, or the default one and a notice naming the file and line."""
        if not name:
            return
        if name in self.available_themes:
            self.theme = name
            return
        where = config.location(self.config_path, "theme") if self.config_path else "config"
        self.notices.append(f"{where}: theme: '{name}' is not a theme jailtui has (e.g. "
                            "textual-dark, ansi-dark); using the default theme")

    @property
    def dashboard(self) -> DashboardScreen:
        return self._dashboard

    @property
    def sampling(self) -> bool:
        """A sample is being taken (in the worker) and not yet applied."""
        return self._in_flight

    @property
    def detail(self) -> JailDetailScreen | None:
        """The jail's detail when it is on top (the one JailScreen besides the jail list)."""
        top = self._top()
        if isinstance(top, JailScreen) and top is not self._dashboard:
            return cast("JailDetailScreen", top)
        return None

    @property
    def notices_shown(self) -> tuple[Notice, ...]:
        """Every notification shown since the app started (the latest NOTICES_KEPT), oldest
        first, as shown: controls made visible."""
        return tuple(self._shown)

    @property
    def exit_requested(self) -> bool:
        """True once the app was asked to exit (it may still be closing)."""
        return self._exit_requested

    def exit(self, result: None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        self._exit_requested = True
        super().exit(result, return_code, message)

    def _top(self) -> Screen | None:
        stack = self.screen_stack
        return stack[-1] if stack else None

    def _view(self) -> JailScreen | None:
        """The view the operator looks at: the top screen, or the one under the dialogs (help,
        palette, limit editor, confirmation) open on top of it."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, JailScreen):
                return screen
        return None

    def on_unmount(self) -> None:
        self.paused = self.quitting = True
        if self._timer is not None:
            self._timer.stop()
        if self.changes is not None:
            self.quit_notice = self.changes.quit()
        self.host.cancel()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification (screens and widgets send theirs here) is literal text: what a
        jail controls has its controls made visible and is never parsed as markup."""
        notice = Notice(vis(title), vis(message, multiline=True), severity)
        self._shown.append(notice)
        super().notify(notice.message, title=notice.title, severity=severity, timeout=timeout,
                       markup=False)

    async def on_event(self, event: events.Event) -> None:
        """A key or a paste that came before a text field took the focus (a burst over a
        laggy ssh) went to the widget focused then and comes back here unused: it goes into
        the field, in order, and never to a key binding."""
        if isinstance(event, events.Key | events.Paste) and event.is_forwarded:
            focused = self.screen.focused
            if isinstance(focused, Input):
                if isinstance(event, events.Paste):
                    focused.post_message(events.Paste(event.text))
                    return
                if event.is_printable and event.character:
                    focused.insert_text_at_cursor(event.character)
                    return
        await super().on_event(event)

    # -- sampling --------------------------------------------------------------------------

    def request_sample(self) -> None:
        """Sample now, unless a sample is already running (it will re-arm the timer)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._in_flight or self._top() is None:
            return
        self._in_flight = True
        self._show_status()
        self._sample()

    def _sample(self) -> None:
        """A daemon thread, not a Textual worker: quitting must never wait for the host. The
        first sample may be under way already: its end is awaited instead."""
        first, self._first = self._first, None
        if first is not None:
            first.add_done_callback(self._first_sampled)
            return
        threading.Thread(target=self._sample_in_thread, name="jailtui-sample",
                         daemon=True).start()

    def _sample_in_thread(self) -> None:
        started = time.perf_counter()
        try:
            message: SampleReady | SampleFailed = SampleReady(self.sampler.sample(),
                                                              time.perf_counter() - started)
        except Exception as exc:
            message = SampleFailed(error_line(exc))
        self._post(message)

    def _first_sampled(self, first: Future[tuple[Snapshot, float]]) -> None:
        """The first sample ended (in its thread, or here when it had already)."""
        try:
            message: SampleReady | SampleFailed = SampleReady(*first.result())
        except Exception as exc:
            message = SampleFailed(error_line(exc))
        self._post(message)

    def _post(self, message: SampleReady | SampleFailed) -> None:
        try:
            self.post_message(message)
        except RuntimeError:
            pass  # the app has closed

    def _taken_down(self) -> bool:
        """The app is exiting: its screens are being taken down, a late sample is dropped."""
        return not self.screen_stack or not self.screen_stack[-1].is_attached

    def on_sample_ready(self, message: SampleReady) -> None:
        self._in_flight = False
        if self._taken_down():
            return
        self.sample_seconds = message.took
        self.apply_snapshot(message.snapshot)
        self._arm()

    def on_sample_failed(self, message: SampleFailed) -> None:
        self._in_flight = False
        if self._taken_down():
            return
        last = self.snapshot or Snapshot(time=time.time(), monotonic=time.monotonic(),
                                         host=HostStats(HostInfo()))
        self.apply_snapshot(replace(last, stale=True, error=message.error))
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.autosample and not self.paused and not self._in_flight:
            self._timer = self.set_timer(self.interval, self.request_sample)

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Make ``snapshot`` the latest and hand it to the screens that follow snapshots: the
        one in view shows it, hidden ones catch up when shown."""
        now = self.clock()
        first_error = snapshot.stale and (self.snapshot is None or not self.snapshot.stale)
        self.samples += 1
        if self.samples == 1:
            # the command line holds the garbage collector off until the first data is shown
            self.call_after_refresh(gc.enable)
        if not snapshot.stale:
            self.good_at = now
        self.snapshot = snapshot
        self._show_status()
        for screen in list(self.screen_stack):
            if isinstance(screen, FollowsSnapshots):
                screen.follow_snapshot(snapshot)
        if first_error:
            self.notify(f"sampling failed: {snapshot.error}", severity="error", markup=False,
                        timeout=6)
        elif self.samples > 1 and not snapshot.stale and self._was_stale:
            self.notify("the host answers again", timeout=3)
        self._was_stale = snapshot.stale
        if not snapshot.stale and not snapshot.racct.enabled and not self._racct_told:
            self._racct_told = True
            self.notify(f"racct is off: {snapshot.racct.explained or 'disabled'}. Usage and limits "
                        "come from processes until it is on.", title="racct",
                        severity="warning", timeout=12, markup=False)
        for warning in snapshot.config_warnings:
            if warning not in self._conf_told:
                self._conf_told.add(warning)
                self.notify(warning, title="jail.conf", severity="warning", timeout=15)

    def status(self) -> Status:
        changes = self.changes
        return Status(snapshot=self.snapshot, good_at=self.good_at, interval=self.interval,
                      paused=self.paused, read_only=self.read_only or bool(
                          changes and changes.read_only),
                      label=getattr(self.host, "label", ""), took=self.sample_seconds,
                      busy=changes.busy if changes else None,
                      busy_since=changes.busy_since if changes else None)

    def changes_updated(self) -> None:
        """A change started or ended: the header shows it, the footers re-check their keys."""
        self._show_status()
        for screen in self.screen_stack:
            screen.refresh_bindings()

    def _show_status(self) -> None:
        view = self._view()
        if view is not None and view.is_mounted:
            view.show_status(self.status())

    # -- navigation ------------------------------------------------------------------------

    def open_jail(self, name: str) -> None:
        """Show the detail of jail ``name`` (from the table, the palette or a test)."""
        self._dashboard.select_jail(name)
        if self.detail is not None:
            if self.detail.jail_name != name:
                self.switch_screen(_detail_screen(name))
            return
        self.push_screen(_detail_screen(name))

    def close_jail(self, name: str) -> None:
        if self.detail is not None:
            self.pop_screen()
        if self.snapshot is not None:
            self._dashboard.show_snapshot(self.snapshot)
        self._dashboard.select_jail(name)
        self._show_status()

    # -- actions ---------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
        else:
            self.request_sample()
        self._show_status()

    def action_refresh(self) -> None:
        self.request_sample()

    def action_faster(self) -> None:
        self.set_interval_seconds(max((i for i in INTERVALS if i < self.interval),
                                      default=MIN_INTERVAL))

    def action_slower(self) -> None:
        self.set_interval_seconds(min((i for i in INTERVALS if i > self.interval),
                                      default=MAX_INTERVAL))

    def set_interval_seconds(self, seconds: float) -> None:
        self.interval = clamp_interval(seconds)
        if self._timer is not None:
            self._arm()
        self._show_status()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(help_sections(), help_columns(), self._help_notes()))

    def _help_notes(self) -> dict[str, str]:
        """Change keys that do nothing here, marked in the help."""
        changes = self.changes
        if changes is None:
            return dict.fromkeys(CHANGE_ACTIONS | {"event_log"}, "view only")
        return dict.fromkeys(CHANGE_ACTIONS, "read-only") if changes.read_only else {}

    def action_filter_jails(self) -> None:
        if self.detail is not None:
            self.close_jail(self.detail.jail_name)
        self._dashboard.action_filter()

    def filter_jails(self, text: str) -> None:
        if self.detail is not None:
            self.close_jail(self.detail.jail_name)
        self._dashboard.set_filter(text)

    def sort_jails(self, column: str) -> None:
        if self.detail is not None:
            self.close_jail(self.detail.jail_name)
        self._dashboard.table.resort(column)


def jail_sort(settings: Settings) -> tuple[str, bool | None]:
    """The jail list's sort column and direction; a direction the file does not set is the
    column's own (numbers largest first, names A to Z)."""
    reverse = settings.sort_reverse if "sort_reverse" in settings.origin else None
    return settings.sort, reverse


def _detail_screen(name: str) -> JailDetailScreen:
    from .screens.detail import JailDetailScreen

    return JailDetailScreen(name)


def help_sections() -> list[tuple[str, type]]:
    from .screens.confirm import ConfirmScreen
    from .screens.detail import JailDetailScreen
    from .screens.dialog import Dialog
    from .screens.help import HelpScreen
    from .screens.signal import SignalScreen
    from .widgets.detail_tables import ResourcesTable
    from .widgets.filter_bar import FilterBar
    from .widgets.jail_table import JailTable
    from .widgets.line_table import LineTable
    from .widgets.process_table import ProcessTable

    return [
        ("Everywhere", JailtuiApp),
        ("Changes (jail list and detail)", JailScreen),
        ("Jail list", DashboardScreen),
        ("Jail table", JailTable),
        ("Jail detail", JailDetailScreen),
        ("Processes", ProcessTable),
        ("Limits, Resources and Parameters tabs", ResourcesTable),
        ("Filter input (/)", FilterBar),
        ("Confirmation", ConfirmScreen),
        ("Signal dialog", SignalScreen),
        ("Dialogs", Dialog),
        ("Moving in tables", LineTable),
        ("Help", HelpScreen),
    ]


def help_columns() -> list[tuple[str, tuple[Column, ...]]]:
    from .widgets.detail_tables import LIMIT_COLUMNS, RESOURCE_COLUMNS
    from .widgets.jail_table import COLUMNS as JAIL_COLUMNS
    from .widgets.process_table import COLUMNS as PROCESS_COLUMNS

    return [("Jail table columns", JAIL_COLUMNS), ("Process columns", PROCESS_COLUMNS),
            ("Limit columns", LIMIT_COLUMNS), ("Resource columns", RESOURCE_COLUMNS)]


def run(args: argparse.Namespace, wiring: Wiring | None = None,
        first: FirstSample | None = None) -> int:
    """Start the dashboard for the host the command line names; returns the exit status."""
    import sys

    app = build(args, wiring, first)
    app.run()
    if app.quit_notice:
        print(f"jailtui: {vis(app.quit_notice)}", file=sys.stderr)
    return app.return_code or 0


def build(args: argparse.Namespace, wiring: Wiring | None = None,
          first: FirstSample | None = None) -> JailtuiApp:
    """The dashboard the command line (and the config file under it) asks for: on ``wiring``
    when the caller made it (and said its notice), showing ``first`` when it started the
    first sample already."""
    import sys

    from ..wiring import wire

    if wiring is None:
        wiring = wire(args)
        if wiring.notice:
            print(f"jailtui: {wiring.notice}", file=sys.stderr)
    app = JailtuiApp(wiring.host, wiring.actions, interval=clamp_interval(args.interval),
                     read_only=args.read_only, settings=args.settings,
                     notices=args.config_problems, config_path=args.config_path,
                     sampler=first.sampler if first else None,
                     first_sample=first.future if first else None)
    return app
