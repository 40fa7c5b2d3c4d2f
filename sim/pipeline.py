"""Config -> stages -> checkpoints + metrics, with an on-disk cache.

One frozen dataclass per stage; the cache key of a stage is the hash of its own config and of
every stage before it, so changing only ``kl_coef`` reuses pretraining, SFT and the reward model,
and changing ``reward_bias`` reuses pretraining and SFT.

A cache entry is a folder ``<stage>-<key>/`` holding ``model/`` (``save_pretrained``: safetensors
weights + config.json), ``metrics.json`` and, written last, ``manifest.json`` with the SHA-256 of
every file. It is built in a temporary folder and renamed into place (atomic on one file system);
an entry whose manifest is missing or whose files do not match is deleted and rebuilt, never loaded.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sim.config import (  # noqa: F401 (re-exported)
    BIAS_RANGE,
    KL_RANGE,
    PRESETS,
    STAGES,
    Config,
    ModelConfig,
    key_fields,
    preset,
)
from sim.events import Event, seeded
from sim.world import VOCABS, World


def stage_keys(cfg: Config) -> dict[str, str]:
    """Each stage's cache key: a hash of its config and of all the stages before it."""
    common = {"lang": cfg.lang, "seed": cfg.seed, "eval_per_kind": cfg.eval_per_kind,
              "model": dataclasses.asdict(cfg.model), "vocab": VOCABS[cfg.lang].tokens, "version": 3}
    keys, chain = {}, json.dumps(common, sort_keys=True)
    for stage, part in zip(STAGES, (cfg.pretrain, cfg.sft, cfg.reward, cfg.ppo)):
        chain += json.dumps(key_fields(part), sort_keys=True)
        keys[stage] = hashlib.sha256(chain.encode()).hexdigest()[:20]
    return keys


def default_cache_dir() -> Path:
    env = os.environ.get("WUJI_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wuji"


class Cache:
    """Stage results on disk. ``Cache(None)`` keeps nothing (``--no-cache``)."""

    def __init__(self, root: str | os.PathLike | None = "default"):
        self.root = None if root is None else (default_cache_dir() if root == "default" else Path(root))
        self.warning = None
        if self.root is not None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                probe = tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-", delete=True)
                probe.close()
                self.sweep_leftovers()
            except OSError as e:
                self.warning = f"cache folder {self.root} is not writable ({e.strerror}); running without a cache"
                self.root = None

    def sweep_leftovers(self) -> list[str]:
        """Remove the half-written ``.tmp-<stage>-<pid>-*`` folders of processes that died mid-write
        (a killed server); a living process's folder is left alone. Returns the names removed."""
        gone = []
        for tmp in self.root.glob(".tmp-*"):
            parts = tmp.name.split("-")
            pid = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else None
            if pid is not None and _alive(pid):
                continue
            if pid is None and time.time() - tmp.stat().st_mtime < 3600:  # an unknown writer: wait an hour
                continue
            shutil.rmtree(tmp, ignore_errors=True)
            gone.append(tmp.name)
        return gone

    def path(self, stage: str, key: str) -> Path | None:
        return None if self.root is None else self.root / f"{stage}-{key}"

    def load(self, stage: str, key: str, model_cls=None):
        """(metrics, model or None) of a complete, intact entry; None (and the entry removed) otherwise."""
        p = self.path(stage, key)
        if p is None or not p.exists():
            return None
        try:
            manifest = json.loads((p / "manifest.json").read_text())
            for rel, digest in manifest["files"].items():
                if _sha256(p / rel) != digest:
                    raise ValueError(f"{rel} does not match its checksum")
            metrics = json.loads((p / "metrics.json").read_text())
            model = model_cls.from_pretrained(p / "model") if model_cls is not None else None
            return metrics, model
        except (OSError, ValueError, KeyError) as e:
            self.warning = f"cache entry {p.name} was corrupt ({e}); rebuilt"
            shutil.rmtree(p, ignore_errors=True)
            return None

    def save(self, stage: str, key: str, metrics: dict, model=None) -> None:
        p = self.path(stage, key)
        if p is None:
            return
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{stage}-{os.getpid()}-", dir=self.root))
            if model is not None:
                model.save_pretrained(tmp / "model")
            (tmp / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False))
            files = {str(f.relative_to(tmp)): _sha256(f) for f in sorted(tmp.rglob("*")) if f.is_file()}
            (tmp / "manifest.json").write_text(json.dumps({"files": files}))
            if p.exists():
                shutil.rmtree(p, ignore_errors=True)
            os.replace(tmp, p)
        except OSError as e:
            self.warning = f"could not write the cache ({e.strerror}); results are kept in memory only"
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- running the stages ----------------------------------------------------------------------------
# Per stage: the metrics its section summarises from its last evaluation, and what else it stored.
SUMMARY = {
    "pretrain": (("val_loss", "probe_accuracy"), ("samples",)),
    "sft": (("capability", "format_rate", "per_task"), ("answers",)),
    "reward": (("pref_accuracy", "gold_agreement"), ()),
}
RLHF_KEYS = ("proxy_reward", "gold_reward", "kl", "capability", "flattery", "length", "format_rate", "per_task")


