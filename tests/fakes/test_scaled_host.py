"""state.scaled_host: a deterministic host of N jails for the scale tests and scripts/bench.py,
read back through the fake tools as jailtui reads a real host."""

from __future__ import annotations

from collections import Counter

from jailtui.engine.racct import RacctSyscall
from jailtui.engine.sampler import Sampler

from conftest import fake_state


def _scaled(fake, jails: int, per_jail: int = 20, stopped: int = 0) -> dict:  # type: ignore[no-untyped-def]
    state, files = fake_state.scaled_host(jails, per_jail, stopped)
    fake.set_state(state)
    fake_state.write_files(fake.root, files)
    return state


def test_same_arguments_same_host() -> None:
    assert fake_state.scaled_host(7, 5, 2) == fake_state.scaled_host(7, 5, 2)
    assert fake_state.scaled_host(7, 5, 2) != fake_state.scaled_host(8, 5, 2)


def test_the_fake_tools_report_the_scaled_host(fake_freebsd) -> None:
    _scaled(fake_freebsd, 12, per_jail=15, stopped=3)
    sample = fake_freebsd.host().sample()
    running = [j for j in sample.jails if j.running]
    assert [j.name for j in running] == [f"j{i:04d}" for i in range(12)]
    assert sorted(j.name for j in sample.jails if not j.running) == ["j0012", "j0013", "j0014"]
    assert Counter(j.manager for j in sample.jails) == {"jail.conf": 12, "bastille": 3}  # 3, 7, 11
    per_jid = Counter(p.jid for p in sample.processes)
    assert all(per_jid[j.jid] == 15 for j in running)
    assert per_jid[0] == 6  # the host's own: kernel, init, idle, intr, sshd, cron
    assert sample.warnings == ()
    assert set(sample.usage) == {j.name for j in running}
    # j0003: ((3 * 131 + 7 * 977) % 100000) + 1 for openfiles, the 8th resource
    assert sample.usage["j0003"].openfiles == 7233
    assert {str(r) for r in sample.rules if r.subject_id == "j0003"} == {
        "jail:j0003:memoryuse:deny=2147483648", "jail:j0003:maxproc:deny=500",
        "jail:j0003:pcpu:deny=53"}
    www = [p for p in sample.processes if p.jid == 1 and p.command.startswith("nginx: worker")]
    assert {p.user for p in www} == {"www"} and {p.uid for p in www} == {80}


def test_the_racct_syscall_path_on_the_fake_kernel(fake_freebsd) -> None:
    _scaled(fake_freebsd, 4)
    libc = fake_state.KernelLibc(fake_freebsd.state_path)
    host = fake_freebsd.host(syscall=RacctSyscall(libc))
    fake_freebsd.clear_log()
    snapshot = Sampler(host).sample()
    assert libc.calls == 4
    assert not [argv for argv in fake_freebsd.invocations() if argv[:2] == ["rctl", "-u"]]
    assert snapshot.jail("j0003").usage.openfiles == 7233
    state = fake_freebsd.state()
    state["usage"]["j0003"]["openfiles"] = 12
    fake_freebsd.set_state(state)
    assert Sampler(host).sample().jail("j0003").usage.openfiles == 12
