"""The jail's cpuset through cpuset_getaffinity(2): what ``cpuset -g -j JID`` reads, with no
process spawned; the kernel refuses masks smaller than its own (ERANGE)."""

from __future__ import annotations

import ctypes
import errno

from jailtui.engine.cpuset import CPU_LEVEL_WHICH, CPU_WHICH_JAIL, CpusetSyscall, count_cpus


class FakeLibc:
    """cpuset_getaffinity as the kernel answers: ERANGE for a mask smaller than its own
    (``kernel_bytes``) or larger than CPU_MAXSIZE (``max_bytes``), ESRCH for an unknown jail."""

    def __init__(self, masks: dict[int, bytes], kernel_bytes: int = 32,
                 max_bytes: int = 128) -> None:
        self.masks, self.kernel_bytes, self.max_bytes = masks, kernel_bytes, max_bytes
        self.calls: list[tuple[int, int, int, int]] = []

    def cpuset_getaffinity(self, level, which, id, size, mask) -> int:
        self.calls.append((level, which, id, size))
        err = 0
        if size < self.kernel_bytes or size > self.max_bytes:
            err = errno.ERANGE
        elif id not in self.masks:
            err = errno.ESRCH
        if err:
            ctypes.set_errno(err)
            return -1
        ctypes.memmove(mask, self.masks[id].ljust(size, b"\0"), size)
        return 0


def test_counts_the_cpus_of_the_jails_mask_like_cpuset_g_j() -> None:
    # cpuset -l 2-3 -j 5: bits 2 and 3; jail 7 runs on 0-5 and 9
    libc = FakeLibc({5: bytes([0b1100]), 7: bytes([0b111111, 0b10])}, max_bytes=32)
    syscall = CpusetSyscall(libc)
    assert syscall.jail_cpus(5) == 2
    assert [call[3] for call in libc.calls] == [128, 64, 32]
    assert libc.calls[-1][:3] == (CPU_LEVEL_WHICH, CPU_WHICH_JAIL, 5)
    assert syscall.jail_cpus(7) == 7
    assert [call[3] for call in libc.calls[3:]] == [32], "the size that worked is kept"


def test_a_gone_jail_or_a_refusal_is_unknown() -> None:
    syscall = CpusetSyscall(FakeLibc({}))
    assert syscall.jail_cpus(99) is None
    assert CpusetSyscall(FakeLibc({5: b"\1"}, kernel_bytes=256)).jail_cpus(5) is None


def test_count_cpus() -> None:
    assert count_cpus(b"\xff\x01\0\0") == 9 and count_cpus(b"") == 0


def test_the_host_fills_each_running_jails_cpus_without_a_spawn(fake_freebsd) -> None:
    jids = {jail["name"]: jail["jid"] for jail in fake_freebsd.state()["jails"]}
    libc = FakeLibc({jids["git7"]: b"\x03", jids["sto2"]: b"\x0f"})
    with_cpus = fake_freebsd.host(cpusets=CpusetSyscall(libc))
    fake_freebsd.clear_log()
    jails = {jail.name: jail for jail in with_cpus.jails()}
    spawned = fake_freebsd.invocations()
    assert (jails["git7"].cpus, jails["sto2"].cpus, jails["git6"].cpus) == (2, 4, None)
    assert jails["db1"].cpus is None and not any(call[2] is None for call in libc.calls)
    fake_freebsd.clear_log()
    fake_freebsd.host(cpusets=False).jails()
    assert spawned == fake_freebsd.invocations()
