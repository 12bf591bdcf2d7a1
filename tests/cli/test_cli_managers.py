"""The CLI on a FreeBSD host with managed, dotted and hand-made jails (the fake tools and the
fake host's files): the MANAGER column, start/stop/restart through the right tool or a
one-line refusal, --force, and rules kept by a manager."""

from __future__ import annotations

import json

import pytest

from jailtui.cli import main


@pytest.fixture
def cli(managed_freebsd, monkeypatch, capsys, tmp_path):
    """``cli("ls")`` -> (exit status, stdout, stderr) with the engine on the fake host."""
    monkeypatch.setattr("jailtui.engine.freebsd.LocalRunner", managed_freebsd.runner)
    changes = ["--rctl-conf", str(tmp_path / "rctl.conf"), "--audit-log",
               str(tmp_path / "audit.log")]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--backend", "freebsd", *changes, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ls_shows_who_runs_each_jail(cli) -> None:
    code, out, err = cli("ls")
    assert code == 0 and err == ""
    lines = {line.split()[1]: line.split() for line in out.splitlines()[3:] if line.strip()
             and line.split()[0] in ("-", *map(str, range(200)))}
    assert {name: cells[3] for name, cells in lines.items()} == {
        "git7": "jail.conf", "sto2": "jail.conf", "git6": "jail.conf", "www": "bastille",
        "ioc-db": "iocage", "git7.ci": "jail.conf", "scratch": "none", "db1": "jail.conf"}
    assert out.splitlines()[1].split()[:4] == ["JID", "NAME", "STATE", "MANAGER"]


def test_ls_json_has_manager_and_conf(cli) -> None:
    code, out, _ = cli("ls", "--json")
    jails = {jail["name"]: jail for jail in json.loads(out)["jails"]}
    assert (jails["www"]["manager"], jails["www"]["conf"]) == (
        "bastille", "/usr/local/bastille/jails/www/jail.conf")
    assert (jails["scratch"]["manager"], jails["scratch"]["conf"]) == ("none", None)
    assert jails["git7.ci"]["conf"] == "/etc/jail.conf"


def test_stop_and_restart_go_through_the_right_tool(cli, managed_freebsd) -> None:
    assert cli("stop", "www")[0] == 0
    assert cli("restart", "ioc-db")[0] == 0
    assert cli("restart", "git7.ci")[0] == 0
    calls = managed_freebsd.invocations()
    assert ["bastille", "stop", "www"] in calls and ["iocage", "restart", "db"] in calls
    assert ["jail", "-f", "/etc/jail.conf", "-rc", "git7.ci"] in calls
    assert not any(call[0] == "service" for call in calls)


def test_a_jail_made_by_hand_needs_force(cli, managed_freebsd) -> None:
    code, out, err = cli("stop", "scratch")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert err.startswith('jailtui: no jail.conf or jail manager knows jail "scratch" (made by '
                          "hand): a stop can only remove it with jail -r, which skips "
                          "exec.prestop, exec.stop and exec.poststop")
    assert "(stop it with --force to remove it anyway)" in err
    assert not any(call[0] == "jail" for call in managed_freebsd.invocations())
    code, _, err = cli("restart", "scratch", "--force")
    assert code == 1 and "cannot be started again after a stop" in err
    code, out, _ = cli("stop", "scratch", "--force")
    assert code == 0
    assert ["jail", "-r", "scratch"] in managed_freebsd.invocations()


def test_a_missing_manager_is_named_with_the_command_to_use(cli, managed_freebsd) -> None:
    managed_freebsd.remove_file("/usr/local/bin/bastille")
    code, _, err = cli("restart", "www")
    assert code == 1
    assert "is run by bastille, but /usr/local/bin/bastille is not installed" in err
    assert "use bastille restart www where bastille is installed" in err


def test_limits_on_managed_jails_are_kept_or_warned(cli, managed_freebsd, tmp_path) -> None:
    code, out, err = cli("limits", "add", "jail:www:memoryuse:deny=512m", "--persist")
    assert code == 0 and err == ""
    assert out == ("added jail:www:memoryuse:deny=536870912 (kept by bastille limits www "
                   "remove memoryuse && bastille limits www add memoryuse 536870912)\n")
    assert not (tmp_path / "rctl.conf").exists()
    code, out, err = cli("limits", "add", "jail:ioc-db:maxproc:deny=10")
    assert code == 0 and out == "added jail:ioc-db:maxproc:deny=10\n"
    assert err.startswith("jailtui: warning: jail ioc-db is run by iocage: iocage stop removes "
                          "every rule of jail:ioc-db")


def test_ls_warns_about_a_config_it_cannot_use(cli, managed_freebsd) -> None:
    managed_freebsd.write_file("/etc/jail.conf.d/bad.conf", "bad { path = ; }\n")
    code, out, err = cli("ls")
    assert code == 0 and "git7" in out
    assert err == ("jailtui: warning: /etc/jail.conf.d/bad.conf: jail.conf line 1: a value "
                   "expected, found ';': jail(8) cannot use /etc/jail.conf.d/bad.conf\n")


def test_ls_warns_about_a_managers_jail_conf_it_cannot_use(cli, managed_freebsd) -> None:
    """bastille hands its jail's own jail.conf to jail(8): one that cannot load is named, file
    and line, on one line of stderr, and the jail is still listed."""
    conf = "/usr/local/bastille/jails/www/jail.conf"
    managed_freebsd.write_file(conf, "www {\n  host.hostname = ;\n}\n")
    code, out, err = cli("ls")
    assert code == 0 and "www" in out
    assert err == (f"jailtui: warning: {conf}: jail.conf line 2: a value expected, found ';': "
                   f"jail(8) cannot use {conf}\n")
