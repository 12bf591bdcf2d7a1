"""``?``: every key of the app, its screens and tables, generated from their BINDINGS."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.keyed_table import Column


def key_label(binding: Binding) -> str:
    names = {"question_mark": "?", "plus": "+", "equals_sign": "=", "minus": "-", "slash": "/",
             "colon": ":",
             "equals_sign": "=", "escape": "Esc", "enter": "Enter", "backspace": "Backspace",
             "left_square_bracket": "[", "right_square_bracket": "]", "space": "Space"}
    return names.get(binding.key, binding.key.replace("ctrl+", "^"))


def bindings_of(source: type) -> list[Binding]:
    """The bindings declared on ``source`` itself, one per action, keys merged: ``+ =``."""
    merged: dict[str, tuple[list[str], Binding]] = {}
    for item in getattr(source, "BINDINGS", []):
        for binding in Binding.make_bindings([item]):
            keys, first = merged.setdefault(binding.action, ([], binding))
            label = key_label(binding)
            if label not in keys:
                keys.append(label)
    return [Binding(",".join(keys) or first.key, first.action, _describe(first),
                    key_display=" ".join(keys)) for keys, first in merged.values()]


def _describe(binding: Binding) -> str:
    return binding.tooltip or binding.description


def keys_table(title: str, bindings: Iterable[Binding]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False,
                  box=None, padding=(0, 2, 0, 0), expand=False)
    table.add_column("key", style="bold cyan", no_wrap=True, width=16)
    table.add_column("action")
    for binding in bindings:
        table.add_row(Text(binding.key_display or binding.key), Text(binding.description))
    return table


def columns_table(title: str, columns: Iterable[Column]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False,
                  box=None, padding=(0, 2, 0, 0))
    table.add_column("column", style="bold", no_wrap=True, width=16)
    table.add_column("meaning")
    for column in columns:
        if column.help:
            table.add_row(Text(column.label), Text(column.help))
    return table


class HelpScreen(ModalScreen[None]):
    """Sections of keys (from BINDINGS) and the meaning of the table columns."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close help", tooltip="close this help"),
        Binding("question_mark", "dismiss", "Close help", show=False, tooltip="close this help"),
        Binding("q", "dismiss", "Close help", show=False, tooltip="close this help"),
    ]

    def __init__(self, sections: list[tuple[str, type]],
                 columns: list[tuple[str, tuple[Column, ...]]] | None = None) -> None:
        super().__init__(id="help")
        self.sections = sections
        self.columns = columns or []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("jailtui keys", style="bold reverse"), id="help-title")
            for title, source in self.sections:
                bindings = bindings_of(source)
                if bindings:
                    yield Static(keys_table(title, bindings), classes="help-section")
            for title, columns in self.columns:
                yield Static(columns_table(title, columns), classes="help-section")
            yield Static(Text("Mouse: click a row to highlight it, click it again to open; "
                              "click a column header to sort by it (again to reverse).\n"
                              "Esc, q or ? closes this help.", style="dim"),
                         classes="help-section")

    def text(self) -> str:
        """Everything the help shows, as plain text (tests read this)."""
        parts = []
        for title, source in self.sections:
            for binding in bindings_of(source):
                parts.append(f"{title}: {binding.key_display} {binding.description}")
        return "\n".join(parts)
