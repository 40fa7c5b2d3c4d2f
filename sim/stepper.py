"""A hands-on run for ONE visitor: play / pause / step / reset every stage, as in TensorFlow Playground
(Smilkov & Carter 2016), and step the reward model or the policy alone, as in GAN Lab (Kahng et al. 2019),
where the discriminator and the generator can be trained one at a time.

The stages are the very generators ``sim.pipeline`` runs, built from the same table (sim/stages.py): one
event is one optimiser step (one PPO iteration in RLHF). A ``Stepper`` holds them, their models and their
events between calls, and never runs by itself: the app runs ``step`` in a job on the server's Board
(``sim.jobs.stepping``), as every training, so

  1. pausing loses nothing: the generators wait, suspended, until the next step;
  2. a workshop server stays fair: the Board's bounded queue decides whose training runs, as for any run;
  3. reset(stage) rewinds that stage and every later one (they were built on it) to the stage's start.

"Step the judges only" trains the reward model; "step the policy only" runs PPO against the reward model
as it is now (a frozen copy, refreshed whenever the judges take another step). PPO's reward scale is set
when it starts, so the policy waits until the judges have been evaluated once after training.

No Streamlit here. Pretraining can start from scratch, or a later stage from the disk cache (``start``).
"""

from __future__ import annotations

import copy
import threading
import time

import torch

from sim import stages, timeline
from sim.cache import stage_keys
from sim.config import STAGES, Config
from sim.events import Event
from sim.stages import STAGE, Models

SLICE_S = 0.3  # the longest a slice keeps training (an evaluation in hand may overrun it)


