"""Single flight across server processes (sim/claims.py): of several claimants of one cache entry exactly one wins;
a dead owner's claim (its pid gone on this host, or its heartbeat too old) is taken over; the owner's heartbeat
carries its progress to the waiters; a waiter passes that progress on and stops waiting when the entry is saved;
``sim.pipeline.trained`` trains an entry once, whether its holder finishes it or dies."""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
from sqlalchemy import update

from sim.cache import Cache
from sim.claims import Claims, Turn, alive, wait_turn
from sim.events import Event
from sim.pipeline import trained
from sim.roomdb import RoomDB

KEY = "pretrain-0123456789abcdef0123"


@pytest.fixture()
def url(database) -> str:
    """Each test runs on SQLite and on PostgreSQL (tests/conftest.py ``database``)."""
    return database


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not alive(proc.pid)
    return proc.pid


def age(db: RoomDB, key: str, seconds: float) -> None:
    """Make the last heartbeat on ``key`` ``seconds`` old."""
    c = db.tables.claims
    with db.write() as conn:
        conn.execute(update(c).where(c.c.key == key).values(beat=time.time() - seconds))


def until(check, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_of_eight_claimants_on_their_own_connections_exactly_one_wins(url):
    claimants = [Claims(RoomDB(url)) for _ in range(8)]
    wins: list[Claims] = []
    start = threading.Barrier(len(claimants))

    def ask(c: Claims) -> None:
        start.wait()
        if c.claim(KEY):
            wins.append(c)

    threads = [threading.Thread(target=ask, args=(c,)) for c in claimants]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(wins) == 1
    assert claimants[0].holder(KEY)["owner"] == wins[0].owner
    assert not any(c.claim(KEY) for c in claimants), "a live owner's claim is not taken, nor taken twice by it"


def test_a_claim_whose_pid_is_gone_on_this_host_is_taken_over_at_once(url):
    db = RoomDB(url)
    gone, me = Claims(db, pid=dead_pid()), Claims(db)
    assert gone.claim(KEY)
    assert me.claim(KEY)
    assert me.holder(KEY)["owner"] == me.owner
    assert not gone.beat(KEY), "the old owner's heartbeat no longer holds it"


def test_a_claim_from_another_host_is_taken_over_only_once_its_heartbeat_is_older_than_the_ttl(url):
    db = RoomDB(url)
    far, me = Claims(db, host="other-machine", pid=1), Claims(db, ttl_s=20.0)
    assert far.claim(KEY)
    age(db, KEY, 5.0)
    assert not me.claim(KEY), "its pid cannot be checked from here, and it beat 5 s ago"
    age(db, KEY, 25.0)
    assert me.claim(KEY)
    assert me.holder(KEY)["host"] == me.host


def test_the_heartbeat_keeps_a_claim_alive_and_publishes_the_latest_event_until_release(url):
    db = RoomDB(url)
    owner = Claims(db, beat_s=0.05)
    assert owner.claim(KEY)
    age(db, KEY, 100.0)
    turn = owner.hold(KEY)
    events = (Event("pretrain", s, 40, {"loss": 3.0 - s / 10}) for s in (1, 2, 3))
    seen = list(turn.tap(events))
    assert [e.step for e in seen] == [1, 2, 3]
    assert until(lambda: (owner.holder(KEY)["progress"] or {}).get("step") == 3)
    held = owner.holder(KEY)
    assert time.time() - held["beat"] < 5.0, "the beat replaced the 100 s old one"
    assert held["progress"] == {"stage": "pretrain", "step": 3, "total": 40, "metrics": {"loss": 2.7},
                                "evaluated": False}
    assert not Claims(db, ttl_s=1.0).claim(KEY), "a beating owner is alive"
    turn.release()
    assert owner.holder(KEY) is None


def test_a_turn_taken_over_while_its_owner_stalled_says_so_and_its_release_leaves_the_new_claim(url):
    db = RoomDB(url)
    owner, other = Claims(db, beat_s=0.05, host="stalled", pid=1), Claims(db)
    assert owner.claim(KEY)
    age(db, KEY, 100.0)  # the owner stalled past the ttl
    assert other.claim(KEY)
    turn = owner.hold(KEY)  # its heartbeat wakes up
    assert until(lambda: turn.lost)
    turn.release()
    assert other.holder(KEY)["owner"] == other.owner


def test_a_waiter_passes_the_holders_progress_on_once_each_and_ends_when_the_entry_is_saved(url):
    db = RoomDB(url)
    holder, waiter = Claims(db, host="machine-a", pid=1), Claims(db, poll_s=0.01)
    assert holder.claim(KEY)
    holder.beat(KEY, Event("sft", 5, 60, {"loss": 1.5}))
    ready = {"saved": False}
    waiting = wait_turn(waiter, KEY, lambda: ready["saved"])
    first = next(waiting)
    assert (first.stage, first.step, first.total, first.metrics) == ("sft", 5, 60, {"loss": 1.5})
    assert first.extra == {"elsewhere": "machine-a"}
    holder.beat(KEY, Event("sft", 6, 60, {"loss": 1.4}))
    assert next(waiting).step == 6, "unchanged progress is passed on once"
    ready["saved"] = True
    with pytest.raises(StopIteration) as end:
        next(waiting)
    assert end.value.value is None, "saved elsewhere: nothing to train here"


def test_without_claims_the_turn_is_ours_at_once():
    waiting = wait_turn(None, KEY, lambda: False)
    with pytest.raises(StopIteration) as end:
        next(waiting)
    assert isinstance(end.value.value, Turn) and end.value.value.claims is None


# -- sim.pipeline.trained: the cache entry, trained once -----------------------------------------------------------
def save_entry(cache: Cache, name: str, key: str, value: float) -> None:
    cache.save(name, key, {"history": [{"step": 1, "loss": value}]})


def runner(cache: Cache, name: str, key: str, calls: list):
    """``trained``'s two arguments: load the entry's metrics; train it (counting the calls), saving it."""

    def load():
        hit = cache.load(name, key)
        return None if hit is None else (hit[0], None)

    def train(turn: Turn):
        calls.append(turn.claims is not None and turn.claims.holder(turn.key)["owner"] == turn.claims.owner)
        yield Event(name, 1, 1, {"loss": 0.5})
        save_entry(cache, name, key, 0.5)
        return {"history": [{"step": 1, "loss": 0.5}]}, None

    return load, train


def test_trained_waits_for_the_holder_on_another_server_and_loads_what_it_saved(tmp_path, url):
    cache = Cache(tmp_path / "cache")
    cache.claims = Claims(RoomDB(url), poll_s=0.01)
    far = Claims(RoomDB(url), host="machine-a", pid=1)
    name, key = KEY.split("-")
    assert far.claim(KEY)
    far.beat(KEY, Event(name, 7, 40, {"loss": 2.0}))
    calls: list = []
    load, train = runner(cache, name, key, calls)
    gen = trained(cache, name, key, load, train)
    mirrored = next(gen)
    assert mirrored.extra == {"elsewhere": "machine-a"} and mirrored.step == 7
    save_entry(cache, name, key, 0.25)
    far.release(KEY)
    with pytest.raises(StopIteration) as end:
        next(gen)
    (metrics, _), cached = end.value.value
    assert cached and metrics["history"][0]["loss"] == 0.25 and calls == [], "loaded, never trained here"
    assert cache.claims.trainings(KEY) == []


def test_trained_takes_a_dead_holders_claim_over_trains_once_and_releases_it(tmp_path, url):
    cache = Cache(tmp_path / "cache")
    cache.claims = Claims(RoomDB(url), poll_s=0.01)
    name, key = KEY.split("-")
    assert Claims(RoomDB(url), pid=dead_pid()).claim(KEY)
    calls: list = []
    load, train = runner(cache, name, key, calls)
    events = []
    gen = trained(cache, name, key, load, train)
    try:
        while True:
            events.append(next(gen))
    except StopIteration as end:
        (metrics, _), cached = end.value
    assert calls == [True], "trained once, holding the claim"
    assert cache.claims.trainings(KEY) == [cache.claims.owner]
    assert not cached and [e.metrics for e in events] == [{"loss": 0.5}]
    assert cache.claims.holder(KEY) is None, "released once saved"
    assert json.loads((cache.path(name, key) / "metrics.json").read_text())["history"][0]["loss"] == 0.5
    again: list = []
    load, train = runner(cache, name, key, again)
    assert list(trained(cache, name, key, load, train)) == [] and again == [], "the next asker loads it"
