"""SimulatedHost: a deterministic FreeBSD-like host whose racct honours rctl rules."""

from __future__ import annotations

import time

import pytest

from jailtui.engine.errors import (CommandFailed, JailtuiError, NotPermitted, RacctUnavailable,
                                   RuleError, UnknownJail)
from jailtui.engine.host import Host
from jailtui.engine.model import JailState, Rule, Usage
from jailtui.engine.rctl import RuleFilter, jail_filter
from jailtui.engine.simulated import PID_MAX, PID_WRAP, SimulatedHost
from jailtui.engine.simulated import ManualClock

MiB = 1 << 20
GiB = 1 << 30


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def host(clock: ManualClock) -> SimulatedHost:
    return SimulatedHost(seed=7, clock=clock)


def run_for(host: SimulatedHost, clock: ManualClock, seconds: int, step: float = 1.0):
    """Advance ``seconds`` in ``step``s, yielding a sample after each step."""
    for _ in range(int(seconds / step)):
        clock.advance(step)
        yield host.sample()


# -- shape of the demo host ------------------------------------------------------------------


def test_default_host_has_twelve_jails_of_many_kinds(host: SimulatedHost) -> None:
    jails = host.jails()
    names = [jail.name for jail in jails]
    assert len(jails) == 12
    assert {"www", "db", "build", "build.ports", "cache", "mail", "dns", "ioc-monitor", "git",
            "sandbox", "staging", "legacy"} == set(names)
    running = [jail for jail in jails if jail.running]
    stopped = [jail for jail in jails if not jail.running]
    assert jails == running + stopped
    assert [j.jid for j in running] == sorted(j.jid for j in running)
    assert all(j.state is JailState.STOPPED and j.jid is None and j.configured for j in stopped)
    assert {j.name: j.manager for j in jails if j.manager != "jail.conf"} == {
        "cache": "bastille", "ioc-monitor": "iocage", "sandbox": "none"}
    assert any(j.ip4 and j.ip6 for j in jails)
    assert any(j.ip6 and not j.ip4 for j in jails)
    assert all(j.path.startswith(("/usr/local/jails/", "/jails/", "/usr/local/bastille/jails/",
                                  "/zroot/iocage/jails/")) for j in jails)
    assert all(ip.startswith(("10.0.0.", "192.168.")) for j in jails for ip in j.ip4)
    assert all(ip.startswith("2001:db8:") for j in jails for ip in j.ip6)


def test_running_jail_params_look_like_jls(host: SimulatedHost) -> None:
    www = host.jail("www")
    for key in ("host.hostname", "path", "ip4.addr", "securelevel", "enforce_statfs",
                "children.max", "persist", "allow.raw_sockets", "osrelease", "vnet"):
        assert key in www.params
    assert www.params["jid"] == str(www.jid)
    child = host.jail("build.ports")
    assert child.params["parent"] == str(host.jail("build").jid)
    assert host.jail("build").params["children.cur"] == "1"
    assert host.jail("legacy").params["mount.fstab"] == "/etc/fstab.legacy"


def test_host_and_jail_processes_look_like_freebsd(host: SimulatedHost) -> None:
    procs = host.processes()
    host_procs = [p for p in procs if p.jid == 0]
    commands = {p.command for p in host_procs}
    assert {"[idle]", "[kernel]", "[intr]", "[geom]", "/sbin/init"} <= commands
    assert next(p for p in procs if p.pid == 1).command == "/sbin/init"
    jailed = [p for p in procs if p.jid]
    assert jailed and all("J" in p.state for p in jailed)
    assert all("J" not in p.state for p in host_procs)
    assert not any(p.command == "/sbin/init" for p in jailed)
    for name in ("www", "db", "mail", "git"):
        jail_commands = {p.command for p in host.processes(name)}
        assert {"/usr/sbin/syslogd -ss", "/usr/sbin/cron -s"} <= jail_commands
        assert any(c.startswith("sshd: /usr/sbin/sshd [listener]") for c in jail_commands)
    www = host.processes("www")
    assert any(p.command.startswith("nginx: worker process") and p.user == "www" for p in www)
    assert any(p.command.startswith("php-fpm: pool") for p in www)
    db = host.processes("db")
    assert sum(p.rss for p in db) > 2 * GiB
    assert len([p for p in db if p.user == "postgres"]) > 15
    assert all(p.rss <= p.vsz for p in procs)
    assert sorted(p.pid for p in procs) == [p.pid for p in procs]


