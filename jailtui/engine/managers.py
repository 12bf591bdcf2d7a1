"""Who runs a jail (bastille, iocage, appjail, pot, a jail.conf, or nobody) and how jailtui
starts, stops and restarts it: through that manager, through rc.d/jail or ``jail -f CONF``,
or not at all. Also what each manager does to a jail's rctl rules on restart.

Every fact here comes from the managers' own sources (docs/freebsd/managers.md); the files are
read through the host's Runner, never from this machine.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import JailtuiError
from .jailconf import ConfLookup, JailConf, JailConfs, parse_jail_conf, unusable
from .model import Rule
from .shvars import parse_sh_vars

BASTILLE, IOCAGE, APPJAIL, POT = "bastille", "iocage", "appjail", "pot"
JAIL_CONF, RC_CONF, NONE = "jail.conf", "rc.conf", "none"
MANAGERS = (BASTILLE, IOCAGE, APPJAIL, POT)
#: Where each manager's command is installed (its FreeBSD package puts it there).
COMMANDS = {name: f"/usr/local/bin/{name}" for name in MANAGERS}
#: bastille: usr/local/bin/bastille reads BASTILLE_CONFIG, by default this file.
BASTILLE_CONF = "/usr/local/etc/bastille/bastille.conf"
BASTILLE_PREFIX = "/usr/local/bastille"
#: appjail: share/appjail/files/config.conf sources this, then default.conf's defaults.
APPJAIL_CONF = "/usr/local/etc/appjail/appjail.conf"
#: pot: bin/pot sources etc/pot/pot.default.conf, then etc/pot/pot.conf.
POT_CONF = "/usr/local/etc/pot/pot.conf"
POT_FS_ROOT = "/opt/pot"
#: iocage keeps its jails under the mountpoint of POOL/iocage (ioc_json.py get_iocroot):
#: /POOL/iocage by default, /mnt/POOL/iocage on TrueNAS.
IOCAGE_GLOBS = ("/*/iocage/jails/*/config.json", "/mnt/*/iocage/jails/*/config.json")

#: What a forced ``jail -r`` of a jail no config names skips (usr.sbin/jail/state.c
#: start_state takes the running jail by name alone; jail.c then has no parameters for it).
SKIPPED = ("exec.prestop, exec.stop and exec.poststop, the fstab and devfs unmounts and any "
           "network teardown (interfaces, epairs, firewall tables)")


@dataclass(frozen=True, slots=True)
class Owner:
    """Who runs one jail: ``manager`` is one of MANAGERS, ``jail.conf``, ``rc.conf`` (the
    obsolete jail_NAME_rootdir variables) or ``none``;
    ``conf`` the file that configures it; ``handle`` the name its manager knows it by
    (iocage's jails are ``ioc-NAME`` in the kernel and ``NAME`` to iocage)."""

    manager: str
    conf: str = ""
    handle: str = ""
    lookup: ConfLookup | None = None
    entry: JailConf | None = None


@dataclass(frozen=True, slots=True)
class ControlPlan:
    """How ``action`` (start, stop, restart) of one jail is done: the commands in order, or
    why not. A ``forceable`` refusal (the stop of a jail made by hand) is lifted by force,
    and then skips what ``skipped`` says."""

    action: str
    jail: str
    manager: str
    commands: tuple[tuple[str, ...], ...] = ()
    refusal: str = ""
    hint: str = ""
    forceable: bool = False
    skipped: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)

    @property
    def via(self) -> str:
        """The commands as one line, for confirmations and messages."""
        return " && ".join(shlex.join(argv) for argv in self.commands)


class Refused(JailtuiError):
    """jailtui will not make a change that would skip a jail's teardown or leave it down."""


def manager_command(manager: str, action: str, handle: str) -> tuple[tuple[str, ...], ...]:
    """The manager's own commands for ``action``: bastille, iocage and appjail have start,
    stop and restart; pot has start and stop (share/pot/start.sh, stop.sh), so a restart is
    both."""
    if manager == POT:
        verbs = ("stop", "start") if action == "restart" else (action,)
        return tuple((POT, verb, "-p", handle) for verb in verbs)
    return ((manager, action, handle),)


