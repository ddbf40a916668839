"""The audit log (who did what, when, from where) and user management for administrators."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from tvportal.editor import audit, forms, users, versions
from tvportal.editor.diff import render_fields
from tvportal.editor.pages import flash, local_time, page
from tvportal.editor.security import client_address, requires
from tvportal.http.forms import form_of
from tvportal.i18n import N_, gettext as _
from tvportal.keys import DB, EDITOR_USER

AUDIT_PER_PAGE = 100
ACTIONS = {
    "signin": N_("Signed in"), "signin-failed": N_("Failed sign-in"), "signin-blocked": N_("Sign-in blocked (too many failures)"),
    "signout": N_("Signed out"), "create": N_("Created"), "save": N_("Saved draft"), "publish": N_("Published"),
    "unpublish": N_("Taken off the TV"), "rollback": N_("Rolled back"), "user-add": N_("Added user"),
    "user-role": N_("Changed role"), "user-password": N_("Reset password"), "user-disable": N_("Disabled user"),
    "user-enable": N_("Enabled user"), "import": N_("Imported"), "export": N_("Exported"),
    "wf-submit": N_("Submitted for review"), "wf-return": N_("Returned with comments"), "wf-approve": N_("Approved"),
    "wf-schedule": N_("Scheduled publication"), "wf-unschedule": N_("Called off scheduled publication"),
    "wf-schedule-failed": N_("Scheduled publication failed"), "wf-reopened": N_("Back to draft"),
    "wf-expire": N_("Planned end date reached: taken off the TV"),
}


@requires("editor")
async def audit_log(request: web.Request) -> web.Response:
    """The audit log, newest first, filtered by user or item."""
    who = request.query.get("user", "").strip()
    kind = request.query.get("kind", "").strip()
    item_id = request.query.get("item", "").strip()
    try:
        page_no = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page_no = 1
    entries, total = await request.app[DB].read(audit.audit_entries, AUDIT_PER_PAGE, (page_no - 1) * AUDIT_PER_PAGE,
                                            who, kind, item_id)
    params = {k: v for k, v in {"user": who, "kind": kind, "item": item_id}.items() if v}
    return page(request, "audit.html", {
        "entries": entries, "total": total, "page_no": page_no, "pages": max(1, -(-total // AUDIT_PER_PAGE)),
        "who": who, "kind": kind, "item": item_id, "params": params, "local_time": local_time,
        "readable": audit.readable,
        "actions": {k: _(v) for k, v in ACTIONS.items()}, "title": _("Audit log"),
    })


@requires("editor")
async def audit_kept(request: web.Request) -> web.Response:
    """The unpublished draft a rollback replaced, kept in the audit log so that nothing typed is lost."""
    db = request.app[DB]
    seq = int(request.match_info["seq"])
    data = await db.read(audit.kept_data, seq)
    row = await db.read(audit.item_of, seq)
    if data is None or row is None or row[0] not in versions.EDITABLE_KINDS:
        raise web.HTTPNotFound()
    lines = render_fields(forms.specs_of(row[0]), data)
    return page(request, "kept.html", {"lines": lines, "kind": row[0], "item_id": row[1], "seq": seq,
                                       "raw": json.dumps(data, ensure_ascii=False, indent=2),
                                       "title": _("Draft kept by log entry {n}").format(n=seq)})


async def _users_page(request: web.Request, error: str = "", form: dict | None = None,
                      status: int = 200) -> web.Response:
    """The user list with the add form (values kept after a mistake)."""
    found = await request.app[DB].read(users.list_users)
    return page(request, "users.html", {"users": found, "roles": users.ROLES,
                                        "error": error, "form": form or {"name": "", "role": "editor"},
                                        "min_password": users.MIN_PASSWORD, "title": _("Users")}, status=status)


@requires("admin")
async def user_list(request: web.Request) -> web.Response:
    """Every account, with forms to add one, change roles, reset passwords and disable."""
    return await _users_page(request)


@requires("admin")
async def user_add(request: web.Request) -> web.Response:
    """Add an account."""
    form = await form_of(request, files=True)
    name, role = str(form.get("name", "")).strip().lower(), str(form.get("role", ""))
    password = str(form.get("password", ""))
    me, address = request[EDITOR_USER].name, client_address(request)

    def add(conn, digest: str) -> None:
        """The account and its log line, in one transaction."""
        users.add_user(conn, name, role, digest=digest)
        audit.record(conn, me, address, "user-add", detail=f"{name} ({role})")

    try:
        users.check_name(name)
        users.check_role(role)
        await request.app[DB].write(add, await asyncio.get_running_loop().run_in_executor(
            None, users.hash_password, password))
    except users.UserError as exc:
        return await _users_page(request, str(exc), {"name": name, "role": role}, status=422)
    flash(request, _("User {name} added.").format(name=name))
    raise web.HTTPSeeOther(request.app.router["editor-users"].url_for())


@requires("admin")
async def user_change(request: web.Request) -> web.Response:
    """Change one account: role, password, disabled or enabled (never your own role or state)."""
    name = request.match_info["name"]
    form = await form_of(request, files=True)
    action = str(form.get("action", ""))
    db = request.app[DB]
    me = request[EDITOR_USER]
    address = client_address(request)

    def change(conn, fn, *args) -> None:
        """The change and its log line, in one transaction."""
        fn(conn, name, *args)
        audit.record(conn, me.name, address, f"user-{action}", detail=detail)

    try:
        await db.read(users.get_user, name)
        if name == me.name and action in ("role", "disable"):
            raise users.UserError(_("You cannot change your own role or disable yourself; ask another administrator."))
        if action == "role":
            role = str(form.get("role", ""))
            detail = f"{name} -> {role}"
            await db.write(change, users.set_role, role)
        elif action == "password":
            digest = await asyncio.get_running_loop().run_in_executor(
                None, users.hash_password, str(form.get("password", "")))
            detail = name
            await db.write(lambda conn: change(conn, lambda c, n: users.set_password(c, n, digest=digest)))
        elif action in ("disable", "enable"):
            detail = name
            await db.write(change, users.set_disabled, action == "disable")
        else:
            raise web.HTTPBadRequest()
    except users.UserError as exc:
        return await _users_page(request, str(exc), status=422)
    flash(request, _("User {name} changed.").format(name=name))
    raise web.HTTPSeeOther(request.app.router["editor-users"].url_for())
