"""Command palette entries: open any jail by name, the dashboard's actions, and changes.

Entries name jails and quote their hostnames: prompts and help are built as Content from
:func:`~jailtui.engine.vis.vis`'d text, never parsed as markup (a jail named ``[/]`` would
otherwise stop the app).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from ..engine.vis import vis
from .changes import READ_ONLY, jail_name
from .widgets.jail_table import COLUMNS

if TYPE_CHECKING:
    from .app import JailtuiApp


Command = tuple[str, Callable[[], object], str]
VERB_KEYS = {"start": "U", "stop": "D", "restart": "R"}


class ListedCommands(Provider):
    """A provider whose commands are a list of (text, callback, help)."""

    def _commands(self) -> list[Command]:
        return []

    def _discoverable(self) -> list[Command]:
        return self._commands()

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help in self._commands():
            shown = vis(text)
            score = matcher.match(shown)
            if score > 0:
                # help as Content: the palette parses a str help as markup
                yield Hit(score, highlight(matcher, shown), command, text=shown,
                          help=Content(vis(help)))  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for text, command, help in self._discoverable():
            shown = vis(text)
            yield DiscoveryHit(Content(shown), command, text=shown,
                               help=Content(vis(help)))  # type: ignore[arg-type]


def highlight(matcher: Matcher, text: str) -> Content:
    """``text`` with the query's letters highlighted, as ``Matcher.highlight`` does, but
    literal: that one parses its candidate as markup."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class JailCommands(ListedCommands):
    """``Open jail NAME`` for every jail of the last sample, then sort/filter/pause/interval."""

    def _commands(self) -> list[Command]:
        app = cast("JailtuiApp", self.app)
        commands: list[Command] = []
        snapshot = app.snapshot
        for stats in snapshot.jails if snapshot is not None else ():
            jail = stats.jail
            jid = f"JID {jail.jid}" if jail.jid is not None else jail.state.value.lower()
            commands.append((f"Open jail {jail.name}", partial(app.open_jail, jail.name),
                             f"{jid} {jail.hostname}".strip()))
        commands += [
            ("Resume sampling" if app.paused else "Pause sampling", app.action_toggle_pause,
             "p: stop or restart refreshing"),
            ("Refresh now", app.action_refresh, "r: sample the host immediately"),
            ("Faster refresh", app.action_faster, f"+: now every {app.interval:g}s"),
            ("Slower refresh", app.action_slower, f"-: now every {app.interval:g}s"),
            ("Filter jails", app.action_filter_jails, "/: regex on name, hostname, IP or path"),
            ("Clear filter", partial(app.filter_jails, ""), "Esc in the jail table"),
            ("Help: keys", app.action_help, "?: every key"),
        ]
        for column in COLUMNS:
            if column.sort is not None:
                commands.append((f"Sort jails by {column.label}",
                                 partial(app.sort_jails, column.key), column.help))
        return commands


class ChangeCommands(ListedCommands):
    """Start/Stop/Restart jail NAME, Shell in NAME, Add limit to NAME, Undo, Event log.

    Typing finds the per-jail ones; the palette lists only Undo and Event log unasked."""

    def _commands(self) -> list[Command]:
        changes = cast("JailtuiApp", self.app).changes
        snapshot = cast("JailtuiApp", self.app).snapshot
        if changes is None:
            return []
        note = f"{READ_ONLY}; " if changes.read_only else ""
        commands: list[Command] = []
        for stats in snapshot.jails if snapshot is not None else ():
            jail = stats.jail
            name, who = jail.name, jail_name(jail)
            for verb in ("restart", "stop") if jail.running else ("start",):
                commands.append((f"{verb.capitalize()} jail {name}",
                                 partial(changes.jail_action, verb, name),
                                 f"{note}{VERB_KEYS[verb]}: {verb} {who} (asks first)"))
            if jail.running:
                commands.append((f"Shell in {name}", partial(changes.shell, name),
                                 f"{note}c: jexec shell, exit returns here"))
                commands.append((f"Run a command in {name}", partial(changes.run_command, name),
                                 f"{note}!: run one command and see its output"))
            commands.append((f"Add limit to {name}", partial(changes.edit_limit, name),
                             f"{note}L: the limit editor"))
        return commands + self._discoverable()

    def _discoverable(self) -> list[Command]:
        changes = cast("JailtuiApp", self.app).changes
        if changes is None:
            return []
        last = changes.actions.last_change
        undo = f"z: {last}" if last else "z: nothing changed yet"
        return [("Undo last limit change", changes.undo, READ_ONLY if changes.read_only else undo),
                ("Event log", changes.show_log, "E: the changes of this session")]
