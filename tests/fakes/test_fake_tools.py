"""The fake FreeBSD tools (tests/fakebin) against the shared samples, byte for byte, and against the
behaviour of the real tools described in docs/freebsd.md and docs/freebsd/*.md."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "freebsd"
FAKEBIN = Path(__file__).resolve().parents[1] / "fakebin"
TOOLS = ("jls", "ps", "rctl", "jail", "service", "jexec", "sysctl", "kill",
         "bastille", "iocage", "appjail", "pot")
PS_SAMPLE_KEYWORDS = "jid,pid,ppid,user,pcpu,pmem,rss,vsz,state,time,etime,command"
SUBSET_PARAMS = (
    "devfs_ruleset dying enforce_statfs host ip4 ip6 jid name osreldate osrelease parent path "
    "persist securelevel sysvmsg sysvsem sysvshm vnet allow.chflags allow.mlock allow.mount "
    "allow.raw_sockets allow.set_hostname allow.sysvipc children.cur children.max cpuset.id "
    "host.hostname ip4.addr ip4.saddrsel ip6.addr ip6.saddrsel").split()


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


state_mod = _load("fakebin_state_for_tests", FAKEBIN / "state.py")
impl = _load("fakebin_impl_for_tests", FAKEBIN / "_freebsd.py")


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, input=stdin, timeout=30)


def data(name: str) -> str:
    """A sample by file name: captured on FreeBSD (samples/) or rebuilt from the sources
    (reconstructed/); the same files the parsers are tested on."""
    (path,) = [path for path in (DATA / "samples" / name, DATA / "reconstructed" / name)
               if path.exists()]
    return path.read_text()


def one_jail(jid: int, name: str, hostname: str = "", ip4=(), ip6=(), cpusetid: int = 4,
             params: dict | None = None) -> dict:
    return {"jid": jid, "name": name, "hostname": hostname, "path": f"/jails/{name}",
            "ip4": list(ip4), "ip6": list(ip6), "cpusetid": cpusetid, "dying": False,
            "params": params or {}}


def only_sample_processes(fake) -> None:
    procs = [p for p in fake.state()["processes"] if p["pid"] in state_mod.SAMPLE_PIDS]
    fake.update(processes=procs)


# ---------------------------------------------------------------------------------------------
# The executables themselves


@pytest.mark.parametrize("tool", TOOLS)
def test_tools_are_standalone_python_executables(tool):
    path = FAKEBIN / tool
    assert path.read_text().startswith("#!/usr/bin/env python3\n")
    assert path.stat().st_mode & 0o111
    for source in (path, FAKEBIN / "_freebsd.py", FAKEBIN / "_managers.py"):
        assert "import jailtui" not in source.read_text()
        assert "from jailtui" not in source.read_text()


def test_fixture_puts_fakes_first_on_path_and_logs_invocations(fake_freebsd):
    assert run("sh", "-c", "command -v jls").stdout.strip() == str(FAKEBIN / "jls")
    run("jls", "--libxo", "json", "-v")
    run(str(FAKEBIN / "rctl"), "-u", "jail:git7")
    assert fake_freebsd.invocations() == [["jls", "--libxo", "json", "-v"],
                                          ["rctl", "-u", "jail:git7"]]
    fake_freebsd.clear_log()
    assert fake_freebsd.invocations() == []


def test_fixture_state_helpers(fake_freebsd):
    assert [j["name"] for j in fake_freebsd.state()["jails"]] == ["git7", "sto2", "git6"]
    fake_freebsd.update(hostname="elsewhere")
    assert run("sysctl", "-n", "kern.hostname").stdout == "elsewhere\n"
    fresh = state_mod.sample_state()
    fresh["jails"] = []
    fake_freebsd.set_state(fresh)
    assert fake_freebsd.state()["jails"] == []


def test_missing_state_variable_is_reported(fake_freebsd, monkeypatch):
    monkeypatch.delenv("JAILTUI_FAKE_STATE")
    result = run("jls")
    assert result.returncode == 70 and "JAILTUI_FAKE_STATE" in result.stderr


def test_sample_state_matches_the_shared_samples():
    state = state_mod.sample_state()
    sample = json.loads(data("jls_v_libxo_json_3jails.json"))["jail-information"]["jail"]
    assert [(j["jid"], j["name"], j["hostname"], j["path"], j["cpusetid"], j["ip4"], j["ip6"])
            for j in state["jails"]] == [
        (j["jid"], j["name"], j["hostname"], j["path"], j["cpusetid"], j["ipv4_addrs"],
         j["ipv6_addrs"]) for j in sample]
    commands = {p["command"] for p in state["processes"]}
    assert {"[idle]", "[/]"} <= commands
    assert "db1" in state["config"] and "db1" not in {j["name"] for j in state["jails"]}


# ---------------------------------------------------------------------------------------------
# jls: byte-exact against the samples


@pytest.mark.parametrize("argv, sample", [
    (["--libxo", "json", "-v"], "jls_v_libxo_json_3jails.json"),
    (["--libxo=json", "-v"], "jls_v_libxo_json_3jails.json"),
    (["-v", "--libxo", "json"], "jls_v_libxo_json_3jails.json"),
    (["--libxo", "json"], "jls_default_libxo_json_3jails.json"),
    (["--libxo", "json", "-N"], "jls_N_libxo_json_3jails.json"),
    ([], "jls_default_text_3jails.txt"),
    (["-N"], "jls_N_text_3jails.txt"),
    (["-v"], "jls_v_text_3jails.txt"),
    (["--libxo", "json", "-n", "-j", "git7", *SUBSET_PARAMS], "jls_n_libxo_json_1jail_SUBSET.json"),
])
def test_jls_matches_samples(fake_freebsd, argv, sample):
    result = run("jls", *argv)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == data(sample)


def test_jls_n_text_matches_sample(fake_freebsd):
    params = [p for p in SUBSET_PARAMS]
    params.insert(params.index("host.hostname"), "host.domainname")
    assert run("jls", "-n", "-j", "git7", *params).stdout == data("jls_params_text_n_1jail_SUBSET.txt")


def test_jls_without_jails_prints_an_empty_list(fake_freebsd):
    fake_freebsd.update(jails=[])
    assert run("jls", "--libxo", "json").stdout == data("jls_libxo_json_no_jails.json")
    result = run("jls")
    assert (result.returncode, result.stdout) == (0, data("jls_default_text_3jails.txt").splitlines(True)[0])


def test_jls_param_mode_matches_jaildeck_sample(fake_freebsd):
    fake_freebsd.update(jails=[{**one_jail(1, "goodiesdb", "goodiesdb"),
                                "path": "/usr/local/jails/containers/goodiesdb"}])
    result = run("jls", "--libxo", "json", "jid", "name", "host.hostname", "ip4.addr", "path")
    assert result.stdout == data("jls_params_libxo_json_jid_name_hostname_ip4_path.json")


def test_jls_verbose_unnamed_jail_matches_kleened_sample(fake_freebsd):
    fake_freebsd.update(jails=[{**one_jail(83, "83", "", ["172.17.0.1", "172.17.0.2"]),
                                "path": "/zroot/kleene_basejail"}])
    result = run("jls", "-v", "--libxo", "json")
    assert json.loads(result.stdout) == json.loads(data("jls_v_libxo_json_1jail.json"))
    assert '"cpusetid":4, "ipv4_addrs": ["172.17.0.1","172.17.0.2"], "ipv6_addrs": []' in result.stdout


@pytest.mark.parametrize("params, argv, sample", [
    ({"meta": "a b c"}, ["name", "meta"], "jls_libxo_json_name_meta__freebsd_test.json"),
    ({"env": "1 2 3"}, ["env"], "jls_libxo_json_env__freebsd_test.json"),
    ({"meta.b": "3"}, ["meta.b"], "jls_libxo_json_meta_key__freebsd_test.json"),
    ({"meta": "", "env": ""}, ["meta", "env"], "jls_libxo_json_missing_keys__freebsd_test.json"),
])
def test_jls_params_match_freebsd_jailmeta_tests(fake_freebsd, params, argv, sample):
    fake_freebsd.update(jails=[one_jail(5, "j", "j", params=params)])
    assert run("jls", "-j", "j", "--libxo", "json", *argv).stdout == data(sample)


# ---------------------------------------------------------------------------------------------
# jls: behaviour


def test_jls_selects_by_name_or_jid(fake_freebsd):
    by_name = json.loads(run("jls", "--libxo", "json", "-v", "-j", "sto2").stdout)
    by_jid = json.loads(run("jls", "--libxo", "json", "-v", "-j", "105").stdout)
    assert by_name == by_jid
    assert [j["name"] for j in by_jid["jail-information"]["jail"]] == ["sto2"]


@pytest.mark.parametrize("key, message", [("nosuch", 'jls: jail "nosuch" not found\n'),
                                          ("999", "jls: jail 999 not found\n"),
                                          ("0", 'jls: jail "0" not found\n')])
def test_jls_unknown_jail_json_prints_nothing(fake_freebsd, key, message):
    result = run("jls", "--libxo", "json", "-j", key)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_jls_hides_dying_jails_unless_d(fake_freebsd):
    state = fake_freebsd.state()
    state["jails"][1]["dying"] = True
    fake_freebsd.set_state(state)
    assert "sto2" not in run("jls").stdout
    assert run("jls", "-j", "sto2").returncode == 1
    verbose = json.loads(run("jls", "--libxo", "json", "-d", "-v").stdout)["jail-information"]["jail"]
    assert [j["state"] for j in verbose] == ["ACTIVE", "DYING", "ACTIVE"]


def test_jls_json_writes_tab_and_escape_raw_as_libxo_does(fake_freebsd):
    # contrib/libxo/libxo/libxo.c xo_escape_json(): only \\ " \\n \\r are escaped.
    state = fake_freebsd.state()
    state["jails"][0]["hostname"] = 'a\tb\x1bc"d\\e\nf'
    fake_freebsd.set_state(state)
    out = run("jls", "--libxo", "json", "-v").stdout
    assert '"hostname":"a\tb\x1bc\\"d\\\\e\\nf"' in out
    with pytest.raises(json.JSONDecodeError, match="Invalid control character"):
        json.loads(out)
    assert json.loads(out, strict=False)["jail-information"]["jail"][0]["hostname"] == \
        'a\tb\x1bc"d\\e\nf'


def test_jls_unknown_parameter_of_a_kernel_without_it(fake_freebsd):
    fake_freebsd.update(absent_params=["vnet"])
    result = run("jls", "--libxo", "json", "-d", "name", "vnet")
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "jls: unknown parameter: vnet\n")
    assert run("jls", "--libxo", "json", "name", "ip4").returncode == 0


def test_jls_param_mode_types(fake_freebsd):
    plain = json.loads(run("jls", "--libxo", "json", "-j", "git7", "jid", "persist", "ip6.addr").stdout)
    named = json.loads(run("jls", "--libxo", "json", "-n", "-j", "git7", "jid", "persist").stdout)
    assert plain["jail-information"]["jail"] == [{"jid": "2", "persist": "true", "ip6.addr": []}]
    assert named["jail-information"]["jail"] == [{"jid": "2", "persist": True}]


def test_jls_text_param_mode_lists_and_quoting(fake_freebsd):
    fake_freebsd.update(jails=[one_jail(7, "q", "two words", params={"host.domainname": "it's"})])
    assert run("jls", "jid", "ip6.addr", "host.hostname").stdout == "7 - two words\n"
    assert run("jls", "-q", "jid", "ip6.addr", "host.hostname").stdout == '7 "" "two words"\n'
    assert run("jls", "-nq", "ip6.addr", "host.domainname", "allow.mount").stdout == (
        'ip6.addr="" host.domainname="it\'s" allow.nomount\n')
    assert run("jls", "-h", "jid", "name").stdout == "jid name\n7 q\n"


def test_jls_all_params_order_and_skip(fake_freebsd):
    names = run("jls", "-h", "-j", "git7").stdout.splitlines()[0].split()
    top = [n for n in names if "." not in n]
    assert names == top + sorted(n for n in names if "." in n)
    assert top == sorted(top) and len(names) == 51
    skipped = run("jls", "-s", "-j", "git7").stdout
    assert "cpuset.id" not in skipped and "dying" not in skipped and "parent=" not in skipped
    assert skipped.startswith("devfs_ruleset=4 enforce_statfs=2 host=new")


@pytest.mark.parametrize("argv, stderr", [
    (["bogus"], "jls: unknown parameter: bogus\n"),
    (["-x"], "jls: illegal option -- x\njls: usage: jls [-dhNnqv] [-j jail] [param ...]\n"),
    (["-j"], "jls: option requires an argument -- j\njls: usage: jls [-dhNnqv] [-j jail] [param ...]\n"),
])
def test_jls_errors(fake_freebsd, argv, stderr):
    result = run("jls", *argv)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", stderr)


def test_jls_pretty_json_parses(fake_freebsd):
    result = run("jls", "--libxo", "json,pretty", "-v")
    assert result.stdout.count("\n") > 10
    assert json.loads(result.stdout) == json.loads(data("jls_v_libxo_json_3jails.json"))


def test_jls_inside_a_jail_sees_no_jails(fake_freebsd):
    fake_freebsd.update(jailed=True)
    assert run("jls", "--libxo", "json").stdout == data("jls_libxo_json_no_jails.json")


# ---------------------------------------------------------------------------------------------
# ps


def test_ps_matches_reconstructed_json(fake_freebsd):
    only_sample_processes(fake_freebsd)
    result = run("ps", "--libxo", "json", "-ax", "-o", PS_SAMPLE_KEYWORDS)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == data(
        "ps_libxo_json_jid_pid_ppid_user_pcpu_pmem_rss_vsz_state_time_etime_command.json")


def test_ps_text_has_the_columns_of_the_reconstructed_text(fake_freebsd, monkeypatch):
    monkeypatch.setenv("COLUMNS", "")
    only_sample_processes(fake_freebsd)
    lines = run("ps", "-ax", "-o", PS_SAMPLE_KEYWORDS).stdout.splitlines()
    expected = data("ps_text_same_columns.txt").splitlines()
    assert lines[0].split() == expected[0].split()
    assert [line.split() for line in lines[1:]] == [line.split() for line in expected[1:]]
    assert lines[1].endswith(" 21-04:13:55 /sbin/init")


@pytest.mark.parametrize("sample, proc", [
    ("ps_libxo_json_default_keywords_1.json",
     {"pid": 83821, "tty": "pts/27", "state": "I", "cputime": 0.02,
      "command": "/usr/local/bin/sudo /usr/bin/protect /usr/sbin/bhyve -U "
                 "50f994e3-5c30-4d4d-a330-f5c46106cffe -A -H -P -D -w -u -l bootrom,"
                 "/usr/local/share/uefi-firmware/BHYVE_UEFI.fd,/var/tmp/cirrinad/state/something"}),
    ("ps_libxo_json_default_keywords_2.json",
     {"pid": 71004, "tty": "pts/28", "state": "S", "cputime": 0.03,
      "command": "/usr/sbin/bhyve -U f5b761a1-8193-4db3-a914-b37edc848d29 -A -H -P -D -w -u -l "
                 "bootrom,/usr/local/share/uefi-firmware/BHYVE_UEFI.fd,"
                 "/var/tmp/cirrinad/state/something"}),
    ("ps_libxo_json_default_keywords_3.json",
     {"pid": 85540, "tty": "pts/28", "state": "SC", "cputime": 101.54,
      "command": "bhyve: test2024010401 (bhyve)"}),
])
def test_ps_default_keywords_match_cirrina_samples(fake_freebsd, sample, proc):
    fake_freebsd.update(processes=[{"jid": 0, "ppid": 1, "user": "root", **proc}])
    assert run("ps", "--libxo", "json", "-p", str(proc["pid"])).stdout == data(sample)


def test_ps_keyword_names_and_formats(fake_freebsd):
    fields = "jid,jail,pid,uid,%cpu,nlwp,time,etime,etimes,comm,args"
    result = run("ps", "--libxo", "json", "-ax", "-p", "11", "-o", fields, "-J", "0")
    procs = json.loads(result.stdout)["process-information"]["process"]
    idle = next(p for p in procs if p["pid"] == "11")
    assert idle == {"jail-id": "0", "jail-name": "-", "pid": "11", "uid": "0",
                    "percent-cpu": "385.2", "threads": "4", "cpu-time": "46508:32.40",
                    "elapsed-time": " 21-04:14:00", "elapsed-times": "1829640",
                    "command": "idle", "arguments": "[idle]"}
    assert {p["arguments"] for p in procs} >= {"[idle]", "[kernel]"}


def test_ps_comm_and_command_share_a_key(fake_freebsd):
    result = run("ps", "--libxo", "json", "-p", "3189", "-o", "comm,command")
    assert '{"command":"nginx","command":"nginx: worker process (nginx)"}' in result.stdout


def test_ps_command_is_cut_unless_last(fake_freebsd):
    result = run("ps", "--libxo", "json", "-p", "5530", "-o", "command,pid")
    assert '"command":"/usr/local/bin/m"' in result.stdout


def test_ps_selects_jails_by_name_jid_and_host(fake_freebsd):
    def pids(*jails):
        out = run("ps", "--libxo", "json", "-ax", "-J", ",".join(jails), "-o", "pid").stdout
        return [int(p["pid"]) for p in json.loads(out)["process-information"]["process"]]

    assert pids("git7") == pids("2") == [3120, 3188, 3189]
    assert pids("git7", "sto2") == [3120, 3188, 3189, 5480, 5502, 5530]
    assert pids("0") == [0, 1, 11, 12, 642, 700]
    assert 6120 in pids("git6")


def test_ps_without_matches_exits_1_with_an_empty_document(fake_freebsd):
    # bin/ps/ps.c: nkept == 0 -> printheader(); xo_finish(); exit(1), before
    # process-information is opened; libxo's xo_finish_h() writes "{ }" for an empty document.
    result = run("ps", "--libxo", "json", "-J", "999", "-o", "pid")
    assert (result.returncode, result.stdout, result.stderr) == (1, "{ }\n", "")
    result = run("ps", "--libxo", "json", "-o", "pid,jid,lstart", "-p", "4242")
    assert (result.returncode, result.stdout, result.stderr) == (1, "{ }\n", "")
    text = run("ps", "-J", "999", "-o", "pid,command")
    assert (text.returncode, text.stdout) == (1, "PID COMMAND\n")


@pytest.mark.parametrize(("env", "command"), [
    ({"LC_ALL": "C"}, "cafM-CM-) tab\\011nl\\012esc^[[2J del^? nbM-B\\240sp"),
    ({"LC_ALL": "", "LANG": "C"}, "cafM-CM-) tab\\011nl\\012esc^[[2J del^? nbM-B\\240sp"),
    ({"LC_ALL": "", "LANG": "C", "LC_CTYPE": "C.UTF-8"},
     "café tab\\011nl\\012esc^[[2J del^? nb\\240sp"),
    ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "café tab\\011nl\\012esc^[[2J del^? nb\\240sp"),
])
def test_ps_command_is_strvis_encoded_in_the_locales_character_set(fake_freebsd, monkeypatch,
                                                                   env, command):
    # bin/ps/print.c command(): strvis(VIS_TAB | VIS_NL | VIS_NOSLASH); contrib/libc-vis/vis.c
    state = fake_freebsd.state()
    state["processes"] = [dict(state["processes"][1], pid=77,
                               command="café tab\tnl\nesc\x1b[2J del\x7f nb\xa0sp")]
    fake_freebsd.set_state(state)
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = run("ps", "--libxo", "json", "-ax", "-o", "command").stdout
    assert json.loads(out)["process-information"]["process"][0]["command"] == command


def test_ps_user_is_the_hosts_name_for_the_uid_and_lstart_is_stable(fake_freebsd):
    # print.c username(): user_from_uid(ki_uid, 0) in the host's passwd; lstarted(): "%c".
    state = fake_freebsd.state()
    state["processes"] += [dict(state["processes"][7], pid=901, uid=80),
                           dict(state["processes"][7], pid=902, uid=4242),
                           dict(state["processes"][7], pid=903, start=1_700_000_000)]
    fake_freebsd.set_state(state)
    first = run("ps", "--libxo", "json", "-o", "pid,uid,user,lstart", "-p", "901,902,903,3188")
    rows = {p["pid"]: p for p in json.loads(first.stdout)["process-information"]["process"]}
    assert (rows["901"]["uid"], rows["901"]["user"]) == ("80", "www")
    assert (rows["902"]["uid"], rows["902"]["user"]) == ("4242", "4242")
    assert rows["903"]["start-time"] == time.strftime("%a %b %e %H:%M:%S %Y",
                                                      time.localtime(1_700_000_000))
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123][0-9] \d\d:\d\d:\d\d \d{4}",
                        rows["3188"]["start-time"])
    time.sleep(1.1)
    again = run("ps", "--libxo", "json", "-o", "pid,lstart", "-p", "3188").stdout
    assert json.loads(again)["process-information"]["process"][0]["start-time"] == \
        rows["3188"]["start-time"]


def test_ps_unknown_keyword_keeps_going(fake_freebsd):
    result = run("ps", "--libxo", "json", "-ax", "-o", "foo,pid")
    assert result.returncode == 1
    assert result.stderr == "ps: foo: keyword not found\n"
    assert json.loads(result.stdout)["process-information"]["process"][0] == {"pid": "0"}


def test_ps_aliases_and_custom_headers(fake_freebsd):
    result = run("ps", "-p", "3189", "-o", "pcpu,vsize,stat,cputime", "-o", "user=WHO")
    assert result.stdout.splitlines() == ["%CPU   VSZ STAT    TIME WHO", " 1.3 23088 SJ   2:13.50 www"]


def test_ps_cuts_the_last_column_at_the_terminal_width(fake_freebsd, monkeypatch):
    monkeypatch.setenv("COLUMNS", "20")
    assert run("ps", "-p", "5530", "-o", "pid,command").stdout == (
        " PID COMMAND\n5530 /usr/local/bin/\n")


def test_ps_old_style_options(fake_freebsd):
    assert run("ps", "ax", "-o", "pid").stdout.splitlines()[1:3] == ["   0", "   1"]
    assert run("ps", "-o", "pid", "3120").stdout.splitlines() == [" PID", "3120"]


def test_ps_bad_option_prints_usage(fake_freebsd):
    result = run("ps", "-Q")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "ps: illegal option -- Q", "usage: ps [--libxo] [-aCcdefHhjlmrSTuvwXxZ] [-O fmt | -o fmt]"]


# ---------------------------------------------------------------------------------------------
# rctl: byte-exact against the samples


@pytest.mark.parametrize("argv, sample", [
    (["-u", "jail:git7"], "rctl_u_jail_git7.txt"),
    (["-hu", "jail:git7"], "rctl_hu_jail_git7.txt"),
    (["-h", "-u", "j:git7"], "rctl_hu_jail_git7.txt"),
    ([], "rctl_rules_list.txt"),
    (["-h"], "rctl_h_rules_list.txt"),
])
def test_rctl_matches_samples(fake_freebsd, argv, sample):
    result = run("rctl", *argv)
    assert (result.returncode, result.stderr, result.stdout) == (0, "", data(sample))


def test_rctl_kernel_buffer_matches_the_raw_sample():
    kernel = impl.Kernel(state_mod.sample_state())
    assert kernel.get_racct("jail:git7:") + "\n" == data("rctl_get_racct_raw_jail.txt")


@pytest.mark.parametrize("value, text", [
    (0, "0"), (9999, "9999"), (10000, "9.8K"), (798720, "780K"), (25550848, "24M"),
    (1073741824, "1024M"), (291876, "285K"), (10239, "10K"), (1023, "1023"), (-12345, "-12K"),
    (2**63 - 1, "8192P"),
])
def test_humanize_number(value, text):
    assert impl.humanize_number(value) == text


@pytest.mark.parametrize("text, value", [
    ("10", 10), ("1k", 1024), ("1K", 1024), ("2g", 2 << 30), ("1kb", 1024), ("0x10", 16),
    ("010", 8), ("1e", 1 << 60), ("10q", None), ("", None), ("m", None), ("16e", None),
])
def test_expand_number(text, value):
    assert impl.expand_number(text) == value


# ---------------------------------------------------------------------------------------------
# rctl: behaviour


def test_rctl_filters_and_user_names(fake_freebsd):
    assert run("rctl", "jail:sto2").stdout == (
        "jail:sto2:readbps:throttle=10485760\njail:sto2:vmemoryuse:log=4294967296\n")
    assert run("rctl", "user:www").stdout == "user:www:vmemoryuse:deny=1073741824/process\n"
    assert run("rctl", "-n", "u:").stdout == "user:80:vmemoryuse:deny=1073741824/process\n"
    assert run("rctl", "::vmemoryuse").stdout.count("\n") == 2


def test_rctl_add_deny_replaces_the_amount(fake_freebsd):
    result = run("rctl", "-a", "j:git7:MemoryUse:deny=2g")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    rules = fake_freebsd.state()["rules"]
    assert rules[0] == "jail:git7:memoryuse:deny=2147483648"
    assert len(rules) == 6


def test_rctl_add_other_actions_only_replace_identical_rules(fake_freebsd):
    run("rctl", "-a", "jail:sto2:vmemoryuse:log=4g")
    run("rctl", "-a", "jail:sto2:vmemoryuse:log=8g")
    rules = [r for r in fake_freebsd.state()["rules"] if "sto2:vmemoryuse" in r]
    # kern_rctl.c rctl_racct_add_rule: LIST_INSERT_HEAD, so the newest is listed first.
    assert rules == ["jail:sto2:vmemoryuse:log=8589934592", "jail:sto2:vmemoryuse:log=4294967296"]


def test_rctl_lists_the_newest_rule_of_a_jail_first(fake_freebsd):
    """kern_rctl.c: rctl_racct_add_rule links with LIST_INSERT_HEAD and rctl_get_rules walks
    each jail's list; a deny that replaces another is unlinked and linked again at the head."""
    before = [r for r in fake_freebsd.state()["rules"] if r.startswith("jail:git7:")]
    run("rctl", "-a", "jail:git7:openfiles:log=1000")
    run("rctl", "-a", "jail:git7:memoryuse:deny=3g")
    after = [r for r in fake_freebsd.state()["rules"] if r.startswith("jail:git7:")]
    assert after == ["jail:git7:memoryuse:deny=3221225472", "jail:git7:openfiles:log=1000",
                     *[r for r in before if not r.startswith("jail:git7:memoryuse:deny=")]]
    out = run("rctl", "jail:git7").stdout.splitlines()
    assert out[:2] == ["jail:git7:memoryuse:deny=3221225472", "jail:git7:openfiles:log=1000"]


