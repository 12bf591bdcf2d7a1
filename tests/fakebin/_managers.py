"""Fake jail managers for the test-suite: bastille, iocage, appjail and pot.

The executables beside this file are thin wrappers around :func:`main`. Each does what the
manager's own source does on start, stop and restart (creating and removing the jail through
the fake jail(8) with the manager's config file, adding and removing the jail's rctl rules) and
the limits commands jailtui persists rules with. The sources are cited beside each behaviour:
BastilleBSD/bastille, iocage/iocage, DtxdF/AppJail, bsdpot/pot. Host files (the managers'
settings and jail directories) live under $JAILTUI_FAKE_ROOT like every fake host file.
"""

from __future__ import annotations

import json
import re

from _freebsd import (Exit, JailRun, Tool, config_params, create_jail, jail_from_config,
                      jail_lookup, read_host_file, remove_jail, rctl_in_state, sh_assignments,
                      state_path, stored_rules, transaction, write_host_file)
from _freebsd import main as freebsd_main


def _running(state: dict, name: str) -> bool:
    return jail_lookup(state, name)[0] is not None


def _lines(path: str) -> list[str]:
    return [line for line in (read_host_file(path) or "").splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# bastille (usr/local/bin/bastille, usr/local/share/bastille/*.sh)


def _bastille_jailsdir() -> str:
    """bastille.conf: bastille_jailsdir, by default ${bastille_prefix}/jails."""
    conf = sh_assignments(read_host_file("/usr/local/etc/bastille/bastille.conf") or "",
                          {"bastille_prefix": "/usr/local/bastille"})
    return conf.get("bastille_jailsdir") or f"{conf['bastille_prefix']}/jails"


def bastille_main(tool: Tool, args: list[str]) -> int:
    args = [a for a in args if a not in ("-v", "--verbose")]
    if len(args) < 2 or args[0] not in ("start", "stop", "restart", "limits"):
        tool.err.write("Usage: bastille [option(s)] command [option(s)] TARGET ARGS\n")
        return 1
    command, name, rest = args[0], args[1], args[2:]
    jailsdir = _bastille_jailsdir()
    with transaction(state_path()) as state:
        if command == "limits" and _racct(state) != "1":
            # limits.sh: checked before the target.
            tool.err.write("[ERROR]: Racct not enabled. Append 'kern.racct.enable=1' to "
                           "/boot/loader.conf and reboot\n")
            return 1
        # lib/target.sh set_target: error_exit for a jail that has no directory.
        if read_host_file(f"{jailsdir}/{name}/jail.conf") is None:
            tool.err.write(f"[ERROR]: Jail not found: {name}\n")
            return 1
        if command in ("stop", "restart"):
            _bastille_stop(tool, state, jailsdir, name)
        if command in ("start", "restart"):
            _bastille_start(tool, state, jailsdir, name)
        if command == "limits":
            _bastille_limits(tool, state, jailsdir, name, rest)
    return 0


def _racct(state: dict) -> str:
    return "1" if state.get("racct", "enabled") == "enabled" else "0"


def _bastille_start(tool: Tool, state: dict, jailsdir: str, name: str) -> None:
    """start.sh: ``jail -f jails/NAME/jail.conf -c NAME``, then ``rctl -a`` each line of
    jails/NAME/rctl.conf; a running jail is reported with error_continue (exit 0)."""
    tool.print(f"\n[{name}]:\n")
    if _running(state, name):
        tool.err.write("Jail is already running.\n")
        return
    conf = f"{jailsdir}/{name}/jail.conf"
    try:
        jail_from_config(Tool("jail", tool.out, tool.err), state, conf, True, False, [name],
                         JailRun())
    except Exit:
        pass
    for rule in _lines(f"{jailsdir}/{name}/rctl.conf"):
        rctl_in_state(Tool("rctl", tool.out, tool.err), state, "a", rule)


def _bastille_stop(tool: Tool, state: dict, jailsdir: str, name: str) -> None:
    """stop.sh: ``bastille limits NAME clear`` (``rctl -r`` each line of rctl.conf, errors
    hidden), then ``jail -f jails/NAME/jail.conf -r NAME``."""
    tool.print(f"\n[{name}]:\n")
    if not _running(state, name):
        tool.err.write("Jail is already stopped.\n")
        return
    rules = _lines(f"{jailsdir}/{name}/rctl.conf")
    if rules:
        tool.print(f"\n[{name}]:\n")
        for rule in rules:
            rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", rule)
        tool.print("RCTL limits cleared.\n")
    try:
        jail_from_config(Tool("jail", tool.out, tool.err), state, f"{jailsdir}/{name}/jail.conf",
                         False, True, [name], JailRun())
    except Exit:
        pass


def _bastille_limits(tool: Tool, state: dict, jailsdir: str, name: str, rest: list[str]) -> None:
    """limits.sh add/remove/clear/list. ``add RES VALUE`` appends
    ``jail:NAME:RES:deny=VALUE/jail`` to rctl.conf unless a deny line for RES is there (its
    sed then looks for ``jail: NAME`` with a space and changes nothing), and ``rctl -a`` it;
    ``remove RES`` runs ``rctl -r`` on the deny and log lines and deletes every line holding
    ``NAME:RES``. A stopped jail: error_continue, nothing done, exit 0."""
    action = rest[0] if rest else ""
    if action not in ("add", "remove", "clear", "list", "show"):
        action, rest = "add", ["add", *rest]
    if not _running(state, name):
        tool.err.write("Jail is not running.\nUse [-a|--auto] to auto-start the jail.\n")
        return
    tool.print(f"\n[{name}]:\n")
    path = f"{jailsdir}/{name}/rctl.conf"
    lines = _lines(path)
    if action == "add" and len(rest) == 3:
        option, value = rest[1], rest[2]
        rule = f"jail:{name}:{option}:deny={value}/jail"
        if not any(f"jail:{name}:{option}:deny" in line for line in lines):
            write_host_file(path, "".join(line + "\n" for line in [*lines, rule]))
        tool.print(f"{option} {value}\n")
        rctl_in_state(Tool("rctl", tool.out, tool.err), state, "a", rule)
    elif action == "remove" and len(rest) == 2:
        option = rest[1]
        for rule in [line for line in lines if f"jail:{name}:{option}:" in line]:
            rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", rule)
        write_host_file(path, "".join(line + "\n" for line in lines
                                      if not re.search(f".*{name}:{option}.*", line)))
    elif action == "clear":
        for rule in lines:
            rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", rule)
        tool.print("RCTL limits cleared.\n")
    elif action in ("list", "show"):
        tool.print("".join(line + "\n" for line in lines))


class _Null:
    """2>/dev/null."""

    def write(self, text: str) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# iocage (iocage_lib/ioc_start.py, ioc_stop.py, ioc_json.py, iocage_cli/*.py)

IOCAGE_RCTL = ("cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked",
               "maxproc", "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr",
               "msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop", "nshm", "shmsize",
               "wallclock", "pcpu", "readbps", "writebps", "readiops", "writeiops")


def iocage_main(tool: Tool, args: list[str]) -> int:
    if len(args) < 2 or args[0] not in ("start", "stop", "restart", "set"):
        tool.err.write("Usage: iocage [OPTIONS] COMMAND [ARGS]...\n")
        return 2
    command, handle = args[0], args[-1]
    with transaction(state_path()) as state:
        iocroot = state.get("iocroot", "/zroot/iocage")
        path = f"{iocroot}/jails/{handle}/config.json"
        text = read_host_file(path)
        if text is None:
            tool.err.write(f"jail '{handle}' not found!\n")  # iocage.py
            return 1
        conf = json.loads(text)
        uuid = handle.replace(".", "_")  # ioc_start.py / ioc_stop.py
        kernel = f"ioc-{uuid}"
        if command == "set":
            return _iocage_set(tool, state, path, conf, kernel, args[1:-1])
        if command in ("stop", "restart"):
            _iocage_stop(tool, state, kernel, uuid)
        if command in ("start", "restart"):
            return _iocage_start(tool, state, iocroot, handle, kernel, uuid, conf)
    return 0


def _iocage_rules_exist(state: dict, kernel: str, prop: str = "") -> bool:
    """IOCRCTL.rctl_rules_exist: ``jail:ioc-X[:prop]`` in the output of ``rctl``."""
    return any(str(rule).startswith(f"jail:{kernel}{':' + prop if prop else ''}")
               for rule in stored_rules(state))


def _iocage_stop(tool: Tool, state: dict, kernel: str, uuid: str) -> None:
    """ioc_stop.py __stop_jail__: every rule of the jail goes (``rctl -r jail:ioc-X:``), then
    ``jail -q -f /var/run/jail.ioc-X.conf -r ioc-X``."""
    if not _running(state, kernel):
        tool.print(f"{uuid} is not running!\n")
        return
    tool.print(f"* Stopping {uuid}\n")
    if _iocage_rules_exist(state, kernel):
        failed = rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", f"jail:{kernel}:")
        tool.print(f"  + {'Failed to remove' if failed else 'Successfully removed'} RCTL rules "
                   f"for {uuid}\n")
    conf = f"/var/run/jail.{kernel}.conf"
    if read_host_file(conf) is not None:
        jail_from_config(Tool("jail", _Null(), tool.err), state, conf, False, True, [kernel],
                         JailRun(verbose=-1))
    else:
        remove_jail(Tool("jail", _Null(), tool.err), state, kernel, JailRun(verbose=-1))
    tool.print("  + Removing jail process OK\n")


def _iocage_start(tool: Tool, state: dict, iocroot: str, handle: str, kernel: str, uuid: str,
                  conf: dict) -> int:
    """ioc_start.py __start_jail__: writes /var/run/jail.ioc-X.conf, ``jail -f ... -c``, then
    removes every rule of the jail and applies its rctl properties that are not ``off``."""
    if _running(state, kernel):
        tool.err.write(f"{uuid} is already running!\n")
        return 1
    tool.print(f"* Starting {uuid}\n")
    runtime = f"/var/run/jail.{kernel}.conf"
    write_host_file(runtime, f"{kernel} {{\n    path = {iocroot}/jails/{handle}/root;\n}}\n")
    params = config_params(state, kernel) or {
        "host.hostname": conf.get("host_hostname", uuid),
        "path": f"{iocroot}/jails/{handle}/root",
        "ip4.addr": [item.split("|")[-1].split("/")[0]
                     for item in str(conf.get("ip4_addr", "none")).split(",")
                     if item not in ("none", "", "DHCP")]}
    if not create_jail(Tool("jail", _Null(), tool.err), state, kernel, JailRun(verbose=-1),
                       params):
        return 1
    tool.print("  + Started OK\n")
    props = [key for key in IOCAGE_RCTL if conf.get(key, "off") != "off"]
    if props:
        if _iocage_rules_exist(state, kernel):
            rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", f"jail:{kernel}:")
        tool.print("  + Setting RCTL props\n")
        for key in props:
            rctl_in_state(Tool("rctl", _Null(), _Null()), state, "a",
                          f"jail:{kernel}:{key}:{conf[key]}")
    return 0


def _iocage_set(tool: Tool, state: dict, path: str, conf: dict, kernel: str,
                props: list[str]) -> int:
    """iocage_cli/set.py and ioc_json.py json_set_value: the property goes to config.json and,
    for an rctl resource of a running jail, ``rctl -a jail:ioc-X:KEY:VALUE`` (``off``:
    ``rctl -r jail:ioc-X:KEY``); a value must be ``off`` or ``action=amount``
    (IOCRCTL.validate_rctl_props)."""
    for prop in props:
        key, _, value = prop.partition("=")
        if key in IOCAGE_RCTL and value != "off" and not re.fullmatch(
                r"(?:deny|log|devctl|sig\w*|throttle)=\d+(?:b|k|m|g|t|p|)", value, re.I):
            tool.err.write(f"Please supply a valid value for rctl property {key} following "
                           'format "action=amount" or "off" where valid actions are '
                           '"deny|log|devctl|sig*|throttle"\n')
            return 1
        old = conf.get(key, "off")
        conf[key] = value
        write_host_file(path, json.dumps(conf, indent=4, sort_keys=True) + "\n")
        tool.print(f"{key}: {old} -> {value}\n")
        if key in IOCAGE_RCTL and _running(state, kernel):
            if value != "off":
                rctl_in_state(Tool("rctl", _Null(), _Null()), state, "a",
                              f"jail:{kernel}:{key}:{value}")
            elif _iocage_rules_exist(state, kernel, key):
                rctl_in_state(Tool("rctl", _Null(), _Null()), state, "r", f"jail:{kernel}:{key}")
    return 0


# ---------------------------------------------------------------------------------------------
# appjail (share/appjail/cmd/start, stop, restart, limits; files/default.conf)


def _appjail_jaildir() -> str:
    conf = sh_assignments(read_host_file("/usr/local/etc/appjail/appjail.conf") or "")
    datadir = conf.get("DATADIR") or f"{conf.get('PREFIX') or '/usr/local'}/appjail"
    return conf.get("JAILDIR") or f"{datadir}/jails"


def appjail_main(tool: Tool, args: list[str]) -> int:
    if len(args) != 2 or args[0] not in ("start", "stop", "restart"):
        tool.err.write("usage: appjail [start|stop|restart] <jail>\n")
        return 64  # EX_USAGE
    command, name = args
    jail_path = f"{_appjail_jaildir()}/{name}"
    conf = f"{jail_path}/conf/jail.conf"
    if read_host_file(conf) is None:
        tool.err.write(f"[ error ] Cannot find the jail `{name}`\n")
        return 66  # EX_NOINPUT
    hooks = read_host_file(conf) or ""
    rules = _lines(f"{jail_path}/conf/boot/rctl.conf")
    with transaction(state_path()) as state:
        if command in ("stop", "restart"):
            if not _running(state, name):
                tool.err.write(f"[ warn  ] {name} is not running.\n")
            else:
                # cmd/stop: jail -r -f conf/jail.conf NAME; exec.poststop (set by cmd/quick
                # with limits) runs "appjail limits off NAME": rctl -r each boot/rctl.conf line.
                jail_from_config(Tool("jail", tool.out, tool.err), state, conf, False, True,
                                 [name], JailRun())
                if "appjail limits off" in hooks:
                    for rule in rules:
                        rctl_in_state(Tool("rctl", tool.out, tool.err), state, "r", rule)
        if command in ("start", "restart"):
            # cmd/start: jail -c -f conf/jail.conf NAME; exec.created "appjail limits on".
            if jail_from_config(Tool("jail", tool.out, tool.err), state, conf, True, False,
                                [name], JailRun()) != 0:
                return 1
            if "appjail limits on" in hooks:
                for rule in rules:
                    rctl_in_state(Tool("rctl", tool.out, tool.err), state, "a", rule)
    return 0


# ---------------------------------------------------------------------------------------------
# pot (bin/pot, share/pot/start.sh, stop.sh; etc/pot/pot.default.conf)


def _pot_fs_root() -> str:
    return sh_assignments(read_host_file("/usr/local/etc/pot/pot.conf") or "",
                          {"POT_FS_ROOT": "/opt/pot"})["POT_FS_ROOT"]


def _pot_conf(path: str) -> dict:
    """common.sh _get_conf_var: ``grep ^VAR=`` with blanks and quotes removed."""
    values = {}
    for line in _lines(path):
        key, eq, value = line.partition("=")
        if eq:
            values[key] = value.translate(str.maketrans("", "", ' \t"'))
    return values


def pot_main(tool: Tool, args: list[str]) -> int:
    if not args or args[0] not in ("start", "stop"):
        tool.err.write("usage: pot [-h] [-v] command [options]\n")
        return 1
    command, rest = args[0], [a for a in args[1:] if a != "-p"]
    if len(rest) != 1:
        tool.err.write(f"pot {command} [-h] -p potname\n")
        return 1
    name = rest[0]
    fs_root = _pot_fs_root()
    values = _pot_conf(f"{fs_root}/jails/{name}/conf/pot.conf")
    if not values:
        tool.err.write(f"###>  {name} is not a valid pot\n")
        return 1
    with transaction(state_path()) as state:
        if command == "stop":
            # stop.sh: the exec.stop config goes to ``jail -f- -q -r NAME``; rctl untouched.
            if _running(state, name):
                remove_jail(Tool("jail", tool.out, tool.err), state, name, JailRun(verbose=-1),
                            "-")
            return 0
        if _running(state, name):
            tool.err.write(f"###>  pot {name} is already running\n")
            return 1
        params = config_params(state, name) or {
            "host.hostname": values.get("host.hostname", name), "path": f"{fs_root}/jails/{name}/m",
            "ip4.addr": [ip for ip in values.get("ip", "").split(",") if ip]}
        if not create_jail(Tool("jail", _Null(), tool.err), state, name, JailRun(verbose=-1),
                           params):
            return 1
        # start.sh _js_rss: pot.rss.memory becomes jail:NAME:memoryuse:deny=MEMORY.
        if values.get("pot.rss.memory"):
            rctl_in_state(Tool("rctl", tool.out, tool.err), state, "a",
                          f"jail:{name}:memoryuse:deny={values['pot.rss.memory']}")
    return 0


# ---------------------------------------------------------------------------------------------

TOOLS = {"bastille": bastille_main, "iocage": iocage_main, "appjail": appjail_main,
         "pot": pot_main}


def main(argv: list[str]) -> int:
    """Run the manager named by argv[0] and return its exit status."""
    return freebsd_main(argv, TOOLS)
