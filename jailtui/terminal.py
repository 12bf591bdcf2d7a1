"""Handing the terminal to a program (a jail's shell) and taking it back when it ends."""

from __future__ import annotations

import signal
import subprocess
import threading
from typing import Any

#: Keys that signal the whole foreground process group: they are for the program, not jailtui.
_HANDED_ON = (signal.SIGINT, signal.SIGQUIT)


def run_in_terminal(argv: list[str]) -> int:
    """Run ``argv`` on the terminal and wait for it; ^C and ^\\ reach it, not jailtui."""
    if threading.current_thread() is not threading.main_thread():
        return subprocess.call(argv)
    previous = {signum: signal.signal(signum, _ignore) for signum in _HANDED_ON}
    try:
        return subprocess.call(argv)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _ignore(signum: int, frame: Any) -> None:
    """A handler, not SIG_IGN: exec resets it, so the program still gets the signal."""
