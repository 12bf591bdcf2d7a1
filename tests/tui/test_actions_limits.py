"""The limit editor on the demo host: live validation through the engine, the actions offered
per resource, persisting to rctl.conf, editing, removing with confirmation, and undo."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Checkbox, Input, Select

from jailtui.engine.errors import RuleError
from jailtui.engine.rctl import RESOURCES
from jailtui.tui.screens.detail import JailDetailScreen
from jailtui.tui.screens.limit_editor import LimitEditor, check, resource_label
from jailtui.tui.widgets.detail_tables import LimitsTable

from actions_helpers import (answer, ask, audit, make_change_app, notes, open_detail, settled,
                             until_screen)
from tui_helpers import run, sample


def live(app, name: str = "www") -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(str(rule) for rule in app.host.inner.rules() if rule.subject_id == name)


async def editor(pilot, app, name: str = "www") -> LimitEditor:  # type: ignore[no-untyped-def]
    await open_detail(pilot, app, name, tab="2")
    await pilot.press("L")
    return await until_screen(pilot, app, LimitEditor)


async def edit(pilot, app, key: str) -> LimitEditor:  # type: ignore[no-untyped-def]
    """The editor opened with ``e`` on www's rule ``key`` in the Limits tab."""
    detail = await open_detail(pilot, app, "www", tab="2")
    assert detail.query_one(LimitsTable).select_key(key)
    return await ask(pilot, app, "e", LimitEditor)


async def fill(pilot, form: LimitEditor, resource: str, amount: str,  # type: ignore[no-untyped-def]
               action: str | None = None, per: str | None = None) -> None:
    form.query_one("#resource", Select).value = resource
    await pilot.pause()
    if action is not None:
        form.query_one("#action", Select).value = action
    if per is not None:
        form.query_one("#per", Select).value = per
    form.query_one("#amount", Input).value = amount
    await pilot.pause()


def preview(form: LimitEditor) -> str:
    return form.query_one("#preview").render().plain


def apply_disabled(form: LimitEditor) -> bool:
    return form.query_one("#apply", Button).disabled


def test_resource_labels_show_unit_and_usage() -> None:
    from jailtui.engine.model import Usage

    usage = Usage.from_mapping({"memoryuse": 412 * 2**20, "pcpu": 37})
    assert resource_label(RESOURCES["memoryuse"], usage) == \
        "memoryuse — resident set size, bytes — now 412M"
    assert resource_label(RESOURCES["pcpu"], None) == "pcpu — %CPU, % of one core"


