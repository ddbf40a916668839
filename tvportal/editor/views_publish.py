"""Publishing, taking off the TV, version history with diffs, and rollback."""

from __future__ import annotations

from aiohttp import web

from content.model import ContentError
from tvportal.editor import audit, forms, versions
from tvportal.editor.diff import changes, render_fields
from tvportal.editor.pages import flash, page
from tvportal.editor.security import client_address, requires
from tvportal.editor.views_items import kind_of, publish_snapshot, title_of
from tvportal.i18n import gettext as _
from tvportal.keys import DB, EDITOR_USER


def _edit_url(request: web.Request, kind: str, item_id: str) -> str:
    """The edit page of an item."""
    return str(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))


async def do_publish(request: web.Request, kind: str, item_id: str, revision: int, note: str) -> None:
    """Publish the draft at ``revision``, swap the TV's snapshot, log it and say so (raises Conflict)."""
    user = request[EDITOR_USER]
    conn = request.app[DB]
    try:
        number = versions.publish(conn, kind, item_id, revision, user.name, note.strip()[:200])
    except versions.NothingToPublish:
        flash(request, _("Nothing to publish: the TV already shows this text."), "warn")
        return
    except ContentError as exc:
        flash(request, _("Not published: {error}").format(error=exc), "error")
        return
    await publish_snapshot(request)
    audit.record(conn, user.name, client_address(request), "publish", kind, item_id, f"version {number}")
    flash(request, _("Published as version {n}; the TV shows it now.").format(n=number))


def _revision(form) -> int:
    """The draft revision a form was made from."""
    try:
        return int(str(form.get("_revision", "")))
    except ValueError:
        raise web.HTTPBadRequest() from None


def _conflict_flash(request: web.Request, clash: versions.Conflict) -> None:
    """Say that someone else changed the item meanwhile."""
    flash(request, _("{user} changed this item meanwhile (revision {n}). Nothing was done; look at the "
                     "current text and try again.").format(user=clash.current.updated_by or "?",
                                                           n=clash.current.revision), "error")


@requires("publisher")
async def publish(request: web.Request) -> web.Response:
    """Publish the current draft."""
    kind, item_id = kind_of(request), request.match_info["id"]
    form = await request.post()
    try:
        await do_publish(request, kind, item_id, _revision(form), str(form.get("_note", "")))
    except versions.Conflict as clash:
        _conflict_flash(request, clash)
    except LookupError:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther(_edit_url(request, kind, item_id))


@requires("publisher")
async def unpublish(request: web.Request) -> web.Response:
    """Take an item off the TV (its text stays as a draft and in the versions)."""
    kind, item_id = kind_of(request), request.match_info["id"]
    form = await request.post()
    conn = request.app[DB]
    user = request[EDITOR_USER]
    try:
        versions.unpublish(conn, kind, item_id, _revision(form), user.name)
    except versions.Conflict as clash:
        _conflict_flash(request, clash)
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    except ContentError as exc:
        flash(request, _("Not taken off the TV: other items point to it. {error}").format(error=exc), "error")
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    except LookupError:
        raise web.HTTPNotFound() from None
    await publish_snapshot(request)
    audit.record(conn, user.name, client_address(request), "unpublish", kind, item_id)
    flash(request, _("Taken off the TV. The text is kept as a draft and can be published again."))
    raise web.HTTPSeeOther(_edit_url(request, kind, item_id))


def _side(conn, kind: str, item_id: str, ref: str, current: versions.Working):
    """A version number or "draft" from the query, as (label, data); None when it does not exist."""
    if ref == "draft":
        return _("Current draft (revision {n})").format(n=current.revision), current.data
    if ref.isdigit():
        found = versions.version(conn, kind, item_id, int(ref))
        if found is not None:
            return _("Version {n}").format(n=found.number), found.data
    return None


@requires("editor")
async def history(request: web.Request) -> web.Response:
    """Every version of an item, and the differences between two of them (?a=1&b=3, or b=draft)."""
    kind, item_id = kind_of(request), request.match_info["id"]
    conn = request.app[DB]
    current = versions.working(conn, kind, item_id)
    if current is None:
        raise web.HTTPNotFound()
    versions.ensure_baseline(conn, kind, item_id)
    found = versions.history(conn, kind, item_id)
    a, b = request.query.get("a", ""), request.query.get("b", "")
    if not a and not b and found:  # by default: what the draft changes, else what the last publication changed
        if current.status != "published":
            a, b = str(found[0].number), "draft"
        elif len(found) > 1:
            a, b = str(found[1].number), str(found[0].number)
    specs = forms.specs_of(kind)
    left, right = _side(conn, kind, item_id, a, current), _side(conn, kind, item_id, b, current)
    diff = None
    if left and right:
        diff = {"a": a, "b": b, "a_label": left[0], "b_label": right[0], "changes": changes(specs, left[1], right[1])}
    shown = request.query.get("show", "")
    show = None
    if shown:
        side = _side(conn, kind, item_id, shown, current)
        if side:
            show = {"label": side[0], "lines": render_fields(specs, side[1])}
    return page(request, "history.html", {
        "kind": kind, "item_id": item_id, "current": current, "versions": found, "diff": diff, "a": a, "b": b,
        "show": show, "title": _("History: {name}").format(name=title_of(current.data)),
    })


@requires("publisher")
async def rollback_confirm(request: web.Request) -> web.Response:
    """What a rollback to a version will change, with the button that does it."""
    kind, item_id = kind_of(request), request.match_info["id"]
    conn = request.app[DB]
    current = versions.working(conn, kind, item_id)
    number = request.query.get("number", "")
    old = versions.version(conn, kind, item_id, int(number)) if number.isdigit() and current else None
    if old is None:
        raise web.HTTPNotFound()
    return page(request, "rollback.html", {
        "kind": kind, "item_id": item_id, "current": current, "old": old,
        "changes": changes(forms.specs_of(kind), current.data, old.data),
        "title": _("Roll back to version {n}").format(n=old.number),
    })


@requires("publisher")
async def rollback(request: web.Request) -> web.Response:
    """Publish an old version again as a new version; an unpublished draft it replaces is kept in the log."""
    kind, item_id = kind_of(request), request.match_info["id"]
    form = await request.post()
    conn = request.app[DB]
    user = request[EDITOR_USER]
    number = str(form.get("number", ""))
    if not number.isdigit():
        raise web.HTTPBadRequest()
    try:
        new_number, replaced = versions.rollback(conn, kind, item_id, int(number), _revision(form), user.name)
    except versions.Conflict as clash:
        _conflict_flash(request, clash)
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    except LookupError:
        raise web.HTTPNotFound() from None
    except ContentError as exc:
        flash(request, _("Version {n} no longer passes the checks, so it was not restored: {error}").format(
            n=number, error=exc), "error")
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    await publish_snapshot(request)
    detail = f"version {number} -> version {new_number}"
    audit.record(conn, user.name, client_address(request), "rollback", kind, item_id, detail, kept_data=replaced)
    message = _("Rolled back: version {old} is published again as version {new}.").format(old=number, new=new_number)
    if replaced is not None:
        message += " " + _("The unpublished draft it replaced is kept in the audit log.")
    flash(request, message)
    raise web.HTTPSeeOther(_edit_url(request, kind, item_id))
