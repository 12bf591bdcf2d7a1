"""How figures are written: racct's cputime and wallclock name each unit."""

from __future__ import annotations

import pytest

from jailtui.engine.units import amount, span


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (41, "41s"), (60, "1m"), (761, "12m41s"), (3600, "1h"), (3601, "1h00m01s"),
    (3660, "1h01m"), (15235, "4h13m55s"), (86400, "1d"), (90000, "1d01h"),
    (277507, "3d05h05m07s"), (59.9, "59s"), (None, "-")])
def test_a_span_is_exact_to_the_second_and_names_its_units(seconds, text) -> None:
    assert span(seconds) == text


def test_cputime_and_wallclock_amounts_are_spans() -> None:
    """The same format wherever the resource shows: rules, usage, the editor, the CLI."""
    assert amount("cputime", 174) == "2m54s"
    assert amount("wallclock", 291876) == "3d09h04m36s"
    assert amount("memoryuse", 1 << 30) == "1G"
