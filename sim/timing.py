"""What the speed figures share (sim/bench.py, sim/bench_trl.py): wall time that covers queued GPU work,
contenders timed side by side, and our own contenders, made and run from the stage table (sim/stages.py).
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable

import torch

from sim import stages
from sim.config import Config
from sim.model import WujiForCausalLM, build_lm
from sim.stages import STAGE, Models, Run

HUGE = 10**9  # "never": the iterations / evaluation period of a stage generator driven one call at a time


def sync() -> None:
    """Wait for queued GPU work, so that wall time covers it (nothing to wait for on the CPU)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def seconds(fn: Callable[[], object]) -> float:
    sync()
    t0 = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - t0


def side_by_side(contenders: dict[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict:
    """Seconds of every round of each callable, run interleaved (A B A B ...) after ``warmup`` calls each."""
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            times[name].append(seconds(fn))
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(ts) for name, ts in times.items()}


# -- our contenders -----------------------------------------------------------------------------------
def build_ours(cfg: Config) -> WujiForCausalLM:
    """Our model with the preset's dims over the Chinese world's vocabulary (``bench_run``'s world), seeded
    init, on the CPU."""
    torch.manual_seed(0)
    return build_lm(cfg.model, "zh")


def bench_run(cfg: Config, device: torch.device) -> Run:
    """The stage table's run for timing: the Chinese world of seed 0, one held-out prompt a task kind, the
    reward model measured on 32 pairs, and the stages driven one call at a time (``HUGE``: no end, no
    evaluation after the first)."""
    r = dataclasses.replace
    c = r(cfg, lang="zh", seed=0, eval_per_kind=1, reward=r(cfg.reward, steps=HUGE, eval_every=HUGE, eval_pairs=32),
          ppo=r(cfg.ppo, iterations=HUGE, eval_every=HUGE), dpo=r(cfg.dpo, steps=HUGE, eval_every=HUGE))
    return stages.start(c, device.type)


def stage_steps(name: str, run: Run, models: Models, calls: int = 1) -> Callable[[], object]:
    """``calls`` steps of stage ``name`` a call, its model built as the table builds it from ``models`` (which
    it may freeze or train: pass copies). The first call also does the stage's set-up and first evaluation."""
    stage = STAGE[name]
    it = stage.train(run, stage.build(run, models), models)
    return lambda: [next(it) for _ in range(calls)]
