"""The soak of scripts/soak.py: two minutes of the dashboard sampling every 0.1 s (one hour is
the documented run). Part of the suite; deselect it with ``-m 'not soak'``."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


@pytest.mark.soak
@pytest.mark.timeout(900)
def test_two_minutes_at_a_tenth_of_a_second() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--minutes", "2"], capture_output=True,
                          text=True, timeout=600)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"], json.dumps(report, indent=1) + done.stderr
    assert report["samples"] >= 2 * 60 / 0.1 / 4 and report["changes"] >= 5
    assert report["checks"] >= 5


def _soak_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("soak_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_soak_flags_growth_after_the_warm_up() -> None:
    soak = _soak_module()
    figures = iter([
        {"rss": 100 * 2**20, "timers": 6, "widgets": 40, "workers": 0, "threads": 1, "sampling": 0},
        {"rss": 110 * 2**20, "timers": 6, "widgets": 45, "workers": 0, "threads": 1, "sampling": 1},
        {"rss": 130 * 2**20, "timers": 7, "widgets": 60, "workers": 1, "threads": 2, "sampling": 2},
    ])
    check = soak.Soak(None, argparse.Namespace(max_growth=24.0))
    check.measure = lambda: next(figures)
    check.check()
    check.check()
    assert check.problems == {}
    check.check()
    assert sorted(check.problems) == ["rss", "sampling", "threads", "timers", "widgets", "workers"]
    assert check.problems["widgets"] == "widgets: 60 now, 40 after the warm-up"
