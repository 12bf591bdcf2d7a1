"""Which jail.conf rc.d/jail and jail(8) use for a jail (libexec/rc/rc.d/jail parse_options,
usr.sbin/jail/config.c include_config), and the sh variable files behind it."""

from __future__ import annotations

import fnmatch
import posixpath

import pytest

from jailtui.engine.errors import HostUnreachable
from jailtui.engine.jailconf import JailConfs, rc_name, rc_var, read_rc_conf
from jailtui.engine.shvars import parse_sh_vars


class Files:
    """A host's files as a dict; ``glob`` sorts like glob(3)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.reads: list[str] = []

    def read(self, path: str) -> str | None:
        self.reads.append(path)
        value = self.files.get(posixpath.normpath(path))
        if isinstance(value, Exception):
            raise value
        return value

    def glob(self, pattern: str) -> list[str]:
        return sorted(p for p in self.files
                      if fnmatch.fnmatchcase(p, pattern) and p.count("/") == pattern.count("/"))


def confs(files: dict[str, str], jail_conf: str | None = None) -> JailConfs:
    fs = Files(files)
    result = JailConfs(fs.read, fs.glob, jail_conf)
    result.refresh()
    return result


def test_rc_names_follow_tr() -> None:
    assert rc_name("web.child") == "web_child" and rc_name("a/b") == "a_b"
    assert rc_name("my-jail") == "my-jail" and rc_var("my-jail") == "my_jail"
    assert rc_var("web.child") == "web_child"


def test_lookup_order_of_parse_options() -> None:
    files = {
        "/etc/rc.conf": 'jail_enable="YES"\njail_special_conf="/usr/local/etc/special.conf"\n',
        "/usr/local/etc/special.conf": "special { path = /s; }\n",
        "/etc/jail.web.conf": "web { path = /w; }\n",
        "/etc/jail.conf.d/db.conf": "db { path = /d; }\n",
        "/etc/jail.conf": "path = \"/jails/$name\";\nmain { }\nweb { }\n",
    }
    c = confs(files)
    assert c.lookup("special").conf == "/usr/local/etc/special.conf"
    web = c.lookup("web")
    assert (web.conf, web.rc_conf) == ("/etc/jail.web.conf", "/etc/jail.web.conf")
    assert web.entry is not None and web.entry.params["path"] == "/w"
    db = c.lookup("db")
    assert (db.conf, db.rc_conf, db.by_service) == ("/etc/jail.conf.d/db.conf",) * 2 + (True,)
    main = c.lookup("main")
    assert main.conf == main.rc_conf == "/etc/jail.conf"
    assert main.entry is not None and main.entry.params["path"] == "/jails/main"
    assert list(c.defined()) == ["main", "web", "special", "db"] or set(c.defined()) == {
        "main", "web", "special", "db"}


def test_a_name_no_file_defines_still_gets_rc_d_s_file() -> None:
    """rc.d hands jail_conf to jail -r even when it does not name the jail (state.c then
    removes the running jail by name alone)."""
    c = confs({"/etc/jail.conf": "other { }\n"})
    found = c.lookup("bastilled")
    assert found.conf == "" and found.rc_conf == "/etc/jail.conf" and not found.by_service
    assert confs({}).lookup("x").rc_conf == ""


def test_a_file_rc_d_picks_first_hides_the_real_one() -> None:
    c = confs({"/etc/jail.www.conf": "# empty\n", "/etc/jail.conf": "www { }\n"})
    www = c.lookup("www")
    assert www.rc_conf == "/etc/jail.www.conf" and www.conf == "/etc/jail.conf"
    assert not www.by_service


def test_dotted_names_are_found_but_not_by_service() -> None:
    c = confs({"/etc/jail.conf": "build { children.max = 4; ports { } }\n"})
    child = c.lookup("build.ports")
    assert child.conf == "/etc/jail.conf" and child.rc_conf == "/etc/jail.conf"
    assert not child.by_service and c.lookup("build").by_service


def test_jail_conf_from_rc_conf_and_override() -> None:
    files = {"/etc/rc.conf": 'jail_conf="/usr/local/etc/jail.conf"\n',
             "/usr/local/etc/jail.conf": "a { }\n", "/etc/jail.conf": "b { }\n"}
    assert confs(files).lookup("a").conf == "/usr/local/etc/jail.conf"
    assert confs(files, "/etc/jail.conf").lookup("b").conf == "/etc/jail.conf"


def test_conf_d_is_skipped_when_jail_conf_includes_it() -> None:
    """rc.d/jail: ``egrep -q '^\\s*\\.include\\s*["']?/etc/jail.conf.d/' $jail_conf``."""
    files = {"/etc/jail.conf": 'path = "/j/$name";\n .include "/etc/jail.conf.d/*.conf";\n',
             "/etc/jail.conf.d/www.conf": "www { host.hostname = w; }\n"}
    www = confs(files).lookup("www")
    assert www.conf == www.rc_conf == "/etc/jail.conf" and www.by_service
    assert www.entry is not None and www.entry.params["path"] == "/j/www"


def test_includes_are_relative_to_the_including_file_and_keep_their_place() -> None:
    files = {
        "/etc/jail.conf": 'exec.start = "a";\n.include "sub/*.conf";\nexec.start = "b";\n',
        "/etc/sub/one.conf": "one { }\n", "/etc/sub/two.conf": ".include \"../more.conf\";\n",
        "/etc/more.conf": "three { }\n",
    }
    c = confs(files)
    assert [c.lookup(n).conf for n in ("one", "three")] == ["/etc/jail.conf"] * 2
    entry = c.lookup("one").entry
    assert entry is not None and entry.params["exec.start"] == "b"


