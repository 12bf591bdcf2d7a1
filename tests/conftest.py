"""Shared fixtures: ``fake_freebsd`` puts fake FreeBSD tools (tests/fakebin) first on PATH."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

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


class FakeFreeBSD:
    """Handle on the fake host: its state file and the log of tool invocations."""

    def __init__(self, bin_dir: Path, state_path: Path, log_path: Path) -> None:
        self.bin_dir = bin_dir
        self.state_path = state_path
        self.log_path = log_path

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
    fake = FakeFreeBSD(FAKEBIN, tmp_path / "freebsd-state.json", tmp_path / "freebsd-calls.log")
    fake.set_state(fake_state.sample_state())
    fake.clear_log()
    monkeypatch.setenv("JAILTUI_FAKE_STATE", str(fake.state_path))
    monkeypatch.setenv("JAILTUI_FAKE_LOG", str(fake.log_path))
    monkeypatch.setenv("PATH", f"{FAKEBIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return fake
