"""Human-readable numbers for tables: sizes in powers of 1024, durations, rates, percentages."""

from __future__ import annotations

from .rctl import RESOURCES, Unit

_SUFFIXES = "KMGTPE"


def size(n: float | None, *, precise: bool = False) -> str:
    """``412M``, ``1.5G``: base 1024 like top(1); under 1 KiB plain bytes."""
    if n is None:
        return "-"
    value = float(n)
    if abs(value) < 1024:
        return f"{int(value)}B" if precise else f"{int(value)}"
    for suffix in _SUFFIXES:
        value /= 1024
        if abs(value) < 1024 or suffix == _SUFFIXES[-1]:
            if value < 10 and not float(value).is_integer():
                return f"{value:.1f}{suffix}"
            return f"{value:.0f}{suffix}"
    raise AssertionError("unreachable")


def count(n: float | None) -> str:
    """Counts stay exact below 100,000, then shrink with k/M."""
    if n is None:
        return "-"
    if abs(n) < 100_000:
        return f"{int(n)}"
    if abs(n) < 100_000_000:
        return f"{n / 1000:.0f}k"
    return f"{n / 1_000_000:.0f}M"


def duration(seconds: float | None) -> str:
    """``3d04h``, ``04:13:55``, ``12:41``: like ps etime, but days compact."""
    if seconds is None:
        return "-"
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours:02d}:{minutes:02d}:{s:02d}"
    return f"{minutes:02d}:{s:02d}"


def span(seconds: float | None) -> str:
    """``3d04h05m07s``, ``12m41s``, ``1h``: racct's cputime and wallclock, exact to the second,
    each unit named (never ``12:41``, which could be minutes or hours); zero units at the end
    are left out."""
    if seconds is None:
        return "-"
    s = max(0, int(seconds))
    parts: list[str] = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        count, s = divmod(s, size)
        if count or parts:
            parts.append(f"{count:02d}{unit}" if parts else f"{count}{unit}")
    while len(parts) > 1 and int(parts[-1][:-1]) == 0:
        parts.pop()
    return "".join(parts) or "0s"


def cputime(seconds: float | None) -> str:
    """ps(1) ``time`` style, ``M:SS.hh`` with unbounded minutes."""
    if seconds is None:
        return "-"
    minutes, secs = divmod(float(seconds), 60)
    return f"{int(minutes)}:{secs:05.2f}"


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def rate(value: float | None, unit: Unit) -> str:
    if value is None:
        return "-"
    if unit is Unit.BYTES_PER_SECOND:
        return f"{size(value)}/s"
    return f"{count(value)}/s"


def amount(resource: str, value: float | None) -> str:
    """A racct value or rule amount in the resource's unit: ``512M``, ``200%``, ``3d04h05m``."""
    if value is None:
        return "-"
    unit = RESOURCES[resource].unit
    if unit is Unit.BYTES:
        return size(value)
    if unit in (Unit.BYTES_PER_SECOND, Unit.OPS_PER_SECOND):
        return rate(value, unit)
    if unit is Unit.PERCENT:
        return f"{int(value)}%"
    if unit is Unit.SECONDS:
        return span(value)
    return count(value)
