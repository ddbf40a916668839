"""Helpers of tests that reach into the database: a migrated Database and short-lived connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from tvportal.settings import Settings
from tvportal.storage import Database, migrate


def migrated(url_or_path: str | Path) -> Database:
    """A Database at the newest schema (a path means a SQLite file)."""
    url = str(url_or_path)
    db = Database(url if "://" in url else f"sqlite:///{url}")
    migrate.upgrade(db)
    return db


@contextmanager
def transaction(where: str | Path | Settings) -> Iterator[Connection]:
    """One committed transaction on a migrated database (settings: the portal's own database)."""
    db = migrated(where.db_url if isinstance(where, Settings) else where)
    try:
        with db.engine.connect() as conn:
            conn = conn.execution_options(tvportal_write=True)
            with conn.begin():
                yield conn
    finally:
        db.close()


def platform_db(url_or_path: str | Path) -> Database:
    """A migrated Database holding the embedded platform's demo data."""
    from tvportal.platform import demo_data

    url = str(url_or_path)
    db = Database(url if "://" in url else f"sqlite:///{url}")
    migrate.upgrade(db, lambda conn: demo_data.create(conn, "lu_an"))
    return db


def add_people(db: Database, count: int) -> list[str]:
    """``count`` more demo-like people (valid ID numbers) who may book for themselves; their ids."""
    from sqlalchemy import insert

    from tvportal.platform import idnumber
    from tvportal.storage.tables import platform_people

    rows = []
    for i in range(count):
        body = f"3415241950{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"
        rows.append({"id": f"T{i}", "name": f"测试{i}", "id_number": body + idnumber.check_digit(body),
                     "phone": "13800000000", "county_code": "341524", "birth_year": 1950})
    db.write_sync(lambda conn: conn.execute(insert(platform_people), rows))
    return [r["id"] for r in rows]


def scalar(where: str | Path | Settings | Database, stmt):
    """One value a query gives, read from a database."""
    if isinstance(where, Database):
        return where.read_sync(lambda conn: conn.execute(stmt).scalar())
    with transaction(where) as conn:
        return conn.execute(stmt).scalar()


def sms_code(where: str | Path | Settings | Database, id_number: str, purpose: str) -> str:
    """The last SMS code the embedded platform stored for a person ("" when none)."""
    from sqlalchemy import select

    from tvportal.storage.tables import platform_sms_codes as codes

    return scalar(where, select(codes.c.code).where(codes.c.id_number == id_number, codes.c.purpose == purpose)) or ""
