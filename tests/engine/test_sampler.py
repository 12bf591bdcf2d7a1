"""Sampler: CPU% from cputime deltas, stale samples, history bounds, limits against usage."""

from __future__ import annotations

import time

import pytest

from jailtui.engine.errors import CommandFailed, ParseError
from jailtui.engine.host import Host
from jailtui.engine.model import (HostInfo, Jail, JailState, Process, RacctStatus, Rule, Sample,
                                  Usage)
from jailtui.engine.sampler import BUSIEST, JailStats, LimitUse, Sampler

GiB = 1 << 30
EPOCH = 1_700_000_000.0
BOOT = EPOCH - 3600
WWW = Jail("www", 1)
DB = Jail("db", 2)
OLD = Jail("old", None, JailState.STOPPED, configured=True)
RACCT_ON = RacctStatus(enabled=True)
RACCT_OFF = RacctStatus(enabled=False)


class ScriptedHost(Host):
    """Returns (or raises) the queued items from sample(), one per call."""

    label = "test"

    def __init__(self, *items: Sample | Exception) -> None:
        self.items = list(items)
        self.calls = 0

    def sample(self) -> Sample:
        self.calls += 1
        item = self.items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def _unused(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the sampler calls sample() only")

    host_info = jails = processes = usage = rules = add_rule = remove_rules = _unused  # type: ignore[assignment]
    plan = execute = shell_argv = run_in_jail = signal = process_identity = _unused  # type: ignore[assignment]


def proc(pid: int, jid: int = 1, cputime: float = 0.0, etime: int = 1000, pcpu: float = 0.0,
         rss: int = 0, vsz: int = 0, nlwp: int = 1) -> Process:
    return Process(pid=pid, jid=jid, cputime=cputime, etime=etime, pcpu=pcpu, rss=rss, vsz=vsz,
                   nlwp=nlwp)


def sample(t: float, *procs: Process, jails: tuple[Jail, ...] = (WWW, DB, OLD),
           cp_time: tuple[int, ...] = (0, 0, 0, 0, 0), boottime: float = BOOT,
           usage: dict[str, Usage] | None = None, rules: tuple[Rule, ...] = (),
           racct: RacctStatus = RACCT_OFF) -> Sample:
    info = HostInfo(hostname="h", ncpu=4, physmem=8 * GiB, mem_free=6 * GiB, boottime=boottime,
                    cp_time=cp_time, racct=racct)
    return Sample(time=EPOCH + t, monotonic=t, host=info, jails=jails, processes=procs,
                  usage=usage or {}, rules=rules)


def snapshots(*items: Sample | Exception, history: int = 300) -> list:
    sampler = Sampler(ScriptedHost(*items), history=history)
    return [sampler.sample() for _ in items]


def stats(snapshot, name: str) -> JailStats:
    found = snapshot.jail(name)
    assert found is not None
    return found


def test_cpu_is_the_cputime_delta_over_the_interval() -> None:
    _, second = snapshots(
        sample(10.0, proc(100, cputime=10.0, etime=500, pcpu=3.0)),
        sample(11.0, proc(100, cputime=10.5, etime=501, pcpu=3.0)))
    assert second.cpu[100] == pytest.approx(50.0)
    assert stats(second, "www").cpu == pytest.approx(50.0)
    assert stats(second, "www").pcpu == pytest.approx(3.0)


def test_first_sample_uses_ps_pcpu_and_has_no_host_cpu() -> None:
    (first,) = snapshots(sample(10.0, proc(100, cputime=10.0, pcpu=3.0), proc(101, pcpu=2.0)))
    assert first.cpu == {100: 3.0, 101: 2.0}
    assert stats(first, "www").cpu == pytest.approx(5.0)
    assert first.host.cpu is None
    assert not first.stale and first.error is None


def test_several_cores_go_above_100_percent() -> None:
    _, second = snapshots(sample(0.0, proc(7, cputime=0.0)), sample(2.0, proc(7, cputime=5.0)))
    assert second.cpu[7] == pytest.approx(250.0)


def test_reused_pid_is_a_new_process() -> None:
    _, second = snapshots(
        sample(0.0, proc(100, cputime=50.0, etime=1000)),
        sample(2.0, proc(100, cputime=0.4, etime=1, pcpu=9.0)))
    assert second.cpu[100] == pytest.approx(20.0)


def test_reused_pid_older_than_the_interval_falls_back_to_pcpu() -> None:
    _, second = snapshots(
        sample(0.0, proc(100, cputime=50.0, etime=1000)),
        sample(2.0, proc(100, cputime=60.0, etime=900, pcpu=9.0)))
    assert second.cpu[100] == pytest.approx(9.0)


def test_new_processes_count_from_zero_only_when_younger_than_the_interval() -> None:
    _, second = snapshots(
        sample(0.0),
        sample(1.0, proc(200, cputime=0.25, etime=0, pcpu=80.0),
               proc(201, cputime=300.0, etime=5000, pcpu=4.0)))
    assert second.cpu[200] == pytest.approx(25.0)
    assert second.cpu[201] == pytest.approx(4.0)


def test_cputime_going_backwards_uses_pcpu() -> None:
    _, second = snapshots(sample(0.0, proc(5, cputime=10.0, etime=100)),
                          sample(1.0, proc(5, cputime=9.0, etime=101, pcpu=1.5)))
    assert second.cpu[5] == pytest.approx(1.5)


def test_interval_of_zero_repeats_previous_values_and_keeps_the_baseline() -> None:
    *_, third, fourth = snapshots(
        sample(0.0, proc(1, cputime=0.0), cp_time=(0, 0, 0, 0, 0)),
        sample(1.0, proc(1, cputime=0.5), cp_time=(10, 0, 0, 0, 10)),
        sample(1.0, proc(1, cputime=0.9), proc(2, pcpu=7.0), cp_time=(20, 0, 0, 0, 20)),
        sample(2.0, proc(1, cputime=1.5), cp_time=(20, 0, 0, 0, 30)))
    assert third.cpu == {1: pytest.approx(50.0), 2: 7.0}
    assert third.host.cpu == pytest.approx(50.0)
    assert fourth.cpu[1] == pytest.approx(100.0)
    assert fourth.host.cpu == pytest.approx(100 / 3)


def test_a_failed_sample_returns_the_last_one_stale_and_the_next_measures_from_it() -> None:
    sampler = Sampler(ScriptedHost(
        sample(0.0, proc(100, cputime=10.0)),
        CommandFailed("jls: unable to read jails"),
        sample(2.0, proc(100, cputime=11.0))))
    first = sampler.sample()
    stale = sampler.sample()
    assert stale.stale and stale.error == "jls: unable to read jails"
    assert stale.jails == first.jails and stale.time == first.time
    assert len(sampler.history("www")) == 1
    recovered = sampler.sample()
    assert not recovered.stale and recovered.error is None
    assert recovered.cpu[100] == pytest.approx(50.0)
    assert len(sampler.history("www")) == 2
    assert sampler.last is recovered


@pytest.mark.parametrize("exc, message", [
    (OSError("connection reset"), "OSError: connection reset"),
    (ParseError("ps printed garbage"), "ps printed garbage"),
    (KeyError("jid"), "KeyError: 'jid'"),
    (RuntimeError("two\nlines"), "RuntimeError: two lines"),
])
def test_failure_without_a_previous_sample_is_an_empty_stale_snapshot(exc, message) -> None:
    (snapshot,) = snapshots(exc)
    assert snapshot.stale and snapshot.error == message
    assert snapshot.jails == () and snapshot.host.cpu is None
    assert snapshot.age(snapshot.monotonic + 3) == pytest.approx(3.0)


def test_reboot_resets_the_baseline() -> None:
    _, second = snapshots(
        sample(0.0, proc(100, cputime=10.0, etime=50), cp_time=(10, 0, 0, 0, 10)),
        sample(1.0, proc(100, cputime=11.0, etime=60, pcpu=2.0), cp_time=(20, 0, 0, 0, 20),
               boottime=BOOT + 86400))
    assert second.cpu[100] == pytest.approx(2.0)
    assert second.host.cpu is None


def test_host_cpu_from_cp_time_deltas() -> None:
    _, second, third = snapshots(
        sample(0.0, cp_time=(100, 0, 50, 10, 840)),
        sample(1.0, cp_time=(200, 0, 100, 20, 1680)),
        sample(2.0, cp_time=(0, 0, 0, 0, 5)))
    assert second.host.cpu == pytest.approx(16.0)
    assert third.host.cpu is None


def test_host_stats() -> None:
    (snapshot,) = snapshots(sample(5.0, proc(1, jid=0), proc(2), proc(3, jid=2)))
    host = snapshot.host
    assert (host.mem_total, host.mem_used) == (8 * GiB, 2 * GiB)
    assert host.uptime == pytest.approx(3605.0)
    assert (host.running, host.stopped, host.nproc) == (2, 1, 3)
    assert host.info.hostname == "h"


def test_jails_sum_their_processes_in_host_order() -> None:
    (snapshot,) = snapshots(sample(
        0.0, proc(1, jid=0, rss=999), proc(2, rss=100, vsz=1000, nlwp=3),
        proc(3, rss=50, vsz=500, nlwp=2), proc(4, jid=2, rss=7)))
    assert [s.name for s in snapshot.jails] == ["www", "db", "old"]
    www, db, old = snapshot.jails
    assert (www.nproc, www.nthr, www.rss, www.vsz) == (2, 5, 150, 1500)
    assert (db.nproc, db.rss) == (1, 7)
    assert (old.nproc, old.cpu, old.rss, old.usage, old.openfiles) == (0, 0.0, 0, None, None)
    assert www.readbps is None and www.usage is None


def test_racct_usage_fills_threads_files_and_io() -> None:
    usage = Usage(nthr=42, openfiles=300, readbps=1000, writebps=2000, readiops=3, writeiops=4)
    (snapshot,) = snapshots(sample(0.0, proc(2, nlwp=3), usage={"www": usage}, racct=RACCT_ON))
    www = stats(snapshot, "www")
    assert (www.nthr, www.openfiles, www.readbps, www.writebps, www.readiops, www.writeiops) == (
        42, 300, 1000, 2000, 3, 4)
    assert www.usage is usage and snapshot.racct.enabled


def test_limits_compare_rules_with_racct_usage() -> None:
    rules = (Rule("jail", "www", "memoryuse", "deny", 1000), Rule("jail", "www", "pcpu", "deny", 0),
             Rule("jail", "db", "maxproc", "deny", 10), Rule("user", "www", "maxproc", "deny", 5))
    (snapshot,) = snapshots(sample(0.0, usage={"www": Usage(memoryuse=250, pcpu=30)},
                                   rules=rules, racct=RACCT_ON))
    www = stats(snapshot, "www")
    assert www.rules == rules[:2]
    assert www.limits == (LimitUse(rules[0], 250, 0.25), LimitUse(rules[1], 30, None))
    assert stats(snapshot, "db").limits == (LimitUse(rules[2], 0, 0.0),)
    assert stats(snapshot, "old").rules == ()


def test_limits_fall_back_to_process_figures_when_racct_is_off() -> None:
    rules = tuple(Rule("jail", "www", resource, "deny", 100) for resource in
                  ("memoryuse", "vmemoryuse", "maxproc", "nthr", "openfiles"))
    (snapshot,) = snapshots(sample(0.0, proc(2, rss=50, vsz=400, nlwp=4), proc(3, rss=25),
                                   rules=rules))
    used = [(limit.used, limit.fraction) for limit in stats(snapshot, "www").limits]
    assert used == [(75, 0.75), (400, 4.0), (2, 0.02), (5, 0.05), (None, None)]


def test_history_is_bounded_and_resizable() -> None:
    sampler = Sampler(ScriptedHost(*(sample(float(t), proc(2, rss=t)) for t in range(6))),
                      history=4)
    for _ in range(6):
        sampler.sample()
    www = sampler.history("www")
    assert len(www) == 4 and www.rss == (2, 3, 4, 5)
    assert www.times == tuple(EPOCH + t for t in range(2, 6))
    assert www.readbps == (None,) * 4
    assert len(sampler.host_history()) == 4
    sampler.history_length = 2
    assert sampler.history("www").rss == (4, 5) and len(sampler.host_history()) == 2
    with pytest.raises(ValueError):
        sampler.history_length = 0
    assert len(sampler.history("nosuch")) == 0


def test_vanished_jails_keep_history_for_history_length_samples() -> None:
    items = [sample(0.0, jails=(WWW, DB)), sample(1.0, jails=(WWW, DB))]
    items += [sample(float(t), jails=(WWW,)) for t in range(2, 5)]
    sampler = Sampler(ScriptedHost(*items), history=3)
    for _ in range(4):
        sampler.sample()
    assert len(sampler.history("db")) == 2 and "db" in sampler.tracked()
    sampler.sample()
    assert "db" not in sampler.tracked() and len(sampler.history("db")) == 0
    assert len(sampler.history("www")) == 3


def test_host_history_records_cpu_and_memory() -> None:
    sampler = Sampler(ScriptedHost(sample(0.0, cp_time=(0, 0, 0, 0, 0)),
                                   sample(1.0, cp_time=(1, 0, 0, 0, 3))))
    sampler.sample()
    sampler.sample()
    history = sampler.host_history()
    assert history.cpu == (None, pytest.approx(25.0))
    assert history.mem_used == (2 * GiB, 2 * GiB)


class CountingTuple(tuple):
    """A tuple that counts how often it is iterated."""

    iterations = 0

    def __iter__(self):
        type(self).iterations += 1
        return super().__iter__()


def test_500_jails_of_40_processes_take_one_pass_over_processes() -> None:
    jails = tuple(Jail(f"j{i}", i + 1) for i in range(500))
    rules = tuple(Rule("jail", f"j{i}", "memoryuse", "deny", GiB) for i in range(500))

    def big(t: float, cputime: float) -> Sample:
        procs = CountingTuple(proc(1000 + j * 40 + k, jid=j + 1, cputime=cputime, rss=1 << 20)
                              for j in range(500) for k in range(40))
        return Sample(
            time=EPOCH + t, monotonic=t, host=HostInfo(physmem=GiB, boottime=BOOT),
            jails=jails, processes=procs, rules=rules)

    sampler = Sampler(ScriptedHost(big(0.0, 1.0), big(1.0, 1.1)))
    sampler.sample()
    CountingTuple.iterations = 0
    began = time.perf_counter()
    snapshot = sampler.sample()
    elapsed = time.perf_counter() - began
    assert CountingTuple.iterations == 1
    assert elapsed < 5.0
    assert len(snapshot.jails) == 500 and snapshot.host.nproc == 20_000
    j0 = stats(snapshot, "j0")
    assert j0.nproc == 40 and j0.cpu == pytest.approx(400.0)
    assert j0.limits[0].used == 40 << 20


def test_a_dying_jail_under_a_live_ones_name_adds_no_history_points() -> None:
    gone = Jail("www", 1, JailState.DYING)
    sampler = Sampler(ScriptedHost(sample(10.0, jails=(WWW, gone, DB)),
                                   sample(11.0, jails=(WWW, gone, DB))))
    sampler.sample()
    sampler.sample()
    assert len(sampler.history("www")) == 2
    assert sampler.last.jail("www").jail.state is JailState.ACTIVE


def test_cpu_allowance_is_the_pcpu_deny_rule_else_the_cpuset_else_the_host() -> None:
    """A jail is hot relative to what it may use: its lowest pcpu deny rule on the whole jail
    (a per-process rule caps each process, not the jail), else the CPUs of its cpuset, else
    the host's CPUs (4 here); the lowest bound wins, and a cpuset of every CPU is the host."""
    limited, pinned, free = Jail("limited", 1, cpus=4), Jail("pinned", 2, cpus=2), Jail("free", 3)
    whole = Jail("whole", 4, cpus=4)
    rules = (Rule("jail", "limited", "pcpu", "deny", 150),
             Rule("jail", "limited", "pcpu", "deny", 20, "process"),
             Rule("jail", "limited", "pcpu", "log", 50),
             Rule("jail", "pinned", "pcpu", "deny", 300))
    _, second = snapshots(*(sample(t, proc(10, 1, cputime=3.0 * t), proc(20, 2, cputime=1.5 * t),
                                   proc(30, 3, cputime=t), jails=(limited, pinned, free, whole),
                                   rules=rules, racct=RACCT_ON) for t in (1.0, 2.0)))
    got = {s.jail.name: (s.cpu_allowance, s.cpu_allowed_by, s.cpu_fraction)
           for s in second.jails}
    assert got["limited"] == (150.0, "pcpu", pytest.approx(300.0 / 150.0))
    assert got["pinned"] == (200.0, "cpuset", pytest.approx(150.0 / 200.0))
    assert got["free"] == (400.0, "host", pytest.approx(100.0 / 400.0))
    assert got["whole"] == (400.0, "host", 0.0)


def test_cpu_allowance_is_unknown_when_nothing_bounds_it() -> None:
    info = HostInfo(hostname="h", ncpu=0, unknown=("ncpu",), racct=RACCT_OFF)
    (snapshot,) = snapshots(Sample(time=EPOCH, monotonic=0.0, host=info, jails=(WWW,),
                                   processes=(proc(1, cputime=1.0),)))
    www = stats(snapshot, "www")
    assert (www.cpu_allowance, www.cpu_allowed_by, www.cpu_fraction) == (None, "", None)


def test_busiest_are_jailed_processes_by_cpu_and_bounded() -> None:
    many = [proc(200 + i, jid=2, cputime=0.0, etime=500) for i in range(BUSIEST + 5)]
    later = [proc(200 + i, jid=2, cputime=i / 100, etime=501) for i in range(BUSIEST + 5)]
    _, second = snapshots(
        sample(10.0, proc(1, jid=0, cputime=0.0, etime=500), proc(100, cputime=0.0, etime=500),
               *many),
        sample(11.0, proc(1, jid=0, cputime=0.9, etime=501), proc(100, cputime=0.7, etime=501),
               *later))
    pids = [p.pid for p in second.busiest]
    assert len(pids) == BUSIEST
    assert 1 not in pids, "host processes (JID 0) are not a jail's"
    assert pids[:3] == [100, 200 + BUSIEST + 4, 200 + BUSIEST + 3]
    assert [second.cpu[pid] for pid in pids] == sorted((second.cpu[pid] for pid in pids),
                                                       reverse=True)
    assert 200 not in pids and 204 not in pids, "the idlest fall off the end"


def test_recent_cpu_gives_each_jails_last_points_oldest_first() -> None:
    sampler = Sampler(ScriptedHost(*(sample(10.0 + i, proc(100, cputime=i * (i + 1) / 20,
                                                           etime=500 + i))
                                     for i in range(6))))
    for _ in range(6):
        sampler.sample()
    recent = sampler.recent_cpu(3)
    assert recent["www"] == pytest.approx((30.0, 40.0, 50.0))
    assert recent["db"] == (0.0, 0.0, 0.0)
    assert len(sampler.recent_cpu(50)["www"]) == 6
    sampler.history_length = 2
    assert sampler.recent_cpu(50)["www"] == pytest.approx((40.0, 50.0)), "bounded like history"
