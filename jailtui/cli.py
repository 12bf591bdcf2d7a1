"""``jailtui``: the TUI with no subcommand, and ls/ps/usage/top/limits/start/stop/... otherwise.

Every subcommand goes through the same engine objects as the TUI (Host, Sampler, Actions).
Exit codes: 0 ok, 1 the operation failed, 2 usage error. What a jail controls is printed with
every control made visible (vis), in tables and in one-line errors alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .backend import default_backend
from .engine.errors import JailtuiError, UsageError
from .engine.vis import vis

if TYPE_CHECKING:
    from .engine.actions import Actions
    from .engine.host import Host
    from .engine.sampler import JailStats, LimitUse, Snapshot
    from .wiring import Wiring

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every usage error here
        self.exit(EXIT_USAGE, f"{self.prog}: error: {vis(message)}\n"
                              f"Try '{self.prog} --help' for more information.\n")


def add_global_options(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before and after the command; after it they override (no defaults)."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    g = p.add_argument_group("host")
    g.add_argument("--backend", choices=("freebsd", "simulated"), default=default(None),
                   help=f"host to read (default here: {default_backend()})")
    g.add_argument("--demo", dest="backend", action="store_const", const="simulated",
                   default=default(None),
                   help="use the simulated demo host (same as --backend simulated)")
    g.add_argument("--control", choices=("service", "jail"), default=default(None),
                   help="start/stop jails with 'service jail' (default) or 'jail -c/-r'")
    g.add_argument("--jail-conf", default=default(None), metavar="PATH",
                   help="jail.conf rc.d/jail falls back to (default: rc.conf's jail_conf, "
                        "/etc/jail.conf)")
    g.add_argument("--timeout", type=float, default=default(None), metavar="SEC",
                   help="timeout of each host command (default 10)")
    g.add_argument("--seed", type=int, default=default(1), help=argparse.SUPPRESS)
    g.add_argument("--demo-jails", type=int, default=default(12), metavar="N",
                   help="number of jails on the demo host (default 12)")
    c = p.add_argument_group("changes")
    c.add_argument("--read-only", action=argparse.BooleanOptionalAction, default=default(None),
                   help="refuse every change")
    c.add_argument("--rctl-conf", type=Path, default=default(None),
                   metavar="PATH", help="where 'persist' writes rules (default /etc/rctl.conf)")
    c.add_argument("--audit-log", type=Path, metavar="PATH", default=default(None),
                   help="audit log of changes (default $XDG_STATE_HOME/jailtui/audit.log)")
    c.add_argument("--shell", default=default("/bin/sh"),
                   help="shell for console (default /bin/sh)")
    t = p.add_argument_group("dashboard")
    t.add_argument("--interval", type=float, default=default(None), metavar="SEC",
                   help="refresh interval of the dashboard (default 2)")
    o = p.add_argument_group("settings")
    o.add_argument("--config", type=Path, default=default(None), metavar="PATH",
                   help="config file (default $XDG_CONFIG_HOME/jailtui/config.toml)")
    o.add_argument("--print-config", action="store_true", default=default(False),
                   help="print the effective settings and where each comes from, then exit")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="jailtui", description="Terminal operations console for FreeBSD jails. "
                "Without a command, starts the interactive dashboard.")
    p.add_argument("--version", action="version", version=f"jailtui {__version__}")
    add_global_options(p, suppress=False)

    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help: str, json_flag: bool = True) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        add_global_options(sp, suppress=True)
        if json_flag:
            sp.add_argument("--json", action="store_true", help="print JSON (schema in README)")
        return sp

    cmd("ls", "list jails, running and configured")
    sp = cmd("ps", "list the processes of one jail, or of all jails")
    sp.add_argument("jail", nargs="?")
    sp.add_argument("--host", action="store_true", help="include host processes (jid 0)")
    sp = cmd("usage", "racct resource usage of the jails, or every resource of one jail")
    sp.add_argument("jail", nargs="?")
    sp = cmd("top", "jails by CPU, refreshed like top(1) until q or ^C; CPU is %% of one core")
    sp.add_argument("-d", "--delay", type=float, default=2.0, metavar="SEC")
    sp.add_argument("-n", "--count", type=int, metavar="N",
                    help="number of updates (default: until ^C on a terminal, else 1)")
    sp = cmd("limits", "show rctl rules with usage; 'limits add RULE', 'limits rm FILTER', "
             "'limits persist [JAIL]'")
    sp.add_argument("args", nargs="*", metavar="[JAIL | add RULE | rm FILTER | persist [JAIL]]")
    sp.add_argument("--persist", action="store_true",
                    help="with add/rm: also write the change to rctl.conf")
    sp.add_argument("--force", action="store_true",
                    help="with add: accept a rule for a jail that does not exist, or a deny "
                         "below the jail's current use without asking")
    sp.add_argument("--all", action="store_true",
                    help="with rm: remove every rule the filter matches without asking")
    for verb in ("start", "stop", "restart"):
        sp = cmd(verb, f"{verb} a jail through its manager, rc.d/jail or jail -f CONF",
                 json_flag=True)
        sp.add_argument("jail")
        sp.add_argument("--force", action="store_true",
                        help="stop a jail no config knows (made by hand) with jail -r anyway, "
                             "skipping its exec.stop scripts, unmounts and teardown; such a "
                             "jail is never started or restarted")
    sp = cmd("console", "open a shell (or run COMMAND) in a jail with jexec", json_flag=False)
    sp.add_argument("jail")
    sp.add_argument("argv", nargs=argparse.REMAINDER, metavar="COMMAND")
    return p


#: argparse dest -> Settings field, for the options a config file may set.
SETTINGS_OPTIONS = ("control", "jail_conf", "timeout", "read_only", "rctl_conf", "audit_log",
                    "interval")


def apply_settings(args: argparse.Namespace) -> None:
    """Fill the options the command line left unset from the config file (or the defaults);
    ``args.settings`` is the effective Settings, ``args.config_problems`` what was wrong."""
    from dataclasses import replace

    from . import config

    loaded = config.load(args.config)
    settings = loaded.settings
    origin = dict(settings.origin)
    given = {}
    for name in SETTINGS_OPTIONS:
        value = getattr(args, name, None)
        if value is None:
            setattr(args, name, getattr(settings, name))
        else:
            given[name] = value
            origin[name] = "command line"
    args.jail_conf = args.jail_conf or None  # unset: rc.conf's jail_conf decides
    args.settings = replace(settings, **given, origin=origin)
    args.config_path = loaded.path
    args.config_problems = loaded.problems


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line with the config file's settings filled in."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "limits" or not all(":" in word for word in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        # a rule or filter with a leading "-": the grammar says why
        args.args = [*args.args, *extra]
    apply_settings(args)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for problem in args.config_problems:
        _stderr(f"warning: {problem}")
    if args.print_config:
        state = "" if args.config_path.exists() else " (not found)"
        sys.stdout.write(f"# {args.config_path}{state}\n{args.settings.as_toml()}")
        return EXIT_OK
    try:
        if args.command is None:
            return _run_tui(args)
        return COMMANDS[args.command](args)
    except JailtuiError as exc:
        _stderr(str(exc))
        _done(getattr(args, "_actions", None))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK


# -- plumbing ------------------------------------------------------------------------------

def _stderr(message: str) -> None:
    """``jailtui: message`` on one line of stderr."""
    print(f"jailtui: {vis(message)}", file=sys.stderr)


def _wiring(args: argparse.Namespace) -> Wiring:
    from .wiring import wire

    wiring = wire(args)
    if wiring.notice:
        _stderr(wiring.notice)
    args._actions = wiring.actions
    return wiring


def _host(args: argparse.Namespace) -> Host:
    return _wiring(args).host


def _actions(args: argparse.Namespace) -> Actions:
    return _wiring(args).actions


def _snapshot(args: argparse.Namespace) -> Snapshot:
    from .engine.sampler import Sampler

    snapshot = Sampler(_host(args)).sample()
    if snapshot.stale:
        raise JailtuiError(snapshot.error or "the host did not answer")
    return snapshot


def _stats(snap: Any, name: str) -> JailStats:
    """The jail called ``name`` (or with JID ``name``) in a snapshot."""
    from .engine.errors import UnknownJail

    for stats in snap.jails:
        if stats.jail.answers_to(name):
            return stats
    raise UnknownJail(name)


#: The width of piped output when COLUMNS does not set one: no table is narrowed.
PIPE_WIDTH = 100_000


class _Out:
    """Prints rich renderables at the terminal's width; piped output at COLUMNS if set, else
    as wide as the data (every column, none wrapped), free of trailing blanks."""

    def __init__(self) -> None:
        from rich.console import Console

        self.tty = sys.stdout.isatty()
        width = None if self.tty else _columns() or PIPE_WIDTH
        self.console = Console(width=width, highlight=False, soft_wrap=False)

    @property
    def width(self) -> int:
        return self.console.width

    def print(self, *renderables: Any, **kwargs: Any) -> None:
        if self.tty:
            self.console.print(*renderables, **kwargs)
            return
        with self.console.capture() as capture:
            self.console.print(*renderables, **kwargs)
        sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def _columns() -> int | None:
    try:
        return max(20, int(os.environ["COLUMNS"]))
    except (KeyError, ValueError):
        return None


def _console() -> _Out:
    return _Out()


def _print_json(doc: dict[str, Any]) -> int:
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=True)
    sys.stdout.write("\n")
    return EXIT_OK


def _warn(snapshot: Any) -> None:
    for warning in snapshot.warnings:
        _stderr(f"warning: {warning}")


# -- read commands -------------------------------------------------------------------------

def cmd_ls(args: argparse.Namespace) -> int:
    from . import present, report
    from .engine import units
    from .literal import literal

    snap = _snapshot(args)
    if args.json:
        return _print_json(report.document("jails", snap,
                                           jails=[report.stats_json(s) for s in snap.jails]))
    t = report.table("JID", "NAME", "STATE", "MANAGER", "HOSTNAME", "IP", "PROCS", "THR", "%CPU",
                     "RSS", "VSZ", "PATH", right=("JID", "PROCS", "THR", "%CPU", "RSS", "VSZ"),
                     drop=("VSZ", "HOSTNAME", "PATH", "THR", "MANAGER", "PROCS", "RSS", "IP",
                           "%CPU", "STATE"))
    for s in _family_order(snap.jails):
        j = s.jail
        live = j.running
        report.row(t, [
            "-" if j.jid is None else j.jid, j.name, j.state.value, j.manager or "-",
            j.hostname or "-",
            present.addresses(j),
            s.nproc if live else "-", s.nthr if live else "-",
            units.percent(s.pcpu) if live else "-",
            units.size(s.rss) if live else "-", units.size(s.vsz) if live else "-", j.path or "-"])
    con = _console()
    con.print(report.header_line(snap, con.width))
    con.print(t)
    if snap.jails:
        con.print("%CPU: ps(1) decaying average, percent of one core", style="dim")
        for note in present.children_note(snap.jails):
            con.print(literal(note, "dim"))
    else:
        con.print("no jails", style="dim")
    _warn(snap)
    return EXIT_OK


def _family_order(jails: Sequence[Any]) -> list[Any]:
    """Jail stats with each jail's children right after it (jails of one name: first come)."""
    from .engine.sampler import under_parents

    by_name: dict[str, list[Any]] = {}
    for stats in jails:
        by_name.setdefault(stats.jail.name, []).append(stats)
    return [stats for name in under_parents(list(by_name)) for stats in by_name[name]]


