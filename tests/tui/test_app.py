"""Pilot tests of the dashboard on the simulated host: sort, filter, detail, pause, help, palette,
stale samples, literal process commands, small and large terminals."""

from __future__ import annotations

import re

from textual.command import CommandPalette
from textual.widgets import Input

from jailtui.engine.errors import HostUnreachable
from jailtui.engine.model import Process
from jailtui.tui.screens.dashboard import DashboardScreen
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.help import HelpScreen
from jailtui.tui.widgets.header import HostHeader
from jailtui.tui.widgets.jail_table import JailTable
from jailtui.tui.widgets.process_table import ProcessTable

from tui_helpers import make_app, run, sample, screen_lines, started, wait_until


def header_text(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one(HostHeader).plain


def table_keys(table) -> list[str]:  # type: ignore[no-untyped-def]
    return list(table.keys)


def test_every_jail_is_listed_running_and_stopped() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            names = {s.jail.name for s in app.snapshot.jails}
            assert set(table_keys(table)) == names
            stopped = [s for s in app.snapshot.jails if not s.jail.running]
            for s in stopped:
                assert table.get_cell(s.jail.name, "jid").plain == "-"
            header = header_text(app)
            assert app.snapshot.host.info.hostname in header
            assert "every 60s" in header
            assert "CPU%" in app.screen.query_one("#legend").render().plain
    run(go())


def test_sorting_keeps_the_cursor_on_the_same_jail() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            table.move_cursor(row=3)
            chosen = table.cursor_key
            orders = []
            for key in ("s", "s", "s", "S", "s"):
                await pilot.press(key)
                await pilot.pause()
                assert table.cursor_key == chosen
                orders.append(table_keys(table))
            assert len({tuple(o) for o in orders}) > 1
            app.sort_jails("name")
            await pilot.pause()
            assert table_keys(table) == sorted(table_keys(table))
            assert table.cursor_key == chosen
            table.reverse_sort()
            await sample(pilot, app)
            backwards = sorted(table_keys(table), reverse=True)
            backwards.remove("build.ports")
            backwards.insert(backwards.index("build") + 1, "build.ports")
            assert table_keys(table) == backwards, "a child jail stays under its parent"
            assert table.cursor_key == chosen
    run(go())


def test_regex_filter_and_invalid_regex() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            total = table.row_count
            name = app.snapshot.jails[0].jail.name
            await pilot.press("slash")
            await pilot.press(*f"^{name}$")
            await pilot.pause()
            assert table_keys(table) == [name]
            await pilot.press("enter")
            await pilot.pause()
            assert table.has_focus
            await sample(pilot, app)
            assert table_keys(table) == [name]
            await pilot.press("slash", "backspace", "backspace", "(")
            await pilot.pause()
            legend = app.screen.query_one("#legend").render().plain
            assert "invalid regex" in legend
            await pilot.press("escape")
            await pilot.pause()
            assert table.row_count == total
            assert app.screen.query_one("#filter", Input).value == ""
    run(go())


def test_enter_opens_the_highlighted_jail_and_escape_returns() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            running = [s for s in app.snapshot.jails if s.jail.running]
            target = running[2].jail.name
            assert table.select_key(target)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await pilot.pause()
            detail = app.screen
            assert detail.jail_name == target
            procs = detail.query_one(ProcessTable)
            assert procs.row_count == app.snapshot.jail(target).nproc
            assert target in detail.query_one("#title").render().plain
            for tab in ("2", "3", "4", "5", "1"):
                await pilot.press(tab)
                await sample(pilot, app)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            assert app.screen.query_one(JailTable).cursor_key == target
    run(go())


def test_process_tree_toggle_and_sort() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            name = next(s.jail.name for s in app.snapshot.jails if s.nproc > 2)
            app.open_jail(name)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await pilot.pause()
            procs = app.screen.query_one(ProcessTable)
            assert not procs.tree_view
            await pilot.press("t")
            await pilot.pause()
            assert procs.tree_view
            pids = [int(k) for k in table_keys(procs)]
            by_pid = {p.pid: p for p in app.snapshot.processes}
            seen: set[int] = set()
            for pid in pids:
                parent = by_pid[pid].ppid
                if parent in pids:
                    assert parent in seen, "a parent comes before its children"
                seen.add(pid)
            children = [pid for pid in pids if by_pid[pid].ppid in pids]
            assert children
            cell = procs.get_cell(str(children[0]), "command").plain
            assert cell.startswith(" ") or cell.startswith("└")
            await pilot.press("t", "s")
            await pilot.pause()
            assert not procs.tree_view
            assert procs.sort_column != "cpu"
    run(go())


def test_pause_stops_sampling_and_resume_restarts() -> None:
    async def go() -> None:
        app = make_app(interval=0.05)
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 3)
            await pilot.press("p")
            await wait_until(pilot, lambda: not app.sampling)
            await pilot.pause()
            count = app.samples
            await pilot.pause(0.4)
            assert app.samples == count
            assert "PAUSED" in header_text(app)
            await pilot.press("p")
            await wait_until(pilot, lambda: app.samples >= count + 2)
            assert "PAUSED" not in header_text(app)
    run(go())


