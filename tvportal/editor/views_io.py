"""Import (XML or JSON, all or nothing, with a dry run) and export of the published content in the editor."""

from __future__ import annotations

import asyncio

from aiohttp import web

from content.model import ContentError
from content.xml_io import ImportReport, apply_import, export_json, export_xml, parse_import, stored_references
from tvportal.editor import audit, versions
from tvportal.editor.pages import flash, page
from tvportal.editor.security import client_address, requires
from tvportal.editor.publishing import publish_snapshot
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import CLOCK, DB, EDITOR_USER, PUBLISHED


@requires("editor")
async def export(request: web.Request) -> web.Response:
    """Download everything the TV shows now, as XML (default) or JSON."""
    fmt = request.query.get("format", "xml")
    if fmt not in ("xml", "json"):
        raise web.HTTPBadRequest()
    snapshot = request.app[PUBLISHED].snapshot
    body = export_xml(snapshot) if fmt == "xml" else export_json(snapshot)
    user = request[EDITOR_USER]
    address = client_address(request)
    await request.app[DB].write(lambda conn: audit.record(conn, user.name, address, "export", detail=fmt))
    name = f"tvportal-content-{request.app[CLOCK].today():%Y%m%d}.{fmt}"
    return web.Response(body=body, content_type="application/xml" if fmt == "xml" else "application/json",
                        charset="utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@requires("editor")
async def import_form(request: web.Request) -> web.Response:
    """The upload form."""
    return page(request, "import.html", {"report": None, "title": _("Import content")})


def _checked(conn, file) -> ImportReport:
    """The report of an uploaded file, resolved against the stored content (runs in a worker thread)."""
    file.seek(0)
    return parse_import(file.read(), existing=stored_references(conn))


async def _report_page(request: web.Request, context: dict, status: int = 200) -> web.Response:
    """The import page with a report; a report of 10,000 lines is rendered in a worker thread."""
    return await asyncio.to_thread(page, request, "import.html", context, status=status)


@requires("publisher")
async def import_file(request: web.Request) -> web.Response:
    """Check an uploaded file; unless it is a dry run and when it is clean, publish all of it in one transaction."""
    form = await form_of(request, files=True)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return page(request, "import.html", {"report": None, "error": _("Choose a file to import."),
                                             "title": _("Import content")}, status=400)
    dry_run = "dry_run" in form
    db = request.app[DB]
    # reading, parsing and checking 10,000 guides takes seconds: in a worker thread, so TVs keep being served
    report = await db.read(_checked, upload.file)
    user = request[EDITOR_USER]
    context = {"report": report, "dry_run": dry_run, "filename": upload.filename, "title": _("Import content")}
    if dry_run or not report.ok:
        return await _report_page(request, context, status=200 if report.ok else 422)
    address = client_address(request)

    def import_logged(conn) -> None:
        """All records and the log lines, in one transaction."""
        versions.lock(conn)
        replaced = []

        def write(conn, records) -> None:
            """Guides, policies and halls become new versions (so they can be diffed and rolled back)."""
            replaced.extend(versions.record_imports(conn, records, user.name))

        apply_import(conn, report, write=write)
        audit.record(conn, user.name, address, "import", detail=f"{upload.filename}: {report.summary()}")
        for kind, item_id, kept in replaced:
            audit.record(conn, user.name, address, "import", kind, item_id, "replaced an unpublished draft", kept)

    try:
        await db.write(import_logged)
    except ContentError as exc:
        context["error"] = str(exc)
        return await _report_page(request, context, status=422)
    await publish_snapshot(request)
    flash(request, _("Imported and published: {summary}").format(summary=report.summary()))
    return await _report_page(request, {**context, "applied": True})
