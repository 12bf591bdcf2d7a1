"""The processes of one jail, keyed by PID, flat or as a tree (children under their parent)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ...engine import units
from ...engine.model import Process
from ..cells import DIM, Cell, num, text, to_text
from .keyed_table import Column, KeyedTable


@dataclass(frozen=True, slots=True)
class ProcRow:
    """A process with its CPU% over the last interval and its depth in the tree."""

    proc: Process
    cpu: float
    depth: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("pid", "PID", 5, 0, True, lambda r: r.proc.pid, "process ID"),
    Column("ppid", "PPID", 5, 3, True, lambda r: r.proc.ppid, "parent process ID"),
    Column("user", "USER", 6, 1, False, lambda r: r.proc.user, "user", max_width=16),
    Column("cpu", "CPU%", 5, 0, True, lambda r: r.cpu,
           "CPU over the last interval, percent of one core", True),
    Column("mem", "MEM%", 4, 2, True, lambda r: r.proc.pmem, "percent of host memory", True),
    Column("rss", "RSS", 5, 0, True, lambda r: r.proc.rss, "resident memory", True),
    Column("vsz", "VSZ", 5, 3, True, lambda r: r.proc.vsz, "virtual memory", True),
    Column("thr", "THR", 3, 3, True, lambda r: r.proc.nlwp, "threads", True),
    Column("stat", "STAT", 4, 1, False, lambda r: r.proc.state, "ps(1) state"),
    Column("time", "TIME", 7, 2, True, lambda r: r.proc.cputime, "CPU time used", True),
    Column("command", "COMMAND", 20, 0, False, lambda r: r.proc.command, "command line",
           fill=True),
)


def process_row(row: ProcRow) -> tuple[Text, ...]:
    """The row of one process as rich Text, in COLUMNS order."""
    return tuple(to_text(cell) for cell in process_cells(row))


def process_cells(row: ProcRow) -> tuple[Cell, ...]:
    """The cells of one process in COLUMNS order; the command is literal text."""
    p = row.proc
    command = text(("  " * row.depth + "└ " if row.depth else "") + p.command)
    return (
        num(str(p.pid)), num(str(p.ppid), DIM), text(p.user),
        num(units.percent(row.cpu), "" if row.cpu >= 0.05 else DIM), num(units.percent(p.pmem)),
        num(units.size(p.rss)), num(units.size(p.vsz)), num(str(p.nlwp)), text(p.state),
        num(units.cputime(p.cputime)), command,
    )


def process_matches(pattern: re.Pattern[str] | None, proc: Process) -> bool:
    return pattern is None or bool(pattern.search(proc.command) or pattern.search(proc.user)
                                   or pattern.search(str(proc.pid)))


Siblings = Callable[[list[Process]], list[Process]]


def tree_order(procs: Iterable[Process], sibling_key: Siblings) -> list[tuple[Process, int]]:
    """Depth-first, parents before children (like ``ps -d``); siblings by ``sibling_key``."""
    procs = list(procs)
    pids = {p.pid for p in procs}
    children: dict[int, list[Process]] = {}
    roots: list[Process] = []
    for p in procs:
        if p.ppid in pids and p.ppid != p.pid:
            children.setdefault(p.ppid, []).append(p)
        else:
            roots.append(p)
    out: list[tuple[Process, int]] = []
    stack = [(p, 0) for p in reversed(sibling_key(roots))]
    seen: set[int] = set()
    while stack:
        proc, depth = stack.pop()
        if proc.pid in seen:
            continue
        seen.add(proc.pid)
        out.append((proc, depth))
        stack.extend((c, depth + 1) for c in reversed(sibling_key(children.get(proc.pid, []))))
    return out


class ProcessTable(KeyedTable[ProcRow]):
    """Processes of one jail; ``t`` toggles the tree, ``s``/``S`` sort, ``/`` filters."""

    COLUMNS = COLUMNS
    KEY_COLUMN = "pid"
    DEFAULT_SORT = "cpu"

    BINDINGS = [
        Binding("s,f6", "cycle_sort", "Sort", tooltip="sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="reverse the sort"),
        Binding("t", "toggle_tree", "Tree", tooltip="tree view: children under their parent"),
        Binding("j", "cursor_down", "Down", show=False, tooltip="cursor down"),
        Binding("k", "cursor_up", "Up", show=False, tooltip="cursor up"),
        Binding("g", "scroll_top", "Top", show=False, tooltip="first process"),
        Binding("G", "scroll_bottom", "Bottom", show=False, tooltip="last process"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.tree_view = False
        self._tree_rank: dict[str, int] = {}

    def show_processes(self, procs: Iterable[Process], cpu: Mapping[int, float],
                       pattern: re.Pattern[str] | None = None) -> int:
        chosen = [p for p in procs if process_matches(pattern, p)]
        if self.tree_view:
            pairs = tree_order(chosen, self._sort_siblings(cpu))
            self._tree_rank = {str(p.pid): i for i, (p, _) in enumerate(pairs)}
        else:
            pairs = [(p, 0) for p in chosen]
        rows = [ProcRow(p, cpu.get(p.pid, p.pcpu), depth) for p, depth in pairs]
        return self.show([(str(r.proc.pid), r, process_cells(r)) for r in rows])

    def order(self, keys: list[str]) -> list[str]:
        if self.tree_view:
            rank = self._tree_rank
            return sorted(keys, key=lambda k: rank.get(k, len(rank)))
        return super().order(keys)

    def _sort_siblings(self, cpu: Mapping[int, float]) -> Siblings:
        column = self.by_key[self.sort_column]

        def value(p: Process) -> Any:
            return column.sort(ProcRow(p, cpu.get(p.pid, p.pcpu))) if column.sort else p.pid

        def siblings(procs: list[Process]) -> list[Process]:
            keyed = [(value(p), p) for p in procs]
            present = sorted((kp for kp in keyed if kp[0] is not None), key=lambda kp: kp[0],
                             reverse=self.sort_reverse)
            return [p for _, p in present] + [p for v, p in keyed if v is None]

        return siblings

    def action_cycle_sort(self) -> None:
        self.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.reverse_sort()

    def action_toggle_tree(self) -> None:
        self.tree_view = not self.tree_view
        self.post_message(self.Sorted(self))