def test_processes_of_one_jail_stopped_and_unknown(host: SimulatedHost) -> None:
    jid = host.jail("db").jid
    assert {p.jid for p in host.processes("db")} == {jid}
    assert host.processes(str(jid)) == host.processes("db")
    assert host.processes("staging") == []
    with pytest.raises(UnknownJail):
        host.processes("nosuch")


def test_more_jails_are_generated_with_unique_names(clock: ManualClock) -> None:
    host = SimulatedHost(jails=40, clock=clock)
    jails = host.jails()
    assert len(jails) == 40
    assert len({j.name for j in jails}) == 40
    assert len({ip for j in jails for ip in j.ips}) == len([ip for j in jails for ip in j.ips]) - 1
    few = SimulatedHost(jails=3, clock=clock)
    assert [j.name for j in few.jails()] == ["db", "build", "www"]


def test_processes_per_jail_sets_the_counts(clock: ManualClock) -> None:
    host = SimulatedHost(jails=12, processes_per_jail=25, clock=clock)
    for jail in host.jails():
        assert len(host.processes(jail.name)) == (25 if jail.running else 0)


# -- determinism and time --------------------------------------------------------------------


def test_same_seed_and_clock_give_equal_samples() -> None:
    samples = []
    for _ in range(2):
        clock = ManualClock()
        host = SimulatedHost(seed=3, clock=clock)
        samples.append(list(run_for(host, clock, 30, step=1.5)))
    assert samples[0] == samples[1]
    assert samples[0][-1].usage == samples[1][-1].usage


def test_different_seeds_differ(clock: ManualClock) -> None:
    a = SimulatedHost(seed=1, clock=clock).processes()
    b = SimulatedHost(seed=2, clock=clock).processes()
    assert [p.pid for p in a] != [p.pid for p in b]


def test_state_only_moves_with_the_clock(host: SimulatedHost, clock: ManualClock) -> None:
    first = host.sample()
    assert host.sample() == first
    clock.advance(0.5)
    later = host.sample()
    assert later.monotonic == first.monotonic + 0.5
    assert later.time == first.time + 0.5


def test_processes_come_and_go(host: SimulatedHost, clock: ManualClock) -> None:
    seen = [{p.pid for p in sample.processes} for sample in run_for(host, clock, 300, step=2.0)]
    first, last = seen[0], seen[-1]
    assert first - last, "some processes exited"
    assert last - first, "new processes started"
    assert len({len(pids) for pids in seen}) > 3
    compilers = set()
    for _ in run_for(host, clock, 60, step=2.0):
        compilers |= {p.pid for p in host.processes("build") if p.command.startswith("cc ")}
    assert len(compilers) > 5


def test_cputime_grows_with_pcpu_and_etime_with_the_clock(host: SimulatedHost,
                                                          clock: ManualClock) -> None:
    before = {p.pid: p for p in host.processes()}
    clock.advance(1.0)
    after = {p.pid: p for p in host.processes()}
    for pid in before.keys() & after.keys():
        old, new = before[pid], after[pid]
        assert new.cputime >= old.cputime
        assert new.cputime - old.cputime == pytest.approx(new.pcpu / 100, abs=0.011)
        assert new.etime - old.etime in (0, 1, 2)


def test_cputime_is_monotone_per_pid_over_minutes(host: SimulatedHost,
                                                  clock: ManualClock) -> None:
    last: dict[int, float] = {}
    for sample in run_for(host, clock, 180, step=3.0):
        for p in sample.processes:
            assert p.cputime >= last.get(p.pid, 0.0)
            last[p.pid] = p.cputime


def test_pids_wrap_at_pid_max(host: SimulatedHost, clock: ManualClock) -> None:
    host._next_pid = PID_MAX - 3
    before = {p.pid for p in host.processes()}
    for _ in run_for(host, clock, 120):
        pass
    new = {p.pid for p in host.processes()} - before
    assert new and all(PID_WRAP <= pid <= PID_MAX for pid in new)
    assert any(pid < 50_000 for pid in new)


