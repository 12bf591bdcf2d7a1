"""The CLI and the dashboard build their host and actions through one function: the same
settings reach both, and both say once when the demo stands in for a FreeBSD host."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jailtui import cli
from jailtui.engine.simulated import SimulatedHost
from jailtui.tui.app import build
from jailtui.wiring import wire

NOTICE = "jailtui: not FreeBSD: showing the simulated demo host (--demo)\n"


@pytest.fixture
def not_freebsd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")


def argv(tmp_path: Path, *more: str) -> list[str]:
    return ["--audit-log", str(tmp_path / "a.log"), "--rctl-conf", str(tmp_path / "r.conf"),
            "--read-only", "--shell", "/bin/csh", *more]


def test_wire_builds_the_host_and_actions_the_settings_name(tmp_path, not_freebsd) -> None:
    wiring = wire(cli.parse_args(argv(tmp_path, "--demo-jails", "3")))
    assert isinstance(wiring.host, SimulatedHost) and len(wiring.host.jails()) == 3
    assert wiring.actions.host is wiring.host
    assert wiring.actions.read_only
    assert wiring.actions.conf.path == tmp_path / "r.conf"
    assert wiring.actions.audit.path == tmp_path / "a.log"
    assert wiring.actions.shell_command == ("/bin/csh",)
    assert wiring.notice == "not FreeBSD: showing the simulated demo host (--demo)"
    assert wire(cli.parse_args(argv(tmp_path, "--demo"))).notice is None


def test_the_cli_and_the_dashboard_say_the_demo_stands_in(tmp_path, not_freebsd,
                                                          capsys) -> None:
    assert cli.main([*argv(tmp_path), "ls"]) == 0
    assert capsys.readouterr().err == NOTICE
    app = build(cli.parse_args(argv(tmp_path)))
    assert capsys.readouterr().err == NOTICE
    assert app.actions.host is app.host and app.read_only
    assert app.actions.conf.path == tmp_path / "r.conf"
    assert cli.main([*argv(tmp_path, "--demo"), "ls"]) == 0
    assert capsys.readouterr().err == ""
