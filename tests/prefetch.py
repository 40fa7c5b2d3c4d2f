"""Train the runs a test reads, on every core at once, before it reads them (no pytest here).

The runs of a test grid are independent chains (a language and seed's pretraining and SFT, then its judges and
PPO runs), and a fast-preset model is too small for torch to keep two threads busy: on this 2-core machine two
processes of one thread each train more runs a minute than one process of two threads. ``train`` groups the
configs by their SFT entry, so that no two processes ask for the same stage, and hands the groups to a pool of
``workers`` processes, each with one torch thread. What lands in the cache is what ``sim.pipeline.run_stream``
trains for each config; the tests then read the results from the cache as before.

One torch thread gives other numbers than two (the last bits differ, and training amplifies them), as the app's
training thread does on this machine; docs/physics.md gives the physics at both.
"""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from sim import torch_side
from sim.cache import Cache, stage_keys
from sim.config import STAGES, Config


def done(cfg: Config, cache: Cache, upto: str = STAGES[-1]) -> bool:
    """Are the stages of ``cfg`` up to ``upto`` in the cache?"""
    keys = stage_keys(cfg)
    return all(cache.complete(s, keys[s]) for s in STAGES[: STAGES.index(upto) + 1])


def _train_group(todo: list[tuple[Config, str]], root: str) -> None:
    engine = torch_side()  # a worker loads torch once
    engine.set_threads(1)
    cache = Cache(root)
    for cfg, upto in todo:
        stream = engine.run_stream(cfg, cache)
        for ev in stream:
            if ev.stage in STAGES and STAGES.index(ev.stage) > STAGES.index(upto):
                stream.close()  # the later stages are not needed
                break


def train(cfgs: list[Config], root: Path, upto: str = STAGES[-1], workers: int | None = None) -> int:
    """Train the stages up to ``upto`` of every config of ``cfgs`` that the cache at ``root`` lacks; return how
    many configs that was."""
    cache = Cache(root)
    todo = [c for c in dict.fromkeys(cfgs) if not done(c, cache, upto)]
    groups: dict[str, list[tuple[Config, str]]] = defaultdict(list)
    for cfg in todo:
        groups[stage_keys(cfg)["sft"]].append((cfg, upto))
    ordered = sorted(groups.values(), key=len, reverse=True)  # the longest chains first: the workers end together
    workers = min(workers or os.cpu_count() or 1, len(ordered))
    if workers <= 1:
        for group in ordered:
            _train_group(group, str(root))
        return len(todo)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for job in [pool.submit(_train_group, group, str(root)) for group in ordered]:
            job.result()
    return len(todo)
