"""The measured time promises (sim/speed.py): hand-computed sums, the Meter's reading of event times, the
book's blending and memory, and the Board asking for a calibration only while a run cannot be timed."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from sim.cache import Cache
from sim.config import METHODS, preset
from sim.events import Event
from sim.jobs import Board
from sim.speed import BOOK_FILE, Meter, Rate, SpeedBook, evaluations, shape, stage_steps
from sim.sweep import methods_stream, sweep_stream
from ui import texts

FAST = preset("fast")


@pytest.mark.parametrize(("total", "every", "n"), [(800, 200, 5), (250, 125, 3), (24, 3, 9), (10, 4, 4), (0, 175, 1),
                                                   (7, None, 1)])
def test_evaluations_count_step_zero_every_interval_and_the_end(total, every, n):
    assert evaluations(total, every) == n  # e.g. 10 by 4: steps 0, 4, 8 and 10


def test_stage_steps_read_each_stage_and_method_from_its_part():
    assert stage_steps(FAST, "pretrain") == (1000, 5)  # 0, 250, 500, 750, 1000
    assert stage_steps(FAST, "rlhf") == (24, 9)
    assert stage_steps(FAST.replace(pretrain_steps=0), "pretrain") == (0, 1)
    assert stage_steps(FAST, "bon") == (max(FAST.bon.ns), len(FAST.bon.ns)), "an answer a step; a verdict at each n"


def test_the_shape_ignores_the_sliders_but_not_the_model_or_ptx():
    base = shape(FAST, "rlhf")
    assert shape(FAST.replace(kl_coef=1.0, reward_bias=0.9, seed=7, lang="en", lr_scale=2), "rlhf") == base
    assert shape(FAST.replace(ptx_coef=8), "rlhf") != base, "PPO-ptx adds work to every update"
    assert shape(preset("default"), "rlhf") != base, "another model size"
    assert shape(FAST, "sft") != shape(FAST, "pretrain")


def test_the_meter_reads_steps_and_evaluations_and_skips_cached_stages():
    m = Meter()
    m.last = 0.0
    events = [  # (event, the time it arrived)
        (Event("pretrain", 0, 4, {}, True, {"cached": True}), 5.0),  # read from the cache: not timed
        (Event("sft", 0, 4, {}, True), 7.0),  # setup + evaluation: 2 s
        (Event("sft", 1, 4), 8.0), (Event("sft", 2, 4), 9.5), (Event("sft", 3, 4), 10.5),  # steps of 1, 1.5, 1
        (Event("sft", 4, 4, {}, True), 14.0),  # a step and an evaluation: 3.5 s
        (Event("done", 1, 1, {}, True), 20.0),
    ]
    for ev, now in events:
        m.see(ev, now)
    rates = m.rates()
    assert set(rates) == {"sft"} and m.step_s("sft") == pytest.approx(3.5 / 3) and m.step_s("reward") is None
    assert rates["sft"].step_s == pytest.approx(3.5 / 3)  # the mean of 1, 1.5, 1
    assert rates["sft"].eval_s == pytest.approx((2.0 + 3.5) / 2 - 3.5 / 3)
    assert rates["sft"].seconds(5, 2) == pytest.approx(14.0 - 5.0), "five events, two evaluated: the 9 s they took"


def test_a_stage_of_unequal_steps_is_promised_the_time_it_took():
    """An ensemble trains its members (cheap steps), then runs PPO (dear iterations, some evaluated): the Meter's
    rate, summed over the stage's own step and evaluation counts, gives back the time the stage took."""
    cfg = dataclasses.replace(FAST, ensemble=dataclasses.replace(FAST.ensemble, k=2, steps=3),
                              ppo=dataclasses.replace(FAST.ppo, iterations=4, eval_every=2))
    steps, evals = stage_steps(cfg, "ensemble")
    assert (steps, evals) == (2 * 3 + 4, 3), "its PPO evaluates at iterations 0, 2 and 4"
    m, now = Meter(), 0.0
    m.last = now
    times = [0.1] * 6 + [2.0, 5.0, 2.0, 5.0]  # six member steps, then iterations 1-4 (2 and 4 evaluated)
    for i, dt in enumerate(times, start=1):
        now += dt
        m.see(Event("ensemble", i, steps, {}, i > 6 and (i - 6) % 2 == 0), now)
    assert m.rates()["ensemble"].seconds(len(times), 2) == pytest.approx(now)


