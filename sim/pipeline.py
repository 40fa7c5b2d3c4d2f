"""Config -> stages -> checkpoints + metrics: the runners over the stage table (sim/stages.py).

``run_stream`` is the pipeline: pretraining, SFT, the reward model and PPO, each read from the disk
cache (sim/cache.py) or trained from the models of the stages before it and cached. ``method_stream``
runs one of the other ways to align (best-of-n, DPO, RLOO; sim/methods.py) after the pipeline's SFT and
reward model, training those first when they are not cached. Both yield progress events, and their last
event, ``Event("done", extra={"result": document})``, carries the result document.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

from sim import stages
from sim.cache import Cache, section, stage_keys
from sim.claims import Turn, wait_turn
from sim.config import STAGES, Config
from sim.events import Event
from sim.methods import check, method_doc, method_key
from sim.stages import STAGE, Models, Run


def stage_stream(run: Run, cache: Cache, name: str, key: str, models: Models):
    """One pipeline stage: its cache entry (its model loaded only when a later stage starts from it), or
    its model built from ``models`` and trained, then cached (once across server processes: ``trained``).
    Yields its events; returns (metrics, model, read from the cache)."""

    def train(turn: Turn):
        t0 = time.perf_counter()
        stage = STAGE[name]
        model = stage.build(run, models)
        metrics = yield from stages.collect(turn.tap(stage.train(run, model, models)))
        metrics["seconds"] = time.perf_counter() - t0
        cache.save(name, key, metrics, model if stage.model is not None else None)
        return metrics, model

    load = lambda: stages.load(cache, name, key, with_model=stages.needed_later(name))  # noqa: E731
    (metrics, model), cached = yield from trained(cache, name, key, load, train)
    if cached:
        yield stages.cached_event(name, run.cfg, metrics)
        model = model.to(run.device) if model is not None else None
    return metrics, model, cached


def trained(cache: Cache, name: str, key: str, load: Callable[[], tuple | None],
            train: Callable[[Turn], Iterator[Event]]):
    """((metrics, model), cached) of the cache entry ``name``-``key``: ``load()``'s when it is there, else
    ``train(turn)``'s (a generator of events that saves the entry and returns (metrics, model)). Trained once
    across server processes sharing the cache (``cache.claims``, sim/claims.py): while another process trains
    it, that run's progress is passed on, and the entry is loaded once it is saved; a dead trainer's claim
    is taken over and the stage trained here."""
    hit = load()
    if hit:
        return hit, True
    turn = (yield from wait_turn(cache.claims, f"{name}-{key}", lambda: cache.complete(name, key))) or Turn(None, key)
    try:
        hit = load()  # saved by another process while we waited (or just before we claimed it)
        if hit:
            return hit, True
        turn.started()
        return (yield from train(turn)), False
    finally:
        turn.release()


def run_stream(cfg: Config, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Run (or load) every stage, yielding progress events; the last event's ``extra['result']``
    holds the whole result document. Closing the generator stops the run; finished stages stay cached.
    ``device`` (cpu / cuda / auto) is passed to ``sim.device.pick_device``; it is not part of any cache key.
    """
    cfg.validate()
    run, cache, keys = stages.start(cfg, device), cache if cache is not None else Cache(None), stage_keys(cfg)
    doc: dict = {"config": dataclasses.asdict(cfg), "seconds": {}, "train_seconds": {}, "cached": []}
    models: Models = {}
    for name in STAGES:  # 1. pretraining (内力) 2. SFT (招式) 3. the reward model (the judges) 4. PPO (处世)
        t0 = time.perf_counter()
        metrics, models[name], cached = yield from stage_stream(run, cache, name, keys[name], models)
        if cached:
            doc["cached"].append(name)
        doc[name] = section(name, metrics)
        doc["seconds"][name] = time.perf_counter() - t0
        doc["train_seconds"][name] = metrics.get("seconds", 0.0)
    doc["seconds"]["total"] = sum(doc["seconds"].values())
    if cache.warning:
        doc["warning"] = cache.warning
    yield Event("done", 1, 1, {}, True, {"result": doc})


