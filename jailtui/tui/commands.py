"""Command palette entries: open any jail by name, the dashboard's actions, and changes.

Whatever is typed, "Open jail NAME" comes first, then the commands that only read or change
the view, and the changes last: Enter on the first hit never changes a host (each change asks
first anyway, with Cancel focused). Entries name jails and quote their hostnames: prompts and
help are built as Content from :func:`~jailtui.engine.vis.vis`'d text, never parsed as markup
(a jail named ``[/]`` would otherwise stop the app).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, cast

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from ..engine.vis import vis
from .changes import READ_ONLY, jail_name
from .widgets.jail_table import COLUMNS

if TYPE_CHECKING:
    from .app import JailtuiApp


#: Ranks: a hit's score is its rank plus its match quality (below 1). Textual's own commands
#: score their raw match (1 and up; 0 unasked), so they sit between the views and the changes.
OPEN, VIEW, CHANGE = 1000.0, 100.0, -1.0


class Command(NamedTuple):
    text: str
    run: Callable[[], object]
    help: str
    rank: float = VIEW


def ranked(rank: float, score: float) -> float:
    """``rank`` plus ``score`` squeezed below 1, so no match lifts a hit past a higher rank."""
    return rank + score / (1.0 + score)


VERB_KEYS = {"start": "U", "stop": "D", "restart": "R"}


class ListedCommands(Provider):
    """A provider whose commands are a list of (text, callback, help)."""

    def _commands(self) -> list[Command]:
        return []

    def _discoverable(self) -> list[Command]:
        return self._commands()

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help, rank in self._commands():
            shown = vis(text)
            score = matcher.match(shown)
            if score > 0:
                # help as Content: the palette parses a str help as markup
                yield Hit(ranked(rank, score), highlight(matcher, shown), command, text=shown,
                          help=Content(vis(help)))  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        # Hits, not DiscoveryHits (which all score 0): unasked, the changes are listed last too
        for text, command, help, rank in self._discoverable():
            shown = vis(text)
            yield Hit(ranked(rank, 0.0), Content(shown), command, text=shown,
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
            commands.append(Command(f"Open jail {jail.name}", partial(app.open_jail, jail.name),
                                    f"{jid} {jail.hostname}".strip(), OPEN))
        commands += [
            Command("Resume sampling" if app.paused else "Pause sampling",
                    app.action_toggle_pause, "p: stop or restart refreshing"),
            Command("Refresh now", app.action_refresh, "r: sample the host immediately"),
            Command("Faster refresh", app.action_faster, f"+: now every {app.interval:g}s"),
            Command("Slower refresh", app.action_slower, f"-: now every {app.interval:g}s"),
            Command("Filter jails", app.action_filter_jails,
                    "/: regex on name, hostname, IP or path"),
            Command("Clear filter", partial(app.filter_jails, ""), "Esc in the jail table"),
            Command("Help: keys", app.action_help, "?: every key"),
        ]
        for column in COLUMNS:
            if column.sort is not None:
                commands.append(Command(f"Sort jails by {column.label}",
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
                commands.append(Command(f"{verb.capitalize()} jail {name}",
                                        partial(changes.jail_action, verb, name),
                                        f"{note}{VERB_KEYS[verb]}: {verb} {who} (asks first)",
                                        CHANGE))
            if jail.running:
                commands.append(Command(f"Shell in {name}", partial(changes.shell, name),
                                        f"{note}c: jexec shell, exit returns here", CHANGE))
                commands.append(Command(f"Run a command in {name}",
                                        partial(changes.run_command, name),
                                        f"{note}!: run one command and see its output", CHANGE))
            commands.append(Command(f"Add limit to {name}", partial(changes.edit_limit, name),
                                    f"{note}L: the limit editor", CHANGE))
        return commands + self._discoverable()

    def _discoverable(self) -> list[Command]:
        changes = cast("JailtuiApp", self.app).changes
        if changes is None:
            return []
        last = changes.actions.last_change
        undo = f"z: {last}" if last else "z: nothing changed yet"
        return [Command("Event log", changes.show_log, "E: the changes of this session"),
                Command("Undo last limit change", partial(changes.undo, ask=True),
                        READ_ONLY if changes.read_only else f"{undo} (asks first)", CHANGE)]