def test_the_book_sums_blends_remembers_and_survives_a_broken_file(tmp_path):
    book = SpeedBook(tmp_path)
    assert book.estimate(FAST, ["sft"]) is None, "nothing measured: no time is promised"
    book.record(FAST, {"sft": Rate(0.1, 2.0), "rlhf": Rate(1.0, 0.5)})
    assert book.estimate(FAST, ["sft"]) == pytest.approx(600 * 0.1 + 5 * 2.0)  # 70 s
    assert book.estimate(FAST, ["sft", "rlhf"]) == pytest.approx(70 + 24 * 1.0 + 9 * 0.5)
    assert book.estimate(FAST, ["sft", "sft"]) == pytest.approx(140), "a sweep counts a stage once a run"
    assert book.estimate(FAST, ["pretrain", "sft"]) is None
    book.record(FAST.replace(kl_coef=1.0), {"sft": Rate(0.3, 4.0)})  # the same shape: blended half and half
    assert book.rate(FAST, "sft") == Rate(0.2, 3.0, 2)
    again = SpeedBook(tmp_path)
    assert again.rate(FAST, "sft") == Rate(0.2, 3.0, 2), "kept in the cache folder"
    (tmp_path / BOOK_FILE).write_text("{not json")
    assert SpeedBook(tmp_path).estimate(FAST, ["sft"]) is None, "a broken book is measured again"


def test_a_calibration_fills_gaps_and_the_first_run_replaces_it(tmp_path):
    """A calibration's few steps, timed while a page ran, read up to twenty times slow: they fill only what the book
    lacks, and the first run's measurement of the stage replaces them; runs after that blend as before."""
    book = SpeedBook(tmp_path)
    book.record(FAST, {"sft": Rate(0.3, 4.0)}, provisional=True)
    assert book.rate(FAST, "sft") == Rate(0.3, 4.0, 0) and book.estimate(FAST, ["sft"]) == pytest.approx(200.0)
    book.record(FAST, {"sft": Rate(0.02, 0.1)})
    assert book.rate(FAST, "sft") == Rate(0.02, 0.1, 1), "replaced, not blended"
    book.record(FAST, {"sft": Rate(0.9, 9.0), "reward": Rate(0.05, 0.5)}, provisional=True)
    assert book.rate(FAST, "sft") == Rate(0.02, 0.1, 1), "a calibration never overrides a run"
    assert book.rate(FAST, "reward") == Rate(0.05, 0.5, 0)
    book.record(FAST, {"sft": Rate(0.04, 0.3)})
    assert book.rate(FAST, "sft") == Rate(pytest.approx(0.03), pytest.approx(0.2), 2)


def test_a_book_measured_with_another_thread_count_is_measured_again(tmp_path):
    """A server that trains on more threads than the book's times (a Board's book keys its rates by them) promises
    nothing until it has measured itself: a slower count's seconds would be promised as its own."""
    SpeedBook(tmp_path, threads=1).record(FAST, {"sft": Rate(0.2, 3.0)})
    assert SpeedBook(tmp_path, threads=1).rate(FAST, "sft") == Rate(0.2, 3.0)
    two = SpeedBook(tmp_path, threads=2)
    assert two.estimate(FAST, ["sft"]) is None
    two.record(FAST, {"sft": Rate(0.1, 2.0)})
    assert SpeedBook(tmp_path, threads=2).rate(FAST, "sft") == Rate(0.1, 2.0), "kept beside the other count's"
    assert SpeedBook(tmp_path, threads=1).rate(FAST, "sft") == Rate(0.2, 3.0)


def test_remaining_uses_the_live_step_of_the_stage_under_way(tmp_path):
    book = SpeedBook(tmp_path)
    book.record(FAST, {"sft": Rate(0.1, 2.0), "reward": Rate(0.2, 1.0)})
    assert book.remaining(FAST, ["sft", "reward"], {"sft": 1.0}) == pytest.approx(400 * 0.2 + 5 * 1.0)
    m = Meter()
    m.steps["sft"] = [0.3, 0.3]  # the machine is three times slower now than when the book was written
    left = book.remaining(FAST, ["sft", "reward"], {"sft": 0.5}, m)
    assert left == pytest.approx(0.5 * (600 * 0.3 + 5 * 2.0) + 400 * 0.2 + 5 * 1.0)
    assert book.remaining(FAST, ["pretrain"], {}) is None


def test_the_board_asks_for_a_calibration_only_while_a_run_cannot_be_timed(tmp_path, monkeypatch):
    import sim.engine

    gate = threading.Event()

    def calibrate(cfg, cache):  # a stand-in that feeds the Meter as the real one does, without training
        gate.wait(30)
        for stage in ("pretrain", "sft", "reward", "rlhf"):
            yield Event(stage, 0, 4, {}, True)
            yield Event(stage, 1, 4)
            yield Event(stage, 2, 4)
        yield Event("done", 1, 1, {}, True, {"result": None})

    monkeypatch.setattr(sim.engine, "calibrate", calibrate)

    class Folder:
        root = tmp_path

    board = Board(Folder(), workers=1)
    job = board.calibration(FAST, "ann")
    assert job is not None and board.calibration(FAST, "bob") is job, "one measuring for everybody"
    gate.set()
    assert job.join(30) and job.error is None
    assert board.book.estimate(FAST, ["pretrain", "sft", "reward", "rlhf"]) is not None
    assert board.calibration(FAST, "ann") is None, "measured: nothing more to do"
    assert (tmp_path / BOOK_FILE).exists()


