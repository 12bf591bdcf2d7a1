"""The objects the CLI and the dashboard both build from the command line and the config
file: the host, the actions that change it, and the notice that this is the demo host."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from .backend import HostOptions, default_backend, make_host
from .engine.actions import Actions
from .engine.audit import AuditLog
from .engine.host import Host

#: Said on stderr when no backend was asked for and this machine is not FreeBSD.
NOT_FREEBSD = "not FreeBSD: showing the simulated demo host (--demo)"


@dataclass(frozen=True, slots=True)
class Wiring:
    """The host, the actions on it, and the notice to print before anything runs (or None)."""

    host: Host
    actions: Actions
    notice: str | None


def wire(args: argparse.Namespace) -> Wiring:
    """The host and actions ``args`` (with the config file's settings filled in) ask for."""
    notice = NOT_FREEBSD if args.backend is None and default_backend() == "simulated" else None
    host = make_host(HostOptions(backend=args.backend, control=args.control,
                                 jail_conf=args.jail_conf, seed=args.seed,
                                 demo_jails=args.demo_jails, timeout=args.timeout))
    audit = AuditLog(args.audit_log) if args.audit_log else AuditLog()
    actions = Actions(host, read_only=args.read_only, rctl_conf=args.rctl_conf, audit=audit,
                      shell_command=(args.shell,))
    return Wiring(host, actions, notice)
