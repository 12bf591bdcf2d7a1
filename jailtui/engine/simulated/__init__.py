"""SimulatedHost: a deterministic FreeBSD-like host for the demo, the TUI tests and benchmarks.

Jails of a few kinds (web, database, poudriere-style builds, cache, mail, DNS, monitoring, git)
run the processes a jailed FreeBSD runs; some come and go. racct figures are summed from the
processes, and deny and throttle rules cap them as the kernel does. Simulated time advances
lazily from an injectable clock, in steps of at most a second, so one seed and one sequence of
clock readings always give the same host.

The package: :mod:`.catalogue` (what the jails run), :mod:`.world` (jails and processes),
:mod:`.host` (SimulatedHost and its clock); which rule replaces which is
:mod:`jailtui.engine.kernel_rules`, shared with the engine and the tests' doubles.
"""

from __future__ import annotations

from .host import PID_MAX, PID_WRAP, ManualClock, SimulatedHost

__all__ = ["PID_MAX", "PID_WRAP", "ManualClock", "SimulatedHost"]
