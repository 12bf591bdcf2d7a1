"""The dashboard in tmux with TERM=screen, tmux's default: a 16-colour terminal. What reaches
the pane (``capture-pane -e``) must use only the 16 ANSI colours, show a jail at its limit
differently from one near it, and draw no text in its background's colour."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time

import pytest

from terminal_screen import parse, unreadable
from tmux_session import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

WIDTH, HEIGHT = 140, 30
#: git7 uses 25550848 bytes (its racct sample): 98% of the first amount, 80% of sto2's.
AT_RULE = "jail:git7:memoryuse:deny=26000000"
NEAR_RULE = "jail:sto2:memoryuse:deny=520519680"


def dashboard(fake_freebsd, tmp_path, term: str, *options: str) -> str:
    """The shell command that runs jailtui on the fake host in a clean environment."""
    (tmp_path / "jail.conf").touch()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TERM": term, "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "JAILTUI_FAKE_STATE": str(fake_freebsd.state_path),
           "JAILTUI_FAKE_LOG": str(fake_freebsd.log_path),
           "JAILTUI_FAKE_ROOT": str(fake_freebsd.root)}
    return shlex.join([
        "env", "-i", *(f"{k}={v}" for k, v in env.items()),
        sys.executable, "-m", "jailtui.cli", "--backend", "freebsd",
        "--jail-conf", str(tmp_path / "jail.conf"), "--interval", "60",
        "--audit-log", str(tmp_path / "audit.log"), "--rctl-conf", str(tmp_path / "rctl.conf"),
        *options])


def test_sixteen_colours_in_tmux_tell_warning_from_critical(fake_freebsd, tmp_path) -> None:
    state = fake_freebsd.state()
    state["rules"] = [rule for rule in state["rules"] if ":memoryuse:" not in rule] + [
        AT_RULE, NEAR_RULE]
    fake_freebsd.set_state(state)
    tmux = Tmux(tmp_path)
    tmux("new-session", "-d", "-s", "jt", "-x", str(WIDTH), "-y", str(HEIGHT), "sh")
    try:
        tmux("respawn-pane", "-k", "-t", "jt", dashboard(fake_freebsd, tmp_path, "screen"))
        tmux.wait_for(lambda s: "jails 3 up" in s and "memoryuse" in s)
        time.sleep(0.5)
        screen = parse(tmux("capture-pane", "-p", "-e", "-t", "jt"), WIDTH, HEIGHT)
        assert screen.kinds == {"16"}, f"colour codes beyond the 16: {screen.kinds}"
        problems = unreadable(screen)
        assert problems == [], "\n".join(problems[:20])
        at_y, near_y = screen.row_with(" git7 "), screen.row_with(" sto2 ")
        at = screen.rows[at_y][screen.text(at_y).index("!!memoryuse")]
        near = screen.rows[near_y][screen.text(near_y).index("!memoryuse")]
        assert at.look != near.look
        assert at.fg != near.fg, "warning and critical have one colour"
        assert (at.bold, at.reverse) != (near.bold, near.reverse)
    finally:
        tmux("send-keys", "-t", "jt", "q")
        time.sleep(0.3)
        tmux("kill-server")