def test_a_long_pause_is_caught_up_quickly(host: SimulatedHost, clock: ManualClock) -> None:
    etime = next(p.etime for p in host.processes() if p.pid == 1)
    clock.advance(86_400)
    started = time.perf_counter()
    info = host.host_info()
    assert time.perf_counter() - started < 1.0
    assert next(p.etime for p in host.processes() if p.pid == 1) == etime + 86_400
    assert info.loadavg[0] >= 0


def test_host_info_is_consistent(host: SimulatedHost, clock: ManualClock) -> None:
    info = host.host_info()
    idle_before = next(p for p in host.processes() if p.command == "[idle]").cputime
    assert info.hostname == "jailhost.example.org"
    assert (info.osrelease, info.osreldate, info.ncpu) == ("14.2-RELEASE-p1", 1402000, 8)
    assert 31 * GiB < info.physmem <= 32 * GiB and info.pagesize == 4096
    assert 0 < info.mem_free < info.physmem
    assert info.racct.enabled and not info.jailed
    sample = host.sample()
    assert 86_400 < sample.time - info.boottime < 60 * 86_400
    clock.advance(10)
    later = host.host_info()
    deltas = [b - a for a, b in zip(info.cp_time, later.cp_time, strict=True)]
    assert len(deltas) == 5 and min(deltas) >= 0
    assert sum(deltas) == pytest.approx(127 * 8 * 10, abs=10)
    busy = sum(deltas[:4]) / sum(deltas)
    assert 0.05 < busy < 1.0
    idle_after = next(p for p in host.processes() if p.command == "[idle]").cputime
    assert idle_after - idle_before == pytest.approx(deltas[4] / 127, abs=0.1)


# -- racct -----------------------------------------------------------------------------------


def test_usage_is_summed_from_processes(host: SimulatedHost, clock: ManualClock) -> None:
    clock.advance(5)
    procs = host.processes("db")
    usage = host.usage("db")
    assert usage.memoryuse == sum(p.rss for p in procs)
    assert usage.vmemoryuse == sum(p.vsz for p in procs)
    assert usage.maxproc == len(procs)
    assert usage.nthr == sum(p.nlwp for p in procs)
    assert usage.pcpu == pytest.approx(sum(p.pcpu for p in procs), abs=len(procs) * 0.05 + 1)
    assert usage.wallclock >= sum(p.etime for p in procs)
    assert usage.cputime >= int(sum(p.cputime for p in procs)) - 1
    assert usage.openfiles > 0 and usage.datasize > 0 and usage.nshm == 1
    assert usage.coredumpsize == usage.memorylocked == 0


def test_parent_jail_usage_includes_its_child(host: SimulatedHost, clock: ManualClock) -> None:
    clock.advance(3)
    own = host.processes("build")
    child = host.processes("build.ports")
    assert host.usage("build").maxproc == len(own) + len(child)
    assert host.usage("build.ports").maxproc == len(child)


def test_cumulative_usage_never_goes_back(host: SimulatedHost, clock: ManualClock) -> None:
    last = Usage()
    for sample in run_for(host, clock, 240, step=4.0):
        usage = sample.usage["build"]
        assert usage.cputime >= last.cputime and usage.wallclock >= last.wallclock
        last = usage


def test_usage_of_stopped_and_unknown_jails(host: SimulatedHost) -> None:
    assert host.usage("staging") == Usage()
    with pytest.raises(UnknownJail):
        host.usage("nosuch")


def test_sample_matches_the_generic_implementation(host: SimulatedHost) -> None:
    mine = host.sample()
    generic = Host.sample(host)
    assert (mine.host, mine.jails, mine.processes, mine.rules) == \
        (generic.host, generic.jails, generic.processes, generic.rules)
    assert mine.usage == generic.usage
    assert set(mine.usage) == {j.name for j in mine.jails if j.running}