def test_rctl_add_deny_keeps_the_deny_of_another_per(fake_freebsd):
    run("rctl", "-a", "jail:git7:memoryuse:deny=100m/process")
    run("rctl", "-a", "jail:git7:memoryuse:deny=2g")
    assert run("rctl", "jail:git7:memoryuse").stdout == (
        "jail:git7:memoryuse:deny=2147483648\njail:git7:memoryuse:deny=104857600/process\n")


def test_rctl_remove_with_a_full_rule_removes_that_rule_only(fake_freebsd):
    run("rctl", "-a", "jail:git7:memoryuse:deny=1g/process")
    assert run("rctl", "-r", "jail:git7:memoryuse:deny=1g/jail").returncode == 0
    assert run("rctl", "jail:git7:memoryuse").stdout == (
        "jail:git7:memoryuse:deny=1073741824/process\n")
    run("rctl", "-a", "jail:git7:memoryuse:deny=1g")
    assert run("rctl", "-r", "jail:git7:memoryuse:deny=1g").returncode == 0, "per left open"
    assert run("rctl", "jail:git7:memoryuse").stdout == ""


def test_rctl_pcpu_amounts_are_in_millions(fake_freebsd):
    assert run("rctl", "-a", "jail:git7:pcpu:deny=9223372036854").returncode == 0
    result = run("rctl", "-a", "jail:git7:pcpu:deny=9223372036855")
    assert result.stderr == ("rctl: failed to add rule 'jail:git7:pcpu:deny=9223372036855': "
                             "Result too large\n")


