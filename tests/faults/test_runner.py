"""LocalRunner under faults: a timeout kills the whole process group, answers are bounded, a
change can be left running, quitting cancels what still runs, and errors quote little."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from jailtui.engine.errors import (MAX_MESSAGE, ChangeTimedOut, HostUnreachable, JailtuiError,
                                   ParseError)
from jailtui.engine.freebsd import error_from
from jailtui.engine.model import CommandResult
from jailtui.engine.parse import parse_rctl_usage
from jailtui.engine.runner import MAX_OUTPUT, LocalRunner

from faults_helpers import alive, faulty  # noqa: F401


def _until(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def test_a_timeout_kills_the_whole_process_group(faulty) -> None:  # noqa: F811
    faulty.fault("jls", "hang:8")
    started = time.monotonic()
    with pytest.raises(HostUnreachable, match=r"jls --libxo json: no answer after 0.5 s"):
        LocalRunner().run(["jls", "--libxo", "json"], timeout=0.5)
    assert time.monotonic() - started < 3
    pids = faulty.hung_pids()
    assert len(pids) == 2, "the hang fault forks a child that holds the pipe too"
    assert _until(lambda: not any(alive(pid) for pid in pids), 2)


def test_a_200_mb_answer_is_cut_with_an_error_naming_the_tool_and_size(faulty) -> None:  # noqa: F811
    faulty.fault("ps", "huge")
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        LocalRunner().run(["ps", "--libxo", "json", "-ax"])
    assert time.monotonic() - started < 5
    assert str(caught.value).startswith(f"ps: answer larger than {MAX_OUTPUT // 2**20} MiB")


def test_the_bound_counts_both_streams_and_spares_answers_within_it(faulty) -> None:  # noqa: F811
    runner = LocalRunner(max_output=4096)
    faulty.fault("ps", "huge:4000")
    assert len(runner.run(["ps"]).stdout) == 4000
    faulty.fault("ps", "huge:5000")
    with pytest.raises(ParseError, match="^ps: answer larger than 4096 bytes"):
        runner.run(["ps"])


def test_a_missing_tool_is_one_line(faulty) -> None:  # noqa: F811
    faulty.remove("jls")
    with pytest.raises(HostUnreachable, match="^jls: command not found"):
        LocalRunner().run(["jls"])


def test_a_change_left_running_on_timeout_finishes_on_its_own(tmp_path: Path) -> None:
    done = tmp_path / "done"
    script = f"sleep 1; echo output; echo stderr >&2; echo finished > {done}"
    runner = LocalRunner()
    started = time.monotonic()
    with pytest.raises(ChangeTimedOut, match="no answer after 0.2 s; left running"):
        runner.run(["sh", "-c", script], timeout=0.2, leave_running_on_timeout=True)
    assert time.monotonic() - started < 1
    runner.cancel()
    assert _until(done.exists, 5), "the change was cut (killed, or SIGPIPE on a closed pipe)"
    assert done.read_text() == "finished\n"


def test_a_change_that_finishes_in_time_returns_its_output(tmp_path: Path) -> None:
    result = LocalRunner().run(["sh", "-c", "echo out; echo err >&2; exit 3"],
                               leave_running_on_timeout=True)
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")


def test_a_read_is_killed_on_timeout_not_left_running(tmp_path: Path) -> None:
    done = tmp_path / "done"
    with pytest.raises(HostUnreachable):
        LocalRunner().run(["sh", "-c", f"sleep 1; echo x > {done}"], timeout=0.2)
    time.sleep(1.5)
    assert not done.exists()


def test_cancel_stops_what_runs_now(faulty) -> None:  # noqa: F811
    faulty.fault("jls", "hang:8")
    runner = LocalRunner()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            runner.run(["jls"], timeout=30)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    assert _until(lambda: len(faulty.hung_pids()) == 2)
    runner.cancel()
    thread.join(3)
    assert not thread.is_alive()
    assert [str(e) for e in errors] == ["jls: cancelled"]
    assert _until(lambda: not any(alive(pid) for pid in faulty.hung_pids()), 2)


def test_reading_a_fifo_or_a_huge_file_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "jail.conf"
    os.mkfifo(fifo)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(LocalRunner().read_text(str(fifo)))
        except JailtuiError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(2)
    assert not thread.is_alive(), "opening a FIFO blocked"
    assert str(outcome[0]) == f"cannot read {fifo}: not a regular file"
    big = tmp_path / "big.conf"
    big.write_bytes(b"#" * 5000)
    with pytest.raises(ParseError, match="larger than 4096 bytes"):
        LocalRunner(max_output=4096).read_text(str(big))
    assert LocalRunner().read_text(str(tmp_path / "nosuch")) is None


def test_error_texts_quote_at_most_a_line_or_two() -> None:
    stderr = "rctl: failed to add rule '" + "x" * 1_000_000 + "': Invalid argument"
    error = error_from(CommandResult(("rctl", "-a", "jail:x:pcpu:deny=1"), 1, "", stderr))
    text = str(error)
    assert len(text) < MAX_MESSAGE + 40 and "\n" not in text
    assert text.startswith("failed to add rule 'xxx") and text.endswith("xxx': Invalid argument")
    lines = HostUnreachable("\n".join(f"line {i}" for i in range(1000)))
    assert str(lines) == "line 0\n… (998 lines) … line 999"


def test_a_parse_error_quotes_at_most_a_line_or_two() -> None:
    with pytest.raises(ParseError) as caught:
        parse_rctl_usage("garbage" * 200_000)
    assert len(str(caught.value)) < MAX_MESSAGE + 40
    assert str(caught.value).startswith("rctl: usage line 'garbagegarbage")
