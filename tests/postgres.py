"""A real PostgreSQL server for the tests, from Debian's binaries (/usr/lib/postgresql/*/bin).

``initdb`` in a temporary folder, ``pg_ctl start`` listening only on a Unix socket in that folder
(port number from the storage tests' range, 18150-18199, names the socket).  PostgreSQL refuses to
run as root, so under root (CI containers) the server runs as the ``postgres`` system user through
``runuser``; the folder is handed to that user.  Each test gets a database of its own.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PORTS = range(*map(int, os.environ.get("TEST_PG_PORTS", "18150-18200").split("-")))  # a helper may get its own
_numbers = itertools.count(1)


@dataclass
class Server:
    """A running test server."""

    folder: Path
    port: int
    bindir: Path
    prefix: list[str]
    options: str = ""  # what it was started with, to start it again after ``halt``

    def url(self, database: str = "postgres") -> str:
        """The URL of one of its databases (trust authentication over the socket)."""
        return f"postgresql://tvportal@/{database}?host={self.folder}&port={self.port}"

    def new_database(self) -> str:
        """Create an empty database; its URL."""
        name = f"test_{os.getpid()}_{next(_numbers)}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement with psql; its output."""
        result = subprocess.run([str(self.bindir / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                                 str(self.folder), "-p", str(self.port), "-U", "tvportal", "-d", database, "-c", sql],
                                capture_output=True, text=True, timeout=60, check=True)
        return result.stdout.strip()

    def halt(self) -> None:
        """Stop the server at once, keeping its data (an outage; ``resume`` ends it)."""
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60, check=True)

    def resume(self) -> None:
        """Start a halted server again, on the same socket."""
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                        str(self.folder / "server.log"), "-w", "-t", "60", "-o", self.options, "start"],
                       capture_output=True, timeout=90, check=True)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def bindir() -> Path:
    """The newest installed PostgreSQL's binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing: apt-get install postgresql (see Makefile)")
    return Path(found[-1]).parent


def start(durable: bool = False) -> Server:
    """initdb and start a server; raises with its log when it does not come up.

    Tests run it without fsync (a process of ours may be killed, the server never is); ``durable``
    keeps PostgreSQL's defaults, for benchmarks that compare with SQLite's synced commits."""
    binaries = bindir()
    folder = Path(tempfile.mkdtemp(prefix="tvportal-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "tvportal",
                    "--auth=trust", "-E", "UTF8", "--no-locale"], capture_output=True, check=True, timeout=120)
    for port in PORTS:
        if (Path(tempfile.gettempdir()) / f".s.PGSQL.{port}").exists():
            continue
        options = f"-p {port} -k {folder} -c listen_addresses='' -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        started = subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-l",
                                  str(folder / "server.log"), "-w", "-t", "60", "-o", options, "start"],
                                 capture_output=True, text=True, timeout=90)
        if started.returncode == 0:
            return Server(folder, port, binaries, prefix, options)
    log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
    shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {log[-2000:]}")
