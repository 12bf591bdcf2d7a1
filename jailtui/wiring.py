"""The objects the CLI and the dashboard both build from the command line and the config
file: the host, the actions that change it, and the notice that this is the demo host; and
the dashboard's first sample, started before the dashboard is imported."""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .backend import HostOptions, default_backend, make_host
from .engine.actions import Actions
from .engine.audit import AuditLog
from .engine.host import Host

if TYPE_CHECKING:
    from .engine.sampler import Snapshot

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


class FirstSample:
    """The dashboard's first sample, taken in a daemon thread from the moment the host is
    wired, while Textual and the dashboard are imported and composed: ``future`` gives the
    snapshot and the seconds it took, or the exception (the dashboard shows it as a failed
    sample, never as a traceback)."""

    def __init__(self, host: Host) -> None:
        from concurrent.futures import Future

        from .engine.sampler import Sampler

        self.sampler = Sampler(host)
        self.future: Future[tuple[Snapshot, float]] = Future()
        threading.Thread(target=self._sample, name="jailtui-first-sample", daemon=True).start()

    def _sample(self) -> None:
        started = time.perf_counter()
        try:
            snapshot = self.sampler.sample()
        except Exception as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result((snapshot, time.perf_counter() - started))
