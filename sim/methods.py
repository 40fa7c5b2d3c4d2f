"""Other ways to align, on PPO's metrics: best-of-n, DPO, RLOO, GRPO and PPO on a reward-model ensemble, from the same
SFT model and reward model.
Torch-free: their names, settings check, cache key and result document; ``sim.pipeline.method_stream`` runs them
(each is an entry of the stage table, sim/stages.py).

``run_method(cfg, "bon" | "dpo" | "rloo" | "grpo" | "ensemble", cache)`` (sim.pipeline) loads the SFT model and
the reward model of ``cfg`` from the pipeline's cache (running the pipeline up to the reward model when they are
missing), runs the method and returns a document shaped like the result's ``rlhf`` section::

    {"method": "dpo", "lang", "seed", "reward_bias", "kl_coef" (the leash of RLOO, GRPO and the ensemble's PPO;
     None for the others),
     "config": {the method's own config}, "reward_key": the reward stage's cache key,
     "start": {...}, "final": {...},             # the first and last history rows (sim.cache.ends)
     "history": [{"step", "kl", "proxy_reward", "gold_reward", "capability", "flattery", "surface_share",
                  "distinct_2", "cut_rate", "length", "format_rate", "per_task",
                  ... the method's training figures}, ...],
     "norm": [centre, scale] of the proxy reward (PPO's), "seconds": float, "cached": bool,
     "members": [{"pref_accuracy", "gold_agreement"}, ...] (the ensemble's reward models only)}

``step`` is n for best-of-n (whose rows also carry ``n``), the optimiser step for DPO, the iteration for RLOO and
GRPO, and for the ensemble its members' steps and then PPO's iterations (its rows carry PPO's ``iteration``). Proxy
reward is normalised exactly as PPO normalises it, so the points share PPO's axes; the ensemble's is its cautious
score (sim/ensemble.py), normalised the same way.
``method_stream`` yields the progress events (the pipeline's, then the method's) and ends with
``Event("done", extra={"result": doc})``. ``cached_method`` reads a finished document.

A method's metrics are cached (no model) under ``<method>-<key>/``, the key hashing the reward stage's
key, the method's config and, for the methods on PPO's leash (``ON_LEASH``), ``kl_coef`` (the ensemble: all of PPO's
config): the pipeline's stage keys are untouched.
For the over-optimisation plot and fits of any history, see ``sim.overopt.overopt`` (FORM says which form).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from sim.cache import Cache, ends, stage_keys
from sim.config import CHECKS, CONSERVATIVE, GRPO_REWARDS, METHODS, PART, Config

FORM = {"rlhf": "rl", "rloo": "rl", "dpo": "rl", "grpo": "rl", "ensemble": "rl", "bon": "bon"}  # sim.overopt's form
ON_LEASH = ("rloo", "grpo", "ensemble")  # the methods that read PPO's kl_coef (so it is in their key and document)
# Variants the explorer shows side by side: name -> (method, the settings of its config part that differ).
# A method's own name is its variant with the config as given. GRPO rewarded by a program that checks the answer,
# strictly (exactly right) or sloppily (the right answer anywhere in the text): a verifier that can be hacked.
VARIANTS = {"grpo": ("grpo", {"reward": "checker", "checker": "strict"}),
            "grpo_sloppy": ("grpo", {"reward": "checker", "checker": "sloppy"})}


def base_method(name: str) -> str:
    """The method a variant name runs ("grpo_sloppy" -> "grpo"; "dpo" -> "dpo")."""
    return VARIANTS[name][0] if name in VARIANTS else name


def variant(cfg: Config, name: str) -> tuple[Config, str]:
    """(config, method) of a variant name (``VARIANTS``): cfg with the variant's settings, and the method it runs;
    ``method_key(*variant(cfg, name))`` is the variant's cache key."""
    if name not in VARIANTS:
        return cfg, name
    method, change = VARIANTS[name]
    part = dataclasses.replace(cfg.part(method), **change)
    return dataclasses.replace(cfg, **{PART[method]: part}), method


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
    if not 2 <= cfg.ensemble.k <= 16:
        raise ValueError(f"an ensemble needs 2 to 16 reward models; got {cfg.ensemble.k}")
    if cfg.ensemble.conservative not in CONSERVATIVE:
        raise ValueError(f"the conservative score must be one of {', '.join(CONSERVATIVE)}; "
                         f"got {cfg.ensemble.conservative!r}")


def method_key(cfg: Config, method: str) -> str:
    """The cache key of a method's metrics: the reward model it used and its own config."""
    part = {"reward": stage_keys(cfg)["reward"], "method": method,
            "config": dataclasses.asdict(cfg.part(method)), "version": 2}  # 2: RL never on held-out prompts
    if method in ON_LEASH:
        part["kl_coef"] = cfg.ppo.kl_coef
    if method == "ensemble":  # its PPO is the pipeline's, with its config
        part["ppo"] = dataclasses.asdict(cfg.ppo)
    return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()[:20]


def method_doc(cfg: Config, method: str, metrics: dict, cached: bool) -> dict:
    """The method's document (see the module docstring) from its stored metrics."""
    h = metrics["history"]
    return {"method": method, "lang": cfg.lang, "seed": cfg.seed, "reward_bias": cfg.reward.reward_bias,
            "kl_coef": cfg.ppo.kl_coef if method in ON_LEASH else None,
            "config": dataclasses.asdict(cfg.part(method)), "reward_key": stage_keys(cfg)["reward"],
            **ends(h),
            "history": h, "norm": metrics.get("norm"), "seconds": metrics.get("seconds", 0.0), "cached": cached,
            **{k: metrics[k] for k in ("members",) if k in metrics}}


def cached_method(cfg: Config, method: str, cache: Cache) -> dict | None:
    """The method's document when its metrics are cached; otherwise None."""
    hit = cache.load(method, method_key(cfg, method))
    return None if hit is None else method_doc(cfg, method, hit[0], cached=True)
