"""How the CLI writes figures: a rule near (``!``) or at (``!!``) its amount is marked in text,
not only in colour (piped output has none), and cputime and wallclock name their units."""

from __future__ import annotations

from jailtui.cli import main


def test_usage_and_top_mark_rules_near_and_at_their_amount(fake_freebsd, tmp_path,
                                                           capsys) -> None:
    state = fake_freebsd.state()
    # git7 uses 25550848 bytes: 98% of 26000000; sto2 416415744: 80% of 520519680
    state["rules"] = ["jail:git7:memoryuse:deny=26000000", "jail:sto2:memoryuse:deny=520519680",
                      "jail:git6:memoryuse:deny=1073741824"]
    fake_freebsd.set_state(state)
    (tmp_path / "jail.conf").touch()
    base = ["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf")]
    assert main([*base, "usage", "git7"]) == 0
    out = capsys.readouterr().out
    assert "!!memoryuse 24M/25M 98% deny" in out
    assert main([*base, "top", "-n", "1", "-d", "0.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = {name: next(line for line in lines if f" {name} " in line)
           for name in ("git7", "sto2", "git6")}
    assert "!!memoryuse" in row["git7"] and " !memoryuse" in row["sto2"]
    assert "!" not in row["git6"]


def test_usage_writes_cputime_and_wallclock_with_their_units(fake_freebsd, tmp_path,
                                                             capsys) -> None:
    (tmp_path / "jail.conf").touch()
    assert main(["--backend", "freebsd", "--jail-conf", str(tmp_path / "jail.conf"),
                 "usage", "git7"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # rctl -u jail:git7 gives cputime=174 and wallclock=291876 seconds
    assert next(line for line in lines if line.startswith("cputime")).split()[1:3] == [
        "2m54s", "174"]
    assert next(line for line in lines if line.startswith("wallclock")).split()[1:3] == [
        "3d09h04m36s", "291876"]
