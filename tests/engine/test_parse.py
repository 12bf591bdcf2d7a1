"""The pure parsers in jailtui.engine.parse, on the FreeBSD samples kept in tests/data/freebsd."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jailtui.engine.errors import ParseError, RuleError
from jailtui.engine.model import Jail, JailState, Process, Rule, Usage
from jailtui.engine.jailconf import JailConf, parse_jail_conf
from jailtui.engine.parse import (parse_boottime, parse_cp_time, parse_cputime, parse_etime,
                                  parse_jls, parse_loadavg, parse_ps, parse_rctl_rules,
                                  parse_rctl_usage, parse_sysctl_n, service_failures)
from jailtui.engine.rctl import ACTIONS, RESOURCES, SUBJECTS, parse_filter, parse_rule

DATA = Path(__file__).resolve().parent.parent / "data" / "freebsd"


def read(name: str) -> str:
    return (DATA / name).read_text()


#: Every data file and the tests that read it (test_every_data_file_is_tested keeps it honest).
FILE_TESTS: dict[str, tuple[str, ...]] = {
    "samples/jail.conf__jail.8_testjail_example.conf": ("test_jail_conf_jail8_example",),
    "samples/jail.conf__jail.conf.5_example.conf": ("test_jail_conf_jail_conf5_example",),
    "samples/jls_libxo_json_env__freebsd_test.json": ("test_jls_freebsd_test_outputs",),
    "samples/jls_libxo_json_meta_key__freebsd_test.json": ("test_jls_freebsd_test_outputs",),
    "samples/jls_libxo_json_missing_keys__freebsd_test.json": ("test_jls_freebsd_test_outputs",),
    "samples/jls_libxo_json_name_meta__freebsd_test.json": ("test_jls_freebsd_test_outputs",),
    "samples/jls_params_libxo_json_jid_name_hostname_ip4_path.json": ("test_jls_param_mode",),
    "samples/jls_v_libxo_json_1jail.json": ("test_jls_verbose_unnamed_jail_on_several_lines",),
    "samples/jls_v_libxo_json_3jails.json": ("test_jls_verbose", "test_jls_verbose_text_agrees"),
    "samples/ps_libxo_json_default_keywords_1.json": ("test_ps_cirrina_default_keywords",),
    "samples/ps_libxo_json_default_keywords_2.json": ("test_ps_cirrina_default_keywords",),
    "samples/ps_libxo_json_default_keywords_3.json": ("test_ps_cirrina_default_keywords",),
    "samples/rctl.conf__rctl.conf.5_example.conf": ("test_rctl_conf_example_rules_parse",),
    "samples/rctl_get_racct_raw_jail.txt": ("test_rctl_usage_raw_buffer",
                                            "test_rctl_usage_lines_agree_with_raw_buffer"),
    "samples/service_jail_restart_failure__14.2.txt": ("test_service_restart_failure_14_2",),
    "samples/service_jail_start_failure_vnet.txt": ("test_service_start_failure_vnet",),
    "reconstructed/errors_stderr_and_exit_codes.txt": ("test_error_table_rows",
                                                       "test_error_table_rctl_messages",
                                                       "test_error_table_rules_refused_locally"),
    "reconstructed/jls_N_libxo_json_3jails.json": ("test_jls_names_mode",),
    "reconstructed/jls_N_text_3jails.txt": ("test_jls_names_text_agrees",),
    "reconstructed/jls_default_libxo_json_3jails.json": ("test_jls_default_mode",),
    "reconstructed/jls_default_text_3jails.txt": ("test_jls_default_text_agrees",),
    "reconstructed/jls_libxo_json_no_jails.json": ("test_jls_no_jails",),
    "reconstructed/jls_n_libxo_json_1jail_SUBSET.json": ("test_jls_dash_n_mode",
                                                         "test_jls_dash_n_text_agrees"),
    "reconstructed/jls_params_text_n_1jail_SUBSET.txt": ("test_jls_dash_n_text_agrees",),
    "reconstructed/jls_v_text_3jails.txt": ("test_jls_verbose_text_agrees",),
    "reconstructed/ps_libxo_json_jid_pid_ppid_user_pcpu_pmem_rss_vsz_state_time_etime_command.json":
        ("test_ps_all_keywords", "test_ps_text_agrees"),
    "reconstructed/ps_text_same_columns.txt": ("test_ps_text_agrees",),
    "reconstructed/rctl_h_rules_list.txt": ("test_rctl_rules_refuse_human_readable",),
    "reconstructed/rctl_hu_jail_git7.txt": ("test_rctl_usage_refuses_human_readable",),
    "reconstructed/rctl_rules_list.txt": ("test_rctl_rules_list",
                                          "test_rctl_rules_refuse_human_readable"),
    "reconstructed/rctl_u_jail_git7.txt": ("test_rctl_usage_lines_agree_with_raw_buffer",),
}
PS_JSON = ("reconstructed/"
           "ps_libxo_json_jid_pid_ppid_user_pcpu_pmem_rss_vsz_state_time_etime_command.json")


def test_every_data_file_is_tested():
    on_disk = {str(path.relative_to(DATA)) for path in DATA.rglob("*") if path.is_file()}
    assert on_disk == set(FILE_TESTS)
    for tests in FILE_TESTS.values():
        assert all(callable(globals().get(test)) for test in tests), tests


# -- jls --------------------------------------------------------------------------------------

GIT7_PATH = "/usr/local/bastille/jails/git7/root"


def test_jls_verbose():
    git7, sto2, git6 = parse_jls(read("samples/jls_v_libxo_json_3jails.json"))
    assert git7 == Jail("git7", 2, JailState.ACTIVE, "git7", GIT7_PATH, ("172.16.20.98",), (), 5)
    assert git7.params == {}
    assert (sto2.name, sto2.jid, sto2.cpusetid) == ("sto2", 105, 7)
    assert sto2.ip4 == ("172.16.20.112",)
    assert sto2.ip6 == ("2001:470:e8af:20::532",)
    assert git6.ips == ("172.16.20.99", "2001:470:e8af:20::577")
    assert all(jail.running and not jail.configured for jail in (git7, sto2, git6))


def test_jls_verbose_unnamed_jail_on_several_lines():
    text = read("samples/jls_v_libxo_json_1jail.json")
    assert text.count("\n") > 1
    [jail] = parse_jls(text)
    assert jail == Jail("83", 83, JailState.ACTIVE, "", "/zroot/kleene_basejail",
                        ("172.17.0.1", "172.17.0.2"), (), 4)


def test_jls_pretty_json_parses_the_same():
    text = read("samples/jls_v_libxo_json_3jails.json")
    assert parse_jls(json.dumps(json.loads(text), indent=2)) == parse_jls(text)


def test_jls_default_mode():
    jails = parse_jls(read("reconstructed/jls_default_libxo_json_3jails.json"))
    assert [(j.name, j.jid, j.ip4, j.ip6, j.cpusetid) for j in jails] == [
        ("2", 2, ("172.16.20.98",), (), None), ("105", 105, ("172.16.20.112",), (), None),
        ("116", 116, ("172.16.20.99",), (), None)]
    assert jails[0].hostname == "git7" and jails[0].path == GIT7_PATH
    assert parse_jls('{"jail-information": {"jail": [{"jid":4,"ipv4":"","hostname":"h",'
                     '"path":"/"}]}}')[0].ip4 == ()


def test_jls_names_mode():
    jails = parse_jls(read("reconstructed/jls_N_libxo_json_3jails.json"))
    assert [(j.name, j.jid, j.state) for j in jails] == [
        ("git7", None, JailState.ACTIVE), ("sto2", None, JailState.ACTIVE),
        ("git6", None, JailState.ACTIVE)]
    assert jails[1].ip4 == ("172.16.20.112",)


def test_jls_no_jails():
    assert parse_jls(read("reconstructed/jls_libxo_json_no_jails.json")) == []


def test_jls_param_mode():
    [jail] = parse_jls(read("samples/jls_params_libxo_json_jid_name_hostname_ip4_path.json"))
    assert jail == Jail("goodiesdb", 1, JailState.ACTIVE, "goodiesdb",
                        "/usr/local/jails/containers/goodiesdb")
    assert jail.params == {"jid": "1", "name": "goodiesdb", "host.hostname": "goodiesdb",
                           "ip4.addr": "", "path": "/usr/local/jails/containers/goodiesdb"}


def test_jls_dash_n_mode():
    [jail] = parse_jls(read("reconstructed/jls_n_libxo_json_1jail_SUBSET.json"))
    assert jail == Jail("git7", 2, JailState.ACTIVE, "git7", GIT7_PATH, ("172.16.20.98",), (), 5,
                        vnet="inherit", ip4_mode="new", ip6_mode="new")
    assert jail.params["persist"] == "true"
    assert jail.params["dying"] == "false"
    assert jail.params["allow.mount"] == "false"
    assert jail.params["ip4.addr"] == "172.16.20.98"
    assert jail.params["ip6.addr"] == ""
    assert jail.params["osreldate"] == "1402000"
    assert all(isinstance(value, str) for value in jail.params.values())


@pytest.mark.parametrize("dying", ["true", '"true"'])
def test_jls_dying_param(dying):
    [jail] = parse_jls(f'{{"jail-information": {{"jail": [{{"jid":"7","dying":{dying}}}]}}}}')
    assert (jail.name, jail.jid, jail.state) == ("7", 7, JailState.DYING)
    assert jail.params == {"jid": "7", "dying": "true"}


def test_jls_verbose_dying_state():
    text = '{"jail-information": {"jail": [{"jid":9,"name":"old","state":"DYING"}]}}'
    assert parse_jls(text)[0].state == JailState.DYING


def test_jls_param_mode_lists_and_strings():
    text = ('{"jail-information": {"jail": [{"name":"w","persist":"false","ip4.addr":'
            '["10.0.0.1","10.0.0.2"],"ip6.addr":["::1"],"cpuset.id":"3","securelevel":"-1"}]}}')
    [jail] = parse_jls(text)
    assert (jail.jid, jail.ip4, jail.ip6, jail.cpusetid) == (None, ("10.0.0.1", "10.0.0.2"),
                                                           ("::1",), 3)
    assert jail.params["ip4.addr"] == "10.0.0.1,10.0.0.2"
    assert jail.params["persist"] == "false"
    assert jail.params["securelevel"] == "-1"


def test_jls_freebsd_test_outputs():
    [named] = parse_jls(read("samples/jls_libxo_json_name_meta__freebsd_test.json"))
    assert (named.name, named.jid, named.params) == ("j", None, {"name": "j", "meta": "a b c"})
    [env] = parse_jls(read("samples/jls_libxo_json_env__freebsd_test.json"))
    assert (env.name, env.params) == ("", {"env": "1 2 3"})
    [key] = parse_jls(read("samples/jls_libxo_json_meta_key__freebsd_test.json"))
    assert key.params == {"meta.b": "3"}
    assert parse_jls(read("samples/jls_libxo_json_missing_keys__freebsd_test.json")) == [Jail("")]


@pytest.mark.parametrize("text", [
    "", "not json", '{"__version": "3", "jail-information": {"jails": []}}',
    '{"jail-information": {"jail": {}}}', '{"jail-information": {"jail": [1]}}',
    '{"jail-information": {"jail": [{"jid":"x"}]}}', '{"jail-information": {"jail": [{"jid":true}]}}',
    '{"jail-information": {"jail": [{"jid":1,"state":"GONE"}]}}',
    '{"jail-information": {"jail": [{"jid":1,"ipv4_addrs":[1]}]}}',
    '{"jail-information": {"jail": [{"jid":1,"hostname":["a"]}]}}',
    '{"jail-information": {"jail": [{"jid":"1","meta":{"a":1}}]}}'])
def test_jls_not_understood(text):
    with pytest.raises(ParseError, match="^jls: "):
        parse_jls(text)


def _text_rows(text: str) -> list[list[str]]:
    """Rows of jls's default/-N text output (no field here contains a space)."""
    return [line.split() for line in text.splitlines()[1:]]