def test_a_valid_rule_is_previewed_and_applied(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            assert apply_disabled(form) and "type an amount" in preview(form)
            await fill(pilot, form, "memoryuse", "768m")
            assert "rule  jail:www:memoryuse:deny=805306368  (768M)" in preview(form)
            assert "replaces jail:www:memoryuse:deny=1073741824" in preview(form)
            assert not apply_disabled(form)
            form.query_one("#amount", Input).focus()
            await answer(pilot, app, "enter")
            assert isinstance(app.screen, JailDetailScreen)
            assert "jail:www:memoryuse:deny=805306368" in live(app)
            assert "jail:www:memoryuse:deny=1073741824" not in live(app)
            assert "jail:www:memoryuse:deny=805306368 is set" in notes(app)
            assert "action=rctl-add target=jail:www:memoryuse:deny=805306368 result=ok" \
                in audit(tmp_path)
            assert not (tmp_path / "rctl.conf").exists()
            table = app.screen.query_one(LimitsTable)
            await sample(pilot, app)
            assert "jail:www:memoryuse:deny=805306368" in table.keys
    run(go())


@pytest.mark.parametrize("resource, amount", [
    ("memoryuse", "12q"), ("memoryuse", "512M/user"), ("maxproc", "10k"), ("pcpu", "50%"),
    ("cputime", "99999999999999999999"),
])
def test_invalid_amounts_show_the_engine_message(tmp_path, resource, amount) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            await fill(pilot, form, resource, amount)
            action = form.query_one("#action", Select).value
            with pytest.raises(RuleError) as exc:
                check("www", resource, action, amount, "jail")
            assert preview(form) == str(exc.value)
            assert apply_disabled(form)
            form.query_one("#amount", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is form
            await pilot.press("escape")
            await until_screen(pilot, app, JailDetailScreen)
            assert audit(tmp_path) == ""
    run(go())


def test_per_process_on_a_sloppy_resource_is_refused_live(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            await fill(pilot, form, "swapuse", "1g", per="process")
            assert "per: swapuse is not accounted per process" in preview(form)
            assert apply_disabled(form)
    run(go())


def test_the_actions_offered_follow_the_resource(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            actions = form.query_one("#action", Select)

            def offered() -> list[str]:
                return [value for _, value in actions._options]

            for resource, has, lacks in (("wallclock", "log", "deny"),
                                         ("readbps", "throttle", "deny"),
                                         ("memoryuse", "deny", "throttle"),
                                         ("pcpu", "deny", "throttle")):
                form.query_one("#resource", Select).value = resource
                await pilot.pause()
                assert has in offered() and lacks not in offered(), resource
                assert actions.value in offered()
            actions.value = "sigterm"
            form.query_one("#resource", Select).value = "nthr"
            await pilot.pause()
            assert actions.value == "sigterm"
            form.query_one("#resource", Select).value = "wallclock"
            await pilot.pause()
            assert actions.value == "sigterm"
            assert form.query_one("#amount", Input).placeholder == "3600"
    run(go())


def test_persist_writes_the_rule_to_rctl_conf(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            assert str(tmp_path / "rctl.conf") in str(form.query_one(Checkbox).label)
            await fill(pilot, form, "readbps", "20m", action="throttle")
            form.query_one(Checkbox).value = True
            await pilot.pause()
            await pilot.click("#apply")
            await settled(pilot, app)
            assert "jail:www:readbps:throttle=20971520" in live(app)
            assert (tmp_path / "rctl.conf").read_text() == "jail:www:readbps:throttle=20971520\n"
            assert f"persist={tmp_path / 'rctl.conf'}" in audit(tmp_path)
    run(go())


def test_editing_a_rule_starts_from_it(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await edit(pilot, app, "jail:www:memoryuse:deny=1073741824")
            assert form.query_one("#resource", Select).value == "memoryuse"
            assert form.query_one("#action", Select).value == "deny"
            assert form.query_one("#amount", Input).value == "1g"
            assert form.query_one("#per", Select).value == "jail"
            assert "already set" in preview(form)
            form.query_one("#amount", Input).value = "2g"
            await pilot.pause()
            await pilot.click("#apply")
            await settled(pilot, app)
            assert [r for r in live(app) if ":memoryuse:" in r] == \
                ["jail:www:memoryuse:deny=2147483648"]
    run(go())


def test_remove_a_rule_after_confirmation(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        (tmp_path / "rctl.conf").write_text("# limits\njail:www:maxproc:log=200\n")
        async with app.run_test(size=(120, 35)) as pilot:
            detail = await open_detail(pilot, app, "www", tab="2")
            table = detail.query_one(LimitsTable)
            assert table.select_key("jail:www:maxproc:log=200")
            dialog = await ask(pilot, app, "delete")
            assert dialog.text.startswith("Remove limit jail:www:maxproc:log=200 from jail www?")
            assert dialog.option_value, "rctl.conf holds the rule: removing it there is the default"
            await pilot.press("n")
            await until_screen(pilot, app, JailDetailScreen)
            assert "jail:www:maxproc:log=200" in live(app)
            await ask(pilot, app, "x")
            await answer(pilot, app, "y")
            assert "jail:www:maxproc:log=200" not in live(app)
            assert (tmp_path / "rctl.conf").read_text() == "# limits\n"
            assert "jail:www:maxproc:log=200" not in list(table.keys)
            assert "action=rctl-remove target=jail:www:maxproc:log=200/jail result=ok" \
                in audit(tmp_path)
    run(go())


def test_undo_reverts_the_last_limit_change(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            before = live(app)
            await fill(pilot, form, "pcpu", "400")
            await pilot.click("#apply")
            await settled(pilot, app)
            assert "jail:www:pcpu:deny=400" in live(app)
            assert app.screen.active_bindings["z"].enabled
            await answer(pilot, app, "z")
            assert live(app) == before
            assert "undid rctl-add jail:www:pcpu:deny=400: removed jail:www:pcpu:deny=400" \
                in notes(app)
            assert not app.screen.active_bindings["z"].enabled
            await pilot.press("z")
            await pilot.pause()
            assert "nothing to undo" in notes(app)
            assert "action=undo" in audit(tmp_path)
    run(go())


def test_the_preview_names_only_what_the_kernel_replaces(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await editor(pilot, app)
            await fill(pilot, form, "memoryuse", "100m", per="process")
            assert "rule  jail:www:memoryuse:deny=104857600/process" in preview(form)
            assert "replaces" not in preview(form), "a deny of another per stays"
            await fill(pilot, form, "maxproc", "300", action="log", per="jail")
            assert "replaces" not in preview(form)
            assert "also stays: jail:www:maxproc:log=200 (log rules stack)" in preview(form)
            await pilot.click("#apply")
            await settled(pilot, app)
            assert [r for r in live(app) if ":maxproc:" in r] == [
                "jail:www:maxproc:log=200", "jail:www:maxproc:log=300"]
            await sample(pilot, app)
            keys = list(app.screen.query_one(LimitsTable).keys)
            assert {"jail:www:maxproc:log=200", "jail:www:maxproc:log=300"} <= set(keys)
    run(go())


def test_editing_a_stacking_rule_replaces_the_one_edited(tmp_path) -> None:
    async def go() -> None:
        app = make_change_app(tmp_path)
        async with app.run_test(size=(120, 35)) as pilot:
            form = await edit(pilot, app, "jail:www:maxproc:log=200")
            form.query_one("#amount", Input).value = "300"
            await pilot.pause()
            assert "replaces jail:www:maxproc:log=200" in preview(form)
            await pilot.click("#apply")
            await settled(pilot, app)
            assert [r for r in live(app) if ":maxproc:" in r] == ["jail:www:maxproc:log=300"]
            assert "detail=replaces=jail:www:maxproc:log=200" in audit(tmp_path)
    run(go())


def test_a_half_failed_replace_offers_undo() -> None:
    from jailtui.engine.actions import PartialChange
    from jailtui.tui.changes import failure

    outcome = failure("set x", PartialChange("x is set, but y was not removed: EPERM; live now: "
                                             "x, y", "undo takes the new rule out again"))
    assert not outcome.ok
    assert outcome.message == ("x is set, but y was not removed: EPERM; live now: x, y (undo "
                               "takes the new rule out again); z undoes it")
    outcome = failure("set x", PartialChange("x is set, but y was not removed", undoable=False))
    assert outcome.message == "x is set, but y was not removed"
