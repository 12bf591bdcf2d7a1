"""The key footer of the jail list and the jail detail."""

from __future__ import annotations

from textual import widgets


class Footer(widgets.Footer):
    """Textual's Footer without its leak: every recompose (each time the keys change) leaves
    the old keys registered as watchers of ``compact``, kept alive until ``compact`` changes
    (Textual issue 6666). Changing it there and back after each recompose lets them go."""

    async def recompose(self) -> None:
        await super().recompose()
        compact = self.compact
        self.compact = not compact
        self.compact = compact
