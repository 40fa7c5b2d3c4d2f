"""The room that survives (issue 15): votes, rankings, retraining results and the presenter's step live in a
database (sim/roomdb.py), so a new server over the same cache folder finds them all; take-back removes one
participant's rows only; writers on several threads and connections lose nothing; the facilitator's CSV export
and reset."""

from __future__ import annotations

import csv
import io
import multiprocessing
import random
import threading

import pytest

from sim import roomdb
from sim.cache import Cache
from sim.room import RankingPool
from sim.roomdb import RoomDB, database_url
from sim.server import Guesses, Server, forget, shared
from sim.world import World


@pytest.fixture()
def world() -> World:
    return World("en", 0)


def pair(world: World, n: int = 1):
    """An item and two different answers (the right one, and a flattering wrong one)."""
    it = world.make_item("add", random.Random(n))
    return it, world.render(it.answer), world.render("0" if it.answer != "0" else "1", False, (0,))


def test_the_default_database_is_a_file_in_the_cache_folder_unless_the_url_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv(roomdb.ENV, raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'room.sqlite'}"
    assert database_url(None) == "sqlite://", "no cache folder: in memory"
    monkeypatch.setenv(roomdb.ENV, "postgresql://wuji:secret@db.example/wuji")
    assert database_url(tmp_path) == "postgresql://wuji:secret@db.example/wuji"


def test_a_database_that_cannot_be_opened_falls_back_to_memory_with_a_message(tmp_path):
    db = RoomDB.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'room.sqlite'}")
    assert db.url == "sqlite://" and "could not be opened" in db.warning and "restart loses them" in db.warning
    Guesses(db).vote("q", "ann", "up")
    assert Guesses(db).tally("q")["up"] == 1, "the room still works, in memory"
    bad = RoomDB.open("postgresql://wuji:hunter2@127.0.0.1:1/wuji")
    assert bad.warning and "hunter2" not in bad.warning, "the URL's password is never shown"
    assert RoomDB.open("not a url").warning


def test_a_restarted_server_keeps_every_vote_ranking_result_and_the_presenters_step(tmp_path, monkeypatch, world):
    monkeypatch.delenv(roomdb.ENV, raising=False)
    cache = Cache(tmp_path)
    first = shared(cache)
    for i in range(10):
        first.guesses.vote("capability@bias=0.9", f"phone-{i}", ("up", "flat", "down")[i % 3])
    first.guesses.vote("capability@bias=0.9", "phone-0", "down")  # a changed vote counts once
    made = [first.pool.add(f"phone-{i}", world, *pair(world, i), "ab"[i % 2]) for i in range(5)]
    first.pool.remember("room-key", {"people": 5, "reward": {"flattery_pref": 0.75}})
    first.room.follow(6, {"kl": 0.0, "bias": 0.9, "step": 6})
    forget(cache)  # the process's state is gone, as after a restart; the file stays

    again = shared(cache)
    assert again is not first and (tmp_path / "room.sqlite").exists()
    assert again.guesses.tally("capability@bias=0.9") == {"up": 3, "flat": 3, "down": 4}
    assert again.guesses.guess("capability@bias=0.9", "phone-0") == "down"
    kept = again.pool.rankings(world)
    assert kept == made, "every ranking, with its item, answers, choice and id"
    assert again.pool.result("room-key") == {"people": 5, "reward": {"flattery_pref": 0.75}}
    assert again.room.presenter()["step"] == 6 and again.room.presenter()["settings"]["bias"] == 0.9
    assert again.pool.rankings(World("zh", 0)) == [], "a world's rankings only"


def test_take_back_deletes_exactly_one_participants_rankings(world):
    db = RoomDB()
    pool, guesses = RankingPool(db), Guesses(db)
    for who in ("ann", "bob", "cat"):
        for i in range(3):
            pool.add(who, world, *pair(world, i), "a")
        guesses.vote("q", who, "up")
    assert pool.take_back("bob") == 3
    assert [r.who for r in pool.rankings(world)] == ["ann"] * 3 + ["cat"] * 3
    assert guesses.tally("q")["up"] == 3, "take-back is of rankings: the guesses stay"
    assert pool.take_back("bob") == 0 and pool.take_back("nobody") == 0