def test_jls_default_text_agrees():
    jails = parse_jls(read("reconstructed/jls_default_libxo_json_3jails.json"))
    rows = _text_rows(read("reconstructed/jls_default_text_3jails.txt"))
    assert rows == [[str(j.jid), j.ip4[0], j.hostname, j.path] for j in jails]


def test_jls_names_text_agrees():
    jails = parse_jls(read("reconstructed/jls_N_libxo_json_3jails.json"))
    rows = _text_rows(read("reconstructed/jls_N_text_3jails.txt"))
    assert rows == [[j.name, j.ip4[0], j.hostname, j.path] for j in jails]


def _text_verbose(text: str) -> list[tuple]:
    """Jails of ``jls -v`` text: a JID line, name/state, cpuset, then one line per address."""
    jails: list[list] = []
    for line in text.splitlines()[4:]:
        if line[:8].strip():
            jails.append(line.split())
        else:
            jails[-1].extend(line.split())
    return [(int(jid), host, path, name, state, int(cpuset), tuple(ips))
            for jid, host, path, name, state, cpuset, *ips in jails]


def test_jls_verbose_text_agrees():
    jails = parse_jls(read("samples/jls_v_libxo_json_3jails.json"))
    assert _text_verbose(read("reconstructed/jls_v_text_3jails.txt")) == [
        (j.jid, j.hostname, j.path, j.name, j.state, j.cpusetid, j.ips) for j in jails]


