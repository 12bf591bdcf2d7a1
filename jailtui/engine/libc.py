"""FreeBSD's libc through ctypes, for the system calls read without spawning a tool."""

from __future__ import annotations

import ctypes
import sys
from typing import Any


def freebsd_function(name: str, argtypes: tuple[Any, ...], restype: Any) -> Any | None:
    """The libc that holds function ``name`` (typed), or None off FreeBSD or without it."""
    if not sys.platform.startswith("freebsd"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.7", use_errno=True)
        func = getattr(libc, name)
    except (OSError, AttributeError):
        return None
    func.argtypes = argtypes
    func.restype = restype
    return libc
