"""The demo is clearly a demo on the command line: ``console`` opens the demo's simulated shell
(never a shell on this machine) and a change says it lasts for this process only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jailtui.cli import main

NOTE = "jailtui: note: the demo host lives in this process: the change is gone when it exits\n"


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError(f"the demo exec'd {args}")

    monkeypatch.setattr(os, "execvp", refuse)


def run(capsys, tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", "--audit-log", str(tmp_path / "audit.log"), "--rctl-conf",
                 str(tmp_path / "rctl.conf"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_console_with_a_command_runs_it_in_the_simulated_jail(capsys, tmp_path, no_exec) -> None:
    code, out, err = run(capsys, tmp_path, "console", "www", "uname", "-sm")
    assert (code, out, err) == (0, "FreeBSD amd64\n", "")
    code, out, err = run(capsys, tmp_path, "console", "www", "ls", "/")
    assert (code, out, err) == (1, "", "jexec: execvp: ls: No such file or directory\n")
    assert "action=jail-exec target=jail:www result=ok detail=\"uname -sm\"" in \
        (tmp_path / "audit.log").read_text()


def test_console_of_a_stopped_jail_is_one_line(capsys, tmp_path, no_exec) -> None:
    code, out, err = run(capsys, tmp_path, "console", "staging")
    assert (code, out) == (1, "")
    assert err == 'jailtui: jail "staging" is not running (jailtui start staging)\n'


def test_console_reads_lines_like_a_shell_and_exits_with_the_last_status(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "jailtui.cli", "--demo", "--audit-log",
         str(tmp_path / "audit.log"), "console", "db"],
        input="hostname\nfalse\nwhoami\necho 'unclosed\n", capture_output=True, text=True,
        timeout=60)
    assert proc.stdout == "db.example.org\nroot\n"
    assert proc.stderr.startswith("jailtui demo: a simulated shell in simulated jail db; "
                                  "nothing runs on this machine. It knows echo, false, ")
    assert proc.stderr.endswith("exit leaves.\n" + "root@db:/ # " * 4
                                + "sh: No closing quotation\nroot@db:/ # ")
    assert proc.returncode == 2


@pytest.mark.parametrize("argv", [["limits", "add", "jail:www:maxproc:log=5"],
                                  ["limits", "rm", "jail:www:maxproc"],
                                  ["start", "staging"], ["restart", "db"]])
def test_a_change_on_the_demo_says_it_lasts_for_this_process(capsys, tmp_path, argv) -> None:
    code, out, err = run(capsys, tmp_path, *argv)
    assert code == 0 and out
    assert err == NOTE


@pytest.mark.parametrize("argv", [["ls"], ["limits"], ["usage", "www"]])
def test_reading_the_demo_has_no_note(capsys, tmp_path, argv) -> None:
    code, _, err = run(capsys, tmp_path, *argv)
    assert code == 0 and "note:" not in err
