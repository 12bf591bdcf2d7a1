"""Errors the engine raises: each carries a one-line message and, where there is one, the fix."""

from __future__ import annotations

from .vis import vis

#: The most an error quotes of what it is about (a tool's output, a rule, a value).
MAX_MESSAGE = 500


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to its first and last line and ``limit`` characters, in the middle, where a
    quoted value sits: the start (what) and the end (the problem) stay readable."""
    if len(text) <= limit and text.count("\n") < 2:
        return text
    lines = text.splitlines()
    if len(lines) > 2:
        text = f"{lines[0]}\n… ({len(lines) - 2} lines) … {lines[-1]}"
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 3
    return f"{text[:head]}… ({len(text) - head - tail} characters) …{text[-tail:]}"


class JailtuiError(Exception):
    """Base of every error a user may see; ``str()`` is the one-line message, ``clip``ped."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        message, hint = clip(message), clip(hint)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(JailtuiError):
    """The request itself is malformed (bad argument, bad filter)."""

    exit_code = 2


class RuleError(UsageError):
    """An rctl rule or filter that does not follow the grammar; ``part`` names the bad field.

    The message quotes the rule through :func:`vis`, so a rule holding a newline or a terminal
    control is still one visible line."""

    def __init__(self, rule: str, part: str, problem: str, hint: str = "") -> None:
        super().__init__(vis(f"invalid rule '{rule}': {part}: {problem}"), hint)
        self.rule = rule
        self.part = part
        self.problem = problem


class UnknownJail(JailtuiError):
    """No running or configured jail has this name (or JID)."""

    def __init__(self, jail: str, hint: str = "'jailtui ls' lists the jails") -> None:
        super().__init__(f"jail \"{jail}\" not found", hint)
        self.jail = jail


class NotPermitted(JailtuiError):
    """The host refused for lack of privilege (not root, or running inside a jail)."""


class RacctUnavailable(JailtuiError):
    """RACCT is absent from the kernel or disabled; usage and limits cannot be read or set."""

    FIX = "add kern.racct.enable=1 to /boot/loader.conf and reboot"


class HostUnreachable(JailtuiError):
    """A command could not be run on the host at all (missing tool, timeout, connection lost)."""


class CommandFailed(JailtuiError):
    """A host command ran and failed; ``output`` keeps what it printed."""

    def __init__(self, message: str, argv: tuple[str, ...] = (), output: str = "",
                 hint: str = "") -> None:
        super().__init__(message, hint)
        self.argv = argv
        self.output = output


class ReadOnly(JailtuiError):
    """A change was requested while jailtui runs with --read-only."""

    def __init__(self, what: str) -> None:
        super().__init__(f"refused to {what}: jailtui is running read-only",
                         "restart without --read-only to make changes")


class ParseError(JailtuiError):
    """A host command printed something jailtui does not understand."""


class ChangeTimedOut(HostUnreachable):
    """A change command did not finish in time and was left running, not killed half-way."""

    def __init__(self, argv: tuple[str, ...], timeout: float | None) -> None:
        after = f" after {timeout:g} s" if timeout is not None else ""
        super().__init__(f"{' '.join(argv)}: no answer{after}; left running")
        self.argv = argv
        self.timeout = timeout
