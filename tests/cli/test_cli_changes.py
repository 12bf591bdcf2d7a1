"""Changes through the CLI on the fake FreeBSD tools, done: stop, restart and start (text and
--json, through rc.d, jail -f CONF and a manager), limits rm and persist, console. Each test
checks the exit status, what was printed, the exact commands the fake tools ran, the host
afterwards and the audit record."""

from __future__ import annotations

import json
import re
from pathlib import Path

#: jail(8): -c creates, -r removes, both restart (usr.sbin/jail/jail.c main: 'c' sets
#: JF_START, 'r' sets JF_STOP); with -f the jail's exec.* and mount parameters come from CONF.
JAIL_F = ["jail", "-f", "/etc/jail.conf"]


def changes(fake, tool: str) -> list[list[str]]:
    """The calls of ``tool`` (the fake tools' log)."""
    return [call for call in fake.invocations() if call[0] == tool]


def running(fake) -> dict[str, int]:
    return {jail["name"]: jail["jid"] for jail in fake.state()["jails"]}


def audit_lines(tmp_path: Path) -> list[str]:
    """The audit log without each record's time and user."""
    return [re.sub(r"^\S+Z user=\S+ ", "", line)
            for line in (tmp_path / "audit.log").read_text().splitlines()]


def test_control_jail_stops_restarts_and_starts_with_jail_f_conf(cli, managed_freebsd,
                                                                  tmp_path) -> None:
    fake = managed_freebsd
    assert running(fake)["git7"] == 2 and running(fake)["git6"] == 116
    assert cli("--control", "jail", "stop", "git7") == (0, "git7: removed\n", "")
    assert changes(fake, "jail") == [[*JAIL_F, "-r", "git7"]]
    assert "git7" not in running(fake)
    assert fake.state()["removed"] == [["git7", "/etc/jail.conf"]]
    fake.clear_log()
    assert cli("--control", "jail", "restart", "git6") == (
        0, "git6: removed\ngit6: created\n", "")
    assert changes(fake, "jail") == [[*JAIL_F, "-rc", "git6"]]
    assert running(fake)["git6"] == 124
    fake.clear_log()
    assert cli("--control", "jail", "start", "git7") == (0, "git7: created\n", "")
    assert changes(fake, "jail") == [[*JAIL_F, "-c", "git7"]]
    assert running(fake)["git7"] == 125
    assert not changes(fake, "service")
    assert audit_lines(tmp_path) == [
        "host=local action=jail-stop target=jail:git7 result=ok",
        "host=local action=jail-restart target=jail:git6 result=ok",
        "host=local action=jail-start target=jail:git7 result=ok"]


def test_without_control_a_jail_rc_d_knows_goes_through_service(cli, managed_freebsd) -> None:
    fake = managed_freebsd
    code, out, err = cli("stop", "git7")
    assert (code, err) == (0, "")
    assert changes(fake, "service") == [["service", "jail", "onestop", "git7"]]
    assert not changes(fake, "jail") and "git7" not in running(fake)