def _part(stage: str, metrics: dict) -> dict:
    """A stage's section of the result document, from what the stage stored."""
    h = metrics["history"]
    if stage == "rlhf":
        return {"start": {k: h[0][k] for k in RLHF_KEYS}, "final": {k: h[-1][k] for k in RLHF_KEYS},
                "history": h, "green_grey": metrics["green_grey"]}
    names, stored = SUMMARY[stage]
    last = h[-1] if h else {}
    return {**{k: last.get(k) for k in names}, "history": h, **{k: metrics[k] for k in stored}}


def _collect(events: Iterator[Event], sink: list, extra: dict) -> Iterator[Event]:
    for ev in events:
        if ev.evaluated:
            sink.append({"step": ev.step, **ev.metrics})
            extra.update(ev.extra)
        yield ev


def run_stream(cfg: Config, cache: Cache | None = None, device: str | None = None) -> Iterator[Event]:
    """Run (or load) every stage, yielding progress events; the last event's ``extra['result']``
    holds the whole result document. Closing the generator stops the run; finished stages stay cached.
    ``device`` (cpu / cuda / auto) is passed to ``sim.device.pick_device``; it is not part of any cache key.
    """
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    from sim import evaluate, timeline
    from sim.device import pick_device
    from sim.model import WujiConfig, WujiForCausalLM, WujiForSequenceClassification, init_std_residual
    from sim.ppo import ppo
    from sim.pretrain import pretrain
    from sim.reward import train_reward
    from sim.sft import sft

    cfg.validate()
    dev = pick_device(device)
    cache = cache if cache is not None else Cache(None)
    keys = stage_keys(cfg)
    world = World(cfg.lang, cfg.seed)
    eval_items = world.eval_items(cfg.eval_per_kind)
    answers_to = timeline.items(world)  # the sample timeline's fixed prompts (sim/timeline.py)
    doc: dict = {"config": dataclasses.asdict(cfg), "seconds": {}, "train_seconds": {}, "cached": []}
    mc = cfg.model

    # Stage 1: pretraining (内力)
    t0 = time.perf_counter()
    hit = cache.load("pretrain", keys["pretrain"], AutoModelForCausalLM)
    if hit:
        metrics, lm = hit
        lm = lm.to(dev)
        doc["cached"].append("pretrain")
        yield Event("pretrain", cfg.pretrain.steps, cfg.pretrain.steps, metrics["history"][-1], True,
                    {"cached": True})
    else:
        seeded("init", cfg.lang, cfg.seed)
        lm = WujiForCausalLM(WujiConfig(vocab_size=len(world.vocab), n_positions=mc.n_positions, n_embd=mc.n_embd,
                                        n_layer=mc.n_layer, n_head=mc.n_head))
        init_std_residual(lm)
        lm = lm.to(dev)  # initialised on the CPU: the same weights on every device
        history, extra = [], {"samples": []}
        events = timeline.record(pretrain(lm, world, cfg.pretrain, cfg.seed), lambda: lm, world, answers_to)
        for ev in _collect(events, history, {}):
            if ev.evaluated:
                extra["samples"].append({"step": ev.step, "text": ev.extra["sample"]})
            yield ev
        metrics = {"history": history, **extra, "seconds": time.perf_counter() - t0}
        cache.save("pretrain", keys["pretrain"], metrics, lm)
    doc["pretrain"] = _part("pretrain", metrics)
    doc["seconds"]["pretrain"] = time.perf_counter() - t0
    doc["train_seconds"]["pretrain"] = metrics.get("seconds", 0.0)

    # Stage 2: SFT (招式)
    t0 = time.perf_counter()
    hit = cache.load("sft", keys["sft"], AutoModelForCausalLM)
    if hit:
        metrics, lm = hit
        lm = lm.to(dev)
        doc["cached"].append("sft")
        yield Event("sft", cfg.sft.steps, cfg.sft.steps, metrics["history"][-1], True, {"cached": True})
    else:
        base_answers = evaluate.show_answers(lm, world, eval_items[:: cfg.eval_per_kind], 8)
        history = []
        events = timeline.record(sft(lm, world, cfg.sft, cfg.seed, eval_items), lambda: lm, world, answers_to)
        for ev in _collect(events, history, {}):
            yield ev
        sft_answers = evaluate.show_answers(lm, world, eval_items[:: cfg.eval_per_kind], 8)
        metrics = {"history": history, "seconds": time.perf_counter() - t0, "answers": [
            {"prompt": b["prompt"], "base": b["answer"], "sft": s["answer"],
             "base_correct": b["correct"], "sft_correct": s["correct"]} for b, s in zip(base_answers, sft_answers)]}
        cache.save("sft", keys["sft"], metrics, lm)
    doc["sft"] = _part("sft", metrics)
    doc["seconds"]["sft"] = time.perf_counter() - t0
    doc["train_seconds"]["sft"] = metrics.get("seconds", 0.0)
    sft_model = lm

    # Stage 3: the reward model (the judges)
    t0 = time.perf_counter()
    hit = cache.load("reward", keys["reward"], WujiForSequenceClassification)
    if hit:
        metrics, rm = hit
        rm = rm.to(dev)
        doc["cached"].append("reward")
        yield Event("reward", cfg.reward.steps, cfg.reward.steps, metrics["history"][-1], True, {"cached": True})
    else:
        rm = WujiForSequenceClassification.from_causal_lm(sft_model).to(dev)
        history = []
        for ev in _collect(train_reward(rm, world, cfg.reward, cfg.seed), history, {}):
            yield ev
        metrics = {"history": history, "seconds": time.perf_counter() - t0}
        cache.save("reward", keys["reward"], metrics, rm)
    doc["reward"] = _part("reward", metrics)
    doc["seconds"]["reward"] = time.perf_counter() - t0
    doc["train_seconds"]["reward"] = metrics.get("seconds", 0.0)

    # Stage 4: PPO against the reward model, leashed to the SFT model (处世)
    t0 = time.perf_counter()
    hit = cache.load("rlhf", keys["rlhf"])
    if hit:
        metrics, _ = hit
        doc["cached"].append("rlhf")
        yield Event("rlhf", cfg.ppo.iterations, cfg.ppo.iterations, metrics["history"][-1], True, {"cached": True})
    else:
        policy = copy.deepcopy(sft_model)
        history, extra = [], {}
        with torch.enable_grad():
            events = timeline.record(ppo(policy, rm, world, cfg.ppo, cfg.seed, eval_items), lambda: policy, world,
                                     answers_to)
            for ev in _collect(events, history, extra):
                yield ev
        metrics = {"history": history, "green_grey": extra.get("green_grey", []), "seconds": time.perf_counter() - t0}
        cache.save("rlhf", keys["rlhf"], metrics, policy)
    doc["rlhf"] = _part("rlhf", metrics)
    doc["seconds"]["rlhf"] = time.perf_counter() - t0
    doc["train_seconds"]["rlhf"] = metrics.get("seconds", 0.0)
    doc["seconds"]["total"] = sum(doc["seconds"].values())
    if cache.warning:
        doc["warning"] = cache.warning
    yield Event("done", 1, 1, {}, True, {"result": doc})


