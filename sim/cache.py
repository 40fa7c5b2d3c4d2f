"""Stage results on disk, their keys, and the result document read back from them. Torch-free.

One frozen dataclass per stage (sim/config.py); the cache key of a stage is the hash of its own config and
of every stage before it, so changing only ``kl_coef`` reuses pretraining, SFT and the reward model, and
changing ``reward_bias`` reuses pretraining and SFT.

A cache entry is a folder ``<stage>-<key>/`` holding ``model/`` (``save_pretrained``: safetensors
weights + config.json), ``metrics.json`` and, written last, ``manifest.json`` with the SHA-256 of
every file. It is built in a temporary folder and renamed into place (atomic on one file system);
an entry whose manifest is missing or whose files do not match is deleted and rebuilt, never loaded.
Models are loaded by the class the caller names (``sim.stages`` knows which); without one, only the
metrics are read, so a page can show a finished run before torch loads (``cached_result``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from sim.config import STAGES, Config, key_fields
from sim.world import VOCABS

# A stage's training changed with its config unchanged: its entries (and every later stage's) are stale. Version 1 of
# rlhf: PPO no longer practises the held-out evaluation prompts (``World.unseen``).
STAGE_VERSIONS = {"rlhf": 1}


def stage_keys(cfg: Config) -> dict[str, str]:
    """Each stage's cache key: a hash of its config, its version and all the stages before it."""
    common = {"lang": cfg.lang, "seed": cfg.seed, "eval_per_kind": cfg.eval_per_kind,
              "model": dataclasses.asdict(cfg.model), "vocab": VOCABS[cfg.lang].tokens, "version": 5}
    keys, chain = {}, json.dumps(common, sort_keys=True)
    for stage in STAGES:
        chain += json.dumps(key_fields(cfg.part(stage)), sort_keys=True)
        chain += f"v{STAGE_VERSIONS[stage]}" if stage in STAGE_VERSIONS else ""
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
        self.claims = None  # single flight across server processes sharing this folder (sim.claims; the server sets it)
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

    def complete(self, stage: str, key: str) -> bool:
        """Is the entry there with its manifest (written last)? Not yet checked for integrity."""
        p = self.path(stage, key)
        return p is not None and (p / "manifest.json").exists()

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
        tmp = None
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
            if tmp is not None:
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


# -- the result document ---------------------------------------------------------------------------
# Per stage: the metrics its section summarises from its last evaluation, and what else it stored.
SUMMARY = {
    "pretrain": (("val_loss", "probe_accuracy"), ("samples",)),
    "sft": (("capability", "format_rate", "per_task"), ("answers",)),
    "reward": (("pref_accuracy", "gold_agreement"), ()),
}
RLHF_KEYS = ("proxy_reward", "gold_reward", "kl", "capability", "flattery", "surface_share", "distinct_2", "cut_rate",
             "length", "format_rate", "per_task")
# What a policy's evaluation adds where there is a policy to ask (every RL method; best-of-n has none) and an entry
# trained since they exist (sim/evaluate.py): its entropy, its distinct answers and the two checkers' verdicts.
POLICY_KEYS = ("entropy", "distinct_answers", "checker_strict", "checker_sloppy")


def ends(h: list[dict]) -> dict:
    """{"start", "final"}: the first and last history rows, RLHF_KEYS and the POLICY_KEYS they hold."""
    return {name: {k: row[k] for k in RLHF_KEYS + POLICY_KEYS if k in row} for name, row in (("start", h[0]),
                                                                                              ("final", h[-1]))}


def section(stage: str, metrics: dict) -> dict:
    """A stage's section of the result document, from what the stage stored (``metrics.json``)."""
    h = metrics["history"]
    if stage == "rlhf":
        return {**ends(h), "history": h, "green_grey": metrics["green_grey"],
                **{k: metrics[k] for k in ("length_score",) if k in metrics}}
    names, stored = SUMMARY[stage]
    last = h[-1] if h else {}
    return {**{k: last.get(k) for k in names}, "history": h, **{k: metrics[k] for k in stored}}


def is_cached(cfg: Config, cache: Cache) -> bool:
    """True when every stage of this config has an entry on disk (not yet checked for integrity)."""
    if cache.root is None:
        return False
    keys = stage_keys(cfg)
    return all(cache.complete(s, keys[s]) for s in STAGES)


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
        doc[stage] = section(stage, metrics)
        doc["seconds"][stage] = 0.0
        doc["train_seconds"][stage] = metrics.get("seconds", 0.0)
    doc["seconds"]["total"] = 0.0
    if cache.warning:
        doc["warning"] = cache.warning
    return doc