def test_racct_disabled(clock: ManualClock) -> None:
    host = SimulatedHost(clock=clock, racct=False)
    info = host.host_info()
    assert not info.racct.enabled and info.racct.present
    assert "RACCT/RCTL present, but disabled" in info.racct.reason
    calls = (lambda: host.usage("www"), lambda: host.rules(),
             lambda: host.add_rule(Rule("jail", "www", "maxproc", "deny", 10)),
             lambda: host.remove_rules(jail_filter("www")))
    for call in calls:
        with pytest.raises(RacctUnavailable) as err:
            call()
        assert err.value.message == "RACCT/RCTL present, but disabled"
        assert err.value.hint == RacctUnavailable.FIX
    sample = host.sample()
    assert sample.usage == {} and sample.rules == ()
    assert sample.rules_error == ("RACCT/RCTL present, but disabled; add kern.racct.enable=1 to "
                                  "/boot/loader.conf and reboot"), "unknown, not empty"
    assert sample.processes


# -- rules -----------------------------------------------------------------------------------


def test_default_rules_and_filters(host: SimulatedHost) -> None:
    rules = [str(rule) for rule in host.rules()]
    assert "jail:www:memoryuse:deny=1073741824" in rules
    assert "jail:db:pcpu:deny=200" in rules
    assert "jail:build:readbps:throttle=52428800" in rules
    assert any(r.startswith("jail:www:maxproc:log=") for r in rules)
    assert {r.subject_id for r in host.rules(jail_filter("www"))} == {"www"}
    assert host.rules(RuleFilter("jail", "www", "pcpu")) == []


def test_add_rule_follows_kernel_semantics(host: SimulatedHost) -> None:
    host.add_rule(Rule("jail", "www", "memoryuse", "deny", 2 * GiB))
    assert [r.amount for r in host.rules(RuleFilter("jail", "www", "memoryuse", "deny"))] \
        == [2 * GiB]
    host.add_rule(Rule("jail", "git", "maxproc", "log", 10))
    host.add_rule(Rule("jail", "git", "maxproc", "log", 10))
    host.add_rule(Rule("jail", "git", "maxproc", "log", 20))
    assert sorted(r.amount for r in host.rules(jail_filter("git"))) == [10, 20]
    host.add_rule(Rule("jail", "nosuchjail", "maxproc", "deny", 5))
    assert host.rules(jail_filter("nosuchjail"))
    with pytest.raises(RuleError):
        host.add_rule(Rule("jail", "www", "wallclock", "deny", 10))
    with pytest.raises(RuleError):
        host.add_rule(Rule("jail", "www", "pcpu", "throttle", 10))


def test_remove_rules(host: SimulatedHost) -> None:
    host.remove_rules(jail_filter("www"))
    assert host.rules(jail_filter("www")) == []
    with pytest.raises(CommandFailed) as err:
        host.remove_rules(jail_filter("www"))
    assert err.value.message == "no rule matches 'jail:www'"
    assert "failed to remove rule 'jail:www': No such process" in err.value.output
    assert err.value.argv == ("rctl", "-r", "jail:www")


def test_memoryuse_deny_holds_rss_at_the_limit(host: SimulatedHost, clock: ManualClock) -> None:
    before = host.usage("db")
    limit = before.memoryuse // 2
    host.add_rule(Rule("jail", "db", "memoryuse", "deny", limit))
    for sample in run_for(host, clock, 60):
        assert sample.usage["db"].memoryuse <= limit
    assert host.usage("db").swapuse > 0
    assert sum(p.rss for p in host.processes("db")) <= limit


def test_maxproc_deny_stops_new_processes(host: SimulatedHost, clock: ManualClock) -> None:
    limit = host.usage("build").maxproc
    host.add_rule(Rule("jail", "build", "maxproc", "deny", limit))
    pids: set[int] = set()
    for sample in run_for(host, clock, 180, step=2.0):
        assert sample.usage["build"].maxproc <= limit
        pids |= {p.pid for p in host.processes("build")}
    assert len(pids) > limit, "processes still come and go under the limit"


def test_maxproc_deny_applies_when_a_jail_starts(host: SimulatedHost) -> None:
    host.add_rule(Rule("jail", "staging", "maxproc", "deny", 2))
    host.start("staging")
    assert len(host.processes("staging")) == 2


