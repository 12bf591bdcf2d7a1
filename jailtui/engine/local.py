"""What psutil tells about the machine jailtui runs on, without spawning a process.

Used only where psutil's view is the host's view: the start time of a PID before it is
signalled (when the host is this machine), swap, and jailtui's own CPU and memory.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil


def start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), None when there is none;
    PermissionError when this user may not look."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        raise PermissionError(f"not allowed to look at PID {pid}") from None


@dataclass(frozen=True, slots=True)
class Swap:
    total: int
    used: int


def swap() -> Swap | None:
    """Swap of this machine in bytes, None when it cannot be read."""
    try:
        memory = psutil.swap_memory()
    except (OSError, RuntimeError):
        return None
    return Swap(int(memory.total), int(memory.used))


@dataclass(frozen=True, slots=True)
class OwnUsage:
    """jailtui's own process: ``cpu`` is percent of one core averaged since it started."""

    cpu: float
    rss: int
    threads: int


def own_usage() -> OwnUsage:
    me = psutil.Process(os.getpid())
    with me.oneshot():
        times = me.cpu_times()
        alive = max(time.time() - me.create_time(), 1e-3)
        return OwnUsage(cpu=(times.user + times.system) / alive * 100.0,
                        rss=int(me.memory_info().rss), threads=me.num_threads())
