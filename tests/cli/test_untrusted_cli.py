"""The CLI on a host whose names, hostnames, paths, users and commands are hostile (the fake
FreeBSD tools, which write raw controls into JSON as libxo does): every byte printed to the
terminal is inert, markup-looking names print as they are, JSON keeps the exact strings, and
errors stay one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from jailtui.engine.vis import vis

from hostile import HOSTILE, assert_inert, assert_inert_bytes, hostile_fake_state, hostile_text

LINE = HOSTILE.replace("\r", "")
NAME = f"git7{LINE}"
SHOWN = vis(HOSTILE)


def jailtui(*argv: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    """``jailtui --backend freebsd ARGV`` as a separate process, its output as bytes."""
    conf = tmp_path / "jail.conf"
    conf.touch()
    return subprocess.run(
        [sys.executable, "-m", "jailtui.cli", "--backend", "freebsd", "--jail-conf", str(conf),
         "--audit-log", str(tmp_path / "audit.log"), "--rctl-conf", str(tmp_path / "rctl.conf"),
         *argv], capture_output=True, timeout=60, env=os.environ.copy())


@pytest.fixture
def hostile(fake_freebsd):
    fake_freebsd.set_state(hostile_fake_state(fake_freebsd.state()))
    return fake_freebsd


@pytest.mark.parametrize("argv", [
    ["ls"], ["ps"], ["ps", NAME], ["usage"], ["usage", NAME], ["limits"], ["limits", NAME],
    ["top", "-n", "1", "-d", "0.05"],
])
def test_every_table_prints_hostile_text_inert(hostile, tmp_path, argv) -> None:
    result = jailtui(*argv, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_inert_bytes(result.stdout)
    assert_inert_bytes(result.stderr)
    assert b"\\e]2;pwned-title\\a" in result.stdout or b"^[]2;pwned-title^G" in result.stdout


def test_json_keeps_the_exact_strings_escaped(hostile, tmp_path) -> None:
    result = jailtui("ls", "--json", tmp_path=tmp_path)
    assert result.returncode == 0
    assert all(0x20 <= byte < 0x7F or byte == 0x0A for byte in result.stdout)
    doc = json.loads(result.stdout)
    assert doc["host"]["hostname"] == f"watermelon{LINE}"
    assert NAME in {jail["name"] for jail in doc["jails"]}


def test_a_change_prints_its_hostile_output_and_audits_it_inert(hostile, tmp_path) -> None:
    result = jailtui("--control", "jail", "stop", "--force", NAME, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_inert_bytes(result.stdout)
    assert vis(NAME).encode() in result.stdout
    log = (tmp_path / "audit.log").read_bytes()
    assert_inert_bytes(log)
    assert log.count(b"\n") == 1


@pytest.mark.parametrize("argv", [["usage", "[/]"], ["limits", "[/]"]])
def test_a_jail_named_like_markup_prints_as_it_is(fake_freebsd, tmp_path, argv) -> None:
    state = fake_freebsd.state()
    state["jails"][0]["name"] = "[/]"
    state["usage"]["[/]"] = state["usage"].pop("git7")
    state["rules"] = [r for r in state["rules"] if not r.startswith("jail:git7:")]
    fake_freebsd.set_state(state)
    result = jailtui(*argv, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    expected = b"[/] (JID 2)" if argv[0] == "usage" else b"no rules for jail [/]"
    assert expected in result.stdout


@pytest.mark.parametrize("argv", [["usage", "[/]"], ["limits", "[/]"], ["ps", "[/]"],
                                  ["usage", "db[prod]"], ["stop", f"x{HOSTILE}"]])
def test_an_unknown_hostile_name_is_a_one_line_error(fake_freebsd, tmp_path, argv) -> None:
    result = jailtui(*argv, tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stdout == b""
    assert_inert_bytes(result.stderr)
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith(f'jailtui: jail "{vis(argv[1])}" not found')
    assert b"Traceback" not in result.stderr


def test_a_hostile_usage_error_is_inert(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "jailtui.cli", "ls", f"x{HOSTILE}"],
                            capture_output=True, timeout=60)
    assert result.returncode == 2
    assert_inert_bytes(result.stderr)
    first, second = result.stderr.decode().splitlines()
    assert first == f"jailtui: error: unrecognized arguments: x{SHOWN}"


def test_a_failed_change_also_says_its_audit_record_was_lost(capsys, tmp_path) -> None:
    from jailtui.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    code = main(["--demo", "--audit-log", str(blocker / "audit.log"), "--rctl-conf",
                 str(tmp_path / "rctl.conf"), "limits", "add", "jail:nosuch:memoryuse:deny=1g"])
    _, err = capsys.readouterr()
    assert code == 1
    error, warning = err.splitlines()
    assert error.startswith('jailtui: jail "nosuch" not found')
    assert warning.startswith(f"jailtui: warning: audit log {blocker}/audit.log not written: ")


def test_child_jails_named_like_markup_are_noted_as_they_are(fake_freebsd, tmp_path) -> None:
    state = fake_freebsd.state()
    for jid, name in ((3, "b[/]"), (117, f"b[/].c[bold]{HOSTILE}")):
        state["jails"].append({"jid": jid, "name": name.replace("\r", ""), "hostname": name,
                               "path": f"/jails/{jid}", "ip4": [], "ip6": [], "cpusetid": jid,
                               "dying": False, "params": {}})
    fake_freebsd.set_state(state)
    result = jailtui("ls", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_inert_bytes(result.stdout)
    assert (f"racct of b[/] includes its child jails: b[/].c[bold]{vis(LINE)}".encode()
            in result.stdout.replace(b"\n", b""))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile_text.filter(lambda text: text and not text.isdigit() and not text.startswith("-")))
def test_any_hostile_jail_name_is_one_inert_error_line(capsys, text: str) -> None:
    from jailtui.cli import main

    for argv in (["usage", text], ["limits", text], ["ps", text]):
        assert main(["--demo", *argv]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert_inert(err, keep="\n")
        assert err.endswith("\n") and err.count("\n") == 1, err
