"""Train the runs the slow tests read on every core at once, in the background while other tests run (no pytest
here).

The runs of a test grid are independent chains (a language and seed's pretraining and SFT, then its judges and
PPO runs). ``Trainer`` groups them by their SFT entry, so that no two processes ask for the same stage, and hands
the groups to a pool of processes with one torch thread each: a fast-preset model is too small for torch to keep
two threads busy, so two processes of one thread train more runs a minute than one process of two threads. The
pool runs at a lower priority (nice 10, as the app's own trainings do): started when a session begins
(tests/conftest.py), it trains on what the other tests leave idle (the browser tests wait on their pages), and the
tests that read the runs wait for it. At nice 19 the whole suite took longer (1366 s against 1214 s in a fresh
clone): the fault and lecture-hall tests, which wait on their servers' trainings, gained less than the pool lost.
What lands in the cache is what ``sim.pipeline.run_stream`` trains for each config.

One torch thread gives other numbers than two (the last bits differ, and training amplifies them), as the app's
training thread does on this machine; docs/physics.md gives the physics at both.
"""

from __future__ import annotations

import os
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path

from sim import torch_side
from sim.cache import Cache, stage_keys
from sim.config import METHODS, STAGES, Config
from sim.methods import method_key

# Seconds a fast-preset stage takes at one thread on this machine (median of the session's cache, 2026-12-02; its
# pretraining scaled from 700 to 1000 steps): the order in which the groups are handed out, longest first, so that
# the workers end together.
STAGE_SECONDS = {"pretrain": 21.0, "sft": 14.0, "reward": 20.0, "rlhf": 4.0, "grpo": 15.0, "ensemble": 35.0}


def entries(cfg: Config, upto: str) -> list[tuple[str, str]]:
    """The cache entries (stage or method, key) of ``cfg`` up to ``upto``: a pipeline stage and those before it, or
    a method (sim/methods.py) and the SFT model and the reward model it starts from."""
    keys = stage_keys(cfg)
    if upto in METHODS:
        return [(s, keys[s]) for s in STAGES[: STAGES.index("reward") + 1]] + [(upto, method_key(cfg, upto))]
    return [(s, keys[s]) for s in STAGES[: STAGES.index(upto) + 1]]


def done(cfg: Config, cache: Cache, upto: str = STAGES[-1]) -> bool:
    """Are the entries of ``cfg`` up to ``upto`` in the cache?"""
    return all(cache.complete(s, key) for s, key in entries(cfg, upto))


def _cost(group: list[tuple[Config, str]], cache: Cache) -> float:
    """The group's missing entries in fast-preset seconds, scaled by the model's width times depth."""
    missing = {entry: c for c, upto in group for entry in entries(c, upto)}
    return sum(STAGE_SECONDS.get(s, 10.0) * c.model.n_embd * c.model.n_layer / 128
               for (s, key), c in missing.items() if not cache.complete(s, key))


def _lower_priority() -> None:
    os.nice(10)


def _train_group(todo: list[tuple[Config, str]], root: str) -> None:
    engine = torch_side()  # a worker loads torch once
    engine.set_threads(1)
    cache = Cache(root)
    for cfg, upto in todo:
        if upto in METHODS:
            engine.run_method(cfg, upto, cache)
            continue
        stream = engine.run_stream(cfg, cache)
        for ev in stream:
            if ev.stage in STAGES and STAGES.index(ev.stage) > STAGES.index(upto):
                stream.close()  # the later stages are not needed
                break


class Trainer:
    """Train ``todo`` ((config, last stage) pairs) into the cache at ``root``: started at once, ``wait()`` for it,
    ``stop()`` to end it early (the cache keeps what was finished)."""

    def __init__(self, todo: list[tuple[Config, str]], root: Path, workers: int | None = None,
                 background: bool = True):
        cache = Cache(root)
        missing = [(c, u) for c, u in dict.fromkeys(todo) if not done(c, cache, u)]
        groups: dict[str, list[tuple[Config, str]]] = defaultdict(list)
        for cfg, upto in missing:
            groups[stage_keys(cfg)["sft"]].append((cfg, upto))
        ordered = sorted(groups.values(), key=lambda g: _cost(g, cache), reverse=True)
        self.count = len(missing)
        self.pool, self.jobs = None, []
        if ordered:
            workers = min(workers or os.cpu_count() or 1, len(ordered))
            self.pool = get_context("spawn").Pool(workers, initializer=_lower_priority if background else None)
            self.jobs = [self.pool.apply_async(_train_group, (group, str(root))) for group in ordered]

    def wait(self) -> int:
        """Block until every run is trained (a worker's error is raised here); return how many there were."""
        for job in self.jobs:
            job.get()
        self.stop()
        return self.count

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def train(cfgs: list[Config], root: Path, upto: str = STAGES[-1]) -> int:
    """Train now, on every core, the stages up to ``upto`` of each config the cache at ``root`` lacks; return how
    many configs that was."""
    return Trainer([(c, upto) for c in cfgs], root, background=False).wait()
