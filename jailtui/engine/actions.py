"""Actions: the one code path for every change, used by the CLI and the TUI alike.

Each change is refused in read-only mode before the host is touched, checked against the jail
it names, recorded in the audit log with its result, and (for rctl rules) can be undone.
Rules change as the kernel changes them (:mod:`.kernel_rules`): a deny rule replaces the deny of
its slot (subject, subject-id, resource and per), a rule of any other action stacks; nothing
else is removed unless named (an edited rule, a filter, an exact rule).
"""

from __future__ import annotations

import difflib
import shlex
import shutil
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from . import deny, kernel_rules
from .audit import AuditLog, error_line
from .errors import JailtuiError, ReadOnly, UnknownJail, UsageError
from .host import DEFAULT_SHELL, Host
from .managers import ControlPlan, removal_note
from .model import ActionResult, CommandResult, Jail, Process, Rule, RuleFilter
from .rctl import SIGNALS as RCTL_SIGNALS
from .rctl import jail_filter, parse_filter, parse_rule, validate
from .rctlconf import RctlConf, changed, new_problems, reverted, synced, with_rule, without_rules
from .runner import not_found

T = TypeVar("T")
COMMON_SIGNALS: tuple[str, ...] = ("TERM", "KILL", "HUP", "INT", "QUIT", "STOP", "CONT",
                                   "USR1", "USR2")
SIGNAL_NAMES: tuple[str, ...] = COMMON_SIGNALS + tuple(
    name for name in (s[3:].upper() for s in RCTL_SIGNALS) if name not in COMMON_SIGNALS)
UNDO_DEPTH = 50


class JailChanged(JailtuiError):
    """The jail is not the one the user confirmed (restarted, stopped or gone)."""


class WrongJailState(JailtuiError):
    """Start of a running jail, stop of a stopped one, a shell in a stopped one."""


class NoMatchingRule(JailtuiError):
    """A removal whose filter matches no rule."""


class NothingToUndo(JailtuiError):
    """undo() with no limit change made in this session."""


class PersistFailed(JailtuiError):
    """The live change was made but rctl.conf could not be updated."""


class PartialChange(JailtuiError):
    """A change that stopped half-way; the message says which rules are live now, and
    ``undoable`` whether undo can take back the part that was made."""

    def __init__(self, message: str, hint: str = "", *, undoable: bool = True) -> None:
        super().__init__(message, hint)
        self.undoable = undoable


@dataclass(frozen=True, slots=True)
class Change:
    """A live rule change: the rules it took away and put in (all under ``scope``), and (when
    it was persisted) the rules rctl.conf lost and gained."""

    action: str
    target: str
    scope: RuleFilter
    removed: tuple[Rule, ...]
    added: tuple[Rule, ...]
    persisted: bool = False
    conf_removed: tuple[Rule, ...] = ()
    conf_added: tuple[Rule, ...] = ()
    #: The jail manager's command that keeps the rule (not rctl.conf), if any.
    kept_by: str = ""

    @property
    def description(self) -> str:
        return f"{self.action} {self.target}"


def normalise_signal(signal: str) -> str:
    """``SIGTERM``, ``term``, ``Term`` -> ``TERM``; UsageError for names kill(1) does not know."""
    name = signal.strip().upper()
    name = name[3:] if name.startswith("SIG") else name
    if name not in SIGNAL_NAMES:
        close = difflib.get_close_matches(name, SIGNAL_NAMES, n=1)
        raise UsageError(f"unknown signal '{signal}'",
                         f"did you mean {close[0]}?" if close else
                         "one of " + ", ".join(COMMON_SIGNALS))
    return name


def _rules(rules: Sequence[Rule]) -> str:
    return ", ".join(map(str, rules)) if rules else "none"


def _undo_text(change: Change, restore: str = "restored", remove: str = "removed") -> str:
    parts = [f"{restore} {_rules(change.removed)}"] if change.removed else []
    parts += [f"{remove} {_rules(change.added)}"] if change.added else []
    return "; ".join(parts)


