"""What jls, ps, sysctl and jexec really print, and signals that reach only the process the
operator saw: FreeBSDHost against the fake tools (tests/fakebin), which follow the sources
cited there."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.freebsd import JLS_PARAMS, FreeBSDHost
from jailtui.engine.host import ProcessChanged
from jailtui.engine.model import JailState, Process
from jailtui.engine.sampler import Sampler

JAIL_CONF = "db1 { host.hostname = db1; path = /usr/local/jails/db1; }\n"
LIST = ["jls", "--libxo", "json", "-d", *JLS_PARAMS]


@pytest.fixture
def host(fake_freebsd, tmp_path: Path) -> FreeBSDHost:
    fake_freebsd.write_file("/etc/jail.conf", JAIL_CONF)
    fake_freebsd.clear_log()
    return fake_freebsd.host(this_machine=False)


def add_jail(fake, jid: int, name: str, *, path: str | None = None, ip4=(), dying=False,
             params: dict | None = None, hostname: str | None = None) -> None:
    state = fake.state()
    state["jails"].append({"jid": jid, "name": name, "hostname": hostname or name,
                           "path": path or f"/jails/{name}", "ip4": list(ip4), "ip6": [],
                           "cpusetid": 20 + jid, "dying": dying, "params": params or {}})
    fake.set_state(state)


def add_process(fake, jid: int, pid: int, command: str, **extra) -> None:
    state = fake.state()
    state["processes"].append({"jid": jid, "pid": pid, "ppid": 1, "user": "root", "pcpu": 0.0,
                               "pmem": 0.0, "rss_kib": 1024, "vsz_kib": 4096, "nlwp": 1,
                               "state": "SJ", "cputime": 0.0, "etime": 60,
                               "command": command, **extra})
    fake.set_state(state)


def jail_tree(fake, path: str, passwd: str, *, database: bool = True) -> str:  # type: ignore[no-untyped-def]
    """A jail's tree on the fake host's disk: etc/passwd, and etc/pwd.db standing for
    pwd_mkdb's database; returns the jail's path on the host."""
    fake.write_file(f"{path}/etc/passwd", passwd)
    if database:
        fake.write_file(f"{path}/etc/pwd.db", "")
    return path


# -- locale: ps's command line is strvis()ed in the character set of LC_CTYPE ------------------

def test_non_ascii_command_lines_come_through_whatever_jailtui_was_started_with(
        fake_freebsd, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LC_NUMERIC", "de_DE.UTF-8")
    add_process(fake_freebsd, 2, 7001, "/usr/local/bin/café --naïve Ärger")
    host = FreeBSDHost(fake_freebsd.runner(), syscall=False, this_machine=False)
    by_pid = {p.pid: p for p in host.processes("git7")}
    assert by_pid[7001].command == "/usr/local/bin/café --naïve Ärger"
    assert by_pid[3189].pcpu == 1.3


# -- jls: raw control bytes, dying jails, one odd jail, vnet and inherit ------------------------

def test_a_tab_and_an_escape_in_a_hostname_do_not_break_the_jail_list(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 40, "odd", hostname="tab\there\x1b[2J")
    jails = {j.name: j for j in host.jails()}
    assert jails["odd"].hostname == "tab\there\x1b[2J"
    assert {"git7", "sto2", "git6", "odd"} <= set(jails)


def test_one_unreadable_jail_is_skipped_with_a_warning_naming_it(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 41, "weird")
    state = fake_freebsd.state()
    state["jails"][-1]["jid"] = "41x"
    fake_freebsd.set_state(state)
    sample = host.sample()
    assert [j.name for j in sample.jails if j.running] == ["git7", "sto2", "git6"]
    assert "jls: skipped jail \"weird\" (JID 41x): jid is not a number: '41x'" \
        in sample.warnings


def test_dying_jails_are_listed_as_dying_after_the_live_one_of_the_same_name(
        host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 1, "git7", dying=True, ip4=["172.16.20.98"])
    add_jail(fake_freebsd, 30, "oldbox", dying=True)
    listed = subprocess.run(LIST, capture_output=True, text=True).stdout
    assert listed.index('"jid":"1"') < listed.index('"jid":"2"'), "jls goes by JID"
    jails = host.jails()
    states = [(j.name, j.jid, j.state) for j in jails if j.running]
    assert ("oldbox", 30, JailState.DYING) in states
    assert ("git7", 1, JailState.DYING) in states
    assert states.index(("git7", 2, JailState.ACTIVE)) < states.index(("git7", 1, JailState.DYING))
    assert host.jail("git7").jid == 2
    assert LIST in fake_freebsd.invocations()


def test_vnet_and_inherit_jails_say_so_instead_of_nothing(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 50, "router", params={"vnet": "new", "ip4": "inherit",
                                                 "ip6": "inherit"})
    add_jail(fake_freebsd, 51, "shared", params={"ip4": "inherit", "ip6": "inherit"})
    jails = {j.name: j for j in host.jails()}
    assert (jails["router"].vnet, jails["router"].network) == ("new", "vnet")
    assert (jails["shared"].ip4_mode, jails["shared"].network) == ("inherit", "inherit")
    assert jails["git7"].network == "" and jails["git7"].ip4 == ("172.16.20.98",)


def test_a_kernel_without_vimage_is_asked_again_without_vnet(host, fake_freebsd) -> None:
    fake_freebsd.update(absent_params=["vnet"])
    assert [j.name for j in host.jails() if j.running] == ["git7", "sto2", "git6"]
    host.jails()
    lists = [call for call in fake_freebsd.invocations() if call[0] == "jls"]
    assert lists == [LIST, [c for c in LIST if c != "vnet"], [c for c in LIST if c != "vnet"]]


# -- ps: "{ }" for no processes, users from the jail's own passwd ------------------------------

def test_a_jail_without_processes_has_no_processes(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 60, "empty")
    assert host.processes("empty") == []


def test_users_of_jailed_processes_come_from_the_jails_own_passwd(host, fake_freebsd,
                                                                  tmp_path) -> None:
    root = jail_tree(fake_freebsd, "/jails/pg", "# comment\nroot:*:0:0::/root:/bin/sh\n"
                                      "postgres:*:770:770::/var/db/postgres:/bin/sh\n")
    add_jail(fake_freebsd, 70, "pg", path=root)
    state = fake_freebsd.state()
    state["users"]["770"] = "alice"
    fake_freebsd.set_state(state)
    add_process(fake_freebsd, 70, 7100, "postgres: checkpointer", uid=770)
    add_process(fake_freebsd, 70, 7101, "/usr/local/bin/worker", uid=4242)
    add_process(fake_freebsd, 70, 7102, "/usr/sbin/cron -s", uid=0)
    rooted = jail_tree(fake_freebsd, "/jails/rooted", "toor:*:0:0::/root:/bin/csh\n")
    add_jail(fake_freebsd, 72, "rooted", path=rooted)
    add_process(fake_freebsd, 72, 7110, "/usr/sbin/syslogd -s", uid=0)
    host.jails()
    users = {p.pid: (p.user, p.uid) for p in host.processes("pg")}
    assert users == {7100: ("postgres", 770), 7101: ("4242", 4242), 7102: ("root", 0)}
    [syslogd] = host.processes("rooted")
    assert syslogd.user == "root", "uid 0 is left as ps printed it: no passwd read for it"
    host_side = {p.pid: p.user for p in host.processes() if p.jid == 0}
    assert host_side[642] == "root"


def test_a_jail_passwd_that_cannot_be_read_leaves_pss_names(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 71, "ghost", path="/nonexistent/ghost")
    add_process(fake_freebsd, 71, 7200, "/usr/local/bin/app", uid=80)
    host.jails()
    [proc] = host.processes("ghost")
    assert (proc.user, proc.uid) == ("www", 80)


# -- sysctl: an unknown oid degrades the header, a bad value names its oid ---------------------

def test_an_unknown_oid_leaves_its_figure_unknown_and_the_jail_list_goes_on(
        host, fake_freebsd) -> None:
    fake_freebsd.update(sysctl={"vm.loadavg": None, "vm.stats.vm.v_inactive_count": None})
    snapshot = Sampler(host).sample()
    assert not snapshot.stale, snapshot.error
    assert {"loadavg", "mem_free"} <= set(snapshot.host.info.unknown)
    assert snapshot.host.info.ncpu == 4 and snapshot.host.info.hostname == "watermelon"
    assert snapshot.host.mem_total == 0
    assert "sysctl: unknown oid 'vm.loadavg': loadavg unknown" in snapshot.warnings
    assert [s.jail.name for s in snapshot.jails if s.jail.running] == ["git7", "sto2", "git6"]


def test_a_non_numeric_value_names_its_oid(host, fake_freebsd) -> None:
    fake_freebsd.update(sysctl={"hw.ncpu": "four"})
    snapshot = Sampler(host).sample()
    assert not snapshot.stale, snapshot.error
    assert "ncpu" in snapshot.host.info.unknown
    assert "sysctl: hw.ncpu is not a number: 'four': ncpu unknown" in snapshot.warnings


# -- racct status: read on every sample ---------------------------------------------------------

def test_a_failed_racct_read_is_tried_again_on_the_next_sample(host, fake_freebsd) -> None:
    fake_freebsd.update(racct="absent")
    assert not host.host_info().racct.present
    fake_freebsd.update(racct="enabled")
    assert host.host_info().racct.enabled


def test_racct_switched_off_mid_run_shows_in_the_header(host, fake_freebsd) -> None:
    sampler = Sampler(host)
    assert sampler.sample().racct.enabled
    fake_freebsd.update(racct="disabled")
    snapshot = sampler.sample()
    assert not snapshot.racct.enabled
    assert "RACCT/RCTL present, but disabled" in snapshot.racct.reason


# -- parent jails --------------------------------------------------------------------------------

def test_a_parent_jails_racct_is_marked_as_including_its_children(host, fake_freebsd) -> None:
    add_jail(fake_freebsd, 80, "build")
    add_jail(fake_freebsd, 81, "build.ports")
    add_jail(fake_freebsd, 82, "build.ports.py")
    snapshot = Sampler(host).sample()
    build = snapshot.jail("build")
    assert build.children == ("build.ports", "build.ports.py")
    assert build.racct_includes_children
    assert snapshot.jail("build.ports").children == ("build.ports.py",)
    assert not snapshot.jail("git7").racct_includes_children


# -- Linux jails: no root to log in as ----------------------------------------------------------

def test_a_jail_without_a_password_database_gets_plain_jexec(host, fake_freebsd,
                                                            tmp_path) -> None:
    root = jail_tree(fake_freebsd, "/jails/deb", "root:x:0:0:root:/root:/bin/bash\n", database=False)
    add_jail(fake_freebsd, 90, "deb", path=root)
    failed = subprocess.run(["jexec", "-l", "-U", "root", "deb", "/bin/echo", "hi"],
                            capture_output=True, text=True)
    assert failed.stderr == "jexec: getpwnam: root: No such file or directory\n"
    assert host.shell_argv("deb") == ["jexec", "deb", "/bin/sh"]
    assert "no root in its own user database" in host.shell_note("deb")
    result = host.run_in_jail("deb", ["/bin/echo", "hi"])
    assert (result.returncode, result.stdout) == (0, "hi\n")


def test_a_jail_whose_database_lacks_root_gets_plain_jexec_too(host, fake_freebsd,
                                                              tmp_path) -> None:
    root = jail_tree(fake_freebsd, "/jails/odd", "toor:*:0:0::/root:/bin/sh\n")
    add_jail(fake_freebsd, 91, "odd", path=root)
    failed = subprocess.run(["jexec", "-l", "-U", "root", "odd", "/bin/echo"],
                            capture_output=True, text=True)
    assert failed.stderr == "jexec: root: no such user\n"
    assert host.shell_argv("odd", ("/bin/csh",)) == ["jexec", "odd", "/bin/csh"]


def test_a_freebsd_jail_keeps_the_login_shell(host, fake_freebsd, tmp_path) -> None:
    root = jail_tree(fake_freebsd, "/jails/fbsd", "root:*:0:0::/root:/bin/sh\n")
    add_jail(fake_freebsd, 92, "fbsd", path=root)
    assert host.shell_argv("fbsd") == ["jexec", "-l", "-U", "root", "fbsd", "/bin/sh"]
    assert host.shell_note("fbsd") == ""
    assert host.run_in_jail("fbsd", ["/bin/echo", "ok"]).stdout == "ok\n"


def test_the_shell_note_reaches_the_operator_through_actions(host, fake_freebsd,
                                                            tmp_path) -> None:
    root = jail_tree(fake_freebsd, "/jails/deb", "root:x:0:0:root:/root:/bin/bash\n", database=False)
    add_jail(fake_freebsd, 93, "deb", path=root)
    actions = Actions(host, rctl_conf=tmp_path / "rctl.conf", audit=AuditLog(tmp_path / "a.log"))
    assert actions.shell_argv("deb") == ["jexec", "deb", "/bin/sh"]
    [note] = actions.take_warnings()
    assert note.startswith('jail "deb" has no root in its own user database')


# -- signals: only to the process that was seen -------------------------------------------------

def seen(host: FreeBSDHost, pid: int) -> Process:
    return next(p for p in host.processes() if p.pid == pid)


@pytest.fixture
def actions(host, tmp_path) -> Actions:
    return Actions(host, rctl_conf=tmp_path / "rctl.conf", audit=AuditLog(tmp_path / "a.log"))


def test_the_process_that_was_seen_is_signalled(host, actions, fake_freebsd) -> None:
    worker = seen(host, 3189)
    assert worker.start is not None and worker.jid == 2
    actions.signal(worker, "TERM")
    assert 3189 not in {p.pid for p in host.processes()}


@pytest.mark.parametrize(("jid", "shift", "problem"), [
    (105, 0, "PID 3189 is now a process in the jail with JID 105"),
    (0, 0, "PID 3189 is now a process on the host"),
    (2, 3600, "PID 3189 was reused by a process started"),
])
def test_a_reused_pid_is_not_signalled(host, actions, fake_freebsd, jid, shift,
                                       problem) -> None:
    worker = seen(host, 3189)
    state = fake_freebsd.state()
    state["processes"] = [p for p in state["processes"] if p["pid"] != 3189]
    fake_freebsd.set_state(state)
    add_process(fake_freebsd, jid, 3189, "/usr/local/bin/innocent",
                start=int(worker.start) + shift)
    with pytest.raises(ProcessChanged) as refused:
        actions.signal(worker, "KILL")
    assert problem in str(refused.value)
    assert 3189 in {p.pid for p in host.processes()}
    assert not any(call[0] == "kill" for call in fake_freebsd.invocations())


def test_an_exited_process_is_not_signalled(host, actions, fake_freebsd) -> None:
    worker = seen(host, 3189)
    state = fake_freebsd.state()
    state["processes"] = [p for p in state["processes"] if p["pid"] != 3189]
    fake_freebsd.set_state(state)
    with pytest.raises(ProcessChanged, match=r"PID 3189 \(nginx: worker process \(nginx\)\) "
                                             "has exited"):
        actions.signal(worker, "TERM")
    assert not any(call[0] == "kill" for call in fake_freebsd.invocations())


@pytest.fixture
def child():
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc, started
    proc.kill()
    proc.wait()


def test_on_this_machine_psutil_tells_the_start_time_without_a_spawn(fake_freebsd, tmp_path,
                                                                     child) -> None:
    proc, started = child
    host = FreeBSDHost(fake_freebsd.runner(), syscall=False,
                       this_machine=True)
    fake_freebsd.clear_log()
    identity = host.process_identity(proc.pid)
    assert identity is not None and identity.jid is None
    assert abs(identity.start - started) < 1.5
    host.check_process(Process(proc.pid, jid=0, command="sleep", start=started))
    with pytest.raises(ProcessChanged, match="was reused"):
        host.check_process(Process(proc.pid, jid=0, command="sleep", start=started - 60))
    assert fake_freebsd.invocations() == []
    proc.kill()
    proc.wait()
    with pytest.raises(ProcessChanged, match="has exited"):
        host.check_process(Process(proc.pid, jid=0, command="sleep", start=started))


# -- psutil on this machine: swap -------------------------------------------------------------

def test_swap_comes_from_psutil_on_this_machine_only(fake_freebsd, tmp_path) -> None:
    local = FreeBSDHost(fake_freebsd.runner(), syscall=False,
                        this_machine=True)
    info = local.host_info()
    assert info.swap_total == psutil.swap_memory().total
    remote = FreeBSDHost(fake_freebsd.runner(), syscall=False,
                         this_machine=False)
    assert remote.host_info().swap_total is None


def test_when_psutil_may_not_look_ps_answers(fake_freebsd, tmp_path, monkeypatch) -> None:
    def denied(pid: int) -> float:
        raise PermissionError(f"not allowed to look at PID {pid}")

    monkeypatch.setattr("jailtui.engine.local.start_time", denied)
    host = FreeBSDHost(fake_freebsd.runner(), syscall=False,
                       this_machine=True)
    identity = host.process_identity(3189)
    assert identity is not None and identity.jid == 2
    assert identity.start == next(p.start for p in host.processes() if p.pid == 3189)
