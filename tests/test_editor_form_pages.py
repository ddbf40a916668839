"""The edit form for people (issue 13): help for every field, names instead of codes, the ordered hall list,
sections, every mistake at once, reviewers' notes by their field, no-op saves, diffs and preview views."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from content.model import field_specs
from tests.editor_support import form_of, replace, revision_of, signed_in_client, t
from tests.storage_support import transaction
from tvportal.app import create_app
from tvportal.editor import forms
from tvportal.editor.diff import changes
from tvportal.editor.views_items import help_of
from tvportal.i18n import ngettext
from tvportal.storage.tables import editor_audit


@pytest.fixture
async def ed(aiohttp_client, settings):
    """A client signed in as the editor ``ed``."""
    return await signed_in_client(aiohttp_client, settings, "ed")


async def edit_page(client, path="/editor/guide/b1") -> tuple[str, list[tuple[str, str]]]:
    """The edit page and its form fields."""
    response = await client.get(path)
    text = await response.text()
    assert response.status == 200, text[:300]
    return text, form_of(text)


def picked_halls(text: str) -> list[str]:
    """The hall codes of the ordered 办理大厅 list, in order."""
    return re.findall(r'<input type="hidden" name="hall_ids" value="([^"]+)">', text)


def all_specs(kind: str):
    """Every field of a kind, rows' fields included."""
    def walk(specs):
        for spec in specs:
            yield spec
            yield from walk(spec.fields)
    return list(walk(tuple(field_specs(kind))))


@pytest.mark.parametrize("kind", ["guide", "hall", "policy"])
def test_every_field_has_a_help_line_without_codes(kind):
    """Each field of the form has a help line, and none tells the editor to type a code like yanglao or LA-01."""
    for spec in all_specs(kind):
        text = help_of(spec)
        assert text, spec.name
        assert not re.search(r"yanglao|LA-0|booking|handling|分类编号|大厅编号", text), (spec.name, text)


async def test_pick_lists_show_names_not_codes(ed):
    """电视服务类型, 生活分类 and 办理大厅 are chosen by name; the TV's first hall is said."""
    text, fields = await edit_page(ed)
    kind_select = text[text.index('id="f-kind"'):text.index("</select>", text.index('id="f-kind"'))]
    assert f'value="booking" selected>{t("Book a visit")}<' in kind_select
    assert ">booking<" not in kind_select and ">handling<" not in kind_select
    assert re.search(r'<input type="checkbox" name="categories" value="shebao" checked> 社保</label>', text)
    assert '<input type="checkbox" name="categories" value="yanglao"> 养老</label>' in text
    assert 'name="categories" rows=' not in text  # no textarea of codes
    assert picked_halls(text) == ["LA-01", "LA-02", "LA-03", "LA-04", "LA-05"]
    assert t("The TV shows first:") + "</strong> 六安市政务服务中心" in text
    assert "LA-01" not in re.sub(r'value="[^"]*"', "", text)  # hall codes appear only as form values
    listing = await (await ed.get("/editor/guide")).text()  # the list's filters name them too
    assert f'value="booking">{t("Book a visit")}<' in listing and 'value="shebao">社保<' in listing
    assert ">booking<" not in listing and ">shebao<" not in listing


async def test_hall_order_buttons_work_without_scripts(ed):
    """Move down, remove and add are submit buttons: the form comes back in the new order, then saves it."""
    _text, fields = await edit_page(ed)
    moved = await ed.post("/editor/guide/b1", data=[*fields, ("_op", "pick-down:hall_ids.0")])
    text = await moved.text()
    assert picked_halls(text) == ["LA-02", "LA-01", "LA-03", "LA-04", "LA-05"]
    assert t("The TV shows first:") + "</strong> 金寨县政务服务中心" in text
    assert t("Not saved yet: press “Save draft” to keep these changes.") in text
    fields = form_of(text)
    removed = form_of(await (await ed.post("/editor/guide/b1", data=[*fields, ("_op", "pick-remove:hall_ids.4")]))
                      .text())
    added = await ed.post("/editor/guide/b1", data=[*replace(removed, **{"_pick.hall_ids": "LA-09"}),
                                                     ("_op", "pick-add:hall_ids")])
    text = await added.text()
    assert picked_halls(text) == ["LA-02", "LA-01", "LA-03", "LA-04", "LA-09"]
    # a hall chosen in the list but not added with its button is not lost on save
    fields = replace(form_of(text), **{"_pick.hall_ids": "LA-10"})
    saved = await ed.post("/editor/guide/b1", data=[*fields, ("_action", "save")], allow_redirects=False)
    assert saved.status == 303
    assert picked_halls((await edit_page(ed))[0]) == ["LA-02", "LA-01", "LA-03", "LA-04", "LA-09", "LA-10"]


async def test_form_is_in_sections_with_an_index(ed):
    """An index links to every section; one section is marked current (the one with the field being worked on)."""
    text, fields = await edit_page(ed)
    sections = re.findall(r'<section class="form-section( current)?" id="(sec-\d+)"', text)
    assert len(sections) == 6 and [s for s in sections if s[0]] == [(" current", "sec-1")]
    for _current, anchor in sections:
        assert f'<a href="#{anchor}">' in text
    again = await ed.post("/editor/guide/b1", data=[*fields, ("_op", "add:faqs")])
    text = await again.text()
    current = re.search(r'<section class="form-section current" id="sec-(\d+)"', text).group(1)
    assert current == "5" and 'id="sec-5-h">E 地点、时间与渠道' in text