def _text_params(text: str) -> dict[str, str]:
    """``jls -n`` text: ``name=value``, bare ``name`` (true) or ``noname`` (false)."""
    params = {}
    for word in text.split():
        name, equals, value = word.partition("=")
        head, dot, last = name.rpartition(".")
        if equals:
            params[name] = value.strip('"')
        elif last.startswith("no"):
            params[head + dot + last[2:]] = "false"
        else:
            params[name] = "true"
    return params


def test_jls_dash_n_text_agrees():
    [jail] = parse_jls(read("reconstructed/jls_n_libxo_json_1jail_SUBSET.json"))
    text = _text_params(read("reconstructed/jls_params_text_n_1jail_SUBSET.txt"))
    assert {key: text[key] for key in jail.params} == jail.params
    assert {key: value for key, value in text.items() if key not in jail.params} == {
        "host.domainname": ""}


# -- ps ---------------------------------------------------------------------------------------


def test_ps_all_keywords():
    init, syslogd, nginx, worker, cron = parse_ps(read(PS_JSON))
    assert init == Process(pid=1, jid=0, ppid=0, user="root", pcpu=0.0, pmem=0.0,
                           rss=1088 * 1024, vsz=12876 * 1024, nlwp=1, state="ILs", cputime=0.31,
                           etime=21 * 86400 + 4 * 3600 + 13 * 60 + 55, command="/sbin/init")
    assert (syslogd.jid, syslogd.etime, syslogd.command) == (2, 3 * 3600 + 12 * 60 + 9,
                                                             "/usr/sbin/syslogd -ss")
    assert nginx.pmem == 0.1
    assert (worker.ppid, worker.user, worker.pcpu, worker.cputime) == (3188, "www", 1.3, 133.5)
    assert worker.command == "nginx: worker process (nginx)"
    assert (cron.jid, cron.user, cron.etime, cron.rss) == (105, "80", 12 * 60 + 41, 3012 * 1024)