def test_a_missing_literal_include_or_a_syntax_error_is_a_warning() -> None:
    c = confs({"/etc/jail.conf": 'a { }\n.include "/etc/nothere.conf";\n',
               "/etc/jail.conf.d/b.conf": "b { path = ; }\n",
               "/etc/jail.conf.d/c.conf": "c { }\n"})
    assert c.lookup("a").conf == "" and c.lookup("b").conf == ""
    assert c.lookup("c").conf == "/etc/jail.conf.d/c.conf"
    assert any("/etc/nothere.conf: No such file or directory" in w for w in c.warnings)
    assert any(w.startswith("/etc/jail.conf.d/b.conf: jail.conf line 1") for w in c.warnings)


def test_an_include_loop_stops_at_jail_8_s_depth() -> None:
    c = confs({"/etc/jail.conf": '.include "/etc/jail.conf";\n'})
    assert any("maximum include depth exceeded" in w for w in c.warnings)


def test_an_unreadable_file_is_a_warning_not_empty() -> None:
    c = confs({"/etc/rc.conf": HostUnreachable("cannot read /etc/rc.conf: Permission denied"),
               "/etc/jail.conf": "a { }\n"})
    assert c.lookup("a").conf == "/etc/jail.conf"
    assert c.warnings == ("cannot read /etc/rc.conf: Permission denied",)


def test_rc_conf_d_file_or_directory() -> None:
    fs = Files({"/etc/rc.conf": 'jail_conf="/a"\njail_list="x"\n',
                "/etc/rc.conf.local": 'jail_list="y"\n',
                "/etc/rc.conf.d/jail/10": 'jail_conf="/b"\n',
                "/usr/local/etc/rc.conf.d/jail": 'jail_parallel_start="YES"\n'})
    assert read_rc_conf(fs.read, fs.glob) == {"jail_conf": "/b", "jail_list": "y",
                                              "jail_parallel_start": "YES"}
    assert "/etc/rc.conf.d/jail" not in fs.reads


@pytest.mark.parametrize("text, expected", [
    ('a="x y" # note\n', {"a": "x y"}),
    ("a=1 b=$a${a}2 c='$a'\n", {"a": "1", "b": "112", "c": "$a"}),
    ('p="/usr/local/bastille"\nj="${p}/jails"  ## default: "${p}/jails"\n',
     {"p": "/usr/local/bastille", "j": "/usr/local/bastille/jails"}),
    ("export X=1; Y=${Z:-/opt}\n", {"X": "1", "Y": "/opt"}),
    ('l="a\nb"\n', {"l": "a\nb"}),
    ("echo a=1\nif true; then b=2; fi\na=b#c\n", {"a": "b#c"}),
])
def test_sh_vars(text: str, expected: dict[str, str]) -> None:
    assert parse_sh_vars(text) == expected


def test_the_default_per_jail_files_are_found_in_a_listing_not_opened_per_jail() -> None:
    """A sample looks every running jail up: /etc/jail.J.conf and /etc/jail.conf.d/J.conf are
    found in the refresh's glob of those files, so a host of many jails in one jail.conf costs
    no open() per jail, and a per-jail file that exists is still the one rc.d picks."""
    names = [f"web{i}" for i in range(50)]
    main = "".join(f'{name} {{ path = "/j/{name}"; }}\n' for name in names)
    fs = Files({"/etc/rc.conf": 'jail_enable="YES"\njail_web7_conf="/srv/web7.conf"\n',
                "/etc/jail.conf": main,
                "/etc/jail.web3.conf": 'web3 { path = "/j/web3"; }\n',
                "/etc/jail.conf.d/web4.conf": 'web4 { path = "/j/web4"; }\n'})
    found = JailConfs(fs.read, fs.glob)
    found.refresh()
    fs.reads.clear()
    lookups = {name: found.lookup(name) for name in names}
    assert fs.reads == [], "every file was read by the refresh; no open per jail"
    assert (lookups["web3"].rc_conf, lookups["web4"].rc_conf) == (
        "/etc/jail.web3.conf", "/etc/jail.conf.d/web4.conf")
    assert lookups["web3"].by_service and lookups["web4"].by_service
    assert lookups["web7"].rc_conf == "/etc/jail.conf" and lookups["web1"].by_service


def test_a_lookup_holds_until_the_next_refresh_only() -> None:
    """A sample asks for a jail's lookup more than once and gets one answer; the next refresh
    sees a jail moved to a file of its own."""
    fs = Files({"/etc/rc.conf": 'jail_enable="YES"\n',
                "/etc/jail.conf": 'web { path = "/j/web"; }\n'})
    found = JailConfs(fs.read, fs.glob)
    found.refresh()
    first = found.lookup("web")
    assert found.lookup("web") is first and first.rc_conf == "/etc/jail.conf"
    fs.files["/etc/jail.conf"] = "# jails are in /etc/jail.conf.d\n"
    fs.files["/etc/jail.conf.d/web.conf"] = 'web { path = "/j/web"; }\n'
    found.refresh()
    moved = found.lookup("web")
    assert (moved.conf, moved.rc_conf) == ("/etc/jail.conf.d/web.conf",
                                          "/etc/jail.conf.d/web.conf")
