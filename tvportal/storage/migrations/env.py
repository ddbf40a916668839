"""Alembic's entry point: migrations run on the connection ``storage/migrate.py`` hands over.

Both metadatas are the target, so ``alembic revision --autogenerate`` (docs/storage.md) compares
the content tables and the portal's tables with the database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from content.tables import metadata as content_metadata
from tvportal.storage.tables import metadata as portal_metadata

target_metadata = [content_metadata, portal_metadata]


def run() -> None:
    """Migrate through the given connection, or one made from ``sqlalchemy.url`` (alembic's own CLI)."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _migrate(connection)
        return
    _migrate(connection)


def _migrate(connection) -> None:
    """Configure the context on ``connection`` and run the pending revisions."""
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
