"""``jailtui top`` on a terminal (tmux): ``q`` ends it at once, and the terminal is left as it
was found (line editing and echo back on)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time

import pytest

from tmux_session import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_q_ends_top_and_restores_the_terminal(tmp_path) -> None:
    after = tmp_path / "stty.txt"
    top = shlex.join(["env", "-i", f"PATH={os.environ['PATH']}", "TERM=screen", "LANG=C.UTF-8",
                      f"HOME={tmp_path}", sys.executable, "-m", "jailtui.cli", "--demo", "top",
                      "-d", "30"])
    tmux = Tmux(tmp_path)
    tmux("new-session", "-d", "-s", "jt", "-x", "120", "-y", "30", "sh")
    try:
        tmux("send-keys", "-t", "jt", f"{top}; stty -a > {after}", "Enter")
        tmux.wait_for(lambda screen: "%CPU" in screen and "JID" in screen)
        started = time.monotonic()
        tmux("send-keys", "-t", "jt", "q")
        end = started + 10
        while not (after.exists() and after.read_text()) and time.monotonic() < end:
            time.sleep(0.1)
        assert after.exists(), "top did not end on q"
        assert time.monotonic() - started < 10, "top waited out its 30 s delay"
        settings = after.read_text().split()
        assert "icanon" in settings and "echo" in settings, settings
    finally:
        tmux("kill-server")