def cmd_ps(args: argparse.Namespace) -> int:
    from . import report
    from .engine import units
    from .engine.model import JailState

    host = _host(args)
    names = {j.jid: j.name for j in host.jails() if j.running}
    if args.jail:
        jail = host.jail(args.jail)
        if not jail.running:
            raise JailtuiError(f"jail \"{jail.name}\" is not running", f"jailtui start {jail.name}")
        # a dying jail has no processes left, and ps -J cannot name it (jail_getid skips it)
        procs = [] if jail.state is JailState.DYING else host.processes(jail.name)
    else:
        procs = [p for p in host.processes() if args.host or p.jid != 0]
    if args.json:
        return _print_json(report.document(
            "processes", jail=args.jail,
            processes=[report.process_json(p, names.get(p.jid)) for p in procs]))
    t = report.table("JAIL", "PID", "PPID", "USER", "%CPU", "%MEM", "RSS", "VSZ", "THR", "STAT",
                     "TIME", "ELAPSED", "COMMAND",
                     right=("PID", "PPID", "%CPU", "%MEM", "RSS", "VSZ", "THR", "TIME", "ELAPSED"),
                     drop=("ELAPSED", "VSZ", "%MEM", "PPID", "THR", "STAT", "TIME", "USER", "RSS",
                           "%CPU"))
    for p in procs:
        report.row(t, [names.get(p.jid, "-" if p.jid == 0 else str(p.jid)), p.pid, p.ppid, p.user,
                       units.percent(p.pcpu), units.percent(p.pmem), units.size(p.rss),
                       units.size(p.vsz), p.nlwp, p.state, units.cputime(p.cputime),
                       units.duration(p.etime), p.command])
    con = _console()
    con.print(t)
    if not procs:
        con.print("no processes", style="dim")
    return EXIT_OK


