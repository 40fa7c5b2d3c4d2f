"""The server's Board: single flight, a bounded queue, watchers that cancel or vanish (closed tabs).

The pipeline is replaced by a controllable fake, so these tests are about scheduling alone."""

import os
import threading
import time

import pytest
import torch  # noqa: F401 - the Board's worker sets torch's threads: loaded once here, not inside a test's timeout

import sim.engine
from sim.config import preset
from sim.events import Event
from sim.jobs import Board, default_workers


@pytest.fixture
def fake_runs(monkeypatch):
    """run_stream that yields one event, waits for its config's gate; records every call."""
    calls, gates = [], {}

    def run_stream(cfg, cache):
        calls.append(cfg)
        gate = gates.setdefault(cfg.ppo.kl_coef, threading.Event())
        yield Event("pretrain", 1, 2, {"train_loss": 1.0})
        gate.wait(10)
        yield Event("pretrain", 2, 2, {"train_loss": 0.5})
        yield Event("done", 1, 1, {}, True, {"result": {"kl": cfg.ppo.kl_coef}})

    monkeypatch.setattr(sim.engine, "run_stream", run_stream)

    def release(kl):
        gates.setdefault(kl, threading.Event()).set()

    return calls, release


def until(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def cfg(kl):
    return preset("fast", kl_coef=kl)


def test_the_same_config_is_trained_once_and_watched_by_all(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1)
    a = board.submit(cfg(0.1), "ann")
    b = board.submit(cfg(0.1), "bob")
    assert a is b and board.watchers(a) == 2
    release(0.1)
    assert a.join(5) and a.result == {"kl": 0.1}
    assert len(calls) == 1, "a second visitor joins the run; nothing is trained twice"
    until(lambda: board.status()["running"] == 0)
    assert board.submit(cfg(0.1), "cat") is not a, "a finished run leaves the board (its result is cached)"


def test_the_queue_is_bounded_in_order_with_places_and_waits(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1, threads=3)
    jobs = [board.submit(cfg(kl), f"v{i}", estimate_s=10) for i, kl in enumerate((0.0, 0.1, 0.3))]
    assert board.status() == {"running": 1, "queued": 2, "workers": 1, "threads": 3}
    assert [board.place(j) for j in jobs] == [0, 1, 2]
    assert jobs[1].queued and not jobs[0].queued and jobs[2].elapsed() == 0.0
    assert 0 < board.wait_s(jobs[1]) <= 10 and 10 < board.wait_s(jobs[2]) <= 20
    release(0.0)
    until(lambda: board.place(jobs[1]) == 0 and not jobs[1].queued and len(calls) == 2, 30)  # its worker is in
    assert jobs[0].result is not None and board.place(jobs[2]) == 1
    assert len(calls) == 2, "the third run has not started: one training at a time"
    release(0.1)
    release(0.3)
    assert jobs[2].join(5) and [c.ppo.kl_coef for c in calls] == [0.0, 0.1, 0.3]


def test_two_workers_train_two_configs_at_once(fake_runs):
    calls, release = fake_runs
    board = Board(workers=2)
    a, b = (board.submit(cfg(kl), "v", estimate_s=10) for kl in (0.0, 0.1))
    c = board.submit(cfg(0.3), "v")  # not measured: no time is promised for it
    until(lambda: len(calls) == 2)
    assert board.place(c) == 1 and 0 < board.wait_s(c) <= 10 and board.done_in_s(c) is None
    for kl in (0.0, 0.1, 0.3):
        release(kl)
    assert all(j.join(5) for j in (a, b, c))


def test_cancel_drops_one_watcher_and_stops_only_an_unwatched_run(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1)
    running = board.submit(cfg(0.0), "ann")
    board.submit(cfg(0.0), "bob")
    queued = board.submit(cfg(0.1), "ann")
    assert board.cancel(queued, "ann") and queued.done and queued.stopped
    assert board.status()["queued"] == 0, "a queued run nobody waits for leaves the queue"
    assert not board.cancel(running, "ann"), "bob still watches: the run goes on"
    assert not running.done
    assert board.cancel(running, "bob")
    release(0.0)
    assert running.join(5) and running.stopped and running.result is None
    assert [c.ppo.kl_coef for c in calls] == [0.0], "the cancelled queued run never trained"


def test_a_watcher_silent_past_the_ttl_is_dropped_like_a_closed_tab(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1, ttl_s=0.2)
    running = board.submit(cfg(0.0), "ann")
    queued = board.submit(cfg(0.1), "gone")
    for _ in range(5):
        time.sleep(0.08)
        board.touch(running, "ann")  # ann's page keeps polling; "gone" closed the tab
    assert queued.done and queued.stopped and board.status()["queued"] == 0
    assert not running.done
    release(0.0)
    assert running.join(5) and running.result is not None


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5", "999"])
def test_a_bad_worker_count_gets_a_clear_message(monkeypatch, raw):
    monkeypatch.setenv("WUJI_WORKERS", raw)
    with pytest.raises(ValueError, match="WUJI_WORKERS must be a whole number from 1 to 64"):
        default_workers()


def test_worker_count_default_and_override(monkeypatch):
    monkeypatch.delenv("WUJI_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert default_workers() == 4, "one training per four cores"
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert default_workers() == 1, "at least one"
    monkeypatch.setenv("WUJI_WORKERS", "3")
    assert default_workers() == 3


def test_a_stopping_run_counts_as_ending_now_in_the_wait_of_the_queue(fake_runs):
    """Issue 12, item 11: a running Job stopped because nobody watched it any more stays among the running ones
    until its worker ends; the queued message asked ``wait_s`` then and got a KeyError (25 in a server log)."""
    calls, release = fake_runs
    board = Board(workers=1)
    running = board.submit(cfg(0.0), "ann", estimate_s=100)
    queued = board.submit(cfg(0.1), "bob", estimate_s=10)
    until(lambda: len(calls) == 1)
    assert board.wait_s(queued) > 50 and board.done_in_s(queued) > 60
    assert board.cancel(running, "ann") and running.stopping, "its worker waits for the event in hand"
    assert board.status()["running"] == 1 and board.place(queued) == 1
    assert board.wait_s(queued) == 0.0 and board.done_in_s(queued) == 10.0
    release(0.0)
    until(lambda: not queued.queued)
    assert running.stopped and running.result is None and board.wait_s(queued) == 0.0
    release(0.1)
    assert queued.join(5) and queued.result == {"kl": 0.1}


def test_a_live_job_is_found_by_its_key_until_it_ends(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1)
    job = board.submit(cfg(0.0), "ann", key="sweep-1")
    assert board.live("sweep-1") is job and board.live("sweep-2") is None
    assert board.submit(cfg(0.3), "bob", key="sweep-1") is job, "a later visitor joins it by its key"
    release(0.0)
    assert job.join(5)
    until(lambda: board.live("sweep-1") is None)


def test_closing_the_board_stops_its_trainings_and_withdraws_its_queue(monkeypatch):
    """What the process runs at exit: a training killed mid-step with torch's threads at work aborts Python."""

    def run_stream(cfg, cache):
        while True:
            yield Event("pretrain", 1, 2, {"train_loss": 1.0})
            time.sleep(0.01)

    monkeypatch.setattr(sim.engine, "run_stream", run_stream)
    board = Board(workers=1)
    running, queued = board.submit(cfg(0.1), "ann"), board.submit(cfg(0.3), "bob")
    until(lambda: running.snapshot())
    assert queued.queued
    board.close(timeout_s=5)
    assert running.done and running.stopped, "the running training ended after the event in hand"
    assert queued.done and queued.stopped and queued.started_at is None, "the queued one never started"
    assert board.status()["running"] == board.status()["queued"] == 0
