"""LocalRunner keeps a file's text between samples and reads it again once it changed."""

from __future__ import annotations

import os

from jailtui.engine.runner import LocalRunner


def test_a_changed_file_is_read_again(tmp_path) -> None:
    conf = tmp_path / "jail.conf"
    conf.write_text("www { path = /j/www; }\n")
    runner = LocalRunner()
    assert runner.read_text(str(conf)) == "www { path = /j/www; }\n"
    stamp = conf.stat().st_mtime_ns
    conf.write_text("db1 { path = /j/db1; }\n")  # the same size
    os.utime(conf, ns=(stamp, stamp))  # and the same mtime: the ctime still moves
    assert runner.read_text(str(conf)) == "db1 { path = /j/db1; }\n"
    conf.unlink()
    assert runner.read_text(str(conf)) is None


def test_an_unchanged_file_is_not_read_again(tmp_path, monkeypatch) -> None:
    conf = tmp_path / "jail.conf"
    conf.write_text("www { path = /j/www; }\n")
    runner = LocalRunner()
    first = runner.read_text(str(conf))
    reads = []
    real = os.fdopen

    def counting(fd, *args, **kwargs):  # type: ignore[no-untyped-def]
        file = real(fd, *args, **kwargs)
        original = file.read
        file.read = lambda *a: reads.append(fd) or original(*a)  # type: ignore[method-assign]
        return file

    monkeypatch.setattr(os, "fdopen", counting)
    assert runner.read_text(str(conf)) is first
    assert reads == []


def test_a_jail_added_to_jail_conf_shows_at_the_next_sample(fake_freebsd) -> None:
    host = fake_freebsd.host()
    assert "web9" not in {j.name for j in host.sample().jails}
    fake_freebsd.add_conf_jail("web9", {"host.hostname": "web9", "path": "/j/web9"})
    assert "web9" in {j.name for j in host.sample().jails}
