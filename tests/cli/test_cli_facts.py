"""The CLI on a FreeBSD host (the fake tools) with what real hosts have: a child jail, a dying
jail, a jail without processes, vnet and inherit jails, an unknown sysctl oid, jail users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jailtui.cli import main

FREEBSD = ["--backend", "freebsd", "--jail-conf", "/nonexistent"]


def jail(jid: int, name: str, *, path: str = "", dying: bool = False, params=None) -> dict:
    return {"jid": jid, "name": name, "hostname": name, "path": path or f"/jails/{name}",
            "ip4": [], "ip6": [], "cpusetid": 30 + jid, "dying": dying, "params": params or {}}


@pytest.fixture
def busy_host(fake_freebsd, tmp_path: Path):
    root = tmp_path / "pg"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:*:0:0::/root:/bin/sh\n"
                                         "postgres:*:770:770::/var/db/postgres:/bin/sh\n")
    state = fake_freebsd.state()
    state["jails"] += [jail(3, "build"), jail(117, "build.ports"), jail(1, "gone", dying=True),
                       jail(118, "router", params={"vnet": "new", "ip4": "inherit",
                                                   "ip6": "inherit"}),
                       jail(119, "shared", params={"ip4": "inherit", "ip6": "inherit"}),
                       jail(120, "pg", path=str(root))]
    state["processes"].append({"jid": 120, "pid": 9120, "ppid": 1, "uid": 770, "pcpu": 0.0,
                               "pmem": 0.0, "rss_kib": 1, "vsz_kib": 1, "nlwp": 1,
                               "state": "SsJ", "cputime": 0.0, "etime": 5,
                               "command": "postgres: checkpointer"})
    state["usage"]["build"] = {"openfiles": 99, "maxproc": 4}
    fake_freebsd.set_state(state)
    return fake_freebsd


def ls_rows(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) > 3 and words[2] in ("ACTIVE", "DYING", "STOPPED"):
            rows[words[1]] = line
    return rows


def test_ls_shows_child_dying_empty_vnet_and_inherit_jails(capsys, busy_host) -> None:
    assert main([*FREEBSD, "ls"]) == 0
    out, err = capsys.readouterr()
    rows = ls_rows(out)
    assert {"build", "build.ports", "gone", "router", "shared", "pg"} <= rows.keys()
    assert rows["gone"].split()[2] == "DYING"
    assert rows["router"].split()[5] == "vnet"
    assert rows["shared"].split()[5] == "inherit"
    assert rows["git7"].split()[5] == "172.16.20.98"
    names = list(rows)
    assert names.index("build.ports") == names.index("build") + 1
    assert "racct of build includes its child jails: build.ports" in out
    assert err == ""


def test_ls_json_carries_the_new_keys(capsys, busy_host) -> None:
    assert main([*FREEBSD, "ls", "--json"]) == 0
    doc = json.loads(capsys.readouterr()[0])
    jails = {j["name"]: j for j in doc["jails"] if j["running"]}
    assert (jails["router"]["vnet"], jails["router"]["network"]) == ("new", "vnet")
    assert jails["shared"]["network"] == "inherit" and jails["git7"]["network"] is None
    assert jails["build.ports"]["parent"] == "build" and jails["build"]["parent"] is None
    assert jails["build"]["children"] == ["build.ports"]
    assert jails["build"]["racct_includes_children"] is True
    assert jails["git7"]["racct_includes_children"] is False
    assert {"swap_total", "swap_used", "unknown"} <= doc["host"].keys()


def test_ps_of_a_jail_without_processes_and_users_from_the_jail(capsys, busy_host) -> None:
    for name in ("router", "gone"):
        assert main([*FREEBSD, "ps", name]) == 0
        out, err = capsys.readouterr()
        assert (out.splitlines()[-1], err) == ("no processes", "")
    assert main([*FREEBSD, "ps", "pg", "--json"]) == 0
    [proc] = json.loads(capsys.readouterr()[0])["processes"]
    assert (proc["user"], proc["uid"]) == ("postgres", 770)
    assert isinstance(proc["start"], float)


def test_ls_with_an_unknown_oid_still_lists_the_jails(capsys, busy_host) -> None:
    busy_host.update(sysctl={"vm.loadavg": None})
    assert main([*FREEBSD, "ls"]) == 0
    out, err = capsys.readouterr()
    assert "load ?" in out and "git7" in out
    assert "jailtui: warning: sysctl: unknown oid 'vm.loadavg': loadavg unknown" in err


def test_console_in_a_linux_jail_says_why_it_is_plain_jexec(capsys, busy_host, tmp_path,
                                                           monkeypatch) -> None:
    root = tmp_path / "deb"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    state = busy_host.state()
    state["jails"].append(jail(121, "deb", path=str(root)))
    busy_host.set_state(state)
    ran: list[list[str]] = []
    monkeypatch.setattr("jailtui.terminal.run_in_terminal",
                        lambda argv: ran.append(list(argv)) or 0)
    main([*FREEBSD, "--audit-log", str(tmp_path / "audit.log"), "console", "deb"])
    assert ran == [["jexec", "deb", "/bin/sh"]]
    assert 'no root in its own user database' in capsys.readouterr()[1]
