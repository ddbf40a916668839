"""Import (XML or JSON, all or nothing, with a dry run) and export of the published content in the editor."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from content import store
from content.model import ContentError, to_plain
from content.xml_io import apply_import, export_json, export_xml, load_existing, parse_import
from tvportal.editor import audit, versions
from tvportal.editor.pages import flash, page
from tvportal.editor.security import client_address, requires
from tvportal.editor.views_items import publish_snapshot
from tvportal.i18n import gettext as _
from tvportal.keys import DB, EDITOR_USER, PUBLISHED


@requires("editor")
async def export(request: web.Request) -> web.Response:
    """Download everything the TV shows now, as XML (default) or JSON."""
    fmt = request.query.get("format", "xml")
    if fmt not in ("xml", "json"):
        raise web.HTTPBadRequest()
    snapshot = request.app[PUBLISHED].snapshot
    body = export_xml(snapshot) if fmt == "xml" else export_json(snapshot)
    user = request[EDITOR_USER]
    await request.app[DB].write(audit.record, user.name, client_address(request), "export", detail=fmt)
    name = f"tvportal-content-{dt.date.today():%Y%m%d}.{fmt}"
    return web.Response(body=body, content_type="application/xml" if fmt == "xml" else "application/json",
                        charset="utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@requires("editor")
async def import_form(request: web.Request) -> web.Response:
    """The upload form."""
    return page(request, "import.html", {"report": None, "title": _("Import content")})


@requires("publisher")
async def import_file(request: web.Request) -> web.Response:
    """Check an uploaded file; unless it is a dry run and when it is clean, publish all of it in one transaction."""
    form = await request.post()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return page(request, "import.html", {"report": None, "error": _("Choose a file to import."),
                                             "title": _("Import content")}, status=400)
    data = upload.file.read()
    dry_run = "dry_run" in form
    db = request.app[DB]
    report = parse_import(data, existing=await db.read(load_existing))
    user = request[EDITOR_USER]
    context = {"report": report, "dry_run": dry_run, "filename": upload.filename, "title": _("Import content")}
    if dry_run or not report.ok:
        return page(request, "import.html", context, status=200 if report.ok else 422)
    replaced: list[tuple[str, str, dict]] = []

    def write(conn, records) -> None:
        """Guides, policies and halls become new versions (so they can be diffed and rolled back)."""
        for record in records:
            if record.KIND in versions.EDITABLE_KINDS:
                _number, kept = versions.record_import(conn, record.KIND, record, to_plain(record), user.name)
                if kept is not None:
                    replaced.append((record.KIND, record.id, kept))
            else:
                store.put(conn, record.KIND, record)

    address = client_address(request)

    def import_logged(conn) -> None:
        """All records and the log lines, in one transaction."""
        versions.lock(conn)
        replaced.clear()  # a write that lost a race runs again from the start
        apply_import(conn, report, write=write)
        audit.record(conn, user.name, address, "import", detail=f"{upload.filename}: {report.summary()}")
        for kind, item_id, kept in replaced:
            audit.record(conn, user.name, address, "import", kind, item_id, "replaced an unpublished draft", kept)

    try:
        await db.write(import_logged)
    except ContentError as exc:
        context["error"] = str(exc)
        return page(request, "import.html", context, status=422)
    await publish_snapshot(request)
    flash(request, _("Imported and published: {summary}").format(summary=report.summary()))
    return page(request, "import.html", {**context, "applied": True})