def test_an_event_that_covers_several_steps_counts_as_that_many():
    """Best-of-n draws answers in batches: an event at step 24 then 64 is 24 and 40 draws, not two steps."""
    m = Meter()
    m.last = 0.0
    for ev, now in [(Event("bon", 24, 64), 6.0), (Event("bon", 64, 64), 16.0),
                    (Event("bon", 1, 64, {}, True), 17.0), (Event("bon", 64, 64, {}, True), 20.0)]:
        m.see(ev, now)
    assert m.steps["bon"] == [0.25] * 64, "6 s over 24 draws, 10 s over 40"
    rate = m.rates()["bon"]
    assert (rate.step_s, rate.eval_s) == (pytest.approx(0.25), pytest.approx(2.0 - 0.25))
    assert rate.seconds(64, 0) == pytest.approx(16.0), "its 64 draws take the 16 s they took"


def short_tiny(**knobs):
    """The tiny preset with 20-step pretraining, SFT and reward model: a real pipeline in seconds."""
    tiny = preset("tiny", lang="en", pretrain_steps=20, **knobs)
    return dataclasses.replace(tiny, sft=dataclasses.replace(tiny.sft, steps=20, eval_every=10),
                               reward=dataclasses.replace(tiny.reward, steps=20, eval_every=10))


def test_a_run_of_the_methods_teaches_the_board_their_time(tmp_path):
    """Calibration times the pipeline only: the explorer promises the methods' time once this server has trained
    them. A real run of every method (the tiny preset) through a Board's Job leaves a rate for each in the book."""
    cfg, methods = short_tiny(reward_bias=0.9, kl_coef=0.0), list(METHODS)
    board = Board(Cache(tmp_path), workers=1)
    assert all(board.book.estimate(cfg, [m]) is None for m in METHODS), "nothing promised before"
    job = board.submit(cfg, "ann", stream=lambda c, cache: methods_stream(c, methods, cache), key="methods")
    assert job.join(300) and job.error is None, job.error
    for m in METHODS:
        rate = board.book.rate(cfg, m)
        assert rate is not None and rate.step_s > 0, f"{m}: no measured step"
        assert board.book.estimate(cfg, [m]) > 0


def test_the_maps_runs_teach_the_board_every_stage(tmp_path):
    """The explorer's map is a Job too: its runs' steps reach the Meter, so a map measures every stage (it passed
    on only evaluations, and taught the book nothing)."""
    cfgs = [short_tiny(reward_bias=0.0, kl_coef=kl) for kl in (0.0, 0.1)]
    board = Board(Cache(tmp_path), workers=1)
    job = board.submit(cfgs[0], "ann", stream=lambda c, cache: sweep_stream(cfgs, cache), key="map")
    assert job.join(300) and job.error is None, job.error
    for stage in ("pretrain", "sft", "reward", "rlhf"):
        rate = board.book.rate(cfgs[0], stage)
        assert rate is not None and rate.step_s > 0 and rate.runs == 1, stage
    assert len(job.result) == 2 and sum(e.stage == "sweep" for e in job.snapshot()) == 2


def test_a_stages_total_is_its_progress_bars_length():
    assert [FAST.total(s) for s in ("pretrain", "sft", "reward", "rlhf", "bon", "dpo", "rloo")] == \
        [1000, 600, 400, 24, 64, 200, 24]


@pytest.mark.parametrize(("secs", "text"), [(None, "the time appears once this server has measured its speed"),
                                            (0.2, "about 1 s"), (41.4, "about 41 s"), (210, "about 3.5 min")])
def test_a_measured_time_is_said_in_seconds_then_minutes(secs, text):
    assert texts.duration(secs, "en") == text


def test_real_work_goes_before_measuring_the_speed(tmp_path, monkeypatch):
    """A facilitator's run never waits behind the server measuring itself: it goes ahead of a queued
    calibration, and a running one stops after the event in hand (what it measured so far is kept); the next page
    that needs a time asks for the measuring again (a server once left with no promise for the map, for good)."""
    import sim.engine

    gate, ran = threading.Event(), []

    def calibrate(cfg, cache):
        yield Event("pretrain", 0, 4, {}, True)
        yield Event("pretrain", 1, 4)
        gate.wait(30)
        for step in range(2, 5):
            yield Event("pretrain", step, 4)
        yield Event("done", 1, 1, {}, True, {"result": None})

    def real(cfg, cache):
        ran.append(cfg.ppo.kl_coef)
        yield Event("done", 1, 1, {}, True, {"result": {}})

    monkeypatch.setattr(sim.engine, "calibrate", calibrate)

    class Folder:
        root = tmp_path

    board = Board(Folder(), workers=1)
    measuring = board.calibration(FAST, "ann")
    run = board.submit(FAST.replace(kl_coef=0.0), "bob", stream=real, key="bob-run")
    assert measuring.stopping, "the calibration was asked to stop for the real run"
    gate.set()
    assert run.join(30) and ran == [0.0] and run.error is None
    assert measuring.stopped and board.book.rate(FAST, "pretrain") is not None, "its steps so far are kept"
    again = board.calibration(FAST, "ann")
    assert again is not None and again is not measuring, "stopped for work, not failed: it measures again"
