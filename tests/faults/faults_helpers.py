"""Fault injection: ``faulty`` is the fake FreeBSD host of ``fake_freebsd`` with a switch per tool.

PATH holds only the fake tools (and python3 for them), so no tool of the test machine answers
in their place. ``faulty.fault("jls", "hang")`` makes the next jls calls hang (see the fault list in
tests/fakebin/_freebsd.py), ``faulty.fault("jls", None)`` heals it, ``faulty.remove("ps")``
takes ps off PATH (its link in a bin directory of this test) and ``faulty.restore("ps")`` puts it
back. Everything is read on each call, so faults switch on and off while the app runs.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from conftest import FAKEBIN, FakeFreeBSD
from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.tui.app import JailtuiApp

TOOLS = tuple(sorted(p.name for p in FAKEBIN.iterdir() if p.is_file() and not p.name.startswith("_")
                    and p.suffix != ".py"))
#: git6 runs but no config names it: when it leaves jls it leaves the host.
JAIL_CONF = """\
path = "/usr/local/bastille/jails/$name/root";
git7 { host.hostname = git7; }
sto2 { host.hostname = sto2; }
db1 { host.hostname = "db1.example.org"; }
"""


def write_conf(tmp_path: Path) -> Path:
    conf = tmp_path / "jail.conf"
    conf.write_text(JAIL_CONF)
    return conf


def freebsd_app(fake: FakeFreeBSD, tmp_path: Path, *, timeout: float, autosample: bool = True,
                audit: Path | None = None) -> JailtuiApp:
    """The dashboard on the fake host (its /etc/jail.conf is JAIL_CONF), with changes;
    rctl.conf and the audit log in tmp_path."""
    fake.write_file("/etc/jail.conf", JAIL_CONF)
    actions = Actions(fake.host(timeout=timeout), rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(audit or tmp_path / "audit.log"))
    return JailtuiApp(actions.host, actions, interval=60.0, autosample=autosample)


class FaultyFreeBSD(FakeFreeBSD):
    """The fake host plus fault switches, a bin directory of links, and the pids of hangs."""

    def __init__(self, fake: FakeFreeBSD, bin_dir: Path) -> None:
        super().__init__(bin_dir, fake.state_path, fake.log_path, fake.root)

    def fault(self, tool: str, kind: str | None) -> None:
        """Inject ``kind`` into ``tool`` (or ``"rctl -u"``: only calls with that first argument);
        None heals it."""
        state = self.state()
        faults = state.setdefault("faults", {})
        if kind is None:
            faults.pop(tool, None)
        else:
            faults[tool] = kind
        self.set_state(state)

    def remove(self, tool: str) -> None:
        (self.bin_dir / tool).unlink()

    def restore(self, tool: str) -> None:
        (self.bin_dir / tool).symlink_to(FAKEBIN / tool)

    def hung_pids(self) -> list[int]:
        """Pids of every process a ``hang`` fault started (the tool and its child)."""
        path = Path(str(self.state_path) + ".pids")
        if not path.exists():
            return []
        return [int(line.split()[1]) for line in path.read_text().splitlines() if line.strip()]

    def kill_hung(self) -> None:
        for pid in self.hung_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def faulty(fake_freebsd, tmp_path, monkeypatch) -> FaultyFreeBSD:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(FAKEBIN / tool)
    python = tmp_path / "python"  # the fake tools' interpreter, and nothing of the system's
    python.mkdir()
    (python / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{python}")
    fake = FaultyFreeBSD(fake_freebsd, bin_dir)
    yield fake
    fake.kill_hung()
