"""The CLI never cuts a figure: at 80 columns a table drops or wraps whole columns (JID and NAME
always stay), piped output without COLUMNS keeps every column whole."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from jailtui.cli import main
from jailtui.report import row, table

NUMBERS = ("PROCS", "THR", "%CPU", "RSS", "VSZ", "READ", "WRITE")


def render(t, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    console = Console(width=width, file=io.StringIO(), highlight=False, color_system=None)
    console.print(t)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]


def jail_table(name: str = "www"):  # type: ignore[no-untyped-def]
    t = table("JID", "NAME", "PATH", *NUMBERS, "LIMITS",
              right=("JID", *NUMBERS), drop=("VSZ", "PATH", "THR", "WRITE", "READ", "PROCS"))
    row(t, ["12", name, "/usr/local/jails/" + "deep/" * 8 + name, "123456", "7654321",
            "1234.5", "1023.9G", "98765.4G", "123.4M/s", "567.8M/s",
            "!memoryuse 1023.9G/1024G 99% deny"])
    return t


def test_a_table_too_wide_drops_columns_in_order_and_never_narrows_a_number() -> None:
    lines = render(jail_table(), 80)
    assert all(len(line) <= 80 for line in lines), lines
    header = lines[0].split()
    assert header[:2] == ["JID", "NAME"]
    assert "VSZ" not in header and "PATH" not in header and "THR" not in header
    data = lines[2]
    for figure in ("12", "1234.5", "1023.9G"):
        assert re.search(rf"(^|\s){re.escape(figure)}(\s|$)", data), (figure, data)
    assert "1023.9G/1024G" in "\n".join(lines), "a word of LIMITS was split"


def test_wide_enough_shows_everything_on_one_line() -> None:
    lines = render(jail_table(), 400)
    assert len(lines) == 3 and all(name in lines[0] for name in ("PATH", "VSZ", "THR"))


def test_what_must_stay_folds_its_text_not_its_numbers() -> None:
    """A jail name longer than the terminal: the numbers left stay whole."""
    name = "n" * 70
    lines = render(jail_table(name), 40)
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].split()[:2] == ["JID", "NAME"]
    text = "\n".join(lines)
    assert re.search(r"(^|\s)12(\s|$)", text) and re.search(r"(^|\s)1234\.5(\s|$)", text)
    assert "n" * 70 not in text and text.count("n") >= 70


@pytest.mark.parametrize("argv, first", [
    (("ls",), ["JID", "NAME"]), (("top", "-n", "1", "-d", "0.1"), ["JID", "NAME"]),
    (("ps",), ["JAIL", "PID"]), (("usage",), ["NAME"]), (("usage", "git7"), ["RESOURCE"]),
    (("limits",), ["RULE"])])
def test_every_table_fits_80_columns(argv, first, fake_freebsd, tmp_path, monkeypatch,
                                     capsys) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    (tmp_path / "jail.conf").touch()
    code = main(["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf"), *argv])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    header = next(line for i, line in enumerate(lines) if lines[i + 1].startswith("─"))
    assert header.split()[:len(first)] == first


def test_ps_at_80_columns_keeps_each_pid_and_rss_whole(fake_freebsd, tmp_path, monkeypatch,
                                                       capsys) -> None:
    processes = fake_freebsd.state()["processes"]
    (tmp_path / "jail.conf").touch()
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf"),
                 "ps", "--host"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for proc in processes:
        line = next((line for line in lines if re.search(rf"\s{proc['pid']}\s", line)), None)
        assert line is not None, f"PID {proc['pid']} was cut:\n" + "\n".join(lines)


def test_piped_output_without_columns_keeps_every_column(fake_freebsd, tmp_path, monkeypatch,
                                                         capsys) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    state = fake_freebsd.state()
    long = dict(state["processes"][-1], pid=6200, command="/usr/local/bin/java "
                + " ".join(f"-Dopt{i}=value{i}" for i in range(30)))
    state["processes"].append(long)
    fake_freebsd.set_state(state)
    (tmp_path / "jail.conf").touch()
    assert main(["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf"),
                 "ps", "--host"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["JAIL", "PID", "PPID", "USER", "%CPU", "%MEM", "RSS", "VSZ",
                                "THR", "STAT", "TIME", "ELAPSED", "COMMAND"]
    commands = [proc["command"] for proc in fake_freebsd.state()["processes"]]
    assert all(any(line.endswith(command) for line in lines) for command in commands)


@pytest.mark.parametrize("argv", [("ls",), ("usage",), ("top", "-n", "1", "-d", "0.1")])
@pytest.mark.parametrize("width", [50, 60, 66, 72, 80])
def test_the_host_line_wraps_between_figures_never_inside_one(argv, width, fake_freebsd,
                                                              tmp_path, monkeypatch,
                                                              capsys) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    (tmp_path / "jail.conf").touch()
    assert main(["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf"),
                 *argv]) == 0
    lines = capsys.readouterr().out.splitlines()
    host = lines[:next(i for i, line in enumerate(lines) if line.split()[:1] in (["JID"],
                                                                                 ["NAME"]))]
    assert len(host) >= 2 and all(len(line) <= width for line in host), "\n".join(host)
    for figure in (r"watermelon", r"up \d+d\d+h", r"load [0-9.]+ [0-9.]+ [0-9.]+",
                   r"mem \S+/\S+", r"jails \d+ running, \d+ stopped", r"racct on"):
        assert any(re.search(figure, line) for line in host), (figure, host)
