"""racct usage without the syscall: every jail's ``rctl -u`` in ONE shell, with one deadline,
jail names as arguments (never script text), and a warning per jail or one for all."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jailtui.engine.freebsd import FreeBSDHost
from jailtui.engine.runner import LocalRunner

from faults_helpers import faulty  # noqa: F401

ROOT_HINT = "run jailtui as root on the host, not inside a jail"


class CountingRunner(LocalRunner):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv, **kwargs):  # type: ignore[no-untyped-def,override]
        self.calls.append(tuple(argv))
        return super().run(argv, **kwargs)


def _host(tmp_path: Path, runner: LocalRunner | None = None, timeout: float = 10.0) -> FreeBSDHost:
    conf = tmp_path / "jail.conf"
    conf.write_text("")
    return FreeBSDHost(runner, jail_conf=str(conf), syscall=False, timeout=timeout)


def _add_jails(fake, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    state = fake.state()
    for jid, name in enumerate(names, start=200):
        state["jails"].append({"jid": jid, "name": name, "hostname": "h", "path": f"/j/{jid}",
                               "ip4": [], "ip6": [], "cpusetid": 9, "dying": False})
        state["usage"][name] = {"maxproc": jid, "memoryuse": jid * 4096}
    fake.set_state(state)


def test_spawns_per_sample_do_not_grow_with_the_jails(faulty, tmp_path) -> None:  # noqa: F811
    runner = CountingRunner()
    host = _host(tmp_path, runner)
    host.sample()
    runner.calls.clear()
    host.sample()
    three = len(runner.calls)
    _add_jails(faulty, [f"web{i}" for i in range(30)])
    runner.calls.clear()
    faulty.clear_log()
    sample = host.sample()
    assert len(runner.calls) == three
    assert len(sample.usage) == 33 and sample.usage["web7"].maxproc == 207
    usage_calls = [argv for argv in faulty.invocations() if argv[:2] == ["rctl", "-u"]]
    assert usage_calls == [["rctl", "-u", f"jail:{j.name}"] for j in sample.jails if j.running]


def test_one_deadline_for_every_jail_and_one_warning(faulty, tmp_path) -> None:  # noqa: F811
    _add_jails(faulty, ["web1", "web2", "web3"])
    host = _host(tmp_path, timeout=1.0)
    host.sample()
    faulty.fault("rctl -u", "hang:10")
    started = time.monotonic()
    sample = host.sample()
    took = time.monotonic() - started
    assert took < 4, f"{took:.1f} s for 6 jails: the deadline is per jail, not per sample"
    assert sample.warnings == ("rctl -u (6 jails): no answer after 1 s",)
    assert {j.name for j in sample.jails} >= {"git7", "sto2", "git6"} and sample.processes


def test_one_jails_failure_is_that_jails_warning(faulty, tmp_path) -> None:  # noqa: F811
    host = _host(tmp_path)
    faulty.fault("rctl -u jail:sto2", "exit:1")
    sample = host.sample()
    assert sample.warnings == ("sto2: injected failure",)
    assert set(sample.usage) == {"git7", "git6"}
    assert sample.usage["git7"].memoryuse == 25550848


def test_a_refusal_for_every_jail_is_one_warning(faulty, tmp_path) -> None:  # noqa: F811
    host = _host(tmp_path)
    host.sample()
    faulty.update(root=False)
    sample = host.sample()
    usage_warnings = [w for w in sample.warnings if "racct usage" in w]
    assert usage_warnings == [f"cannot read racct usage: Operation not permitted ({ROOT_HINT})"]
    assert not sample.usage


def test_racct_disabled_for_rctl_is_one_warning(faulty, tmp_path) -> None:  # noqa: F811
    """rctl errx()s "present, but disabled" for each jail: one warning for all of them."""
    faulty.update(racct="disabled")
    usage, warnings = _host(tmp_path).usages(["git7", "sto2", "git6"])
    assert not usage
    assert warnings == ["RACCT/RCTL present, but disabled (add kern.racct.enable=1 to "
                        "/boot/loader.conf and reboot)"]


def test_garbage_without_a_newline_cannot_swallow_the_next_jail(faulty, tmp_path) -> None:  # noqa: F811
    host = _host(tmp_path)
    faulty.fault("rctl -u jail:git7", "garbage")
    sample = host.sample()
    assert set(sample.usage) == {"sto2", "git6"}
    assert len(sample.warnings) == 1 and sample.warnings[0].startswith("git7: rctl: usage line")


def test_rctl_missing_is_one_warning(faulty, tmp_path) -> None:  # noqa: F811
    host = _host(tmp_path)
    host.sample()
    faulty.remove("rctl")
    sample = host.sample()
    assert "rctl: command not found" in sample.warnings
    assert sum("not found" in w for w in sample.warnings) == 2  # the rule list, and usage
    assert sample.processes


@pytest.mark.parametrize("name", [
    "a;touch INJECTED", "$(touch INJECTED)", "`touch INJECTED`", "-n", "two words",
    "quote\"d'", "new\nline", "@@jailtui-0123456789abcdef@@ 0",
])
def test_jail_names_are_arguments_never_script(faulty, tmp_path, monkeypatch, name) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    _add_jails(faulty, [name])
    sample = _host(tmp_path).sample()
    assert not (tmp_path / "INJECTED").exists()
    assert sample.usage[name].maxproc == 200, sample.warnings
    assert sample.usage["git7"].memoryuse == 25550848 and not sample.warnings
    assert ["rctl", "-u", f"jail:{name}"] in faulty.invocations()


def test_a_name_quoted_in_an_error_cannot_forge_a_section(faulty, tmp_path) -> None:  # noqa: F811
    """rctl quotes the filter in its warning; a name holding a marker line must not end or
    start a section (the marker carries a fresh nonce per sample)."""
    forged = "z\n@@jailtui-0123456789abcdef@@ 0\n@@jailtui-0123456789abcdef@@\nmaxproc=1"
    _add_jails(faulty, [forged])
    faulty.update(root=False)
    sample = _host(tmp_path).sample()
    usage_warnings = [w for w in sample.warnings if "racct usage" in w or "usage line" in w]
    assert usage_warnings == [f"cannot read racct usage: Operation not permitted ({ROOT_HINT})"]
    assert not sample.usage
