"""The config file: ``$XDG_CONFIG_HOME/jailtui/config.toml`` (``~/.config/jailtui/config.toml``).

Read with :mod:`tomllib`. Every key is optional; the command line overrides the file, the file
overrides the built-in defaults. A bad file never stops jailtui: each problem becomes one line
naming the file, the line and the key, and the setting keeps its default.

```toml
interval = 1.0                  # refresh interval of the dashboard, seconds
sort = "cpu"                    # default sort of the jail list: a column key
sort_reverse = true             # descending (busiest first)
columns = ["jid", "name", "state", "ip", "nproc", "cpu", "rss", "limits"]
theme = "ansi-dark"             # a Textual theme; ansi-dark keeps the terminal's 16 colours
read_only = false
rctl_conf = "/etc/rctl.conf"
audit_log = "/var/log/jailtui-audit.log"
jail_conf = "/etc/jail.conf"    # default: rc.conf's jail_conf, then /etc/jail.conf
control = "service"             # or "jail"
timeout = 10.0                  # seconds for each host command
```
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .engine.vis import vis

#: A config file larger than this is not read (it is not a jailtui config).
MAX_BYTES = 256 * 1024
SORT_KEYS = ("jid", "name", "state", "hostname", "ip", "nproc", "nthr", "cpu", "rss", "vsz",
             "files", "read", "write", "limits", "manager")
CONTROLS = ("service", "jail")


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings; ``origin`` says where each non-default one came from."""

    interval: float = 2.0
    sort: str = "cpu"
    sort_reverse: bool = True
    columns: tuple[str, ...] = ()
    theme: str = ""
    read_only: bool = False
    rctl_conf: Path = Path("/etc/rctl.conf")
    audit_log: Path | None = None
    jail_conf: str = ""
    control: str = "service"
    timeout: float = 10.0
    origin: Mapping[str, str] = field(default_factory=dict, compare=False)

    def as_toml(self) -> str:
        """The settings as a config file would write them, each with where it came from."""
        lines = []
        for f in fields(self):
            if f.name == "origin":
                continue
            value = getattr(self, f.name)
            where = self.origin.get(f.name, "default")
            if value is None or value == "" or value == ():
                lines.append(f"# {f.name} = (unset)  # {where}")
                continue
            lines.append(f"{f.name} = {_toml_value(value)}  # {where}")
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "jailtui" / "config.toml"


@dataclass(frozen=True, slots=True)
class Loaded:
    """Settings read from ``path`` and the problems met (each one line)."""

    settings: Settings
    path: Path
    problems: tuple[str, ...] = ()
    found: bool = False


def load(path: Path | None = None) -> Loaded:
    """Read the config file; a missing file is no problem, a bad one gives defaults."""
    path = path or default_path()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return Loaded(Settings(), path, (f"{path}: not a regular file; using defaults",))
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return Loaded(Settings(), path)
    except OSError as exc:
        return Loaded(Settings(), path, (f"{path}: cannot read: {exc.strerror or exc}; "
                                         "using defaults",))
    if len(data) > MAX_BYTES:
        return Loaded(Settings(), path, (f"{path}: larger than {MAX_BYTES // 1024} KiB; "
                                         "using defaults",), True)
    text = data.decode("utf-8", errors="replace")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Loaded(Settings(), path, (f"{path}: {vis(exc)}; using defaults",), True)
    settings, problems = settings_from(table, lambda key: f"{path}:{_line_of(text, key)}")
    return Loaded(settings, path, tuple(problems), True)


def location(path: Path, key: str) -> str:
    """``PATH:LINE`` of ``key`` in the config file (line 1 when it cannot be found)."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        text = ""
    return f"{path}:{_line_of(text, key)}"


def _line_of(text: str, key: str) -> int:
    """The line where ``key`` is set (1 when it cannot be found)."""
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def settings_from(table: Mapping[str, Any], where: Any = lambda key: "config") -> \
        tuple[Settings, list[str]]:
    """Settings from a parsed table; each bad or unknown key is a problem and keeps its default."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    known = {f.name for f in fields(Settings)} - {"origin"}
    for key, value in table.items():
        if key not in known:
            problems.append(f"{where(key)}: unknown key '{vis(key)}' (known: "
                            f"{', '.join(sorted(known))})")
            continue
        try:
            values[key] = _CHECKS[key](value)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where(key)}: {key}: {vis(exc)}; using the default")
    origin = dict.fromkeys(values, "config file")
    return replace(Settings(), **values, origin=origin), problems


def _number(low: float, high: float) -> Any:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low:g}..{high:g}")
        return float(value)
    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("expected a non-empty string")
    return value


def _choice(choices: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        text = _string(value)
        if text not in choices:
            raise ValueError(f"'{vis(text)}' is not one of {', '.join(choices)}")
        return text
    return check


def _columns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("expected a list of column names")
    unknown = [item for item in value if item not in SORT_KEYS]
    if unknown:
        raise ValueError(f"unknown column {', '.join(map(vis, unknown))} (known: "
                         f"{', '.join(SORT_KEYS)})")
    if "name" not in value:
        raise ValueError("the list must hold 'name'")
    return tuple(dict.fromkeys(value))


_CHECKS: dict[str, Any] = {
    "interval": _number(0.5, 60.0),
    "sort": _choice(SORT_KEYS),
    "sort_reverse": _boolean,
    "columns": _columns,
    "theme": _string,
    "read_only": _boolean,
    "rctl_conf": lambda value: Path(_string(value)),
    "audit_log": lambda value: Path(_string(value)),
    "jail_conf": _string,
    "control": _choice(CONTROLS),
    "timeout": _number(0.5, 3600.0),
}