def test_writers_on_many_threads_and_two_connections_lose_nothing(database, world):
    url = database
    servers = [RoomDB(url), RoomDB(url)]  # two engines on one database: as two server processes
    errors = []

    def participant(i: int):
        db = servers[i % 2]
        try:
            for k in range(20):
                Guesses(db).vote(f"q{k % 4}", f"tab-{i}", ("up", "flat", "down")[(i + k) % 3])
                RankingPool(db).add(f"tab-{i}", world, *pair(world, k), "ab"[k % 2])
        except Exception as e:  # any failure is the finding
            errors.append(repr(e))

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = RoomDB(url)
    assert len(RankingPool(check).rankings(world)) == 12 * 20
    assert len({r.id for r in RankingPool(check).rankings(world)}) == 240, "one id a ranking"
    assert all(sum(Guesses(check).tally(f"q{k}").values()) == 12 for k in range(4))


def vote_from_a_process(url: str, who: str, n: int) -> None:
    """A second server process's writers: four threads, ``n`` votes and rankings each."""
    world, db = World("en", 0), RoomDB(url)

    def tab(i: int):
        for k in range(n):
            Guesses(db).vote(f"q{k}", f"{who}-{i}", "up")
            RankingPool(db).add(f"{who}-{i}", world, *pair(world, k), "a")

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_writers_in_two_processes_on_one_database_lose_nothing(database, world):
    url = database
    RoomDB(url)  # the tables, made once before the processes race
    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=vote_from_a_process, args=(url, who, 15)) for who in ("left", "right")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    check = RoomDB(url)
    assert len(RankingPool(check).rankings(world)) == 2 * 4 * 15
    assert all(Guesses(check).tally(f"q{k}")["up"] == 8 for k in range(15))


def test_a_full_room_refuses_with_a_message_and_loses_nothing(world, monkeypatch):
    monkeypatch.setattr("sim.room.MAX_RANKINGS", 2)
    pool = RankingPool()
    pool.add("ann", world, *pair(world), "a")
    pool.add("ann", world, *pair(world), "b")
    with pytest.raises(ValueError, match="already holds 2 rankings"):
        pool.add("bob", world, *pair(world), "a")
    assert [r.choice for r in pool.rankings(world)] == ["a", "b"]


def test_the_presenters_step_is_written_when_it_changes():
    db = RoomDB()
    assert db.presenter() is None
    db.follow(2, {"step": 2, "kl": 0.1})
    at = db.presenter()["at"]
    db.follow(2, {"step": 2, "kl": 0.1})
    assert db.presenter()["at"] == at, "the same step: nothing written"
    db.follow(3, {"step": 3, "kl": 0.1})
    assert db.presenter()["step"] == 3


def test_results_keep_the_newest_few():
    pool = RankingPool(results=3)
    for i in range(5):
        pool.remember(f"k{i}", {"i": i})
    assert [pool.result(f"k{i}") for i in range(5)] == [None, None, {"i": 2}, {"i": 3}, {"i": 4}]


def test_the_facilitator_exports_the_room_as_csv_and_resets_it(world):
    db = RoomDB()
    Guesses(db).vote("capability@kl=0", "ann", "up")
    Guesses(db).vote("capability@kl=0", "bob", "down")
    ranking = RankingPool(db).add("ann", world, *pair(world), "b")
    db.follow(6, {"step": 6, "kl": 0.0})
    rows = list(csv.DictReader(io.StringIO(db.export_csv())))
    assert [r["kind"] for r in rows] == ["presenter", "guess", "guess", "ranking"]
    assert rows[0]["question"] == "step 6" and "kl=0.0" in rows[0]["detail"]
    assert {(r["participant"], r["choice"]) for r in rows[1:3]} == {("ann", "up"), ("bob", "down")}
    assert (rows[3]["id"], rows[3]["participant"], rows[3]["choice"], rows[3]["answer_b"]) == (
        str(ranking.id), "ann", "b", ranking.b[0])
    assert db.counts() == {"rankings": 1, "results": 0, "guesses": 2, "presenter": 1}
    assert db.reset() == {"rankings": 1, "results": 0, "guesses": 2, "presenter": 1}
    assert db.counts() == dict.fromkeys(("rankings", "results", "guesses", "presenter"), 0)
    assert len(list(csv.reader(io.StringIO(db.export_csv())))) == 1, "the header alone"


def test_the_server_object_shares_one_database_between_its_parts(tmp_path, monkeypatch):
    monkeypatch.delenv(roomdb.ENV, raising=False)
    server = Server.create(Cache(tmp_path))
    assert server.pool.db is server.room and server.guesses.db is server.room and server.room.warning is None
