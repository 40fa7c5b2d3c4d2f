"""A sweep over kl_coef x reward_bias x seeds, as one background stream, and the tables the trade-off
explorer reads from it. Torch-free (torch loads only when a run has to train).

``sweep_stream(cfgs, cache)`` reads each finished run from the cache (``cached_result``, no torch) or
trains it (``sim.pipeline.run_stream``, through ``sim.torch_side()``), yields progress events and one
``Event("sweep", i, n, extra={"row": ...})`` a finished run, and ends with
``Event("done", extra={"result": [row, ...]})``. A row is the run's
summary: ``kl_coef``, ``reward_bias``, ``seed``, ``start`` and ``final`` (the rlhf section's),
``history`` (PPO's), ``reward`` (``pref_accuracy``, ``gold_agreement``), ``seconds``.

``cells`` and ``frontier`` turn rows into seed statistics (mean, sd, min, max) over the grid;
``pooled_overopt`` fits Gao et al.'s forms (sim.overopt) to the pooled points of several runs.
``methods_stream`` runs the other methods (best-of-n, DPO, RLOO, GRPO and its variants, sim.methods.VARIANTS)
through sim.pipeline.method_stream, one after the other, for one setting.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterator

from sim import torch_side
from sim.cache import Cache, cached_result, stage_keys
from sim.config import STAGES, Config
from sim.events import Event
from sim.methods import method_key, variant
from sim.overopt import FORMS, curve, fit_bon, fit_rl, points

FINAL_KEYS = ("capability", "gold_reward", "proxy_reward", "kl", "flattery", "surface_share", "distinct_2", "cut_rate",
              "length", "format_rate")


def grid(base: Config, kls, biases, seeds) -> list[Config]:
    """Every (seed, bias, kl) setting of ``base``, seed-major: the first seed's whole grid comes first, and
    runs that share pretraining, SFT and a reward model follow each other."""
    return [base.replace(kl_coef=k, reward_bias=b, seed=s) for s in seeds for b in biases for k in kls]


def sweep_key(cfgs: list[Config]) -> str:
    """One key for a whole sweep (the Board's single-flight key): the last stage keys of its runs."""
    keys = [stage_keys(c)[STAGES[-1]] for c in cfgs]
    return "sweep-" + hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:20]


def summary(cfg: Config, doc: dict) -> dict:
    """The row of one finished run (what the explorer and ``python -m sim sweep --json`` keep)."""
    return {"kl_coef": cfg.ppo.kl_coef, "reward_bias": cfg.reward.reward_bias, "seed": cfg.seed,
            "start": doc["rlhf"]["start"], "final": doc["rlhf"]["final"], "history": doc["rlhf"]["history"],
            "reward": {k: doc["reward"][k] for k in ("pref_accuracy", "gold_agreement")},
            "sft": {"capability": doc["sft"]["capability"]}, "seconds": doc["seconds"],
            "train_seconds": doc.get("train_seconds", {})}


def missing(cfgs: list[Config], cache: Cache) -> dict[str, int]:
    """How many distinct stages of the sweep are not on disk yet, per stage (for a time estimate)."""
    todo: dict[str, set] = {s: set() for s in STAGES}
    for c in cfgs:
        for s, k in stage_keys(c).items():
            p = cache.path(s, k)
            if p is None or not (p / "manifest.json").exists():
                todo[s].add(k)
    return {s: len(v) for s, v in todo.items()}


