"""Writing the audit log: every record whole on its own line, or a warning saying it is not.

os.write may write fewer bytes than asked (a full disk, a quota): a record is then completed,
or cut off with a newline, so no half record is ever glued to the next one."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime

import pytest

from jailtui.engine import audit as audit_module
from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.errors import UnknownJail
from jailtui.engine.simulated import ManualClock, SimulatedHost

NOON = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
REAL_WRITE = os.write


class Disk:
    """A stand-in for os.write: writes ``half`` of each request, refuses when ``full``."""

    def __init__(self, *, half: bool = False, room: int | None = None) -> None:
        self.half = half
        self.room = room
        self.calls = 0

    def __call__(self, fd: int, data: bytes) -> int:
        self.calls += 1
        data = bytes(data)
        if self.room is not None:
            if self.room == 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            data = data[:self.room]
        if self.half and len(data) > 1:
            data = data[:len(data) // 2]
        written = REAL_WRITE(fd, data)
        if self.room is not None:
            self.room -= written
        return written


@pytest.fixture
def log(tmp_path) -> AuditLog:
    return AuditLog(tmp_path / "audit.log", clock=lambda: NOON)


def test_short_writes_are_completed(log, tmp_path, monkeypatch) -> None:
    disk = Disk(half=True)
    monkeypatch.setattr(audit_module.os, "write", disk)
    first = log.record("rctl-add", "jail:www:memoryuse:deny=1073741824", "ok", "demo")
    second = log.record("jail-stop", "jail:www", "ok", "demo")
    assert first.error is None and second.error is None
    assert disk.calls > 2
    assert (tmp_path / "audit.log").read_text().splitlines() == [first.line, second.line]


def test_a_full_disk_cuts_the_record_off_with_a_newline_and_says_so(log, tmp_path,
                                                                    monkeypatch) -> None:
    disk = Disk(room=40)
    monkeypatch.setattr(audit_module.os, "write", disk)
    cut = log.record("rctl-add", "jail:www:memoryuse:deny=1073741824", "ok", "demo")
    assert cut.error is not None
    assert cut.error.startswith(f"audit log {tmp_path / 'audit.log'} holds a record cut short "
                                f"(40 of {len(cut.line) + 1} bytes): No space left on device")
    disk.room = 1000
    after = log.record("jail-stop", "jail:www", "ok", "demo")
    assert after.error is None
    lines = (tmp_path / "audit.log").read_text().splitlines()
    assert lines == [cut.line[:40], after.line]


def test_nothing_written_on_a_full_disk_is_a_warning_of_the_change(tmp_path,
                                                                   monkeypatch) -> None:
    host = SimulatedHost(seed=1, jails=12, clock=ManualClock())
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(tmp_path / "audit.log"))
    monkeypatch.setattr(audit_module.os, "write", Disk(room=0))
    actions.add_rule("jail:db:memoryuse:deny=1g")
    (warning,) = actions.take_warnings()
    assert warning == f"audit log {tmp_path / 'audit.log'} not written: No space left on device"


def test_a_failed_change_still_warns_that_its_record_was_lost(tmp_path, monkeypatch) -> None:
    host = SimulatedHost(seed=1, jails=12, clock=ManualClock())
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(tmp_path / "audit.log"))
    monkeypatch.setattr(audit_module.os, "write", Disk(room=0))
    with pytest.raises(UnknownJail):
        actions.add_rule("jail:nosuch:memoryuse:deny=1g")
    assert actions.take_warnings() == [
        f"audit log {tmp_path / 'audit.log'} not written: No space left on device"]


def test_a_line_left_unfinished_by_another_writer_is_ended_first(log, tmp_path) -> None:
    path = tmp_path / "audit.log"
    path.write_bytes(b"2026-11-22T09:59:59Z user=root host=demo action=jail-st")
    record = log.record("jail-stop", "jail:www", "ok", "demo")
    assert path.read_text().splitlines() == [
        "2026-11-22T09:59:59Z user=root host=demo action=jail-st", record.line]


def test_a_write_that_makes_no_progress_is_an_error_not_a_loop(log, monkeypatch) -> None:
    monkeypatch.setattr(audit_module.os, "write", lambda fd, data: 0)
    record = log.record("jail-stop", "jail:www", "ok", "demo")
    assert record.error is not None and record.error.endswith("not written: the system wrote "
                                                              "nothing")