def run(cfg: Config, cache: Cache | None = None, on_event: Callable[[Event], None] | None = None,
        device: str | None = None) -> dict:
    """Run the whole pipeline and return the result document (see the README for its keys)."""
    result = None
    for ev in run_stream(cfg, cache, device):
        if on_event is not None:
            on_event(ev)
        if ev.stage == "done":
            result = ev.extra["result"]
    return result


def is_cached(cfg: Config, cache: Cache) -> bool:
    """True when every stage of this config has an entry on disk (not yet checked for integrity)."""
    if cache.root is None:
        return False
    keys = stage_keys(cfg)
    return all((cache.path(s, keys[s]) / "manifest.json").exists() for s in STAGES)


def cached_result(cfg: Config, cache: Cache) -> dict | None:
    """The result document when every stage is cached, read from the stored metrics alone (no model
    is loaded and torch is not imported); otherwise None. ``seconds`` are all 0: nothing ran."""
    if not is_cached(cfg, cache):
        return None
    keys = stage_keys(cfg)
    doc: dict = {"config": dataclasses.asdict(cfg), "seconds": {}, "train_seconds": {}, "cached": list(STAGES)}
    for stage in STAGES:
        hit = cache.load(stage, keys[stage])
        if hit is None:
            return None
        metrics, _ = hit
        doc[stage] = _part(stage, metrics)
        doc["seconds"][stage] = 0.0
        doc["train_seconds"][stage] = metrics.get("seconds", 0.0)
    doc["seconds"]["total"] = 0.0
    if cache.warning:
        doc["warning"] = cache.warning
    return doc