class Actions:
    """Changes to one host: jails, rctl rules, rctl.conf, signals, commands in jails."""

    def __init__(self, host: Host, *, read_only: bool = False,
                 rctl_conf: Path = Path("/etc/rctl.conf"), audit: AuditLog | None = None,
                 shell_command: Sequence[str] = DEFAULT_SHELL) -> None:
        self.host = host
        self.read_only = read_only
        self.conf = RctlConf(rctl_conf)
        self.audit = audit if audit is not None else AuditLog(None)
        self.shell_command = tuple(shell_command)
        self.warnings: list[str] = []
        #: The manager command that kept the last rule added with persist ("" when rctl.conf
        #: did, or nothing was persisted).
        self.kept_by = ""
        self._changes: deque[Change] = deque(maxlen=UNDO_DEPTH)
        self._lock = threading.Lock()
        self._under_way: dict[int, tuple[str, str, str]] = {}

    # -- jails -----------------------------------------------------------------------------

    def start(self, name: str, *, expect_jid: int | None = None,
              force: bool = False) -> ActionResult:
        return self._jail_action("start", name, expect_jid, force)

    def stop(self, name: str, *, expect_jid: int | None = None,
             force: bool = False) -> ActionResult:
        return self._jail_action("stop", name, expect_jid, force)

    def restart(self, name: str, *, expect_jid: int | None = None,
                force: bool = False) -> ActionResult:
        return self._jail_action("restart", name, expect_jid, force)

    def plan(self, action: str, jail: Jail | str) -> ControlPlan:
        """How ``action`` of ``jail`` (as last seen, or looked up by name) would be done (its
        manager's command, rc.d, ``jail -f CONF``), or why jailtui refuses it."""
        return self.host.plan(action, jail if isinstance(jail, Jail) else self.host.jail(jail))

    def _jail_action(self, action: str, name: str, expect_jid: int | None,
                     force: bool) -> ActionResult:
        """Through the jail's manager or config; a jail no config names is only removed with
        ``force``, and never restarted (it could not start again)."""
        def call() -> ActionResult:
            self._writable(f"{action} jail {name}")
            jail = self._current(name, expect_jid)
            if action == "start" and jail.running:
                raise WrongJailState(f'jail "{jail.name}" is already running (JID {jail.jid})')
            if action != "start" and not jail.running:
                raise WrongJailState(f'jail "{jail.name}" is not running',
                                     "start it instead" if action == "restart" else "")
            return self.host.change(action, jail.name, force=force, jail=jail)

        return self._audited(f"jail-{action}", f"jail:{name}", call,
                             detail="force" if force else "",
                             failure=lambda result: None if result.ok else result.message)

    def _current(self, name: str, expect_jid: int | None) -> Jail:
        """The jail now; with ``expect_jid``, refuse if it is not the one that was selected."""
        try:
            jail = self.host.jail(name)
        except UnknownJail:
            if expect_jid is None:
                raise
            raise JailChanged(f'jail "{name}" changed since it was selected: JID {expect_jid} '
                              "is gone", "look again before retrying") from None
        if expect_jid is not None and jail.jid != expect_jid:
            now = f"JID {jail.jid}" if jail.jid is not None else "it is stopped"
            raise JailChanged(f'jail "{name}" changed since it was selected: it was JID '
                              f"{expect_jid}, now {now}", "look again before retrying")
        return jail

    def _running(self, name: str) -> Jail:
        jail = self.host.jail(name)
        if not jail.running:
            raise WrongJailState(f'jail "{jail.name}" is not running')
        return jail

    # -- rctl rules ------------------------------------------------------------------------

    def add_rule(self, rule: str | Rule, *, persist: bool = False,
                 allow_unknown_jail: bool = False, replaces: Rule | None = None) -> Rule:
        """Add ``rule`` live (and to rctl.conf with ``persist``) as ``rctl -a`` does: a deny
        replaces the deny of its slot, other actions stack. ``replaces`` is the rule it was
        edited from, taken out after the new one is in. Returns the rule in canonical form."""
        parsed = validate(rule) if isinstance(rule, Rule) else parse_rule(rule)
        scope = RuleFilter(parsed.subject, parsed.subject_id)
        if replaces is not None and not scope.matches(replaces):
            raise UsageError(f"{parsed} cannot replace {replaces}: another subject")

        def call() -> Rule:
            self._writable(f"add rule {parsed}")
            if parsed.subject == "jail" and not allow_unknown_jail:
                self._known_jail_name(parsed.subject_id)
            live = tuple(self.host.rules(scope))
            gone = kernel_rules.displaced(live, parsed)
            drop = (replaces if replaces is not None and replaces != parsed
                    and replaces in live and replaces not in gone else None)
            change = Change("rctl-add", str(parsed), scope, gone,
                            () if parsed in live else (parsed,))
            self.host.add_rule(parsed)
            if drop is not None:
                self._take_out(change, parsed, drop)
                change = replace(change, removed=(*gone, drop))
            edited = replaces if replaces in change.removed else None
            if not self._kept_by_manager(change, parsed, persist):
                self._commit(change, persist, lambda text: with_rule(text, parsed, edited),
                             f"rule {parsed} is set live")
            return parsed

        detail = " ".join(part for part in (self._persist_detail(persist),
                                            f"replaces={replaces}" if replaces else "") if part)
        return self._audited("rctl-add", str(parsed), call, detail=detail)

    def _take_out(self, change: Change, new: Rule, old: Rule) -> None:
        """Remove ``old``, the second half of replacing it with ``new``; if that fails, the
        first half is kept for undo and the error says which rules are live now."""
        try:
            self.host.remove_rules(old.exact())
        except JailtuiError as exc:
            undoable = bool(change.removed or change.added)
            if undoable:
                self._changes.append(change)
            raise PartialChange(f"{new} is set, but {old} was not removed: {exc.message}; "
                                f"live now: {self._live_now(change.scope, (new, old))}",
                                "undo takes the new rule out again" if undoable else "",
                                undoable=undoable) from exc

    def _live_now(self, scope: RuleFilter, involved: Sequence[Rule]) -> str:
        """The live rules of the resources ``involved`` touches, for a half-made change."""
        resources = {rule.resource for rule in involved}
        try:
            live = [rule for rule in self.host.rules(scope) if rule.resource in resources]
        except JailtuiError as exc:
            return f"unknown ({exc.message})"
        return _rules(live)

    def below_use(self, rule: Rule) -> str | None:
        """The warning for a deny ``rule`` below its jail's current use (:mod:`.deny`); None
        when it fits, or when the jail is not running or its usage cannot be read."""
        if not deny.compared(rule):
            return None
        try:
            jail = self.host.jail(rule.subject_id)
            usage = self.host.usage(jail.name) if jail.running else None
        except JailtuiError:
            return None
        return deny.below_use(rule, usage)

    def removal_filter(self, filter: str | RuleFilter) -> RuleFilter:
        """``filter`` parsed for a removal; one without a subject (``::``) is refused."""
        flt = parse_filter(filter) if isinstance(filter, str) else filter
        if not flt.subject:
            raise UsageError(f"refusing to remove every rule with '{flt}'",
                             "name a subject, e.g. jail:www or jail:www:memoryuse")
        return flt

    def remove_rules(self, filter: str | RuleFilter, *, persist: bool = False) -> list[Rule]:
        """Remove the live rules matching ``filter``; returns them."""
        flt = self.removal_filter(filter)

        def call() -> list[Rule]:
            self._writable(f"remove rules {flt}")
            before = tuple(self.host.rules(flt))
            if not before:
                raise NoMatchingRule(f"no rule matches '{flt}'")
            self.host.remove_rules(flt)
            self._manager_notes(before, removal=True)
            self._commit(Change("rctl-remove", str(flt), flt, before, ()), persist,
                         lambda text: without_rules(text, flt),
                         f"{len(before)} rule(s) removed live")
            return list(before)

        return self._audited("rctl-remove", str(flt), call, detail=self._persist_detail(persist))

    def persist(self, jail: str | None = None) -> Path:
        """Make rctl.conf hold the live jail rules (of every jail, or of ``jail``)."""
        flt = jail_filter(jail) if jail else RuleFilter(subject="jail")

        def call() -> Path:
            self._writable(f"write {self.conf.path}")
            rules = self.host.rules(flt)
            self._persist(lambda text: synced(text, rules, flt))
            return self.conf.path

        return self._audited("rctl-persist", str(flt), call, detail=f"file={self.conf.path}")

    def _known_jail_name(self, name: str) -> None:
        """rctl accepts any jail name; catch typos and JIDs before they become dead rules."""
        jails = self.host.jails()
        if any(jail.name == name for jail in jails):
            return
        by_jid = next((j for j in jails if name.isdigit() and j.jid == int(name)), None)
        if by_jid is not None:
            hint = f"rctl names jails, not JIDs: JID {name} is jail:{by_jid.name}"
        else:
            close = difflib.get_close_matches(name, [jail.name for jail in jails], n=1)
            hint = (f"did you mean '{close[0]}'?" if close
                    else "allow unknown jails to add a rule for a jail not configured yet")
        raise UnknownJail(name, hint)

    def _converge(self, scope: RuleFilter, add: Sequence[Rule], drop: Sequence[Rule]) -> None:
        """Put ``add`` back and take ``drop`` out of the live rules under ``scope``; adds come
        first so a limit is never briefly absent (a deny displaces the other deny itself)."""
        live = self.host.rules(scope)
        missing = [rule for rule in add if rule not in live]
        for rule in missing:
            self.host.add_rule(rule)
        if missing:
            live = self.host.rules(scope)
        for rule in drop:
            if rule in live and rule not in add:
                self.host.remove_rules(rule.exact())

    def _commit(self, change: Change, persist: bool, edit: Callable[[str], str],
                done_live: str) -> None:
        """Remember ``change`` for undo, then persist it; a failed save keeps the live change."""
        failure: JailtuiError | None = None
        conf_removed: tuple[Rule, ...] = ()
        conf_added: tuple[Rule, ...] = ()
        if persist:
            try:
                conf_removed, conf_added = self._persist(edit)
            except JailtuiError as exc:
                failure = exc
        if change.removed or change.added:
            self._changes.append(replace(change, persisted=persist and failure is None,
                                         conf_removed=conf_removed, conf_added=conf_added))
        if failure is not None:
            raise PersistFailed(f"{done_live}, but {self.conf.path} was not updated: "
                                f"{failure.message}",
                                failure.hint or "the live change stays until reboot")

    def _kept_by_manager(self, change: Change, rule: Rule, persist: bool) -> bool:
        """For a jail a manager runs: keep ``rule`` through the manager when asked to persist
        and it can (True), else say what its next restart does to the rule (False)."""
        keeping = self.host.rule_keeping(rule) if rule.subject == "jail" else None
        self.kept_by = ""
        if keeping is None or not (persist and keeping.commands):
            self._manager_notes((rule,))
            return False
        kept_by = " && ".join(shlex.join(argv) for argv in keeping.commands)
        if change.removed or change.added:
            self._changes.append(replace(change, kept_by=kept_by))
        try:
            results = self.host.keep_rule(keeping)
        except JailtuiError as exc:
            raise PersistFailed(f"rule {rule} is set live, but {keeping.manager} did not keep "
                                f"it: {exc.message}", keeping.note) from exc
        for result in results:
            self._record("rctl-keep", str(rule), "ok", shlex.join(result.argv))
        self.kept_by = kept_by
        return True

    def _manager_notes(self, rules: Sequence[Rule], *, removal: bool = False) -> None:
        """A warning per rule on a jail a manager runs: what its next restart does."""
        for rule in rules:
            keeping = self.host.rule_keeping(rule) if rule.subject == "jail" else None
            if keeping is None:
                continue
            note = (removal_note(keeping.manager, rule, rule.subject_id) if removal
                    else keeping.note)
            self.warnings.append(f"jail {rule.subject_id} is run by {keeping.manager}: {note}")

    def _persist(self, edit: Callable[[str], str]) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
        """Apply ``edit`` to rctl.conf under its lock; returns the rules the file lost and
        gained. The one place a change is made persistent; a line written that rc.d/rctl
        would not apply as written (a CRLF file, say) becomes a warning."""
        before, after = self.conf.update(edit)
        self.warnings += [f"{self.conf.path} {problem}" for problem in new_problems(before, after)]
        return changed(before, after)

    def _persist_detail(self, persist: bool) -> str:
        return f"persist={self.conf.path}" if persist else ""

    # -- undo ------------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._changes)

    @property
    def last_change(self) -> str | None:
        return self._changes[-1].description if self._changes else None

    @property
    def undo_preview(self) -> str:
        """What undo would do now: ``restores R; removes S`` ("" with nothing to undo)."""
        return _undo_text(self._changes[-1], "restores", "removes") if self._changes else ""

    def undo(self) -> str:
        """Revert the last rule change of this session (and its rctl.conf edit); says what
        was done."""
        if not self._changes:
            raise NothingToUndo("nothing to undo: no limit was changed in this session")
        change = self._changes[-1]

        def call() -> str:
            self._writable(f"undo {change.description}")
            try:
                self._converge(change.scope, change.removed, change.added)
            except JailtuiError as exc:
                raise PartialChange(
                    f"undo of {change.description} stopped: {exc.message}; live now: "
                    f"{self._live_now(change.scope, (*change.removed, *change.added))}",
                    "undo again to finish it") from exc
            self._changes.pop()
            message = f"undid {change.description}: {_undo_text(change)}"
            if change.kept_by:
                self.warnings.append(f"{change.target} stays kept by {change.kept_by}: the "
                                     f"jail's next start applies it again")
            if change.persisted:
                try:
                    self._persist(lambda text: reverted(text, change.conf_removed,
                                                        change.conf_added))
                except JailtuiError as exc:
                    raise PersistFailed(f"{message} live, but {self.conf.path} was not "
                                        f"updated: {exc.message}", exc.hint) from exc
            return message

        return self._audited("undo", change.description, call)

    # -- processes and commands ------------------------------------------------------------

    def shell_argv(self, name: str, command: Sequence[str] | None = None) -> list[str]:
        """argv for an interactive shell (or ``command``) in a running jail, its program found
        on PATH. A refusal is audited here; the shell itself by :meth:`shell_ran` once it has
        run, so success is never recorded before it happened."""
        try:
            self._writable(f"open a shell in jail {name}")
            jail = self._running(name)
            argv = self.host.shell_argv(jail.name, tuple(command or self.shell_command))
            if shutil.which(argv[0]) is None:
                raise not_found(argv[0])
            note = self.host.shell_note(jail.name)
            if note:
                self.warnings.append(note)
        except Exception as exc:
            self.shell_ran(name, command, error_line(exc))
            raise
        return argv

    def shell_ran(self, name: str, command: Sequence[str] | None = None,
                  problem: str | None = None) -> None:
        """Record the shell of :meth:`shell_argv` after it ran (``problem``: it could not)."""
        self._record("jail-shell", f"jail:{name}",
                     "ok" if problem is None else f"failed: {problem}",
                     shlex.join(command or self.shell_command))

    def run(self, name: str, argv: Sequence[str]) -> CommandResult:
        """Run ``argv`` in a running jail and capture its output."""
        if not argv:
            raise UsageError("no command to run", "give the command and its arguments")

        def call() -> CommandResult:
            self._writable(f"run a command in jail {name}")
            jail = self._running(name)
            return self.host.run_in_jail(jail.name, list(argv))

        return self._audited(
            "jail-exec", f"jail:{name}", call, detail=shlex.join(argv),
            failure=lambda result: None if result.ok else f"exit status {result.returncode}")

    def signal(self, process: Process, signal: str) -> None:
        """Send ``signal`` (TERM, KILL, HUP, INT, ...; any spelling) to ``process`` as it was
        seen; refused (ProcessChanged) when its PID now names another process or none."""
        name = normalise_signal(signal)
        pid = process.pid
        if pid < 1:
            raise UsageError(f"invalid process id {pid}")
        if pid == 1:
            raise UsageError("refusing to signal init (PID 1)")

        def call() -> None:
            self._writable(f"send SIG{name} to PID {pid}")
            self.host.check_process(process)
            self.host.signal(pid, name)

        self._audited("signal", f"pid:{pid}", call, detail=f"signal={name}")

    # -- bookkeeping -----------------------------------------------------------------------

    def take_warnings(self) -> list[str]:
        """Problems that did not stop a change (the audit log could not be written)."""
        warnings, self.warnings = self.warnings, []
        return warnings

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise ReadOnly(what)

    def _audited(self, action: str, target: str, call: Callable[[], T], *, detail: str = "",
                 failure: Callable[[T], str | None] | None = None) -> T:
        token = object()
        with self._lock:
            self._under_way[id(token)] = (action, target, detail)
        try:
            value = call()
        except Exception as exc:
            self._ended(token, f"failed: {error_line(exc)}")
            raise
        except BaseException:
            self._ended(token, "unknown: interrupted while it ran (it may or may not have "
                               "taken effect)")
            raise
        problem = failure(value) if failure is not None else None
        self._ended(token, "ok" if problem is None else f"failed: {problem}")
        return value

    def _ended(self, token: object, result: str) -> None:
        """The record of one change, unless :meth:`abandon` wrote it already."""
        with self._lock:
            entry = self._under_way.pop(id(token), None)
        if entry is not None:
            self._record(entry[0], entry[1], result, entry[2])

    def abandon(self, why: str) -> None:
        """A record for every change still under way, which its end will not write: the
        program is quitting (``why`` says what becomes of the command)."""
        with self._lock:
            entries = list(self._under_way.values())
            self._under_way.clear()
        for action, target, detail in entries:
            self._record(action, target, f"unknown: {why}", detail)

    def _record(self, action: str, target: str, result: str, detail: str) -> None:
        record = self.audit.record(action, target, result, self.host.label, detail)
        if record.error is not None:
            self.warnings.append(record.error)