def test_a_sample_that_ends_while_the_app_exits_is_dropped(monkeypatch) -> None:
    """A sample finishing in its thread as the app exits must not reach screens that are
    being taken down (their tables may be gone already)."""
    from jailtui.tui.messages import SampleFailed, SampleReady

    followed: list[object] = []

    async def go() -> None:
        app = make_app(interval=60.0)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 1)
            snapshot = app.snapshot
            monkeypatch.setattr(app.dashboard, "follow_snapshot", followed.append)
            app.exit()
            app.on_sample_ready(SampleReady(snapshot, 0.01))
            app.on_sample_failed(SampleFailed("late"))
            assert followed == [] and app.samples == 1
    run(go())


def test_plus_and_minus_change_the_interval_within_bounds() -> None:
    async def go() -> None:
        app = make_app(interval=2.0)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 1)
            await pilot.press("plus")
            assert app.interval == 1.0
            await pilot.press("minus", "minus")
            assert app.interval == 3.0
            await pilot.pause()
            assert "every 3s" in header_text(app)
            await pilot.press(*["plus"] * 12)
            assert app.interval == 0.5
            await pilot.press(*["minus"] * 20)
            assert app.interval == 60.0
    run(go())


def test_help_lists_every_binding() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 1)
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            text = app.screen.text()
            for source in (type(app), DashboardScreen, JailTable, JailDetailScreen, ProcessTable):
                for binding in source.BINDINGS:
                    # one line per action, with every key of it, told by its first binding
                    first = next(b for b in source.BINDINGS if b.action == binding.action)
                    assert binding.description in text or (first.tooltip and first.tooltip in text)
            for word in ("Pause", "sort", "Tree", "Filter", "quit"):
                assert word.lower() in text.lower()
            own = text.splitlines()[0]
            assert own.startswith("jailtui itself: CPU ") and " threads" in own
            assert "% of one core since it started, RSS " in own
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    run(go())


def test_palette_finds_a_jail_by_name_and_opens_it() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            name = app.snapshot.jails[-1].jail.name
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*f"open jail {name}")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            assert app.screen.jail_name == name
    run(go())


def test_palette_opens_another_jail_from_a_detail() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            first, other = (s.jail.name for s in app.snapshot.jails[:2])
            app.open_jail(first)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*f"open jail {other}")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen)
                             and app.screen.jail_name == other)
            await sample(pilot, app)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            assert len(app.screen_stack) == 2
            assert app.screen.query_one(JailTable).cursor_key == other
    run(go())


