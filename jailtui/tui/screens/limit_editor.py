"""The limit editor: one rctl rule for a jail, picked from lists and checked as you type.

Every keystroke goes through the engine's validator (:func:`~jailtui.engine.rctl.parse_rule`),
so the form accepts exactly what ``jailtui limits add`` accepts, and shows the rule it will set
and, from the kernel's rules (:mod:`~jailtui.engine.kernel_rules`), which live rules it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ...engine import kernel_rules, units
from ...engine.deny import below_use
from ...engine.errors import RuleError
from ...engine.model import Rule, Usage
from ...engine.sampler import Snapshot
from ...engine.rctl import RESOURCES, SUBJECTS, Resource, Unit, allowed_actions, parse_amount, \
    parse_rule
from ...literal import literal, visible
from .dialog import Dialog

UNIT_NAMES: dict[Unit, str] = {
    Unit.SECONDS: "seconds", Unit.BYTES: "bytes", Unit.COUNT: "count",
    Unit.PERCENT: "% of one core", Unit.BYTES_PER_SECOND: "bytes/s",
    Unit.OPS_PER_SECOND: "ops/s",
}
EXAMPLES: dict[Unit, str] = {
    Unit.SECONDS: "3600", Unit.BYTES: "512m", Unit.COUNT: "100", Unit.PERCENT: "50",
    Unit.BYTES_PER_SECOND: "10m", Unit.OPS_PER_SECOND: "1000",
}
SIZE_STEPS = (("e", 60), ("p", 50), ("t", 40), ("g", 30), ("m", 20), ("k", 10))
PER_ORDER = ("jail", *(s for s in SUBJECTS if s != "jail"))


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """What the form asks for: a validated rule, and whether rctl.conf gets it too."""

    rule: Rule
    persist: bool


def resource_label(res: Resource, usage: Usage | None) -> str:
    """``memoryuse — resident set size, bytes — now 412M``."""
    now = f" — now {units.amount(res.name, usage[res.name])}" if usage is not None else ""
    return f"{res.name} — {res.description}, {UNIT_NAMES[res.unit]}{now}"


def unit_hint(res: Resource) -> str:
    if res.takes_size_suffix:
        return f"{UNIT_NAMES[res.unit]}: suffixes k m g t (powers of 1024), e.g. " \
               f"{EXAMPLES[res.unit]}"
    return f"{UNIT_NAMES[res.unit]}, a plain number, e.g. {EXAMPLES[res.unit]}"


def amount_text(resource: str, amount: int) -> str:
    """The shortest way to type ``amount``: ``1g`` for 1073741824 bytes."""
    if RESOURCES[resource].takes_size_suffix and amount:
        for suffix, shift in SIZE_STEPS:
            if amount % (1 << shift) == 0:
                return f"{amount >> shift}{suffix}"
    return str(amount)


def rule_text(jail: str, resource: str, action: str, amount: str, per: str) -> str:
    text = f"jail:{jail}:{resource}:{action}={amount}"
    return text if per == "jail" else f"{text}/{per}"


def check(jail: str, resource: str, action: str, amount: str, per: str) -> Rule:
    """The rule the form describes; RuleError with the engine's message when it is invalid."""
    text = rule_text(jail, resource, action, amount, per)
    parse_amount(text, amount.strip(), RESOURCES[resource])
    return parse_rule(text)


