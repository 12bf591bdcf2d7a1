"""Choosing the host: FreeBSDHost on FreeBSD (or when asked), the simulated demo elsewhere."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .engine.host import Host


@dataclass(frozen=True, slots=True)
class HostOptions:
    """What the command line says about the host and how to change it."""

    backend: str | None = None
    control: str = "service"
    jail_conf: str | None = None
    seed: int = 1
    demo_jails: int = 12
    timeout: float = 10.0


def default_backend() -> str:
    return "freebsd" if sys.platform.startswith("freebsd") else "simulated"


def make_host(options: HostOptions) -> Host:
    """Build the host named by ``options.backend`` (the platform default when None)."""
    backend = options.backend or default_backend()
    if backend == "freebsd":
        from .engine.freebsd import FreeBSDHost

        return FreeBSDHost(control=options.control,  # type: ignore[arg-type]
                           jail_conf=options.jail_conf, timeout=options.timeout)
    from .engine.simulated import SimulatedHost

    return SimulatedHost(seed=options.seed, jails=options.demo_jails)

