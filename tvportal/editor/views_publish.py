"""Publishing, taking off the TV, version history with diffs, and rollback."""

from __future__ import annotations

from aiohttp import web

from content.model import ContentError
from tvportal.editor import audit, forms, versions
from tvportal.editor.diff import changes, render_fields
from tvportal.editor.pages import flash, page
from tvportal.editor.publishing import do_publish, ensure_baseline, kind_of, publish_snapshot, title_of
from tvportal.editor.security import client_address, requires
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import DB, EDITOR_USER


def _edit_url(request: web.Request, kind: str, item_id: str) -> str:
    """The edit page of an item."""
    return str(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))


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
    form = await form_of(request, files=True)
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
    form = await form_of(request, files=True)
    user = request[EDITOR_USER]
    address = client_address(request)

    def unpublish_logged(conn) -> None:
        """Off the TV and logged, in one transaction."""
        versions.unpublish(conn, kind, item_id, _revision(form), user.name)
        audit.record(conn, user.name, address, "unpublish", kind, item_id)

    try:
        await request.app[DB].write(unpublish_logged)
    except versions.Conflict as clash:
        _conflict_flash(request, clash)
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    except ContentError as exc:
        flash(request, _("Not taken off the TV: other items point to it. {error}").format(error=exc), "error")
        raise web.HTTPSeeOther(_edit_url(request, kind, item_id)) from None
    except LookupError:
        raise web.HTTPNotFound() from None
    await publish_snapshot(request)
    flash(request, _("Taken off the TV. The text is kept as a draft and can be published again."))
    raise web.HTTPSeeOther(_edit_url(request, kind, item_id))


def _side(found: list[versions.Version], ref: str, current: versions.Working):
    """A version number or "draft" from the query, as (label, data); None when it does not exist."""
    if ref == "draft":
        return _("Current draft (revision {n})").format(n=current.revision), current.data
    if ref.isdigit():
        for old in found:
            if old.number == int(ref):
                return _("Version {n}").format(n=old.number), old.data
    return None


@requires("editor")
async def history(request: web.Request) -> web.Response:
    """Every version of an item, and the differences between two of them (?a=1&b=3, or b=draft)."""
    kind, item_id = kind_of(request), request.match_info["id"]
    db = request.app[DB]
    current = await db.read(versions.working, kind, item_id)
    if current is None:
        raise web.HTTPNotFound()
    await ensure_baseline(request, kind, item_id)
    found = await db.read(versions.history, kind, item_id)
    a, b = request.query.get("a", ""), request.query.get("b", "")
    if not a and not b and found:  # by default: what the draft changes, else what the last publication changed
        if current.status != "published":
            a, b = str(found[0].number), "draft"
        elif len(found) > 1:
            a, b = str(found[1].number), str(found[0].number)
    specs = forms.specs_of(kind)
    left, right = _side(found, a, current), _side(found, b, current)
    diff = None
    if left and right:
        diff = {"a": a, "b": b, "a_label": left[0], "b_label": right[0], "changes": changes(specs, left[1], right[1])}
    shown = request.query.get("show", "")
    show = None
    if shown:
        side = _side(found, shown, current)
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
    db = request.app[DB]
    current = await db.read(versions.working, kind, item_id)
    number = request.query.get("number", "")
    old = await db.read(versions.version, kind, item_id, int(number)) if number.isdigit() and current else None
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
    form = await form_of(request, files=True)
    user = request[EDITOR_USER]
    number = str(form.get("number", ""))
    if not number.isdigit():
        raise web.HTTPBadRequest()
    address = client_address(request)

    def rollback_logged(conn) -> tuple[int, dict | None]:
        """The rollback and its log line (keeping a replaced draft), in one transaction."""
        new_number, replaced = versions.rollback(conn, kind, item_id, int(number), _revision(form), user.name)
        audit.record(conn, user.name, address, "rollback", kind, item_id, f"version {number} -> version {new_number}",
                     kept_data=replaced)
        return new_number, replaced

    try:
        new_number, replaced = await request.app[DB].write(rollback_logged)
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
    message = _("Rolled back: version {old} is published again as version {new}.").format(old=number, new=new_number)
    if replaced is not None:
        message += " " + _("The unpublished draft it replaced is kept in the audit log.")
    flash(request, message)
    raise web.HTTPSeeOther(_edit_url(request, kind, item_id))