def test_palette_keeps_the_builtin_commands() -> None:
    from textual.app import App

    from jailtui.tui.commands import JailCommands

    app = make_app()
    # jailtui's providers are given as callables (imported when the palette opens)
    providers = {p if isinstance(p, type) else p() for p in app.COMMANDS}
    assert JailCommands in providers
    assert App.COMMANDS <= app.COMMANDS


def test_a_failed_sample_shows_stale_data_and_recovers() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            rows = table.row_count
            app.host.fail_next.append(HostUnreachable("ssh: connect to host h: Connection refused"))
            await sample(pilot, app)
            assert app.snapshot.stale
            text = header_text(app)
            assert "STALE" in text and "Connection refused" in text
            assert table.row_count == rows
            await sample(pilot, app)
            assert not app.snapshot.stale
            assert "STALE" not in header_text(app)
    run(go())


def test_a_crashing_sampler_never_shows_a_traceback() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            real = app.sampler.sample
            calls = []

            def broken():  # type: ignore[no-untyped-def]
                if not calls:
                    calls.append(1)
                    raise RuntimeError("sampler bug")
                return real()

            app.sampler.sample = broken  # type: ignore[method-assign]
            count = app.samples
            app.request_sample()
            await wait_until(pilot, lambda: app.samples > count)
            assert app.snapshot.stale and "sampler bug" in header_text(app)
            await sample(pilot, app)
            assert not app.snapshot.stale
    run(go())


def test_the_first_sample_failing_shows_no_data() -> None:
    async def go() -> None:
        app = make_app()
        app.host.fail_next.append(HostUnreachable("timed out"))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 1)
            await pilot.pause()
            assert "NO DATA" in header_text(app)
            await sample(pilot, app)
            assert app.screen.query_one(JailTable).row_count > 0
    run(go())


def test_process_commands_render_literally() -> None:
    async def go() -> None:
        app = make_app()

        def extra(raw):  # type: ignore[no-untyped-def]
            jail = next(j for j in raw.jails if j.running)
            return (Process(pid=99001, jid=jail.jid, ppid=0, user="root", command="[idle]",
                            state="RL", etime=100),
                    Process(pid=99002, jid=jail.jid, ppid=0, user="root", command="[/]",
                            state="S", etime=100),
                    Process(pid=99003, jid=jail.jid, ppid=0, user="[b]x[/b]",
                            command="sh -c 'echo [red]hi[/red]'", state="S", etime=100))

        app.host.extra = extra
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            name = next(s.jail.name for s in app.snapshot.jails if s.jail.running)
            app.open_jail(name)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await pilot.pause()
            procs = app.screen.query_one(ProcessTable)
            assert procs.get_cell("99001", "command").plain == "[idle]"
            assert procs.get_cell("99002", "command").plain == "[/]"
            assert procs.get_cell("99003", "command").plain == "sh -c 'echo [red]hi[/red]'"
            assert procs.get_cell("99003", "user").plain == "[b]x[/b]"
            await pilot.press("t")
            await sample(pilot, app)
            assert procs.get_cell("99002", "command").plain == "[/]"
    run(go())


def shown_figures(app) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    """PROC and CPU% of each jail row on an 80-column dashboard, as the screen shows them."""
    figures = {}
    for line in screen_lines(app):
        m = re.match(r"^ +\d+ +(\S+) +ACTIVE +(\d+) +!*([\d.]+) ", line)
        if m:
            figures[m[1]] = (int(m[2]), m[3])
    return figures


def test_updates_are_keyed_diffs() -> None:
    """Each sample rewrites only the cells that changed, and the screen shows every change."""
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(80, 30)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            assert app.dashboard.show_snapshot(app.snapshot) == 0
            cells = table.row_count * len(table.shown_columns)
            seen = [shown_figures(app)]
            for _ in range(3):
                before = table.cell_updates
                await sample(pilot, app)
                assert 0 < table.cell_updates - before < cells
                shown = shown_figures(app)
                assert len(shown) == sum(s.jail.running for s in app.snapshot.jails) == 10
                assert shown == {s.jail.name: (s.nproc, f"{s.cpu:.1f}")
                                 for s in app.snapshot.jails if s.jail.running}
                seen.append(shown)
            assert all(new != old for old, new in zip(seen, seen[1:], strict=False)), \
                "every sample changed a figure on screen"
    run(go())


