"""One table of every way a model is made here: the four pipeline stages, and the other ways to align.

An entry (``Stage``) says, for one stage or method:

  needs   the earlier stages whose trained models it starts from;
  build   the model it trains, made from those (a fresh LM, the pretrained LM itself, a copy of the SFT model,
          a reward model on the SFT model's trunk);
  train   its event generator: the stage's own file (a numbered recipe), with the sample timeline recorded
          for the stages that write; the generator returns what the stage keeps besides its history
          (pretraining's free-text samples, SFT's answers before and after, PPO's green-grey table, a method's
          reward scale);
  model   the class its cached model loads as (None: the cache entry holds metrics only);

Its steps (the length of its progress bar) are ``cfg.total(name)``. Its settings are its part of ``Config``
(``cfg.part(name)``, sim/config.py), and its cache key is ``sim.cache.stage_keys`` (a stage) or
``sim.methods.method_key`` (a method).

The table's readers: sim.pipeline (``run_stream``: load or train each stage in turn; ``method_stream``: a
method after SFT and the reward model), sim.stepper (one step at a time), sim.room_train (a reward model
on the room's rankings, then PPO) and sim.bench. Adding a stage or a method: its own file, its settings in
sim/config.py (a dataclass, its field of ``Config``, its name in ``STAGES`` or ``METHODS`` and ``PART``), and one
entry in ``STAGE`` below.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import torch
from transformers.utils import logging as hf_logging

from sim import evaluate, timeline
from sim.bestofn import best_of_n
from sim.cache import Cache
from sim.config import METHODS, STAGES, Config
from sim.device import pick_device
from sim.dpo import dpo
from sim.ensemble import train_members
from sim.events import Event
from sim.grpo import grpo
from sim.model import WujiForCausalLM, WujiForSequenceClassification, build_lm, init_std_residual
from sim.ppo import ppo, start_norm
from sim.pretrain import pretrain
from sim.reward import train_reward
from sim.rloo import rloo
from sim.sft import sft
from sim.train import seeded
from sim.world import World

Models = dict[str, torch.nn.Module]  # stage name -> its trained model


@dataclass(frozen=True)
class Run:
    """What every stage of one configuration shares."""

    cfg: Config
    world: World
    eval_items: list  # the held-out prompts (capability; the RL stages' evaluations)
    timeline_items: list  # the sample timeline's fixed prompts (sim.timeline)
    device: torch.device


def start(cfg: Config, device: str | None = None) -> Run:
    """The run of ``cfg``; ``device`` (cpu / cuda / auto) as ``sim.device.pick_device`` reads it."""
    world = World(cfg.lang, cfg.seed)
    return Run(cfg, world, world.eval_items(cfg.eval_per_kind), timeline.items(world), pick_device(device))


@dataclass(frozen=True)
class Stage:
    name: str
    needs: tuple[str, ...]
    build: Callable[[Run, Models], torch.nn.Module]
    train: Callable[[Run, torch.nn.Module, Models], Generator[Event, None, dict | None]]
    model: type | None


# -- building --------------------------------------------------------------------------------------------
def fresh_lm(run: Run, models: Models) -> WujiForCausalLM:
    """Pretraining's start: weights drawn from the config's own seed (GPT-2's init), on the CPU and then moved,
    so every device starts from the same weights."""
    seeded("init", run.cfg.lang, run.cfg.seed)
    lm = build_lm(run.cfg.model, run.cfg.lang)
    init_std_residual(lm)
    return lm.to(run.device)


def judge_on_sft(run: Run, models: Models) -> WujiForSequenceClassification:
    """InstructGPT's reward model: the SFT model's trunk and a zero scalar head."""
    return WujiForSequenceClassification.from_causal_lm(models["sft"]).to(run.device)


def copy_of(name: str) -> Callable[[Run, Models], torch.nn.Module]:
    def build(run: Run, models: Models) -> torch.nn.Module:
        return copy.deepcopy(models[name])

    return build


# -- training: each stage's recipe, and what the pipeline keeps of it ---------------------------------------
def record(events: Iterator[Event], model: torch.nn.Module, run: Run) -> Iterator[Event]:
    """Pass a writing stage's events through, adding the model's timeline answers (and whether each is right)
    to every evaluated one."""
    for ev in events:
        if ev.evaluated and ev.stage in timeline.WRITING:
            answers = evaluate.timeline_answers(model, run.world, run.timeline_items)
            ev.metrics[timeline.KEY] = answers
            ev.metrics[timeline.CORRECT] = timeline.judged(run.world, answers)
        yield ev


def train_pretrain(run: Run, lm: WujiForCausalLM, models: Models):
    samples = []
    for ev in record(pretrain(lm, run.world, run.cfg.pretrain, run.cfg.seed), lm, run):
        if ev.evaluated:
            samples.append({"step": ev.step, "text": ev.extra["sample"]})
        yield ev
    return {"samples": samples}


def train_sft(run: Run, lm: WujiForCausalLM, models: Models):
    shown = run.eval_items[:: run.cfg.eval_per_kind]  # one prompt a task kind, before and after
    base = evaluate.show_answers(lm, run.world, shown, 8)
    yield from record(sft(lm, run.world, run.cfg.sft, run.cfg.seed, run.eval_items), lm, run)
    tuned = evaluate.show_answers(lm, run.world, shown, 8)
    return {"answers": [{"prompt": b["prompt"], "base": b["answer"], "sft": s["answer"],
                         "base_correct": b["correct"], "sft_correct": s["correct"]} for b, s in zip(base, tuned)]}


def train_judge(run: Run, rm: WujiForSequenceClassification, models: Models):
    return train_reward(rm, run.world, run.cfg.reward, run.cfg.seed)


def train_ppo(run: Run, policy: WujiForCausalLM, models: Models):
    """PPO's events; it keeps the green-grey table and the judges' score against answer length before and after
    (``evaluate.length_scores`` on the SFT model's reward scale, measured before PPO's own draws begin)."""
    table, rm = [], models["reward"]
    norm = start_norm(rm, policy, run.world, run.cfg.seed)
    lengths = {"sft": evaluate.length_scores(policy, rm, run.world, run.eval_items, norm)}
    events = ppo(policy, rm, run.world, run.cfg.ppo, run.cfg.seed, run.eval_items)
    for ev in record(events, policy, run):
        table = ev.extra.get("green_grey", table)
        yield ev
    lengths["ppo"] = evaluate.length_scores(policy, rm, run.world, run.eval_items, norm)
    return {"green_grey": table, "length_score": lengths}


def method(trainer: Callable) -> Callable:
    """A method's training: PPO's reward scale (``sim.ppo.start_norm``) first, so that every method's proxy
    reward is on PPO's axes, then ``trainer(run, policy, models, norm)``; the scale is kept."""

    def train(run: Run, policy: torch.nn.Module, models: Models):
        norm = start_norm(models["reward"], models["sft"], run.world, run.cfg.seed)
        yield from trainer(run, policy, models, norm)
        return {"norm": list(norm)}

    return train


def train_bon(run: Run, sft_model, models: Models, norm):
    return best_of_n(sft_model, models["reward"], run.world, run.cfg.bon, run.cfg.seed, run.eval_items, norm)


def train_dpo(run: Run, policy, models: Models, norm):
    return dpo(policy, models["reward"], run.world, run.cfg.dpo, run.cfg.reward, run.cfg.seed, run.eval_items, norm)


def train_rloo(run: Run, policy, models: Models, norm):
    return rloo(policy, models["reward"], run.world, run.cfg.rloo, run.cfg.ppo.kl_coef, run.cfg.seed,
                run.eval_items, norm)


def train_grpo(run: Run, policy, models: Models, norm):
    return grpo(policy, models["reward"], run.world, run.cfg.grpo, run.cfg.ppo.kl_coef, run.cfg.seed,
                run.eval_items, norm)


def train_ensemble(run: Run, policy, models: Models):
    """k reward models on resamples of the pairs (sim/ensemble.py), then the pipeline's PPO on their cautious score;
    its history's ``step`` counts on from the members' steps, ``iteration`` is PPO's."""
    cfg = run.cfg
    ensemble, members = yield from train_members(lambda: judge_on_sft(run, models), run.world, cfg.reward,
                                                 cfg.ensemble, cfg.seed)
    offset, total = cfg.ensemble.k * cfg.ensemble.steps, cfg.total("ensemble")
    for ev in ppo(policy, ensemble, run.world, cfg.ppo, cfg.seed, run.eval_items):
        yield Event("ensemble", offset + ev.step, total, {**ev.metrics, "iteration": ev.step}, ev.evaluated)
    return {"members": members}


# -- the table -------------------------------------------------------------------------------------------
STAGE: dict[str, Stage] = {s.name: s for s in (
    Stage("pretrain", (), fresh_lm, train_pretrain, WujiForCausalLM),
    Stage("sft", ("pretrain",), lambda run, m: m["pretrain"], train_sft, WujiForCausalLM),
    Stage("reward", ("sft",), judge_on_sft, train_judge, WujiForSequenceClassification),
    Stage("rlhf", ("sft", "reward"), copy_of("sft"), train_ppo, WujiForCausalLM),
    Stage("bon", ("sft", "reward"), lambda run, m: m["sft"], method(train_bon), None),
    Stage("dpo", ("sft", "reward"), copy_of("sft"), method(train_dpo), None),
    Stage("rloo", ("sft", "reward"), copy_of("sft"), method(train_rloo), None),
    Stage("grpo", ("sft", "reward"), copy_of("sft"), method(train_grpo), None),
    Stage("ensemble", ("sft", "reward"), copy_of("sft"), train_ensemble, None),
)}
assert tuple(STAGE) == STAGES + METHODS, "sim/config.py names every stage (in order) and method of the table"


# -- running and loading ---------------------------------------------------------------------------------
def collect(events: Generator[Event, None, dict | None]) -> Generator[Event, None, dict]:
    """Pass a stage's events through with gradients on, and return its metrics: ``{"history": every
    evaluation as a row with its step, **what the stage keeps}``. Closing this closes the stage."""
    history: list[dict] = []
    try:
        with torch.enable_grad():
            while True:
                try:
                    ev = next(events)
                except StopIteration as end:
                    return {"history": history, **(end.value or {})}
                if ev.evaluated:
                    history.append({"step": ev.step, **ev.metrics})
                yield ev
    finally:
        events.close()


def cached_event(name: str, cfg: Config, metrics: dict) -> Event:
    """The one event of a stage read from the cache: finished, with its last evaluation."""
    total = cfg.total(name)
    return Event(name, total, total, metrics["history"][-1], True, {"cached": True})


def needed_later(name: str) -> bool:
    """Does a later pipeline stage start from this stage's model (so that a cache hit must load it)?"""
    return any(name in STAGE[s].needs for s in STAGES[STAGES.index(name) + 1 :]) if name in STAGES else False


def load(cache: Cache, name: str, key: str, with_model: bool = True):
    """(metrics, model or None) of a complete cache entry of ``name``, its model loaded (on the CPU) as the
    table's class for it; None when the entry is missing or was corrupt."""
    hf_logging.disable_progress_bar()
    return cache.load(name, key, STAGE[name].model if with_model else None)
