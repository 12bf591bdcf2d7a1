"""The jailtui CLI on the demo host: output, JSON schema, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jailtui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def changes(tmp_path: Path) -> list[str]:
    """Global options that keep rctl.conf and the audit log inside tmp_path."""
    return ["--rctl-conf", str(tmp_path / "rctl.conf"), "--audit-log", str(tmp_path / "audit.log")]


def test_ls_table_lists_running_and_stopped(capsys) -> None:
    code, out, _ = run(capsys, "ls")
    assert code == 0
    assert "ACTIVE" in out and "STOPPED" in out
    assert "percent of one core" in out


def test_ls_json_schema(capsys) -> None:
    doc = run_json(capsys, "ls")
    assert doc["schema"] == 1 and doc["kind"] == "jails"
    assert {"hostname", "osrelease", "ncpu", "racct"} <= doc["host"].keys()
    jails = doc["jails"]
    assert len(jails) == 12
    for jail in jails:
        assert {"name", "jid", "state", "ip4", "ip6", "nproc", "cpu_percent", "rss",
                "limits"} <= jail.keys()
    assert any(j["state"] == "STOPPED" and j["jid"] is None for j in jails)
    assert any(j["ip6"] for j in jails)


def test_ps_json_for_one_jail(capsys) -> None:
    name = next(j["name"] for j in run_json(capsys, "ls")["jails"] if j["running"])
    doc = run_json(capsys, "ps", name)
    assert doc["kind"] == "processes" and doc["processes"]
    assert {p["jail"] for p in doc["processes"]} == {name}
    assert all(isinstance(p["pid"], int) and isinstance(p["rss"], int) for p in doc["processes"])


def test_ps_host_processes_render_literally(capsys) -> None:
    code, out, _ = run(capsys, "ps", "--host")
    assert code == 0
    assert "[idle]" in out


def test_usage_table_and_one_jail(capsys) -> None:
    code, out, _ = run(capsys, "usage")
    assert code == 0 and "MEMORYUSE" in out
    name = next(j["name"] for j in run_json(capsys, "ls")["jails"] if j["running"])
    code, out, _ = run(capsys, "usage", name)
    assert code == 0
    for resource in ("cputime", "memoryuse", "wallclock", "writeiops"):
        assert resource in out
    doc = run_json(capsys, "usage", name)
    assert len(doc["jails"][0]["usage"]) == 25


def test_limits_add_persist_and_remove(capsys, changes, tmp_path) -> None:
    name = next(j["name"] for j in run_json(capsys, "ls")["jails"] if j["running"])
    code, out, err = run(capsys, *changes, "limits", "add", f"jail:{name}:memoryuse:deny=8g",
                         "--persist")
    assert code == 0, err
    assert f"jail:{name}:memoryuse:deny=8589934592" in out
    assert f"jail:{name}:memoryuse:deny=8589934592" in (tmp_path / "rctl.conf").read_text()
    audit = (tmp_path / "audit.log").read_text()
    assert "action=rctl-add" in audit or "rctl" in audit


def test_top_one_shot_json(capsys) -> None:
    doc = run_json(capsys, "top", "-n", "1", "-d", "0.05")
    assert doc["kind"] == "top" and doc["jails"]


@pytest.mark.parametrize("argv, code, needle", [
    (["limits", "add", "jail:www:memoryuse:deny=10q"], 2, "invalid numeric value '10q'"),
    (["limits", "add", "jail:www:wallclock:deny=10"], 2, "wallclock cannot be denied"),
    (["limits", "add", "jail:nosuchjail:memoryuse:deny=1g"], 1, 'jail "nosuchjail" not found'),
    (["ps", "nosuchjail"], 1, 'jail "nosuchjail" not found'),
    (["start", "nosuchjail"], 1, 'jail "nosuchjail" not found'),
    (["usage", "nosuchjail"], 1, 'jail "nosuchjail" not found'),
    (["limits", "rm", "jail"], 2, "invalid rule"),
    (["limits", "add", "jail:www:memoryuse:deny=1g\njail:db:memoryuse:deny=1g"], 2,
     r"invalid numeric value '1g\njail:db:memoryuse:deny=1g'"),
    (["limits", "add", "-jail:www:memoryuse:deny=1g"], 2, "unknown subject '-jail'"),
    (["limits", "rm", "-j:www"], 2, "unknown subject '-j'"),
    (["limits", "add", "jail:www:pcpu:deny=9223372036855"], 2,
     "'9223372036855' is too large (at most 9223372036854)"),
])
def test_bad_input_is_one_line_error(capsys, changes, argv, code, needle) -> None:
    got, out, err = run(capsys, *changes, *argv)
    assert got == code
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_read_only_refuses_changes(capsys, changes) -> None:
    got, _, err = run(capsys, *changes, "--read-only", "limits", "add",
                      "jail:www:memoryuse:deny=1g")
    assert got == 1 and "read-only" in err


def test_unknown_command_is_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "jailtui.cli", "frobnicate"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


def test_engine_and_ls_json_never_import_textual() -> None:
    code = ("import sys, io, contextlib\n"
            "import jailtui.engine, jailtui.engine.sampler, jailtui.engine.actions\n"
            "import jailtui.engine.freebsd, jailtui.engine.simulated\n"
            "assert 'textual' not in sys.modules, 'engine imported textual'\n"
            "import jailtui.present, jailtui.wiring\n"
            "assert 'textual' not in sys.modules, 'present or wiring imported textual'\n"
            "from jailtui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['--demo', 'ls', '--json']) == 0\n"
            "assert 'textual' not in sys.modules, 'ls --json imported textual'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_usage_as_non_root_is_an_error_not_dashes(capsys, fake_freebsd) -> None:
    fake_freebsd.update(root=False)
    for argv in (["usage"], ["usage", "git7"]):
        code = main(["--backend", "freebsd", "--jail-conf", "/nonexistent", *argv])
        _, err = capsys.readouterr()
        assert code == 1
        assert "Operation not permitted" in err and "root" in err


def test_racct_disabled_gives_the_fix(capsys, fake_freebsd) -> None:
    fake_freebsd.update(racct="disabled")
    code = main(["--backend", "freebsd", "--jail-conf", "/nonexistent", "usage"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == ("jailtui: RACCT/RCTL present, but disabled "
                           "(add kern.racct.enable=1 to /boot/loader.conf and reboot)")
    code = main(["--backend", "freebsd", "--jail-conf", "/nonexistent", "ls"])
    out, _ = capsys.readouterr()
    assert code == 0 and "git7" in out and "racct off" in out


def test_racct_reason_and_fix_come_apart_whole(capsys, fake_freebsd) -> None:
    """The fix is its own field: a reason holding "; " is never cut into reason and fix."""
    fake_freebsd.update(sysctl={"kern.racct.enable": "2; 3"})
    code = main(["--backend", "freebsd", "--jail-conf", "/nonexistent", "usage"])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "jailtui: sysctl: kern.racct.enable is not 0 or 1: '2; 3' "
        "(add kern.racct.enable=1 to /boot/loader.conf and reboot)")
    fake_freebsd.update(sysctl={}, racct="absent")
    assert main(["--backend", "freebsd", "--jail-conf", "/nonexistent", "usage"]) == 1
    assert capsys.readouterr().err.strip() == (
        "jailtui: RACCT/RCTL support not present in kernel "
        "(build a kernel with options RACCT and RCTL)")
    fake_freebsd.update(racct="disabled")
    assert main(["--backend", "freebsd", "--jail-conf", "/nonexistent", "ls", "--json"]) == 0
    racct = json.loads(capsys.readouterr().out)["host"]["racct"]
    assert racct["reason"] == ("RACCT/RCTL present, but disabled; "
                               "add kern.racct.enable=1 to /boot/loader.conf and reboot")


FREEBSD = ["--backend", "freebsd", "--jail-conf", "/nonexistent"]


def test_limits_as_non_root_says_the_rules_cannot_be_read(capsys, fake_freebsd) -> None:
    code = main([*FREEBSD, "limits"])
    out, _ = capsys.readouterr()
    assert code == 0 and "jail:git7:memoryuse:deny=1073741824" in out
    fake_freebsd.update(root=False)
    for argv in (["limits"], ["limits", "git7"]):
        code = main([*FREEBSD, *argv])
        out, err = capsys.readouterr()
        assert code == 1
        assert err == ("jailtui: cannot read rules: failed to show rules for 'jail:': Operation "
                       "not permitted (run jailtui as root on the host, not inside a jail)\n")
        assert "no rules" not in out
    code = main([*FREEBSD, "limits", "--json"])
    out, _ = capsys.readouterr()
    doc = json.loads(out)
    assert code == 1
    assert doc["kind"] == "limits" and doc["rules"] == []
    assert doc["error"].startswith("cannot read rules: failed to show rules for 'jail:': "
                                   "Operation not permitted")


def test_limits_json_has_no_error_when_the_rules_were_read(capsys) -> None:
    doc = run_json(capsys, "limits")
    assert doc["error"] is None and doc["rules"]


def test_two_concurrent_persists_never_lose_a_rule(tmp_path) -> None:
    conf = tmp_path / "rctl.conf"
    conf.write_text("# shared\n")
    names = ["www", "db", "mail", "dns", "git", "cache"]
    for amount in range(1, 4):
        procs = [subprocess.Popen(
            [sys.executable, "-m", "jailtui.cli", "--demo", "--rctl-conf", str(conf),
             "--audit-log", str(tmp_path / "audit.log"), "limits", "add",
             f"jail:{name}:maxproc:log={amount}", "--persist"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for name in names]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    lines = sorted(line for line in conf.read_text().splitlines() if not line.startswith("#"))
    assert lines == sorted(f"jail:{name}:maxproc:log={amount}" for name in names
                           for amount in range(1, 4))
