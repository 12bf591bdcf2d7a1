"""``limits add`` of a deny below the jail's use, and ``limits rm`` of a filter matching more
than one rule: asked on a terminal (a pseudo-terminal here), refused without one unless
``--force`` / ``--all`` says so."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jailtui.cli import main

PROMPT = b"[y/N] "


def on_tty(tmp_path: Path, *argv: str, answer: str | None) -> tuple[int, str]:
    """Run the CLI on the demo host with a pseudo-terminal as stdin, stdout and stderr; type
    ``answer`` at the prompt (None: expect no prompt). Returns the status and all it wrote."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jailtui.cli", "--demo", "--audit-log",
         str(tmp_path / "audit.log"), "--rctl-conf", str(tmp_path / "rctl.conf"), *argv],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the other side closed
                    break
                if not chunk:
                    break
                output += chunk
            if answer is not None and not answered and output.endswith(PROMPT):
                os.write(master, answer.encode() + b"\n")
                answered = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert answered == (answer is not None), output
    return code, output.decode().replace("\r\n", "\n")


def audit(tmp_path: Path) -> str:
    path = tmp_path / "audit.log"
    return path.read_text() if path.exists() else ""


NOTE = "jailtui: note: the demo host lives in this process: the change is gone when it exits\n"
# The demo's db uses 4.2G of memory (SimulatedHost, seed 1).
WARNING = ("jailtui: warning: db uses 4.2G, this denies above 512M (8x below current use): "
           "the VM daemon will page its memory out until it fits\n"
           "Add jail:db:memoryuse:deny=536870912? [y/N] ")


def test_add_below_use_asks_on_a_terminal_and_no_changes_nothing(tmp_path) -> None:
    code, out = on_tty(tmp_path, "limits", "add", "jail:db:memoryuse:deny=512m", answer="n")
    assert out == WARNING + "n\njailtui: nothing changed\n"
    assert code == 1 and audit(tmp_path) == ""


def test_add_below_use_asks_on_a_terminal_and_yes_applies(tmp_path) -> None:
    code, out = on_tty(tmp_path, "limits", "add", "jail:db:memoryuse:deny=512m", answer="y")
    assert out == WARNING + "y\nadded jail:db:memoryuse:deny=536870912\n" + NOTE
    assert code == 0
    assert "action=rctl-add target=jail:db:memoryuse:deny=536870912 result=ok" in audit(tmp_path)


def test_add_above_use_asks_nothing(tmp_path) -> None:
    code, out = on_tty(tmp_path, "limits", "add", "jail:db:memoryuse:deny=8g", answer=None)
    assert code == 0 and out == "added jail:db:memoryuse:deny=8589934592\n" + NOTE


def run(capsys, tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", "--audit-log", str(tmp_path / "audit.log"), "--rctl-conf",
                 str(tmp_path / "rctl.conf"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_below_use_is_refused_without_a_terminal(capsys, tmp_path) -> None:
    code, out, err = run(capsys, tmp_path, "limits", "add", "jail:db:memoryuse:deny=512m")
    assert code == 1 and out == ""
    assert err == ("jailtui: refusing to add jail:db:memoryuse:deny=536870912: db uses 4.2G, "
                   "this denies above 512M (8x below current use): the VM daemon will page its "
                   "memory out until it fits; nothing changed (add --force to do it without "
                   "asking)\n")
    assert audit(tmp_path) == ""
    code, out, err = run(capsys, tmp_path, "limits", "add", "jail:db:memoryuse:deny=512m",
                         "--force")
    assert code == 0 and out == "added jail:db:memoryuse:deny=536870912\n"


# The demo's www has two rules: memoryuse:deny=1g and maxproc:log=200.
def test_rm_of_several_rules_lists_them_and_asks(tmp_path) -> None:
    code, out = on_tty(tmp_path, "limits", "rm", "jail:www", answer="n")
    assert out == ("jailtui: warning: jail:www matches 2 rules:\n"
                   "  jail:www:memoryuse:deny=1073741824\n"
                   "  jail:www:maxproc:log=200\n"
                   "Remove these 2 rules? [y/N] n\n"
                   "jailtui: nothing changed\n")
    assert code == 1 and audit(tmp_path) == ""
    code, out = on_tty(tmp_path, "limits", "rm", "jail:www", answer="yes")
    assert code == 0
    assert out.endswith("yes\nremoved jail:www:memoryuse:deny=1073741824\n"
                        "removed jail:www:maxproc:log=200\n" + NOTE)


def test_rm_of_one_rule_asks_nothing(tmp_path) -> None:
    code, out = on_tty(tmp_path, "limits", "rm", "jail:www:maxproc", answer=None)
    assert code == 0 and out == "removed jail:www:maxproc:log=200\n" + NOTE


def test_rm_of_several_rules_is_refused_without_a_terminal(capsys, tmp_path) -> None:
    code, out, err = run(capsys, tmp_path, "limits", "rm", "jail:www")
    assert code == 1 and out == ""
    assert err == ("jailtui: refusing to remove these 2 rules: jail:www matches 2 rules "
                   "(jail:www:memoryuse:deny=1073741824, jail:www:maxproc:log=200); nothing "
                   "changed (add --all to do it without asking)\n")
    code, out, err = run(capsys, tmp_path, "limits", "rm", "jail:www", "--all")
    assert code == 0
    assert out == ("removed jail:www:memoryuse:deny=1073741824\n"
                   "removed jail:www:maxproc:log=200\n")


@pytest.mark.parametrize("flt", ["::", ":"])
def test_rm_of_everything_is_still_refused_before_asking(capsys, tmp_path, flt) -> None:
    code, _, err = run(capsys, tmp_path, "limits", "rm", flt, "--all")
    assert code == 2 and "refusing to remove every rule" in err