def plan(action: str, name: str, owner: Owner, *, control: str = "service",
         installed: Callable[[str], bool] = lambda manager: True) -> ControlPlan:
    """The commands that ``action`` jail ``name`` the way its owner does it, or a refusal."""
    manager = owner.manager
    if manager in MANAGERS:
        commands = manager_command(manager, action, owner.handle or name)
        if not installed(manager):
            return ControlPlan(
                action, name, manager, commands,
                refusal=(f'jail "{name}" is run by {manager}, but {COMMANDS[manager]} is not '
                         f"installed on this host"),
                hint=f"use {' && '.join(shlex.join(argv) for argv in commands)} where "
                     f"{manager} is installed; jail -r would skip {manager}'s teardown")
        return ControlPlan(action, name, manager, commands)
    lookup = owner.lookup
    if manager == RC_CONF:
        # rc.d/jail writes the jail's config from rc.conf at each start and stop: there is no
        # file jailtui could hand jail(8) itself, whatever ``control`` says.
        return ControlPlan(action, name, manager, (("service", "jail", f"one{action}", name),))
    if manager == JAIL_CONF and lookup is not None and lookup.conf:
        if control == "service" and lookup.by_service:
            return ControlPlan(action, name, manager,
                               (("service", "jail", f"one{action}", name),))
        flag = {"start": "-c", "stop": "-r", "restart": "-rc"}[action]
        return ControlPlan(action, name, manager, (("jail", "-f", lookup.conf, flag, name),))
    if action == "stop":
        return ControlPlan(
            action, name, NONE, (("jail", "-r", name),),
            refusal=f'no jail.conf or jail manager knows jail "{name}" (made by hand): a stop '
                    f"can only remove it with jail -r, which skips {SKIPPED}",
            hint="stop it with --force to remove it anyway", forceable=True, skipped=SKIPPED)
    return ControlPlan(
        action, name, NONE,
        refusal=f'no jail.conf or jail manager knows jail "{name}" (made by hand): it cannot '
                f"be {'started' if action == 'start' else 'started again after a stop'}",
        hint="add it to /etc/jail.conf to start and restart it")


# -- finding the owners -------------------------------------------------------------------------