def test_ps_cirrina_default_keywords():
    [sudo] = parse_ps(read("samples/ps_libxo_json_default_keywords_1.json"))
    assert (sudo.pid, sudo.state, sudo.cputime) == (83821, "I", 0.02)
    assert sudo.command.startswith("/usr/local/bin/sudo /usr/bin/protect /usr/sbin/bhyve -U ")
    assert (sudo.jid, sudo.ppid, sudo.user, sudo.rss, sudo.nlwp, sudo.etime) == (0, 0, "", 0, 1, 0)
    [bhyve] = parse_ps(read("samples/ps_libxo_json_default_keywords_2.json"))
    assert (bhyve.pid, bhyve.state, bhyve.cputime) == (71004, "S", 0.03)
    [renamed] = parse_ps(read("samples/ps_libxo_json_default_keywords_3.json"))
    assert renamed == Process(pid=85540, state="SC", cputime=101.54,
                              command="bhyve: test2024010401 (bhyve)")


def _ps_json(*processes: dict) -> str:
    return json.dumps({"process-information": {"process": list(processes)}})


def test_ps_keeps_commands_exactly():
    idle, root = parse_ps(_ps_json({"pid": "11", "command": "[idle]"},
                                   {"pid": "12", "command": "[/]"}))
    assert (idle.command, root.command) == ("[idle]", "[/]")


def test_ps_dash_means_missing():
    [proc] = parse_ps(_ps_json({"pid": "5", "user": "-", "rss": "-", "elapsed-time": "-",
                                "jail-name": "-"}))
    assert proc == Process(pid=5)


def test_ps_other_keys():
    [proc] = parse_ps(_ps_json({"pid": "5", "threads": "12", "elapsed-time": "01:00",
                                "elapsed-times": "61", "percent-cpu": "250,5",
                                "terminal-name": "27 "}))
    assert (proc.nlwp, proc.etime, proc.pcpu) == (12, 61, 250.5)


@pytest.mark.parametrize("text", ["", "  \n"])
def test_ps_without_output(text):
    assert parse_ps(text) == []


def test_ps_empty_list():
    assert parse_ps(_ps_json()) == []


@pytest.mark.parametrize("process", [
    {"command": "x"}, {"pid": "x"}, {"pid": "1", "rss": "12K"}, {"pid": "1", "cpu-time": "1.5"},
    {"pid": "1", "elapsed-time": "3-4"}, {"pid": "1", "user": ["root"]}, {"pid": True}])
def test_ps_not_understood(process):
    with pytest.raises(ParseError, match="^ps: "):
        parse_ps(_ps_json(process))


def test_ps_truncated_json():
    with pytest.raises(ParseError, match="^ps: output is not JSON"):
        parse_ps('{"process-information": {"process": [{"pid":"1"}')


def test_ps_text_agrees():
    processes = parse_ps(read(PS_JSON))
    lines = read("reconstructed/ps_text_same_columns.txt").splitlines()
    assert lines[0].split() == ["JID", "PID", "PPID", "USER", "%CPU", "%MEM", "RSS", "VSZ", "STAT",
                                "TIME", "ELAPSED", "COMMAND"]
    rows = [line.split(None, 11) for line in lines[1:]]
    assert [(int(r[0]), int(r[1]), int(r[2]), r[3], float(r[4]), float(r[5]), int(r[6]) * 1024,
             int(r[7]) * 1024, r[8], parse_cputime(r[9]), parse_etime(r[10]), r[11])
            for r in rows] == [
        (p.jid, p.pid, p.ppid, p.user, p.pcpu, p.pmem, p.rss, p.vsz, p.state, p.cputime, p.etime,
         p.command) for p in processes]


@pytest.mark.parametrize(("text", "seconds"), [
    ("00:00", 0), ("00:05", 5), ("12:41", 761), ("03:12:08", 11528), (" 21-04:13:55", 1829635),
    ("1-00:00:00", 86400), ("  2-00:00:01", 172801), ("100:00:00", 360000)])
def test_parse_etime(text, seconds):
    assert parse_etime(text) == seconds


@pytest.mark.parametrize("text", ["", "-", "5", "1:2:3:4", "5-12:41", "a:b", "1:-2"])
def test_parse_etime_refuses(text):
    with pytest.raises(ParseError, match="^ps: elapsed time"):
        parse_etime(text)


@pytest.mark.parametrize(("text", "seconds"), [
    ("0:00.31", 0.31), ("2:13.50", 133.5), ("125:03.45", 7503.45), ("0:00,31", 0.31),
    ("1:41.54", 101.54), ("3:07", 187.0)])
def test_parse_cputime(text, seconds):
    assert parse_cputime(text) == seconds


@pytest.mark.parametrize("text", ["", "1.5", "a:b", "1:2:3", "1:2.", "-1:00.00"])
def test_parse_cputime_refuses(text):
    with pytest.raises(ParseError, match="^ps: cpu time"):
        parse_cputime(text)


# -- rctl -------------------------------------------------------------------------------------

GIT7_USAGE = Usage(cputime=174, datasize=798720, memoryuse=25550848, maxproc=5, openfiles=1280,
                   vmemoryuse=296804352, nthr=5, wallclock=291876)


def test_rctl_usage_raw_buffer():
    text = read("samples/rctl_get_racct_raw_jail.txt")
    assert "\n" not in text.strip() and text.count(",") == 24
    assert parse_rctl_usage(text) == GIT7_USAGE
    assert parse_rctl_usage(text.strip() + "\0") == GIT7_USAGE


