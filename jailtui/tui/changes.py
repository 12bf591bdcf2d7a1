"""Changes from the TUI: asked for, confirmed, run through the engine's Actions, reported.

Every change goes through :class:`~jailtui.engine.actions.Actions`, the code path of the CLI,
in a daemon thread (quitting does not wait for it) and one at a time. Its outcome is notified,
kept for the event log and, when a command printed something on failure, shown in a dialog.
Nothing here raises to the screen.
"""

from __future__ import annotations

import shlex
import subprocess
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual.app import SuspendNotSupported

from ..engine.actions import Actions, PartialChange
from ..engine.audit import error_line
from ..engine.demo_shell import DemoShell
from ..engine.deny import below_use
from ..engine.errors import CommandFailed, JailtuiError
from ..engine.managers import manager_note
from ..engine.model import ActionResult, CommandResult, Jail, Process, Rule, RuleFilter
from ..engine.rctlconf import matching
from ..engine.sampler import JailStats
from ..engine.vis import vis
from ..terminal import run_in_terminal
from .outcome import Outcome, transcript

# The dialogs are imported where they open: the dashboard comes up without them.

if TYPE_CHECKING:
    from .app import JailtuiApp
    from .screens.limit_editor import LimitRequest

T = TypeVar("T")
Foreground = Callable[[list[str]], int]

READ_ONLY = "read-only: changes are disabled"
NOTHING_TO_UNDO = "nothing to undo: no limit was changed in this session"
AUDIT_LINES = 30
PROGRESS = {"start": "starting", "stop": "stopping", "restart": "restarting"}


def jail_name(jail: Jail) -> str:
    """``www (JID 12)``, or ``staging (stopped)``."""
    return f"{jail.name} (JID {jail.jid})" if jail.jid is not None else f"{jail.name} (stopped)"


def failure(summary: str, exc: BaseException) -> Outcome:
    if isinstance(exc, PartialChange) and exc.undoable:
        return Outcome(summary, False, f"{exc}; z undoes it")
    if isinstance(exc, CommandFailed):
        output = transcript([CommandResult(exc.argv, 1, exc.output)]) if exc.argv else exc.output
        return Outcome(summary, False, str(exc), output)
    if isinstance(exc, JailtuiError):
        return Outcome(summary, False, str(exc))
    return Outcome(summary, False, f"unexpected error: {error_line(exc)}")


def jail_outcome(summary: str, result: ActionResult) -> Outcome:
    output = transcript(result.commands)
    if not result.ok:
        return Outcome(summary, False, result.message, output)
    state = f"running as JID {result.jid}" if result.jid is not None else "stopped"
    return Outcome(summary, True, f"{result.jail} is {state}", output)