async def test_every_mistake_at_once_linked_and_marked(ed):
    """Three mistakes: all three in the summary, each a link to its field, each field marked, no internal names."""
    _text, fields = await edit_page(ed)
    bad = replace(fields, name="", short_name="一二三四五六七八九十一二三", time_limit__promised_days="三天")
    response = await ed.post("/editor/guide/b1", data=[*bad, ("_action", "save")])
    text = await response.text()
    assert response.status == 422
    summary = text[text.index('id="error-summary"'):text.index("</div>", text.index('id="error-summary"'))]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    assert [href for href, _m in links] == ["f-name", "f-short_name", "f-time_limit-promised_days"]
    assert html.unescape(links[0][1]) == t("Please fill in “{label}”.", label="事项名称").replace("&quot;", '"')
    for href, message in links:
        assert f'id="{href}"' in text and f'id="{href}-error"' in text
        assert re.search(rf'id="{href}"[^>]*aria-invalid="true"', text)
        assert not re.search(r"（[a-z_.]+）|\([a-z_.]+\)", message)
    heading = ngettext("Not saved: %(num)d thing to put right", "Not saved: %(num)d things to put right", 3)
    assert heading % {"num": 3} in text
    assert "（summary）" not in text and "(summary)" not in text
    kept = dict(form_of(text))
    assert kept["short_name"] == "一二三四五六七八九十一二三" and kept["time_limit.promised_days"] == "三天"
    assert '<a href="#sec-1">' in text and "err-count" in text


async def test_save_without_changes_makes_no_revision(ed, settings):
    """Saving the form as it is adds no revision and no log line, and says so."""
    text, fields = await edit_page(ed)
    assert revision_of(text) == 0
    response = await ed.post("/editor/guide/b1", data=[*fields, ("_action", "save")])
    text = await response.text()
    assert revision_of(text) == 0 and t("Nothing was changed, so no new revision was saved.") in text
    with transaction(settings) as conn:
        saves = conn.execute(select(func.count()).select_from(editor_audit)
                             .where(editor_audit.c.action == "save")).scalar_one()
    assert saves == 0


async def test_preview_views(ed):
    """The preview renders the draft for normal, large text, high contrast and SD boxes; no cookie is set."""
    text, fields = await edit_page(ed)
    assert 'name="_view" value="sd"' in text and 'form="edit-form"' in text
    seen = {}
    for view in ("normal", "large", "contrast", "sd"):
        response = await ed.post("/editor/preview/guide/b1?format=json", data=[*fields, ("_view", view)])
        body = await response.json()
        assert response.status == 200 and body["view"] == view and not body["error"]
        assert "tvsize" not in response.cookies and "tvprefs" not in response.cookies
        seen[view] = re.search(r'<html lang="zh-CN" class="([^"]*)"', body["html"]).group(1).split()
    assert "z-hd" in seen["normal"] and not {"lt", "hc", "sd"} & set(seen["normal"])
    assert "lt" in seen["large"] and "hc" in seen["contrast"]
    assert "sd" in seen["sd"]
    response = await ed.post("/editor/preview/guide/b1", data=[*fields, ("_view", "sd")])
    assert 'content="640*530"' in await response.text()


def test_diff_ignores_order_and_empty_fields():
    """Reordered materials or categories are no difference; a new material left empty neither; hall order is."""
    specs = forms.specs_of("guide")
    from content.demo_loader import load_demo
    from content.model import to_plain

    old = to_plain(next(g for g in load_demo("lu_an")["guide"] if g.id == "h1"))
    reordered = dict(old, materials=list(reversed(old["materials"])), categories=list(reversed(old["categories"])))
    assert changes(specs, old, reordered) == []
    blank = forms.empty_record(tuple(field_specs("material")))
    assert changes(specs, old, dict(old, materials=[*old["materials"], blank])) == []
    renamed = [dict(m) for m in reversed(old["materials"])]
    renamed[0]["name"] = "新材料名称"
    found = changes(specs, old, dict(old, materials=renamed))
    assert len(found) == 1 and "新材料名称" in found[0].new
    halls = changes(specs, old, dict(old, hall_ids=list(reversed(old["hall_ids"]))))
    assert [c.label for c in halls] == ["办理大厅"]


def test_review_notes_show_next_to_their_field(settings):
    """The contract with the review workflow: ``field_notes`` of the edit context appear by their field."""
    import aiohttp_jinja2

    from tvportal.editor import pickers

    env = aiohttp_jinja2.get_env(create_app(settings))
    field = forms.build_fields(forms.specs_of("guide"), {"summary": "x"})
    summary = next(f for f in field if f.name == "summary")
    template = env.from_string('{% import "editor/fields.html" as fm with context %}{{ fm.field(f, "", False) }}')
    out = template.render(f=summary, field_errors={"summary": ["太长了"]}, help_of=help_of,
                          field_notes={"summary": [{"author": "rev", "text": "请写得更短", "when": ""}]},
                          choice_name=pickers.choice_name, pick_options={}, chosen=pickers.chosen,
                          local_time=str)
    assert "审核意见" in out and "请写得更短" in out and "rev" in out and "太长了" in out
    assert 'aria-describedby="f-summary-help f-summary-error f-summary-notes"' in out
