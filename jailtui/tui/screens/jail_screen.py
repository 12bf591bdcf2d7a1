"""The keys that change a jail, shared by the jail list and a jail's detail.

In read-only mode the keys stay in the footer, dimmed (``check_action`` answers None), and
pressing one says why nothing happens; without Actions (view only) they are hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from textual import events
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widget import Widget

from ..widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from ...engine.sampler import Snapshot
    from ..app import JailtuiApp
    from ..changes import Changes

CHANGE_ACTIONS = frozenset({"start", "stop", "restart", "shell", "run_command", "add_limit",
                            "undo", "edit_limit", "remove_limit", "signal"})


@runtime_checkable
class FollowsSnapshots(Protocol):
    """A screen that follows the app's snapshots: the app hands each new one to every screen
    in its stack, and each decides whether it shows it now (a hidden one catches up when
    shown)."""

    def follow_snapshot(self, snapshot: Snapshot) -> None: ...


class JailScreen(Screen):
    """A screen about jails; subclasses say which jail a key applies to and how they show a
    snapshot (:class:`FollowsSnapshots`): only the one the operator looks at (the top screen,
    or the one under the dialogs open on it) shows a new snapshot; the others catch up when
    shown."""

    #: The filter the screen's filter bar set (None: none), and why the text is no regex.
    pattern: re.Pattern[str] | None
    filter_error: str | None

    JAIL_KEYS = Binding.Group("start/stop/restart", compact=True)
    BINDINGS = [
        Binding("U", "start", "Start", tooltip="start the jail (asks first)", group=JAIL_KEYS),
        Binding("D", "stop", "Stop", tooltip="stop the jail (asks first)", group=JAIL_KEYS),
        Binding("R", "restart", "Restart", tooltip="restart the jail (asks first)",
                group=JAIL_KEYS),
        Binding("c", "shell", "Shell",
                tooltip="shell in the jail (jexec -l -U root NAME /bin/sh); exit returns here"),
        Binding("exclamation_mark", "run_command", "Run", key_display="!", show=False,
                tooltip="run one command in the jail and show its output"),
        Binding("L", "add_limit", "Limit", show=False, tooltip="add an rctl limit to the jail"),
        Binding("z", "undo", "Undo", show=False,
                tooltip="undo the last limit change of this session"),
        Binding("E", "event_log", "Events", show=False,
                tooltip="event log: the changes of this session and their results"),
    ]

    @property
    def jailtui(self) -> JailtuiApp:
        return cast("JailtuiApp", self.app)

    @property
    def in_view(self) -> bool:
        """True when the operator looks at this screen: on top, or under dialogs only."""
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, JailScreen):
                return screen is self
        return False

    def follow_snapshot(self, snapshot: Snapshot) -> None:
        if self.in_view:
            self.show_sample(snapshot)

    def show_sample(self, snapshot: Snapshot) -> None:
        """Show a new snapshot of the app (this screen is in view)."""

    def filtered(self) -> Widget:
        """The table the screen's filter bar filters; the focus returns to it."""
        raise NotImplementedError

    def refilter(self) -> None:
        """Show the data again through the filter (``pattern``) just set."""

    def on_filter_bar_filter_changed(self, event: FilterBar.FilterChanged) -> None:
        event.stop()
        self.pattern = event.pattern
        self.filter_error = event.error
        if event.closed:
            event.bar.display = self.pattern is not None
            self.filtered().focus()
        self.refilter()

    #: Footer keys that come first, so a narrow terminal (80 columns) still shows them.
    FOOTER_FIRST = ("help", "quit", "back")

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys in the footer's order: help and quit first, then the rest as Textual
        orders them (the focused widget's, the screen's, the app's)."""
        bindings = super().active_bindings
        first = sorted((key for key, active in bindings.items()
                        if active.binding.action in self.FOOTER_FIRST),
                       key=lambda key: self.FOOTER_FIRST.index(bindings[key].binding.action))
        rest = [key for key in bindings if key not in first]
        # One key per shown action, the shortest: q where q quits, ^q where q goes back.
        def display(key: str) -> str:
            return bindings[key].binding.key_display or key

        groups: dict[tuple[str, str], list[str]] = {}
        for key in [*first, *rest]:
            binding = bindings[key].binding
            group = (binding.action, binding.description) if binding.show else ("", key)
            groups.setdefault(group, []).append(key)
        return {key: bindings[key] for key in (min(keys, key=lambda k: len(display(k)))
                                                for keys in groups.values())}

    def selected_jail(self) -> str | None:
        """The name of the jail the keys apply to."""
        return None

    @property
    def changes(self) -> Changes | None:
        return getattr(self.app, "changes", None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in CHANGE_ACTIONS and action != "event_log":
            return True
        changes = self.changes
        if changes is None:
            return False
        if action == "event_log":
            return True
        if changes.read_only or (action == "undo" and not changes.can_undo):
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        """Say why a dimmed change key does nothing."""
        active = self.active_bindings.get(event.key)
        changes = self.changes
        if (changes is None or active is None or active.enabled
                or active.binding.action not in CHANGE_ACTIONS):
            return
        event.stop()
        reason = changes.disabled_reason(active.binding.action)
        if reason:
            self.notify(reason, severity="warning", markup=False)

    def _on_jail(self, do: Callable[[Changes, str], None]) -> None:
        changes, name = self.changes, self.selected_jail()
        if changes is None:
            return
        if name is None:
            self.notify("no jail selected", severity="warning")
            return
        do(changes, name)

    def action_start(self) -> None:
        self._on_jail(lambda changes, name: changes.jail_action("start", name))

    def action_stop(self) -> None:
        self._on_jail(lambda changes, name: changes.jail_action("stop", name))

    def action_restart(self) -> None:
        self._on_jail(lambda changes, name: changes.jail_action("restart", name))

    def action_shell(self) -> None:
        self._on_jail(lambda changes, name: changes.shell(name))

    def action_run_command(self) -> None:
        self._on_jail(lambda changes, name: changes.run_command(name))

    def action_add_limit(self) -> None:
        self._on_jail(lambda changes, name: changes.edit_limit(name))

    def action_undo(self) -> None:
        if self.changes is not None:
            self.changes.undo()

    def action_event_log(self) -> None:
        if self.changes is not None:
            self.changes.show_log()