class MarkedCheckbox(Checkbox):
    """A checkbox whose state reads without colour: ``[x]`` or ``[ ]``."""

    DEFAULT_CSS = """
    MarkedCheckbox > .toggle--button, MarkedCheckbox.-on > .toggle--button {
        color: $foreground;
        background: $surface;
        text-style: bold;
    }
    """
    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 (ToggleButton's name for the drawn state)
        return "[x]" if self.value else "[ ]"


#: The form's fields, each with a label ``ID-label`` that is reversed while it has focus.
FIELDS = ("resource", "action", "amount", "per")


class LimitEditor(Dialog[LimitRequest | None]):
    """Add a rule to jail ``jail``, or edit ``rule`` (the form starts from it, and the new rule
    replaces it). ``rules`` are the jail's live rules; None when they could not be read."""

    DEFAULT_CSS = """
    LimitEditor #form {
        grid-size: 2;
        grid-columns: 9 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
        margin-top: 1;
    }
    LimitEditor Select, LimitEditor Input {
        width: 1fr;
    }
    LimitEditor #unit {
        column-span: 2;
        padding-left: 10;
    }
    LimitEditor #persist {
        margin-top: 1;
    }
    LimitEditor #preview {
        margin-top: 1;
        height: auto;
        min-height: 2;
    }
    LimitEditor Label.-focused {
        text-style: bold reverse;
    }
    LimitEditor Select > SelectOverlay {
        max-height: 10;
    }
    """

    def __init__(self, jail: str, *, usage: Usage | None = None,
                 rules: Sequence[Rule] | None = (), conf_path: Path = Path("/etc/rctl.conf"),
                 rule: Rule | None = None, persist: bool = False,
                 manager_note: str = "") -> None:
        """``rules`` None: the live rules cannot be read; ``manager_note`` says what the
        jail's manager does to its rules on restart."""
        super().__init__()
        self.manager_note = manager_note
        self.jail = jail
        self.usage = usage
        self.rules = tuple(rules) if rules is not None else None
        self.conf_path = conf_path
        self.original = rule
        self._allowed = allowed_actions(rule.resource if rule else "memoryuse")
        self.persist = persist
        self.rule: Rule | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        start = self.original
        resource = start.resource if start else "memoryuse"
        action = start.action if start else allowed_actions(resource)[0]
        res = RESOURCES[resource]
        with Vertical(id="dialog") as box:
            box.border_title = literal(f"Edit limit {start}" if start
                                       else f"Add a limit to jail {self.jail}")
            with Grid(id="form"):
                yield Label("resource", id="resource-label")
                yield Select(self._resources(), value=resource, allow_blank=False,
                             id="resource", compact=True)
                yield Label("action", id="action-label")
                yield Select(self._actions(resource), value=action, allow_blank=False,
                             id="action", compact=True)
                yield Label("amount", id="amount-label")
                yield Input(amount_text(resource, start.amount) if start else "",
                            placeholder=EXAMPLES[res.unit], id="amount", compact=True)
                yield Static(Text(unit_hint(res)), id="unit", classes="hint")
                yield Label("per", id="per-label")
                yield Select([(s, s) for s in PER_ORDER], value=start.per if start else "jail",
                             allow_blank=False, id="per", compact=True)
            yield MarkedCheckbox(Text(f"also write to {self.conf_path}"), self.persist,
                                 id="persist", compact=True)
            if self.manager_note:
                yield Static(Text(self.manager_note, style="yellow"), id="manager-note")
            yield Static(id="preview")
            with Horizontal(classes="buttons"):
                yield Button("Apply", variant="primary", id="apply", compact=True,
                             disabled=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _resources(self) -> list[tuple[str, str]]:
        return [(resource_label(r, self.usage), r.name) for r in RESOURCES.values()]

    def show_usage(self, usage: Usage | None) -> None:
        """The jail's usage in the latest sample: the "now" figures and the warning follow it
        (the resource list is left alone while it is open)."""
        if usage == self.usage:
            return
        self.usage = usage
        select = self.query_one("#resource", Select)
        if not select.expanded:
            value = select.value
            with self.prevent(Select.Changed):
                select.set_options(self._resources())
                select.value = value
        self._validate()

    @staticmethod
    def _actions(resource: str) -> list[tuple[str, str]]:
        return [(action, action) for action in allowed_actions(resource)]

    def on_mount(self) -> None:
        self.query_one("#amount").focus()
        self._validate()

    def follow_snapshot(self, snapshot: Snapshot) -> None:
        """Follow the jail's usage in each good sample while this form is on top."""
        if not snapshot.stale and self.is_current:
            stats = snapshot.jail(self.jail)
            self.show_usage(stats.usage if stats is not None else None)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_focus(event.widget)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._show_focus(self.focused)

    def _show_focus(self, widget: Widget | None) -> None:
        """Reverse the label of the field that has focus: a compact field shows its focus
        by a shade only, which 16 colours or NO_COLOR may not show."""
        field = next((node.id for node in (widget.ancestors_with_self if widget else ())
                      if node.id in FIELDS), None)
        for name in FIELDS:
            self.query_one(f"#{name}-label", Label).set_class(name == field, "-focused")

    # -- reading the form ------------------------------------------------------------------

    def _value(self, id: str) -> str:
        value = self.query_one(f"#{id}", Select).value
        return value if isinstance(value, str) else ""

    @property
    def amount(self) -> str:
        return self.query_one("#amount", Input).value

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "resource" and isinstance(event.value, str):
            self._resource_changed(event.value)
            self.query_one("#amount").focus()
        self._validate()

    def _resource_changed(self, resource: str) -> None:
        allowed = allowed_actions(resource)
        if allowed != self._allowed:
            self._allowed = allowed
            actions = self.query_one("#action", Select)
            previous = actions.value
            actions.set_options(self._actions(resource))
            if previous in allowed:
                actions.value = previous
        res = RESOURCES[resource]
        self.query_one("#amount", Input).placeholder = EXAMPLES[res.unit]
        self.query_one("#unit", Static).update(Text(unit_hint(res)))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._validate()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.persist = event.value

    def _validate(self) -> None:
        """Check the form with the engine's validator and show the rule, or why not."""
        resource, action, per = self._value("resource"), self._value("action"), self._value("per")
        preview = self.query_one("#preview", Static)
        self.rule, self.error = None, None
        if not self.amount.strip():
            preview.update(Text(f"type an amount, e.g. {EXAMPLES[RESOURCES[resource].unit]}",
                                style="dim"))
        else:
            try:
                self.rule = check(self.jail, resource, action, self.amount, per)
            except RuleError as exc:
                self.error = str(exc)
                preview.update(literal(self.error, "bold red"))
            else:
                preview.update(self._rule_text(self.rule))
        self.query_one("#apply", Button).disabled = self.rule is None

    def _rule_text(self, rule: Rule) -> Text:
        text = Text.assemble(("rule  ", "dim"), (str(rule), "bold green"),
                             (f"  ({units.amount(rule.resource, rule.amount)})", "dim"))
        warning = below_use(rule, self.usage)
        if warning is not None:
            text.append(f"\n! {warning}", style="bold yellow")
        if self.rules is None:
            text.append("\nthe live rules cannot be read: what it replaces is unknown",
                        style="yellow")
            return text
        replaced = list(kernel_rules.displaced(self.rules, rule))
        if self.original in self.rules and self.original != rule \
                and self.original not in replaced:
            replaced.append(self.original)
        stacked = [old for old in self.rules if old not in replaced and old != rule
                   and (old.resource, old.action, old.per) == (rule.resource, rule.action,
                                                               rule.per)]
        if replaced:
            text.append(f"\nreplaces {', '.join(map(str, replaced))}", style="yellow")
        elif rule in self.rules:
            text.append("\nalready set", style="dim")
        if stacked:
            text.append(f"\nalso stays: {', '.join(map(str, stacked))} ({rule.action} rules "
                        "stack)", style="dim")
        return visible(text, multiline=True)

    # -- answering -------------------------------------------------------------------------

    def _apply(self) -> None:
        if self.rule is not None:
            self.dismiss(LimitRequest(self.rule, self.persist))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self._apply()
        else:
            self.dismiss(None)
