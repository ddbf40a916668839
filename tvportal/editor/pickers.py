"""Pick-lists that show names instead of codes: 电视服务类型, 生活分类 and the ordered 办理大厅.

The stored values stay the codes the TV and the XML format use (``booking``, ``yanglao``, ``LA-02``); the
form shows and takes names.  Moving a hall up or down, adding or removing one are ordinary submit
buttons (``_op=pick-up:hall_ids.1``), so they work without JavaScript, like the row buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from multidict import MultiDictProxy

from tvportal.editor.forms import FormError
from tvportal.i18n import N_, gettext as _

CHOICE_NAMES: dict[str, dict[str, str]] = {
    "电视服务类型": {"booking": N_("Book a visit"), "handling": N_("Apply"), "query": N_("Look up"),
                 "info": N_("Read the guide only")},
}
PICK_OP = re.compile(r"^pick-(add|remove|up|down):(hall_ids|categories)(?:\.(\d{1,4}))?$")
ORDERED_PICKS = ("hall_ids",)


@dataclass(frozen=True)
class Option:
    """One choice of a pick-list: the stored code and what the editor reads."""

    code: str
    name: str
    known: bool = True  # False: the value names nothing that exists (kept, and marked)


def choice_name(label: str, choice: str) -> str:
    """What an enum choice is called on the form (the choice itself when it is already words)."""
    names = CHOICE_NAMES.get(label, {})
    return _(names[choice]) if choice in names else choice


def options(snapshot: Any) -> dict[str, list[Option]]:
    """The named choices of each pick-list field, from the published content."""
    halls = sorted(snapshot.halls, key=lambda h: (h.county_code, h.id))
    return {
        "categories": [Option(c.id, c.name) for c in snapshot.categories],
        "hall_ids": [Option(h.id, _("{name} ({county})").format(name=h.name, county=h.county)) for h in halls],
    }


def chosen(all_options: list[Option], values: Any) -> list[Option]:
    """The chosen values in their order, named; an unknown code is kept so nothing typed is lost."""
    by_code = {o.code: o for o in all_options}
    values = values if isinstance(values, (list, tuple)) else [v for v in str(values or "").splitlines() if v]
    return [by_code.get(str(v)) or Option(str(v), _("Unknown: {code}").format(code=v), False) for v in values]


def take_pending(data: dict[str, Any], form: MultiDictProxy) -> None:
    """A hall chosen in "add a hall" but not added with its button is added on save, not lost."""
    for name in ORDERED_PICKS:
        picked = str(form.get("_pick." + name, "")).strip()
        if picked and picked not in (data.get(name) or []):
            data[name] = [*(data.get(name) or []), picked]


def apply_pick_op(data: dict[str, Any], op: str, form: MultiDictProxy) -> str:
    """Apply an add/remove/up/down button of a pick-list to the parsed form; return the path to focus."""
    match = PICK_OP.match(op)
    if not match:
        raise FormError(op)
    verb, name, index = match.group(1), match.group(2), match.group(3)
    values = list(data.get(name) or [])
    if verb == "add":
        picked = str(form.get("_pick." + name, "")).strip()
        if picked and picked not in values:
            values.append(picked)
        data[name] = values
        return name
    if index is None or int(index) >= len(values):
        raise FormError(op)
    i = int(index)
    if verb == "remove":
        values.pop(i)
    else:
        target = i - 1 if verb == "up" else i + 1
        if 0 <= target < len(values):
            values[i], values[target] = values[target], values[i]
    data[name] = values
    return name
