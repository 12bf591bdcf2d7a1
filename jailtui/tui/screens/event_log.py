"""The audit log's last lines, then this session's changes and how they ended; newest last."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...engine.vis import vis
from ..outcome import Outcome
from .dialog import Dialog


def session_text(outcomes: Sequence[Outcome]) -> Text:
    if not outcomes:
        return Text("no changes in this session yet", style="dim")
    return Text("\n").join(outcome.text() for outcome in outcomes)


def audit_text(lines: Sequence[str], path: Path | None) -> Text:
    where = f"audit log {path}" if path is not None else "audit log (not written to a file)"
    text = Text(vis(f"{where}, last {len(lines)} lines:"), style="bold")
    for line in lines:
        text.append(f"\n{vis(line)}", style="red" if " result=failed" in line else "")
    return text


class EventLogScreen(Dialog[None]):
    """The session's outcomes (``E``); Esc, q or E closes it."""

    DEFAULT_CSS = """
    EventLogScreen > #dialog {
        width: 96%;
        max-width: 140;
        height: 90%;
    }
    EventLogScreen #events {
        height: 1fr;
    }
    EventLogScreen .section {
        height: auto;
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("q", "close", "Close", show=False),
        Binding("E", "close", "Close", show=False),
    ]

    def __init__(self, outcomes: Sequence[Outcome], audit_lines: Sequence[str],
                 audit_path: Path | None) -> None:
        super().__init__()
        self.outcomes = list(outcomes)
        self.audit_lines = list(audit_lines)
        self.audit_path = audit_path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Event log"
            with VerticalScroll(id="events"):
                yield Static(audit_text(self.audit_lines, self.audit_path), id="audit",
                             classes="section")
                yield Static(Text("This session:", style="bold"), classes="title")
                yield Static(session_text(self.outcomes), id="session", classes="section")

    def on_mount(self) -> None:
        events = self.query_one("#events", VerticalScroll)
        events.focus()
        self.call_after_refresh(events.scroll_end, animate=False)

    @property
    def text(self) -> str:
        """Everything shown, as plain text (tests read this)."""
        return (audit_text(self.audit_lines, self.audit_path).plain + "\n"
                + session_text(self.outcomes).plain)
