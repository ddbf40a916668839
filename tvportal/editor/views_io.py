"""Import (XML or JSON: a check first, then 确认导入 with a choice for every conflict) and export in the editor."""

from __future__ import annotations

import asyncio

from aiohttp import web

from content.model import ContentError
from content.xml_io import export_json, export_xml
from tvportal.editor import audit, forms, imports, versions
from tvportal.editor.diff import changes
from tvportal.editor.pages import flash, page
from tvportal.editor.security import client_address, requires
from tvportal.editor.publishing import publish_snapshot
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _, ngettext
from tvportal.keys import CLOCK, DB, EDITOR_USER, PUBLISHED, SETTINGS


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


async def _report_page(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    """An import page; a report of 10,000 lines is rendered in a worker thread."""
    return await asyncio.to_thread(page, request, template, {"title": _("Import content"), **context}, status=status)


def _choices(form) -> dict[str, str]:
    """The per-record choices of conflicts from the check page (``choice.<kind>/<id>``)."""
    return {k[7:]: str(v) for k, v in form.items() if k.startswith("choice.") and isinstance(v, str)}


def _check_context(request: web.Request, token: str, filename: str, entries: list[imports.Entry],
                   choices: dict[str, str] | None = None, missing: list[imports.Entry] = ()) -> dict:
    """What the check page shows: records by status, conflicts with their differences and choices."""
    groups = {status: [e for e in entries if e.status == status] for status in imports.STATUSES}
    specs = {kind: forms.specs_of(kind) for kind in versions.EDITABLE_KINDS}
    diffs = {e.key: changes(specs[e.kind], e.draft, e.data) for e in groups["conflict"]}
    return {"token": token, "filename": filename, "groups": groups, "diffs": diffs, "choices": choices or {},
            "missing": {e.key for e in missing}, "status_names": {k: _(v) for k, v in imports.STATUS_NAMES.items()},
            "hours": request.app[SETTINGS].editor_import_hours}


@requires("publisher")
async def import_file(request: web.Request) -> web.Response:
    """Check an uploaded file and keep it for 确认导入; nothing is changed yet."""
    form = await form_of(request, files=True)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return page(request, "import.html", {"report": None, "error": _("Choose a file to import."),
                                             "title": _("Import content")}, status=400)
    db = request.app[DB]
    upload.file.seek(0)
    data = upload.file.read()
    # reading, parsing and checking 10,000 guides takes seconds: in a worker thread, so TVs keep being served
    report, entries = await db.read(imports.check_file, data)
    if not report.ok:
        return await _report_page(request, "import.html", {"report": report, "filename": upload.filename},
                                  status=422)
    user = request[EDITOR_USER]
    token = await db.write(imports.save_pending, user.name, upload.filename, data, entries, request.app[CLOCK].now(),
                           request.app[SETTINGS].editor_import_hours)
    raise web.HTTPSeeOther(request.app.router["editor-upload-check"].url_for(token=token))


async def _pending_of(request: web.Request) -> imports.Pending | web.Response:
    """The pending import of the URL, or the page saying it is gone or expired."""
    pending = await request.app[DB].read(imports.load_pending, request.match_info["token"])
    if pending is None or pending.user != request[EDITOR_USER].name:
        return page(request, "import.html", {"report": None, "title": _("Import content"), "error": _(
            "This import is no longer waiting (it was confirmed, cancelled or never existed). Upload the file "
            "again to check it.")}, status=404)
    if imports.is_expired(pending, request.app[CLOCK].now()):
        return page(request, "import.html", {"report": None, "title": _("Import content"), "error": _(
            "This check is more than {n} hours old and the content may have changed since. Upload the file again "
            "to check it.").format(n=request.app[SETTINGS].editor_import_hours)}, status=410)
    return pending


@requires("publisher")
async def import_check(request: web.Request) -> web.Response:
    """What the uploaded file would do to each record, with a choice for every conflict."""
    pending = await _pending_of(request)
    if isinstance(pending, web.Response):
        return pending
    report, entries = await request.app[DB].read(imports.check_file, pending.file)
    if not report.ok:
        return await _report_page(request, "import.html", {"report": report, "filename": pending.filename},
                                  status=422)
    return await _report_page(request, "import_check.html", _check_context(
        request, pending.token, pending.filename, entries))


@requires("publisher")
async def import_confirm(request: web.Request) -> web.Response:
    """确认导入 (every conflict needs a choice) or 放弃导入."""
    pending = await _pending_of(request)
    if isinstance(pending, web.Response):
        return pending
    form = await form_of(request, files=True)
    db = request.app[DB]
    if form.get("_action") == "cancel":
        await db.write(imports.drop_pending, pending.token)
        flash(request, _("Import cancelled; nothing was changed."))
        raise web.HTTPSeeOther(request.app.router["editor-upload"].url_for())
    choices = _choices(form)
    user = request[EDITOR_USER]
    try:
        outcomes, counts = await db.write(imports.apply_checked, pending, choices, user.name,
                                          client_address(request))
    except imports.MissingChoice as gap:
        context = _check_context(request, pending.token, pending.filename, gap.entries, choices, gap.missing)
        context["error"] = ngettext("Nothing was imported: choose what to do with the record marked below.",
                                    "Nothing was imported: choose what to do with each of the {n} records marked "
                                    "below.", len(gap.missing)).format(n=len(gap.missing))
        return await _report_page(request, "import_check.html", context, status=422)
    except ContentError as exc:
        return page(request, "import.html", {"report": None, "title": _("Import content"), "error": _(
            "Nothing was imported: {error}").format(error=exc)}, status=422)
    if any(counts[k] for k in ("new", "changed", "replace")):
        await publish_snapshot(request)
    return await _report_page(request, "import_done.html", {
        "filename": pending.filename, "outcomes": outcomes, "summary": imports.summary(counts)})
