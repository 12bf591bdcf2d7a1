"""LocalRunner for changes: ``leave_running_on_timeout`` never kills a command half-way."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jailtui.engine.errors import ChangeTimedOut, HostUnreachable
from jailtui.engine.runner import LocalRunner


def test_a_change_that_finishes_in_time_is_an_ordinary_result() -> None:
    result = LocalRunner().run(("sh", "-c", "echo out; echo err >&2; exit 3"), timeout=10,
                               leave_running_on_timeout=True)
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")


def test_a_change_that_outlives_its_timeout_goes_on(tmp_path: Path) -> None:
    done = tmp_path / "done"
    started = time.monotonic()
    with pytest.raises(ChangeTimedOut) as exc:
        LocalRunner().run(("sh", "-c", f"sleep 1; echo late; touch {done}"), timeout=0.2,
                          leave_running_on_timeout=True)
    assert time.monotonic() - started < 1
    assert exc.value.argv[0] == "sh" and exc.value.timeout == 0.2
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done.exists()


def test_a_missing_change_command_is_unreachable() -> None:
    with pytest.raises(HostUnreachable, match="nosuchtool: command not found"):
        LocalRunner().run(("nosuchtool",), leave_running_on_timeout=True)