def test_rctl_add_user_rule_is_stored_with_the_uid(fake_freebsd):
    assert run("rctl", "-a", "user:www:maxproc:deny=100/jail").returncode == 0
    users = [r for r in fake_freebsd.state()["rules"] if r.startswith("user:")]
    assert users == ["user:80:maxproc:deny=100/jail", "user:80:vmemoryuse:deny=1073741824/process"]
    assert run("rctl", "user:80:maxproc").stdout == "user:www:maxproc:deny=100/jail\n"


def test_rctl_remove_all_matches(fake_freebsd):
    assert run("rctl", "-r", "jail:git7").returncode == 0
    assert not [r for r in fake_freebsd.state()["rules"] if r.startswith("jail:git7")]
    result = run("rctl", "-r", "jail:git7")
    assert result.stderr == "rctl: failed to remove rule 'jail:git7': No such process\n"


def test_rctl_exit_status_counts_failed_arguments(fake_freebsd):
    result = run("rctl", "-a", "jail:x:pcpu:throttle=5", "jail:x:maxproc:deny=1",
                 "jail:x:swapuse:deny=1/process", "jail:x:nthr:deny=1q")
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "rctl: failed to add rule 'jail:x:pcpu:throttle=5': Operation not supported",
        "rctl: failed to add rule 'jail:x:swapuse:deny=1/process': Operation not supported",
        "rctl: malformed rule 'jail:x:nthr:deny=1q': invalid numeric value '1q'"]
    assert "jail:x:maxproc:deny=1" in fake_freebsd.state()["rules"]