def test_rctl_usage_lines_agree_with_raw_buffer():
    lines = read("reconstructed/rctl_u_jail_git7.txt")
    assert lines.splitlines() == read("samples/rctl_get_racct_raw_jail.txt").strip().split(",")
    assert parse_rctl_usage(lines) == GIT7_USAGE


def test_rctl_usage_refuses_human_readable():
    with pytest.raises(ParseError, match="human-readable") as info:
        parse_rctl_usage(read("reconstructed/rctl_hu_jail_git7.txt"))
    assert "datasize=780K" in str(info.value)
    with pytest.raises(ParseError, match="human-readable"):
        parse_rctl_usage("wallclock=285K\n")


def test_rctl_usage_ignores_unknown_resources():
    assert parse_rctl_usage("maxproc=3\nnewresource=7\nnthr=9\n") == Usage(maxproc=3, nthr=9)


@pytest.mark.parametrize("text", ["", "\n", "maxproc 3", "maxproc=", "maxproc=3.5", "maxproc=x",
                                  "=3", "usage: rctl [ -h ] [-a rule | -l filter]"])
def test_rctl_usage_not_understood(text):
    with pytest.raises(ParseError, match="^rctl: "):
        parse_rctl_usage(text)


RULES = [
    Rule("jail", "git7", "memoryuse", "deny", 1073741824),
    Rule("jail", "git7", "maxproc", "deny", 200),
    Rule("jail", "git7", "pcpu", "deny", 50),
    Rule("jail", "sto2", "readbps", "throttle", 10485760),
    Rule("jail", "sto2", "vmemoryuse", "log", 4294967296),
    Rule("user", "www", "vmemoryuse", "deny", 1073741824, "process"),
]


def test_rctl_rules_list():
    text = read("reconstructed/rctl_rules_list.txt")
    assert parse_rctl_rules(text) == RULES
    assert [str(rule) for rule in RULES] == text.splitlines()
    assert parse_rctl_rules(",".join(text.splitlines())) == RULES


def test_rctl_rules_refuse_human_readable():
    with pytest.raises(ParseError, match="human-readable") as info:
        parse_rctl_rules(read("reconstructed/rctl_h_rules_list.txt"))
    assert "deny=1024M" in str(info.value)
    raw = read("reconstructed/rctl_rules_list.txt").splitlines()
    for line in read("reconstructed/rctl_h_rules_list.txt").splitlines():
        if line not in raw:
            with pytest.raises(ParseError, match="human-readable"):
                parse_rctl_rules(line)


def test_rctl_rules_from_the_kernel_are_taken_as_they_are():
    text = "user:80:maxproc:deny=10\njail:my jail:maxproc:deny=10\nprocess::nthr:log=5/jail\n"
    assert parse_rctl_rules(text) == [Rule("user", "80", "maxproc", "deny", 10),
                                      Rule("jail", "my jail", "maxproc", "deny", 10),
                                      Rule("process", "", "nthr", "log", 5, "jail")]


def test_rctl_rules_skip_what_a_newer_kernel_knows():
    text = "jail:a:newresource:deny=1\njail:a:maxproc:sigfuture=1\njail:a:maxproc:log=3\n"
    assert parse_rctl_rules(text) == [Rule("jail", "a", "maxproc", "log", 3)]


def test_rctl_rules_empty():
    assert parse_rctl_rules("") == []


@pytest.mark.parametrize("text", [
    "jail:a:maxproc", "jail:a:maxproc:deny", "group:a:maxproc:deny=1", "j:a:maxproc:deny=1",
    "jail:a:maxproc:deny=x", "jail:a:maxproc:deny=-1", "jail:a:maxproc:deny=1/nobody",
    "jail:a:maxproc:deny=1/", "rctl: failed to show rules for '::': Operation not permitted"])
def test_rctl_rules_not_understood(text):
    with pytest.raises(ParseError, match="^rctl: "):
        parse_rctl_rules(text)


def test_rctl_conf_example_rules_parse():
    rules = [parse_rule(line.split("#", 1)[0])
             for line in read("samples/rctl.conf__rctl.conf.5_example.conf").splitlines()
             if line.split("#", 1)[0].strip()]
    assert rules == [Rule("loginclass", "testing", "maxproc", "deny", 100, "user")]


# -- the error table --------------------------------------------------------------------------

ROW = re.compile(r"(?P<command>.+?) \| (?P<stderr>.*) \| (?P<exit>[0-9]+) \|(?: (?P<stdout>.*))?")
TOOLS = ("rctl", "jls", "ps", "jail", "jexec")


def error_rows() -> list[tuple[str, str, int]]:
    """(command, stderr, exit status) of the rows for the tools the backend runs."""
    rows = []
    for line in read("reconstructed/errors_stderr_and_exit_codes.txt").splitlines():
        if line.startswith("#") or line.split(" ", 1)[0] not in TOOLS:
            continue
        match = ROW.fullmatch(line)
        assert match is not None, line
        rows.append((match["command"], match["stderr"], int(match["exit"])))
    return rows


