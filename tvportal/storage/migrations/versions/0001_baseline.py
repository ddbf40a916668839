"""Baseline: every table of the portal, adopting a database made before migrations existed.

A tvportal.sqlite3 of an older release already has ``meta`` and ``content`` (and, if the editor
was used, the editor's tables); those are kept with their rows and only missing tables are made.
The embedded platform used to live in platform.sqlite3 of its own: its demo data is made afresh
here (docs/storage.md).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

T = sa.Text


def _col(name: str, type_=T, **kw) -> sa.Column:
    """A NOT NULL column unless told otherwise (nearly every column is)."""
    kw.setdefault("nullable", False)
    return sa.Column(name, type_, **kw)


def _table(name: str, *items, indexes: tuple = ()) -> None:
    """Create a table and its indexes unless an older release made it already."""
    if sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *items)
    for index_name, columns, options in indexes:
        op.create_index(index_name, name, columns, **options)


def _immutable(table: str) -> None:
    """Refuse UPDATE and DELETE of a table's rows in the database itself (published versions never change)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb, suffix in (("UPDATE", "u"), ("DELETE", "d")):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_immutable_{suffix} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END")
        return
    op.execute(f"CREATE OR REPLACE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{table} rows are immutable'; END $$")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable()")


def upgrade() -> None:
    """Create the missing tables."""
    booked_only = sa.text("status = 'booked'")
    _table("meta", _col("key", primary_key=True), _col("value"))
    _table("content", _col("kind"), _col("id"), _col("position", sa.Integer), _col("data"), _col("updated_at"),
           sa.PrimaryKeyConstraint("kind", "id"))
    _table("editor_users", _col("id", sa.Integer, primary_key=True), _col("name", unique=True), _col("role"),
           _col("password_hash"), _col("password_version", sa.Integer), _col("disabled", sa.Integer),
           _col("created_at"))
    _table("editor_login_failures", _col("name"), _col("address"), _col("at", sa.Float),
           indexes=(("editor_login_failures_at", ["at"], {}),))
    _table("editor_drafts", _col("kind"), _col("id"), _col("data"), _col("revision", sa.Integer),
           _col("published_revision", sa.Integer, nullable=True), _col("updated_by"), _col("updated_at"),
           sa.PrimaryKeyConstraint("kind", "id"))
    _table("editor_versions", _col("kind"), _col("id"), _col("number", sa.Integer), _col("data"),
           _col("published_by"), _col("published_at"), _col("note"), sa.PrimaryKeyConstraint("kind", "id", "number"))
    _immutable("editor_versions")
    _table("editor_audit", _col("seq", sa.Integer, primary_key=True), _col("at"), _col("user"), _col("address"),
           _col("action"), _col("kind"), _col("item_id"), _col("detail"), _col("kept_data", nullable=True),
           indexes=(("editor_audit_item", ["kind", "item_id"], {}),))
    _table("flow_state", _col("device_id", primary_key=True), _col("data"), _col("updated_at", sa.Float),
           indexes=(("flow_state_updated", ["updated_at"], {}),))
    _table("tv_sessions", _col("token_hash", primary_key=True), _col("device_id"), _col("platform_device"),
           _col("person_id"), _col("person"), _col("acting_for"), _col("started", sa.Float),
           _col("last_seen", sa.Float), indexes=(("tv_sessions_seen", ["last_seen"], {}),))
    _table("tv_remembered", _col("device_id"), _col("person_id"), _col("platform_device"), _col("person"),
           _col("pin_hash"), _col("failed_pins", sa.Integer), _col("created", sa.Float), _col("last_used", sa.Float),
           sa.PrimaryKeyConstraint("device_id", "person_id"))
    _table("tv_sms_sends", _col("id", sa.Integer, primary_key=True, autoincrement=True), _col("id_hash"),
           _col("device_id"), _col("purpose"), _col("sent_at", sa.Float),
           indexes=(("tv_sms_sends_id", ["id_hash", "sent_at"], {}), ("tv_sms_sends_device", ["device_id", "sent_at"], {})))
    _table("platform_catalog", _col("kind"), _col("id"), _col("data"), sa.PrimaryKeyConstraint("kind", "id"))
    _table("platform_people", _col("id", primary_key=True), _col("name"), _col("id_number", unique=True),
           _col("phone"), _col("county_code"), _col("birth_year", sa.Integer))
    _table("platform_devices", _col("device_id", primary_key=True), _col("person_id"), _col("linked"))
    _table("platform_proxies", _col("device_id"), _col("actor_id"), _col("person_id"), _col("consent"),
           _col("consented"), sa.PrimaryKeyConstraint("device_id", "person_id"))
    _table("platform_sms_codes", _col("id_number"), _col("purpose"), _col("code"), _col("expires"),
           _col("tries", sa.Integer), sa.PrimaryKeyConstraint("id_number", "purpose"))
    _table("platform_tickets", _col("ticket", primary_key=True), _col("device_id"), _col("status"),
           _col("person_id"), _col("created"))
    _table("platform_slots", _col("id", primary_key=True), _col("hall_id"), _col("service_id"), _col("day"),
           _col("start"), _col("end"), _col("capacity", sa.Integer), _col("booked", sa.Integer),
           sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="platform_slots_booked"),
           indexes=(("platform_slots_day", ["hall_id", "service_id", "day"], {}),))
    _table("platform_bookings", _col("number", primary_key=True), _col("slot_id"), _col("person_id"),
           _col("actor_id"), _col("status"), _col("created"), _col("updated"), _col("rated", sa.Integer),
           indexes=(("platform_one_place_each", ["slot_id", "person_id"],
                     {"unique": True, "sqlite_where": booked_only, "postgresql_where": booked_only}),
                    ("platform_bookings_person", ["person_id"], {})))
    _table("platform_applications", _col("number", primary_key=True), _col("service_id"), _col("person_id"),
           _col("actor_id"), _col("status"), _col("submitted"), _col("promise_date"), _col("fields"), _col("steps"),
           _col("rated", sa.Integer), indexes=(("platform_applications_person", ["person_id"], {}),))
    _table("platform_records", _col("person_id"), _col("kind"), _col("data"),
           sa.PrimaryKeyConstraint("person_id", "kind"))
    _table("platform_ratings", _col("number", primary_key=True), _col("target_type"), _col("target_number"),
           _col("level", sa.Integer), _col("reason"), _col("person_id"), _col("actor_id"), _col("created"),
           sa.UniqueConstraint("target_type", "target_number", name="platform_ratings_target"))
    _table("platform_idempotency", _col("key", primary_key=True), _col("op"), _col("result"), _col("created"))
    _table("platform_counters", _col("name", primary_key=True), _col("value", sa.Integer))
    _table("platform_audit", _col("id", sa.Integer, primary_key=True), _col("at"), _col("actor_id"),
           _col("person_id"), _col("action"), _col("ref"))
    _table("outbox", _col("reference", primary_key=True), _col("op"), _col("key", unique=True), _col("person_id"),
           _col("payload"), _col("status"), _col("result"), _col("message"), _col("tries", sa.Integer),
           _col("created"), _col("updated"),
           indexes=(("outbox_waiting", ["status", "created"], {}), ("outbox_person", ["person_id"], {})))


def downgrade() -> None:
    """The baseline is not undone: dropping every table would lose the content."""
    raise NotImplementedError("the baseline cannot be downgraded")