@pytest.mark.parametrize("rule, error", [
    ("jail:git7:memoryuse:deny=1g/bogus", "Invalid argument"),
    ("jail:git7:bogus:deny=1", "Invalid argument"),
    ("jail:git7:memoryuse:bogus=1", "Invalid argument"),
    ("bogus:git7:memoryuse:deny=1", "Invalid argument"),
    ("jail::memoryuse:deny=1", "Invalid argument"),
    ("process:99999:memoryuse:deny=1", "No such process"),
    ("jail:git7:cputime:deny=10", "Operation not supported"),
    ("jail:git7:readbps:deny=10", "Operation not supported"),
    ("jail:git7:memoryuse:throttle=10", "Operation not supported"),
    ("jail:git7:nshm:deny=1/process", "Operation not supported"),
    ("jail:git7:cputime:log=99999999999999", "Result too large"),
    ("jail:" + "x" * 300 + ":maxproc:deny=1", "File name too long"),
])
def test_rctl_kernel_errors(fake_freebsd, rule, error):
    result = run("rctl", "-a", rule)
    assert (result.returncode, result.stderr) == (1, f"rctl: failed to add rule '{rule}': {error}\n")


@pytest.mark.parametrize("rule", ["jail:git7:memoryuse:deny=1", "jail:git7:pcpu:deny=50",
                                  "jail:git7:readbps:throttle=1m", "jail:git7:cputime:sigxcpu=1",
                                  "process:3189:openfiles:deny=1024"])
