"""cpuset_getaffinity(2) through ctypes: how many CPUs a jail's cpuset allows, with no process
spawned (local FreeBSD only; elsewhere the count is unknown).

``cpuset -g -j JID`` (usr.bin/cpuset/cpuset.c ``printaffinity``) makes the same call,
``cpuset_getaffinity(CPU_LEVEL_WHICH, CPU_WHICH_JAIL, jid, sizeof(mask), &mask)``, and prints
``jail 5 mask: 0, 1`` (then, since domains, a ``domain policy`` line). Running it once per jail
per sample would cost a spawn per jail; the syscall costs none. The kernel answers ERANGE to a
mask smaller than its own or larger than CPU_MAXSIZE bits (lib/libc/sys/cpuset_getaffinity.2,
sys/kern/kern_cpuset.c ``kern_cpuset_getaffinity``), so sizes are tried from 1024 bits down.
"""

from __future__ import annotations

import ctypes
import errno
from typing import Any

from .libc import freebsd_function

#: sys/sys/cpuset.h; the order of cpuset.c's ``levelnames`` and ``whichnames`` arrays.
CPU_LEVEL_WHICH = 3
CPU_WHICH_JAIL = 5
MASK_BYTES = (128, 64, 32, 16, 8)


class CpusetSyscall:
    """Calls ``cpuset_getaffinity`` in ``libc`` (any object with that ctypes-style function)."""

    def __init__(self, libc: Any) -> None:
        self.libc = libc
        self._size: int | None = None

    @classmethod
    def load(cls) -> CpusetSyscall | None:
        """The syscall on a FreeBSD machine, or None where there is no such libc function."""
        libc = freebsd_function("cpuset_getaffinity", (ctypes.c_int, ctypes.c_int,
                                                       ctypes.c_int64, ctypes.c_size_t,
                                                       ctypes.c_void_p), ctypes.c_int)
        return None if libc is None else cls(libc)

    def jail_cpus(self, jid: int) -> int | None:
        """The number of CPUs in jail ``jid``'s mask; None when the kernel does not say (the
        jail is gone, no privilege)."""
        for size in (self._size,) if self._size else MASK_BYTES:
            mask = ctypes.create_string_buffer(size)
            if self.libc.cpuset_getaffinity(CPU_LEVEL_WHICH, CPU_WHICH_JAIL, jid, size,
                                            mask) == 0:
                self._size = size
                return count_cpus(mask.raw) or None
            if ctypes.get_errno() != errno.ERANGE:
                return None
        return None


def count_cpus(mask: bytes) -> int:
    """The CPUs set in a cpuset_t mask (a bitset: one bit per CPU)."""
    return sum(bin(byte).count("1") for byte in mask)
