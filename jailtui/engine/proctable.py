"""ProcessTable: the processes of one ``ps`` as columns. The figures a sample sums are converted
when it is read; a Process (with the fields that are only shown) is built when one is looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import compress
from typing import Any, NamedTuple, overload

from .model import Process


class Columns(NamedTuple):
    """What a sample needs of every process, one sequence per field, in ps order; ``rss``
    and ``vsz`` times ``unit`` are bytes (ps prints KiB)."""

    pid: Sequence[int]
    jid: Sequence[int]
    pcpu: Sequence[float]
    nlwp: Sequence[int]
    rss: Sequence[int]
    vsz: Sequence[int]
    cputime: Sequence[float]
    etime: Sequence[int]
    unit: int = 1


#: jid -> uid -> the name the jail's own passwd gives it (None: that passwd is unreadable).
Users = Mapping[int, Mapping[int, str] | None]
#: The shown part of a process as ps printed it -> ppid, user, pmem, state, command.
ReadShown = Callable[[str], tuple[int, str, float, str, str]]

_NEW = object.__new__
(_SET_PID, _SET_JID, _SET_PPID, _SET_USER, _SET_PCPU, _SET_PMEM, _SET_RSS, _SET_VSZ, _SET_NLWP,
 _SET_STATE, _SET_CPUTIME, _SET_ETIME, _SET_COMMAND, _SET_UID, _SET_START) = (
    getattr(Process, f.name).__set__ for f in fields(Process))


def jail_user(users: Users, jid: int, uid: int | None, user: str) -> str:
    """The name of a process's ``uid``: for a jailed process other than root, what its jail's
    passwd (``users``) gives, the uid's digits when it has no entry; else ``user`` as ps
    printed it (from the host's passwd), also when the jail's passwd cannot be read."""
    if not jid or not uid:
        return user
    table = users.get(jid)
    return user if table is None else table.get(uid, str(uid))


def columns(processes: Sequence[Process]) -> Columns:
    """The columns of any sequence of processes (a ProcessTable has them already)."""
    if isinstance(processes, ProcessTable):
        return processes.columns
    rows = [(p.pid, p.jid, p.pcpu, p.nlwp, p.rss, p.vsz, p.cputime, p.etime)
            for p in processes]  # one pass, then columns at C speed
    if not rows:
        return Columns([], [], [], [], [], [], [], [])
    pid, jid, pcpu, nlwp, rss, vsz, cputime, etime = zip(*rows, strict=True)
    return Columns(pid, jid, pcpu, nlwp, rss, vsz, cputime, etime)


def of_jail(processes: Sequence[Process], jid: int) -> list[Process]:
    """The processes of JID ``jid`` in their order; of a ProcessTable, only those are built."""
    if isinstance(processes, ProcessTable):
        rows = compress(range(len(processes)), map(jid.__eq__, processes.columns.jid))
        return [processes[row] for row in rows]
    return [proc for proc in processes if proc.jid == jid]


class ProcessTable(Sequence[Process]):
    """A read-only sequence of Process, equal to the tuple of the same processes.

    A jailed process with a uid other than 0 is named from ``users`` (its jail's passwd), as
    FreeBSDHost names the processes of the general reader. Safe to read from several threads:
    two threads building the same Process build equal ones.
    """

    __slots__ = ("columns", "uid", "start", "shown", "read_shown", "users", "_built")

    def __init__(self, columns: Columns, uid: Sequence[str], start: Sequence[float],
                 shown: Sequence[str], read_shown: ReadShown, users: Users | None = None) -> None:
        """``uid`` as ps printed it (digits), ``shown`` what read_shown reads when a Process
        is built: it must read every one of them."""
        self.columns = columns
        self.uid, self.start, self.shown, self.read_shown = uid, start, shown, read_shown
        self.users: Users = users or {}
        self._built: list[Process | None] = [None] * len(columns.pid)

    def named(self, users: Users) -> ProcessTable:
        """The same processes, named from ``users``."""
        return ProcessTable(self.columns, self.uid, self.start, self.shown, self.read_shown,
                            users)

    def __len__(self) -> int:
        return len(self._built)

    @overload
    def __getitem__(self, index: int) -> Process: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Process, ...]: ...

    def __getitem__(self, index: int | slice) -> Process | tuple[Process, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        proc = self._built[index]
        if proc is None:
            proc = self._built[index] = self._build(index)
        return proc

    def __iter__(self) -> Iterator[Process]:
        for index, proc in enumerate(self._built):
            yield proc if proc is not None else self[index]

    def _build(self, i: int) -> Process:
        cols = self.columns
        ppid, user, pmem, state, command = self.read_shown(self.shown[i])
        jid, uid = cols.jid[i], int(self.uid[i])
        user = jail_user(self.users, jid, uid, user)
        proc = _NEW(Process)
        _SET_PID(proc, cols.pid[i])
        _SET_JID(proc, jid)
        _SET_PPID(proc, ppid)
        _SET_USER(proc, user)
        _SET_PCPU(proc, cols.pcpu[i])
        _SET_PMEM(proc, pmem)
        _SET_RSS(proc, cols.rss[i] * cols.unit)
        _SET_VSZ(proc, cols.vsz[i] * cols.unit)
        _SET_NLWP(proc, cols.nlwp[i])
        _SET_STATE(proc, state)
        _SET_CPUTIME(proc, cols.cputime[i])
        _SET_ETIME(proc, cols.etime[i])
        _SET_COMMAND(proc, command)
        _SET_UID(proc, uid)
        _SET_START(proc, self.start[i])
        return proc

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProcessTable | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Any) -> tuple[Process, ...]:
        if isinstance(other, ProcessTable | tuple):
            return tuple(self) + tuple(other)
        return NotImplemented

    def __radd__(self, other: Any) -> tuple[Process, ...]:
        if isinstance(other, tuple):
            return other + tuple(self)
        return NotImplemented

    def __repr__(self) -> str:
        return f"ProcessTable({tuple(self)!r})"