def test_rctl_accepts_valid_rules(fake_freebsd, rule):
    assert run("rctl", "-a", rule).returncode == 0


def test_rctl_usage_of_processes_and_unknown_jails(fake_freebsd):
    proc = run("rctl", "-u", "process:3189").stdout.splitlines()
    assert len(proc) == 17 and "swapuse=0" not in proc and "memoryuse=10702848" in proc
    unknown = run("rctl", "-u", "jail:nosuch")
    assert unknown.returncode == 0
    assert unknown.stdout == "".join(f"{name}=0\n" for name in impl.RESOURCES)


def test_rctl_limits_of_a_process(fake_freebsd):
    assert run("rctl", "-l", "process:3189").stdout.splitlines() == [
        "jail:git7:memoryuse:deny=1073741824", "jail:git7:maxproc:deny=200",
        "jail:git7:pcpu:deny=50", "user:www:vmemoryuse:deny=1073741824/process"]


def test_rctl_per_process_rules_go_with_the_process(fake_freebsd):
    run("rctl", "-a", "process:3189:openfiles:deny=100")
    assert run("rctl", "process:").stdout == "process:3189:openfiles:deny=100\n"
    run("kill", "3189")
    assert run("rctl", "process:").stdout == ""


@pytest.mark.parametrize("racct, message", [
    ("disabled", "rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n"),
    ("absent", "rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details\n"),
])
@pytest.mark.parametrize("argv", [[], ["-u", "jail:git7"], ["-a", "jail:git7:maxproc:deny=1"]])
def test_rctl_without_racct(fake_freebsd, racct, message, argv):
    fake_freebsd.update(racct=racct)
    result = run("rctl", *argv)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


@pytest.mark.parametrize("changes", [{"root": False}, {"jailed": True}])
def test_rctl_needs_host_root(fake_freebsd, changes):
    fake_freebsd.update(**changes)
    result = run("rctl", "-r", "jail:git7")
    assert result.stderr == "rctl: failed to remove rule 'jail:git7': Operation not permitted\n"
    listing = run("rctl")
    assert (listing.returncode, listing.stdout, listing.stderr) == (
        0, "", "rctl: failed to show rules for '::': Operation not permitted\n")
    filtered = run("rctl", "::")
    assert (filtered.returncode, filtered.stdout, filtered.stderr) == (
        1, "", "rctl: failed to show rules for '::': Operation not permitted\n")


# ---------------------------------------------------------------------------------------------
# jail(8)


def test_jail_create_and_remove(fake_freebsd):
    result = run("jail", "-f", "/etc/jail.conf", "-c", "db1")
    assert (result.returncode, result.stdout, result.stderr) == (0, "db1: created\n", "")
    state = fake_freebsd.state()
    db1 = state["jails"][-1]
    assert (db1["jid"], db1["name"], db1["ip4"], state["next_jid"]) == (117, "db1", ["172.16.20.120"], 118)
    commands = [p["command"] for p in state["processes"] if p["jid"] == 117]
    assert commands == ["/usr/sbin/syslogd -ss", "/usr/sbin/cron -s"]
    assert json.loads(run("ps", "--libxo", "json", "-J", "db1", "-o", "state").stdout)[
        "process-information"]["process"] == [{"state": "SsJ"}, {"state": "IsJ"}]
    result = run("jail", "-r", "db1")
    assert (result.returncode, result.stdout) == (0, "db1: removed\n")
    assert not [p for p in fake_freebsd.state()["processes"] if p["jid"] == 117]
    assert run("jls", "-j", "db1").returncode == 1


def test_jail_flags(fake_freebsd):
    assert run("jail", "-i", "-c", "db1").stdout == "117\n"
    assert run("jail", "-q", "-r", "db1").stdout == ""
    assert run("jail", "-q", "-c", "db1").stdout == ""
    restart = run("jail", "-rc", "db1")
    assert (restart.returncode, restart.stdout) == (0, "db1: removed\ndb1: created\n")
    assert fake_freebsd.state()["jails"][-1]["jid"] == 119
    assert run("jail", "-R", "119").stdout == "db1: removed\n"


@pytest.mark.parametrize("argv, stderr", [
    (["-c", "foo"], 'jail: "foo" not found\n'),
    (["-c", "git7"], 'jail: "git7" already exists\n'),
    (["-r", "db1"], 'jail: "db1" not found\n'),
    (["-rc", "db1"], 'jail: "db1" not found\n'),
    (["-q", "-r", "db1"], ""),
])
def test_jail_errors(fake_freebsd, argv, stderr):
    result = run("jail", *argv)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", stderr)


def test_jail_failure_injection(fake_freebsd):
    state = fake_freebsd.state()
    state["config"]["db1"].update(fail="ifconfig epair14 create up",
                                  fail_output=["ifconfig: interface epair14 already exists"])
    fake_freebsd.set_state(state)
    result = run("jail", "-c", "db1")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("ifconfig: interface epair14 already exists\n"
                             "jail: db1: ifconfig epair14 create up: failed\n")
    assert fake_freebsd.state()["next_jid"] == 117


def test_jail_needs_root(fake_freebsd):
    fake_freebsd.update(root=False)
    assert run("jail", "-c", "db1").stderr == "jail: db1: jail_set: Operation not permitted\n"
    assert run("jail", "-r", "git7").stderr == "jail: git7: jail_remove: Operation not permitted\n"


def test_jail_usage(fake_freebsd):
    result = run("jail")
    assert result.returncode == 1 and result.stderr.startswith("usage: jail [-dhilqv]")


