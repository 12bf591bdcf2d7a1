"""Jails defined only by the obsolete rc.conf variables (``jail_NAME_rootdir``,
``jail_NAME_hostname``, ``jail_NAME_ip``): rc.d/jail still starts and stops them, writing
/var/run/jail.NAME.conf each time (libexec/rc/rc.d/jail parse_options), so jailtui acts on them
through ``service jail`` instead of refusing them as made by hand."""

from __future__ import annotations

import pytest

from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog

RC_CONF = ('hostname="watermelon"\njail_enable="YES"\njail_list="legacy"\n'
           'jail_legacy_rootdir="/usr/jails/legacy"\n'
           'jail_legacy_hostname="legacy.example.org"\n'
           'jail_legacy_ip="em0|192.0.2.7/24,2001:db8::7"\n'
           'jail_legacy_ip_multi0="192.0.2.8"\n')


@pytest.fixture
def legacy(managed_freebsd):
    """The managed fake host with jail ``legacy`` in rc.conf only, not running."""
    managed_freebsd.write_file("/etc/rc.conf", RC_CONF)
    return managed_freebsd


def test_a_stopped_rc_conf_jail_is_listed_with_its_variables(legacy) -> None:
    jail = {jail.name: jail for jail in legacy.host().jails()}["legacy"]
    assert (jail.running, jail.configured, jail.manager, jail.hostname, jail.path) == (
        False, True, "rc.conf", "legacy.example.org", "/usr/jails/legacy")
    assert (jail.ip4, jail.ip6) == (("192.0.2.7", "192.0.2.8"), ("2001:db8::7",))


def test_an_rc_conf_jail_starts_and_stops_through_rc_d(legacy, tmp_path) -> None:
    actions = Actions(legacy.host(), rctl_conf=tmp_path / "rctl.conf",
                      audit=AuditLog(tmp_path / "audit.log"))
    result = actions.start("legacy")
    assert result.ok and result.jid is not None
    assert ["service", "jail", "onestart", "legacy"] in legacy.invocations()
    generated = legacy.read_file("/var/run/jail.legacy.conf")
    assert generated is not None and 'path = "/usr/jails/legacy";' in generated
    running = {jail.name: jail for jail in legacy.host().jails()}["legacy"]
    assert (running.jid, running.manager, running.hostname) == (
        result.jid, "rc.conf", "legacy.example.org")
    legacy.clear_log()
    assert actions.stop("legacy").ok
    assert ["service", "jail", "onestop", "legacy"] in legacy.invocations()
    assert legacy.state()["removed"][-1] == ["legacy", "/var/run/jail.legacy.conf"]


def test_control_jail_still_goes_through_rc_d(legacy) -> None:
    """There is no file to hand jail(8): rc.d writes it from rc.conf at each start."""
    host = legacy.host(control="jail")
    assert host.start("legacy").ok
    assert ["service", "jail", "onestart", "legacy"] in legacy.invocations()
    assert not any(call[0] == "jail" for call in legacy.invocations())


def test_rc_conf_variables_win_over_a_jail_conf_entry(legacy) -> None:
    """parse_options takes the rc.conf branch before looking at any jail.conf."""
    legacy.write_file("/etc/rc.conf", RC_CONF.replace("legacy", "git7"))
    jail = {jail.name: jail for jail in legacy.host().jails()}["git7"]
    assert (jail.manager, jail.conf) == ("rc.conf", "")


def test_a_failed_start_names_the_rc_conf_hostname_and_is_reported(legacy) -> None:
    """rc.d prints ``cannot start jail "${_hostname:-${_j}}"``: the hostname, not the name;
    the failure is read all the same (service exits 0)."""
    state = legacy.state()
    state["config"]["legacy"] = {"fail": "mount.fstab", "fail_output": ["mount: nope"]}
    legacy.set_state(state)
    result = legacy.host().start("legacy")
    assert not result.ok and "mount.fstab: failed" in result.message


def test_without_an_address_or_vimage_rc_d_ignores_the_jail(legacy) -> None:
    legacy.write_file("/etc/rc.conf", RC_CONF.replace(
        'jail_legacy_ip="em0|192.0.2.7/24,2001:db8::7"\n', ""))
    state = legacy.state()
    state["sysctl"] = {**state.get("sysctl", {}), "kern.features.vimage": None}
    legacy.set_state(state)
    result = legacy.host().start("legacy")
    assert not result.ok and "no ipaddress specified and no vimage support" in result.message


def test_names_rc_d_would_rewrite_are_not_rc_conf_jails(legacy) -> None:
    """``jail_git7_ci_rootdir`` is what rc.d reads for git7.ci (``tr /. _``), but the jail
    it makes is git7_ci: the running git7.ci stays its jail.conf's."""
    legacy.write_file("/etc/rc.conf", RC_CONF.replace("legacy", "git7_ci"))
    jails = {jail.name: jail for jail in legacy.host().jails()}
    assert jails["git7.ci"].manager == "jail.conf"
    assert (jails["git7_ci"].manager, jails["git7_ci"].running) == ("rc.conf", False)