class Owners:
    """The jail managers' files on one host, read through ``read`` and ``glob``."""

    def __init__(self, read: Callable[[str], str | None], glob: Callable[[str], list[str]],
                 confs: JailConfs) -> None:
        self._read = read
        self._glob = glob
        self.confs = confs
        self.bastille: dict[str, str] = {}
        self.appjail: dict[str, str] = {}
        self.pot: dict[str, str] = {}
        self.iocage: dict[str, str] = {}
        #: Running jails' paths by name, as given to the last refresh.
        self.paths: dict[str, str] = {}
        self.refreshed = False
        self._problems: list[str] = []

    def refresh(self, paths: Mapping[str, str] | None = None) -> None:
        """Re-read the managers' settings and jail lists; ``paths`` are the running jails'
        paths by name (an iocage root seen there is searched too)."""
        self.refreshed = True
        self.paths = dict(paths or {})
        self._problems = []
        self.confs.refresh()
        bastille = _sh_file(self._text(BASTILLE_CONF))
        prefix = bastille.get("bastille_prefix") or BASTILLE_PREFIX
        jailsdir = bastille.get("bastille_jailsdir") or f"{prefix}/jails"
        self.bastille = self._jail_files(f"{jailsdir}/*/jail.conf", 2)
        appjail = _sh_file(self._text(APPJAIL_CONF))
        datadir = appjail.get("DATADIR") or f"{appjail.get('PREFIX') or '/usr/local'}/appjail"
        self.appjail = self._jail_files(f"{appjail.get('JAILDIR') or datadir + '/jails'}"
                                        "/*/conf/jail.conf", 3)
        fs_root = _sh_file(self._text(POT_CONF)).get("POT_FS_ROOT") or POT_FS_ROOT
        self.pot = self._jail_files(f"{fs_root}/jails/*/conf/pot.conf", 3)
        roots = {path[:path.index("/iocage/jails/")] for path in self.paths.values()
                 if "/iocage/jails/" in path}
        globs = [*IOCAGE_GLOBS, *(f"{root}/iocage/jails/*/config.json" for root in roots)]
        self.iocage = {}
        for pattern in dict.fromkeys(globs):
            self.iocage.update(self._jail_files(pattern, 2))

    @property
    def warnings(self) -> tuple[str, ...]:
        """The jail.conf files rc.d/jail or a manager would hand to jail(8) and it could not
        load, since the last refresh."""
        return tuple(dict.fromkeys([*self.confs.warnings, *self._problems]))

    def owner(self, name: str, path: str = "") -> Owner:
        """The owner of jail ``name`` (running at ``path``, when known)."""
        if name.startswith("ioc-"):
            handle = _iocage_handle(name, path, self.iocage)
            if handle is not None:
                return Owner(IOCAGE, self.iocage.get(handle, ""), handle)
        for manager, jails in ((BASTILLE, self.bastille), (APPJAIL, self.appjail),
                               (POT, self.pot)):
            if name in jails:
                return Owner(manager, jails[name], name)
        lookup = self.confs.lookup(name)
        if lookup.legacy is not None:
            return Owner(RC_CONF, "", name, lookup)
        if lookup.conf:
            return Owner(JAIL_CONF, lookup.conf, name, lookup, lookup.entry)
        return Owner(NONE, "", name, lookup)

    def configured(self) -> dict[str, tuple[Owner, dict[str, str | list[str]]]]:
        """Every jail a manager or a jail.conf knows, with its configured parameters."""
        found: dict[str, tuple[Owner, dict[str, str | list[str]]]] = {}
        for name, lookup in self.confs.defined().items():
            if lookup.entry is not None:
                found[name] = (Owner(JAIL_CONF, lookup.conf, name, lookup, lookup.entry),
                               lookup.entry.params)
        for name, legacy in self.confs.legacy().items():
            found[name] = (Owner(RC_CONF, "", name, self.confs.lookup(name)), legacy.params)
        for manager, jails, read in ((BASTILLE, self.bastille, self._conf_params),
                                     (APPJAIL, self.appjail, self._conf_params),
                                     (POT, self.pot, self._pot_params)):
            for name, path in jails.items():
                found[name] = (Owner(manager, path, name), read(name, path))
        for handle, path in self.iocage.items():
            name = "ioc-" + handle.replace(".", "_")
            found[name] = (Owner(IOCAGE, path, handle), self._iocage_params(path))
        return found

    def _text(self, path: str) -> str | None:
        try:
            return self._read(path)
        except JailtuiError:
            return None

    def _jail_files(self, pattern: str, depth: int) -> dict[str, str]:
        """Jail name (the ``depth``-th path component from the end of each match) -> match."""
        return {path.split("/")[-depth]: path for path in self._glob(pattern)}

    def _conf_params(self, name: str, path: str) -> dict[str, str | list[str]]:
        try:
            conf = parse_jail_conf(self._text(path) or "")
        except JailtuiError as exc:
            self._problems.append(unusable(path, f"{path}: {exc.message}"))
            return {}
        entry = next((e for e in conf.jails if e.name == name), None)
        return entry.params if entry is not None else {}

    def _pot_params(self, name: str, path: str) -> dict[str, str | list[str]]:
        """pot.conf as common.sh _get_conf_var reads it: ``key=value`` lines, blanks and
        quotes dropped."""
        values = {}
        for line in (self._text(path) or "").splitlines():
            key, eq, value = line.partition("=")
            if eq:
                values[key.strip()] = value.translate(str.maketrans("", "", ' \t"'))
        params: dict[str, str | list[str]] = {
            "path": f"{path.rsplit('/conf/', 1)[0]}/m", "host.hostname": values.get(
                "host.hostname", name)}
        if values.get("ip"):
            params["ip4.addr"] = values["ip"].split(",")
        return params

    def _iocage_params(self, path: str) -> dict[str, str | list[str]]:
        """iocage's config.json: host_hostname, ip4_addr/ip6_addr (``IF|ADDR/LEN,...``)."""
        try:
            conf = json.loads(self._text(path) or "{}")
        except ValueError:
            conf = {}
        if not isinstance(conf, dict):
            conf = {}
        params: dict[str, str | list[str]] = {"path": path.rsplit("/", 1)[0] + "/root"}
        for key, param in (("host_hostname", "host.hostname"), ("ip4_addr", "ip4.addr"),
                           ("ip6_addr", "ip6.addr")):
            value = conf.get(key)
            if isinstance(value, str) and value not in ("", "none"):
                params[param] = value if param == "host.hostname" else [
                    item for item in value.split(",") if "|" in item or item[:1].isdigit()]
        return params


def _sh_file(text: str | None) -> Mapping[str, str]:
    return parse_sh_vars(text or "")


def _iocage_handle(name: str, path: str, known: Mapping[str, str]) -> str | None:
    """iocage's name for kernel jail ``ioc-X`` (ioc_start.py ``name=ioc-{uuid}`` with ``.``
    turned into ``_``): the directory of its root, or a config.json it matches."""
    parts = path.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-1] == "root" and parts[-3] == "jails" and parts[-4] == "iocage":
        return parts[-2]
    return next((handle for handle in known if "ioc-" + handle.replace(".", "_") == name), None)


# -- rctl rules and managers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleKeeping:
    """How a jail's rule fares across its manager's restart: ``commands`` keep it through the
    manager (empty when the manager cannot hold this rule); ``note`` says what happens to a
    rule kept elsewhere; ``check`` is a file and a line the manager must have written."""

    manager: str
    commands: tuple[tuple[str, ...], ...] = ()
    note: str = ""
    check: tuple[str, str] | None = None