# ---------------------------------------------------------------------------------------------
# service jail


def test_service_jail_start_and_stop(fake_freebsd):
    start = run("service", "jail", "onestart", "db1")
    assert (start.returncode, start.stdout, start.stderr) == (0, "Starting jails: db1.\n", "")
    assert run("jls", "-j", "db1").returncode == 0
    stop = run("service", "jail", "stop", "db1")
    assert (stop.returncode, stop.stdout) == (0, "Stopping jails: db1.\n")
    assert run("service", "jail", "stop", "db1").stdout == "Stopping jails:.\n"


def test_service_jail_failure_has_the_shape_of_the_real_output(fake_freebsd):
    fake_freebsd.add_conf_jail("gitea", {
        "host.hostname": "gitea", "path": "/usr/local/jails/gitea",
        "fail": "ifconfig epair14 create up",
        "fail_output": ["ifconfig: interface epair14 already exists"]})
    start, stop = run("service", "jail", "start", "gitea"), run("service", "jail", "stop", "gitea")
    assert (start.returncode, stop.returncode) == (0, 0)
    sample = [line for line in data("service_jail_start_failure_vnet.txt").splitlines()
              if not line.startswith("watermelon# ")]
    assert [line.rstrip() for line in (start.stdout + stop.stdout).splitlines()] == sample
    assert start.stdout.startswith('Starting jails: cannot start jail  "gitea": \n')


def test_service_jail_restart_and_all(fake_freebsd):
    restart = run("service", "jail", "onerestart", "git7")
    assert restart.stdout == "Stopping jails: git7.\nStarting jails: git7.\n"
    assert fake_freebsd.state()["jails"][-1]["jid"] == 117
    assert run("service", "jail", "stop").stdout == "Stopping jails: sto2 git6 git7.\n"
    assert run("service", "jail", "start").stdout == "Starting jails: git7 sto2 git6 db1.\n"
    assert run("service", "jail", "status").stdout.startswith(" JID             IP Address")


def test_service_dotted_names_become_underscores(fake_freebsd):
    result = run("service", "jail", "start", "a.b")
    assert result.stdout == 'Starting jails: cannot start jail  "a_b": \njail: "a_b" not found\n.\n'


@pytest.mark.parametrize("argv", [["jail", "frobnicate"], ["nosuch", "start"], []])
def test_service_usage_errors(fake_freebsd, argv):
    result = run("service", *argv)
    assert result.returncode == 1 and result.stdout == "" and result.stderr


def removed(fake) -> list[list[str]]:
    return fake.state().get("removed", [])


def test_rc_d_stop_of_a_jail_no_config_names_still_removes_it(managed_freebsd):
    """rc.d/jail hands /etc/jail.conf to ``jail -r www``; state.c start_state accepts the
    running jail by name, with nothing of its config to tear down."""
    stop = run("service", "jail", "onestop", "www")
    assert (stop.returncode, stop.stdout) == (0, "Stopping jails: www.\n")
    assert removed(managed_freebsd) == [["www", ""]]


def test_rc_d_restart_of_such_a_jail_leaves_it_down_and_exits_0(managed_freebsd):
    restart = run("service", "jail", "onerestart", "www")
    assert restart.returncode == 0
    assert restart.stdout == ('Stopping jails: www.\nStarting jails: cannot start jail  "www": \n'
                              'jail: "www" not found\n.\n')
    assert run("jls", "-j", "www").returncode == 1


def test_rc_d_skips_a_dotted_name_it_cannot_find(managed_freebsd):
    """``tr /. _`` makes git7.ci git7_ci, which jls -j does not know: skipped silently."""
    stop = run("service", "jail", "onestop", "git7.ci")
    assert (stop.returncode, stop.stdout, stop.stderr) == (0, "Stopping jails:.\n", "")
    assert run("jls", "-j", "git7.ci").returncode == 0
    assert run("jail", "-f", "/etc/jail.conf", "-r", "git7.ci").stdout == "git7.ci: removed\n"
    assert removed(managed_freebsd) == [["git7.ci", "/etc/jail.conf"]]


def test_rc_d_picks_jail_name_conf_first_and_warns_without_any(fake_freebsd):
    fake_freebsd.write_file("/etc/jail.db1.conf", "db1 { }\n")
    assert run("service", "jail", "onestart", "db1").stdout == "Starting jails: db1.\n"
    assert run("service", "jail", "onestop", "db1").stdout == "Stopping jails: db1.\n"
    assert removed(fake_freebsd) == [["db1", "/etc/jail.db1.conf"]]
    fake_freebsd.remove_file("/etc/jail.db1.conf")
    fake_freebsd.remove_file("/etc/jail.conf")
    none = run("service", "jail", "onestart", "db1")
    assert (none.returncode, none.stdout) == (0, "Starting jails:.\n")
    assert none.stderr == ("/etc/rc.d/jail: WARNING: Invalid configuration for db1 (no "
                           "jail.conf, no hostname, or no path).  Jail db1 was ignored.\n")


def test_rc_d_reads_jail_conf_and_jail_name_conf_from_rc_conf(fake_freebsd):
    fake_freebsd.write_file("/etc/rc.conf.local", 'jail_db1_conf="/usr/local/etc/db1.conf"\n')
    fake_freebsd.write_file("/usr/local/etc/db1.conf", 'db1 { path = "/x"; }\n')
    assert run("service", "jail", "onestart", "db1").stdout == "Starting jails: db1.\n"
    run("service", "jail", "onestop", "db1")
    assert removed(fake_freebsd) == [["db1", "/usr/local/etc/db1.conf"]]


def test_jail_f_needs_its_file_for_create_but_not_for_remove(fake_freebsd):
    """jail.c: -c loads the config (err(1) when it is missing); -r loads it only if it
    exists, else it removes the running jail by name."""
    create = run("jail", "-f", "/etc/none.conf", "-c", "db1")
    assert (create.returncode, create.stderr) == (1, "jail: /etc/none.conf: No such file or "
                                                     "directory\n")
    assert run("jail", "-f", "/etc/none.conf", "-r", "git7").stdout == "git7: removed\n"
    assert removed(fake_freebsd) == [["git7", ""]]


def test_jail_conf_include_is_relative_to_the_including_file(fake_freebsd):
    fake_freebsd.write_file("/etc/jail.conf", '.include "jail.conf.d/*.conf";\n')
    fake_freebsd.write_file("/etc/jail.conf.d/db1.conf", "db1 { }\n")
    assert run("jail", "-c", "db1").stdout == "db1: created\n"
    fake_freebsd.write_file("/etc/jail.conf", '.include "/etc/missing.conf";\n')
    missing = run("jail", "-c", "git7")
    assert missing.stderr == "jail: /etc/missing.conf: No such file or directory\n"


# ---------------------------------------------------------------------------------------------
# Jail managers


def test_bastille_start_stop_use_its_jail_conf_and_rctl_conf(managed_freebsd):
    stop = run("bastille", "stop", "www")
    assert stop.returncode == 0 and "www: removed" in stop.stdout
    assert removed(managed_freebsd) == [["www", "/usr/local/bastille/jails/www/jail.conf"]]
    assert "jail:www:memoryuse:deny=1073741824" not in managed_freebsd.state()["rules"]
    again = run("bastille", "stop", "www")
    assert (again.returncode, again.stderr) == (0, "Jail is already stopped.\n")
    start = run("bastille", "start", "www")
    assert start.returncode == 0 and "www: created" in start.stdout
    assert "jail:www:memoryuse:deny=1073741824" in managed_freebsd.state()["rules"]
    missing = run("bastille", "start", "nosuch")
    assert (missing.returncode, missing.stderr) == (1, "[ERROR]: Jail not found: nosuch\n")


