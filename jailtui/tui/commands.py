"""Command palette entries: open any jail by name, and the dashboard's actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .widgets.jail_table import COLUMNS

if TYPE_CHECKING:
    from .app import JailtuiApp


class JailCommands(Provider):
    """``Open jail NAME`` for every jail of the last sample, then sort/filter/pause/interval."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("JailtuiApp", self.app)
        commands: list[tuple[str, Callable[[], object], str]] = []
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

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help)

    async def discover(self) -> Hits:
        for text, command, help in self._commands():
            yield DiscoveryHit(text, command, text=text, help=help)
