"""The room's shared state in a database, through SQLAlchemy Core (torch-free; no Streamlit).

What a workshop must not lose when its server restarts lives here, in four tables:

- ``rankings``: every participant's ranking of a pair of the model's answers (``sim.room.RankingPool``);
- ``results``: the last few retrainings on those rankings, by key (so a finished one is shown at once);
- ``guesses``: predict-then-see votes, one a participant and question (``sim.server.Guesses``);
- ``presenter``: the tour step the presenter is on, with the settings it shows (phones follow it);

and two that are not the room's but the servers': ``claims``, which process trains which cache entry now, and
``trainings``, every training a process started (``sim.claims``: single flight across processes). A reset and the
CSV export leave them alone.

Where: ``database_url``. SQLite is the embedded default, ``<cache folder>/room.sqlite``, beside the trained
runs; ``WUJI_DATABASE_URL`` names any SQLAlchemy URL instead (``postgresql+psycopg://user:pw@host/wuji`` lets
several servers share one room; its driver must be installed). Without a cache folder the room is kept in
memory (and lost on restart), and a URL that cannot be opened falls back to memory too, with ``warning`` set.

Every write is one transaction. On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` (it takes the
write lock at once, so two writers queue instead of failing to upgrade a read lock), waits up to
``BUSY_TIMEOUT_S`` for another process's writer, and the file is in WAL mode (readers never wait for a
writer). This is the recipe of SQLAlchemy's SQLite dialect documentation ("Serializable isolation /
Savepoints / Transactional DDL"), which turns off the sqlite3 module's own BEGIN handling.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

ENV = "WUJI_DATABASE_URL"
FILE = "room.sqlite"  # the default database, in the cache folder
MEMORY = "sqlite://"
BUSY_TIMEOUT_S = 30.0  # how long a SQLite writer waits for another process's write to finish
ROOM = "main"  # one room a database (the presenter's row)
UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}  # INSERT ... ON CONFLICT DO UPDATE


def database_url(cache_root: Path | None) -> str:
    """``WUJI_DATABASE_URL`` when set, else a SQLite file in the cache folder (in memory without a folder)."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return env
    return MEMORY if cache_root is None else f"sqlite:///{Path(cache_root) / FILE}"


@dataclass(frozen=True)
class Tables:
    meta: MetaData
    rankings: Table
    results: Table
    guesses: Table
    presenter: Table
    claims: Table
    trainings: Table


def schema() -> Tables:
    """The room's tables (made per database object: no module-level schema state)."""
    meta = MetaData()
    return Tables(
        meta,
        Table("rankings", meta,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("who", String(64), nullable=False, index=True),  # a browser tab's random key (no accounts)
              Column("lang", String(8), nullable=False),  # the world the pair was drawn in
              Column("seed", Integer, nullable=False),
              Column("item", JSON, nullable=False),  # sim.world.Item: {"kind", "fields", "answer"}
              Column("a_text", Text, nullable=False), Column("a_ended", Boolean, nullable=False),
              Column("b_text", Text, nullable=False), Column("b_ended", Boolean, nullable=False),
              Column("choice", String(8), nullable=False),  # a | b | tie
              Column("at", Float, nullable=False)),  # seconds since the epoch
        Table("results", meta,
              Column("key", String(64), primary_key=True),  # sim.room.pool_key
              Column("doc", JSON, nullable=False),
              Column("at", Float, nullable=False)),
        Table("guesses", meta,
              Column("question", String(200), primary_key=True),  # ui.story.question_id
              Column("voter", String(64), primary_key=True),
              Column("choice", String(8), nullable=False),
              Column("at", Float, nullable=False),  # the first vote (orders the questions)
              Column("changed", Float, nullable=False)),
        Table("presenter", meta,
              Column("room", String(32), primary_key=True),
              Column("step", Integer, nullable=False),
              Column("settings", JSON, nullable=False),  # the URL values the presenter shows (ui.state)
              Column("at", Float, nullable=False)),
        Table("claims", meta,
              Column("key", String(80), primary_key=True),  # a cache entry's folder name, <stage>-<key>
              Column("owner", String(200), nullable=False),  # host:pid:start of the process training it
              Column("host", String(128), nullable=False),
              Column("pid", Integer, nullable=False),
              Column("since", Float, nullable=False),  # when it was claimed (seconds since the epoch)
              Column("beat", Float, nullable=False),  # its holder's last heartbeat
              Column("progress", JSON, nullable=True)),  # the holder's latest event (sim.claims.Claims.beat)
        Table("trainings", meta,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("key", String(80), nullable=False, index=True),  # the cache entry it trains
              Column("owner", String(200), nullable=False),  # the process that trains it (as in claims)
              Column("at", Float, nullable=False)),  # when it started
    )


def _sqlite_engine(url: str):
    """A SQLite engine whose write transactions begin IMMEDIATE (see the module docstring). In memory: one
    connection for every thread (``StaticPool``), which ``RoomDB`` then uses one transaction at a time."""
    memory = make_url(url).database in (None, "", ":memory:")
    kw = {"poolclass": StaticPool} if memory else {}
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}, **kw)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the sqlite3 module emits no BEGIN; _begin does
        if not memory:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine, memory


