"""What one change from the TUI came to: kept for the event log and shown in result dialogs."""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.text import Text

from ..engine.model import CommandResult
from ..literal import literal

#: The most of a command's output an outcome keeps (its end, where errors are): a dialog or
#: the event log showing megabytes would stall the app.
SHOWN = 64 * 1024


def shown(text: str) -> str:
    """``text``, or its last SHOWN characters, saying how many came before."""
    if len(text) <= SHOWN:
        return text
    return f"… {len(text) - SHOWN:,} characters before these are not shown\n{text[-SHOWN:]}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """``summary`` names the change (``stop jail www (JID 12)``), ``message`` how it ended;
    ``output`` and ``stderr`` are what the host commands printed, shown literally (their end,
    see SHOWN)."""

    summary: str
    ok: bool
    message: str
    output: str = ""
    stderr: str = ""
    when: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", shown(self.output))
        object.__setattr__(self, "stderr", shown(self.stderr))

    @property
    def stamp(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.when))

    def text(self) -> Text:
        """The whole outcome as literal Text (controls made visible): header line, message,
        output, stderr."""
        text = Text.assemble((f"{self.stamp} ", "dim"), literal(self.summary, "bold"), "  ",
                             ("ok", "green") if self.ok else ("failed", "bold red"),
                             "\n", literal(self.message))
        if self.output:
            text.append_text(Text("\n").append_text(
                literal(self.output.rstrip(), "dim", multiline=True)))
        if self.stderr:
            text.append_text(Text("\n").append_text(
                literal(self.stderr.rstrip(), "yellow", multiline=True)))
        return text


def transcript(commands: Iterable[CommandResult]) -> str:
    """``$ argv`` and what each command printed, with its status when it failed."""
    parts = []
    for command in commands:
        lines = [f"$ {shlex.join(command.argv)}"]
        if command.output:
            lines.append(command.output)
        if not command.ok:
            lines.append(f"(exit status {command.returncode})")
        parts.append("\n".join(lines))
    return "\n".join(parts)
