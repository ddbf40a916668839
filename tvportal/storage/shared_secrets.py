"""Secrets shared by every instance of the portal, kept in its database (the speech signing key).

The first instance to ask creates the secret; an instance starting at the same moment loses the insert
race harmlessly and reads the winner's value, so all instances sign alike.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, select

from content.tables import utc_stamp
from tvportal.storage.database import upsert
from tvportal.storage.tables import shared_secrets


def shared_secret(conn: Connection, name: str) -> bytes:
    """The secret called ``name`` (32 random bytes, made on first use); run it in a write transaction."""
    upsert(conn, shared_secrets, {"name": name, "value": secrets.token_hex(32), "created": utc_stamp()}, ["name"])
    value = conn.execute(select(shared_secrets.c.value).where(shared_secrets.c.name == name)).scalar_one()
    return bytes.fromhex(value)
