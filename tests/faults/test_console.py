"""``jailtui console``: a missing jexec is one line of error and a failed audit record; the
shell is recorded as done only after it ran."""

from __future__ import annotations

from pathlib import Path

from jailtui.cli import main

from faults_helpers import faulty  # noqa: F401


def _args(tmp_path: Path, *rest: str) -> list[str]:
    conf = tmp_path / "jail.conf"
    conf.write_text("git7 { path = /j/git7; }\n")
    return ["--backend", "freebsd", "--jail-conf", str(conf),
            "--audit-log", str(tmp_path / "audit.log"), "console", *rest]


def test_console_without_jexec_is_one_line_and_no_success(faulty, tmp_path,  # noqa: F811
                                                          capsys) -> None:
    faulty.remove("jexec")
    assert main(_args(tmp_path, "git7")) == 1
    err = capsys.readouterr().err
    assert err == ("jailtui: jexec: command not found (jailtui needs FreeBSD's base tools; "
                   "use --demo elsewhere)\n")
    audit = (tmp_path / "audit.log").read_text()
    assert "result=ok" not in audit
    assert 'action=jail-shell target=jail:git7 result="failed: jexec: command not found' in audit


def test_console_records_the_shell_after_it_ran(faulty, tmp_path, capfd) -> None:  # noqa: F811
    audit = tmp_path / "audit.log"
    audit.write_text("")
    script = f"grep -c jail-shell {audit}; exit 3"
    assert main(_args(tmp_path, "git7", "/bin/sh", "-c", script)) == 3
    assert capfd.readouterr().out == "0\n", "the shell was recorded before it ran"
    assert "action=jail-shell target=jail:git7 result=ok" in audit.read_text()