def manager_note(manager: str, name: str) -> str:
    """One line for a limit editor: what the manager does to the jail's rules on restart."""
    return {
        BASTILLE: f"bastille runs {name}: its next start re-applies jails/{name}/rctl.conf, "
                  f"replacing a deny rule of the same resource; persisting keeps a deny rule "
                  f"there (bastille limits)",
        IOCAGE: f"iocage runs {name}: iocage stop removes every rule of the jail and start "
                f"applies only its properties; persisting keeps the rule as one (iocage set)",
        APPJAIL: f"appjail runs {name}: only its own limits (appjail limits) come back after a "
                 f"restart",
        POT: f"pot runs {name}: pot start sets only memoryuse:deny (pot set-rss -M); other rules "
             f"last until reboot",
    }.get(manager, "")


def rule_keeping(owner: Owner, rule: Rule, kept: str = "") -> RuleKeeping | None:
    """How ``rule`` (on a jail ``owner`` runs) survives restarts; None for a jail no manager
    runs. ``kept`` is the manager's own record as it is now: bastille's jails/NAME/rctl.conf,
    iocage's config.json.

    bastille (limits.sh): ``limits NAME add RES AMOUNT`` writes ``jail:NAME:RES:deny=AMOUNT/jail``
    but leaves an existing deny line for RES as it was, so a change removes it first
    (``limits NAME remove RES``: its ``rctl -r`` names the old amount and spares the live
    rule); deny rules per jail only. iocage (ioc_json.py IOCRCTL): ``set RES=ACTION=AMOUNT
    NAME``, one rule per resource and per jail, so never over a property of another action.
    appjail and pot: no command jailtui uses.
    """
    manager, name = owner.manager, owner.handle or rule.subject_id
    if manager not in MANAGERS:
        return None
    note = restart_note(manager, rule, name)
    if rule.subject != "jail" or rule.per != "jail":
        return RuleKeeping(manager, note=note)
    if manager == BASTILLE and rule.action == "deny":
        add = (BASTILLE, "limits", name, "add", rule.resource, str(rule.amount))
        line = f"jail:{name}:{rule.resource}:deny={rule.amount}/jail"
        held = any(f"jail:{name}:{rule.resource}:deny" in each for each in kept.splitlines())
        remove = ((BASTILLE, "limits", name, "remove", rule.resource),) if held else ()
        path = owner.conf.rsplit("/", 1)[0] + "/rctl.conf"
        return RuleKeeping(manager, (*remove, add), note, (path, line))
    if manager == IOCAGE:
        try:
            props = json.loads(kept or "{}")
        except ValueError:
            props = {}
        current = props.get(rule.resource, "off") if isinstance(props, dict) else "off"
        if current not in ("off", "") and not str(current).startswith(f"{rule.action}="):
            return RuleKeeping(manager, note=f"iocage keeps {rule.resource}={current} for {name} "
                                             f"(one rule per resource): {note}")
        return RuleKeeping(manager, ((IOCAGE, "set", f"{rule.resource}={rule.action}="
                                      f"{rule.amount}", name),), note)
    return RuleKeeping(manager, note=note)


def removal_note(manager: str, rule: Rule, handle: str = "") -> str:
    """What brings a removed rule back: the manager's record, applied at the next start."""
    name = handle or rule.subject_id
    if manager == BASTILLE:
        return (f"bastille start re-adds the rules in jails/{name}/rctl.conf: "
                f"bastille limits {name} remove {rule.resource} drops one for good")
    if manager == IOCAGE:
        return (f"iocage start applies its {rule.resource} property again: "
                f"iocage set {rule.resource}=off {name} drops it for good")
    if manager == APPJAIL:
        return f"appjail start applies its own limits again (appjail limits list {name})"
    if manager == POT:
        return f"pot start sets memoryuse:deny again when pot set-rss -M gave one for {name}"
    return ""


def restart_note(manager: str, rule: Rule, handle: str = "") -> str:
    """What the jail's manager does to ``rule`` (kept only live or in rctl.conf) at the jail's
    next stop and start."""
    name = handle or rule.subject_id
    if manager == BASTILLE:
        return (f"bastille stop removes only the rules in jails/{name}/rctl.conf and bastille "
                f"start adds them again, replacing a deny rule of the same resource; "
                f"bastille limits {name} add RESOURCE AMOUNT keeps a deny limit")
    if manager == IOCAGE:
        return (f"iocage stop removes every rule of jail:{rule.subject_id} and iocage start "
                f"applies only its own properties: {rule} is gone after the next restart "
                f"unless set with iocage set {rule.resource}={rule.action}={rule.amount} {name}")
    if manager == APPJAIL:
        return (f"appjail applies only its own limits at start: keep the rule with appjail "
                f"limits set {name} {rule.resource}:{rule.action}={rule.amount}")
    if manager == POT:
        return (f"pot start adds only jail:{name}:memoryuse:deny from pot set-rss -M; {rule} "
                f"stays live until reboot and comes back from rctl.conf only at boot")
    return ""
