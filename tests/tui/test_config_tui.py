"""Each key of the config file has its effect on the dashboard that ``jailtui`` starts, and a
bad config file is shown as a notification once it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jailtui import cli
from jailtui.tui.app import build

from tui_helpers import run, started


def app_with(tmp_path: Path, text: str, *argv: str) -> Any:
    """The app ``jailtui --demo`` builds with ``text`` as its config file."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    return build(cli.parse_args(["--demo", "--config", str(path), *argv]))


def shown_columns(app: Any) -> list[str]:
    return [column.key for column in app.dashboard.table.shown_columns]


def notes(app: Any) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app.notices_shown]


def test_without_a_config_the_busiest_jail_is_on_top_and_every_column_fits(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, "")
        async with app.run_test(size=(160, 35)) as pilot:
            await started(pilot, app)
            table = app.dashboard.table
            assert (table.sort_column, table.sort_reverse) == ("cpu", True)
            assert shown_columns(app)[:3] == ["jid", "name", "state"]
            assert app.theme == "textual-dark" and app.interval == 2.0
            assert notes(app) == []
    run(go())


@pytest.mark.parametrize("text,sort,reverse", [
    ('sort = "rss"\n', "rss", True),                         # a number: largest first
    ('sort = "name"\n', "name", False),                      # a name: A to Z
    ('sort = "name"\nsort_reverse = true\n', "name", True),
    ('sort = "cpu"\nsort_reverse = false\n', "cpu", False),
])
def test_sort_and_sort_reverse_start_the_jail_list(tmp_path, text, sort, reverse) -> None:
    async def go() -> None:
        app = app_with(tmp_path, text)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.dashboard.table
            assert (table.sort_column, table.sort_reverse) == (sort, reverse)
            legend = app.dashboard.query_one("#legend").render().plain
            assert (" ▼" if reverse else " ▲") in legend
    run(go())


def test_columns_choose_the_jail_list_columns_and_their_order(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, 'columns = ["name", "cpu", "rss", "jid", "limits"]\n')
        async with app.run_test(size=(160, 35)) as pilot:
            await started(pilot, app)
            assert shown_columns(app) == ["name", "cpu", "rss", "jid", "limits"]
            header = [span.label.strip(" ▲▼") for span in app.dashboard.table.spans]
            assert header == ["NAME", "CPU%", "RSS", "JID", "LIMITS"]
    run(go())


def test_a_known_theme_is_used(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, 'theme = "ansi-dark"\n')
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            assert app.theme == "ansi-dark"
            assert notes(app) == []
    run(go())


def test_an_unknown_theme_is_one_line_and_the_default_theme(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, '# mine\ninterval = 5\ntheme = "solarized-nope"\n')
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            assert app.theme == "textual-dark"
            assert notes(app) == [
                f"config: {tmp_path / 'config.toml'}:3: theme: 'solarized-nope' is not a theme "
                "jailtui has (e.g. textual-dark, ansi-dark); using the default theme"]
            assert app.interval == 5.0
    run(go())


def test_config_problems_are_notified_when_the_dashboard_starts(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, 'sort = "rss"\ninterval = "fast"\ncolour = 1\n')
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            path = tmp_path / "config.toml"
            assert notes(app) == [
                f"config: {path}:2: interval: expected a number, got str; using the default",
                f"config: {path}:3: unknown key 'colour' (known: audit_log, columns, control, "
                "interval, jail_conf, rctl_conf, read_only, sort, sort_reverse, theme, timeout)"]
            assert app.dashboard.table.sort_column == "rss" and app.interval == 2.0
    run(go())


def test_the_change_settings_reach_the_dashboard(tmp_path) -> None:
    async def go() -> None:
        app = app_with(tmp_path, f'read_only = true\ninterval = 3\n'
                                 f'rctl_conf = "{tmp_path / "r.conf"}"\n'
                                 f'audit_log = "{tmp_path / "a.log"}"\n')
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            assert app.interval == 3.0 and "every 3s" in app.dashboard.query_one("#header").plain
            assert app.read_only and app.changes.read_only
            assert "read-only" in app.dashboard.query_one("#header").plain
            assert app.changes.actions.conf.path == tmp_path / "r.conf"
            assert app.changes.actions.audit.path == tmp_path / "a.log"
        app = app_with(tmp_path, "read_only = true\n", "--no-read-only")
        assert not app.read_only  # the command line wins
    run(go())


def test_the_host_settings_reach_the_freebsd_host(tmp_path) -> None:
    app = app_with(tmp_path, 'control = "jail"\ntimeout = 30\njail_conf = "/usr/local/j.conf"\n',
                   "--backend", "freebsd")
    host = app.host
    assert (host.control, host.timeout) == ("jail", 30.0)
    assert host.owners.confs.jail_conf == "/usr/local/j.conf"
