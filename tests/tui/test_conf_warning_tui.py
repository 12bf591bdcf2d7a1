"""A jail.conf jail(8) cannot load is not dropped silently by the dashboard: a notification
names the file and the line, once, and the jail list still shows the jails."""

from __future__ import annotations

from jailtui.tui.app import JailtuiApp

from actions_helpers import notes
from tui_helpers import run, sample, started

CONF = "/usr/local/bastille/jails/www/jail.conf"
WARNING = (f"jail.conf: {CONF}: jail.conf line 2: a value expected, found ';': "
           f"jail(8) cannot use {CONF}")


def test_a_jail_conf_that_cannot_load_is_told_once(managed_freebsd) -> None:
    managed_freebsd.write_file(CONF, "www {\n  host.hostname = ;\n}\n")
    managed_freebsd.write_file("/etc/jail.conf.d/bad.conf", "bad { path = ; }\n")
    app = JailtuiApp(managed_freebsd.host(), autosample=False)

    async def go() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await started(pilot, app)
            await sample(pilot, app, 2)
            told = notes(app).splitlines()
            assert told.count(WARNING) == 1
            assert told.count("jail.conf: /etc/jail.conf.d/bad.conf: jail.conf line 1: a value "
                              "expected, found ';': jail(8) cannot use "
                              "/etc/jail.conf.d/bad.conf") == 1
            assert app.snapshot is not None and app.snapshot.jail("www") is not None
    run(go())