def test_pcpu_deny_throttles_the_jail(host: SimulatedHost, clock: ManualClock) -> None:
    host.add_rule(Rule("jail", "build", "pcpu", "deny", 100))
    clock.advance(2)
    before = {p.pid: p.cputime for p in host.processes("build") + host.processes("build.ports")}
    for sample in run_for(host, clock, 60):
        assert sample.usage["build"].pcpu <= 100
    after = {p.pid: p.cputime for p in host.processes("build") + host.processes("build.ports")}
    used = sum(after[pid] - before.get(pid, 0.0) for pid in after)
    assert used <= 60 * 1.0 + 1.0


def test_vmemoryuse_deny_caps_growth(host: SimulatedHost, clock: ManualClock) -> None:
    limit = host.usage("www").vmemoryuse
    host.add_rule(Rule("jail", "www", "vmemoryuse", "deny", limit))
    for sample in run_for(host, clock, 300, step=3.0):
        assert sample.usage["www"].vmemoryuse <= limit


def test_readbps_throttle_caps_reads(host: SimulatedHost, clock: ManualClock) -> None:
    limit = 50 * MiB
    peak_throttled = max(s.usage["build"].readbps for s in run_for(host, clock, 120))
    assert 0 < peak_throttled <= limit
    host.remove_rules(RuleFilter("jail", "build", "readbps"))
    peak_free = max(s.usage["build"].readbps for s in run_for(host, clock, 300))
    assert peak_free > limit


def test_log_rules_change_nothing() -> None:
    samples = []
    for extra in (False, True):
        clock = ManualClock()
        host = SimulatedHost(seed=5, clock=clock)
        if extra:
            host.add_rule(Rule("jail", "db", "memoryuse", "log", 1))
            host.add_rule(Rule("jail", "db", "maxproc", "devctl", 1))
        samples.append([s.processes for s in run_for(host, clock, 20)])
    assert samples[0] == samples[1]


# -- start, stop, restart --------------------------------------------------------------------


def test_stop_and_start_give_a_new_jid(host: SimulatedHost, clock: ManualClock) -> None:
    old_jid = host.jail("www").jid
    highest = max(j.jid for j in host.jails() if j.running)
    result = host.stop("www")
    assert (result.action, result.jail, result.ok, result.jid) == ("stop", "www", True, None)
    assert result.message == "Stopping jails: www."
    www = host.jail("www")
    assert www.state is JailState.STOPPED and www.jid is None and www.configured
    assert host.processes("www") == []
    assert all(p.jid != old_jid for p in host.processes())
    assert host.usage("www") == Usage()
    clock.advance(3)
    result = host.start("www")
    assert result.ok and result.jid == highest + 1 == host.jail("www").jid
    assert result.commands[0].argv == ("service", "jail", "onestart", "www")
    assert result.commands[0].returncode == 0
    assert result.commands[0].stdout == "Starting jails: www.\n"
    procs = host.processes("www")
    assert procs and all(p.etime <= 1 and p.cputime == 0 for p in procs)
    assert host.jails()[-3].name == "www", "running jails are listed by JID"


def test_restart_gives_a_larger_jid(host: SimulatedHost) -> None:
    before = host.jail("db")
    old_pids = {p.pid for p in host.processes("db")}
    result = host.restart("db")
    after = host.jail("db")
    assert result.ok and result.jid == after.jid > before.jid
    assert "Stopping jails: db." in result.message and "Starting jails: db." in result.message
    assert not old_pids & {p.pid for p in host.processes("db")}


def test_stopping_a_parent_stops_its_child(host: SimulatedHost) -> None:
    host.stop("build")
    assert not host.jail("build.ports").running
    result = host.start("build.ports")
    assert host.jail("build").running and host.jail("build.ports").running
    assert result.commands[0].argv == ("jail", "-f", "/etc/jail.conf", "-c", "build.ports")
    assert result.message == "build: created\nbuild.ports: created"


def test_jail_action_errors(host: SimulatedHost) -> None:
    with pytest.raises(CommandFailed) as err:
        host.start("www")
    assert err.value.message == 'jail: "www" already exists'
    for action in (host.stop, host.restart):
        with pytest.raises(CommandFailed) as err:
            action("staging")
        assert err.value.message == 'jail: "staging" not found'
    for action in (host.start, host.stop, host.restart):
        with pytest.raises(UnknownJail):
            action("nosuch")


