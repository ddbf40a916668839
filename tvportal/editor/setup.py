"""Wiring of the editor into the portal: routes under /editor, its middleware and static files (its tables:
tvportal/storage/tables.py)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from tvportal.editor import views_admin as admin, views_auth as auth, views_items as items
from tvportal.editor import views_io as io, views_preview as preview, views_publish as publish
from tvportal.editor import inbox, views_workflow as wf
from tvportal.editor.security import PREFIX, editor_middleware
from tvportal.keys import ASSETS, SETTINGS

STATIC = Path(__file__).with_name("static")
KIND = "{kind:guide|policy|hall}"
ITEM = KIND + "/{id:[A-Za-z0-9][A-Za-z0-9_-]{0,39}}"


async def home(request: web.Request) -> web.Response:
    """/editor starts at the guide list."""
    raise web.HTTPSeeOther(request.app.router["editor-list"].url_for(kind="guide"))


def setup_editor(app: web.Application) -> None:
    """Add the editor to the app: call after the database context is registered."""
    app.middlewares.append(editor_middleware(app[SETTINGS]))
    app.middlewares.append(inbox.inbox_middleware)
    assets = app[ASSETS]
    assets.add("editor.css", (STATIC / "editor.css").read_bytes(), "text/css")
    assets.add("editor.js", (STATIC / "editor.js").read_bytes(), "application/javascript")
    r = app.router
    r.add_get(PREFIX, home, name="editor-home")
    r.add_get(PREFIX + "/signin", auth.signin_form, name="editor-signin")
    r.add_post(PREFIX + "/signin", auth.signin)
    r.add_post(PREFIX + "/signout", auth.signout, name="editor-signout")
    r.add_get(PREFIX + "/audit", admin.audit_log, name="editor-audit")
    r.add_get(PREFIX + "/audit/{seq:\\d{1,12}}", admin.audit_kept, name="editor-audit-kept")
    r.add_get(PREFIX + "/users", admin.user_list, name="editor-users")
    r.add_post(PREFIX + "/users", admin.user_add)
    r.add_post(PREFIX + "/users/{name}", admin.user_change, name="editor-user")
    r.add_get(PREFIX + "/inbox", inbox.inbox, name="editor-inbox")
    r.add_get(PREFIX + "/stale", inbox.stale, name="editor-stale")
    r.add_get(PREFIX + "/export", io.export, name="editor-export")
    r.add_get(PREFIX + "/import", io.import_form, name="editor-upload")
    r.add_post(PREFIX + "/import", io.import_file)
    r.add_get(PREFIX + "/import/{token:[A-Za-z0-9_-]{20,64}}", io.import_check, name="editor-upload-check")
    r.add_post(PREFIX + "/import/{token:[A-Za-z0-9_-]{20,64}}", io.import_confirm)
    r.add_post(PREFIX + "/preview/" + KIND, preview.preview, name="editor-preview-new")
    r.add_post(PREFIX + "/preview/" + ITEM, preview.preview, name="editor-preview")
    r.add_get(PREFIX + "/" + KIND, items.item_list, name="editor-list")
    r.add_get(PREFIX + "/" + KIND + "/new", items.new_form, name="editor-new")
    r.add_post(PREFIX + "/" + KIND + "/new", items.create)
    r.add_get(PREFIX + "/" + ITEM, items.edit, name="editor-edit")
    r.add_post(PREFIX + "/" + ITEM, items.save)
    r.add_post(PREFIX + "/" + ITEM + "/publish", publish.publish, name="editor-publish")
    r.add_post(PREFIX + "/" + ITEM + "/submit", wf.submit, name="editor-submit")
    r.add_post(PREFIX + "/" + ITEM + "/review", wf.review, name="editor-review")
    r.add_post(PREFIX + "/" + ITEM + "/schedule", wf.schedule, name="editor-schedule")
    r.add_post(PREFIX + "/" + ITEM + "/unpublish", publish.unpublish, name="editor-unpublish")
    r.add_get(PREFIX + "/" + ITEM + "/history", publish.history, name="editor-history")
    r.add_get(PREFIX + "/" + ITEM + "/rollback", publish.rollback_confirm, name="editor-rollback")
    r.add_post(PREFIX + "/" + ITEM + "/rollback", publish.rollback)
