"""A sample whose processes come as a ProcessTable (FreeBSDHost's ps) gives the same snapshot
as the same processes in a tuple: sums, CPU%, busiest, and the processes themselves."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jailtui.engine import parse
from jailtui.engine.model import HostInfo, Jail, JailState, Rule, Sample
from jailtui.engine.proctable import ProcessTable
from jailtui.engine.sampler import Sampler

from test_sampled_tables import ps_document, ps_entry


def _sampler_tests():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "engine_test_sampler", Path(__file__).resolve().parent.parent / "engine" / "test_sampler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sampler_tests = _sampler_tests()
BOOT, EPOCH, GiB, ScriptedHost = (sampler_tests.BOOT, sampler_tests.EPOCH, sampler_tests.GiB,
                                  sampler_tests.ScriptedHost)

JAILS = (Jail("www", 1), Jail("db", 2), Jail("www", 3, JailState.DYING),
         Jail("old", None, JailState.STOPPED, configured=True))
RULES = (Rule("jail", "www", "memoryuse", "deny", GiB), Rule("jail", "db", "pcpu", "deny", 50))

PROCESS = st.fixed_dictionaries({
    "jail-id": st.sampled_from(["0", "1", "2", "3", "9"]), "pid": st.integers(1, 40).map(str),
    "percent-cpu": st.sampled_from(["0.0", "1.3", "12.5", "99.9"]),
    "cpu-time": st.sampled_from(["0:00.00", "0:01.10", "2:13.50", "0:00.31"]),
    "elapsed-times": st.sampled_from(["0", "1", "100", "5000"]),
    "rss": st.integers(0, 10**6).map(str), "virtual-size": st.integers(0, 10**7).map(str),
    "threads": st.integers(1, 30).map(str)})


def samples(entries: list[list[dict]]) -> list[str]:
    return [ps_document([ps_entry(0, **entry) for entry in tick]) for tick in entries]


def run(texts: list[str], as_table: bool, jails: list | None = None) -> list:
    items = []
    for t, text in enumerate(texts):
        processes = parse.read_ps(text)
        assert isinstance(processes, ProcessTable)
        items.append(Sample(time=EPOCH + t, monotonic=(0.0, 1.0, 1.0, 2.0)[t],
                            host=HostInfo(physmem=GiB, boottime=BOOT, ncpu=2),
                            jails=jails[t] if jails else JAILS,
                            processes=processes if as_table else tuple(processes),
                            rules=RULES))
    sampler = Sampler(ScriptedHost(*items))
    return [sampler.sample() for _ in texts]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(PROCESS, min_size=1, max_size=8), min_size=1, max_size=4))
def test_a_table_and_a_tuple_of_the_same_processes_sample_alike(ticks) -> None:
    texts = samples(ticks)
    for table, plain in zip(run(texts, True), run(texts, False), strict=True):
        assert isinstance(table.processes, ProcessTable)
        assert not table.stale and not plain.stale
        assert repr(table.jails) == repr(plain.jails)
        assert table.cpu == plain.cpu and table.busiest == plain.busiest
        assert table.processes == plain.processes and table.host == plain.host
        assert dataclasses.replace(table, processes=()) == dataclasses.replace(plain,
                                                                              processes=())


def test_the_sums_are_those_worked_out_by_hand() -> None:
    tick = [{"jail-id": "1", "pid": "10", "rss": "100", "virtual-size": "1000",
             "threads": "2", "percent-cpu": "0.1", "cpu-time": "0:01.00"},
            {"jail-id": "1", "pid": "11", "rss": "50", "virtual-size": "10", "threads": "3",
             "percent-cpu": "0.2", "cpu-time": "0:02.00"},
            {"jail-id": "3", "pid": "12", "rss": "7", "virtual-size": "7", "threads": "1",
             "percent-cpu": "5.0", "cpu-time": "0:03.00"},
            {"jail-id": "0", "pid": "13", "rss": "1", "virtual-size": "1", "threads": "9"}]
    [snapshot] = run(samples([tick]), True)
    www = snapshot.jail("www")  # with its dying namesake's process (JID 3): by name
    assert www.jail.jid == 1 and www.nproc == 3 and www.nthr == 6
    assert www.rss == 157 * 1024 and www.vsz == 1017 * 1024
    assert www.pcpu == 0.1 + 0.2 + 5.0
    assert www.limits[0].used == 157 * 1024
    assert snapshot.jail("db").nproc == 0
    assert [p.pid for p in snapshot.busiest] == [12, 11, 10]  # ps %CPU at the first sample
    assert json.dumps(snapshot.cpu)  # pid -> float, as before


def test_processes_moving_between_jails_are_summed_where_they_are_now() -> None:
    """The rows of each jail are kept while the JIDs stay the same: a process that moves,
    or a jail that takes another's JID, is seen at the next sample."""
    ticks = [[{"jail-id": "1", "pid": "10"}, {"jail-id": "2", "pid": "11"}],
             [{"jail-id": "1", "pid": "10"}, {"jail-id": "2", "pid": "11"}],
             [{"jail-id": "2", "pid": "10"}, {"jail-id": "2", "pid": "11"}],
             [{"jail-id": "2", "pid": "10"}, {"jail-id": "2", "pid": "11"}]]
    first, same, moved, renamed = run(samples(ticks), True, jails=[
        JAILS, JAILS, JAILS, (Jail("web", 2), Jail("www", 1))])
    assert [(s.name, s.nproc) for s in first.jails[:2]] == [("www", 1), ("db", 1)]
    assert [(s.name, s.nproc) for s in same.jails[:2]] == [("www", 1), ("db", 1)]
    assert [(s.name, s.nproc) for s in moved.jails[:2]] == [("www", 0), ("db", 2)]
    assert [(s.name, s.nproc) for s in renamed.jails] == [("web", 2), ("www", 0)]