def _require_racct(snap: Any) -> None:
    from .engine.errors import RacctUnavailable

    racct = snap.host.info.racct
    if not racct.enabled:
        raise RacctUnavailable(racct.reason or "racct is off", racct.hint or RacctUnavailable.FIX)


USAGE_COLUMNS = ("pcpu", "memoryuse", "vmemoryuse", "maxproc", "nthr", "openfiles",
                 "readbps", "writebps", "readiops", "writeiops")


def cmd_usage(args: argparse.Namespace) -> int:
    from . import report
    from .engine import units
    from .engine.rctl import RESOURCES, UNIT_WORDS

    snap = _snapshot(args)
    _require_racct(snap)
    if args.jail:
        stats = [_stats(snap, args.jail)]
    else:
        stats = [s for s in snap.jails if s.jail.running]
        if stats and all(s.usage is None for s in stats) and snap.warnings:
            raise JailtuiError(snap.warnings[-1])
    if args.json:
        return _print_json(report.document("usage", snap, jails=[
            {"name": s.jail.name, "jid": s.jail.jid, "usage": report.usage_json(s.usage),
             "limits": [report.limit_json(lim) for lim in s.limits]} for s in stats]))
    con = _console()
    if args.jail:
        s = stats[0]
        if s.usage is None:
            if not s.jail.running:
                raise JailtuiError(f"jail \"{s.jail.name}\" is not running",
                                   f"jailtui start {s.jail.name}")
            raise JailtuiError(snap.warnings[0] if snap.warnings
                               else f"no racct usage for jail \"{s.jail.name}\"")
        limits: dict[str, list[LimitUse]] = {}
        for lim in s.limits:
            limits.setdefault(lim.rule.resource, []).append(lim)
        t = report.table("RESOURCE", "VALUE", "RAW", "LIMIT", "DESCRIPTION",
                         title=f"{s.jail.name} "
                               f"(JID {s.jail.jid if s.jail.jid is not None else '-'})",
                         right=("VALUE", "RAW"), drop=("RAW", "DESCRIPTION"))
        values = s.usage.as_dict() if s.usage else {}
        for name, res in RESOURCES.items():
            lims = limits.get(name, [])
            limit_cell = (report.Text(", ").join(report.limit_text(lim) for lim in lims)
                          if lims else "-")
            report.row(t, [name, units.amount(name, values.get(name)),
                           str(values.get(name, "-")), limit_cell,
                           f"{res.description} ({UNIT_WORDS[res.unit]})"])
        con.print(t)
        return EXIT_OK
    t = report.table("NAME", *(c.upper() for c in USAGE_COLUMNS),
                     right=tuple(c.upper() for c in USAGE_COLUMNS),
                     drop=tuple(c.upper() for c in reversed(USAGE_COLUMNS)))
    for s in stats:
        values = s.usage.as_dict() if s.usage else {}
        report.row(t, [s.jail.name, *(units.amount(c, values.get(c)) for c in USAGE_COLUMNS)])
    con.print(report.header_line(snap, con.width))
    con.print(t)
    con.print("PCPU: racct, percent of one core", style="dim")
    _warn(snap)
    return EXIT_OK


