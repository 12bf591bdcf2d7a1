"""The config file: defaults, precedence, and one clear line for every problem."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from jailtui import cli, config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults_and_no_problem(tmp_path: Path) -> None:
    loaded = config.load(tmp_path / "nope.toml")
    assert loaded.problems == () and not loaded.found
    assert loaded.settings.interval == 2.0 and loaded.settings.sort == "cpu"
    assert loaded.settings.sort_reverse is True


def test_good_keys_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, 'interval = 1\nsort = "rss"\nsort_reverse = false\n'
                           'columns = ["name", "cpu"]\ntheme = "textual-ansi"\nread_only = true\n'
                           'rctl_conf = "/tmp/r.conf"\ncontrol = "jail"\n')
    s = config.load(path).settings
    assert (s.interval, s.sort, s.sort_reverse, s.columns, s.theme, s.read_only) == \
        (1.0, "rss", False, ("name", "cpu"), "textual-ansi", True)
    assert s.rctl_conf == Path("/tmp/r.conf") and s.control == "jail"
    assert s.origin["sort"] == "config file"


def test_each_bad_key_is_one_line_naming_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'sort = "rss"\n\ninterval = "fast"\ncolour = 1\ncontrol = "ssh"\n')
    loaded = config.load(path)
    assert loaded.problems == (
        f"{path}:3: interval: expected a number, got str; using the default",
        f"{path}:4: unknown key 'colour' (known: audit_log, columns, control, interval, "
        "jail_conf, rctl_conf, read_only, sort, sort_reverse, theme, timeout)",
        f"{path}:5: control: 'ssh' is not one of service, jail; using the default",
    )
    assert all("\n" not in p for p in loaded.problems)
    s = loaded.settings
    assert s.sort == "rss" and s.interval == 2.0 and s.control == "service"


def test_syntax_error_gives_defaults_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'sort = "rss"\ninterval = \n')
    loaded = config.load(path)
    assert loaded.settings.sort == "cpu"
    assert len(loaded.problems) == 1 and "line 2" in loaded.problems[0]
    assert loaded.problems[0].startswith(f"{path}: ")


def test_columns_must_be_known_and_keep_the_name(tmp_path: Path) -> None:
    assert "unknown column bogus" in config.load(write(tmp_path, 'columns = ["name", "bogus"]'))\
        .problems[0]
    assert "must hold 'name'" in config.load(write(tmp_path, 'columns = ["cpu"]')).problems[0]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result: list[config.Loaded] = []
    reader = threading.Thread(target=lambda: result.append(config.load(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert result, "reading a FIFO config blocked"
    assert result[0].problems == (f"{fifo}: not a regular file; using defaults",)


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, "# x\n" * (config.MAX_BYTES // 4 + 10))
    assert "larger than 256 KiB" in config.load(path).problems[0]


def test_hostile_key_is_shown_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, '"evil\\u001b]2;pwned\\u0007" = 1\n')
    problem = config.load(path).problems[0]
    assert "\x1b" not in problem and "\x07" not in problem and "\\e]2;pwned\\a" in problem


def test_command_line_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "jailtui").mkdir()
    (tmp_path / "jailtui" / "config.toml").write_text('interval = 5\ntimeout = 30\nread_only = true\n')
    args = cli.parse_args(["--demo", "--interval", "1", "ls"])
    assert args.interval == 1.0 and args.timeout == 30.0 and args.read_only is True
    assert args.settings.origin == {"interval": "command line", "timeout": "config file",
                                    "read_only": "config file"}
    assert cli.parse_args(["--demo", "--no-read-only", "ls"]).read_only is False


def test_print_config_shows_values_and_origins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "jailtui").mkdir()
    (tmp_path / "jailtui" / "config.toml").write_text('sort = "name"\nbogus = 1\n')
    assert cli.main(["--print-config", "--timeout", "4"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"# {tmp_path / 'jailtui' / 'config.toml'}"
    assert 'sort = "name"  # config file' in lines
    assert "timeout = 4.0  # command line" in lines
    assert "interval = 2.0  # default" in lines
    assert err.count("\n") == 1 and "unknown key 'bogus'" in err
