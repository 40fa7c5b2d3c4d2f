"""How fast this server trains, measured: every time the app promises comes from here, never from a constant.

A stage's time is modelled as

    steps x step_s  +  evaluations x eval_s

where ``step_s`` (seconds a training step) and ``eval_s`` (seconds an evaluation, with its sample timeline)
are measured on this server, for this model shape:

  1. every Job of the Board times the events it passes on (``Meter``): the time between two events of a
     stage is one step, or one step and an evaluation when the event is ``evaluated``; an event that moves a
     stage on by several steps (best-of-n draws a batch of answers at once) counts as that many equal steps;
     a stage read from the cache is skipped;
  2. when a Job ends, its measurements go into the ``SpeedBook`` (the mean step and the mean evaluation,
     blended with what the book knew: the newest run weighs half). Means, not medians: a stage whose steps
     differ (an ensemble's cheap member steps, then PPO's iterations) still sums to the time it took;
  3. a fresh server knows nothing: the app then asks the Board for ``sim.pipeline.calibrate``, a few steps and
     one evaluation of every stage on fresh models (a few seconds), which fills the book through the same Meter,
     provisionally: the first run of a stage replaces its calibrated rate;
  4. the book lives in ``<cache>/speed.json``, so a restarted server remembers its speed.

A shape (``shape``) is what sets the speed of a stage: the model's size, the stage's batch settings; not the
knobs the sliders move (bias, leash, seed, learning rate), nor the language. A Board's book also keys its rates by the
torch threads a training uses: a book measured with another count is measured again. Torch-free.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sim.config import Config
from sim.events import Event

BOOK_FILE = "speed.json"
KNOBS = {"steps", "iterations", "eval_every", "lr", "warmup", "kl_coef", "reward_bias", "adaptive_kl",
         "target_kl", "horizon", "beta", "ns"}  # a part's fields that do not change the time of one step
NEWEST_WEIGHT = 0.5  # how much a new measurement moves the book (the rest: what it knew)


def shape(cfg: Config, stage: str) -> str:
    """The key of a stage's speed: the stage, the model's size and the stage's own settings but its knobs."""
    part = {k: v for k, v in asdict(cfg.part(stage)).items() if k not in KNOBS}
    if stage == "rlhf":  # PPO-ptx adds a pretraining batch to every update: on or off is what matters
        part["ptx"] = part.pop("ptx_coef") > 0
    return json.dumps([stage, asdict(cfg.model), part], sort_keys=True, default=str)


def evaluations(total: int, every: int | None) -> int:
    """How many evaluations a stage of ``total`` steps makes: at step 0, every ``every`` steps, and at the end."""
    if not every:
        return 1
    return 1 + total // every + (1 if total % every else 0)


def stage_steps(cfg: Config, stage: str) -> tuple[int, int]:
    """(training steps, evaluations) of one stage or method of ``cfg``: best-of-n evaluates at each of its n."""
    total, part = cfg.total(stage), cfg.part(stage)
    if stage == "bon":
        return total, len(part.ns)
    if stage == "ensemble":  # its members evaluate inside their steps; its PPO evaluates as the pipeline's does
        return total, evaluations(cfg.ppo.iterations, cfg.ppo.eval_every)
    return total, evaluations(total, getattr(part, "eval_every", None))


@dataclass
class Rate:
    step_s: float  # seconds a training step
    eval_s: float  # seconds an evaluation (and the samples recorded with it)
    runs: int = 1  # how many measurements it blends (0: a calibration's few steps only, see SpeedBook.record)

    def seconds(self, steps: int, evals: int) -> float:
        return steps * self.step_s + evals * self.eval_s


