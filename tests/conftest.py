"""Shared fixtures: ``fake_freebsd`` puts fake FreeBSD tools (tests/fakebin) first on PATH and
gives them a host disk under tmp_path/root."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from jailtui.engine.runner import LocalRunner

FAKEBIN = Path(__file__).resolve().parent / "fakebin"
# The fake tools are Python: without this, Python itself would switch a C LC_CTYPE to C.UTF-8
# at start-up (PEP 538) and the fakes could not see the locale a real tool would get.
os.environ["PYTHONCOERCECLOCALE"] = "0"


def _load_fakebin(name: str, filename: str):
    spec = importlib.util.spec_from_file_location(name, FAKEBIN / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fake_state = _load_fakebin("fakebin_state", "state.py")


@pytest.fixture(autouse=True)
def _own_config_home(tmp_path_factory, monkeypatch) -> None:
    """No test reads the developer's own ~/.config/jailtui/config.toml."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))


@pytest.fixture(autouse=True)
def _no_terminal_size_from_the_environment(monkeypatch) -> None:
    """No test takes its width from the shell or the test runner (pytest-xdist's workers set
    COLUMNS=80): a test that wants a width sets COLUMNS itself."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


class RootedRunner(LocalRunner):
    """Runs commands here (the fake tools on PATH) and reads the fake host's files, which
    live under ``root``: the engine's real code path, pointed at the fake host's disk."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = str(root)

    def read_text(self, path: str) -> str | None:
        return super().read_text(self.root + path)

    def glob(self, pattern: str) -> list[str]:
        return [found[len(self.root):] for found in super().glob(self.root + pattern)]


class FakeFreeBSD:
    """Handle on the fake host: its state file, its files (under ``root``) and the log of
    tool invocations."""

    def __init__(self, bin_dir: Path, state_path: Path, log_path: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.state_path = state_path
        self.log_path = log_path
        self.root = root

    def runner(self) -> RootedRunner:
        return RootedRunner(self.root)

    def host(self, **options):  # -> FreeBSDHost
        """A FreeBSDHost on the fake host (no racct syscall: that would be this machine's)."""
        from jailtui.engine.freebsd import FreeBSDHost

        return FreeBSDHost(self.runner(), **{"syscall": False, **options})

    def write_file(self, path: str, text: str) -> None:
        fake_state.write_files(self.root, {path: text})

    def read_file(self, path: str) -> str | None:
        full = self.root / path.lstrip("/")
        return full.read_text() if full.exists() else None

    def remove_file(self, path: str) -> None:
        (self.root / path.lstrip("/")).unlink()

    def add_conf_jail(self, name: str, conf: dict, file: str = "/etc/jail.conf") -> None:
        """A jail in a jail.conf: its block appended to ``file``, its parameters in the state."""
        state = self.state()
        state["config"][name] = conf
        self.set_state(state)
        self.write_file(file, (self.read_file(file) or "")
                        + fake_state.jail_conf_text({name: conf}).split("\n\n", 1)[1])

    def state(self) -> dict:
        return fake_state.read_state(str(self.state_path))

    def set_state(self, state: dict) -> None:
        fake_state.write_state(str(self.state_path), state)

    def update(self, **changes) -> dict:
        """Replace top-level keys of the state; returns the new state."""
        state = self.state()
        state.update(changes)
        self.set_state(state)
        return state

    def invocations(self) -> list[list[str]]:
        """argv lists of every tool run so far, argv[0] being the tool's basename."""
        return fake_state.read_log(self.log_path)

    def clear_log(self) -> None:
        self.log_path.write_text("")


@pytest.fixture(scope="session")
def fake_tools():
    """The fake tools' implementation module, e.g. its independent model of kern_rctl.c."""
    return _load_fakebin("fakebin_freebsd", "_freebsd.py")


@pytest.fixture
def fake_freebsd(tmp_path, monkeypatch) -> FakeFreeBSD:
    """A FreeBSD host made of fake jls/ps/rctl/jail/service/jexec/sysctl/kill (sample state)."""
    fake = FakeFreeBSD(FAKEBIN, tmp_path / "freebsd-state.json", tmp_path / "freebsd-calls.log",
                       tmp_path / "root")
    fake.set_state(fake_state.sample_state())
    fake_state.write_files(fake.root, fake_state.sample_files())
    fake.clear_log()
    monkeypatch.setenv("JAILTUI_FAKE_STATE", str(fake.state_path))
    monkeypatch.setenv("JAILTUI_FAKE_LOG", str(fake.log_path))
    monkeypatch.setenv("JAILTUI_FAKE_ROOT", str(fake.root))
    monkeypatch.setenv("PATH", f"{FAKEBIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return fake


@pytest.fixture
def managed_freebsd(fake_freebsd) -> FakeFreeBSD:
    """The fake host plus a bastille jail (www), an iocage jail (ioc-db), a dotted child
    (git7.ci) and a jail made by hand (scratch), all running (state.managed_host)."""
    state = fake_freebsd.state()
    files = fake_state.managed_host(state)
    fake_freebsd.set_state(state)
    fake_state.write_files(fake_freebsd.root, files)
    fake_freebsd.clear_log()
    return fake_freebsd


@pytest.fixture
def cli(managed_freebsd, monkeypatch, capfd, tmp_path):
    """``cli("ls")`` -> (exit status, stdout, stderr) with the engine on the fake host (see
    ``managed_freebsd``); rctl.conf and the audit log are tmp_path's. Output is read from
    the file descriptors, so what a child (the shell of ``console``) prints is in it too."""
    from jailtui.cli import main

    monkeypatch.setattr("jailtui.engine.freebsd.LocalRunner", managed_freebsd.runner)
    changes = ["--rctl-conf", str(tmp_path / "rctl.conf"), "--audit-log",
               str(tmp_path / "audit.log")]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--backend", "freebsd", *changes, *argv])
        out, err = capfd.readouterr()
        return code, out, err

    return run