class Changes:
    """The TUI side of :class:`Actions` for one app; ``busy`` says what is running now."""

    def __init__(self, app: JailtuiApp, actions: Actions,
                 run_foreground: Foreground = run_in_terminal) -> None:
        self.app = app
        self.actions = actions
        self.run_foreground = run_foreground
        self.outcomes: list[Outcome] = []
        self.busy: str | None = None
        self.busy_since: float | None = None
        #: The running change goes on when jailtui quits (start/stop/restart are never cut).
        self.lasting = False

    @property
    def read_only(self) -> bool:
        return self.actions.read_only or self.app.read_only

    @property
    def can_undo(self) -> bool:
        return self.actions.can_undo

    def disabled_reason(self, action: str) -> str:
        return READ_ONLY if self.read_only else NOTHING_TO_UNDO if action == "undo" else ""

    # -- jails -----------------------------------------------------------------------------

    def jail_action(self, verb: str, name: str) -> None:
        """Ask to ``verb`` (start, stop, restart) jail ``name`` as it is now, then do it the
        way its owner does (its manager, rc.d/jail, jail -f). A jail jailtui refuses to touch
        is explained instead; one made by hand is stopped only after a second confirmation
        whose default is No."""
        from .screens.confirm import ConfirmScreen

        stats = self._ready(name)
        if stats is None:
            return
        jail = stats.jail
        if (verb == "start") == jail.running:
            self._warn(f"{jail_name(jail)} is already running" if jail.running
                       else f"jail {jail.name} is not running: start it with U")
            return
        try:
            plan = self.actions.plan(verb, jail)
        except JailtuiError as exc:
            self._warn(vis(str(exc)))
            return
        if plan.refused and not plan.forceable:
            self.app.notify(vis(f"{plan.refusal} ({plan.hint})" if plan.hint else plan.refusal),
                            title=vis(f"{verb} jail {jail.name}: refused"), severity="error",
                            markup=False, timeout=15)
            return
        who = jail_name(jail)
        summary = f"{verb} jail {who}"
        call = partial(getattr(self.actions, verb), jail.name, expect_jid=jail.jid,
                       force=plan.refused)

        def run() -> None:
            self._run(summary, f"{PROGRESS[verb]} jail {who}…", call,
                      partial(jail_outcome, summary), lasting=True)

        def again(yes: bool | None) -> None:
            if yes:
                run()

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if not plan.refused:
                run()
                return
            self.app.push_screen(ConfirmScreen(
                vis(f"Really remove jail {who} with jail -r?"),
                Text(f"This skips {plan.skipped}. Nothing can start it again: no config "
                     f"knows it."),
                confirm=f"Remove {jail.name}"), again)

        details = _jail_details(verb, stats)
        how = (f"made by hand: {plan.refusal}" if plan.refused
               else f"via {plan.via}" if plan.commands else "")
        self.app.push_screen(ConfirmScreen(f"{verb.capitalize()} jail {who}?",
                                           Text("\n".join(p for p in (details, vis(how)) if p)),
                                           confirm=verb.capitalize()), answered)

    def shell(self, name: str) -> None:
        """Suspend the app and open the configured shell in jail ``name``; on the demo host,
        the demo's simulated shell in the dashboard instead."""
        from .screens.demo_shell import DemoShellScreen

        if self._ready(name, running=True) is None:
            return
        if self.actions.host.simulated:
            self.app.push_screen(DemoShellScreen(DemoShell(self.actions, name)))
            return
        summary = f"shell in jail {name}"
        self._run(summary, f"opening a shell in {name}…",
                  partial(self.actions.shell_argv, name),
                  partial(self._foreground, summary, name))

    def _foreground(self, summary: str, name: str, argv: list[str]) -> Outcome:
        problem: str | None = None
        code = 0
        try:
            with self.app.suspend():
                try:
                    code = self.run_foreground(argv)
                except (OSError, subprocess.SubprocessError) as exc:
                    problem = f"cannot run {argv[0]}: {error_line(exc)}"
        except SuspendNotSupported as exc:
            problem = f"cannot suspend this terminal: {exc} Run it yourself: {shlex.join(argv)}"
        except OSError as exc:
            problem = f"cannot suspend this terminal: {error_line(exc)}"
        self.actions.shell_ran(name, problem=problem)
        if problem is not None:
            return Outcome(summary, False, problem)
        return Outcome(summary, True, f"back from the shell (exit status {code})")

    def run_command(self, name: str) -> None:
        """Ask for a command line, run it in jail ``name``, show its output."""
        from .screens.run_command import CommandScreen

        if self._ready(name, running=True) is None:
            return

        def answered(argv: list[str] | None) -> None:
            if argv:
                line = shlex.join(argv)
                summary = f"run in jail {name}: {line}"
                self._run(summary, f"running {line} in {name}…",
                          partial(self.actions.run, name, argv),
                          partial(_command_outcome, summary), dialog=True)

        self.app.push_screen(CommandScreen(name), answered)

    # -- limits ----------------------------------------------------------------------------

    def edit_limit(self, name: str, rule: Rule | None = None) -> None:
        """The limit editor for jail ``name``, starting from ``rule`` when given."""
        from .screens.confirm import ConfirmScreen
        from .screens.limit_editor import LimitEditor

        if not self._allowed():
            return
        stats = self._stats(name)
        snapshot = self.app.snapshot
        known = stats is not None and snapshot is not None and snapshot.rules_error is None
        path = self.actions.conf.path
        editor = LimitEditor(name, usage=stats.usage if stats else None,
                             rules=stats.rules if known and stats else None, conf_path=path,
                             rule=rule, persist=rule is not None and self._in_conf(rule.exact()),
                             manager_note=manager_note(stats.jail.manager, vis(name))
                             if stats else "")

        def answered(request: LimitRequest | None) -> None:
            if request is None:
                return
            summary = f"set {request.rule}"

            def done(_rule: Rule) -> Outcome:
                kept = self.actions.kept_by
                where = (f", kept by {kept}" if kept else f", and in {path}" if request.persist
                         else "")
                return Outcome(summary, True, f"{request.rule} is set{where}")

            def apply(yes: bool | None = True) -> None:
                if yes:
                    self._run(summary, f"setting {request.rule}…",
                              partial(self.actions.add_rule, request.rule,
                                      persist=request.persist, replaces=rule),
                              done)

            now = self._stats(name)
            warning = below_use(request.rule, now.usage if now is not None else None)
            if warning is None:
                apply()
                return
            self.app.push_screen(ConfirmScreen(f"Set {request.rule} below current use?",
                                               warning, confirm="Set anyway"), apply)

        self.app.push_screen(editor, answered)

    def remove_limit(self, name: str, rule: Rule) -> None:
        """Ask, then remove exactly ``rule`` live and, if ticked, from rctl.conf."""
        from .screens.confirm import ConfirmScreen

        if not self._allowed():
            return
        path = self.actions.conf.path
        exact = rule.exact()
        confirm = ConfirmScreen(f"Remove limit {rule} from jail {name}?",
                                f"rctl -r {exact}", confirm="Remove",
                                option=f"also remove it from {path}",
                                option_value=self._in_conf(exact))
        summary = f"remove {rule}"

        def answered(yes: bool | None) -> None:
            if yes:
                persist = confirm.option_value
                done = f"removed {rule}" + (f", and from {path}" if persist else "")
                self._run(summary, f"removing {rule}…",
                          partial(self.actions.remove_rules, exact, persist=persist),
                          lambda _rules: Outcome(summary, True, done))

        self.app.push_screen(confirm, answered)

    def undo(self, *, ask: bool = False) -> None:
        """Undo the last limit change of this session; with ``ask`` (the palette) only after
        a confirmation, and only if it is still the last change then."""
        from .screens.confirm import ConfirmScreen

        if not self._allowed():
            return
        last = self.actions.last_change
        if last is None:
            self._warn(NOTHING_TO_UNDO)
            return
        summary = f"undo {last}"

        def run() -> None:
            self._run(summary, f"undoing {last}…", self.actions.undo,
                      lambda message: Outcome(summary, True, message))

        def answered(yes: bool | None) -> None:
            if not yes or not self._allowed():
                return
            if self.actions.last_change != last:
                self._warn(f"not undone: the last change is no longer {last}")
                return
            run()

        if not ask:
            run()
            return
        self.app.push_screen(ConfirmScreen(f"Undo {last}?", self.actions.undo_preview,
                                           confirm="Undo"), answered)

    def _in_conf(self, flt: RuleFilter) -> bool:
        """Whether rctl.conf holds a rule matching ``flt`` (False when unreadable)."""
        try:
            text = self.actions.conf.read()
        except JailtuiError:
            return False
        return bool(matching(text, flt))

    # -- processes -------------------------------------------------------------------------

    def signal(self, name: str, process: Process) -> None:
        """Ask which signal (TERM, KILL, HUP), then send it to ``process``."""
        from .screens.signal import SignalScreen

        if self._ready(name, running=True) is None:
            return

        def answered(name_of_signal: str | None) -> None:
            if not name_of_signal:
                return
            summary = f"send SIG{name_of_signal} to PID {process.pid} in jail {name}"
            self._run(summary, f"sending SIG{name_of_signal} to PID {process.pid}…",
                      partial(self.actions.signal, process, name_of_signal),
                      lambda _none: Outcome(summary, True, f"sent SIG{name_of_signal} to PID "
                                                           f"{process.pid} ({process.command})"))

        self.app.push_screen(SignalScreen(name, process), answered)

    # -- the event log ---------------------------------------------------------------------

    def show_log(self) -> None:
        from .screens.event_log import EventLogScreen

        audit = self.actions.audit
        self.app.push_screen(EventLogScreen(self.outcomes, audit.tail(AUDIT_LINES), audit.path))

    # -- running ---------------------------------------------------------------------------

    def _allowed(self) -> bool:
        """False, with the reason shown, in read-only mode or while another change runs."""
        if self.read_only:
            self._warn(READ_ONLY)
            return False
        if self.busy is not None:
            self._warn(f"wait: {self.busy}")
            return False
        return True

    def _stats(self, name: str) -> JailStats | None:
        snapshot = self.app.snapshot
        return snapshot.jail(name) if snapshot is not None else None

    def _ready(self, name: str, *, running: bool = False) -> JailStats | None:
        """The jail's latest stats when a change to it may start (else None, saying why)."""
        if not self._allowed():
            return None
        stats = self._stats(name)
        if stats is None:
            self._warn(f'jail "{name}" is not on the host any more')
        elif running and not stats.jail.running:
            self._warn(f"jail {name} is not running")
            return None
        return stats

    def _warn(self, message: str) -> None:
        self.app.notify(message, severity="warning", markup=False)

    def _run(self, summary: str, progress: str, call: Callable[[], T],
             done: Callable[[T], Outcome], *, dialog: bool = False, lasting: bool = False) -> None:
        """Run ``call`` in a daemon thread; ``done`` turns its value into the outcome (in the
        app)."""
        self.busy, self.busy_since, self.lasting = progress, time.monotonic(), lasting
        self.app.changes_updated()
        threading.Thread(target=partial(self._work, summary, call, done, dialog),
                         name="jailtui-change", daemon=True).start()

    def _work(self, summary: str, call: Callable[[], T], done: Callable[[T], Outcome],
              dialog: bool) -> None:
        try:
            value = call()
        except Exception as exc:
            finish = partial(self._finish, failure(summary, exc), dialog)
        else:
            finish = partial(self._conclude, summary, done, value, dialog)
        if self.app.quitting:
            return
        try:
            self.app.call_from_thread(finish)
        except RuntimeError:
            pass

    def _conclude(self, summary: str, done: Callable[[T], Outcome], value: T,
                  dialog: bool) -> None:
        try:
            outcome = done(value)
        except Exception as exc:
            outcome = failure(summary, exc)
        self._finish(outcome, dialog)

    def quit_notice(self) -> str | None:
        """What becomes of the change under way when jailtui quits now (None: nothing runs)."""
        if self.busy is None:
            return None
        if self.lasting:
            return (f"left running in the background: {self.busy} "
                    "('jailtui ls' shows how it ends)")
        return f"stopped by quitting: {self.busy} (it may or may not have taken effect)"

    def quit(self) -> str | None:
        """Quitting: the audit record of the change under way says it was cut short (its own
        end never comes); returns :meth:`quit_notice` for the terminal."""
        notice = self.quit_notice()
        if notice is not None:
            self.actions.abandon("jailtui quit while it ran, " + (
                "which left it running in the background" if self.lasting else
                "which stopped it (it may or may not have taken effect)"))
        return notice

    def _finish(self, outcome: Outcome, dialog: bool) -> None:
        """Report ``outcome``: a dialog when asked for or when a failed command printed
        something, else a notification."""
        from .screens.result import ResultScreen

        self.busy = self.busy_since = None
        self.lasting = False
        self.outcomes.append(outcome)
        self.app.changes_updated()
        if dialog or (not outcome.ok and (outcome.output or outcome.stderr)):
            self.app.push_screen(ResultScreen(outcome))
        else:
            self.app.notify(outcome.message, title=outcome.summary, markup=False,
                            severity="information" if outcome.ok else "error",
                            timeout=5 if outcome.ok else 10)
        for warning in self.actions.take_warnings():
            self._warn(warning)
        if not self.app.paused:
            self.app.request_sample()


def _jail_details(verb: str, stats: JailStats) -> str:
    jail = stats.jail
    where = ", ".join(vis(part) for part in (jail.hostname, jail.path) if part)
    if verb == "start":
        return where
    what = f"its {stats.nproc} processes will be stopped"
    return f"{where}\n{what}" + ("; it comes back with a new JID" if verb == "restart" else "")


def _command_outcome(summary: str, result: CommandResult) -> Outcome:
    return Outcome(summary, result.ok, f"exit status {result.returncode}", result.stdout,
                   result.stderr)