def cmd_top(args: argparse.Namespace) -> int:
    from rich.console import Group
    from rich.live import Live

    from . import present, report
    from .engine import units
    from .engine.rctl import Unit
    from .engine.sampler import Sampler
    from .literal import literal

    if args.delay <= 0:
        raise UsageError("--delay must be positive")
    sampler = Sampler(_host(args))
    sampler.sample()
    tty = sys.stdout.isatty()
    count = args.count if args.count is not None else (None if tty else 1)

    def render(snap: Any) -> Any:
        t = report.table("JID", "NAME", "PROCS", "THR", "%CPU", "RSS", "VSZ", "READ", "WRITE",
                         "LIMITS", right=("JID", "PROCS", "THR", "%CPU", "RSS", "VSZ", "READ",
                                          "WRITE"),
                         drop=("VSZ", "THR", "WRITE", "READ", "PROCS", "RSS", "LIMITS"))
        running = sorted((s for s in snap.jails if s.jail.running), key=lambda s: -s.cpu)
        for s in running:
            worst = present.worst_limit(s.limits)
            report.row(t, [s.jail.jid, s.jail.name, s.nproc, s.nthr, units.percent(s.cpu),
                           units.size(s.rss), units.size(s.vsz),
                           units.rate(s.readbps, Unit.BYTES_PER_SECOND),
                           units.rate(s.writebps, Unit.BYTES_PER_SECOND),
                           report.limit_text(worst) if worst else "-"])
        stale = f"  STALE: {snap.error}" if snap.stale else ""
        return Group(report.Text.assemble(report.header_line(snap, out.width),
                                          literal(stale, "bold red")),
                     t,
                     report.Text("%CPU: from CPU time used over the interval, percent of one core",
                                 style="dim"))

    docs = []
    live_view = tty and not args.json
    out = _console()
    with (Live(console=out.console, auto_refresh=False) if live_view else _NoLive()) \
            as live, _Keys(sys.stdin if live_view else None) as keys:
        n = 0
        while count is None or n < count:
            if keys.wait(args.delay, "qQ"):
                break
            snap = sampler.sample()
            n += 1
            if args.json:
                docs.append(report.document("top", snap, stale=snap.stale, error=snap.error,
                                            jails=[report.stats_json(s) for s in snap.jails]))
            elif live is not None:
                live.update(render(snap), refresh=True)
            else:
                out.print(render(snap))
    if args.json:
        return _print_json(docs[0] if len(docs) == 1 else {"schema": report.SCHEMA,
                                                           "kind": "top-series", "samples": docs})
    return EXIT_OK


