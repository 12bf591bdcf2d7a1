"""Who runs each jail and how jailtui starts, stops and restarts it, end to end: FreeBSDHost
and Actions against the fake rc.d/jail, jail(8), bastille and iocage (tests/fakebin), on a host
with a bastille jail, an iocage jail, a dotted child and a jail made by hand."""

from __future__ import annotations

import json
import time

import pytest

from jailtui.engine.actions import Actions, PersistFailed
from jailtui.engine.audit import AuditLog
from jailtui.engine.freebsd import FreeBSDHost
from jailtui.engine.managers import Refused

BASTILLE_WWW = "/usr/local/bastille/jails/www"
JLS_J = ["jls", "--libxo", "json", "-v", "-j"]


@pytest.fixture
def host(managed_freebsd) -> FreeBSDHost:
    return managed_freebsd.host()


@pytest.fixture
def actions(host: FreeBSDHost, tmp_path) -> Actions:
    return Actions(host, rctl_conf=tmp_path / "rctl.conf", audit=AuditLog(tmp_path / "audit.log"))


def removed(fake) -> list[list[str]]:
    """[name, config file] of each jail(8) removal; "" = found running only, no teardown."""
    return fake.state().get("removed", [])


def rules_of(fake, jail: str) -> list[str]:
    return [rule for rule in fake.state()["rules"] if rule.startswith(f"jail:{jail}:")]


def test_every_jail_has_its_manager_and_config(host: FreeBSDHost) -> None:
    jails = {jail.name: jail for jail in host.jails()}
    assert {name: (jail.manager, jail.conf) for name, jail in jails.items()} == {
        "git7": ("jail.conf", "/etc/jail.conf"), "sto2": ("jail.conf", "/etc/jail.conf"),
        "git6": ("jail.conf", "/etc/jail.conf"), "db1": ("jail.conf", "/etc/jail.conf"),
        "git7.ci": ("jail.conf", "/etc/jail.conf"),
        "www": ("bastille", f"{BASTILLE_WWW}/jail.conf"),
        "ioc-db": ("iocage", "/zroot/iocage/jails/db/config.json"),
        "scratch": ("none", ""),
    }
    assert not jails["scratch"].configured and jails["www"].configured


def test_stopped_managed_jails_are_listed_from_the_managers_files(managed_freebsd) -> None:
    fake = managed_freebsd
    state = fake.state()
    state["jails"] = [j for j in state["jails"] if j["name"] not in ("www", "ioc-db")]
    fake.set_state(state)
    jails = {jail.name: jail for jail in fake.host().jails()}
    www, db = jails["www"], jails["ioc-db"]
    assert (www.running, www.manager, www.hostname, www.path, www.ip4) == (
        False, "bastille", "www.example.org", f"{BASTILLE_WWW}/root", ("10.0.0.10",))
    assert (db.running, db.manager, db.hostname, db.path, db.ip4) == (
        False, "iocage", "db", "/zroot/iocage/jails/db/root", ("10.0.0.11",))


def test_a_bastille_jail_stops_through_bastille_with_its_teardown(managed_freebsd,
                                                                  actions: Actions) -> None:
    """Through ``service jail onestop`` rc.d would hand /etc/jail.conf to jail -r, which
    removes www by name only (state.c start_state): no exec.stop, no bastille teardown."""
    fake = managed_freebsd
    result = actions.stop("www")
    assert result.ok and result.jid is None
    calls = fake.invocations()
    assert ["bastille", "stop", "www"] in calls
    assert not any(call[0] == "service" for call in calls)
    assert removed(fake) == [["www", f"{BASTILLE_WWW}/jail.conf"]]
    assert rules_of(fake, "www") == []


def test_a_bastille_jail_restarts_with_a_new_jid_and_its_limits(managed_freebsd,
                                                                actions: Actions) -> None:
    """Through rc.d the jail would be removed and then not found in /etc/jail.conf: down."""
    fake = managed_freebsd
    result = actions.restart("www", expect_jid=120)
    assert result.ok and result.jid not in (None, 120)
    assert ["bastille", "restart", "www"] in fake.invocations()
    assert rules_of(fake, "www") == ["jail:www:memoryuse:deny=1073741824"]
    assert actions.host.jail("www").jid == result.jid


