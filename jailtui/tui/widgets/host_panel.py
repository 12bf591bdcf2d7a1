"""The panel under the jail list: host CPU and memory history, and the busiest processes of
all jails (like top). It takes no focus: the keys stay with the jail list."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ...engine import units
from ...engine.model import Process
from ...engine.sampler import HostHistory, Snapshot
from ...engine.vis import vis
from ..cells import DIM, Cell, num, text, to_text
from .charts import HistoryChart
from .line import Drawn, Line


@dataclass(frozen=True, slots=True)
class Busy:
    """A process of a jail with its CPU% over the last interval."""

    proc: Process
    cpu: float
    jail: str


#: The list's columns: key, label, width (0: the rest), right-aligned.
BUSY_COLUMNS: tuple[tuple[str, str, int, bool], ...] = (
    ("jail", "JAIL", 0, False), ("pid", "PID", 6, True), ("cpu", "CPU%", 6, True),
    ("rss", "RSS", 6, True), ("command", "COMMAND", 0, False))
#: The widest the JAIL column gets; longer names end in an ellipsis.
JAIL_WIDTH = 16


def busy_cells(b: Busy) -> tuple[Cell, ...]:
    """The cells of one process; the jail name and command are literal text."""
    return (text(b.jail, "bold"), num(str(b.proc.pid)),
            num(units.percent(b.cpu), "" if b.cpu >= 0.05 else DIM),
            num(units.size(b.proc.rss)), text(b.proc.command))


class BusiestList(Drawn):
    """The busiest processes of all jails, CPU% first, as many as fit: drawn as lines (a
    DataTable renders each cell apart, several times the cost for a list that changes every
    tick). It takes no focus and has no cursor."""

    DEFAULT_CSS = """
    BusiestList { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: tuple[Busy, ...] = ()
        self.rows: tuple[tuple[Cell, ...], ...] = ()
        self.updates = 0

    def show_busiest(self, snapshot: Snapshot) -> int:
        """Show the processes of ``snapshot.busiest`` that fit; returns the rows drawn (0 when
        nothing changed)."""
        names = {s.jail.jid: s.jail.name for s in snapshot.jails if s.jail.running}
        fit = max(0, self.size.height - 1) if self.size.height else len(snapshot.busiest)
        self.updates += 1
        shown = tuple(Busy(p, snapshot.cpu.get(p.pid, p.pcpu), names.get(p.jid, f"JID {p.jid}"))
                      for p in snapshot.busiest[:fit])
        rows = tuple(busy_cells(b) for b in shown)
        self.shown = shown
        if rows == self.rows:
            return 0
        self.rows = rows
        self.redraw()
        return len(rows)

    def draw(self) -> list[Text]:
        width = self.size.width
        jail = min(JAIL_WIDTH, max([4, *(cell_len(vis(row[0][0])) for row in self.rows)]))
        fixed = 1 + sum(w + 1 for _, _, w, _ in BUSY_COLUMNS) + jail
        widths = {"jail": jail, "command": max(0, width - fixed)}
        header = [(Text(label, style="bold"), widths.get(key, w), right)
                  for key, label, w, right in BUSY_COLUMNS]
        lines = [_line(header)]
        for row in self.rows:
            lines.append(_line([(to_text(cell), widths.get(key, w), right)
                                for cell, (key, _, w, right) in zip(row, BUSY_COLUMNS,
                                                                    strict=True)]))
        return lines


def _line(cells: list[tuple[Text, int, bool]]) -> Text:
    """One line of cells, each fitted to its width (an ellipsis where it is cut)."""
    line = Text(" ", no_wrap=True, overflow="crop")
    for cell, width, right in cells:
        if width <= 0:
            continue
        cell.truncate(width, overflow="ellipsis")
        pad = " " * (width - cell.cell_len)
        if right:
            line.append(pad)
        line.append_text(cell)
        if not right:
            line.append(pad)
        line.append(" ")
    return line


class HostPanel(Horizontal):
    """Host CPU% and memory charts beside the busiest processes; ``show`` repaints it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="panel-charts"):
            yield HistoryChart("Host CPU%", _percent, floor=100.0, show_scale=False,
                               id="host-cpu")
            yield HistoryChart("Memory", units.size, style="cyan", show_scale=False,
                               id="host-mem")
        with Vertical(id="panel-busiest"):
            yield Line(id="busiest-title")
            yield BusiestList(id="busiest")

    def show(self, snapshot: Snapshot, history: HostHistory) -> int:
        """Draw ``snapshot`` and the host's history; returns the process rows drawn."""
        span = units.duration(history.times[-1] - history.times[0]) if len(history) > 1 else ""
        host = snapshot.host
        cpu = self.query_one("#host-cpu", HistoryChart)
        cpu.title = "Host CPU%" if "ncpu" in host.info.unknown else \
            f"Host CPU% of {host.info.ncpu} CPUs"
        cpu.update_series(history.cpu, span)
        mem = self.query_one("#host-mem", HistoryChart)
        mem.title = f"Memory of {units.size(host.mem_total)}" if host.mem_total else "Memory"
        mem.floor = float(host.mem_total)
        mem.update_series(history.mem_used, span)
        self.query_one("#busiest-title", Line).set(Text.assemble(
            ("Busiest processes", "bold"), (" of all jails  CPU% = % of one core", "dim"),
            no_wrap=True, overflow="ellipsis"))
        return self.query_one(BusiestList).show_busiest(snapshot)


def _percent(value: float) -> str:
    return f"{value:.0f}%"
