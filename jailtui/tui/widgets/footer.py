"""The key footer of the jail list and the jail detail."""

from __future__ import annotations

from collections.abc import Hashable

from textual import widgets


class Footer(widgets.Footer):
    """Textual's Footer, recomposed only when the keys it shows change, and without its leak.

    Textual recomposes the footer each time the screen's bindings may have changed: twice for
    one key that moves the focus (``/``), and each recompose mounts every key anew. Here a
    recompose that would show the same keys is skipped.

    The leak: every recompose leaves the old keys registered as watchers of ``compact``, kept
    alive until ``compact`` changes (Textual issue 6666). ``mutate_reactive(compact)`` after
    each recompose lets them go without restyling the keys twice, as a change of ``compact``
    there and back would."""

    _shown: Hashable = None

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
        self.mutate_reactive(widgets.Footer.compact)

    def _keys(self) -> Hashable:
        """What ``compose`` would show: each shown key with its state, and the palette key."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        keys = tuple((key, app.get_key_display(binding), binding.description, binding.action,
                      binding.group, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip)
                     in self.screen.active_bindings.items() if binding.show or key == palette)
        return (keys, self.compact, self.show_command_palette, self.combine_groups)