def test_a_misconfigured_jail_fails_to_start(host: SimulatedHost) -> None:
    last_jid = max(j.jid for j in host.jails() if j.running)
    result = host.start("legacy")
    line = ("jail: legacy: /sbin/mount -t nullfs -o ro /usr/ports "
            "/usr/local/jails/legacy/usr/ports: failed")
    assert not result.ok and line in result.message
    output = result.commands[0].stdout
    assert result.commands[0].returncode == 0, "service jail exits 0 even on failure"
    assert 'cannot start jail  "legacy"' in output and line in output
    assert "mount_nullfs:" in output
    assert not host.jail("legacy").running
    host.start("staging")
    assert host.jail("staging").jid == last_jid + 1


def test_action_delay_takes_time(clock: ManualClock) -> None:
    host = SimulatedHost(clock=clock, action_delay=0.05)
    started = time.perf_counter()
    host.stop("git")
    assert time.perf_counter() - started >= 0.05


# -- signals ---------------------------------------------------------------------------------


def test_term_removes_a_worker_and_its_master_respawns_it(host: SimulatedHost,
                                                          clock: ManualClock) -> None:
    worker = next(p for p in host.processes("www") if p.command.startswith("nginx: worker"))
    host.signal(worker.pid, "TERM")
    assert worker.pid not in {p.pid for p in host.processes()}
    clock.advance(3)
    workers = [p for p in host.processes("www") if p.command.startswith("nginx: worker")]
    assert len(workers) == 4 and all(w.ppid == worker.ppid for w in workers)


def test_killing_a_master_takes_its_workers_and_the_service_restarts(
        host: SimulatedHost, clock: ManualClock) -> None:
    master = next(p for p in host.processes("www") if p.command.startswith("nginx: master"))
    host.signal(master.pid, "KILL")
    assert not [p for p in host.processes("www") if p.command.startswith("nginx:")]
    clock.advance(10)
    nginx = [p for p in host.processes("www") if p.command.startswith("nginx:")]
    assert len(nginx) == 5
    new_master = next(p for p in nginx if "master" in p.command)
    assert new_master.pid != master.pid
    assert all(p.ppid == new_master.pid for p in nginx if p is not new_master)


def test_hup_keeps_the_process_and_stop_cont_pause_it(host: SimulatedHost,
                                                      clock: ManualClock) -> None:
    worker = next(p for p in host.processes("www") if p.command.startswith("nginx: worker"))
    host.signal(worker.pid, "HUP")
    host.signal(worker.pid, "STOP")
    clock.advance(20)
    stopped = next(p for p in host.processes("www") if p.pid == worker.pid)
    assert stopped.state.startswith("T") and stopped.pcpu < 0.1
    host.signal(worker.pid, "SIGCONT")
    clock.advance(1)
    assert not next(p for p in host.processes("www") if p.pid == worker.pid).state.startswith("T")


def test_signal_errors(host: SimulatedHost) -> None:
    with pytest.raises(CommandFailed) as err:
        host.signal(123_456, "TERM")
    assert err.value.message == "kill: 123456: No such process"
    idle = next(p for p in host.processes() if p.command == "[idle]")
    with pytest.raises(NotPermitted):
        host.signal(idle.pid, "KILL")
    with pytest.raises(CommandFailed):
        host.signal(idle.pid, "NOSUCHSIGNAL")


# -- shells and commands ---------------------------------------------------------------------


def test_shell_argv_is_refused_there_is_no_jail_to_exec_into(host: SimulatedHost) -> None:
    with pytest.raises(JailtuiError) as err:
        host.shell_argv("www")
    assert str(err.value) == ("jail www is simulated: the demo has no shell to exec (the "
                              "dashboard's c and jailtui console open the demo's simulated "
                              "shell)")
    with pytest.raises(CommandFailed) as failed:
        host.shell_argv("staging")
    assert failed.value.message == 'jexec: jail "staging" not found'
    with pytest.raises(UnknownJail):
        host.shell_argv("nosuch")