def test_bastille_limits_add_keeps_an_old_deny_line(managed_freebsd):
    """limits.sh's sed looks for ``jail: NAME`` (a space): an existing deny line stays."""
    rctl_conf = "/usr/local/bastille/jails/www/rctl.conf"
    run("bastille", "limits", "www", "add", "memoryuse", "2G")
    assert managed_freebsd.read_file(rctl_conf) == "jail:www:memoryuse:deny=1G/jail\n"
    assert "jail:www:memoryuse:deny=2147483648" in managed_freebsd.state()["rules"]
    run("bastille", "limits", "www", "remove", "memoryuse")
    assert managed_freebsd.read_file(rctl_conf) == ""
    run("bastille", "limits", "www", "add", "memoryuse", "2G")
    assert managed_freebsd.read_file(rctl_conf) == "jail:www:memoryuse:deny=2G/jail\n"


def test_iocage_stop_removes_every_rule_of_the_jail(managed_freebsd):
    run("rctl", "-a", "jail:ioc-db:maxproc:log=10")
    stop = run("iocage", "stop", "db")
    assert stop.returncode == 0 and "* Stopping db" in stop.stdout
    assert not [r for r in managed_freebsd.state()["rules"] if r.startswith("jail:ioc-db:")]
    run("iocage", "start", "db")
    assert [r for r in managed_freebsd.state()["rules"] if r.startswith("jail:ioc-db:")] == [
        "jail:ioc-db:memoryuse:deny=536870912"]
    bad = run("iocage", "set", "memoryuse=1g", "db")
    assert bad.returncode == 1 and "action=amount" in bad.stderr


def test_pot_and_appjail_start_and_stop(fake_freebsd):
    fake = fake_freebsd
    fake.write_file("/opt/pot/jails/web/conf/pot.conf",
                    'host.hostname="web.pot"\nip=10.192.0.3\npot.rss.memory=256M\n')
    assert run("pot", "start", "-p", "web").returncode == 0
    assert "jail:web:memoryuse:deny=268435456" in fake.state()["rules"]
    assert run("pot", "stop", "web").returncode == 0
    assert removed(fake) == [["web", "-"]]
    assert "jail:web:memoryuse:deny=268435456" in fake.state()["rules"]
    fake.write_file("/usr/local/appjail/jails/app/conf/jail.conf",
                    'app {\n  exec.created = "appjail limits on app";\n}\n')
    fake.write_file("/usr/local/appjail/jails/app/conf/boot/rctl.conf", "jail:app:maxproc:deny=20\n")
    assert run("appjail", "start", "app").returncode == 0
    assert "jail:app:maxproc:deny=20" in fake.state()["rules"]


# ---------------------------------------------------------------------------------------------
# jexec(8)


def test_jexec_runs_the_command_here(fake_freebsd):
    result = run("jexec", "git7", "sh", "-c", 'echo "$JAILTUI_FAKE_JAIL $(pwd)"; exit 3')
    assert (result.returncode, result.stdout) == (3, "git7 /\n")
    assert run("jexec", "105", "sh", "-c", "echo $JAILTUI_FAKE_JAIL").stdout == "sto2\n"


