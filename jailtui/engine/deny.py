"""What a deny rule set below a jail's current use does, said before it is applied.

The kernel takes a new deny rule as it comes: ``rctl -a`` never looks at the usage. What happens
to a jail already above the amount depends on the resource (docs/freebsd/deny-below-use.md):

* most resources are checked when they grow (``rctl_enforce`` in sys/kern/kern_rctl.c returns
  EDQUOT for a deny rule), so what is in use stays and every new allocation fails: a fork, a
  thread, a file descriptor, a mapping;
* ``memoryuse`` grows in page faults, not through ``racct_add``: the VM daemon
  (``vm_daemon`` in sys/vm/vm_swapout.c) deactivates the pages of a process above it until it fits;
* ``pcpu`` is a decaying rate: ``racctd`` (sys/kern/kern_racct.c) throttles the jail's
  processes while it is over the amount.

Only a rule counted against the jail as a whole (``jail:NAME:RES:deny=N``, per jail) is
compared: its amount and the jail's racct usage measure the same thing.
"""

from __future__ import annotations

from . import units
from .model import Rule, Usage
from .rctl import RESOURCES, Unit

CONSEQUENCES: dict[str, str] = {
    "memoryuse": "the VM daemon will page its memory out until it fits",
    "pcpu": "its processes will be throttled until it fits",
    "maxproc": "new processes (fork) will fail",
    "nthr": "new threads will fail",
    "openfiles": "opening files will fail",
    "pseudoterminals": "opening terminals will fail",
}
SIZE_CONSEQUENCE = "new allocations will fail"
COUNT_CONSEQUENCE = "new ones will fail"


def consequence(resource: str) -> str:
    """What the jail sees once a deny on ``resource`` is below its use."""
    if resource in CONSEQUENCES:
        return CONSEQUENCES[resource]
    return SIZE_CONSEQUENCE if RESOURCES[resource].unit is Unit.BYTES else COUNT_CONSEQUENCE


def times(used: float, amount: float) -> str:
    """``8x``, ``1.3x``: how far below ``used`` the amount is."""
    ratio = used / amount
    return f"{ratio:.1f}x" if ratio < 2 else f"{ratio:.0f}x"


def compared(rule: Rule) -> bool:
    """Whether ``rule`` is a deny counted against a jail as a whole, the one kind compared."""
    return rule.action == "deny" and rule.subject == "jail" and rule.per == "jail"


def below_use(rule: Rule, usage: Usage | None) -> str | None:
    """The warning for ``rule`` when it denies below the jail's current ``usage``, else None
    (not a deny, not counted per jail, usage unknown, or the jail fits):
    ``db uses 4.2G, this denies above 512M (8x below current use): new allocations will fail``.
    """
    if not compared(rule) or usage is None:
        return None
    used = usage[rule.resource]
    if used <= rule.amount:
        return None
    shown = units.amount(rule.resource, used)
    if rule.amount == 0:
        limit = "this denies any use"
    else:
        limit = (f"this denies above {units.amount(rule.resource, rule.amount)} "
                 f"({times(used, rule.amount)} below current use)")
    return f"{rule.subject_id} uses {shown}, {limit}: {consequence(rule.resource)}"
