"""Other ways to align, on PPO's metrics: best-of-n, DPO and RLOO, from the same SFT and reward model.

``run_method(cfg, "bon" | "dpo" | "rloo", cache)`` loads the SFT model and the reward model of ``cfg``
from the pipeline's cache (running the pipeline up to the reward model when they are missing), runs the
method and returns a document shaped like the result's ``rlhf`` section::

    {"method": "dpo", "lang", "seed", "reward_bias", "kl_coef" (the leash RLOO used; None for the others),
     "config": {the method's own config}, "reward_key": the reward stage's cache key,
     "start": {...}, "final": {...},             # the first and last history rows, RLHF_KEYS only
     "history": [{"step", "kl", "proxy_reward", "gold_reward", "capability", "flattery", "length",
                  "format_rate", "per_task", ... the method's training figures}, ...],
     "norm": [centre, scale] of the proxy reward (PPO's), "seconds": float, "cached": bool}

``step`` is n for best-of-n (whose rows also carry ``n``), the optimiser step for DPO and the iteration
for RLOO. Proxy reward is normalised exactly as PPO normalises it, so the points share PPO's axes.
``method_stream`` yields the progress events (the pipeline's, then the method's) and ends with
``Event("done", extra={"result": doc})``. ``cached_method`` reads a finished document without torch.

A method's metrics are cached (no model) under ``<method>-<key>/``, the key hashing the reward stage's
key, the method's config and, for RLOO, ``kl_coef``: the pipeline's stage keys are untouched.
For the over-optimisation plot and fits of any history, see ``sim.overopt.overopt`` (FORM says which form).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator

from sim.config import METHODS, Config
from sim.events import Event
from sim.pipeline import RLHF_KEYS, Cache, run_stream, stage_keys
from sim.world import World

FORM = {"rlhf": "rl", "rloo": "rl", "dpo": "rl", "bon": "bon"}  # sim.overopt form of each kind of history


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


def method_config(cfg: Config, method: str):
    return {"bon": cfg.bon, "dpo": cfg.dpo, "rloo": cfg.rloo}[method]


def method_key(cfg: Config, method: str) -> str:
    """The cache key of a method's metrics: the reward model it used and its own config."""
    part = {"reward": stage_keys(cfg)["reward"], "method": method,
            "config": dataclasses.asdict(method_config(cfg, method)), "version": 1}
    if method == "rloo":
        part["kl_coef"] = cfg.ppo.kl_coef
    return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()[:20]


def _doc(cfg: Config, method: str, metrics: dict, cached: bool) -> dict:
    h = metrics["history"]
    return {"method": method, "lang": cfg.lang, "seed": cfg.seed, "reward_bias": cfg.reward.reward_bias,
            "kl_coef": cfg.ppo.kl_coef if method == "rloo" else None,
            "config": dataclasses.asdict(method_config(cfg, method)), "reward_key": stage_keys(cfg)["reward"],
            "start": {k: h[0][k] for k in RLHF_KEYS}, "final": {k: h[-1][k] for k in RLHF_KEYS},
            "history": h, "norm": metrics.get("norm"), "seconds": metrics.get("seconds", 0.0), "cached": cached}


def cached_method(cfg: Config, method: str, cache: Cache) -> dict | None:
    """The method's document when its metrics are cached (torch is not imported); otherwise None."""
    hit = cache.load(method, method_key(cfg, method))
    return None if hit is None else _doc(cfg, method, hit[0], cached=True)


def load_models(cfg: Config, cache: Cache):
    """(SFT model, reward model) of ``cfg`` from the cache, or None when either is missing."""
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    from sim.model import WujiForSequenceClassification  # registers the Wuji classes with transformers

    hf_logging.disable_progress_bar()
    keys = stage_keys(cfg)
    sft = cache.load("sft", keys["sft"], AutoModelForCausalLM)
    rm = cache.load("reward", keys["reward"], WujiForSequenceClassification)
    return (sft[1], rm[1]) if sft and rm else None


def _sft_and_reward(cfg: Config, cache: Cache, device: str | None) -> Iterator[Event]:
    """Yield the pipeline's events until the reward model is cached; return (sft model, reward model)."""
    models = load_models(cfg, cache)
    if models is not None:
        return models
    stream = run_stream(cfg, cache, device)
    for ev in stream:
        if ev.stage in ("rlhf", "done"):  # both models are on disk: PPO is not needed here
            stream.close()
            break
        yield ev
    models = load_models(cfg, cache)
    if models is None:
        raise RuntimeError(f"the SFT and reward models were not cached ({cache.warning or 'unknown reason'})")
    return models


def method_stream(cfg: Config, method: str, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Run (or load) one method, yielding progress events; the last one's ``extra['result']`` is the document.
    ``device`` (cpu / cuda / auto) is passed to ``sim.device.pick_device``; it is not part of the cache key."""
    check(cfg, method)
    cache = cache if cache is not None else Cache(None)
    key = method_key(cfg, method)
    hit = cache.load(method, key)
    if hit is not None:
        doc = _doc(cfg, method, hit[0], cached=True)
        last = doc["history"][-1]
        yield Event(method, last["step"], last["step"], last, True, {"cached": True})
        yield Event("done", 1, 1, {}, True, {"result": doc})
        return
    if cache.root is None:  # no cache: run the pipeline in a temporary one, then keep the models in memory
        with tempfile.TemporaryDirectory(prefix="wuji-") as tmp:
            sft_model, rm = yield from _sft_and_reward(cfg, Cache(tmp), device)
    else:
        sft_model, rm = yield from _sft_and_reward(cfg, cache, device)

    import torch

    from sim.device import pick_device

    dev = pick_device(device)
    sft_model, rm = sft_model.to(dev), rm.to(dev)

    world = World(cfg.lang, cfg.seed)
    eval_items = world.eval_items(cfg.eval_per_kind)
    t0 = time.perf_counter()
    from sim.ppo import start_norm

    norm = start_norm(rm, sft_model, world, cfg.seed)
    if method == "bon":
        from sim.bestofn import best_of_n

        events = best_of_n(sft_model, rm, world, cfg.bon, cfg.seed, eval_items, norm)
    elif method == "dpo":
        from sim.dpo import dpo

        events = dpo(sft_model, rm, world, cfg.dpo, cfg.reward, cfg.seed, eval_items, norm)
    else:
        from sim.rloo import rloo

        events = rloo(sft_model, rm, world, cfg.rloo, cfg.ppo.kl_coef, cfg.seed, eval_items, norm)
    history = []
    with torch.enable_grad():
        for ev in events:
            if ev.evaluated:
                history.append({"step": ev.step, **ev.metrics})
            yield ev
    metrics = {"history": history, "seconds": time.perf_counter() - t0, "norm": list(norm)}
    cache.save(method, key, metrics)
    yield Event("done", 1, 1, {}, True, {"result": _doc(cfg, method, metrics, cached=False)})


def run_method(cfg: Config, method: str, cache: Cache | None = None,
               on_event: Callable[[Event], None] | None = None, device: str | None = None) -> dict:
    """Run (or load) one method and return its document (see the module docstring)."""
    result = None
    for ev in method_stream(cfg, method, cache, device):
        if on_event is not None:
            on_event(ev)
        if ev.stage == "done":
            result = ev.extra["result"]
    return result