class _Keys:
    """The keys typed while ``top`` runs on a terminal: it is put in cbreak mode (keys come
    one by one, unechoed; ^C still interrupts) and restored as it was on the way out."""

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno() if stream is not None and stream.isatty() else None
        self.saved: list[Any] | None = None

    def __enter__(self) -> _Keys:
        if self.fd is not None:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None and self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def wait(self, seconds: float, stop: str) -> bool:
        """Wait ``seconds``; True as soon as one of the keys in ``stop`` is typed."""
        if self.fd is None:
            time.sleep(seconds)
            return False
        import select

        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            typed = os.read(self.fd, 64)
            if not typed:  # the terminal hung up: no more keys
                time.sleep(max(0.0, end - time.monotonic()))
                return False
            if any(key in stop for key in typed.decode(errors="replace")):
                return True
        return False


class _NoLive:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def cmd_limits(args: argparse.Namespace) -> int:
    words = list(args.args)
    verb = words[0] if words and words[0] in ("add", "rm", "persist") else None
    if verb is None:
        if len(words) > 1:
            raise UsageError("usage: jailtui limits [JAIL | add RULE | rm FILTER | persist [JAIL]]")
        return _show_limits(args, words[0] if words else None)
    operands = words[1:]
    actions = _actions(args)
    if verb == "persist":
        if len(operands) > 1:
            raise UsageError("usage: jailtui limits persist [JAIL]")
        path = actions.persist(operands[0] if operands else None)
        print(vis(f"wrote the live jail rules to {path}"))
        _demo_note(actions)
        return _done(actions)
    if len(operands) != 1:
        raise UsageError(f"usage: jailtui limits {verb} {'RULE' if verb == 'add' else 'FILTER'}")
    if verb == "add":
        from .engine.rctl import parse_rule

        wanted = parse_rule(operands[0])
        warning = None if args.force else actions.below_use(wanted)
        if warning is not None:
            _ask(f"add {wanted}", warning, [], "--force")
        rule = actions.add_rule(wanted, persist=args.persist, allow_unknown_jail=args.force)
        kept = f" (kept by {actions.kept_by})" if actions.kept_by else (
            f" (and to {args.rctl_conf})" if args.persist else "")
        print(vis(f"added {rule}{kept}"))
    else:
        flt = actions.removal_filter(operands[0])
        matched = [] if args.all else actions.host.rules(flt)
        if len(matched) > 1:
            _ask(f"remove these {len(matched)} rules", f"{flt} matches {len(matched)} rules",
                 [str(rule) for rule in matched], "--all")
        removed = actions.remove_rules(flt, persist=args.persist)
        for rule in removed:
            print(vis(f"removed {rule}"))
    _demo_note(actions)
    return _done(actions)