class Stepper:
    def __init__(self, cfg: Config, cache=None, start: str = "pretrain"):
        if start not in STAGES:
            raise ValueError(f"start must be one of {', '.join(STAGES)}; got {start!r}")
        self.cfg = cfg.validate()
        self.cache = cache
        self.run = stages.start(cfg)
        self.world = self.run.world
        self.events: dict[str, list[Event]] = {s: [] for s in STAGES}
        self.done = dict.fromkeys(STAGES, False)
        self.cached: set[str] = set()
        self.models: Models = {}  # each stage's model once it has started (SFT trains pretraining's in place)
        self._rm_ppo = None  # the judges as PPO sees them: a frozen copy, refreshed after each of their steps
        self._sft_start = None  # the LM's weights when SFT begins (pretraining's end), for reset("sft")
        self._gens: dict = {}
        self._lock = threading.Lock()
        if start != "pretrain":
            self._load_until(start)

    # -- what a page asks ---------------------------------------------------------------------------
    def current(self) -> str | None:
        """The stage a plain step advances: the first one not done (None when all are)."""
        return next((s for s in STAGES if not self.done[s]), None)

    def why_not(self, stage: str) -> str | None:
        """None when ``stage`` can take a step now, else a reason code (the page words it)."""
        if self.done[stage]:
            return "finished"
        missing = [s for s in STAGES[: STAGES.index(stage)] if not self.done[s] and (stage, s) != ("rlhf", "reward")]
        if missing:
            return f"needs_{missing[0]}"
        judged = self.done["reward"] or any(e.evaluated and e.step > 0 for e in self.events["reward"])
        return "needs_judges" if stage == "rlhf" and not judged else None

    def progress(self) -> dict[str, float]:
        out = {}
        for s in STAGES:
            ev = self.events[s]
            out[s] = 1.0 if self.done[s] else (min(1.0, ev[-1].step / ev[-1].total) if ev and ev[-1].total else 0.0)
        return out

    def steps(self) -> dict[str, int]:
        return {s: (self.events[s][-1].step if self.events[s] else 0) for s in STAGES}

    def all_events(self) -> list[Event]:
        """Every event so far, in stage order (``ui.narrate.partial_doc`` turns them into a result document)."""
        return [e for s in STAGES for e in self.events[s]]

    def frames(self) -> list[dict]:
        """The sample timeline of this run so far (see sim.timeline)."""
        rows = {s: [{"step": e.step, **e.metrics} for e in self.events[s] if e.evaluated] for s in STAGES}
        return timeline.frames(rows)

    # -- what a page does ---------------------------------------------------------------------------
    def step(self, n: int = 1, part: str | None = None, budget_s: float | None = SLICE_S) -> int:
        """Advance up to ``n`` training steps: of ``part`` alone, or (None) of the pipeline, stage after
        stage. Stops early when ``budget_s`` seconds have passed. Returns the steps taken (0 when refused or
        finished)."""
        if n < 1:
            raise ValueError(f"steps must be a positive whole number; got {n}")
        if part is not None and part not in STAGES:
            raise ValueError(f"part must be one of {', '.join(STAGES)}; got {part!r}")
        with self._lock:
            return self._advance(n, part, budget_s)

    def reset(self, stage: str) -> None:
        """Rewind ``stage`` and every later stage to the start of ``stage``; earlier stages stay as they are."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}; got {stage!r}")
        with self._lock:
            for s in STAGES[STAGES.index(stage):]:
                gen = self._gens.pop(s, None)
                if gen is not None:
                    gen.close()
                self.events[s], self.done[s] = [], False
                self.cached.discard(s)
                self.models.pop(s, None)
            if stage == "pretrain":
                self._sft_start = None
            elif stage == "sft" and self._sft_start is not None:
                self.models["pretrain"].load_state_dict(self._sft_start)
            self._rm_ppo = None

    # -- inside ---------------------------------------------------------------------------------------
    def _advance(self, n: int, part: str | None, budget_s: float | None) -> int:
        t0, k = time.monotonic(), 0
        with torch.enable_grad():
            while k < n:
                stage = part or self.current()
                if stage is None or self.why_not(stage) is not None:
                    break
                ev = next(self._gen(stage))
                self.events[stage].append(ev)
                k += ev.step > 0 or ev.total == 0  # a stage's opening evaluation (step 0) is not a step
                if ev.step >= ev.total:  # the stage's last event: let its generator finish
                    next(self._gens.pop(stage), None)
                    self.done[stage] = True
                    if stage == "pretrain":
                        self._sft_start = copy.deepcopy(self.models["pretrain"].state_dict())
                if stage == "reward" and self._rm_ppo is not None:  # the policy sees the judges as they are now
                    self._rm_ppo.load_state_dict(self.models["reward"].state_dict())
                if k and budget_s is not None and time.monotonic() - t0 > budget_s:  # at least one step a slice
                    break
        return k

    def _gen(self, stage: str):
        """The stage's generator, created on its first step from the models the earlier stages left."""
        if stage in self._gens:
            return self._gens[stage]
        entry = STAGE[stage]
        model, needs = entry.build(self.run, self.models), self.models
        if stage == "rlhf":  # PPO scores with a frozen copy of the judges (they may still take steps)
            self._rm_ppo = copy.deepcopy(self.models["reward"])
            needs = {**self.models, "reward": self._rm_ppo}
        self.models[stage] = model
        self._gens[stage] = entry.train(self.run, model, needs)
        return self._gens[stage]

    def _load_until(self, start: str) -> None:
        """Take the stages before ``start`` from the disk cache (models and their recorded history)."""
        if self.cache is None or self.cache.root is None:
            raise ValueError("starting after pretraining needs the disk cache")
        keys = stage_keys(self.cfg)
        for s in STAGES[: STAGES.index(start)]:
            hit = stages.load(self.cache, s, keys[s])
            if hit is None:
                raise ValueError(f"the {s} stage of this setting is not cached yet: train it first, or start earlier")
            metrics, model = hit
            self.models[s] = model.to(self.run.device).eval()
            if s == "pretrain":
                self._sft_start = copy.deepcopy(model.state_dict())
            total = self.cfg.total(s)
            samples = {x["step"]: x["text"] for x in metrics.get("samples", [])}
            self.events[s] = [Event(s, r["step"], total, {k: v for k, v in r.items() if k != "step"}, True,
                                    {"sample": samples[r["step"]]} if r["step"] in samples else {})
                              for r in metrics["history"]]
            self.done[s] = True
            self.cached.add(s)
