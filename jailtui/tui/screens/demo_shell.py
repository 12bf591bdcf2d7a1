"""The demo's shell on screen: a scrollback and a command line, in the simulated jail.

Each line goes to :class:`~jailtui.engine.demo_shell.DemoShell` in a thread (the path of
``!``); what it prints is a jail's output, shown literally.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, RichLog

from ...engine.demo_shell import DemoShell, Reply
from ...literal import literal
from .dialog import Dialog


class DemoShellScreen(Dialog[None]):
    """``shell``'s session; exit, ^D or Esc closes it."""

    DEFAULT_CSS = """
    DemoShellScreen > #dialog {
        width: 100;
        height: 80%;
    }
    DemoShellScreen RichLog {
        height: 1fr;
        background: $background;
    }
    DemoShellScreen #line {
        height: 1;
    }
    DemoShellScreen #line Input {
        width: 1fr;
    }
    """

    BINDINGS = [Binding("ctrl+d", "close", "Leave", tooltip="leave the simulated shell")]

    def __init__(self, shell: DemoShell) -> None:
        super().__init__()
        self.shell = shell
        self.transcript: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = literal(f"Simulated shell in jail {self.shell.jail} (demo)")
            yield RichLog(id="log", wrap=True, markup=False)
            with Horizontal(id="line"):
                yield Label(literal(self.shell.prompt), id="prompt")
                yield Input(id="command", compact=True)

    def on_mount(self) -> None:
        self._write(self.shell.banner, "dim")
        self.query_one(Input).focus()

    @property
    def text(self) -> str:
        """Everything the scrollback shows, as plain text (tests read this)."""
        return "\n".join(self.transcript)

    def _write(self, text: str, style: str = "") -> None:
        for line in text.rstrip("\n").split("\n"):
            self.transcript.append(line)
            self.query_one(RichLog).write(literal(line, style))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value
        event.input.value = ""
        event.input.disabled = True
        self._write(self.shell.prompt + line)
        self._run(line)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, line: str) -> None:
        reply = self.shell.run(line)
        self.app.call_from_thread(self._show, reply)

    def _show(self, reply: Reply) -> None:
        if reply.done:
            self.dismiss(None)
            return
        if reply.stdout:
            self._write(reply.stdout)
        if reply.stderr:
            self._write(reply.stderr, "yellow")
        field = self.query_one(Input)
        field.disabled = False
        field.focus()
