"""Nothing of the sampled data is lost: the fake host of the shared samples (state.sample_state,
after shared/freebsd/reconstructed/ps_libxo_json_*.json, rctl_u_jail_git7.txt and
rctl_rules_list.txt) gives these figures, worked out by hand from the fixtures, through the
whole sampling path (sysctl, jls, ps, rctl, the batched rctl -u and the racct syscall)."""

from __future__ import annotations

import pytest

from jailtui.engine.model import Process
from jailtui.engine.racct import RacctSyscall
from jailtui.engine.sampler import Sampler

from conftest import fake_state

BOOT = 1730000000
#: The oldest process ([kernel], etime 1829640) started at boottime; every start follows.
OLDEST = 1829640
KIB = 1024

PROCESSES = {
    0: Process(pid=0, jid=0, ppid=0, user="root", pcpu=0.0, pmem=0.0, rss=320 * KIB, vsz=0,
               nlwp=212, state="DLs", cputime=52.4, etime=1829640, command="[kernel]", uid=0,
               start=float(BOOT)),
    11: Process(pid=11, jid=0, ppid=0, user="root", pcpu=385.2, pmem=0.0, rss=64 * KIB, vsz=0,
                nlwp=4, state="RNL", cputime=2790512.4, etime=1829640, command="[idle]", uid=0,
                start=float(BOOT)),
    3189: Process(pid=3189, jid=2, ppid=3188, user="www", pcpu=1.3, pmem=0.1, rss=10452 * KIB,
                  vsz=23088 * KIB, nlwp=1, state="SJ", cputime=133.5, etime=11528,
                  command="nginx: worker process (nginx)", uid=80,
                  start=float(BOOT + OLDEST - 11528)),
    5502: Process(pid=5502, jid=105, ppid=1, user="80", pcpu=0.0, pmem=0.0, rss=3012 * KIB,
                  vsz=14024 * KIB, nlwp=1, state="IsJ", cputime=0.0, etime=761,
                  command="/usr/sbin/cron -s", uid=80, start=float(BOOT + OLDEST - 761)),
    5530: Process(pid=5530, jid=105, ppid=1, user="root", pcpu=12.5, pmem=2.4,
                  rss=401232 * KIB, vsz=1262844 * KIB, nlwp=14, state="SJ", cputime=641.22,
                  etime=755, command="/usr/local/bin/minio server /data", uid=0,
                  start=float(BOOT + OLDEST - 755)),
    6120: Process(pid=6120, jid=116, ppid=6050, user="root", pcpu=0.0, pmem=0.0,
                  rss=1980 * KIB, vsz=13420 * KIB, nlwp=1, state="IJ", cputime=0.0, etime=120,
                  command="[/]", uid=0, start=float(BOOT + OLDEST - 120)),
}

#: name -> nproc, nthr (racct), pcpu (sum of ps %CPU), rss, vsz (sums of ps KiB), openfiles,
#: readbps, writebps, readiops, writeiops (racct)
JAILS = {
    "git7": (3, 5, 1.3, (2284 + 9876 + 10452) * KIB, (13964 + 22576 + 23088) * KIB,
             1280, 0, 0, 0, 0),
    "sto2": (3, 16, 12.5, (2280 + 3012 + 401232) * KIB, (13964 + 14024 + 1262844) * KIB,
             1536, 2097152, 524288, 180, 45),
    "git6": (3, 3, 0.0, (2276 + 2560 + 1980) * KIB, (13964 + 13980 + 13420) * KIB,
             768, 0, 0, 0, 0),
    "db1": (0, 0, 0.0, 0, 0, None, None, None, None, None),
}
LIMITS = {
    "git7": [("jail:git7:memoryuse:deny=1073741824", 25550848), ("jail:git7:maxproc:deny=200", 5),
             ("jail:git7:pcpu:deny=50", 0)],
    "sto2": [("jail:sto2:readbps:throttle=10485760", 2097152),
             ("jail:sto2:vmemoryuse:log=4294967296", 1337569280)],
    "git6": [], "db1": [],
}
GIT7_USAGE = {"cputime": 174, "datasize": 798720, "memoryuse": 25550848, "maxproc": 5,
              "openfiles": 1280, "vmemoryuse": 296804352, "nthr": 5, "wallclock": 291876}


@pytest.mark.parametrize("syscall", [False, True], ids=["rctl-u", "syscall"])
def test_sample_figures(fake_freebsd, syscall: bool) -> None:
    libc = RacctSyscall(fake_state.KernelLibc(fake_freebsd.state_path)) if syscall else False
    snapshot = Sampler(fake_freebsd.host(syscall=libc)).sample()
    assert not snapshot.stale and snapshot.warnings == ()
    assert snapshot.host.nproc == 15 and snapshot.host.running == 3
    assert [p.pid for p in snapshot.processes] == [
        0, 1, 11, 12, 642, 700, 3120, 3188, 3189, 5480, 5502, 5530, 6001, 6050, 6120]
    by_pid = {p.pid: p for p in snapshot.processes}
    for pid, expected in PROCESSES.items():
        assert by_pid[pid] == expected
    figures = {s.jail.name: (s.nproc, s.nthr, s.pcpu, s.rss, s.vsz, s.openfiles, s.readbps,
                             s.writebps, s.readiops, s.writeiops) for s in snapshot.jails}
    assert figures == JAILS
    assert {s.jail.name: [(str(lim.rule), lim.used) for lim in s.limits]
            for s in snapshot.jails} == LIMITS
    usage = snapshot.jail("git7").usage.as_dict()
    assert {k: v for k, v in usage.items() if v} == GIT7_USAGE
    assert snapshot.jail("git7").cpu == pytest.approx(1.3)
