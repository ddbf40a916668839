"""The generated forms, the field-by-field diff and the plain-language check, without the web app."""

from __future__ import annotations

import pytest
from multidict import MultiDict, MultiDictProxy

from content.demo_loader import load_demo
from content.model import Guide, to_plain
from tvportal.editor import forms, plain_language
from tvportal.editor.diff import changes, render_fields


@pytest.fixture(scope="module")
def guide_data() -> dict:
    """A demo guide as plain JSON."""
    return to_plain(next(g for g in load_demo("lu_an")["guide"] if g.id == "b1"))


def post(fields: list) -> MultiDictProxy:
    """A submitted form as aiohttp hands it to a handler."""
    return MultiDictProxy(MultiDict(fields))


def flatten(items: list[forms.FormField]) -> list[tuple[str, str]]:
    """What a browser posts for rendered fields (booleans only when ticked, rows with their markers)."""
    out: list[tuple[str, str]] = []
    for item in items:
        t = item.spec.type
        if t == "row":
            out += flatten(item.children)
        elif t == "list-of-rows":
            for i, row in enumerate(item.rows):
                out.append((f"{item.name}.{i}._row", "1"))
                out += flatten(row)
        elif t == "bool":
            if item.checked:
                out.append((item.name, "true"))
        elif t == "multi-enum":
            out += [(item.name, v) for v in item.value or ()]
        else:
            out.append((item.name, item.text))
    return out


def test_form_round_trip_gives_the_same_guide(guide_data):
    """Rendering a guide into the form and reading the form back validates to the same guide (the review
    fields are not in the form: the save keeps them from the stored draft, workflow.keep_owned_fields)."""
    specs = forms.specs_of("guide")
    parsed = forms.parse_form(specs, post(flatten(forms.build_fields(specs, guide_data))))
    assert not forms.WORKFLOW_OWNED & set(parsed)
    parsed.update({name: guide_data[name] for name in forms.WORKFLOW_OWNED})
    assert to_plain(Guide.from_dict(parsed)) == guide_data


def test_values_are_kept_as_typed():
    """A number field with letters keeps the letters for the form; blanks become empty values."""
    specs = forms.specs_of("guide")
    parsed = forms.parse_form(specs, post([("time_limit.promised_days", "abc"), ("visits_required", "")]))
    assert parsed["time_limit"]["promised_days"] == "abc"
    assert parsed["visits_required"] is None
    assert parsed["materials"] == [] and parsed["proxy_allowed"] is False


def test_row_operations(guide_data):
    """Add, move and remove rows of a repeatable field, including nested ones."""
    specs = forms.specs_of("guide")
    data = {k: v for k, v in guide_data.items()}
    data["materials"] = [dict(m) for m in guide_data["materials"]]
    count = len(data["materials"])
    assert forms.apply_row_op(specs, data, "add:materials") == f"materials.{count}"
    assert len(data["materials"]) == count + 1 and data["materials"][-1]["name"] == ""
    first, second = data["materials"][0]["name"], data["materials"][1]["name"]
    forms.apply_row_op(specs, data, "down:materials.0")
    assert [m["name"] for m in data["materials"][:2]] == [second, first]
    forms.apply_row_op(specs, data, "remove:materials.0")
    assert data["materials"][0]["name"] == first
    forms.apply_row_op(specs, data, "add:fee.items")
    assert len(data["fee"]["items"]) == 1
    for bad in ("add:name", "remove:materials.99", "add:nothing", "drop:materials.0", "remove:materials"):
        with pytest.raises(forms.FormError):
            forms.apply_row_op(specs, data, bad)


def test_diff_names_the_changed_fields(guide_data):
    """The diff lists changed fields by their Chinese labels, with the changed characters marked."""
    specs = forms.specs_of("guide")
    new = dict(guide_data, summary=guide_data["summary"] + "另外带上老花镜。")
    new["materials"] = list(guide_data["materials"]) + [dict(guide_data["materials"][0], name="户口簿")]
    found = changes(specs, guide_data, new)
    labels = [c.label for c in found]
    assert "简版说明" in labels
    summary = next(c for c in found if c.label == "简版说明")
    assert "<ins>另外带上老花镜。</ins>" in summary.new and summary.kind == "changed"
    added = [c for c in found if c.kind == "added"]
    assert any("户口簿" in c.new for c in added)
    assert changes(specs, guide_data, guide_data) == []
    assert ("事项名称", guide_data["name"]) in render_fields(specs, guide_data)


def test_diff_escapes_html():
    """Text from the content never becomes markup in the diff."""
    specs = forms.specs_of("policy")
    found = changes(specs, {"title": "a"}, {"title": "<script>x</script>"})
    assert "<script>" not in found[0].new and "&lt;script&gt;" in found[0].new


def test_plain_language_check():
    """Long sentences, jargon (longest term first) and the character budget give warnings; plain text none."""
    assert plain_language.check("带上身份证，到村里的便民服务站办。当场就能办好，不收钱。") == []
    warnings = plain_language.check("经审核符合条件的行政相对人可以申请容缺受理并在法定时限内办结相关手续以及后续事宜。", budget=30)
    kinds = [w.check for w in warnings]
    assert kinds.count("length") == 1 and kinds.count("sentence") == 1
    jargon = " ".join(w.message for w in warnings if w.check == "jargon")
    assert "容缺受理" in jargon and "“容缺”" not in jargon and "行政相对人" in jargon and "办结" in jargon
    assert plain_language.count_chars("一 二\n三") == 3