def test_run_in_jail_answers_a_few_commands(host: SimulatedHost) -> None:
    assert host.run_in_jail("www", ["hostname"]).stdout == "www.example.org\n"
    assert host.run_in_jail("www", ["uname", "-r"]).stdout == "14.2-RELEASE-p1\n"
    assert host.run_in_jail("db", ["/bin/freebsd-version"]).stdout == "14.2-RELEASE-p1\n"
    ps = host.run_in_jail("db", ["ps", "-ax"])
    assert ps.ok and "postgres: checkpointer" in ps.stdout and "nginx" not in ps.stdout
    assert host.run_in_jail("git", ["id"]).stdout.startswith("uid=0(root)")
    assert host.run_in_jail("git", ["false"]).returncode == 1
    assert host.run_in_jail("git", ["echo", "a", "b"]).stdout == "a b\n"
    missing = host.run_in_jail("www", ["nosuchcmd", "-x"])
    assert missing.returncode == 1
    assert missing.stderr == "jexec: execvp: nosuchcmd: No such file or directory\n"
    assert missing.argv == ("jexec", "-l", "-U", "root", "www", "nosuchcmd", "-x")
    with pytest.raises(CommandFailed):
        host.run_in_jail("staging", ["hostname"])
    with pytest.raises(UnknownJail):
        host.run_in_jail("nosuch", ["hostname"])


# -- scale -----------------------------------------------------------------------------------


def test_five_hundred_jails_build_and_tick_fast(clock: ManualClock) -> None:
    started = time.perf_counter()
    host = SimulatedHost(jails=500, processes_per_jail=40, clock=clock)
    running = [j for j in host.jails() if j.running]
    jailed = [p for p in host.processes() if p.jid]
    for _ in range(5):
        clock.advance(1.0)
        host.host_info()
    elapsed = time.perf_counter() - started
    assert len(host.jails()) == 500 and len(running) >= 490
    assert len(jailed) == 40 * len(running) >= 19_600
    assert elapsed < 2.0


def test_demo_has_vnet_and_inherit_jails_users_by_uid_and_process_identities(host, clock) -> None:
    jails = {jail.name: jail for jail in host.jails()}
    assert (jails["ioc-monitor"].network, jails["ioc-monitor"].vnet) == ("vnet", "new")
    assert (jails["sandbox"].network, jails["sandbox"].ip4_mode) == ("inherit", "inherit")
    assert jails["build.ports"].parent == "build"
    mail = host.processes("mail")
    assert {(p.user, p.uid) for p in mail if p.user == "postfix"} == {("postfix", 125)}
    proc = mail[-1]
    assert proc.start is not None and proc.start == int(proc.start)
    identity = host.process_identity(proc.pid)
    assert (identity.jid, identity.start) == (jails["mail"].jid, proc.start)
    clock.advance(5.0)
    assert host.process_identity(proc.pid).start == proc.start
    host.signal(proc.pid, "KILL")
    assert host.process_identity(proc.pid) is None


def test_hostile_text_reaches_every_jail_controlled_field() -> None:
    text = "\x1b]2;t\x07[/]"
    host = SimulatedHost(seed=1, jails=12, clock=ManualClock(), hostile=text)
    name = f"www{text}"
    sample = host.sample()
    jail = next(j for j in sample.jails if j.name == name)
    assert jail.hostname == name and jail.path.endswith(text) and jail.params["name"] == name
    assert any(rule.subject_id == name for rule in sample.rules)
    procs = [p for p in sample.processes if p.jid == jail.jid]
    assert procs and all(p.command.endswith(f" {text}") and p.user.endswith(text)
                         for p in procs)
    assert host.run_in_jail(name, ["hostname"]).stdout == f"{name}\n"
    failed = host.start("legacy")
    assert not failed.ok and text in failed.message and text in failed.commands[0].stdout
    assert "www" not in {j.name for j in sample.jails}


def test_a_jail_on_a_cpuset_uses_at_most_its_cpus(host: SimulatedHost,
                                                   clock: ManualClock) -> None:
    """build (and its child build.ports, whose cpuset lies inside build's) run on 2 of the 8
    CPUs: together they get at most 200% of one core; the other jails see every CPU."""
    jails = {jail.name: jail for jail in host.jails()}
    assert (jails["build"].cpus, jails["build.ports"].cpus) == (2, 2)
    assert jails["www"].cpus == host.host_info().ncpu and jails["staging"].cpus is None
    pcpu = [sample.usage["build"].pcpu for sample in run_for(host, clock, 120)]
    assert max(pcpu) <= 200 and sum(pcpu) / len(pcpu) > 150