def _ask(what: str, why: str, items: Sequence[str], flag: str) -> None:
    """Ask before ``what`` on a terminal, naming ``why`` and ``items``; raise (nothing done)
    when the answer is not yes, or when there is no terminal to ask (``flag`` skips this)."""
    if not sys.stdin.isatty():
        listed = f" ({', '.join(items)})" if items else ""
        raise JailtuiError(f"refusing to {what}: {why}{listed}; nothing changed",
                           f"add {flag} to do it without asking")
    _stderr(f"warning: {why}" + (":" if items else ""))
    for item in items:
        print(f"  {vis(item)}", file=sys.stderr)
    sys.stderr.write(vis(f"{what[0].upper()}{what[1:]}? [y/N] "))
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise JailtuiError("nothing changed")


def _done(actions: Any) -> int:
    """Print what went wrong beside the change (the audit log not written), even when the
    change itself failed."""
    for warning in actions.take_warnings() if actions is not None else ():
        _stderr(f"warning: {warning}")
    return EXIT_OK


def _show_limits(args: argparse.Namespace, jail: str | None) -> int:
    from . import report
    from .engine import units
    from .literal import literal

    snap = _snapshot(args)
    _require_racct(snap)
    stats = snap.jails
    if jail is not None:
        stats = (_stats(snap, jail),)
    if snap.rules_error is not None:
        error = f"cannot read rules: {snap.rules_error}"
        if not args.json:
            raise JailtuiError(error)
        _print_json(report.document("limits", snap, rules=[], error=error))
        return EXIT_FAILED
    limits = [lim for s in stats for lim in s.limits]
    if args.json:
        return _print_json(report.document("limits", snap, error=None,
                                           rules=[report.limit_json(lim) for lim in limits]))
    t = report.table("RULE", "AMOUNT", "USED", "%", right=("AMOUNT", "USED", "%"),
                     drop=("%", "USED"))
    for lim in limits:
        r = lim.rule
        frac = "-" if lim.fraction is None else f"{lim.fraction * 100:.0f}"
        report.row(t, [str(r), units.amount(r.resource, r.amount),
                       units.amount(r.resource, lim.used), frac])
    con = _console()
    con.print(t)
    if not limits:
        con.print(literal("no rules" + (f" for jail {jail}" if jail else ""), "dim"))
    return EXIT_OK


