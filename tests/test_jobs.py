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
from sim.jobs import Board, config_key, create_board, default_threads, default_workers


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


def test_only_watchers_polling_now_are_counted_or_keep_a_stopped_run(fake_runs):
    """A reloaded tab is a new visitor; the old one stays on the board until ``ttl_s``. The page must not count it
    as somebody waiting ("2 others watch this"), nor may it keep a run going that its last real watcher stopped."""
    calls, release = fake_runs
    board = Board(workers=1, ttl_s=60.0, here_s=0.2)
    job = board.submit(cfg(0.0), "old-tab")
    board.submit(cfg(0.0), "bob")
    board.submit(cfg(0.0), "ann")
    assert board.watchers(job) == 3
    time.sleep(0.3)
    board.touch(job, "ann")
    board.touch(job, "bob")
    assert board.watchers(job) == 2, "the tab that stopped polling is not here now"
    assert not board.cancel(job, "ann"), "bob polls: the run goes on"
    assert board.watchers(job) == 1
    time.sleep(0.3)
    board.touch(job, "bob")
    assert board.cancel(job, "bob"), "only quiet tabs were left: Stop stops it"
    release(0.0)
    assert job.join(5) and job.stopped


def test_a_persons_tabs_count_once_among_the_watchers(fake_runs):
    """A reload is a new tab of the same person (``<person>/<tab>``, ui/session.py): the page must not tell them
    that another participant asked for their settings. Another person is counted."""
    calls, release = fake_runs
    board = Board(workers=1, ttl_s=60.0, here_s=5.0)
    job = board.submit(cfg(0.0), "ann/tab1")
    board.submit(cfg(0.0), "ann/tab2")
    assert board.watchers(job) == 1, "ann reloaded: still one person"
    board.submit(cfg(0.0), "bob/tab1")
    assert board.watchers(job) == 2
    assert not board.cancel(job, "ann/tab1"), "ann's other tab and bob still wait"
    assert board.watchers(job) == 2
    release(0.0)
    assert job.join(5)


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


def test_a_training_takes_every_core_shared_by_the_workers_unless_told(monkeypatch):
    monkeypatch.delenv("WUJI_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert default_threads(4) == 4 and default_threads(1) == 16
    monkeypatch.setenv("WUJI_THREADS", "1")
    assert default_threads(4) == 1
    monkeypatch.setenv("WUJI_THREADS", "all")
    board = create_board(None)
    assert "WUJI_THREADS must be a whole number" in board.warning and board.threads == 16 // board.workers


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


def test_a_prefetch_trains_while_idle_stops_for_work_and_trains_again_after(fake_runs):
    """Issue 16: the other leash stops train while the server is idle; a run somebody waits for never waits
    behind them (the running one stops after the event in hand) and the stopped one trains again afterwards."""
    calls, release = fake_runs
    board = Board(workers=1)
    first = board.prefetch(cfg(0.3), "ann")
    until(lambda: len(calls) == 1)
    later = board.prefetch(cfg(1.0), "ann")
    assert board.watchers(first) == 0, "a prefetch is nobody's wait"
    work = board.submit(cfg(0.1), "bob")
    assert first.stopping and board.place(work) == 1 and board.place(later) == 2, "work goes first"
    release(0.3)  # its worker ends after the event in hand
    until(lambda: work.started_at is not None)
    assert first.stopped and first.result is None
    again = board.live(config_key(cfg(0.3)))
    assert again is not None and again is not first and board.place(again) == 2, "back in the queue, behind"
    release(0.1)
    release(1.0)
    assert work.join(5) and later.join(5) and again.join(5) and again.result == {"kl": 0.3}
    assert [c.ppo.kl_coef for c in calls] == [0.3, 0.1, 1.0, 0.3]


def test_a_visitor_asking_for_a_prefetch_joins_it_and_it_moves_ahead(fake_runs):
    calls, release = fake_runs
    board = Board(workers=1)
    busy = board.submit(cfg(0.0), "ann")
    near, far = board.prefetch(cfg(0.3), "ann"), board.prefetch(cfg(1.0), "ann")
    until(lambda: len(calls) == 1)
    assert board.place(near) == 1 and board.place(far) == 2
    assert board.submit(cfg(1.0), "bob") is far, "single flight: the prefetch is joined, not trained twice"
    assert far.purpose == "work" and board.place(far) == 1 and board.watchers(far) == 1
    assert not busy.stopping, "work does not stop work"
    for kl in (0.0, 1.0, 0.3):
        release(kl)
    assert far.join(5) and near.join(5)
    assert [c.ppo.kl_coef for c in calls] == [0.0, 1.0, 0.3]


def test_a_run_its_visitor_leaves_for_another_stop_goes_on_as_a_prefetch(fake_runs):
    """The leash slider moved on mid-run: the old stop is one of the new settings' prefetches, so it is not thrown
    away, but it makes room for the stop the visitor now waits for and trains again after it."""
    calls, release = fake_runs
    board = Board(workers=1)
    old = board.submit(cfg(0.1), "ann")
    until(lambda: len(calls) == 1)
    assert board.prefetch(cfg(0.1), "ann") is old  # the page asks for the other stops first ...
    new = board.submit(cfg(0.3), "ann")  # ... then for the new one, and leaves the old one
    assert not old.stopping, "work does not stop work"
    assert not board.cancel(old, "ann"), "a prefetch still wants it"
    assert old.purpose == "prefetch" and old.stopping, "now it makes room for the visitor's new stop"
    release(0.1)
    release(0.3)
    assert new.join(5) and new.result == {"kl": 0.3}
    until(lambda: len(calls) == 3)
    assert [c.ppo.kl_coef for c in calls] == [0.1, 0.3, 0.1]


def test_prefetches_of_a_closed_tab_are_dropped_and_a_server_can_turn_them_off(fake_runs, monkeypatch):
    calls, release = fake_runs
    board = Board(workers=1, ttl_s=0.2)
    busy = board.submit(cfg(0.0), "ann")
    queued = board.prefetch(cfg(0.3), "bob")
    time.sleep(0.3)
    board.touch(busy, "ann")  # ann's tab polls; bob's went silent
    assert queued.done and queued.started_at is None, "withdrawn before it trained"
    release(0.0)
    assert busy.join(5) and [c.ppo.kl_coef for c in calls] == [0.0]
    assert Board(workers=1, prefetching=False).prefetch(cfg(0.3), "bob") is None
    monkeypatch.setenv("WUJI_PREFETCH", "sometimes")
    board = create_board(None)
    assert not board.prefetching and "WUJI_PREFETCH must be 1" in board.warning and board.workers >= 1
