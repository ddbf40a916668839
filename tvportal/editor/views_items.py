"""Item lists, the edit form (save, row buttons, conflicts) and new items."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from content import store
from content.model import to_plain
from tvportal.editor import audit, forms, pickers, versions, workflow
from tvportal.editor.checks import plain_warnings
from tvportal.editor.form_errors import FieldError, form_errors
from tvportal.editor.form_help import HELP
from tvportal.editor.diff import changes, render_fields
from tvportal.editor.views_preview import VIEWS
from tvportal.editor.pages import KIND_NAMES, KIND_NOUNS, flash, page
from tvportal.editor.publishing import do_publish, ensure_baseline, kind_of, title_of
from tvportal.editor.security import client_address, requires
from tvportal.editor.views_workflow import review_context
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import DB, EDITOR_USER, PUBLISHED

PER_PAGE = 50
FILTERS = {"guide": ("kind", "categories"), "hall": ("county", "level"), "policy": ("categories", "issuer")}
SEARCHED = ("id", "name", "title", "short_name", "department", "summary", "county", "town", "address", "issuer")


def validate(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The record as the model normalises it (raises ContentError with a Chinese message)."""
    return to_plain(store.KINDS[kind].from_dict(data))


def list_rows(conn, kind: str) -> list[versions.Working]:
    """Every item of a kind: published ones in stored order with their drafts, then new drafts."""
    published = store.iter_plain(conn, kind)
    ids = {record_id for record_id, _data in published}
    drafts = versions.drafts_of(conn, kind, ids)
    rows = []
    for record_id, data in published:
        rows.append(drafts.pop(record_id, None) or versions.Working(kind, record_id, data, 0, None, "", "", True))
    rows.extend(sorted(drafts.values(), key=lambda w: w.id))
    return rows


def _values(data: dict[str, Any], name: str) -> list[str]:
    """A field's values as a list of strings (lists flattened)."""
    value = data.get(name)
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


@requires("editor")
async def item_list(request: web.Request) -> web.Response:
    """Guides, policies or halls with text search, status and field filters, 50 to a page."""
    kind = kind_of(request)
    specs = forms.specs_of(kind)
    labels = {s.name: s.label for s in specs}
    rows = await request.app[DB].read(list_rows, kind)
    query = request.query.get("q", "").strip()
    status = request.query.get("status", "")
    filters = [name for name in FILTERS[kind] if name in labels]
    named = {o.code: o.name for o in pickers.options(request.app[PUBLISHED].snapshot)["categories"]}
    options = {name: [(v, named.get(v, v) if name == "categories" else pickers.choice_name(labels[name], v))
                      for v in sorted({v for w in rows for v in _values(w.data, name)})] for name in filters}
    chosen = {name: request.query.get(name, "") for name in filters}
    if query:
        rows = [w for w in rows if any(query.lower() in str(w.data.get(f, "")).lower() for f in SEARCHED)]
    if status in ("new", "changed", "published"):
        rows = [w for w in rows if w.status == status]
    for name, value in chosen.items():
        if value:
            rows = [w for w in rows if value in _values(w.data, name)]
    try:
        page_no = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page_no = 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    page_no = min(page_no, pages)
    shown = rows[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]
    params = {k: v for k, v in {"q": query, "status": status, **chosen}.items() if v}
    return page(request, "list.html", {
        "kind": kind, "rows": shown, "count": len(rows), "query": query, "status": status, "filters": filters,
        "labels": labels, "options": options, "chosen": chosen, "page_no": page_no, "pages": pages,
        "params": params, "title_of": title_of, "noun": _(KIND_NOUNS[kind]), "title": _(KIND_NAMES[kind]),
    })


def _section_of(sections: list[tuple[str, list[forms.FormField]]], path: str) -> int:
    """The number (from 1) of the form section holding the field at ``path``; 0 when none does."""
    top = path.split(".")[0]
    for number, (_group, fields) in enumerate(sections, 1):
        if any(f.name == top for f in fields):
            return number
    return 0