RCTL_MESSAGES = {
    "rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details",
    "rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable",
    "rctl: failed to add rule 'jail:git7:memoryuse:deny': Invalid argument",
    "rctl: failed to add rule 'jail:git7:wallclock:deny=10': Operation not supported",
    "rctl: malformed rule 'jail:git7:memoryuse:deny=10q': invalid numeric value '10q'",
    "rctl: malformed rule 'user:nosuchuser:maxproc:deny=10': unknown user 'nosuchuser'",
    "rctl: malformed rule 'jail': missing subject",
    "rctl: at most one of -a, -l, -r, or -u may be specified",
    "rctl: illegal option -- x / usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter "
    "| filter]",
    "rctl: failed to remove rule 'jail:nosuch': No such process",
    "rctl: failed to show resource consumption for 'process:99999': No such process",
    "rctl: failed to get limits for 'jail:git7': Operation not supported",
    "rctl: failed to add rule '...': Operation not permitted",
    "rctl: failed to show resource consumption for '...': Operation not permitted",
}


def test_error_table_rows():
    rows = error_rows()
    assert {command.split()[0] for command, _, _ in rows} == set(TOOLS)
    assert len(rows) == 29
    for command, stderr, status in rows:
        assert stderr == "(none)" or stderr.startswith(command.split()[0] + ": ")
        assert stderr == "(none)" or status == 1, command
    assert {command: status for command, stderr, status in rows if stderr == "(none)"} == {
        "jls (no jails)": 0, "ps -J 999 ... (no processes match)": 1, "rctl -u jail:nosuch": 0}
    assert ("jexec nosuch sh", 'jexec: jail "nosuch" not found', 1) in rows
    assert ("ps -J nosuch ...", "ps: Invalid jail id: nosuch", 1) in rows


def test_error_table_rctl_messages():
    messages = {stderr for command, stderr, _ in error_rows()
                if command.startswith("rctl") and stderr != "(none)"}
    assert messages == RCTL_MESSAGES


@pytest.mark.parametrize(("rule", "part"), [
    ("jail:git7:memoryuse:deny", "amount"), ("jail:git7:wallclock:deny=10", "action"),
    ("jail:git7:memoryuse:deny=10q", "amount")])
def test_error_table_rules_refused_locally(rule, part):
    assert f"rctl -a {rule}" in {command for command, _, _ in error_rows()}
    with pytest.raises(RuleError) as info:
        parse_rule(rule)
    assert info.value.part == part
    with pytest.raises(RuleError):
        parse_filter("jail")


# -- sysctl -----------------------------------------------------------------------------------

BOOTTIME = "{ sec = 1700000000, usec = 123456 } Tue Nov 14 22:13:20 2023"


def test_parse_sysctl_n():
    oids = ("kern.hostname", "kern.boottime", "vm.loadavg", "kern.cp_time", "hw.ncpu")
    text = f"\n{BOOTTIME}\n{{ 0.10 0.20 0.15 }}\n1 2 3 4 5\n8\n"
    values = parse_sysctl_n(text, oids)
    assert values == {"kern.hostname": "", "kern.boottime": BOOTTIME,
                      "vm.loadavg": "{ 0.10 0.20 0.15 }", "kern.cp_time": "1 2 3 4 5",
                      "hw.ncpu": "8"}
    assert parse_boottime(values["kern.boottime"]) == 1700000000
    assert parse_loadavg(values["vm.loadavg"]) == (0.10, 0.20, 0.15)
    assert parse_cp_time(values["kern.cp_time"]) == (1, 2, 3, 4, 5)
    assert parse_sysctl_n("", ()) == {}


@pytest.mark.parametrize("text", ["8\n", "8\n1\n2\n", ""])
def test_parse_sysctl_n_counts_lines(text):
    with pytest.raises(ParseError, match="^sysctl: asked for 2 values"):
        parse_sysctl_n(text, ("hw.ncpu", "hw.pagesize"))


def test_parse_sysctl_values_refused():
    for parse, value in [(parse_boottime, "Tue Nov 14 2023"), (parse_loadavg, "{ 0.1 0.2 }"),
                         (parse_loadavg, "{ a b c }"), (parse_cp_time, ""),
                         (parse_cp_time, "1 2 x")]:
        with pytest.raises(ParseError, match="^sysctl: "):
            parse(value)


def test_sysctl_number_takes_digits_only():
    from jailtui.engine.parse import sysctl_number
    assert sysctl_number("hw.ncpu", "8") == 8
    assert sysctl_number("hw.ncpu", " 8 ") == 8
    # str.strip() would drop the unit separator and int() would then fail with ValueError
    for value in ("0\x1f", "\x1c8", "8\x0b", "", "8k"):
        with pytest.raises(ParseError, match="^sysctl: hw.ncpu is not a number"):
            sysctl_number("hw.ncpu", value)


def test_parse_cp_times_for_every_cpu():
    assert len(parse_cp_time(" ".join(["7"] * 20))) == 20


# -- service jail -----------------------------------------------------------------------------


def test_service_start_failure_vnet():
    assert service_failures(read("samples/service_jail_start_failure_vnet.txt")) == {
        "gitea": "ifconfig: interface epair14 already exists\n"
                 "jail: gitea: ifconfig epair14 create up: failed"}


