"""Spawns per sample do not grow with the jails: at 10, 100 and 500 jails a sample runs the
same commands, with the racct syscall and without it (every ``rctl -u`` in one shell).

Without the syscall the shell runs one fake rctl (a Python program) per jail: 500 jails take
minutes on a small machine, so that case runs only with JAILTUI_SLOW_TESTS=1; 10 and 40
jails run always."""

from __future__ import annotations

import os

import pytest

from jailtui.engine.racct import RacctSyscall
from jailtui.engine.sampler import Sampler

from conftest import RootedRunner, fake_state


class CountingRunner(RootedRunner):
    def __init__(self, root) -> None:  # type: ignore[no-untyped-def]
        super().__init__(root)
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv, **kwargs):  # type: ignore[no-untyped-def,override]
        self.calls.append(tuple(argv))
        return super().run(argv, **kwargs)


def _spawns(fake, jails: int, syscall: bool) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """The commands of the second sample of a scaled host, and how many jails had usage."""
    state, files = fake_state.scaled_host(jails, per_jail=5)
    fake.set_state(state)
    fake_state.write_files(fake.root, files)
    from jailtui.engine.freebsd import FreeBSDHost

    runner = CountingRunner(fake.root)
    libc = fake_state.KernelLibc(fake.state_path)
    host = FreeBSDHost(runner, syscall=RacctSyscall(libc) if syscall else False, timeout=300)
    sampler = Sampler(host)
    sampler.sample()
    runner.calls.clear()
    snapshot = sampler.sample()
    assert not snapshot.stale and snapshot.warnings == ()
    assert len([s for s in snapshot.jails if s.jail.running]) == jails
    if syscall:
        assert libc.calls == 2 * jails
    return [argv[0] for argv in runner.calls], sum(j.usage is not None for j in snapshot.jails)


@pytest.mark.parametrize("syscall, sizes", [
    (True, (10, 100, 500)),
    (False, (10, 40)),
    pytest.param(False, (10, 100, 500), marks=[
        pytest.mark.skipif(not os.environ.get("JAILTUI_SLOW_TESTS"),
                           reason="one fake rctl per jail: minutes (JAILTUI_SLOW_TESTS=1)"),
        pytest.mark.timeout(1800)]),
], ids=["syscall", "rctl-u", "rctl-u-500"])
def test_spawns_per_sample_are_constant(fake_freebsd, syscall: bool,
                                        sizes: tuple[int, ...]) -> None:
    counts = {}
    for jails in sizes:
        commands, with_usage = _spawns(fake_freebsd, jails, syscall)
        assert with_usage == jails
        counts[jails] = commands
    expected = ["sysctl", "jls", "ps", "rctl"] + ([] if syscall else ["/bin/sh"])
    assert counts == dict.fromkeys(sizes, expected)
