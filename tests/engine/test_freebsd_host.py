"""FreeBSDHost end to end: real subprocesses against the fake FreeBSD tools on PATH."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.errors import (CommandFailed, NotPermitted, RacctUnavailable, UnknownJail,
                                   UsageError)
from jailtui.engine.freebsd import FreeBSDHost, error_from
from jailtui.engine.model import CommandResult, JailState
from jailtui.engine.racct import RacctSyscall
from jailtui.engine.rctl import RuleFilter, parse_filter, parse_rule
from jailtui.engine.sampler import Sampler

@pytest.fixture
def host(fake_freebsd) -> FreeBSDHost:
    return fake_freebsd.host()


def commands(fake) -> list[list[str]]:
    return fake.invocations()


def test_jails_running_and_configured(host: FreeBSDHost) -> None:
    jails = {j.name: j for j in host.jails()}
    assert [j.name for j in host.jails()] == ["git7", "sto2", "git6", "db1"]
    assert jails["git7"].jid == 2 and jails["git7"].state is JailState.ACTIVE
    assert jails["sto2"].ip6 == ("2001:470:e8af:20::532",)
    assert jails["git7"].configured
    db1 = jails["db1"]
    assert db1.state is JailState.STOPPED and db1.jid is None and not db1.running
    assert db1.hostname == "db1" and db1.ip4 == ("172.16.20.120",)
    assert db1.path == "/usr/local/bastille/jails/db1/root"
    assert {(j.manager, j.conf) for j in jails.values()} == {("jail.conf", "/etc/jail.conf")}


def test_host_info_reads_sysctl(host: FreeBSDHost, fake_freebsd) -> None:
    info = host.host_info()
    state = fake_freebsd.state()
    assert info.hostname == state["hostname"] and info.osrelease == state["osrelease"]
    assert info.ncpu == state["ncpu"] and info.boottime == state["boottime"]
    assert info.racct.enabled and not info.jailed
    assert len(info.cp_time) == 5


def test_processes_literal_commands_and_units(host: FreeBSDHost) -> None:
    procs = {p.pid: p for p in host.processes()}
    assert procs[11].command == "[idle]"
    assert procs[1].rss == 1088 * 1024 and procs[1].etime == 21 * 86400 + 4 * 3600 + 13 * 60 + 55
    assert procs[3189].cputime == pytest.approx(133.5)
    git7 = host.processes("git7")
    assert git7 and {p.jid for p in git7} == {2}
    with pytest.raises(UnknownJail):
        host.processes("nosuch")


def test_usage_and_rules(host: FreeBSDHost, fake_freebsd) -> None:
    usage = host.usage("git7")
    assert usage.memoryuse == 25550848 and usage.wallclock == 291876
    rules = host.rules(RuleFilter(subject="jail"))
    assert "jail:git7:memoryuse:deny=1073741824" in [str(r) for r in rules]
    assert all(r.subject == "jail" for r in rules)
    assert ["rctl", "-u", "jail:git7"] in commands(fake_freebsd)


def test_sample_constant_spawns_plus_usage_per_jail(host: FreeBSDHost, fake_freebsd) -> None:
    host.sample()
    fake_freebsd.clear_log()
    sample = host.sample()
    tools = [argv[0] for argv in commands(fake_freebsd)]
    running = [j for j in sample.jails if j.running]
    assert tools.count("jls") == 1 and tools.count("ps") == 1 and tools.count("sysctl") == 1
    assert tools.count("rctl") == 1 + len(running)
    assert set(sample.usage) == {j.name for j in running}


def test_sampler_over_fake_host(host: FreeBSDHost) -> None:
    sampler = Sampler(host)
    sampler.sample()
    snap = sampler.sample()
    assert not snap.stale
    git7 = snap.jail("git7")
    assert git7 is not None and git7.usage is not None
    mem = next(lim for lim in git7.limits if lim.rule.resource == "memoryuse")
    assert mem.used == 25550848 and mem.fraction == pytest.approx(25550848 / 1073741824)


def test_racct_disabled_still_samples(host: FreeBSDHost, fake_freebsd) -> None:
    fake_freebsd.update(racct="disabled")
    sample = host.sample()
    assert not sample.host.racct.enabled
    assert "kern.racct.enable=1" in sample.host.racct.hint
    assert sample.processes and not sample.usage
    with pytest.raises(RacctUnavailable) as exc:
        host.usage("git7")
    assert "disabled" in str(exc.value) and "loader.conf" in str(exc.value)


def test_racct_absent(host: FreeBSDHost, fake_freebsd) -> None:
    fake_freebsd.update(racct="absent")
    info = host.host_info()
    assert not info.racct.present and "not present" in info.racct.reason
    with pytest.raises(RacctUnavailable):
        host.rules()


def test_add_and_remove_rule_issue_exact_commands(host: FreeBSDHost, fake_freebsd) -> None:
    host.add_rule(parse_rule("jail:git6:memoryuse:deny=512m"))
    host.remove_rules(parse_filter("jail:git6:memoryuse"))
    assert commands(fake_freebsd) == [
        ["rctl", "-a", "jail:git6:memoryuse:deny=536870912"],
        ["rctl", "-r", "jail:git6:memoryuse"],
    ]
    with pytest.raises(CommandFailed, match="no rule matches 'jail:git6:memoryuse'"):
        host.remove_rules(parse_filter("jail:git6:memoryuse"))


def test_not_root_is_not_permitted(host: FreeBSDHost, fake_freebsd) -> None:
    fake_freebsd.update(root=False)
    with pytest.raises(NotPermitted) as exc:
        host.add_rule(parse_rule("jail:git6:maxproc:deny=100"))
    assert "Operation not permitted" in str(exc.value) and "root" in exc.value.hint


def test_listing_every_rule_uses_a_filter_so_a_refusal_is_seen(host: FreeBSDHost,
                                                               fake_freebsd) -> None:
    assert len(host.rules()) == len(fake_freebsd.state()["rules"])
    assert commands(fake_freebsd) == [["rctl", "::"]]
    fake_freebsd.update(root=False)
    with pytest.raises(NotPermitted, match="failed to show rules for '::'"):
        host.rules()


def test_unreadable_rules_are_an_error_in_the_sample_not_an_empty_list(host: FreeBSDHost,
                                                                        fake_freebsd) -> None:
    assert host.sample().rules_error is None
    fake_freebsd.update(root=False)
    sample = host.sample()
    assert sample.rules == ()
    assert sample.rules_error == ("failed to show rules for 'jail:': Operation not permitted "
                                  "(run jailtui as root on the host, not inside a jail)")
    snapshot = Sampler(host).sample()
    assert snapshot.rules_error == sample.rules_error
    assert all(stats.limits == () for stats in snapshot.jails)
    fake_freebsd.update(root=True, racct="disabled")
    assert "kern.racct.enable=1" in (Sampler(host).sample().rules_error or "")


@pytest.mark.parametrize("control, verb, argv", [
    ("service", "start", ["service", "jail", "onestart", "db1"]),
    ("jail", "start", ["jail", "-f", "/etc/jail.conf", "-c", "db1"]),
])
def test_start_confirms_with_jls(fake_freebsd, control, verb, argv) -> None:
    host = fake_freebsd.host(control=control)
    jail = host.jail("db1")
    fake_freebsd.clear_log()
    result = host.change("start", "db1", jail=jail)
    assert result.ok and result.jid == 117
    assert commands(fake_freebsd) == [argv, ["jls", "--libxo", "json", "-v", "-j", "db1"]]
    assert host.jail("db1").jid == 117


def test_restart_changes_jid(host: FreeBSDHost, fake_freebsd) -> None:
    result = host.restart("git7")
    assert result.ok and result.jid == 117 and host.jail("git7").jid == 117
    assert ["service", "jail", "onerestart", "git7"] in commands(fake_freebsd)


def test_stop_confirms_gone(host: FreeBSDHost) -> None:
    result = host.stop("sto2")
    assert result.ok and result.jid is None
    assert host.jail("sto2").state is JailState.STOPPED


def test_service_failure_exit_0_is_detected(host: FreeBSDHost, fake_freebsd) -> None:
    state = fake_freebsd.state()
    state["config"]["db1"]["fail"] = "ifconfig epair14 create up"
    state["config"]["db1"]["fail_output"] = ["ifconfig: interface epair14 already exists"]
    fake_freebsd.set_state(state)
    result = host.start("db1")
    assert not result.ok
    assert "jail: db1: ifconfig epair14 create up: failed" in result.message
    assert result.commands[0].returncode == 0


def test_jexec_and_kill(host: FreeBSDHost, fake_freebsd) -> None:
    assert host.shell_argv("git7") == ["jexec", "-l", "-U", "root", "git7", "/bin/sh"]
    out = host.run_in_jail("git7", ["/bin/echo", "hello"])
    assert out.ok and out.stdout == "hello\n"
    with pytest.raises(UnknownJail):
        host.run_in_jail("nosuch", ["/bin/echo"])
    host.signal(3189, "TERM")
    assert 3189 not in {p.pid for p in host.processes()}
    with pytest.raises(CommandFailed, match="No such process"):
        host.signal(3189, "TERM")


def test_actions_on_freebsd_path(host: FreeBSDHost, fake_freebsd, tmp_path) -> None:
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf", audit=AuditLog(tmp_path / "a.log"))
    rule = actions.add_rule("j:git6:pcpu:deny=80", persist=True)
    assert str(rule) == "jail:git6:pcpu:deny=80"
    assert ["rctl", "-a", "jail:git6:pcpu:deny=80"] in commands(fake_freebsd)
    assert "jail:git6:pcpu:deny=80" in (tmp_path / "rctl.conf").read_text()
    actions.undo()
    assert "jail:git6:pcpu:deny=80" not in [str(r) for r in host.rules()]
    with pytest.raises(UnknownJail):
        actions.start("nosuch")


@pytest.mark.parametrize("argv, stderr, kind, text", [
    (("rctl", "-u", "jail:x"),
     "rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n",
     RacctUnavailable, "loader.conf"),
    (("rctl", "-u", "jail:x"),
     "rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details\n",
     RacctUnavailable, "not present"),
    (("rctl", "-a", "jail:x:maxproc:deny=1"),
     "rctl: failed to add rule 'jail:x:maxproc:deny=1': Operation not permitted\n",
     NotPermitted, "Operation not permitted"),
    (("rctl", "-a", "jail:git7:memoryuse:deny=10q"),
     "rctl: malformed rule 'jail:git7:memoryuse:deny=10q': invalid numeric value '10q'\n",
     UsageError, "invalid numeric value '10q'"),
    (("rctl", "-a", "jail:git7:wallclock:deny=10"),
     "rctl: failed to add rule 'jail:git7:wallclock:deny=10': Operation not supported\n",
     CommandFailed, "Operation not supported"),
    (("rctl", "-a", "jail:git7:memoryuse:deny"),
     "rctl: failed to add rule 'jail:git7:memoryuse:deny': Invalid argument\n",
     CommandFailed, "Invalid argument"),
    (("rctl", "-r", "jail:nosuch"),
     "rctl: failed to remove rule 'jail:nosuch': No such process\n",
     CommandFailed, "no rule matches 'jail:nosuch'"),
    (("rctl", "-u", "process:99999"),
     "rctl: failed to show resource consumption for 'process:99999': No such process\n",
     CommandFailed, "No such process"),
    (("rctl", "-l", "jail:git7"),
     "rctl: failed to get limits for 'jail:git7': Operation not supported\n",
     CommandFailed, "Operation not supported"),
    (("jls", "-j", "nosuch"), 'jls: jail "nosuch" not found\n', UnknownJail, "nosuch"),
    (("jexec", "nosuch", "sh"), 'jexec: jail "nosuch" not found\n', UnknownJail, "nosuch"),
    (("ps", "-J", "nosuch"), "ps: Invalid jail id: nosuch\n", UnknownJail, "nosuch"),
    (("jail", "-r", "nosuch"), 'jail: "nosuch" not found\n', CommandFailed, "not found"),
])
def test_error_messages_map_to_errors(argv, stderr, kind, text) -> None:
    exc = error_from(CommandResult(argv, 1, "", stderr))
    assert type(exc) is kind or isinstance(exc, kind)
    assert text in str(exc)
    assert "\n" not in str(exc)


class FakeLibc:
    """rctl_get_racct as the kernel answers: ERANGE until the buffer is large enough."""

    def __init__(self, answer: bytes, errno_value: int = 0, need: int = 0) -> None:
        self.answer, self.errno_value, self.need = answer, errno_value, need
        self.sizes: list[int] = []

    def rctl_get_racct(self, inbuf, inlen, out, outlen) -> int:
        import ctypes

        self.sizes.append(outlen)
        assert inbuf.endswith(b"\0") and inlen == len(inbuf)
        err = self.errno_value or (errno.ERANGE if outlen < self.need else 0)
        if err:
            ctypes.set_errno(err)
            return -1
        ctypes.memmove(out, self.answer + b"\0", len(self.answer) + 1)
        return 0


def test_syscall_path_grows_buffer_and_parses(fake_freebsd, tmp_path) -> None:
    raw = (Path(__file__).parent.parent / "data/freebsd/samples/rctl_get_racct_raw_jail.txt"
           ).read_bytes().strip()
    libc = FakeLibc(raw, need=600 * 1024)
    host = FreeBSDHost(fake_freebsd.runner(), syscall=RacctSyscall(libc))
    fake_freebsd.clear_log()
    assert host.usage("git7").memoryuse == 25550848
    assert libc.sizes == [128 * 1024, 512 * 1024, 2048 * 1024]
    assert fake_freebsd.invocations() == []


@pytest.mark.parametrize("err, kind", [(errno.ENOSYS, RacctUnavailable),
                                       (errno.EPERM, NotPermitted)])
def test_syscall_errors(err, kind) -> None:
    with pytest.raises(kind):
        RacctSyscall(FakeLibc(b"", errno_value=err)).get_racct("jail:x:")