def test_service_restart_failure_14_2():
    failures = service_failures(read("samples/service_jail_restart_failure__14.2.txt"))
    mount = "/sbin/mount -t nullfs -o ro /usr/local/jails/templates/14.2-RELEASE-base " \
            "/usr/local/jails/testjail-nullfs-base/"
    deadlock = "mount_nullfs: /usr/local/jails/testjail-nullfs-base: Resource deadlock avoided"
    assert failures == {
        "-vvvv": "\n".join([
            "testjail: run command: /sbin/ifconfig dwc0 inet 192.168.1.235 netmask "
            "255.255.255.255 alias",
            f"testjail: run command: {mount}", deadlock, f"jail: testjail: {mount}: failed",
            "testjail: run command: /sbin/ifconfig dwc0 inet 192.168.1.235 netmask "
            "255.255.255.255 -alias"]),
        "testjail": f"{deadlock}\njail: testjail: {mount}: failed"}


def test_service_failures_between_started_jails():
    output = ('Starting jails: cannot start jail  "a": \njail: a: failed\n'
              ' web cannot start jail  "b":\njail: b: path /x: No such file or directory\n db.\n')
    assert service_failures(output) == {"a": "jail: a: failed",
                                        "b": "jail: b: path /x: No such file or directory"}


def test_service_success():
    assert service_failures("Starting jails: web db.\n") == {}
    assert service_failures("") == {}


# -- jail.conf --------------------------------------------------------------------------------


def test_jail_conf_jail8_example():
    conf = parse_jail_conf(read("samples/jail.conf__jail.8_testjail_example.conf"))
    assert conf.includes == []
    assert conf.jails == [JailConf("testjail", {
        "name": "testjail", "path": "/tmp/jail/testjail", "mount.devfs": "true",
        "host.hostname": "testhostname", "ip4.addr": "192.0.2.100", "interface": "ed0",
        "exec.start": "/bin/sh /etc/rc", "exec.stop": "/bin/sh /etc/rc.shutdown"})]


def test_jail_conf_jail_conf5_example():
    conf = parse_jail_conf(read("samples/jail.conf__jail.conf.5_example.conf"))
    foo, bar = conf.jails
    assert foo == JailConf("foo", {
        "name": "foo", "exec.start": "/bin/sh /etc/rc",
        "exec.stop": "/bin/sh /etc/rc.shutdown jail", "exec.clean": "true",
        "mount.devfs": "true", "path": "/var/jail/foo", "host.hostname": "foo.com",
        "ip4.addr": ["10.1.1.1", "10.1.1.2", "10.1.1.3"]})
    assert bar == JailConf("bar", {
        "name": "bar", "exec.start": "", "exec.stop": "", "exec.clean": "true",
        "mount.devfs": "false", "path": "/", "persist": "true"})
    assert conf.includes == ["/etc/jail.conf.d/*.conf", "/etc/jail.*.conf",
                             "/usr/local/etc/jail[.]conf", "/usr/local/etc/jail.conf.d/*.conf",
                             "/usr/local/etc/jail.*.conf"]


def jail_params(text: str) -> dict[str, dict[str, str | list[str]]]:
    return {jail.name: jail.params for jail in parse_jail_conf(text).jails}


def test_jail_conf_comments():
    text = ("# shell\n// c++\n/* c,\n   several lines */ www { /* inline */ path = /w; # end\n"
            "host.hostname = w.example.org; // trailing\n}\n")
    assert jail_params(text) == {"www": {"name": "www", "path": "/w",
                                         "host.hostname": "w.example.org"}}


def test_jail_conf_lists_and_appends():
    text = ('www { ip4.addr = 10.1.1.1, "10.1.1.2"; ip4.addr += "em0|10.1.1.3/24";\n'
            "ip6.addr += ::1; exec.start = a, b; exec.start = c; }")
    params = jail_params(text)["www"]
    assert params["ip4.addr"] == ["10.1.1.1", "10.1.1.2", "em0|10.1.1.3/24"]
    assert params["ip6.addr"] == "::1"
    assert params["exec.start"] == "c"


def test_jail_conf_strings():
    text = (r'''www { a = "tab\there"; b = 'single $name \'q\''; c = "\101\x42\\"; '''
            '''d = "joined \\\n line"; e = "multi\nline"; f = "x"'y'z; g = /usr/$name; }''')
    params = jail_params(text)["www"]
    assert params["a"] == "tab\there"
    assert params["b"] == "single $name 'q'"
    assert params["c"] == "AB\\"
    assert params["d"] == "joined  line"
    assert params["e"] == "multi\nline"
    assert params["f"] == "xyz"
    assert params["g"] == "/usr/www"


def test_jail_conf_variables():
    text = ('$base = "/jails";\npath = "$base/${name}";\nhost.hostname = "$name.example.org";\n'
            'exec.consolelog = "/var/log/${host.hostname}.log";\n'
            '$ips = 10.0.0.1, 10.0.0.2;\nwww { ip4.addr = $ips; }\ndb { $base = /other; }\n')
    params = jail_params(text)
    assert params["www"] == {"name": "www", "path": "/jails/www",
                             "host.hostname": "www.example.org",
                             "exec.consolelog": "/var/log/www.example.org.log",
                             "ip4.addr": ["10.0.0.1", "10.0.0.2"]}
    assert params["db"]["path"] == "/other/db"
    assert "$base" not in params["db"] and "base" not in params["db"]