class RoomDB:
    """One database holding the room (see the module docstring). Thread-safe; share one per process."""

    def __init__(self, url: str = MEMORY):
        self.url = url
        self.tables = schema()
        if make_url(url).get_backend_name() == "sqlite":
            self.engine, memory = _sqlite_engine(url)
        else:
            self.engine, memory = create_engine(url, pool_pre_ping=True), False
        self._serial = threading.Lock() if memory else contextlib.nullcontext()  # one shared memory connection
        self.tables.meta.create_all(self.engine)
        self.warning: str | None = None

    @classmethod
    def open(cls, url: str) -> RoomDB:
        """The database at ``url``; when it cannot be opened, an in-memory one whose ``warning`` says why."""
        try:
            return cls(url)
        except (ArgumentError, SQLAlchemyError, ImportError, OSError) as e:
            db = cls(MEMORY)
            db.warning = (f"the room's database {shown(url)} could not be opened ({type(e).__name__}: "
                          f"{str(e).splitlines()[0] if str(e) else ''}); votes and rankings are kept in memory "
                          "only, and a restart loses them")
            return db

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back when it raises."""
        with self._serial, self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self._serial, self.engine.connect() as conn:
            yield conn

    def upsert(self, conn: Connection, table: Table, row: dict, keys: tuple[str, ...], keep: tuple[str, ...] = ()):
        """Insert ``row``, or update the row with the same ``keys`` (its ``keep`` columns left as they are)."""
        changed = {k: v for k, v in row.items() if k not in keys and k not in keep}
        make = UPSERTS.get(conn.dialect.name)
        if make is not None:
            conn.execute(make(table).values(**row).on_conflict_do_update(index_elements=list(keys), set_=changed))
            return
        where = [table.c[k] == row[k] for k in keys]
        if conn.execute(update(table).where(*where).values(**changed)).rowcount == 0:
            conn.execute(table.insert().values(**row))

    def insert_new(self, conn: Connection, table: Table, row: dict, keys: tuple[str, ...]) -> bool:
        """Insert ``row`` unless a row with the same ``keys`` exists; True when this call inserted it. Atomic on
        every database (INSERT ... ON CONFLICT DO NOTHING; elsewhere a savepoint catches the duplicate), so of
        concurrent callers exactly one gets True."""
        make = UPSERTS.get(conn.dialect.name)
        if make is not None:
            stmt = make(table).values(**row).on_conflict_do_nothing(index_elements=list(keys))
            return conn.execute(stmt.returning(table.c[keys[0]])).first() is not None  # psycopg's rowcount is -1
        try:
            with conn.begin_nested():
                conn.execute(table.insert().values(**row))
        except IntegrityError:
            return False
        return True

    # -- the presenter -----------------------------------------------------------------------------------------
    def follow(self, step: int, settings: dict) -> None:
        """The presenter is on tour step ``step`` with these URL values (written only when they changed)."""
        p = self.tables.presenter
        now = self.presenter()
        if now is not None and (now["step"], now["settings"]) == (step, settings):
            return
        with self.write() as conn:
            self.upsert(conn, p, {"room": ROOM, "step": int(step), "settings": dict(settings), "at": time.time()},
                        ("room",))

    def presenter(self) -> dict | None:
        """{"step", "settings", "at"} of the presenter, or None before any presenter turned a tour page."""
        p = self.tables.presenter
        with self.read() as conn:
            row = conn.execute(select(p.c.step, p.c.settings, p.c.at).where(p.c.room == ROOM)).first()
        return None if row is None else {"step": row.step, "settings": row.settings, "at": row.at}

    # -- the facilitator ---------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows a table: what a reset would delete."""
        t = self.tables
        with self.read() as conn:
            return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in (t.rankings, t.results, t.guesses, t.presenter)}

    def reset(self) -> dict[str, int]:
        """Delete the whole room's state in one transaction; returns the rows deleted a table."""
        t = self.tables
        with self.write() as conn:
            return {table.name: conn.execute(delete(table)).rowcount
                    for table in (t.rankings, t.results, t.guesses, t.presenter)}

    def export_csv(self) -> str:
        """The room's state as one CSV table: a row a guess, a ranking and the presenter's step (the retrainings'
        results are not exported: they follow from the rankings)."""
        t = self.tables
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(CSV_COLUMNS)
        with self.read() as conn:
            for r in conn.execute(select(t.presenter).order_by(t.presenter.c.room)):
                w.writerow(["presenter", "", "", f"step {r.step}", "", "", "", "", "",
                            " ".join(f"{k}={v}" for k, v in r.settings.items()), _iso(r.at)])
            for r in conn.execute(select(t.guesses).order_by(t.guesses.c.at, t.guesses.c.voter)):
                w.writerow(["guess", "", r.voter, r.question, r.choice, "", "", "", "", "", _iso(r.changed)])
            for r in conn.execute(select(t.rankings).order_by(t.rankings.c.id)):
                w.writerow(["ranking", r.id, r.who, r.item["kind"], r.choice, r.lang, r.seed, r.a_text, r.b_text,
                            r.item["answer"], _iso(r.at)])
        return out.getvalue()


CSV_COLUMNS = ("kind", "id", "participant", "question", "choice", "lang", "seed", "answer_a", "answer_b", "detail",
               "at_utc")


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


def shown(url: str) -> str:
    """A database URL as it may be shown: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"
