"""The ``cli`` fixture: the jailtui CLI with the engine on the fake FreeBSD host."""

from __future__ import annotations

import pytest

from jailtui.cli import main


@pytest.fixture
def cli(managed_freebsd, monkeypatch, capfd, tmp_path):
    """``cli("ls")`` -> (exit status, stdout, stderr) with the engine on the fake host (see
    ``managed_freebsd``); rctl.conf and the audit log are tmp_path's. Output is read from
    the file descriptors, so what a child (the shell of ``console``) prints is in it too."""
    monkeypatch.setattr("jailtui.engine.freebsd.LocalRunner", managed_freebsd.runner)
    changes = ["--rctl-conf", str(tmp_path / "rctl.conf"), "--audit-log",
               str(tmp_path / "audit.log")]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--backend", "freebsd", *changes, *argv])
        out, err = capfd.readouterr()
        return code, out, err

    return run