def test_racct_off_is_explained() -> None:
    async def go() -> None:
        app = make_app(racct=False)
        async with app.run_test(size=(160, 50)) as pilot:
            await started(pilot, app)
            assert "racct off" in header_text(app)
            name = next(s.jail.name for s in app.snapshot.jails if s.jail.running)
            app.open_jail(name)
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            await pilot.press("3")
            await pilot.pause()
            note = app.screen.query_one("#racct-note").render().plain
            assert "racct off" in note
    run(go())


def test_read_only_shows_in_the_header() -> None:
    async def go() -> None:
        app = make_app(read_only=True)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app, 1)
            assert "read-only" in header_text(app)
    run(go())


def headings(lines: list[str], *labels: str) -> str:
    """The line that holds every one of ``labels`` (column headings), in that order."""
    for line in lines:
        words = re.sub("[▲▼]", " ", line).split()
        if all(label in words for label in labels) and \
                [w for w in words if w in labels] == list(labels):
            return line
    raise AssertionError(f"no line with {labels} in order:\n" + "\n".join(lines))


#: What each detail tab shows at any width: its column headings or its charts' titles.
TABS = {"1": ("PID", "USER", "CPU%", "RSS", "STAT", "COMMAND"),
        "2": ("RULE", "AMOUNT", "PER", "USED", "USE%"),
        "3": ("RESOURCE", "VALUE", "RAW", "LIMIT"),
        "4": ("PARAMETER", "VALUE"),
        "t": ("PID", "USER", "CPU%", "RSS", "STAT", "COMMAND")}


