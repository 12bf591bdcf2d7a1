"""rctl.conf editing: comments and shorthand survive, writes are atomic and keep mode/owner."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from jailtui.engine import rctlconf
from jailtui.engine.errors import CommandFailed, NotPermitted
from jailtui.engine.model import Rule
from jailtui.engine.rctl import RuleFilter, jail_filter, parse_filter
from jailtui.engine.rctlconf import (RctlConf, matching, problems, rules_in, synced,
                                     with_rule, without_rules)

CONF = """\
# jail limits
j:www:memoryuse:deny=512m   # web tier

jail:www:pcpu:deny=50
user:www:maxproc:deny=100/user
jail:db:memoryuse:deny=1g
jail:www:bogus:deny=1
"""

WWW_MEM_1G = Rule("jail", "www", "memoryuse", "deny", 1 << 30)


def test_rules_in_strips_comments_and_blank_lines() -> None:
    assert rules_in(CONF) == [
        (1, "j:www:memoryuse:deny=512m"), (3, "jail:www:pcpu:deny=50"),
        (4, "user:www:maxproc:deny=100/user"), (5, "jail:db:memoryuse:deny=1g"),
        (6, "jail:www:bogus:deny=1")]


def test_problems_name_the_line_that_does_not_parse() -> None:
    (problem,) = problems(CONF)
    assert problem.startswith("line 7: invalid rule 'jail:www:bogus:deny=1': resource")
    assert problems("# only a comment\n\n") == []


# -- read as rc.d/rctl reads it: `while read var comments`, var handed to rctl -a -----------------

def test_only_the_first_word_of_a_line_is_a_rule() -> None:
    text = ("jail:www:pcpu:deny=50 jail:db:pcpu:deny=10\n"
            "\t  jail:www:maxproc:deny=20\tnot # a comment but ignored\n"
            "  # indented comment\n")
    assert rules_in(text) == [(0, "jail:www:pcpu:deny=50"), (1, "jail:www:maxproc:deny=20")]
    assert matching(text, parse_filter("jail:db")) == []
    assert matching(text, parse_filter("jail:www")) == [Rule("jail", "www", "pcpu", "deny", 50),
                                                         Rule("jail", "www", "maxproc", "deny",
                                                              20)]
    assert problems(text) == []


def test_a_hash_inside_the_first_word_is_part_of_the_rule() -> None:
    text = "jail:www:pcpu:deny=50#cap\njail:db:pcpu:deny=10 #cap\n"
    assert rules_in(text) == [(0, "jail:www:pcpu:deny=50#cap"), (1, "jail:db:pcpu:deny=10")]
    assert matching(text, parse_filter("jail:www")) == []
    (problem,) = problems(text)
    assert problem.startswith("line 1: invalid rule 'jail:www:pcpu:deny=50#cap': amount")
    assert with_rule(text, Rule("jail", "www", "pcpu", "deny", 60)) == (
        text + "jail:www:pcpu:deny=60\n"), "the broken line is left as written"


def test_removing_a_rule_keeps_the_rest_of_its_line_as_a_comment() -> None:
    text = "jail:www:pcpu:deny=50 keep these words\njail:db:pcpu:deny=10 # db\n"
    assert without_rules(text, parse_filter("jail:")) == "# keep these words\n# db\n"


def test_lines_rc_d_would_not_read_as_written_are_named() -> None:
    text = ("jail:www:pcpu:deny=5\\0\njail:db:pcpu:deny=10 # see \\\njail:db:maxproc:deny=9\n"
            "jail:www:maxproc:deny=5")
    assert problems(text) == [
        "line 1: holds a backslash, which read(1) in rc.d/rctl takes out: left as written",
        "line 3: joined to the line before (it ends in a backslash): rc.d/rctl reads it as "
        "part of that line",
        "line 4: has no newline at the end: rc.d/rctl never reads this last line"]
    assert [rule for _, rule in rules_in(text)] == [
        "jail:www:pcpu:deny=5\\0", "jail:db:pcpu:deny=10", "jail:www:maxproc:deny=5"]


def test_crlf_lines_keep_their_endings() -> None:
    text = "# limits\r\njail:www:memoryuse:deny=1g # web\r\n\r\njail:db:pcpu:deny=50 # db\r\n"
    out = with_rule(text, Rule("jail", "www", "memoryuse", "deny", 2 << 30))
    out = with_rule(out, Rule("jail", "www", "maxproc", "deny", 100))
    assert out == ("# limits\r\njail:www:memoryuse:deny=2147483648 # web\r\n\r\n"
                   "jail:db:pcpu:deny=50 # db\r\njail:www:maxproc:deny=100\r\n")
    assert without_rules(out, parse_filter("jail:db")) == (
        "# limits\r\njail:www:memoryuse:deny=2147483648 # web\r\n\r\n# db\r\n"
        "jail:www:maxproc:deny=100\r\n")
    assert problems(out) == [
        "line 5: ends in CR LF: rc.d/rctl hands the rule to rctl -a with the CR attached, and "
        "rctl rejects it (convert the file to LF line endings)"]


def test_with_rule_replaces_lines_as_the_kernel_replaces_rules() -> None:
    text = ("jail:www:memoryuse:deny=100m/process # each\njail:www:memoryuse:log=1g # warn\n"
            "jail:www:memoryuse:deny=4g # all\n")
    assert with_rule(text, Rule("jail", "www", "memoryuse", "deny", 2 << 30)) == (
        "jail:www:memoryuse:deny=100m/process # each\njail:www:memoryuse:log=1g # warn\n"
        "jail:www:memoryuse:deny=2147483648 # all\n")
    assert with_rule(text, Rule("jail", "www", "memoryuse", "log", 2 << 30)) == (
        text + "jail:www:memoryuse:log=2147483648\n")
    assert with_rule(text, Rule("jail", "www", "memoryuse", "log", 2 << 30),
                     replaces=Rule("jail", "www", "memoryuse", "log", 1 << 30)) == (
        "jail:www:memoryuse:deny=100m/process # each\n"
        "jail:www:memoryuse:log=2147483648 # warn\njail:www:memoryuse:deny=4g # all\n")


def test_with_rule_replaces_a_shorthand_line_and_keeps_its_comment() -> None:
    out = with_rule(CONF, WWW_MEM_1G)
    assert out == CONF.replace("j:www:memoryuse:deny=512m   # web tier",
                               "jail:www:memoryuse:deny=1073741824   # web tier")


def test_with_rule_keeps_an_identical_rule_as_written() -> None:
    assert with_rule(CONF, Rule("jail", "www", "memoryuse", "deny", 512 << 20)) == CONF


def test_with_rule_appends_a_new_slot() -> None:
    rule = Rule("jail", "www", "memoryuse", "log", 1 << 30)
    assert with_rule(CONF, rule) == CONF + "jail:www:memoryuse:log=1073741824\n"
    assert with_rule("", rule) == "jail:www:memoryuse:log=1073741824\n"
    assert with_rule("# c", rule) == "# c\njail:www:memoryuse:log=1073741824\n", \
        "a last line without newline is never read by rc.d/rctl"


def test_with_rule_collapses_duplicates_but_keeps_their_comments() -> None:
    text = "jail:www:pcpu:deny=10\njail:www:pcpu:deny=20 # second\n"
    assert with_rule(text, Rule("jail", "www", "pcpu", "deny", 30)) == (
        "jail:www:pcpu:deny=30\n# second\n")


def test_without_rules_drops_matches_and_keeps_comments() -> None:
    out = without_rules(CONF, parse_filter("jail:www"))
    assert out == ("# jail limits\n# web tier\n\nuser:www:maxproc:deny=100/user\n"
                   "jail:db:memoryuse:deny=1g\njail:www:bogus:deny=1\n")
    assert without_rules(CONF, parse_filter("jail:nosuch")) == CONF


def test_synced_replaces_drops_and_appends_only_within_the_filter() -> None:
    live = [Rule("jail", "www", "pcpu", "deny", 80), Rule("jail", "www", "maxproc", "deny", 50)]
    out = synced(CONF, live, jail_filter("www"))
    assert out == ("# jail limits\n# web tier\n\njail:www:pcpu:deny=80\n"
                   "user:www:maxproc:deny=100/user\njail:db:memoryuse:deny=1g\n"
                   "jail:www:bogus:deny=1\njail:www:maxproc:deny=50\n")


def test_synced_keeps_lines_equal_to_live_rules_as_written() -> None:
    live = [Rule("jail", "www", "memoryuse", "deny", 512 << 20),
            Rule("jail", "www", "pcpu", "deny", 50),
            Rule("jail", "db", "memoryuse", "deny", 1 << 30)]
    assert synced(CONF, live, RuleFilter(subject="jail")) == CONF
    assert synced(CONF, [], RuleFilter(subject="jail")).count("\n") == CONF.count("\n") - 2


# -- RctlConf -------------------------------------------------------------------------------

def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_read_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert RctlConf(tmp_path / "rctl.conf").read() == ""


def test_first_write_creates_0644_without_backup(tmp_path: Path) -> None:
    conf = RctlConf(tmp_path / "rctl.conf")
    conf.write("jail:www:pcpu:deny=50\n")
    assert conf.read() == "jail:www:pcpu:deny=50\n"
    assert stat.S_IMODE(os.stat(conf.path).st_mode) == 0o644
    assert not conf.backup.exists() and leftovers(tmp_path) == []


def test_write_keeps_a_backup_mode_and_owner(tmp_path: Path) -> None:
    path = tmp_path / "rctl.conf"
    path.write_text(CONF)
    os.chmod(path, 0o600)
    if os.geteuid() == 0:
        os.chown(path, 1234, 5678)
    before = os.stat(path)
    RctlConf(path).write("new\n")
    after = os.stat(path)
    assert path.read_text() == "new\n"
    assert (tmp_path / "rctl.conf.bak").read_text() == CONF
    assert stat.S_IMODE(after.st_mode) == 0o600
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert leftovers(tmp_path) == []


def failing(exc: OSError):
    def fail(*args: object, **kwargs: object) -> None:
        raise exc
    return fail


@pytest.mark.parametrize("target", ["replace", "fsync"])
def test_a_failed_write_leaves_the_file_untouched(tmp_path: Path, monkeypatch, target) -> None:
    """The backup is written, then writing rctl.conf itself fails (its rename, or the sync of
    its data): rctl.conf still holds all of its old text."""
    path = tmp_path / "rctl.conf"
    backup = tmp_path / "rctl.conf.bak"
    path.write_bytes(CONF.encode())
    real = getattr(os, target)
    failed = []

    def fail_on_rctl_conf(*args: Any, **kwargs: Any) -> Any:
        if target == "replace":
            hit = Path(args[1]) == path
        else:  # an fsync of file data (not of the directory) once the backup is done
            hit = (backup.exists() and stat.S_ISREG(os.fstat(args[0]).st_mode)
                   and os.fstat(args[0]).st_ino != os.stat(backup).st_ino)
        if hit:
            failed.append(args)
            raise OSError(errno.EIO, "Input/output error")
        return real(*args, **kwargs)

    monkeypatch.setattr(rctlconf.os, target, fail_on_rctl_conf)
    with pytest.raises(CommandFailed) as caught:
        RctlConf(path).write("half\n")
    assert failed, "the write of rctl.conf itself was reached"
    assert str(caught.value) == f"cannot write {path}: Input/output error"
    assert backup.read_bytes() == CONF.encode()
    assert path.read_bytes() == CONF.encode()
    assert leftovers(tmp_path) == []


def test_permission_denied_is_not_permitted(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "rctl.conf"
    path.write_text(CONF)
    monkeypatch.setattr(rctlconf.tempfile, "mkstemp",
                        failing(PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(NotPermitted) as caught:
        RctlConf(path).write("x\n")
    assert caught.value.message == f"cannot write {path}: Permission denied"
    assert path.read_text() == CONF


def test_read_only_file_system(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rctlconf.tempfile, "mkstemp",
                        failing(OSError(errno.EROFS, "Read-only file system")))
    with pytest.raises(CommandFailed, match="Read-only file system"):
        RctlConf(tmp_path / "rctl.conf").write("x\n")


def test_missing_directory_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nosuch" / "rctl.conf"
    with pytest.raises(CommandFailed) as caught:
        RctlConf(path).write("x\n")
    assert caught.value.message == f"cannot write {path}: directory {path.parent} does not exist"


def test_unreadable_file_is_not_permitted(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "rctl.conf"
    path.write_text(CONF)
    monkeypatch.setattr(rctlconf.os, "open", failing(PermissionError(errno.EACCES,
                                                                      "Permission denied")))
    with pytest.raises(NotPermitted, match=f"cannot read {path}"):
        RctlConf(path).read()


# -- the file: symlinks, CRLF bytes, special files, size, concurrent writers ---------------------

def test_a_symlinked_rctl_conf_is_written_through_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "etc" / "real.conf"
    real.parent.mkdir()
    real.write_text("jail:www:pcpu:deny=50\n")
    os.chmod(real, 0o600)
    link = tmp_path / "rctl.conf"
    link.symlink_to(os.path.relpath(real, tmp_path))
    conf = RctlConf(link)
    assert conf.read() == "jail:www:pcpu:deny=50\n"
    conf.write("jail:www:pcpu:deny=60\n")
    assert link.is_symlink() and os.readlink(link) == "etc/real.conf"
    assert real.read_text() == "jail:www:pcpu:deny=60\n"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert (real.parent / "real.conf.bak").read_text() == "jail:www:pcpu:deny=50\n"
    assert not (tmp_path / "rctl.conf.bak").exists()


def test_a_dangling_symlink_is_empty_and_the_write_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "rctl.conf"
    link.symlink_to(tmp_path / "target.conf")
    conf = RctlConf(link)
    assert conf.read() == ""
    conf.write("jail:www:pcpu:deny=50\n")
    assert link.is_symlink() and (tmp_path / "target.conf").read_text() == "jail:www:pcpu:deny=50\n"


def test_crlf_and_stray_bytes_survive_a_read_and_write(tmp_path: Path) -> None:
    path = tmp_path / "rctl.conf"
    data = b"# caf\xe9 limits\r\njail:www:memoryuse:deny=1g # web\r\n"
    path.write_bytes(data)
    conf = RctlConf(path)
    conf.update(lambda text: with_rule(text, Rule("jail", "www", "maxproc", "deny", 100)))
    assert path.read_bytes() == data + b"jail:www:maxproc:deny=100\r\n"


def run_briefly(call, seconds: float = 5.0):
    """``call()`` in a thread: a read that blocks (a FIFO with no writer) fails the test."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:  # handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked on the file"
    return outcome


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "rctl.conf"
    os.mkfifo(fifo)
    conf = RctlConf(fifo)
    error = run_briefly(conf.read).get("error")
    assert isinstance(error, CommandFailed)
    assert error.message == f"refusing to use {fifo} as rctl.conf: it is a FIFO, not a regular file"
    error = run_briefly(lambda: conf.write("jail:www:pcpu:deny=50\n")).get("error")
    assert isinstance(error, CommandFailed) and "it is a FIFO" in error.message
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_is_refused(tmp_path: Path) -> None:
    error = run_briefly(RctlConf(Path("/dev/zero")).read).get("error")
    assert isinstance(error, CommandFailed)
    assert error.message == ("refusing to use /dev/zero as rctl.conf: it is a character device, "
                             "not a regular file")
    error = run_briefly(RctlConf(tmp_path).read).get("error")
    assert isinstance(error, CommandFailed) and "it is a directory" in error.message