def method_stream(cfg: Config, method: str, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Run (or load) one method, yielding progress events; the last one's ``extra['result']`` is the document.
    ``device`` (cpu / cuda / auto) is passed to ``sim.device.pick_device``; it is not part of the cache key."""
    check(cfg, method)
    cache = cache if cache is not None else Cache(None)
    key = method_key(cfg, method)
    hit = cache.load(method, key)
    if hit is not None:
        yield stages.cached_event(method, cfg, hit[0])
        yield Event("done", 1, 1, {}, True, {"result": method_doc(cfg, method, hit[0], cached=True)})
        return
    run = stages.start(cfg, device)
    models = yield from needed_models(run, cache, STAGE[method].needs)

    def train(turn: Turn):
        t0 = time.perf_counter()
        stage = STAGE[method]
        metrics = yield from stages.collect(turn.tap(stage.train(run, stage.build(run, models), models)))
        metrics["seconds"] = time.perf_counter() - t0
        cache.save(method, key, metrics)
        return metrics, None

    (metrics, _), cached = yield from trained(cache, method, key, lambda: cache.load(method, key), train)
    if cached:
        yield stages.cached_event(method, cfg, metrics)
    yield Event("done", 1, 1, {}, True, {"result": method_doc(cfg, method, metrics, cached=cached)})


def needed_models(run: Run, cache: Cache, needs: tuple[str, ...]):
    """The models of the stages ``needs`` from the cache; when any is missing, the pipeline's stages up to the
    last of them run first (yielding their events, caching them) and their models are kept in memory."""
    keys = stage_keys(run.cfg)
    hits = [stages.load(cache, name, keys[name]) for name in needs]
    if all(hits):
        return {name: model.to(run.device) for name, (_, model) in zip(needs, hits)}
    models: Models = {}
    for name in STAGES[: max(STAGES.index(n) for n in needs) + 1]:
        _, models[name], _ = yield from stage_stream(run, cache, name, keys[name], models)
    return models


def final(events: Iterator[Event], on_event: Callable[[Event], None] | None = None) -> dict:
    """The result document of a stream, each event passed to ``on_event`` on the way."""
    result = None
    for ev in events:
        if on_event is not None:
            on_event(ev)
        if ev.stage == "done":
            result = ev.extra["result"]
    return result


def run(cfg: Config, cache: Cache | None = None, on_event: Callable[[Event], None] | None = None,
        device: str | None = None) -> dict:
    """Run the whole pipeline and return the result document (see the README for its keys)."""
    return final(run_stream(cfg, cache, device), on_event)


def run_method(cfg: Config, method: str, cache: Cache | None = None,
               on_event: Callable[[Event], None] | None = None, device: str | None = None) -> dict:
    """Run (or load) one method and return its document (see sim/methods.py)."""
    return final(method_stream(cfg, method, cache, device), on_event)


CALIBRATE_STEPS = {"pretrain": 4, "sft": 4, "reward": 4, "rlhf": 2}  # plain steps timed a stage


def calibrate(cfg: Config, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """A few steps and one evaluation of every stage, on fresh models from the stage table, nothing cached:
    the Board's Meter times the events (sim/speed.py), so a fresh server can say how long a run takes.
    A stage's generator is closed once it has made ``CALIBRATE_STEPS`` plain steps and an evaluation."""
    run, models = stages.start(cfg.validate(), device), {}
    for name in STAGES:
        stage = STAGE[name]
        models[name] = stage.build(run, models)
        gen, plain, evaluated = stage.train(run, models[name], models), 0, False
        for ev in gen:
            yield ev
            plain, evaluated = plain + (not ev.evaluated), evaluated or ev.evaluated
            if plain >= CALIBRATE_STEPS[name] and evaluated:
                break
        gen.close()
    yield Event("done", 1, 1, {}, True, {"result": None})