def test_an_iocage_jail_goes_through_iocage_by_its_own_name(managed_freebsd,
                                                            actions: Actions) -> None:
    fake = managed_freebsd
    result = actions.restart("ioc-db")
    assert result.ok and result.jid not in (None, 121)
    assert ["iocage", "restart", "db"] in fake.invocations()
    assert rules_of(fake, "ioc-db") == ["jail:ioc-db:memoryuse:deny=536870912"]
    assert actions.stop("ioc-db").ok
    assert ["iocage", "stop", "db"] in fake.invocations()
    assert rules_of(fake, "ioc-db") == []


@pytest.mark.parametrize("jail, manager, command", [
    ("www", "bastille", "bastille stop www"), ("ioc-db", "iocage", "iocage stop db")])
def test_a_manager_that_is_not_installed_is_named_and_nothing_runs(
        managed_freebsd, actions: Actions, jail: str, manager: str, command: str) -> None:
    fake = managed_freebsd
    fake.remove_file(f"/usr/local/bin/{manager}")
    fake.clear_log()
    with pytest.raises(Refused) as exc:
        actions.stop(jail)
    text = str(exc.value)
    assert f"run by {manager}" in text and f"/usr/local/bin/{manager} is not installed" in text
    assert command in text
    assert [call[0] for call in fake.invocations()] == ["jls"]
    assert fake.host().jail(jail).running
    assert f'action=jail-stop target=jail:{jail} result="failed: jail' in \
        actions.audit.path.read_text()


def test_a_jail_made_by_hand_is_refused_then_removed_only_with_force(managed_freebsd,
                                                                     actions: Actions) -> None:
    fake = managed_freebsd
    with pytest.raises(Refused) as exc:
        actions.stop("scratch")
    assert "made by hand" in str(exc.value) and "exec.prestop" in str(exc.value)
    assert "--force" in exc.value.hint
    assert [call[0] for call in fake.invocations()] == ["jls"]
    with pytest.raises(Refused, match="cannot be started again"):
        actions.restart("scratch", force=True)
    fake.clear_log()
    result = actions.stop("scratch", force=True)
    assert result.ok and fake.invocations()[1] == ["jail", "-r", "scratch"]
    assert removed(fake) == [["scratch", ""]]
    assert "action=jail-stop target=jail:scratch result=ok" in actions.audit.path.read_text()


def test_a_dotted_child_uses_jail_f_with_its_config(managed_freebsd, actions: Actions) -> None:
    """rc.d/jail would look for git7_ci (``tr /. _``) and skip the child without a word."""
    fake = managed_freebsd
    result = actions.restart("git7.ci", expect_jid=122)
    assert result.ok and result.jid not in (None, 122)
    assert ["jail", "-f", "/etc/jail.conf", "-rc", "git7.ci"] in fake.invocations()
    assert actions.stop("git7.ci").ok
    assert ["jail", "-f", "/etc/jail.conf", "-r", "git7.ci"] in fake.invocations()
    assert removed(fake)[-1] == ["git7.ci", "/etc/jail.conf"]


def test_control_jail_always_passes_the_config(managed_freebsd) -> None:
    fake = managed_freebsd
    host = fake.host(control="jail")
    assert host.stop("git7").ok
    assert ["jail", "-f", "/etc/jail.conf", "-r", "git7"] in fake.invocations()
    assert host.start("git7").ok
    assert ["jail", "-f", "/etc/jail.conf", "-c", "git7"] in fake.invocations()


def test_a_file_rc_d_would_pick_without_the_jail_is_bypassed(fake_freebsd) -> None:
    """rc.d/jail prefers /etc/jail.git6.conf; it does not define git6, so rc.d's stop would
    only remove git6 by name and its restart would leave it down."""
    fake = fake_freebsd
    fake.write_file("/etc/jail.git6.conf", "# moved to /etc/jail.conf\n")
    host = fake.host()
    result = host.restart("git6")
    assert result.ok and result.jid not in (None, 116)
    assert fake.invocations()[1] == ["jail", "-f", "/etc/jail.conf", "-rc", "git6"]
    assert fake.state()["removed"] == [["git6", "/etc/jail.conf"]]


