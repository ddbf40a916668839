"""Every table of tvportal/ as SQLAlchemy Core objects (the content tables: content/tables.py).

This is the one place that says what the portal keeps; modules import the tables from here and
build their statements with SQLAlchemy Core, so the same code runs on SQLite and PostgreSQL.
A change here needs a migration too (docs/storage.md says how).  Times the code compares as
strings stay TEXT in the formats the SQLite files always had, so old files are adopted unchanged.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, Float, Index, Integer, LargeBinary, MetaData, PrimaryKeyConstraint, Table, Text,
    UniqueConstraint, text)

from content.tables import utc_stamp

metadata = MetaData()

# ---------------------------------------------------------------------------------------------- editor

editor_users = Table(
    "editor_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("password_version", Integer, nullable=False, default=1),
    Column("disabled", Integer, nullable=False, default=0),
    Column("created_at", Text, nullable=False, default=utc_stamp),
)

# failed sign-ins, counted per user name and per address within a window (editor/users.py)
editor_login_failures = Table(
    "editor_login_failures", metadata,
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("at", Float, nullable=False),
    Index("editor_login_failures_at", "at"),
)

editor_drafts = Table(
    "editor_drafts", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("published_revision", Integer),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", Text, nullable=False, default=utc_stamp, onupdate=utc_stamp),
    PrimaryKeyConstraint("kind", "id"),
)

editor_versions = Table(  # rows are only ever added (editor/versions.py)
    "editor_versions", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("published_by", Text, nullable=False),
    Column("published_at", Text, nullable=False, default=utc_stamp),
    Column("note", Text, nullable=False, default=""),
    PrimaryKeyConstraint("kind", "id", "number"),
)

editor_audit = Table(  # rows are only ever added (editor/audit.py)
    "editor_audit", metadata,
    Column("seq", Integer, primary_key=True),
    Column("at", Text, nullable=False, default=utc_stamp),
    Column("user", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("kind", Text, nullable=False, default=""),
    Column("item_id", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("kept_data", Text),
    Index("editor_audit_item", "kind", "item_id"),
)

# the review workflow of each item's draft (editor/workflow.py): 草稿 → 待审核 → 已退回 | 已通过 → 已发布 | 定时发布;
# ``revision`` is the draft revision a submission, approval or schedule is about (a later save undoes them)
editor_workflow = Table(
    "editor_workflow", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("state", Text, nullable=False),  # draft | submitted | returned | approved | scheduled | published
    Column("revision", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),  # the editor's change note
    Column("submitted_by", Text, nullable=False, default=""),
    Column("submitted_at", Text, nullable=False, default=""),
    Column("reviewed_by", Text, nullable=False, default=""),
    Column("reviewed_at", Text, nullable=False, default=""),
    Column("publish_at", Text, nullable=False, default=""),  # UTC stamp of a 定时发布; "" = none
    Column("scheduled_by", Text, nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),  # why a scheduled publication could not be done
    Column("updated_at", Text, nullable=False, default=utc_stamp, onupdate=utc_stamp),
    PrimaryKeyConstraint("kind", "id"),
    Index("editor_workflow_state", "state", "publish_at"),
)

# a reviewer's comments on a returned draft, each on the whole draft (field "") or on one field
editor_comments = Table(
    "editor_comments", metadata,
    Column("seq", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("field", Text, nullable=False, default=""),
    Column("author", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("at", Text, nullable=False, default=utc_stamp),
    Column("open", Integer, nullable=False, default=1),  # 0 once the draft is approved or returned again
    Index("editor_comments_item", "kind", "id", "open"),
)

# signed-in editor sessions: the cookie holds a random id, only its sha256 is kept; signing out deletes the
# row, so a copied cookie can do nothing afterwards (security.py)
editor_sessions = Table(
    "editor_sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("started", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Index("editor_sessions_seen", "last_seen"),
    Index("editor_sessions_user", "user_id"),
)

editor_imports = Table(  # an uploaded file between its check and 确认导入 (editor/imports.py)
    "editor_imports", metadata,
    Column("token", Text, primary_key=True),
    Column("user", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("file", LargeBinary, nullable=False),
    Column("plan", Text, nullable=False),  # JSON: what the check showed, {"kind/id": status}
    Column("created_at", Text, nullable=False, default=utc_stamp),
    Column("expires_at", Text, nullable=False),
    Index("editor_imports_expires", "expires_at"),
)

# ---------------------------------------------------------------------------------------------- TV flows

# unfinished TV flows per device (flows/state.py): JSON, saved at the end of each flow request
flow_state = Table(
    "flow_state", metadata,
    Column("device_id", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("flow_state_updated", "updated_at"),
)

# secrets every instance must share, made once by the first instance (tvportal/storage/shared_secrets.py)
shared_secrets = Table(
    "shared_secrets", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("created", Text, nullable=False, default=utc_stamp),
)

# ---------------------------------------------------------------------------------------------- sign-in on a TV

# a browser's sign-in (flows/session.py): only the token's hash; ends after tv_idle_minutes or at 退出登录
tv_sessions = Table(
    "tv_sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("platform_device", Text, nullable=False),  # the platform's link of this person on this TV
    Column("person_id", Text, nullable=False),
    Column("person", Text, nullable=False),  # Person as JSON (ID number and phone masked)
    Column("acting_for", Text, nullable=False),  # 帮家人办: the family member chosen, "" = oneself
    Column("started", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Index("tv_sessions_seen", "last_seen"),
)

# 家庭成员: people remembered on a TV behind a 4-digit TV PIN (argon2 hash; 5 wrong PINs lock it)
tv_remembered = Table(
    "tv_remembered", metadata,
    Column("device_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("platform_device", Text, nullable=False),
    Column("person", Text, nullable=False),
    Column("pin_hash", Text, nullable=False),
    Column("failed_pins", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Column("last_used", Float, nullable=False),
    PrimaryKeyConstraint("device_id", "person_id"),
)

# SMS codes asked for, by ID number (sha256) and by TV, to cap them per hour (sms_per_id_hour, sms_per_tv_hour)
tv_sms_sends = Table(
    "tv_sms_sends", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_hash", Text, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("purpose", Text, nullable=False),  # login | consent: a code of one is no good for the other
    Column("sent_at", Float, nullable=False),
    Index("tv_sms_sends_id", "id_hash", "sent_at"),
    Index("tv_sms_sends_device", "device_id", "sent_at"),
)

# ---------------------------------------------------------------------------------------------- platform

# the embedded platform (platform/embedded*.py); the HTTP client uses only the outbox
platform_catalog = Table(
    "platform_catalog", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("data", Text, nullable=False),
    PrimaryKeyConstraint("kind", "id"),
)

platform_people = Table(
    "platform_people", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("id_number", Text, nullable=False, unique=True),
    Column("phone", Text, nullable=False),
    Column("county_code", Text, nullable=False),
    Column("birth_year", Integer, nullable=False),
)

platform_devices = Table(
    "platform_devices", metadata,
    Column("device_id", Text, primary_key=True),
    Column("person_id", Text, nullable=False),
    Column("linked", Text, nullable=False),
)

platform_proxies = Table(
    "platform_proxies", metadata,
    Column("device_id", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("consent", Text, nullable=False),
    Column("consented", Text, nullable=False),
    PrimaryKeyConstraint("device_id", "person_id"),
)

platform_sms_codes = Table(
    "platform_sms_codes", metadata,
    Column("id_number", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("expires", Text, nullable=False),
    Column("tries", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("id_number", "purpose"),
)

platform_tickets = Table(
    "platform_tickets", metadata,
    Column("ticket", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("person_id", Text, nullable=False, default=""),
    Column("created", Text, nullable=False),
)

platform_slots = Table(
    "platform_slots", metadata,
    Column("id", Text, primary_key=True),
    Column("hall_id", Text, nullable=False),
    Column("service_id", Text, nullable=False),
    Column("day", Text, nullable=False),
    Column("start", Text, nullable=False),
    Column("end", Text, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, default=0),
    CheckConstraint("booked >= 0 AND booked <= capacity", name="platform_slots_booked"),
    Index("platform_slots_day", "hall_id", "service_id", "day"),
)

platform_bookings = Table(
    "platform_bookings", metadata,
    Column("number", Text, primary_key=True),
    Column("slot_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("rated", Integer, nullable=False, default=0),
    Index("platform_one_place_each", "slot_id", "person_id", unique=True,
          sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
    Index("platform_bookings_person", "person_id"),
)

platform_applications = Table(
    "platform_applications", metadata,
    Column("number", Text, primary_key=True),
    Column("service_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("submitted", Text, nullable=False),
    Column("promise_date", Text, nullable=False),
    Column("fields", Text, nullable=False),
    Column("steps", Text, nullable=False),
    Column("rated", Integer, nullable=False, default=0),
    Index("platform_applications_person", "person_id"),
)

platform_records = Table(
    "platform_records", metadata,
    Column("person_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("data", Text, nullable=False),
    PrimaryKeyConstraint("person_id", "kind"),
)

platform_ratings = Table(
    "platform_ratings", metadata,
    Column("number", Text, primary_key=True),
    Column("target_type", Text, nullable=False),
    Column("target_number", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("created", Text, nullable=False),
    UniqueConstraint("target_type", "target_number", name="platform_ratings_target"),
)

# the first answer of every keyed write, so a retried write gives it again (platform/embedded.py)
platform_idempotency = Table(
    "platform_idempotency", metadata,
    Column("key", Text, primary_key=True),
    Column("op", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("created", Text, nullable=False),
)

platform_counters = Table(
    "platform_counters", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

platform_audit = Table(
    "platform_audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("ref", Text, nullable=False),
)

# writes of the HTTP client waiting for the central platform (platform/outbox.py)
outbox = Table(
    "outbox", metadata,
    Column("reference", Text, primary_key=True),
    Column("op", Text, nullable=False),
    Column("key", Text, nullable=False, unique=True),
    Column("person_id", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("result", Text, nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
    Column("tries", Integer, nullable=False, default=0),
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("device_id", Text, nullable=False, server_default=""),  # the TV that queued it sees its receipt
    Index("outbox_waiting", "status", "created"),
    Index("outbox_person", "person_id"),
)

# numbers outbox references: the autoincrement key is the sequence on both dialects (platform/outbox.py)
outbox_numbers = Table(
    "outbox_numbers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Text, nullable=False),
)

# the central platform's last answers, used while it is unreachable, across restarts (platform/last_known.py)
central_last_known = Table(
    "central_last_known", metadata,
    Column("kind", Text, primary_key=True),  # catalog | device
    Column("key", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("fetched_at", Float, nullable=False),
)

# request nonces the simulator has seen, kept for their window so a replay after a restart is refused
platform_nonces = Table(
    "platform_nonces", metadata,
    Column("nonce", Text, primary_key=True),
    Column("seen_at", Float, nullable=False),
    Index("platform_nonces_seen", "seen_at"),
)

# ---------------------------------------------------------------------------------------------- operator kit

# device ids the portal issued (flows/device.py): the cookie holds a token, only its sha256 is kept; the
# stable ``device`` key behind it keys every device table, so rotating the token loses nothing
tv_devices = Table(
    "tv_devices", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("device", Text, nullable=False),
    Column("account", Text, nullable=False),  # "" = anonymous; else the operator account's hash
    Column("issued", Float, nullable=False),
    Index("tv_devices_device", "device"),
    Index("tv_devices_issued", "issued"),
)

# a box account's display preferences, restored at launch after a cookie wipe (prefs.py's encoding)
tv_device_prefs = Table(
    "tv_device_prefs", metadata,
    Column("device", Text, primary_key=True),
    Column("prefs", Text, nullable=False),
    Column("updated", Float, nullable=False),
)

# signatures of launch URLs already used: each opens the portal once (flows/device.py)
tv_launches = Table(
    "tv_launches", metadata,
    Column("sig", Text, primary_key=True),
    Column("at", Float, nullable=False),
    Index("tv_launches_at", "at"),
)

# the operator's statistics, one row per day and what was counted (stats/; docs/operator.md)
stats_daily = Table(
    "stats_daily", metadata,
    Column("day", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("area", Text, nullable=False),
    Column("screen", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("presses", Integer, nullable=False),
    PrimaryKeyConstraint("day", "event", "model", "area", "screen"),
)

# households seen per day (the account hashed with stats_salt), so the export can count them
stats_households = Table(
    "stats_households", metadata,
    Column("day", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("area", Text, nullable=False),
    Column("household", Text, nullable=False),
    PrimaryKeyConstraint("day", "model", "area", "household"),
)

# ---------------------------------------------------------------------------------------------- 远程帮办
# a family member's phone helping a TV (tvportal/copilot/): one row per help offered, from the code on the
# TV to its end; the codes are kept only as sha256
copilot_sessions = Table(
    "copilot_sessions", metadata,
    Column("id", Text, primary_key=True),
    Column("device", Text, nullable=False),  # the TV's device key (flows/device.py)
    Column("code_hash", Text, nullable=False),  # the 6-digit code read aloud
    Column("token_hash", Text, nullable=False),  # the QR code's token
    Column("phone_hash", Text, nullable=False),  # the helping phone's cookie; "" until a phone took the code
    Column("status", Text, nullable=False),  # open, claimed, signed, active, ended
    Column("helper_id", Text, nullable=False),
    Column("helper_name", Text, nullable=False),
    Column("elder_id", Text, nullable=False),  # the person signed in on the TV ("" = nobody)
    Column("share", Integer, nullable=False),  # private screens on the phone: 0 not asked, 1 yes, -1 no
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),  # the code's end
    Column("last_activity", Float, nullable=False),  # either side did something
    Column("return_to", Text, nullable=False),  # the TV's screen before the help key
    Column("screen", Text, nullable=False),  # what the TV shows (JSON, tvportal/copilot/snapshot.py)
    Column("version", Integer, nullable=False),  # raised whenever ``screen`` or the status changes
    Column("command", Text, nullable=False),  # the next thing the TV does (JSON), "" = none
    Column("command_seq", Integer, nullable=False),
    Column("ended", Text, nullable=False),  # why it ended: tv, phone, idle, refused, expired, replaced
    CheckConstraint("status IN ('open', 'claimed', 'signed', 'active', 'ended')", name="copilot_status"),
    Index("copilot_sessions_device", "device", "status"),
    Index("copilot_sessions_code", "code_hash"),
    Index("copilot_sessions_token", "token_hash"),
)

# who did what for whom while helping; rows are only ever added
copilot_audit = Table(
    "copilot_audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("session", Text, nullable=False),
    Column("helper_id", Text, nullable=False),
    Column("elder_id", Text, nullable=False),
    Column("device", Text, nullable=False),
    Column("action", Text, nullable=False),  # code, claim, signin, consent, refuse, share, go, type, point, tv_post, end
    Column("detail", Text, nullable=False),
    Index("copilot_audit_session", "session"),
)

# wrong short codes typed on phones, per address: guessing is limited (copilot_code_tries)
copilot_attempts = Table(
    "copilot_attempts", metadata,
    Column("address", Text, nullable=False),
    Column("at", Float, nullable=False),
    Index("copilot_attempts_address", "address", "at"),
)