# -- changes -------------------------------------------------------------------------------

def _jail_verb(verb: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from . import report

        actions = _actions(args)
        result = getattr(actions, verb)(args.jail, force=args.force)
        if args.json:
            _print_json(report.document(
                "action", action=verb, jail=result.jail, ok=result.ok, jid=result.jid,
                message=result.message,
                commands=[report.command_json(c) for c in result.commands]))
        else:
            if result.ok:
                print(vis(result.message, multiline=True))
                _demo_note(actions)
            else:
                _stderr(result.message)
        _done(actions)
        return EXIT_OK if result.ok else EXIT_FAILED
    return run


def cmd_console(args: argparse.Namespace) -> int:
    """The shell runs as a child, not through exec, so the audit records it after it ran."""
    from .engine.errors import HostUnreachable
    from .terminal import run_in_terminal

    actions = _actions(args)
    if actions.host.simulated:
        return _demo_console(actions, args.jail, list(args.argv))
    command = list(args.argv) or None
    argv = actions.shell_argv(args.jail, command)
    _done(actions)
    sys.stdout.flush()
    try:
        code = run_in_terminal(argv)
    except OSError as exc:
        problem = f"cannot run {argv[0]}: {exc.strerror or exc}"
        actions.shell_ran(args.jail, command, problem)
        raise HostUnreachable(problem) from None
    actions.shell_ran(args.jail, command)
    _done(actions)
    return code if code >= 0 else 128 - code


def _demo_console(actions: Any, name: str, argv: list[str]) -> int:
    """The demo's simulated shell on this terminal (or COMMAND run once): nothing runs on
    this machine, as in the dashboard."""
    import shlex

    from .engine.demo_shell import DemoShell

    jail = actions.host.jail(name)
    if not jail.running:
        raise JailtuiError(f'jail "{jail.name}" is not running', f"jailtui start {jail.name}")
    shell = DemoShell(actions, jail.name)
    lines = iter([shlex.join(argv)]) if argv else None
    if lines is None:
        print(vis(shell.banner), file=sys.stderr)
    while True:
        if lines is None:
            sys.stderr.write(vis(shell.prompt))
            sys.stderr.flush()
            line = sys.stdin.readline()
            if not line:
                break
        else:
            line = next(lines, "exit")
        reply = shell.run(line)
        sys.stdout.write(vis(reply.stdout, multiline=True))
        sys.stdout.flush()
        sys.stderr.write(vis(reply.stderr, multiline=True))
        if reply.done:
            break
    _done(actions)
    return shell.status


def _demo_note(actions: Any) -> None:
    """A change to the demo host is made in this process only: say so."""
    if actions.host.simulated:
        _stderr("note: the demo host lives in this process: the change is gone when it exits")


def _run_tui(args: argparse.Namespace) -> int:
    """The host is wired and its first sample started before Textual is imported: the
    sample runs while the dashboard is imported and composed. Start-up allocates much and
    frees little: the cyclic garbage collector waits until the dashboard shows its first
    data (about a tenth of the start-up's CPU)."""
    import gc

    from .wiring import FirstSample

    gc.disable()
    try:
        wiring = _wiring(args)
        first = FirstSample(wiring.host)
        from .tui.app import run

        return run(args, wiring, first)
    finally:
        gc.enable()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ls": cmd_ls, "ps": cmd_ps, "usage": cmd_usage, "top": cmd_top, "limits": cmd_limits,
    "start": _jail_verb("start"), "stop": _jail_verb("stop"), "restart": _jail_verb("restart"),
    "console": cmd_console,
}


if __name__ == "__main__":
    sys.exit(main())