def test_a_huge_file_is_not_read(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "rctl.conf"
    path.write_bytes(b"#" * (3 * rctlconf.MAX_SIZE))
    got: list[int] = []
    read = os.read

    def counted(fd: int, size: int) -> bytes:
        data = read(fd, size)
        got.append(len(data))
        return data

    monkeypatch.setattr(rctlconf.os, "read", counted)
    with pytest.raises(CommandFailed, match="larger than 1048576 bytes"):
        RctlConf(path).read()
    assert sum(got) == rctlconf.MAX_SIZE + 1, "read no further than the bound"
    monkeypatch.undo()
    path.write_bytes(b"#" * rctlconf.MAX_SIZE)
    assert len(RctlConf(path).read()) == rctlconf.MAX_SIZE


WRITER = """
import sys, time
from pathlib import Path
from typing import Any
from jailtui.engine import rctlconf
from jailtui.engine.actions import Actions
from jailtui.engine.audit import AuditLog
from jailtui.engine.simulated import SimulatedHost

read = rctlconf.RctlConf.read
def slow_read(self):
    text = read(self)
    time.sleep(0.01)  # widen the read-modify-write window
    return text
rctlconf.RctlConf.read = slow_read
actions = Actions(SimulatedHost(jails=1), rctl_conf=Path(sys.argv[1]), audit=AuditLog(None))
for amount in range(1, int(sys.argv[3]) + 1):
    actions.add_rule(f"jail:{sys.argv[2]}:maxproc:log={amount}", persist=True,
                     allow_unknown_jail=True)
"""


def test_concurrent_writers_never_lose_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "rctl.conf"
    path.write_text("# shared\n")
    writers, rounds = 4, 8
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"j{i}", str(rounds)],
                              stderr=subprocess.PIPE, text=True) for i in range(writers)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    rules = matching(path.read_text(), RuleFilter(subject="jail"))
    assert sorted(map(str, rules)) == sorted(f"jail:j{i}:maxproc:log={amount}"
                                             for i in range(writers)
                                             for amount in range(1, rounds + 1))
