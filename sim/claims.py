"""Single flight across server processes: a stage's cache entry is trained once, whichever process asks (torch-free;
no Streamlit).

``sim.jobs.Board`` keeps one run a configuration inside ONE process. A lecture hall runs several processes (or
machines) over one cache folder and one room database (docs/lecture-hall.md); there the database decides who trains:

1. **Claim.** Before training a stage, a process claims its cache entry's name (``pretrain-<key>``) in the
   ``claims`` table of the room's database (sim/roomdb.py), in one write transaction: it wins when nobody holds
   the name, or when its holder is dead.
2. **Heartbeat.** The winner's ``Turn`` beats from a daemon thread every ``beat_s`` while it trains, writing the
   time and the stage's latest event (its progress and last metrics).
3. **Dead owners.** A holder is dead when it ran on this host and its pid is gone (a killed server), or when its
   last beat is older than ``ttl_s`` (another machine that died or lost the network). The next asker takes the
   claim over and trains the stage itself, starting from the stages before it, which are cached.
4. **Waiting.** A process that finds the name held by a live owner polls every ``poll_s`` until the cache entry
   appears, passing on the owner's latest event each time it changes, marked ``extra["elsewhere"]`` with the
   owner's host, so its visitors see the same progress bars as if they had joined the run.
5. **A journal.** The winner writes a row to ``trainings`` when it starts training (``Turn.started``): who trained
   what, when (a takeover shows as a second row for one entry; the lecture hall's test counts them).
6. **Release.** The winner deletes its claim once the entry is saved, or when the run stops or fails (the
   ``finally`` of the stage's generator); a killed process leaves its claim behind, for step 3.

The owner is ``host:pid:start`` (``start``: when this ``Claims`` was made, in ns), so a pid reused after a restart
is not taken for the old owner. Times are the machines' wall clocks: across machines ``ttl_s`` must exceed their
skew (NTP keeps it far below a second).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator

from sqlalchemy import delete, select, update

from sim.events import Event
from sim.roomdb import RoomDB

TTL_S = 20.0  # a holder silent this long is dead
BEAT_S = 1.0  # how often a holder beats (and publishes its progress)
POLL_S = 1.0  # how often a waiting process looks for the entry and the holder's progress


def alive(pid: int) -> bool:
    """Is there a process ``pid`` on this host (someone else's counts)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _plain(metrics: dict) -> dict:
    """An event's metrics that a JSON column can hold (numbers, text, and dicts of them)."""
    keep = (int, float, str, bool, type(None))
    return {k: v for k, v in metrics.items()
            if isinstance(v, keep) or (isinstance(v, dict) and all(isinstance(x, keep) for x in v.values()))}


class Claims:
    """Who trains which cache entry, in the room's database (see the module docstring). Thread-safe."""

    def __init__(self, db: RoomDB, ttl_s: float = TTL_S, beat_s: float = BEAT_S, poll_s: float = POLL_S,
                 host: str | None = None, pid: int | None = None):
        self.db = db
        self.ttl_s = ttl_s
        self.beat_s = beat_s
        self.poll_s = poll_s
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        self.owner = f"{self.host}:{self.pid}:{time.time_ns()}"

    def claim(self, key: str) -> bool:
        """Take ``key`` (one transaction): True when it was free or its holder is dead. A live holder keeps it, this
        process included: a second run here that needs the same stage waits for it too.

        Race-free without locks, so on PostgreSQL's READ COMMITTED as on SQLite's serial writers: the claim is an
        insert that does nothing when the key is held, and a takeover is a compare-and-swap on the dead holder's
        (owner, beat), which a concurrent taker's update makes match no row."""
        c = self.db.tables.claims
        now = time.time()
        mine = {"owner": self.owner, "host": self.host, "pid": self.pid, "since": now, "beat": now, "progress": None}
        with self.db.write() as conn:
            if self.db.insert_new(conn, c, {"key": key, **mine}, ("key",)):
                return True
            row = conn.execute(select(c).where(c.c.key == key)).first()
            if row is None or not self.dead(row, now):  # None: released meanwhile (the next ask takes it)
                return False
            swap = update(c).where(c.c.key == key, c.c.owner == row.owner, c.c.beat == row.beat).values(**mine)
            return conn.execute(swap).rowcount == 1

    def dead(self, row, now: float | None = None) -> bool:
        """Is a claim's holder dead: its pid gone on this host, or its last beat older than ``ttl_s``?"""
        now = time.time() if now is None else now
        return (row.host == self.host and not alive(row.pid)) or now - row.beat > self.ttl_s

    def beat(self, key: str, event: Event | None = None) -> bool:
        """Mark our claim on ``key`` alive now, with the event in hand; False when it is no longer ours."""
        c = self.db.tables.claims
        progress = None if event is None else {"stage": event.stage, "step": event.step, "total": event.total,
                                               "metrics": _plain(event.metrics), "evaluated": event.evaluated}
        values = {"beat": time.time(), **({"progress": progress} if progress else {})}
        with self.db.write() as conn:
            return conn.execute(update(c).where(c.c.key == key, c.c.owner == self.owner).values(**values)).rowcount == 1

    def release(self, key: str) -> None:
        c = self.db.tables.claims
        with self.db.write() as conn:
            conn.execute(delete(c).where(c.c.key == key, c.c.owner == self.owner))

    def started(self, key: str) -> None:
        """Journal that this process starts training ``key``."""
        with self.db.write() as conn:
            conn.execute(self.db.tables.trainings.insert().values(key=key, owner=self.owner, at=time.time()))

    def trainings(self, key: str) -> list[str]:
        """The owners that started training ``key``, first first."""
        t = self.db.tables.trainings
        with self.db.read() as conn:
            return list(conn.execute(select(t.c.owner).where(t.c.key == key).order_by(t.c.id)).scalars())

    def holder(self, key: str) -> dict | None:
        """{"owner", "host", "pid", "since", "beat", "progress"} of the claim on ``key``, or None."""
        c = self.db.tables.claims
        with self.db.read() as conn:
            row = conn.execute(select(c).where(c.c.key == key)).first()
        return None if row is None else dict(row._mapping)

    def hold(self, key: str) -> Turn:
        """Our turn on ``key`` (claimed already): beating from a daemon thread until ``Turn.release``."""
        return Turn(self, key)


class Turn:
    """The right to train one cache entry. With no ``Claims`` (a process alone, no cache) it does nothing."""

    def __init__(self, claims: Claims | None, key: str):
        self.claims = claims
        self.key = key
        self.lost = False  # the claim was taken over while we trained (we looked dead: a stall longer than ttl_s)
        self._last: Event | None = None
        self._stop = threading.Event()
        self._thread = None
        if claims is not None:
            self._thread = threading.Thread(target=self._beat, name=f"wuji-claim-{key}", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.claims.beat_s):
            try:
                if not self.claims.beat(self.key, self._last):
                    self.lost = True
                    return
            except Exception:  # noqa: BLE001 - a database hiccup: the next beat tries again, ttl_s allows it
                continue

    def started(self) -> None:
        """Journal that the training begins (``Claims.started``)."""
        if self.claims is not None:
            self.claims.started(self.key)

    def tap(self, events: Generator[Event, None, dict | None]) -> Generator[Event, None, dict | None]:
        """Pass a stage's events through, keeping the latest for the next beat; closing this closes the stage."""
        try:
            while True:
                try:
                    ev = next(events)
                except StopIteration as end:
                    return end.value
                self._last = ev
                yield ev
        finally:
            events.close()

    def release(self) -> None:
        """Stop beating and give the claim up (the entry is saved, or the run stopped or failed)."""
        if self.claims is None:
            return
        self._stop.set()
        self._thread.join()
        self.claims.release(self.key)


def wait_turn(claims: Claims | None, key: str, ready: Callable[[], bool]) -> Iterator[Event]:
    """Wait for our turn to train the cache entry ``key`` (a generator; ``yield from`` it): returns a held ``Turn``
    when it is ours to train, or ``None`` as soon as ``ready()`` says another process saved the entry. Meanwhile it
    yields the holder's latest event whenever it changes (``extra["elsewhere"]``: the holder's host)."""
    if claims is None:
        return Turn(None, key)
    shown = None
    while not ready():
        if claims.claim(key):
            return claims.hold(key)
        held = claims.holder(key)
        p = held and held["progress"]
        if p and (p["stage"], p["step"], p["evaluated"]) != shown:
            shown = (p["stage"], p["step"], p["evaluated"])
            yield Event(p["stage"], p["step"], p["total"], p["metrics"], p["evaluated"], {"elsewhere": held["host"]})
        time.sleep(claims.poll_s)
    return None
