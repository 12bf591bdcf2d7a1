"""``?``: every key of the app, its screens and tables, generated from their BINDINGS."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine import units
from ...engine.local import own_usage
from ..widgets.keyed_table import Column


def own_usage_line() -> str:
    """What jailtui itself costs, from psutil: CPU averaged since it started, memory, threads."""
    try:
        me = own_usage()
    except Exception as exc:  # psutil refused (a restricted /proc): say so, never fail help
        return f"jailtui itself: usage unknown ({type(exc).__name__})"
    return (f"jailtui itself: CPU {me.cpu:.1f}% of one core since it started, "
            f"RSS {units.size(me.rss)}, {me.threads} threads")


def key_label(binding: Binding) -> str:
    names = {"question_mark": "?", "plus": "+", "equals_sign": "=", "minus": "-", "slash": "/",
             "colon": ":", "exclamation_mark": "!", "escape": "Esc", "enter": "Enter",
             "backspace": "Backspace", "delete": "Del", "left_square_bracket": "[",
             "right_square_bracket": "]", "space": "Space"}
    key = binding.key
    return names.get(key, key.upper() if key[1:].isdigit() and key[0] == "f"
                     else key.replace("ctrl+", "^"))


def bindings_of(source: type, notes: Mapping[str, str] | None = None) -> list[Binding]:
    """The bindings declared on ``source`` itself, one per action, keys merged: ``+ =``;
    ``notes`` adds ``(note)`` to the actions it names, e.g. ``(read-only)``."""
    merged: dict[str, tuple[list[str], Binding]] = {}
    for item in getattr(source, "BINDINGS", []):
        for binding in Binding.make_bindings([item]):
            keys, first = merged.setdefault(binding.action, ([], binding))
            label = key_label(binding)
            if label not in keys:
                keys.append(label)
    notes = notes or {}
    return [Binding(",".join(keys) or first.key, first.action, _describe(first, notes),
                    key_display=" ".join(keys)) for keys, first in merged.values()]


def _describe(binding: Binding, notes: Mapping[str, str]) -> str:
    text = binding.tooltip or binding.description
    note = notes.get(binding.action)
    return f"{text} ({note})" if note else text


def keys_table(title: str, bindings: Iterable[Binding]) -> Table:
    table = Table(title=Text(title), title_justify="left", title_style="bold", show_header=False,
                  box=None, padding=(0, 2, 0, 0), expand=False)
    table.add_column("key", style="bold cyan", no_wrap=True, width=16)
    table.add_column("action")
    for binding in bindings:
        table.add_row(Text(binding.key_display or binding.key), Text(binding.description))
    return table


def columns_table(title: str, columns: Iterable[Column]) -> Table:
    table = Table(title=Text(title), title_justify="left", title_style="bold", show_header=False,
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
        Binding("question_mark,f1", "dismiss", "Close help", show=False,
                tooltip="close this help"),
        Binding("q", "dismiss", "Close help", show=False, tooltip="close this help"),
    ]

    def __init__(self, sections: list[tuple[str, type]],
                 columns: list[tuple[str, tuple[Column, ...]]] | None = None,
                 notes: Mapping[str, str] | None = None) -> None:
        super().__init__(id="help")
        self.sections = sections
        self.columns = columns or []
        self.notes = dict(notes or {})
        self.own_line = own_usage_line()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("jailtui keys", style="bold reverse"), id="help-title")
            yield Static(Text(self.own_line, style="dim"), id="help-self")
            for title, source in self.sections:
                bindings = bindings_of(source, self.notes)
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
        parts = [self.own_line]
        for title, source in self.sections:
            for binding in bindings_of(source, self.notes):
                parts.append(f"{title}: {binding.key_display} {binding.description}")
        return "\n".join(parts)
