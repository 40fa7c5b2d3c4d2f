"""What one server process shares between all its visitors, in ONE object (pure Python; no Streamlit).

A workshop runs one server and many browser tabs. Everything they share lives in a ``Server``:

- ``board``: every training of the server (``sim.jobs.Board``: single flight, a bounded queue);
- ``room``: the room's database (``sim.roomdb.RoomDB``): the presenter's tour step, the facilitator's export and
  reset; ``pool`` and ``guesses`` keep their rows in it;
- ``pool``: the room's rankings and the results of retraining on them (``sim.room.RankingPool``);
- ``guesses``: the room's predict-then-see votes (``Guesses``);
- ``models``: the cached stages' models kept in memory for sampling (``ModelCache``).

Several server processes over one cache folder and one database (a lecture hall, docs/lecture-hall.md) train each
stage once between them: ``create`` gives the cache the database's ``sim.claims.Claims``.

``shared(cache)`` is the one place that makes it and keeps it: one ``Server`` a cache folder in this process,
in the registry ``_SERVERS`` below, the only module-level mutable state of the code base
(tests/test_architecture.py fails on any other). It is not kept in ``st.cache_resource``, which is for
immutable things. The room's rankings, guesses and presenter step are in a database (SQLite in the cache folder,
or ``WUJI_DATABASE_URL``), so they survive a restart and several server processes can share them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from sim.claims import Claims
from sim.jobs import Board, create_board
from sim.room import RankingPool
from sim.roomdb import RoomDB, database_url

GUESS_CHOICES = ("up", "flat", "down")  # a guess: the metric will rise, hold or fall
MAX_MODELS = 6  # models kept in memory (a few MB each)


class Guesses:
    """The room's guesses, in the room's database (``sim.roomdb``; in memory when none is given). No accounts: a
    voter is a browser tab's random key. Each voter has one vote a question and may change it; a question is a
    string naming what is guessed and for which setting (``ui.story.question_id``)."""

    def __init__(self, db: RoomDB | None = None, choices: tuple[str, ...] = GUESS_CHOICES) -> None:
        self.db = db or RoomDB()
        self.choices = choices

    def vote(self, question: str, voter: str, choice: str) -> None:
        """Record (or change) this voter's guess (one transaction)."""
        if choice not in self.choices:
            raise ValueError(f"a guess must be one of {', '.join(self.choices)}; got {choice!r}")
        now = time.time()
        with self.db.write() as conn:
            self.db.upsert(conn, self.db.tables.guesses,
                           {"question": question, "voter": voter, "choice": choice, "at": now, "changed": now},
                           ("question", "voter"), keep=("at",))

    def guess(self, question: str, voter: str) -> str | None:
        g = self.db.tables.guesses
        with self.db.read() as conn:
            return conn.execute(select(g.c.choice).where(g.c.question == question, g.c.voter == voter)).scalar()

    def tally(self, question: str) -> dict[str, int]:
        """How many voters chose each answer (every answer listed, zeros included)."""
        g = self.db.tables.guesses
        with self.db.read() as conn:
            counts = dict(conn.execute(select(g.c.choice, func.count()).where(g.c.question == question)
                                       .group_by(g.c.choice)).all())
        return {c: counts.get(c, 0) for c in self.choices}

    def questions(self) -> list[str]:
        """The questions anybody answered, by their first answer, newest last."""
        g = self.db.tables.guesses
        with self.db.read() as conn:
            return list(conn.execute(select(g.c.question).group_by(g.c.question).order_by(func.min(g.c.at),
                                                                                          g.c.question)).scalars())


class ModelCache:
    """A few models by key, least recently used first out, thread-safe. Read-only: callers sample from a
    model or copy it, never train it in place."""

    def __init__(self, size: int = MAX_MODELS) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._models: OrderedDict = OrderedDict()

    def get(self, key, load: Callable[[], object | None]):
        """The model under ``key``; on a miss ``load()`` makes it (None: nothing to keep, None returned)."""
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            model = load()
            if model is not None:
                self._models[key] = model
                while len(self._models) > self.size:
                    self._models.popitem(last=False)
            return model


@dataclass(frozen=True)
class Server:
    board: Board
    room: RoomDB
    pool: RankingPool
    guesses: Guesses
    models: ModelCache

    @classmethod
    def create(cls, cache) -> Server:
        """A new server state over one cache folder (the app asks ``shared`` for the one it keeps). The room's
        database is ``sim.roomdb.database_url``'s: a SQLite file in the cache folder unless WUJI_DATABASE_URL
        names another."""
        room = RoomDB.open(database_url(cache.root))
        if cache.root is not None:  # several processes over this folder and database train each stage once
            cache.claims = Claims(room)
        return cls(board=create_board(cache), room=room, pool=RankingPool(room), guesses=Guesses(room),
                   models=ModelCache())


_SERVERS: dict[str, Server] = {}  # cache folder -> THE server state over it (see the module docstring)
_SERVERS_LOCK = threading.Lock()


def shared(cache) -> Server:
    """The one ``Server`` of this process over ``cache``'s folder, made on first use."""
    root = str(cache.root)
    with _SERVERS_LOCK:
        if root not in _SERVERS:
            _SERVERS[root] = Server.create(cache)
        return _SERVERS[root]


def forget(cache) -> None:
    """Drop the server state over ``cache``'s folder: the next ``shared`` starts a fresh one (tests)."""
    with _SERVERS_LOCK:
        _SERVERS.pop(str(cache.root), None)