def test_a_restart_that_keeps_the_old_jid_failed(fake_freebsd) -> None:
    """rc.d/jail exits 0 when jail -r fails and the start then finds the jail running: jls
    looks fine, the JID is the same, and rc.d printed the failure."""
    fake = fake_freebsd
    host = fake.host()
    git7 = host.jail("git7")
    fake.update(root=False)
    result = host.change("restart", "git7", jail=git7)
    assert not result.ok and result.jid == 2
    assert result.commands[0].returncode == 0
    assert "still runs as JID 2" in result.message
    assert 'jail: "git7" already exists' in result.message


def test_a_manager_restart_that_changed_nothing_failed(managed_freebsd) -> None:
    """bastille exits 0 when its jail -r fails (stop.sh) and start.sh finds the jail still
    running ("Jail is already running."): no failure line, only the same JID tells."""
    fake = managed_freebsd
    host = fake.host()
    www = host.jail("www")
    fake.update(root=False)
    result = host.change("restart", "www", jail=www)
    assert result.commands[0].argv == ("bastille", "restart", "www")
    assert result.commands[0].returncode == 0
    assert not result.ok and result.jid == 120
    assert result.message.startswith("restart www failed: it still runs as JID 120")


def test_rc_d_failure_lines_count_even_when_jls_looks_right(fake_freebsd) -> None:
    """A start that rc.d reports as failed is a failure though the jail runs (someone else
    started it meanwhile, as jls shows)."""
    fake = fake_freebsd
    host = fake.host()
    stale = host.jail("db1")
    fake.clear_log()
    assert host.start("db1").ok
    result = host.change("start", "db1", jail=stale)
    assert not result.ok and result.jid is not None
    assert 'start db1 failed: jail: "db1" already exists' == result.message


def test_a_timeout_leaves_the_restart_running_and_reports_the_state(fake_freebsd) -> None:
    """rc.d is not killed half-way: the restart goes on and the jail comes back."""
    fake = fake_freebsd
    fake.update(rc_pause=2)
    host = fake.host(change_timeout=0.5)
    started = time.monotonic()
    result = host.restart("git7")
    assert time.monotonic() - started < 2
    assert not result.ok and result.jid is None
    assert result.message == ("restart git7: service jail onerestart git7 gave no answer in "
                              "0.5 s and was left running; git7 is not running now")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not _running(fake, "git7"):
        time.sleep(0.2)
    assert _running(fake, "git7") and fake.host().jail("git7").jid == 117


def _running(fake, name: str) -> bool:
    return any(jail["name"] == name for jail in fake.state()["jails"])


# -- rules on managed jails --------------------------------------------------------------------


def test_a_deny_limit_on_a_bastille_jail_is_kept_by_bastille(managed_freebsd,
                                                             actions: Actions) -> None:
    fake = managed_freebsd
    rule = actions.add_rule("jail:www:memoryuse:deny=512m", persist=True)
    assert ["bastille", "limits", "www", "remove", "memoryuse"] in fake.invocations()
    assert ["bastille", "limits", "www", "add", "memoryuse", "536870912"] in fake.invocations()
    assert fake.read_file(f"{BASTILLE_WWW}/rctl.conf") == \
        "jail:www:memoryuse:deny=536870912/jail\n"
    assert not (actions.conf.path.exists() and str(rule) in actions.conf.path.read_text())
    assert actions.kept_by.endswith("bastille limits www add memoryuse 536870912")
    assert actions.restart("www").ok
    assert rules_of(fake, "www") == ["jail:www:memoryuse:deny=536870912"]


