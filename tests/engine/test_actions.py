"""Actions and the audit log: read-only mode, jail checks, rule set/remove/persist/undo."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jailtui.engine import audit as audit_module
from jailtui.engine import kernel_rules
from jailtui.engine.actions import (Actions, JailChanged, NoMatchingRule, NothingToUndo,
                                    PartialChange, PersistFailed, WrongJailState,
                                    normalise_signal)
from jailtui.engine.audit import AuditLog, default_path
from jailtui.engine.errors import (CommandFailed, JailtuiError, NotPermitted, ReadOnly,
                                   UnknownJail, UsageError)
from jailtui.engine.host import Host, ProcessChanged
from jailtui.engine.jailconf import ConfLookup
from jailtui.engine.managers import JAIL_CONF, ControlPlan, Owner, plan
from jailtui.engine.model import (ActionResult, CommandResult, HostInfo, Jail, JailState,
                                  Process, ProcessIdentity, Rule, Usage)
from jailtui.engine.rctl import RuleFilter, parse_rule

MEM_1G = parse_rule("jail:www:memoryuse:deny=1g")
MEM_512M = parse_rule("jail:www:memoryuse:deny=512m")
NOON = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
START = NOON.timestamp() - 3600
NGINX = Process(4321, jid=5, user="www", command="nginx: worker process", start=START)


class MemoryHost(Host):
    """Jails and rctl rules in memory, with the kernel's rule semantics; logs every call."""

    label = "demo"

    def __init__(self) -> None:
        self.table = {"www": Jail("www", 5), "db": Jail("db", 6),
                      "old": Jail("old", None, JailState.STOPPED, configured=True)}
        self.live: list[Rule] = []
        self.calls: list[tuple[object, ...]] = []
        self.next_jid = 10
        self.fail_start = ""
        self.fail_remove = ""
        self.pids = {4321: ProcessIdentity(4321, 5, START)}

    def host_info(self) -> HostInfo:
        self.calls.append(("host_info",))
        return HostInfo(hostname="demo")

    def jails(self) -> list[Jail]:
        self.calls.append(("jails",))
        return list(self.table.values())

    def processes(self, jail: str | None = None) -> list[Process]:
        self.calls.append(("processes", jail))
        return []

    def usage(self, jail: str) -> Usage:
        self.calls.append(("usage", jail))
        return Usage()

    def rules(self, filter: RuleFilter | None = None) -> list[Rule]:
        self.calls.append(("rules", str(filter)))
        return [rule for rule in self.live if filter is None or filter.matches(rule)]

    def add_rule(self, rule: Rule) -> None:
        self.calls.append(("add_rule", str(rule)))
        self.live = list(kernel_rules.added(self.live, rule))

    def remove_rules(self, filter: RuleFilter) -> None:
        self.calls.append(("remove_rules", str(filter)))
        if self.fail_remove:
            raise NotPermitted(self.fail_remove)
        kept, gone = kernel_rules.removed(self.live, filter)
        if not gone:
            raise CommandFailed(f"no rule matches '{filter}'")
        self.live = list(kept)

    def _set(self, action: str, name: str, jid: int | None) -> ActionResult:
        self.calls.append((action, name))
        if self.fail_start and action != "stop":
            return ActionResult(action, name, False, self.fail_start)
        state = JailState.STOPPED if jid is None else JailState.ACTIVE
        self.table[name] = replace(self.table[name], jid=jid, state=state)
        return ActionResult(action, name, True, f"{name}: {action} done", jid=jid)

    def plan(self, action: str, jail: Jail) -> ControlPlan:
        return plan(action, jail.name, Owner(jail.manager or JAIL_CONF, "/etc/jail.conf",
                                            lookup=ConfLookup(jail.name, "/etc/jail.conf",
                                                              "/etc/jail.conf")))

    def execute(self, plan: ControlPlan, jail: Jail) -> ActionResult:
        if plan.action == "stop":
            return self._set("stop", jail.name, None)
        self.next_jid += 1
        return self._set(plan.action, jail.name, self.next_jid)

    def shell_argv(self, name: str, command: Sequence[str] = ()) -> list[str]:
        self.calls.append(("shell_argv", name))
        return ["jexec", "-l", "-U", "root", name, *command]

    def run_in_jail(self, name: str, argv: Sequence[str]) -> CommandResult:
        self.calls.append(("run_in_jail", name, *argv))
        return CommandResult(("jexec", name, *argv), 0 if argv[0] == "true" else 1, "out")

    def signal(self, pid: int, signal: str) -> None:
        self.calls.append(("signal", pid, signal))

    def process_identity(self, pid: int) -> ProcessIdentity | None:
        self.calls.append(("process_identity", pid))
        return self.pids.get(pid)