def test_start_json_reports_the_new_jid_and_the_commands(cli, managed_freebsd) -> None:
    fake = managed_freebsd
    assert "db1" not in running(fake)
    code, out, err = cli("start", "db1", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert {key: doc[key] for key in ("schema", "kind", "action", "jail", "ok", "jid",
                                      "message")} == {
        "schema": 1, "kind": "action", "action": "start", "jail": "db1", "ok": True,
        "jid": 124, "message": "Starting jails: db1."}
    assert [(c["argv"], c["returncode"]) for c in doc["commands"]] == [
        (["service", "jail", "onestart", "db1"], 0),
        (["jls", "--libxo", "json", "-v", "-j", "db1"], 0)]
    assert doc["commands"][0]["stdout"] == "Starting jails: db1.\n"
    assert set(doc["commands"][0]) == {"argv", "returncode", "stdout", "stderr"}
    assert running(fake)["db1"] == 124


def test_a_failed_start_json_says_why_and_exits_1(cli, managed_freebsd) -> None:
    fake = managed_freebsd
    state = fake.state()
    state["config"]["db1"]["fail"] = "/bin/sh /etc/rc"
    fake.set_state(state)
    code, out, err = cli("start", "db1", "--json")
    doc = json.loads(out)
    assert (code, err) == (1, "")
    assert (doc["ok"], doc["jid"]) == (False, None)
    assert doc["message"].startswith("start db1 failed: ")
    assert "db1" not in running(fake)


def test_restart_json_through_the_jails_manager(cli, managed_freebsd) -> None:
    fake = managed_freebsd
    code, out, err = cli("restart", "www", "--json")
    doc = json.loads(out)
    assert (code, err, doc["ok"], doc["jid"]) == (0, "", True, 124)
    assert [c["argv"] for c in doc["commands"]] == [
        ["bastille", "restart", "www"], ["jls", "--libxo", "json", "-v", "-j", "www"]]
    assert changes(fake, "bastille") == [["bastille", "restart", "www"]]
    assert running(fake)["www"] == 124


def test_limits_rm_removes_the_matching_rule_live_and_in_rctl_conf(cli, managed_freebsd,
                                                                    tmp_path) -> None:
    fake = managed_freebsd
    conf = tmp_path / "rctl.conf"
    conf.write_text("# kept\njail:git7:maxproc:deny=200\njail:git7:pcpu:deny=50\n")
    assert cli("limits", "rm", "jail:git7:maxproc", "--persist") == (
        0, "removed jail:git7:maxproc:deny=200\n", "")
    assert changes(fake, "rctl")[-1] == ["rctl", "-r", "jail:git7:maxproc"]
    assert [rule for rule in fake.state()["rules"] if rule.startswith("jail:git7:")] == [
        "jail:git7:memoryuse:deny=1073741824", "jail:git7:pcpu:deny=50"]
    assert conf.read_text() == "# kept\njail:git7:pcpu:deny=50\n"
    assert audit_lines(tmp_path) == [
        f"host=local action=rctl-remove target=jail:git7:maxproc result=ok "
        f"detail=persist={conf}"]


def test_limits_rm_of_several_rules_needs_all(cli, managed_freebsd, tmp_path) -> None:
    fake = managed_freebsd
    code, out, err = cli("limits", "rm", "jail:git7")
    assert (code, out) == (1, "")
    assert err == ("jailtui: refusing to remove these 3 rules: jail:git7 matches 3 rules "
                   "(jail:git7:memoryuse:deny=1073741824, jail:git7:maxproc:deny=200, "
                   "jail:git7:pcpu:deny=50); nothing changed (add --all to do it without "
                   "asking)\n")
    assert not any("-r" in call for call in changes(fake, "rctl"))
    assert cli("limits", "rm", "jail:git7", "--all") == (
        0, "removed jail:git7:memoryuse:deny=1073741824\nremoved jail:git7:maxproc:deny=200\n"
           "removed jail:git7:pcpu:deny=50\n", "")
    assert changes(fake, "rctl")[-1] == ["rctl", "-r", "jail:git7"]
    assert not [rule for rule in fake.state()["rules"] if rule.startswith("jail:git7:")]
    assert not (tmp_path / "rctl.conf").exists()


def test_limits_persist_writes_the_live_rules_of_one_jail(cli, managed_freebsd,
                                                          tmp_path) -> None:
    conf = tmp_path / "rctl.conf"
    conf.write_text("jail:sto2:readbps:throttle=10485760\njail:git7:maxproc:deny=100\n")
    assert cli("limits", "persist", "git7") == (0, f"wrote the live jail rules to {conf}\n", "")
    assert changes(managed_freebsd, "rctl") == [["rctl", "jail:git7"]]
    assert conf.read_text() == ("jail:sto2:readbps:throttle=10485760\n"
                                "jail:git7:maxproc:deny=200\n"
                                "jail:git7:memoryuse:deny=1073741824\n"
                                "jail:git7:pcpu:deny=50\n")
    assert audit_lines(tmp_path) == [
        f"host=local action=rctl-persist target=jail:git7 result=ok detail=file={conf}"]


def test_console_runs_the_command_in_the_jail_and_records_it(cli, managed_freebsd,
                                                             tmp_path) -> None:
    script = 'echo "$USER in $JAILTUI_FAKE_JAIL"'
    assert cli("console", "git7", "/bin/sh", "-c", script) == (0, "root in git7\n", "")
    assert changes(managed_freebsd, "jexec") == [
        ["jexec", "-l", "-U", "root", "git7", "/bin/sh", "-c", script]]
    assert audit_lines(tmp_path) == [
        "host=local action=jail-shell target=jail:git7 result=ok "
        "detail=\"/bin/sh -c 'echo \\\"$USER in $JAILTUI_FAKE_JAIL\\\"'\""]
    assert cli("console", "git7", "/bin/sh", "-c", "exit 7")[0] == 7
