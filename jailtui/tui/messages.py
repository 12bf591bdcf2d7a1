"""Messages between the sampling thread, the app and its screens."""

from __future__ import annotations

from textual.message import Message

from ..engine.sampler import Snapshot


class SampleReady(Message):
    """A snapshot from the worker; a newer one waiting in the queue replaces an older one."""

    def __init__(self, snapshot: Snapshot, took: float) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.took = took

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SampleReady)


class SampleFailed(Message):
    """The sampler itself raised (it reports host failures as stale snapshots instead)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
