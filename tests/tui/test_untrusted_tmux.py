"""End to end in a real terminal: the jailtui dashboard in tmux, on a host (the fake FreeBSD
tools) whose host name and jail hostname hold an OSC 2 title, an OSC 52 clipboard write and
ESC[2J. tmux acts on what reaches it: the pane title and the paste buffers must stay untouched
and the pane must show the escaped text."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time

import pytest

from hostile import hostile_fake_state
from tmux_session import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_hostile_names_do_not_reach_the_terminal(fake_freebsd, tmp_path) -> None:
    fake_freebsd.set_state(hostile_fake_state(fake_freebsd.state()))
    (tmp_path / "jail.conf").touch()
    env = {name: os.environ[name] for name in ("PATH", "JAILTUI_FAKE_STATE", "JAILTUI_FAKE_LOG")}
    command = shlex.join([
        "env", *(f"{k}={v}" for k, v in env.items()), "TERM=xterm-256color",
        sys.executable, "-m", "jailtui.cli", "--backend", "freebsd",
        "--jail-conf", str(tmp_path / "jail.conf"), "--interval", "60",
        "--audit-log", str(tmp_path / "audit.log"), "--rctl-conf", str(tmp_path / "rctl.conf")])
    tmux = Tmux(tmp_path)
    tmux("new-session", "-d", "-s", "jt", "-x", "200", "-y", "40", "sh")
    try:
        tmux("select-pane", "-t", "jt", "-T", "before")
        tmux("respawn-pane", "-k", "-t", "jt", command)
        tmux.wait_for(lambda s: "jails 3 up" in s)
        time.sleep(0.5)
        assert tmux("display", "-p", "-t", "jt", "#{pane_title}").strip() == "before", \
            "an OSC 2 title got through"
        assert tmux("list-buffers") == "", "an OSC 52 clipboard write got through"
        screen = tmux("capture-pane", "-p", "-t", "jt")
        assert "watermelon\\e]2;pwned-title\\a\\e]52;c;" in screen
        assert "git7\\e]2;pwned-title\\a" in screen
    finally:
        tmux("send-keys", "-t", "jt", "q")
        time.sleep(0.3)
        tmux("kill-server")