def sweep_stream(cfgs: list[Config], cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Read or train every run of ``cfgs`` in order (see the module docstring). Closing the generator stops
    the sweep after the event in hand; finished stages stay cached."""
    cache = cache if cache is not None else Cache(None)
    rows = []
    for i, cfg in enumerate(cfgs):
        doc = cached_result(cfg, cache)
        if doc is None:
            stream = torch_side().run_stream(cfg, cache, device)
            try:
                for ev in stream:
                    if ev.stage == "done":
                        doc = ev.extra["result"]
                    else:  # every step: the Board's Meter times the map's runs from them (sim/speed.py)
                        yield Event(ev.stage, ev.step, ev.total, ev.metrics, ev.evaluated, {"run": i, **ev.extra})
            finally:
                stream.close()
        row = summary(cfg, doc)
        rows.append(row)
        yield Event("sweep", i + 1, len(cfgs), dict(row["final"]), True,
                    {"row": row, "cached": doc["cached"] == list(STAGES)})
    yield Event("done", 1, 1, {}, True, {"result": rows})


# -- tables over the grid -------------------------------------------------------------------------
def stats(values) -> dict:
    """mean, sd (sample; 0 for one value), min, max and n of some numbers."""
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return {"mean": None, "sd": None, "min": None, "max": None, "n": 0}
    mean = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return {"mean": mean, "sd": sd, "min": min(xs), "max": max(xs), "n": len(xs)}


def value(row: dict, metric: str, where: str = "final"):
    """A metric of a row: from ``final`` / ``start`` (PPO), or ``reward.gold_agreement`` style paths."""
    if "." in metric:
        part, key = metric.split(".", 1)
        return row.get(part, {}).get(key)
    return row[where].get(metric)


def cells(rows: list[dict], metric: str, where: str = "final") -> dict[tuple[float, float], dict]:
    """{(reward_bias, kl_coef): stats over the seeds} of one metric."""
    groups: dict[tuple[float, float], list] = {}
    for r in rows:
        groups.setdefault((r["reward_bias"], r["kl_coef"]), []).append(value(r, metric, where))
    return {k: stats(v) for k, v in groups.items()}


def frontier(rows: list[dict], x: str, y: str = "capability") -> dict[float, list[dict]]:
    """{reward_bias: [{"kl_coef", "x": stats, "y": stats}, ... in kl order]}: one curve a bias."""
    cx, cy = cells(rows, x), cells(rows, y)
    out: dict[float, list[dict]] = {}
    for (b, k) in sorted(cx):
        out.setdefault(b, []).append({"kl_coef": k, "x": cx[(b, k)], "y": cy[(b, k)]})
    return out


def starts(rows: list[dict], x: str, y: str = "capability") -> dict[float, dict]:
    """{reward_bias: {"x": stats, "y": stats}} of the SFT model before PPO (one start a bias and seed)."""
    first: dict[tuple[float, int], dict] = {}
    for r in rows:
        first.setdefault((r["reward_bias"], r["seed"]), r["start"])
    groups: dict[float, dict] = {}
    for (b, _), s in sorted(first.items()):
        g = groups.setdefault(b, {"x": [], "y": []})
        g["x"].append(s[x])
        g["y"].append(s[y])
    return {b: {"x": stats(g["x"]), "y": stats(g["y"])} for b, g in groups.items()}


def pooled_overopt(histories: list[list[dict]], form: str = "rl", grid_n: int = 64) -> dict:
    """Gao et al.'s fit (sim.overopt) to the points of several runs at once (gains over each run's start).
    Returns ``{"form", "points", "gold", "proxy", "curves"}`` as ``sim.overopt.overopt`` does."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}; got {form!r}")
    pts = [p for h in histories for p in points(h)]
    out: dict = {"form": form, "points": pts, "gold": None, "proxy": None, "curves": {"gold": [], "proxy": []}}
    d = [p["d"] for p in pts]
    for name in ("gold", "proxy"):
        try:
            f = {"rl": fit_rl, "bon": fit_bon}[form](d, [p[name] for p in pts])
        except ValueError:
            continue
        out[name] = f.as_dict()
        out["curves"][name] = [list(xy) for xy in curve(f, max(d), grid_n)]
    return out


# -- the other methods, one setting ----------------------------------------------------------------
def methods_key(cfg: Config, methods) -> str:
    """The job key of running ``methods`` (method or variant names, sim.methods.VARIANTS) for cfg."""
    return "methods-" + "-".join(method_key(*variant(cfg, m))[:12] for m in methods)


def methods_stream(cfg: Config, methods, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Run (or read) each method of ``methods`` (method or variant names, sim.methods.VARIANTS) for ``cfg`` in turn
    (sim.pipeline.method_stream); the last event's ``extra['result']`` is ``{name: document}``;
    ``Event("methods", i, n)`` marks each one done. Every step's event is passed on: the Board's Meter times the
    methods from them (sim/speed.py), so the next promise of their time is measured."""
    docs = {}
    for i, m in enumerate(methods):
        c, method = variant(cfg, m)
        for ev in torch_side().method_stream(c, method, cache, device):
            if ev.stage == "done":
                docs[m] = ev.extra["result"]
            else:
                yield dataclasses.replace(ev, extra={**ev.extra, "method": m})
        yield Event("methods", i + 1, len(methods), {}, True, {"method": m, "finished": True})
    yield Event("done", 1, 1, {}, True, {"result": docs})