def test_jexec_clean_environment(fake_freebsd, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    env = run("jexec", "-l", "-U", "root", "git6", "env").stdout.splitlines()
    assert sorted(env) == ["HOME=/root", "JAILTUI_FAKE_JAIL=git6", "PATH=/bin:/usr/bin",
                           "SHELL=/bin/sh", "TERM=xterm-256color", "USER=root"]


def test_jexec_without_command_starts_an_interactive_shell(fake_freebsd, monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/sh")
    assert run("jexec", "git7", stdin="echo inside $JAILTUI_FAKE_JAIL\n").stdout.endswith(
        "inside git7\n")


@pytest.mark.parametrize("argv, stderr", [
    (["nosuch", "sh"], 'jexec: jail "nosuch" not found\n'),
    (["999", "sh"], "jexec: jail_attach(999): Invalid argument\n"),
    (["-u", "root", "-U", "root", "git7"], "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"),
    ([], "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"),
    (["-U", "nosuchuser", "git7", "true"], "jexec: nosuchuser: no such user\n"),
    (["git7", "no-such-command-here"], "jexec: execvp: no-such-command-here: No such file or directory\n"),
])
def test_jexec_errors(fake_freebsd, argv, stderr):
    result = run("jexec", *argv)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", stderr)


# ---------------------------------------------------------------------------------------------
# sysctl(8)


def test_sysctl_values(fake_freebsd):
    oids = ["kern.hostname", "kern.osrelease", "kern.osreldate", "kern.ostype", "hw.ncpu",
            "hw.physmem", "hw.pagesize", "vm.loadavg", "kern.cp_time", "vm.stats.vm.v_page_size",
            "vm.stats.vm.v_page_count", "vm.stats.vm.v_free_count",
            "vm.stats.vm.v_inactive_count", "kern.racct.enable", "security.jail.jailed"]
    assert run("sysctl", "-n", *oids).stdout.splitlines() == [
        "watermelon", "14.2-RELEASE-p1", "1402000", "FreeBSD", "4", "17114071040", "4096",
        "{ 0.10 0.20 0.15 }", "1622913 3012 915532 38210 71255104", "4096", "4142263",
        "2512904", "612050", "1", "0"]
    boottime = run("sysctl", "kern.boottime").stdout
    assert boottime.startswith("kern.boottime: { sec = 1730000000, usec = 0 } ")
    assert run("sysctl", "hw.ncpu").stdout == "hw.ncpu: 4\n"


def test_sysctl_unknown_oids(fake_freebsd):
    result = run("sysctl", "-n", "hw.ncpu", "no.such", "hw.pagesize")
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "4\n4096\n", "sysctl: unknown oid 'no.such'\n")
    # sbin/sysctl/sysctl.c main(): the exit status is the number of failures
    two = run("sysctl", "-n", "no.such", "hw.ncpu", "kern.no")
    assert (two.returncode, two.stdout) == (2, "4\n")
    fake_freebsd.update(sysctl={"vm.loadavg": None})
    gone = run("sysctl", "-n", "vm.loadavg", "hw.ncpu")
    assert (gone.returncode, gone.stdout, gone.stderr) == (
        1, "4\n", "sysctl: unknown oid 'vm.loadavg'\n")
    ignored = run("sysctl", "-i", "-n", "no.such", "hw.ncpu")
    assert (ignored.returncode, ignored.stdout, ignored.stderr) == (0, "4\n", "")


@pytest.mark.parametrize("racct, value", [("enabled", "1\n"), ("disabled", "0\n")])
def test_sysctl_racct_enable(fake_freebsd, racct, value):
    fake_freebsd.update(racct=racct)
    assert run("sysctl", "-n", "kern.racct.enable").stdout == value


def test_sysctl_racct_is_a_read_only_tunable(fake_freebsd):
    result = run("sysctl", "kern.racct.enable=1")
    assert result.returncode == 1
    assert result.stderr == ("sysctl: oid 'kern.racct.enable' is a read only tunable\n"
                             "sysctl: Tunable values are set in /boot/loader.conf\n")


# ---------------------------------------------------------------------------------------------
# kill(1)


def _pids(fake) -> set[int]:
    return {p["pid"] for p in fake.state()["processes"]}


@pytest.mark.parametrize("argv", [["-s", "TERM"], ["-TERM"], ["-SIGkill"], ["-s", "int"], ["-9"], []])
def test_kill_fatal_signals_remove_the_process(fake_freebsd, argv):
    result = run("kill", *argv, "3189")
    assert (result.returncode, result.stderr) == (0, "")
    assert 3189 not in _pids(fake_freebsd)


def test_kill_hup_keeps_the_process(fake_freebsd):
    assert run("kill", "-HUP", "3188").returncode == 0
    assert 3188 in _pids(fake_freebsd)


def test_kill_errors(fake_freebsd):
    result = run("kill", "-s", "TERM", "99999", "3189")
    assert (result.returncode, result.stderr) == (1, "kill: 99999: No such process\n")
    assert 3189 not in _pids(fake_freebsd)
    bad = run("kill", "-FOO", "1")
    assert bad.returncode == 2 and bad.stderr.startswith("kill: unknown signal FOO; valid signals:\n")
    fake_freebsd.update(root=False, uid=80)
    assert run("kill", "3188").stderr == "kill: 3188: Operation not permitted\n"
    assert run("kill", "5502").returncode == 0


def test_kill_lists_signals(fake_freebsd):
    lines = run("kill", "-l").stdout.splitlines()
    assert lines[0].split()[:3] == ["HUP", "INT", "QUIT"] and lines[1].split()[-1] == "USR2"
    assert run("kill", "-l", "143").stdout == "TERM\n"


# ---------------------------------------------------------------------------------------------
# Every row of reconstructed/errors_stderr_and_exit_codes.txt


def _racct(value: str) -> dict:
    return {"racct": value}


RULE = "jail:git7:maxproc:deny=10"
ERROR_ROWS = {
    # command column -> (argv, state changes, stdout check); "..." in a row stands for RULE
    "jls -j nosuch": (["jls", "-j", "nosuch"], {}, "header"),
    "jls -j 999": (["jls", "-j", "999"], {}, "header"),
    "jls foo": (["jls", "foo"], {}, ""),
    "jls -x": (["jls", "-x"], {}, ""),
    "jls (no jails)": (["jls", "--libxo", "json"], {"jails": []}, data("jls_libxo_json_no_jails.json")),
    "ps -J nosuch ...": (["ps", "--libxo", "json", "-J", "nosuch", "-o", "pid"], {}, ""),
    "ps -J 999 ... (no processes match)": (["ps", "-J", "999", "-o", "pid"], {}, "PID\n"),
    "ps -o foo,pid": (["ps", "-ax", "-o", "foo,pid"], {}, None),
    "ps -o foo": (["ps", "-o", "foo"], {}, None),
    "rctl (kernel without RACCT)": (["rctl"], _racct("absent"), ""),
    "rctl (RACCT compiled in, kern.racct.enable=0)": (["rctl"], _racct("disabled"), ""),
    "rctl -a jail:git7:memoryuse:deny": (["rctl", "-a", "jail:git7:memoryuse:deny"], {}, ""),
    "rctl -a jail:git7:wallclock:deny=10": (["rctl", "-a", "jail:git7:wallclock:deny=10"], {}, ""),
    "rctl -a jail:git7:memoryuse:deny=10q": (["rctl", "-a", "jail:git7:memoryuse:deny=10q"], {}, ""),
    "rctl -a user:nosuchuser:maxproc:deny=10": (
        ["rctl", "-a", "user:nosuchuser:maxproc:deny=10"], {}, ""),
    "rctl -u jail": (["rctl", "-u", "jail"], {}, ""),
    "rctl -a -u jail:x": (["rctl", "-a", "-u", "jail:x"], {}, ""),
    "rctl -x": (["rctl", "-x"], {}, ""),
    "rctl -r jail:nosuch": (["rctl", "-r", "jail:nosuch"], {}, ""),
    "rctl -u jail:nosuch": (["rctl", "-u", "jail:nosuch"], {}, "".join(
        f"{name}=0\n" for name in impl.RESOURCES)),
    "rctl -u process:99999": (["rctl", "-u", "process:99999"], {}, ""),
    "rctl -l jail:git7": (["rctl", "-l", "jail:git7"], {}, ""),
    "rctl (as non-root) -a ...": (["rctl", "-a", RULE], {"root": False}, ""),
    "rctl (inside a jail) -u ...": (["rctl", "-u", RULE], {"jailed": True}, ""),
    "jail -r nosuch": (["jail", "-r", "nosuch"], {}, ""),
    "jail -c foo (foo not in jail.conf)": (["jail", "-c", "foo"], {}, ""),
    "jail -c foo (already running)": (["jail", "-c", "foo"], "foo-running", ""),
    "jail -c name=foo path=/nonexistent persist": (
        ["jail", "-c", "name=foo", "path=/nonexistent", "persist"], {}, ""),
    "jexec nosuch sh": (["jexec", "nosuch", "sh"], {}, ""),
    "sysctl kern.racct.enable (no RACCT kernel)": (
        ["sysctl", "kern.racct.enable"], _racct("absent"), ""),
}


def _error_rows() -> list[tuple[str, str, int]]:
    rows = []
    for line in data("errors_stderr_and_exit_codes.txt").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("|")  # command | stderr (may hold "|") | status | stdout
        at = max(i for i, part in enumerate(parts) if part.strip().isdigit())
        rows.append((parts[0].strip(), "|".join(parts[1:at]).strip(), int(parts[at])))
    return rows


def test_every_error_row_is_covered():
    assert {command for command, _, _ in _error_rows()} == set(ERROR_ROWS)


@pytest.mark.parametrize("command, stderr, status", _error_rows(), ids=[r[0] for r in _error_rows()])
def test_error_rows(fake_freebsd, command, stderr, status):
    argv, changes, stdout = ERROR_ROWS[command]
    if changes == "foo-running":
        fake_freebsd.add_conf_jail("foo", {"host.hostname": "foo", "path": "/jails/foo"})
        state = fake_freebsd.state()
        state["jails"].append(one_jail(200, "foo", "foo"))
        fake_freebsd.set_state(state)
    else:
        fake_freebsd.update(**changes)
    result = run(*argv)
    assert result.returncode == status
    stderr = stderr.replace("'...'", f"'{RULE}'")
    expected = [] if stderr == "(none)" else [
        re.sub(r"\s*\(\+ [^)]*\)$", "", part) for part in stderr.split(" / ")]
    if command == "jls -x":  # getopt(3) speaks first
        expected.insert(0, "jls: illegal option -- x")
    assert result.stderr.splitlines() == expected
    if stdout == "header":
        assert result.stdout == data("jls_default_text_3jails.txt").splitlines(True)[0]
    elif stdout is not None:
        assert result.stdout == stdout


# ---------------------------------------------------------------------------------------------
# Concurrency


def test_concurrent_mutations_are_not_lost(fake_freebsd):
    rules = [f"jail:git7:nthr:sigxcpu={n}" for n in range(1, 17)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda rule: run("rctl", "-a", rule), rules))
    assert all(r.returncode == 0 for r in results)
    stored = fake_freebsd.state()["rules"]
    assert all(rule in stored for rule in rules)
    assert len(fake_freebsd.invocations()) == len(rules)
