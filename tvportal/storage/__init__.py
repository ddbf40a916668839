"""The storage layer: one database (SQLite or PostgreSQL) for everything the portal keeps.

``database.py`` runs calls off the event loop, ``tables.py`` declares the tables, ``migrate.py``
brings the schema up to date (Alembic, under a lock so several instances may start at once).
docs/storage.md explains how to use it and how to add a table.
"""

from tvportal.storage.database import Database, serialize, upsert

__all__ = ["Database", "serialize", "upsert"]