def test_small_and_large_terminals_render_every_view() -> None:
    async def go(size: tuple[int, int]) -> None:
        wide = size[0] >= 160
        app = make_app(jails=40)
        async with app.run_test(size=size) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            assert table.virtual_size.width <= size[0]
            lines = screen_lines(app)
            assert lines[0].startswith("jailtui │ demo │ jailhost.example.org │ ")
            assert " │ CPU " in lines[0] and " of 32 CPUs │ mem " in lines[0]
            assert (" │ load " in lines[0]) == wide
            assert lines[1].startswith("jails 38 up 2 down │ ")
            if wide:
                headings(lines, "JID", "NAME", "STATE", "MANAGER", "IP", "PROC", "THR", "CPU%",
                         "TREND", "RSS", "VSZ", "FILES", "READ/s", "WRITE/s", "LIMITS")
            else:
                headings(lines, "JID", "NAME", "STATE", "PROC", "CPU%", "RSS", "LIMITS")
            shown = jail_rows(app)
            assert shown[:len(shown)] == table_keys(table)[:len(shown)] and len(shown) >= 10
            assert any(line.startswith(" 40/40 jails  sort CPU% ▼") for line in lines)
            assert "q Quit" in lines[-1] and "? Help" in lines[-1]
            name = table.cursor_key
            assert name == shown[0]
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, JailDetailScreen))
            stats = app.snapshot.jail(name)
            for tab in ("1", "2", "3", "4", "5", "t"):
                await pilot.press(tab)
                await sample(pilot, app)
                lines = screen_lines(app)
                assert lines[2].startswith(f"  {name}   JID {stats.jail.jid}  ACTIVE  ")
                assert "1 Processes  2 Limits  3 Resources  4 Parameters  5 History" in lines[3]
                if tab in TABS:
                    heading = headings(lines, *TABS[tab])
                    rows = lines[lines.index(heading) + 1:]
                if tab in ("1", "t"):
                    pids = {str(p.pid) for p in app.snapshot.processes if p.jid == stats.jail.jid}
                    assert rows[0].split()[0] in pids
                    legend = "tree" if tab == "t" else "flat"
                    assert any(re.match(rf" \d+/\d+ processes  sort CPU% ▼  {legend}  ", line)
                               for line in rows)
                elif tab == "2":
                    assert rows[0].split()[0] == f"jail:{name}:readbps:throttle"
                elif tab == "3":
                    assert {"cputime", "memoryuse", "maxproc"} <= {
                        line.split()[0] for line in rows if line.strip()}
                elif tab == "4":
                    assert re.search(rf"^ host\.hostname {{9}}{re.escape(stats.jail.hostname)}"
                                     r"( |$)", "\n".join(rows), re.M)
                else:
                    assert lines[5].startswith(" CPU% (of one core)  now ")
                    assert any(line.startswith(" RSS (memory)  now ") for line in lines)
            assert "└ " in "\n".join(rows), "the tree shows children under their parents"
            await pilot.press("question_mark")
            await pilot.pause()
            help_text = "\n".join(screen_lines(app))
            assert "jailtui keys" in help_text and "quit jailtui" in help_text
            await pilot.press("escape", "escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            assert app.screen.query_one(JailTable).cursor_key == name
    run(go((80, 24)))
    run(go((160, 50)))


def jail_rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The names of the jails on screen, top to bottom (rows start with a JID or "-")."""
    return [m[1] for line in screen_lines(app)
            if (m := re.match(r"^ +(?:\d+|-) +(\S+) +(?:ACTIVE|STOPPED|DYING)", line))]


def test_hundreds_of_jails() -> None:
    async def go() -> None:
        app = make_app(jails=300, processes_per_jail=3)
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JailTable)
            assert table.row_count == len(app.snapshot.jails) == 300
            assert len(jail_rows(app)) >= 15
            # names of the simulated host (seed 1) that end in 1; no hostname, path or IP
            # starts with "web"
            wanted = ["web041", "web081", "web121", "web161", "web201", "web241", "web281"]
            app.dashboard.set_filter(r"^web\d*1$")
            await pilot.pause()
            assert sorted(table_keys(table)) == wanted
            assert sorted(jail_rows(app)) == wanted
            assert " 7/300 jails " in "\n".join(screen_lines(app))
    run(go())


def test_header_and_rows_line_up_after_columns_grow() -> None:
    async def go() -> None:
        app = make_app(interval=0.5)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: app.samples >= 3)
            await pilot.pause(0.1)
            lines = screen_lines(app)
            header = next(line for line in lines if "NAME" in line and "JID" in line)
            first = app.screen.query_one(JailTable).keys[0]
            row = next(line for line in lines if f" {first} " in line)
            assert header.index("STATE") == row.index("ACTIVE")
            assert header.index("NAME") == row.index(f" {first} ") + 1
    run(go())


def test_keys_typed_right_after_slash_go_to_the_filter() -> None:
    from textual import events

    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            for key, char in (("slash", "/"), ("w", "w"), ("w", "w")):
                app.post_message(events.Key(key, char))
            await pilot.pause(0.2)
            assert app.screen.query_one("#filter", Input).value == "ww"
    run(go())


def test_run_builds_the_app_from_the_command_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jailtui.cli import parse_args
    from jailtui.tui import app as app_module

    built = []

    def fake_run(self) -> None:  # type: ignore[no-untyped-def]
        built.append(self)

    monkeypatch.setattr(app_module.JailtuiApp, "run", fake_run)
    args = parse_args(["--demo", "--demo-jails", "3", "--read-only",
                                      "--interval", "0.1"])
    assert app_module.run(args) == 0
    app = built[0]
    assert app.read_only and app.actions is not None and app.actions.read_only
    assert app.interval == 0.5
    assert len(app.host.jails()) == 3