@pytest.fixture
def host() -> MemoryHost:
    return MemoryHost()


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.log", clock=lambda: NOON)


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return tmp_path / "rctl.conf"


@pytest.fixture
def actions(host: MemoryHost, log: AuditLog, conf: Path) -> Actions:
    return Actions(host, rctl_conf=conf, audit=log)


def changes(host: MemoryHost) -> list[tuple[object, ...]]:
    reads = {"host_info", "jails", "processes", "usage", "rules"}
    return [call for call in host.calls if call[0] not in reads]


# -- read-only ------------------------------------------------------------------------------

def test_read_only_refuses_every_change_without_touching_the_host(host, log, conf) -> None:
    actions = Actions(host, read_only=True, rctl_conf=conf, audit=log)
    attempts = [
        lambda: actions.start("old"), lambda: actions.stop("www"), lambda: actions.restart("www"),
        lambda: actions.add_rule("jail:www:pcpu:deny=50"), lambda: actions.remove_rules("jail:www"),
        lambda: actions.persist(), lambda: actions.signal(NGINX, "TERM"),
        lambda: actions.run("www", ["true"]), lambda: actions.shell_argv("www"),
    ]
    for attempt in attempts:
        with pytest.raises(ReadOnly, match="jailtui is running read-only"):
            attempt()
    assert host.calls == []
    assert not conf.exists()
    lines = log.tail(20)
    assert len(lines) == len(attempts)
    assert all('result="failed: refused to ' in line for line in lines)


def test_read_only_refuses_undo(host, conf) -> None:
    actions = Actions(host, rctl_conf=conf)
    actions.add_rule(MEM_1G)
    actions.read_only = True
    host.calls.clear()
    with pytest.raises(ReadOnly):
        actions.undo()
    assert host.calls == [] and actions.can_undo


# -- jails ------------------------------------------------------------------------------------

def test_start_stop_restart(actions, host, log) -> None:
    result = actions.start("old")
    assert result.ok and result.jid == 11
    assert actions.stop("www", expect_jid=5).ok
    assert actions.restart("db").jid == 12
    assert changes(host) == [("start", "old"), ("stop", "www"), ("restart", "db")]
    assert [line.split(" ", 2)[2] for line in log.tail(3)] == [
        "host=demo action=jail-start target=jail:old result=ok",
        "host=demo action=jail-stop target=jail:www result=ok",
        "host=demo action=jail-restart target=jail:db result=ok"]


def test_unknown_jail(actions, host) -> None:
    with pytest.raises(UnknownJail, match='jail "nosuch" not found'):
        actions.start("nosuch")
    assert changes(host) == []


def test_start_of_a_running_jail_is_refused(actions, host) -> None:
    with pytest.raises(WrongJailState) as caught:
        actions.start("www")
    assert str(caught.value) == 'jail "www" is already running (JID 5)'
    with pytest.raises(WrongJailState, match='jail "old" is not running'):
        actions.stop("old")
    with pytest.raises(WrongJailState, match="start it instead"):
        actions.restart("old")
    assert changes(host) == []


@pytest.mark.parametrize("name, expect_jid, message", [
    ("www", 4, 'jail "www" changed since it was selected: it was JID 4, now JID 5'),
    ("gone", 3, 'jail "gone" changed since it was selected: JID 3 is gone'),
])
def test_expect_jid_mismatch_refuses(actions, host, name, expect_jid, message) -> None:
    with pytest.raises(JailChanged) as caught:
        actions.restart(name, expect_jid=expect_jid)
    assert caught.value.message == message
    assert changes(host) == []


