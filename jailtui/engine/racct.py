"""rctl_get_racct(2) through ctypes: racct usage with no process spawned (local FreeBSD only).

The kernel returns ``resource=value,...`` in the caller's buffer; a buffer that is too small
gives ERANGE, and rctl(8) answers by growing it fourfold from 128 KiB, as this does.
"""

from __future__ import annotations

import ctypes
import errno
import os
from typing import Any

from .errors import CommandFailed, NotPermitted, RacctUnavailable
from .libc import freebsd_function

INITIAL_BUFSIZE = 128 * 1024
MAX_BUFSIZE = 16 * 1024 * 1024


class RacctSyscall:
    """Calls ``rctl_get_racct`` in ``libc`` (any object with that ctypes-style function)."""

    def __init__(self, libc: Any) -> None:
        self.libc = libc
        #: One buffer for every call (a sample asks once per jail), grown as rctl(8) grows it.
        self._buffer = ctypes.create_string_buffer(INITIAL_BUFSIZE)

    @classmethod
    def load(cls) -> RacctSyscall | None:
        """The syscall on a FreeBSD machine, or None where there is no such libc function."""
        libc = freebsd_function("rctl_get_racct", (ctypes.c_char_p, ctypes.c_size_t,
                                                   ctypes.c_char_p, ctypes.c_size_t),
                                ctypes.c_int)
        return None if libc is None else cls(libc)

    def get_racct(self, filter: str) -> str:
        """The raw ``k=v,...`` buffer for ``filter`` (e.g. ``jail:www:``)."""
        inbuf = filter.encode() + b"\0"
        while True:
            out = self._buffer
            size = len(out)
            if self.libc.rctl_get_racct(inbuf, len(inbuf), out, size) == 0:
                return out.value.decode(errors="replace")
            err = ctypes.get_errno()
            if err == errno.ERANGE and size < MAX_BUFSIZE:
                self._buffer = ctypes.create_string_buffer(size * 4)
                continue
            raise _error(err, filter)


def _error(err: int, filter: str) -> Exception:
    if err == errno.ENOSYS:
        return RacctUnavailable("RACCT/RCTL present, but disabled", RacctUnavailable.FIX)
    if err == errno.EPERM:
        return NotPermitted(f"failed to show resource consumption for '{filter}': "
                            "Operation not permitted", "run jailtui as root on the host")
    return CommandFailed(f"failed to show resource consumption for '{filter}': {os.strerror(err)}")