def help_of(spec) -> str:
    """The help line of a field: the editor's plain wording, else the content model's."""
    return _(HELP[spec.label]) if spec.label in HELP else spec.help


async def edit_context(request: web.Request, kind: str, item_id: str, data: dict[str, Any],
                 current: versions.Working | None, errors: list[FieldError] = (), **extra: Any) -> dict[str, Any]:
    """What the edit template needs: the generated fields in sections, errors by field, pick-lists, warnings."""
    specs = forms.specs_of(kind)
    fields = forms.build_fields(specs, data)
    sections: list[tuple[str, list[forms.FormField]]] = []
    for item in fields:
        group = item.spec.group
        # "A" and "A 基本信息" are one section: the letter is the key, the longest spelling the title
        if sections and sections[-1][0].split(" ")[0] == group.split(" ")[0]:
            if len(group) > len(sections[-1][0]):
                sections[-1] = (group, sections[-1][1])
        else:
            sections.append((group, []))
        sections[-1][1].append(item)
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.name, []).append(error.message)
    section_errors = {n: 0 for n in range(1, len(sections) + 1)}
    for error in errors:
        number = _section_of(sections, error.name)
        if number:
            section_errors[number] += 1
    focus = extra.get("focus", "")
    open_section = (_section_of(sections, focus) if focus else 0) or next(
        (n for n, count in section_errors.items() if count), 1)
    found = await request.app[DB].read(versions.history, kind, item_id) if current else []
    return {
        "kind": kind, "item_id": item_id, "sections": sections, "current": current,
        "revision": current.revision if current else 0, "is_new": current is None,
        "versions": found, "errors": list(errors), "field_errors": by_field, "section_errors": section_errors,
        "open_section": open_section, "help_of": help_of, "choice_name": pickers.choice_name,
        "pick_options": pickers.options(request.app[PUBLISHED].snapshot), "chosen": pickers.chosen,
        "field_notes": {}, "preview_views": VIEWS,
        "warnings": plain_warnings(kind, data), "title_text": title_of(data), "error": "", "focus": "",
        "dirty": False, "conflict": None, "title": title_of(data) if current else _("New {noun}").format(
            noun=_(KIND_NOUNS[kind])),
        **await review_context(request, kind, item_id, current),
        **extra,
    }


@requires("editor")
async def edit(request: web.Request) -> web.Response:
    """The edit form of one item, filled from its draft (or its published record)."""
    kind, item_id = kind_of(request), request.match_info["id"]
    current = await request.app[DB].read(versions.working, kind, item_id)
    if current is None:
        raise web.HTTPNotFound()
    if current.published:
        await ensure_baseline(request, kind, item_id)  # so the history can show what was there first
    return page(request, "edit.html", await edit_context(request, kind, item_id, current.data, current))


@requires("editor")
async def new_form(request: web.Request) -> web.Response:
    """A blank form for a new item."""
    kind = kind_of(request)
    data = forms.empty_record(forms.specs_of(kind))
    return page(request, "edit.html", await edit_context(request, kind, "", data, None))


async def _row_op(request: web.Request, kind: str, item_id: str, data: dict, current, op: str,
                  form: MultiDictProxy) -> web.Response:
    """Apply an add/remove/move row button and show the form again (nothing is saved yet)."""
    try:
        if op.startswith("pick-"):
            focus = pickers.apply_pick_op(data, op, form)
        else:
            focus = forms.apply_row_op(forms.specs_of(kind), data, op)
    except forms.FormError:
        raise web.HTTPBadRequest() from None
    return page(request, "edit.html", await edit_context(request, kind, item_id, data, current, focus=focus, dirty=True))