def test_jail_conf_unexpandable_references_are_kept():
    text = ('$ips = a, b; $loop = "$loop"; www { path = "/j/$nosuch"; x = "pre $ips"; '
            'y = $loop; }')
    params = jail_params(text)["www"]
    assert params["path"] == "/j/${nosuch}"
    assert params["x"] == "pre ${ips}"
    assert params["y"] == "${loop}"


def test_jail_conf_wildcards_and_order():
    text = ("persist;\n* { devfs_ruleset = 4; }\nfoo { devfs_ruleset = 5; }\n"
            "foo.* { securelevel = 3; }\nfoo.bar { }\nfoo.bar.baz { }\nbar { }\n"
            "*.baz { children.max = 1; }\nenforce_statfs = 1;\n")
    params = jail_params(text)
    assert list(params) == ["foo", "foo.bar", "foo.bar.baz", "bar"]
    assert params["foo"] == {"name": "foo", "persist": "true", "devfs_ruleset": "5",
                             "enforce_statfs": "1"}
    assert params["foo.bar"]["securelevel"] == "3"
    assert params["foo.bar.baz"]["securelevel"] == "3"
    assert "children.max" not in params["foo.bar.baz"]
    assert "securelevel" not in params["bar"]
    assert params["bar"]["devfs_ruleset"] == "4"
    later = jail_params("www { path = /a; }\npath = /b;\n")
    assert later["www"]["path"] == "/b"


def test_jail_conf_booleans():
    text = ("www { persist; nopersist; allow.nomount; mount.devfs; mount.nodevfs; "
            "allow.raw_sockets = true; exec.noclean; }")
    assert jail_params(text)["www"] == {"name": "www", "persist": "false", "allow.mount": "false",
                                        "mount.devfs": "false", "allow.raw_sockets": "true",
                                        "exec.clean": "false"}


def test_jail_conf_names():
    params = jail_params('"odd name" { path = /x; }\n5 { path /y; }\nouter { inner { a = 1; } }\n')
    assert params["odd name"]["name"] == "odd name"
    assert params["5"] == {"jid": "5", "path": "/y"}
    assert params["outer.inner"] == {"name": "outer.inner", "a": "1"}


def test_jail_conf_empty():
    assert parse_jail_conf("").jails == []
    assert parse_jail_conf("\n# nothing\n;;\n").jails == []


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("www {\n path = /x;\n", 1, "jail block 'www' is not closed"),
    ("www { }\n}\n", 2, "'}' without a jail block"),
    ("www {\n path = \"/x;\n}\n", 2, "unterminated string"),
    ("www {\n path = '/x;\n}\n", 2, "unterminated string"),
    ("/* open\ncomment", 1, "unterminated comment"),
    ("www {\n path = /x\n}\n", 3, "';' expected after path"),
    ("www { path = ; }", 1, "a value expected"),
    ("path = /x", 1, "';' expected after path"),
    ("www {\n\n path = \"${host.hostname\";\n}", 3, "unterminated variable"),
    ("= x;", 1, "a parameter name expected"),
    ("$x$y = 1;", 1, "cannot contain a variable"),
])
def test_jail_conf_malformed(text, line, problem):
    with pytest.raises(ParseError) as info:
        parse_jail_conf(text)
    assert str(info.value).startswith(f"jail.conf line {line}: ")
    assert problem in str(info.value)


# -- properties -------------------------------------------------------------------------------

CONF_TEXT = st.lists(st.one_of(
    st.sampled_from(["{", "}", ";", "=", "+=", ",", '"', "'", "$", "${", "}", "\\", "#", "//",
                     "/*", "*/", "\n", " ", "www", "*", "foo.*", "path", "$v", "${name}",
                     "nopersist", ".include"]),
    st.text(max_size=4))).map("".join)


@given(st.one_of(st.text(), CONF_TEXT))
def test_any_jail_conf_text_parses_or_raises_parse_error(text):
    try:
        conf = parse_jail_conf(text)
    except ParseError as error:
        assert str(error).startswith("jail.conf line ")
    else:
        assert all(isinstance(jail, JailConf) for jail in conf.jails)


@given(st.text())
def test_any_text_parses_or_raises_parse_error(text):
    for parse in (parse_jls, parse_ps, parse_rctl_usage, parse_rctl_rules, parse_etime,
                  parse_cputime, parse_boottime, parse_loadavg, parse_cp_time, service_failures):
        try:
            parse(text)
        except ParseError:
            pass


@given(st.lists(st.builds(
    Rule, st.sampled_from(SUBJECTS), st.from_regex(r"[a-z0-9_.-]{1,12}", fullmatch=True),
    st.sampled_from(list(RESOURCES)), st.sampled_from(ACTIONS), st.integers(0, 2**63 - 1),
    st.sampled_from(SUBJECTS))))
def test_kernel_rule_lists_round_trip(rules):
    text = ",".join(str(rule) for rule in rules)
    assert parse_rctl_rules(text) == rules
    assert parse_rctl_rules(text.replace(",", "\n")) == rules


@given(st.dictionaries(st.sampled_from(list(RESOURCES)), st.integers(0, 2**63 - 1)))
def test_usage_round_trip(values):
    text = ",".join(f"{name}={value}" for name, value in values.items())
    if values:
        assert parse_rctl_usage(text) == Usage.from_mapping(values)