def test_a_failed_start_is_returned_and_audited(actions, host, log) -> None:
    host.fail_start = "start old failed: jail: old: mount.devfs: failed"
    result = actions.start("old")
    assert not result.ok
    assert log.tail(1)[0].endswith(
        'result="failed: start old failed: jail: old: mount.devfs: failed"')


def test_a_change_cut_short_by_ctrl_c_is_still_audited(actions, host, log, monkeypatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> ActionResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(host, "change", interrupted)
    with pytest.raises(KeyboardInterrupt):
        actions.start("old")
    assert log.tail(1)[0].endswith(
        'action=jail-start target=jail:old result="unknown: interrupted while it ran (it may '
        'or may not have taken effect)"')


def test_abandon_writes_the_change_under_way_once(actions, host, log, monkeypatch) -> None:
    """Quitting writes the record of a change whose own end will never come; if that end
    comes after all, it writes nothing more."""
    def change(action: str, name: str, **kwargs: object) -> ActionResult:
        actions.abandon("jailtui quit while it ran")
        return ActionResult("start", name, True, "started", jid=11)

    monkeypatch.setattr(host, "change", change)
    assert actions.start("old").ok
    assert [line.split(" ", 2)[2] for line in log.tail(5)] == [
        'host=demo action=jail-start target=jail:old result="unknown: jailtui quit while it ran"']
    actions.abandon("nothing runs")
    assert len(log.tail(5)) == 1


# -- rules ------------------------------------------------------------------------------------

def test_add_rule_returns_the_canonical_rule_and_audits_it(actions, host, log) -> None:
    rule = actions.add_rule("j:www:memoryuse:deny=512m")
    assert rule == MEM_512M and host.live == [MEM_512M]
    assert log.tail(1) == [f"2026-11-22T10:00:00Z user={audit_module.current_user()} host=demo "
                           "action=rctl-add target=jail:www:memoryuse:deny=536870912 result=ok"]


def test_add_rule_checks_the_jail_name(actions, host) -> None:
    with pytest.raises(UnknownJail) as caught:
        actions.add_rule("jail:wwww:pcpu:deny=50")
    assert caught.value.hint == "did you mean 'www'?"
    with pytest.raises(UnknownJail, match="rctl names jails, not JIDs: JID 5 is jail:www"):
        actions.add_rule("jail:5:pcpu:deny=50")
    assert changes(host) == []
    future = actions.add_rule("jail:future:pcpu:deny=50", allow_unknown_jail=True)
    assert future.subject_id == "future"
    assert actions.add_rule("jail:old:pcpu:deny=50").subject_id == "old"


def test_add_rule_rejects_bad_grammar_before_the_host(actions, host) -> None:
    with pytest.raises(UsageError, match="cputime cannot be denied"):
        actions.add_rule("jail:www:cputime:deny=10")
    assert host.calls == []


def test_a_deny_replaces_only_the_deny_of_its_slot_and_other_actions_stack(actions,
                                                                             host) -> None:
    per_process = parse_rule("jail:www:memoryuse:deny=100m/process")
    host.live = [per_process]
    actions.add_rule("jail:www:memoryuse:deny=2g")
    actions.add_rule(MEM_1G)
    actions.add_rule("jail:www:memoryuse:log=1g")
    actions.add_rule("jail:www:memoryuse:log=2g")
    assert [str(rule) for rule in host.live] == [
        "jail:www:memoryuse:deny=104857600/process", "jail:www:memoryuse:deny=1073741824",
        "jail:www:memoryuse:log=1073741824", "jail:www:memoryuse:log=2147483648"]
    assert [call[0] for call in changes(host)] == ["add_rule"] * 4, "nothing removed by hand"


def test_an_edit_replaces_the_rule_it_started_from_and_undo_puts_it_back(actions, host,
                                                                          log) -> None:
    log_1g, log_2g = parse_rule("jail:www:memoryuse:log=1g"), parse_rule(
        "jail:www:memoryuse:log=2g")
    host.live = [MEM_1G, log_1g]
    actions.add_rule(log_2g, replaces=log_1g)
    assert host.live == [MEM_1G, log_2g]
    assert changes(host) == [("add_rule", "jail:www:memoryuse:log=2147483648"),
                             ("remove_rules", "jail:www:memoryuse:log=1073741824/jail")]
    assert log.tail(1)[0].endswith(
        'result=ok detail=replaces=jail:www:memoryuse:log=1073741824')
    assert actions.undo() == (f"undid rctl-add {log_2g}: restored {log_1g}; removed {log_2g}")
    assert host.live == [MEM_1G, log_1g]


def test_a_replace_that_half_fails_says_what_is_live_and_can_be_undone(actions, host) -> None:
    log_1g, log_2g = parse_rule("jail:www:memoryuse:log=1g"), parse_rule(
        "jail:www:memoryuse:log=2g")
    host.live = [log_1g]
    host.fail_remove = "failed to remove rule: Operation not permitted"
    with pytest.raises(PartialChange) as caught:
        actions.add_rule(log_2g, replaces=log_1g)
    assert caught.value.message == (
        "jail:www:memoryuse:log=2147483648 is set, but jail:www:memoryuse:log=1073741824 was "
        "not removed: failed to remove rule: Operation not permitted; live now: "
        "jail:www:memoryuse:log=1073741824, jail:www:memoryuse:log=2147483648")
    assert caught.value.hint == "undo takes the new rule out again"
    assert actions.can_undo
    host.fail_remove = ""
    actions.undo()
    assert host.live == [log_1g]


def test_an_exact_rule_removes_only_that_rule(actions, host) -> None:
    per_process = parse_rule("jail:www:memoryuse:deny=1g/process")
    host.live = [MEM_1G, per_process, parse_rule("jail:www:memoryuse:log=1g")]
    assert actions.remove_rules(MEM_1G.exact()) == [MEM_1G]
    assert actions.remove_rules("jail:www:memoryuse:deny=1g/process") == [per_process]
    assert host.live == [parse_rule("jail:www:memoryuse:log=1g")]


def test_persist_replaces_lines_as_the_kernel_replaces_rules(actions, host, conf) -> None:
    conf.write_text("# www\njail:www:memoryuse:deny=100m/process # each process\n"
                    "jail:www:memoryuse:log=1g # warn\njail:www:memoryuse:deny=4g\n")
    actions.add_rule("jail:www:memoryuse:deny=2g", persist=True)
    actions.add_rule("jail:www:memoryuse:log=2g", persist=True)
    assert conf.read_text() == (
        "# www\njail:www:memoryuse:deny=100m/process # each process\n"
        "jail:www:memoryuse:log=1g # warn\njail:www:memoryuse:deny=2147483648\n"
        "jail:www:memoryuse:log=2147483648\n")


def test_a_persisted_edit_is_made_in_place_and_undone_in_place(actions, host, conf) -> None:
    log_1g, log_2g = parse_rule("jail:www:memoryuse:log=1g"), parse_rule(
        "jail:www:memoryuse:log=2g")
    conf.write_text("jail:www:memoryuse:log=1g # warn\njail:db:pcpu:deny=50\n")
    host.live = [log_1g]
    actions.add_rule(log_2g, replaces=log_1g, persist=True)
    assert conf.read_text() == "jail:www:memoryuse:log=2147483648 # warn\njail:db:pcpu:deny=50\n"
    actions.undo()
    assert conf.read_text() == "jail:www:memoryuse:log=1073741824 # warn\njail:db:pcpu:deny=50\n"


def test_add_rule_with_persist_writes_rctl_conf(actions, host, conf) -> None:
    conf.write_text("# limits\njail:www:memoryuse:deny=1g # web\n")
    actions.add_rule(MEM_512M, persist=True)
    assert conf.read_text() == "# limits\njail:www:memoryuse:deny=536870912 # web\n"


def test_a_failed_persist_keeps_the_live_rule(actions, host, conf, monkeypatch) -> None:
    def refuse(self, text: str) -> None:
        raise NotPermitted(f"cannot write {conf}: Permission denied", "run jailtui as root")

    monkeypatch.setattr("jailtui.engine.rctlconf.RctlConf.write", refuse)
    with pytest.raises(PersistFailed) as caught:
        actions.add_rule(MEM_1G, persist=True)
    assert caught.value.message == (f"rule {MEM_1G} is set live, but {conf} was not updated: "
                                    f"cannot write {conf}: Permission denied")
    assert host.live == [MEM_1G] and actions.can_undo


def test_remove_rules(actions, host, conf) -> None:
    host.live = [MEM_1G, parse_rule("jail:www:pcpu:deny=50"), parse_rule("jail:db:pcpu:deny=50")]
    conf.write_text("jail:www:pcpu:deny=50 # cap\njail:db:pcpu:deny=50\n")
    removed = actions.remove_rules("jail:www:pcpu", persist=True)
    assert removed == [parse_rule("jail:www:pcpu:deny=50")]
    assert host.live == [MEM_1G, parse_rule("jail:db:pcpu:deny=50")]
    assert conf.read_text() == "# cap\njail:db:pcpu:deny=50\n"


def test_remove_rules_with_no_match(actions, host, log) -> None:
    with pytest.raises(NoMatchingRule) as caught:
        actions.remove_rules("jail:www:pcpu")
    assert str(caught.value) == "no rule matches 'jail:www:pcpu'"
    assert log.tail(1)[0].endswith('result="failed: no rule matches \'jail:www:pcpu\'"')
    with pytest.raises(UsageError, match="refusing to remove every rule"):
        actions.remove_rules("::")
    assert changes(host) == []


def test_persist_syncs_live_jail_rules(actions, host, conf) -> None:
    conf.write_text("# keep\nuser:www:maxproc:deny=100/user\njail:db:pcpu:deny=10\n"
                    "j:www:memoryuse:deny=512m\n")
    host.live = [MEM_512M, parse_rule("jail:db:pcpu:deny=20")]
    assert actions.persist("www") == conf
    assert conf.read_text() == ("# keep\nuser:www:maxproc:deny=100/user\njail:db:pcpu:deny=10\n"
                                "j:www:memoryuse:deny=512m\n")
    actions.persist()
    assert conf.read_text() == ("# keep\nuser:www:maxproc:deny=100/user\njail:db:pcpu:deny=20\n"
                                "j:www:memoryuse:deny=512m\n")
    assert Path(str(conf) + ".bak").exists()


# -- undo -------------------------------------------------------------------------------------

def test_undo_restores_a_replaced_deny_amount(actions, host, log) -> None:
    actions.add_rule(MEM_1G)
    actions.add_rule(MEM_512M)
    assert actions.last_change == f"rctl-add {MEM_512M}"
    message = actions.undo()
    assert message == f"undid rctl-add {MEM_512M}: restored {MEM_1G}; removed {MEM_512M}"
    assert host.live == [MEM_1G]
    assert " action=undo " in log.tail(1)[0]
    actions.undo()
    assert host.live == [] and not actions.can_undo and actions.last_change is None
    with pytest.raises(NothingToUndo, match="nothing to undo"):
        actions.undo()


def test_undo_of_a_non_deny_rule_removes_only_the_new_one(actions, host) -> None:
    actions.add_rule("jail:www:memoryuse:log=1g")
    actions.add_rule("jail:www:memoryuse:log=2g")
    actions.undo()
    assert [str(rule) for rule in host.live] == ["jail:www:memoryuse:log=1073741824"]


def test_undo_of_a_removal_re_adds_the_rules(actions, host) -> None:
    rules = [MEM_1G, parse_rule("jail:www:pcpu:deny=50")]
    host.live = list(rules)
    actions.remove_rules("jail:www")
    assert host.live == []
    assert actions.undo() == f"undid rctl-remove jail:www: restored {MEM_1G}, {rules[1]}"
    assert host.live == rules


def test_undo_of_a_persisted_change_reverts_rctl_conf(actions, host, conf) -> None:
    conf.write_text("jail:www:memoryuse:deny=1g # web\n")
    host.live = [MEM_1G]
    actions.add_rule(MEM_512M, persist=True)
    actions.undo()
    assert conf.read_text() == "jail:www:memoryuse:deny=1073741824 # web\n"


def test_undo_of_a_persisted_change_restores_what_rctl_conf_held(actions, host, conf) -> None:
    conf.write_text("# limits\njail:db:pcpu:deny=50\n")
    host.live = [MEM_1G]
    actions.add_rule(MEM_512M, persist=True)
    assert conf.read_text().endswith(f"{MEM_512M}\n")
    actions.undo()
    assert host.live == [MEM_1G]
    assert conf.read_text() == "# limits\njail:db:pcpu:deny=50\n", "1G was never in the file"
    host.live = [MEM_1G]
    actions.remove_rules("jail:www", persist=True)
    actions.undo()
    assert host.live == [MEM_1G] and "www" not in conf.read_text()


def test_setting_the_same_rule_again_is_not_an_undoable_change(actions, host) -> None:
    host.live = [MEM_1G]
    actions.add_rule(MEM_1G)
    assert not actions.can_undo


# -- processes and commands ----------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["TERM", "SIGTERM", "term", "sigterm", " Term "])
def test_signal_names_are_normalised(spelling) -> None:
    assert normalise_signal(spelling) == "TERM"


def test_signal(actions, host, log) -> None:
    actions.signal(NGINX, "sigkill")
    assert host.calls == [("process_identity", 4321), ("signal", 4321, "KILL")]
    assert log.tail(1)[0].endswith("action=signal target=pid:4321 result=ok detail=signal=KILL")
    with pytest.raises(UsageError, match="did you mean KILL"):
        actions.signal(NGINX, "KIL")
    for pid in (0, -1, 1):
        with pytest.raises(UsageError):
            actions.signal(replace(NGINX, pid=pid), "TERM")
    assert len(host.calls) == 2


@pytest.mark.parametrize(("now", "problem"), [
    (None, "PID 4321 (nginx: worker process) has exited"),
    (ProcessIdentity(4321, 0, START), "PID 4321 is now a process on the host"),
    (ProcessIdentity(4321, 9, START), "PID 4321 is now a process in the jail with JID 9"),
    (ProcessIdentity(4321, 5, START + 60), "PID 4321 was reused by a process started"),
])
def test_signal_refused_when_the_pid_names_another_process(actions, host, log, now,
                                                            problem) -> None:
    if now is None:
        del host.pids[4321]
    else:
        host.pids[4321] = now
    with pytest.raises(ProcessChanged) as refused:
        actions.signal(NGINX, "KILL")
    assert problem in str(refused.value)
    assert ("signal", 4321, "KILL") not in host.calls
    assert "action=signal target=pid:4321 result=\"failed: nothing sent: PID 4321" in log.tail(1)[0]


def test_signal_refused_when_the_start_time_was_never_known(actions, host) -> None:
    with pytest.raises(ProcessChanged, match="start time of PID 4321 .* is unknown"):
        actions.signal(replace(NGINX, start=None), "TERM")
    assert not any(call[0] == "signal" for call in host.calls)


def test_shell_argv_and_run(actions, host, log, fake_freebsd) -> None:  # jexec on PATH
    assert actions.shell_argv("www") == ["jexec", "-l", "-U", "root", "www", "/bin/sh"]
    assert actions.shell_argv("www", ["top"]) == ["jexec", "-l", "-U", "root", "www", "top"]
    with pytest.raises(WrongJailState):
        actions.shell_argv("old")
    assert actions.run("www", ["true"]).ok
    assert not actions.run("www", ["false", "x y"]).ok
    assert log.tail(1)[0].endswith(
        'action=jail-exec target=jail:www result="failed: exit status 1" detail="false \'x y\'"')
    with pytest.raises(UsageError):
        actions.run("www", [])


def test_custom_shell_command(host, conf, fake_freebsd) -> None:  # jexec on PATH
    actions = Actions(host, rctl_conf=conf, shell_command=("/usr/local/bin/bash", "-l"))
    assert actions.shell_argv("db") == ["jexec", "-l", "-U", "root", "db", "/usr/local/bin/bash",
                                        "-l"]


def test_every_error_is_one_line(actions, host, log, monkeypatch) -> None:
    def broken(rule: Rule) -> None:
        raise CommandFailed("failed to add rule\nrctl: Invalid argument")

    monkeypatch.setattr(host, "add_rule", broken)
    with pytest.raises(JailtuiError):
        actions.add_rule(MEM_1G)
    (line,) = log.tail(5)
    assert "\n" not in line
    assert shlex.split(line)[-1] == "result=failed: failed to add rule rctl: Invalid argument"


# -- audit log -----------------------------------------------------------------------------------

def test_audit_line_format_with_sudo(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(audit_module.getpass, "getuser", lambda: "root")
    monkeypatch.setenv("SUDO_USER", "alice")
    log = AuditLog(tmp_path / "a" / "b" / "audit.log", clock=lambda: NOON)
    record = log.record("rctl-add", "jail:www:memoryuse:deny=536870912", "ok", "demo")
    assert record.error is None
    assert record.line == ("2026-11-22T10:00:00Z user=alice(root) host=demo action=rctl-add "
                           "target=jail:www:memoryuse:deny=536870912 result=ok")
    log.record("jail-stop", "jail:www", "failed: line one\n  line two", "demo", detail="jid=5")
    lines = (tmp_path / "a" / "b" / "audit.log").read_text().splitlines()
    assert len(lines) == 2
    assert lines[1].endswith('result="failed: line one line two" detail=jid=5')
    assert dict(word.split("=", 1) for word in shlex.split(lines[1])[1:])["result"] == (
        "failed: line one line two")


def test_audit_default_path_follows_xdg_state_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "jailtui" / "audit.log"
    assert AuditLog().path == tmp_path / "jailtui" / "audit.log"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "state" / "jailtui" / "audit.log"


def test_audit_disabled_still_returns_lines_and_tails_memory() -> None:
    log = AuditLog(None, clock=lambda: NOON)
    assert log.record("undo", "x", "ok", "demo").line.startswith("2026-11-22T10:00:00Z user=")
    log.record("undo", "y", "ok", "demo")
    assert [line.split()[-2] for line in log.tail(5)] == ["target=x", "target=y"]
    assert len(log.tail(1)) == 1 and log.tail(0) == []


def test_unwritable_audit_log_does_not_break_actions(host, tmp_path, conf) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    actions = Actions(host, rctl_conf=conf, audit=AuditLog(blocker / "audit.log"))
    assert actions.add_rule(MEM_1G) == MEM_1G
    (warning,) = actions.take_warnings()
    assert re.match(rf"audit log {blocker}/audit\.log not written: ", warning)
    assert actions.take_warnings() == []
    assert "action=rctl-add" in actions.audit.tail(1)[0]


def test_persisting_into_a_crlf_file_keeps_its_endings_and_warns(actions, host, conf) -> None:
    conf.write_bytes(b"# limits\r\njail:www:memoryuse:deny=1g # web\r\n")
    actions.add_rule(MEM_512M, persist=True)
    assert actions.take_warnings() == []
    actions.add_rule("jail:www:maxproc:deny=100", persist=True)
    assert conf.read_bytes() == (b"# limits\r\njail:www:memoryuse:deny=536870912 # web\r\n"
                                 b"jail:www:maxproc:deny=100\r\n")
    assert actions.take_warnings() == [
        f"{conf} line 3: ends in CR LF: rc.d/rctl hands the rule to rctl -a with the CR "
        "attached, and rctl rejects it (convert the file to LF line endings)"]


def test_an_undo_that_half_fails_says_what_is_live_and_stays_undoable(actions, host) -> None:
    log_1g, log_2g = parse_rule("jail:www:memoryuse:log=1g"), parse_rule(
        "jail:www:memoryuse:log=2g")
    host.live = [log_1g]
    actions.add_rule(log_2g, replaces=log_1g)
    host.live = [MEM_1G, log_2g]
    host.fail_remove = "Operation not permitted"
    with pytest.raises(PartialChange) as caught:
        actions.undo()
    assert caught.value.message == (
        f"undo of rctl-add {log_2g} stopped: Operation not permitted; live now: "
        f"{MEM_1G}, {log_2g}, {log_1g}")
    assert caught.value.undoable and actions.can_undo
    host.fail_remove = ""
    actions.undo()
    assert host.live == [MEM_1G, log_1g]
