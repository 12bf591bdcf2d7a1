"""A private tmux server for tests that need a real terminal."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class Tmux:
    """A private tmux server (its own socket and an empty config, clipboard writes kept)."""

    def __init__(self, tmp_path: Path) -> None:
        self.socket = tmp_path / "tmux.sock"
        self.conf = tmp_path / "tmux.conf"
        self.conf.write_text("set -g set-clipboard on\nset -g allow-rename on\n")

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", str(self.socket), "-f", str(self.conf), *args],
                              capture_output=True, text=True, timeout=30).stdout

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 45.0) -> str:
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self("capture-pane", "-p", "-t", "jt")
            if predicate(screen):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"the dashboard did not show up:\n{screen}")
