"""The two-line host header: identity, CPU, memory, racct, sample age, interval, STALE/PAUSED."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from ...engine import units
from ...engine.sampler import Snapshot
from ...literal import literal, visible
from ...present import level, marked
from ..palette import AT_COLOR, DIM, GOOD_COLOR, NEAR_COLOR, NEAR_STYLE, level_style

#: The badges of the status line: reversed, so they stand out without colour.
STALE_STYLE = f"bold reverse {AT_COLOR}"
PAUSED_STYLE = f"bold reverse {NEAR_COLOR}"
BUSY_STYLE = "bold reverse #87d7ff"
LABEL_STYLE = "bold #87d7ff"

SEP = Text(" │ ", style="dim")


@dataclass(frozen=True, slots=True)
class Status:
    """What the app knows beyond the snapshot: when it came, whether sampling runs."""

    snapshot: Snapshot | None = None
    good_at: float | None = None
    interval: float = 2.0
    paused: bool = False
    read_only: bool = False
    label: str = ""
    took: float = 0.0
    busy: str | None = None
    busy_since: float | None = None


def interval_text(seconds: float) -> str:
    return f"{seconds:g}s"


def fit(pieces: list[tuple[int, Text]], width: int) -> Text:
    """Join ``pieces`` with separators, keeping priority 0 and then, by priority (earlier first
    among equals), every piece that still fits; what still does not fit ends in an ellipsis.
    Controls in a piece (a hostname, an error quoting a tool) are made visible."""
    pieces = [(priority, visible(text)) for priority, text in pieces]
    sep = cell_len(SEP.plain)
    kept: set[int] = set()
    used = -sep
    for i in sorted(range(len(pieces)), key=lambda i: (pieces[i][0], i)):
        priority, text = pieces[i]
        if priority == 0 or used + sep + text.cell_len <= width:
            kept.add(i)
            used += sep + text.cell_len
    line = Text()  # not SEP.join(): the line would take the separator's dim style
    for n, text in enumerate(text for i, (_, text) in enumerate(pieces) if i in kept):
        if n:
            line.append_text(SEP)
        line.append_text(text)
    line.no_wrap = True
    line.overflow = "ellipsis"
    line.truncate(width, overflow="ellipsis")
    return line


def host_line(status: Status) -> list[tuple[int, Text]]:
    snap = status.snapshot
    pieces: list[tuple[int, Text]] = [(0, Text("jailtui", style="bold reverse"))]
    if status.label:
        pieces.append((0, literal(status.label, LABEL_STYLE)))
    if snap is None or not (snap.host.info.hostname or "hostname" in snap.host.info.unknown):
        pieces.append((0, Text("waiting for the first sample…", style="dim")))
        return pieces
    host = snap.host
    info = host.info
    unknown = set(info.unknown)
    pieces.append((0, literal(info.hostname or "?", "bold")))
    if info.osrelease:
        pieces.append((2, literal(info.osrelease)))
    pieces.append((2, Text(f"up {'?' if 'boottime' in unknown else units.duration(host.uptime)}")))
    cpu = "?" if "cp_time" in unknown else "-" if host.cpu is None else f"{host.cpu:.0f}%"
    cpus = "?" if "ncpu" in unknown else str(info.ncpu)
    pieces.append((0, Text.assemble("CPU ", _load(cpu, host.cpu), (f" of {cpus} CPUs", DIM))))
    if host.mem_total:
        pieces.append((0, Text.assemble("mem ", _load(
            f"{units.size(host.mem_used)}/{units.size(host.mem_total)}",
            host.mem_used / host.mem_total * 100))))
    elif unknown & {"physmem", "mem_free"}:
        pieces.append((0, Text("mem ?")))
    if info.swap_total and info.swap_used is not None:
        pieces.append((3, Text.assemble("swap ", _load(
            f"{units.size(info.swap_used)}/{units.size(info.swap_total)}",
            info.swap_used / info.swap_total * 100))))
    if "loadavg" in unknown:
        pieces.append((4, Text("load ?")))
    elif any(info.loadavg):
        pieces.append((4, Text("load " + " ".join(f"{x:.2f}" for x in info.loadavg))))
    return pieces


def status_line(status: Status, now: float) -> list[tuple[int, Text]]:
    snap = status.snapshot
    pieces: list[tuple[int, Text]] = []
    if status.busy:
        took = f" {now - status.busy_since:.0f}s" if status.busy_since is not None else ""
        pieces.append((0, literal(f" {status.busy}{took} ", BUSY_STYLE)))
    if snap is not None and snap.stale:
        since = now - status.good_at if status.good_at is not None else None
        what = "NO DATA" if status.good_at is None else f"STALE {since:.0f}s"
        pieces.append((0, literal(f" {what}: {snap.error or 'the host did not answer'} ",
                                  STALE_STYLE)))
    if status.paused:
        pieces.append((0, Text(" PAUSED ", style=PAUSED_STYLE)))
    if snap is not None and not snap.stale and snap.host.info.hostname:
        host = snap.host
        pieces.append((1, Text.assemble(("jails ", "dim"), (str(host.running), "bold"),
                                        " up", (f" {host.stopped}", "bold"), " down")))
        pieces.append((3, Text(f"{host.nproc} procs")))
        racct = snap.racct
        if racct.enabled:
            pieces.append((2, Text("racct on", style=GOOD_COLOR)))
        else:
            pieces.append((1, Text("racct off", style=NEAR_STYLE)))
            pieces.append((6, literal(racct.explained or "disabled", NEAR_COLOR)))
    if snap is not None and status.good_at is not None and not snap.stale:
        age = max(0.0, now - status.good_at)
        pieces.append((1, Text(f"sample {age:.0f}s ago" if age >= 1.5 else "sample now",
                               style=DIM if age < 2.5 * status.interval else NEAR_COLOR)))
    pieces.append((0, Text(f"every {interval_text(status.interval)}")))
    if status.took >= 0.001:
        slow = status.took > status.interval / 2
        pieces.append((5, Text(f"sampling takes {status.took * 1000:.0f} ms",
                               style=NEAR_COLOR if slow else DIM)))
    if status.read_only:
        pieces.append((1, Text("read-only", style="bold")))
    return pieces


def _load(value: str, percent: float | None) -> Text:
    """A host figure: ``!`` from 75% of the whole, ``!!`` (reversed) from 90%."""
    if percent is None:
        return Text(value, style=DIM)
    alert = level(percent / 100)
    return Text(marked(value, alert), style=level_style(alert, GOOD_COLOR))


class HostHeader(Widget):
    """Renders :class:`Status`; re-renders each second so the sample age keeps moving."""

    DEFAULT_CSS = """
    HostHeader { height: 2; background: $panel; }
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = Status()
        self.clock = clock

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def update_status(self, status: Status) -> None:
        self.status = status
        self._tick()

    def _tick(self) -> None:
        """Repaint only when the text changed (the sample age moves once a second), and never
        on a screen that is not on top: a repaint there forces a full one of the top screen."""
        if not self.screen.is_current:
            self._shown = None
            return
        text = self._text()
        if text != self._shown:
            self._shown = text
            self.refresh()

    _shown: Text | None = None

    @property
    def plain(self) -> str:
        """The text as rendered at the current width (tests read this)."""
        return self._text().plain

    def _text(self) -> Text:
        width = self.size.width or 120
        now = self.clock()
        return Text("\n").join([fit(host_line(self.status), width),
                                fit(status_line(self.status, now), width)])

    def render(self) -> Text:
        self._shown = self._text()
        return self._shown
