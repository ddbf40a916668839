"""The database calls of sign-in (tvportal/flows/signin_store.py), off the event loop.

Until the shared storage layer takes these tables over, sign-in keeps them in the portal's SQLite file
through its own SQLAlchemy engine; ``read``/``write`` run one function in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from aiohttp import web

from tvportal.flows.signin_store import metadata
from tvportal.keys import SETTINGS

T = TypeVar("T")


class SigninDB:
    """One engine; each call is one transaction in a worker thread."""

    def __init__(self, url: str) -> None:
        """Open the database and create the sign-in tables when missing."""
        self.engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        metadata.create_all(self.engine)

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        with self.engine.begin() as conn:
            return fn(conn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)``."""
        return await asyncio.to_thread(self._run, fn, args)

    write = read

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


SIGNIN_DB = web.AppKey("signin_db", SigninDB)


async def signin_db_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the sign-in database for the app's lifetime."""
    path = app[SETTINGS].database_path
    path.parent.mkdir(parents=True, exist_ok=True)
    app[SIGNIN_DB] = await asyncio.to_thread(SigninDB, f"sqlite:///{path}")
    yield
    app[SIGNIN_DB].close()