@requires("editor")
async def create(request: web.Request) -> web.Response:
    """Create a new item as an unpublished draft."""
    kind = kind_of(request)
    form: MultiDictProxy = await form_of(request, files=True)
    data = forms.parse_form(forms.specs_of(kind), form)
    if form.get("_op"):
        return await _row_op(request, kind, "", data, None, str(form["_op"]), form)
    pickers.take_pending(data, form)
    user = request[EDITOR_USER]
    errors = form_errors(kind, data)
    if errors:
        return page(request, "edit.html", await edit_context(request, kind, "", data, None, errors, dirty=True),
                    status=422)
    normal = validate(kind, data)
    address = client_address(request)

    def create_logged(conn) -> bool:
        """The new draft and its log line, in one transaction."""
        made = versions.create_item(conn, kind, normal["id"], normal, user.name)
        if made:
            audit.record(conn, user.name, address, "create", kind, normal["id"])
            workflow.saved(conn, kind, normal["id"], 1, user.name, address)
        return made

    if normal["id"] == "new" or not await request.app[DB].write(create_logged):
        message = _("The id “{id}” is already used; choose another.").format(id=normal["id"])
        return page(request, "edit.html", await edit_context(request, kind, "", data, None, [FieldError("id", message)],
                                                             dirty=True),
                    status=409)
    flash(request, _("Created as a draft. It is not on the TV until it is published."))
    raise web.HTTPSeeOther(request.app.router["editor-edit"].url_for(kind=kind, id=normal["id"]))


@requires("editor")
async def save(request: web.Request) -> web.Response:
    """Save the form as the draft (optimistic locking), or apply a row button; optionally publish after."""
    kind, item_id = kind_of(request), request.match_info["id"]
    db = request.app[DB]
    current = await db.read(versions.working, kind, item_id)
    if current is None:
        raise web.HTTPNotFound()
    form: MultiDictProxy = await form_of(request, files=True)
    data = forms.parse_form(forms.specs_of(kind), form)
    data["id"] = item_id  # the id names the item; it is not changed by editing
    if form.get("_op"):
        return await _row_op(request, kind, item_id, data, current, str(form["_op"]), form)
    try:
        revision = int(str(form.get("_revision", "")))
    except ValueError:
        raise web.HTTPBadRequest() from None
    user = request[EDITOR_USER]
    pickers.take_pending(data, form)
    publish_after = form.get("_action") == "publish"
    if publish_after and not user.can("publisher"):
        publish_after = False
        flash(request, _("Saved as a draft only: publishing needs the role “Publisher”."), "warn")
    errors = form_errors(kind, data)
    if errors:
        return page(request, "edit.html", await edit_context(request, kind, item_id, data, current, errors,
                                                       dirty=True, revision=revision), status=422)
    normal = workflow.keep_owned_fields(kind, validate(kind, data), current.data)
    address = client_address(request)
    try:
        specs = forms.specs_of(kind)
        if forms.canonical(specs, normal) == forms.canonical(specs, current.data):
            new_revision = current.revision  # nothing changed: no new revision, nothing in the log
            if not publish_after:
                flash(request, _("Nothing was changed, so no new revision was saved."), "warn")
        else:
            new_revision = await db.write(_save_logged, kind, item_id, normal, revision, user.name, address)
            flash(request, _("Draft saved (revision {n}).").format(n=new_revision))
        if publish_after:
            await do_publish(request, kind, item_id, new_revision, str(form.get("_note", "")))
    except versions.Conflict as clash:
        theirs = clash.current
        return page(request, "edit.html", await edit_context(
            request, kind, item_id, data, theirs, dirty=True,
            conflict={"theirs": theirs, "changes": changes(forms.specs_of(kind), theirs.data, data),
                      "their_fields": render_fields(forms.specs_of(kind), theirs.data), "yours_revision": revision},
        ), status=409)
    raise web.HTTPSeeOther(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))


def _save_logged(conn, kind: str, item_id: str, data: dict, revision: int, user: str, address: str) -> int:
    """Save the draft and log it, in one transaction (raises versions.Conflict)."""
    new_revision = versions.save_draft(conn, kind, item_id, data, revision, user)
    audit.record(conn, user, address, "save", kind, item_id, f"revision {new_revision}")
    workflow.saved(conn, kind, item_id, new_revision, user, address)
    return new_revision


