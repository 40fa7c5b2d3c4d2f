"""Other ways to align, on PPO's metrics: best-of-n, DPO, RLOO and GRPO, from the same SFT and reward model.
Torch-free: their names, settings check, cache key and result document; ``sim.pipeline.method_stream`` runs them
(each is an entry of the stage table, sim/stages.py).

``run_method(cfg, "bon" | "dpo" | "rloo" | "grpo", cache)`` (sim.pipeline) loads the SFT model and the reward model of
``cfg`` from the pipeline's cache (running the pipeline up to the reward model when they are missing), runs
the method and returns a document shaped like the result's ``rlhf`` section::

    {"method": "dpo", "lang", "seed", "reward_bias", "kl_coef" (the leash RLOO and GRPO used; None for the others),
     "config": {the method's own config}, "reward_key": the reward stage's cache key,
     "start": {...}, "final": {...},             # the first and last history rows (sim.cache.ends)
     "history": [{"step", "kl", "proxy_reward", "gold_reward", "capability", "flattery", "surface_share",
                  "distinct_2", "cut_rate", "length", "format_rate", "per_task",
                  ... the method's training figures}, ...],
     "norm": [centre, scale] of the proxy reward (PPO's), "seconds": float, "cached": bool}

``step`` is n for best-of-n (whose rows also carry ``n``), the optimiser step for DPO and the iteration
for RLOO. Proxy reward is normalised exactly as PPO normalises it, so the points share PPO's axes.
``method_stream`` yields the progress events (the pipeline's, then the method's) and ends with
``Event("done", extra={"result": doc})``. ``cached_method`` reads a finished document.

A method's metrics are cached (no model) under ``<method>-<key>/``, the key hashing the reward stage's
key, the method's config and, for RLOO and GRPO, ``kl_coef``: the pipeline's stage keys are untouched.
For the over-optimisation plot and fits of any history, see ``sim.overopt.overopt`` (FORM says which form).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from sim.cache import Cache, ends, stage_keys
from sim.config import CHECKS, GRPO_REWARDS, METHODS, Config

FORM = {"rlhf": "rl", "rloo": "rl", "dpo": "rl", "grpo": "rl", "bon": "bon"}  # sim.overopt form of each history
ON_LEASH = ("rloo", "grpo")  # the methods that read PPO's kl_coef (so it is in their key and document)


def check(cfg: Config, method: str) -> None:
    """Raise ValueError with a one-line message naming what is allowed."""
    cfg.validate()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if not cfg.bon.ns or any(int(n) != n or n < 1 for n in cfg.bon.ns):
        raise ValueError(f"best-of-n sizes must be positive integers; got {cfg.bon.ns}")
    if cfg.dpo.beta <= 0:
        raise ValueError(f"DPO beta must be positive; got {cfg.dpo.beta}")
    if cfg.rloo.k < 2:
        raise ValueError(f"RLOO needs at least 2 answers a prompt; got k={cfg.rloo.k}")
    if cfg.grpo.k < 2:
        raise ValueError(f"GRPO needs at least 2 answers a prompt; got k={cfg.grpo.k}")
    if cfg.grpo.reward not in GRPO_REWARDS:
        raise ValueError(f"GRPO's reward must be one of {', '.join(GRPO_REWARDS)}; got {cfg.grpo.reward!r}")
    if cfg.grpo.checker not in CHECKS:
        raise ValueError(f"the checker must be one of {', '.join(CHECKS)}; got {cfg.grpo.checker!r}")


def method_key(cfg: Config, method: str) -> str:
    """The cache key of a method's metrics: the reward model it used and its own config."""
    part = {"reward": stage_keys(cfg)["reward"], "method": method,
            "config": dataclasses.asdict(cfg.part(method)), "version": 1}
    if method in ON_LEASH:
        part["kl_coef"] = cfg.ppo.kl_coef
    return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()[:20]


def method_doc(cfg: Config, method: str, metrics: dict, cached: bool) -> dict:
    """The method's document (see the module docstring) from its stored metrics."""
    h = metrics["history"]
    return {"method": method, "lang": cfg.lang, "seed": cfg.seed, "reward_bias": cfg.reward.reward_bias,
            "kl_coef": cfg.ppo.kl_coef if method in ON_LEASH else None,
            "config": dataclasses.asdict(cfg.part(method)), "reward_key": stage_keys(cfg)["reward"],
            **ends(h),
            "history": h, "norm": metrics.get("norm"), "seconds": metrics.get("seconds", 0.0), "cached": cached}


def cached_method(cfg: Config, method: str, cache: Cache) -> dict | None:
    """The method's document when its metrics are cached; otherwise None."""
    hit = cache.load(method, method_key(cfg, method))
    return None if hit is None else method_doc(cfg, method, hit[0], cached=True)