@dataclass
class Meter:
    """The event times of one Job, stage by stage (fed from the Job's worker thread)."""

    steps: dict[str, list[float]] = field(default_factory=dict)
    evals: dict[str, list[float]] = field(default_factory=dict)
    last: float | None = None
    at: dict[str, int] = field(default_factory=dict)  # the step of each stage's last event

    def start(self) -> None:
        self.last = time.monotonic()

    def see(self, ev: Event, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        dt, self.last = now - (self.last if self.last is not None else now), now
        if ev.stage == "done" or ev.extra.get("cached") or ev.extra.get("elsewhere"):  # not this server's speed
            return
        moved, self.at[ev.stage] = ev.step - self.at.get(ev.stage, 0), ev.step
        if ev.evaluated:
            self.evals.setdefault(ev.stage, []).append(dt)
        else:
            n = max(1, moved)
            self.steps.setdefault(ev.stage, []).extend([dt / n] * n)

    def rates(self) -> dict[str, Rate]:
        """What this Job measured: a stage needs one plain step and one evaluation. With the mean step,
        ``Rate.seconds`` of the events seen gives back the time they took."""
        out = {}
        for stage, steps in self.steps.items():
            evals = self.evals.get(stage)
            if steps and evals:
                step_s = statistics.fmean(steps)
                out[stage] = Rate(step_s, max(0.0, statistics.fmean(evals) - step_s))
        return out

    def step_s(self, stage: str) -> float | None:
        """The mean step of ``stage`` so far (None before its first plain step)."""
        steps = self.steps.get(stage)
        return statistics.fmean(steps) if steps else None


class SpeedBook:
    """Measured rates by shape (and by ``threads``, the torch threads of the trainings it times, when given),
    thread-safe, kept in ``<folder>/speed.json`` (None: in memory only)."""

    def __init__(self, folder: str | Path | None = None, threads: int | None = None) -> None:
        self.path = Path(folder) / BOOK_FILE if folder is not None else None
        self.threads = threads
        self._lock = threading.Lock()
        self._rates: dict[str, Rate] = {}
        if self.path is not None and self.path.exists():
            try:
                self._rates = {k: Rate(**v) for k, v in json.loads(self.path.read_text()).items()}
            except (OSError, ValueError, TypeError):
                self._rates = {}  # an unreadable book is measured again

    def key(self, cfg: Config, stage: str) -> str:
        return shape(cfg, stage) + (f" on {self.threads} threads" if self.threads else "")

    def rate(self, cfg: Config, stage: str) -> Rate | None:
        with self._lock:
            return self._rates.get(self.key(cfg, stage))

    def record(self, cfg: Config, measured: dict[str, Rate], provisional: bool = False) -> None:
        """Blend a Job's measurements into the book and save it. A calibration's few steps (``provisional``) fill
        only what the book lacks, and a run's measurement replaces them instead of blending with them: a few steps
        timed while a page ran in the same process read up to twenty times slow (the page holds the interpreter's
        lock; docs/performance.md), and a blend would have kept half of that for the next run."""
        if not measured:
            return
        with self._lock:
            for stage, new in measured.items():
                key = self.key(cfg, stage)
                old = self._rates.get(key)
                if provisional:
                    if old is None or old.runs == 0:
                        self._rates[key] = Rate(new.step_s, new.eval_s, 0)
                    continue
                if old is not None and old.runs > 0:
                    w = NEWEST_WEIGHT
                    new = Rate(w * new.step_s + (1 - w) * old.step_s, w * new.eval_s + (1 - w) * old.eval_s,
                               old.runs + 1)
                self._rates[key] = new
            self._save()

    def estimate(self, cfg: Config, stages) -> float | None:
        """Seconds to train ``stages`` of ``cfg`` (a stage may repeat: a sweep); None while any is unmeasured."""
        total = 0.0
        for stage in stages:
            rate = self.rate(cfg, stage)
            if rate is None:
                return None
            total += rate.seconds(*stage_steps(cfg, stage))
        return total

    def remaining(self, cfg: Config, stages, done: dict[str, float], meter: Meter | None = None) -> float | None:
        """Seconds left of a run of ``stages`` that has done the fraction ``done[stage]`` of each; the stage
        under way uses its live step time from ``meter`` when it has one."""
        left = 0.0
        for stage in stages:
            frac = done.get(stage, 0.0)
            if frac >= 1.0:
                continue
            rate = self.rate(cfg, stage)
            steps, evals = stage_steps(cfg, stage)
            live = meter.step_s(stage) if meter is not None and frac > 0 else None
            if rate is None and live is None:
                return None
            step_s = live if live is not None else rate.step_s
            eval_s = rate.eval_s if rate is not None else 0.0
            left += (1 - frac) * Rate(step_s, eval_s).seconds(steps, evals)
        return left

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".speed-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump({k: asdict(v) for k, v in self._rates.items()}, f, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            pass  # an unwritable cache folder: the book stays in memory (the cache says why elsewhere)