def test_without_bastille_the_limit_reverts_at_restart_and_jailtui_says_so(
        managed_freebsd, actions: Actions) -> None:
    """bastille start re-adds its own 1G deny, replacing the live 512M one (kern_rctl.c)."""
    fake = managed_freebsd
    actions.add_rule("jail:www:memoryuse:deny=512m")
    notes = actions.take_warnings()
    assert len(notes) == 1 and "jail www is run by bastille" in notes[0]
    assert "replacing a deny rule of the same resource" in notes[0]
    assert actions.restart("www").ok
    assert rules_of(fake, "www") == ["jail:www:memoryuse:deny=1073741824"]


def test_bastille_keeps_deny_rules_only(managed_freebsd, actions: Actions) -> None:
    fake = managed_freebsd
    actions.add_rule("jail:www:maxproc:log=100", persist=True)
    assert not any(call[0] == "bastille" for call in fake.invocations())
    assert "jail:www:maxproc:log=100" in actions.conf.path.read_text()
    assert any("bastille" in note for note in actions.take_warnings())


def test_bastille_doing_nothing_is_a_persist_failure(managed_freebsd, actions: Actions) -> None:
    """limits.sh prints "Jail is not running." and exits 0 for a stopped jail."""
    fake = managed_freebsd
    state = fake.state()
    state["jails"] = [j for j in state["jails"] if j["name"] != "www"]
    fake.set_state(state)
    with pytest.raises(PersistFailed) as exc:
        actions.add_rule("jail:www:pcpu:deny=50", persist=True)
    assert "bastille did not keep it" in str(exc.value)
    assert "did not write jail:www:pcpu:deny=50/jail" in str(exc.value)


def test_an_iocage_limit_is_kept_as_its_property(managed_freebsd, actions: Actions) -> None:
    fake = managed_freebsd
    actions.add_rule("jail:ioc-db:memoryuse:deny=256m", persist=True)
    assert ["iocage", "set", "memoryuse=deny=268435456", "db"] in fake.invocations()
    conf = json.loads(fake.read_file("/zroot/iocage/jails/db/config.json"))
    assert conf["memoryuse"] == "deny=268435456"
    assert actions.restart("ioc-db").ok
    assert rules_of(fake, "ioc-db") == ["jail:ioc-db:memoryuse:deny=268435456"]


def test_an_iocage_rule_of_another_action_is_not_forced_over_its_property(
        managed_freebsd, actions: Actions) -> None:
    """iocage keeps one rule per resource: setting memoryuse=log would drop its deny."""
    fake = managed_freebsd
    actions.add_rule("jail:ioc-db:memoryuse:log=1g", persist=True)
    assert not any(call[0] == "iocage" for call in fake.invocations())
    notes = actions.take_warnings()
    assert any("iocage keeps memoryuse=deny=512m" in note for note in notes)


def test_a_live_rule_on_an_iocage_jail_is_gone_after_restart_as_warned(
        managed_freebsd, actions: Actions) -> None:
    fake = managed_freebsd
    actions.add_rule("jail:ioc-db:maxproc:deny=50")
    assert any("gone after the next restart" in note for note in actions.take_warnings())
    assert actions.restart("ioc-db").ok
    assert "jail:ioc-db:maxproc:deny=50" not in rules_of(fake, "ioc-db")


def test_removing_a_managed_rule_says_what_brings_it_back(managed_freebsd,
                                                          actions: Actions) -> None:
    actions.remove_rules("jail:www:memoryuse")
    assert any("bastille limits www remove memoryuse" in note
               for note in actions.take_warnings())


def test_undo_of_a_kept_rule_says_the_manager_still_keeps_it(managed_freebsd,
                                                             actions: Actions) -> None:
    actions.add_rule("jail:ioc-db:memoryuse:deny=256m", persist=True)
    actions.undo()
    assert ("jail:ioc-db:memoryuse:deny=268435456 stays kept by iocage set "
            "memoryuse=deny=268435456 db: the jail's next start applies it again"
            ) in actions.take_warnings()


def test_sample_warns_about_a_config_jail_8_cannot_load(fake_freebsd) -> None:
    fake = fake_freebsd
    fake.write_file("/etc/jail.conf.d/broken.conf", "broken { path = ; }\n")
    sample = fake.host().sample()
    assert any(w.startswith("/etc/jail.conf.d/broken.conf: jail.conf line 1")
               for w in sample.warnings)
