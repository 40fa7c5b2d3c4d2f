"""A throwaway PostgreSQL server for the tests (no pytest here): Debian's postgresql package, a cluster in a
temporary folder, reached over a Unix socket only, gone when the tests end.

`make test-deps` installs the package when it is missing (as root); tests/conftest.py's ``database`` fixture
starts one cluster a session and gives each test a fresh database in it. Root may not run a PostgreSQL server, so
as root the cluster belongs to the package's ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from live import free_port
from sqlalchemy import create_engine, text

USER = "postgres"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin), else None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class Cluster:
    """One running server; ``database()`` makes a new empty database and returns its SQLAlchemy URL."""

    def __init__(self, socket_dir: Path, port: int):
        self.socket_dir, self.port = socket_dir, port
        self._names = itertools.count()

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{USER}@/{name}?host={self.socket_dir}&port={self.port}"

    def database(self) -> str:
        name = f"wuji_{next(self._names)}"
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        engine.dispose()
        return self.url(name)


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """initdb, start (fsync off: a test's data need not survive a power cut), yield, stop."""
    bindir = binaries()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql; make test-deps)")
    as_owner = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="wuji-pg-"))  # short: a socket path has at most 107 bytes
    if as_owner:
        shutil.chown(folder, USER)
    data, port = folder / "data", free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_owner, *cmd], check=True, capture_output=True, cwd=folder)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = f"-k {folder} -p {port} -c listen_addresses= -c fsync=off -c max_connections=200"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "server.log"), "-w", "start")
        try:
            yield Cluster(folder, port)
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
