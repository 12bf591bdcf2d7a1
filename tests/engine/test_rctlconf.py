"""rctl.conf editing: comments and shorthand survive, writes are atomic and keep mode/owner."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from jailtui.engine import rctlconf
from jailtui.engine.errors import CommandFailed, NotPermitted
from jailtui.engine.model import Rule
from jailtui.engine.rctl import RuleFilter, jail_filter, parse_filter
from jailtui.engine.rctlconf import (RctlConf, problems, rules_in, synced, with_rule,
                                     without_rules)

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
    assert with_rule("# c", rule) == "# c\njail:www:memoryuse:log=1073741824"


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
    path = tmp_path / "rctl.conf"
    path.write_bytes(CONF.encode())
    monkeypatch.setattr(rctlconf.os, target, failing(OSError(errno.EIO, "Input/output error")))
    with pytest.raises(CommandFailed) as caught:
        RctlConf(path).write("half\n")
    assert str(caught.value) == f"cannot write {path}: Input/output error"
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
    monkeypatch.setattr(Path, "read_text", failing(PermissionError(errno.EACCES,
                                                                    "Permission denied")))
    with pytest.raises(NotPermitted, match=f"cannot read {path}"):
        RctlConf(path).read()
