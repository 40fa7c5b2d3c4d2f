"""Our stages against TRL's trainers on the same tiny model; ``python -m sim bench`` calls ``compare``.

What is measured, each pair timed side by side (A B A B ..., medians; see ``side_by_side_trainer``):
  * PPO (``sim.ppo``, one iteration: 64 prompts x 1 answer, then 2 epochs x 2 minibatches of 32) against
    TRL's ``RLOOTrainer`` with its KL term (``beta`` = our ``kl_coef``): 32 prompts x 2 answers,
    ``steps_per_generation`` 2 and ``num_iterations`` 2, so both sides sample 64 answers of the same
    budget and take 4 optimiser steps of 32 answers per round. Figure: answers (samples) per second.
  * GRPO (``sim.grpo``, one iteration: ``prompts`` x k answers, then ``epochs`` passes of the whole batch)
    against TRL's ``GRPOTrainer``: ``num_generations`` = our k, ``per_device_train_batch_size`` = the
    iteration's answers (prompts x k), ``steps_per_generation`` 1 and ``num_iterations`` = our epochs, so both
    sides sample the same answers of the same budget and take the same optimiser steps (2 of 64 answers on
    the default preset) per round; ``beta`` = our kl_coef (k3 KL to the reference in the loss on both
    sides), ``epsilon`` = our clip, ``loss_type="grpo"`` (each answer's token mean, then the mean over
    answers: ours), group-std scaled advantages (TRL's default), AdamW's eps 1e-5 as ours. Our side scores
    with the judges (``GRPOConfig.reward = "judges"``), TRL's with the same reward model. Figure: answers
    (samples) per second.
  * The reward-model stage (``sim.reward``: Bradley-Terry on the annotators' pairs) against TRL's
    ``RewardTrainer``, 32 pairs a step on both sides. Figure: pairs per second.
  * DPO (``sim.dpo``) against TRL's ``DPOTrainer``, 32 pairs a step, reference log-probs recomputed every
    step on both sides. Figure: pairs per second.
Both sides start from the same seeded, untrained ``WujiForCausalLM`` / ``WujiForSequenceClassification``
weights (TRL takes our classes: they are ``transformers`` models), tokenize with
``sim.tokenizer.WujiTokenizer``, run in fp32 with the same learning rate, gradient clipping and answer
budget. RLOO's and GRPO's reward is our reward model (cheap, and the same model PPO asks). TRL runs offline: datasets
come from ``datasets.Dataset.from_dict``, and logging, reporting, saving, progress bars and gradient
checkpointing are off.

Simplifications: TRL owns its loop, so the interleaving runs inside it: its whole per-step loop is
timed, not its setup (dataset tokenisation, model loading). RLOO is not PPO: it has no value head and
a per-prompt baseline instead of GAE, so it does slightly less arithmetic per answer than ours. RLOO
scores the decoded text re-tokenised (TRL's reward path), and TRL appends EOS to every preference
answer. GRPOTrainer, too, scores the re-tokenised text with the raw reward-model score, where ours
normalises it by PPO's reward scale (``sim.ppo.reward_norm``): an affine map that the group-relative
advantages undo up to their 1e-4 epsilon, so the arithmetic is the same. Our side is the stage table's
(sim/stages.py, through sim.timing; GRPO's iterations and evaluation period set to ``HUGE`` as
``sim.timing.bench_run`` sets PPO's).
Two attributes let TRL take our model class: ``config.auto_map = {}`` on the policy (TRL reads
it when it rebuilds the reference model from the saved folder) and ``config.num_labels = 1`` on the
reward model.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import tempfile
import time
import warnings

import datasets
import torch
import trl
from transformers import TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from transformers.utils import logging as hf_logging

from sim.annotators import make_pairs
from sim.stages import STAGE
from sim.timing import HUGE, bench_run, build_ours, medians, seconds, stage_steps, sync
from sim.tokenizer import WujiTokenizer
from sim.world import RLHF_KINDS


# -- timing inside a transformers Trainer ----------------------------------------------------------
class _Rounds(TrainerCallback):
    """After every ``steps`` optimiser steps, call each contender once; see ``side_by_side_trainer``."""

    def __init__(self, steps: int, contenders: dict, rounds: int, warmup: int):
        self.steps, self.contenders, self.rounds, self.warmup = steps, contenders, rounds, warmup
        self.times: dict[str, list[float]] = {"trl": [], **{name: [] for name in contenders}}
        self.seen, self.mark = 0, 0.0

    def on_train_begin(self, args, state, control, **kwargs):
        self.mark = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step % self.steps:
            return
        sync()
        trl_s, self.seen = time.perf_counter() - self.mark, self.seen + 1
        timed = self.seen > self.warmup
        if timed:
            self.times["trl"].append(trl_s)
        for name, fn in self.contenders.items():
            sec = seconds(fn)
            if timed:
                self.times[name].append(sec)
        control.should_training_stop = self.seen >= self.warmup + self.rounds
        self.mark = time.perf_counter()


def side_by_side_trainer(trainer, steps: int, contenders: dict, rounds: int, warmup: int = 1) -> dict:
    """``sim.bench.side_by_side`` for a ``transformers.Trainer``, which owns its loop: ``train()`` runs
    here, and after every ``steps`` optimiser steps a callback runs each contender once (T A T A ...).
    TRL's time of a round ("trl") is the wall time between two callbacks; the first ``warmup`` rounds
    are not kept. One thread on purpose: a second thread brings a second OpenMP team, and with more
    threads than cores libgomp stops spinning between kernels, which slows every small kernel of both."""
    rounds_cb = _Rounds(steps, contenders, rounds, warmup)
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(rounds_cb)
    trainer.train()
    return rounds_cb.times


def trl_args(config_cls, out: str, device: torch.device, **kwargs):
    """A TRL config for timing: fp32, no logging / reporting / saving / progress bar / checkpointing."""
    return config_cls(output_dir=out, bf16=False, fp16=False, gradient_checkpointing=False, report_to="none",
                      save_strategy="no", logging_strategy="no", disable_tqdm=True, max_steps=HUGE, seed=0,
                      dataloader_num_workers=0, use_cpu=device.type == "cpu", **kwargs)


def tokenizer(padding_side: str = "right"):
    tok = WujiTokenizer()
    tok.padding_side = padding_side
    return tok


# -- the contenders ------------------------------------------------------------------------------
def saved_policy(policy, tmp: str) -> str:
    """The policy saved where TRL's online trainers load it (and rebuild their reference model) from."""
    policy = copy.deepcopy(policy).cpu()
    policy.config.auto_map = {}
    policy.save_pretrained(f"{tmp}/policy")
    return f"{tmp}/policy"


def rlhf_prompts(world, n: int = 512) -> datasets.Dataset:
    items = world.train_items(n, random.Random(0), kinds=RLHF_KINDS)
    return datasets.Dataset.from_dict({"prompt": [world.prompt(it) for it in items]})


def trl_rloo(policy, rm, world, cfg, device, tmp: str):
    """TRL's RLOO trainer: 64 answers per 4 optimiser steps (see the module docstring)."""
    p = cfg.ppo
    args = trl_args(trl.RLOOConfig, f"{tmp}/rloo", device, per_device_train_batch_size=p.batch_size // p.minibatches,
                    steps_per_generation=p.minibatches, num_generations=2, num_iterations=p.epochs,
                    max_completion_length=world.budget, beta=p.kl_coef, learning_rate=p.lr, temperature=1.0,
                    model_init_kwargs={"device_map": None})
    return trl.RLOOTrainer(model=saved_policy(policy, tmp), reward_funcs=copy.deepcopy(rm), args=args,
                           train_dataset=rlhf_prompts(world), processing_class=tokenizer("left"),
                           reward_processing_classes=tokenizer())


def trl_grpo(policy, rm, world, cfg, device, tmp: str):
    """TRL's GRPO trainer: prompts x k answers per ``epochs`` optimiser steps (see the module docstring)."""
    g = cfg.grpo
    args = trl_args(trl.GRPOConfig, f"{tmp}/grpo", device, per_device_train_batch_size=g.prompts * g.k,
                    steps_per_generation=1, num_generations=g.k, num_iterations=g.epochs,
                    max_completion_length=world.budget, beta=cfg.ppo.kl_coef, epsilon=g.clip, loss_type="grpo",
                    scale_rewards="group", learning_rate=g.lr, adam_epsilon=1e-5, temperature=1.0,
                    model_init_kwargs={"device_map": None})
    return trl.GRPOTrainer(model=saved_policy(policy, tmp), reward_funcs=copy.deepcopy(rm), args=args,
                           train_dataset=rlhf_prompts(world), processing_class=tokenizer("left"),
                           reward_processing_classes=tokenizer())


def preference_texts(world, cfg, n: int = 512) -> dict[str, list[str]]:
    """Annotator pairs as TRL's preference columns (prompt, chosen, rejected), drawn as the stage draws them."""
    pairs = make_pairs(world, n, cfg.reward.reward_bias, random.Random(0), cfg.reward.n_annotators, 0)
    return {"prompt": [world.prompt(p[0]) for p in pairs], "chosen": [p[1][0] for p in pairs],
            "rejected": [p[2][0] for p in pairs]}


def trl_reward(rm, world, cfg, device, tmp: str):
    rm = copy.deepcopy(rm)
    rm.config.num_labels = 1
    args = trl_args(trl.RewardConfig, f"{tmp}/reward", device, per_device_train_batch_size=cfg.reward.batch_size,
                    learning_rate=cfg.reward.lr)
    return trl.RewardTrainer(model=rm, args=args, processing_class=tokenizer(),
                             train_dataset=datasets.Dataset.from_dict(preference_texts(world, cfg)))


def trl_dpo(policy, world, cfg, device, tmp: str):
    args = trl_args(trl.DPOConfig, f"{tmp}/dpo", device, per_device_train_batch_size=cfg.dpo.batch_size,
                    learning_rate=cfg.dpo.lr, beta=cfg.dpo.beta)
    return trl.DPOTrainer(model=copy.deepcopy(policy), ref_model=copy.deepcopy(policy).eval(), args=args,
                          train_dataset=datasets.Dataset.from_dict(preference_texts(world, cfg)),
                          processing_class=tokenizer())


# -- the comparison --------------------------------------------------------------------------------
def _pair(ours, trainer, steps: int, per_call: int, rounds: int) -> dict:
    """Ours against ``steps`` optimiser steps of TRL's trainer, ``per_call`` samples or pairs each."""
    med = medians(side_by_side_trainer(trainer, steps, {"ours": ours}, rounds))
    return {"per_call": per_call, "ours_per_s": per_call / med["ours"], "trl_per_s": per_call / med["trl"],
            "speedup": med["trl"] / med["ours"]}


def compare(cfg, device: torch.device, quick: bool) -> dict:
    """``{"rloo": ..., "grpo": ..., "reward": ..., "dpo": ...}``: each ours / TRL per second and the speed-up.
    Ours are the stage table's PPO, GRPO, reward model and DPO (``sim.timing.stage_steps``: the first call of
    each, a warm-up round, also sets up and evaluates), on copies of one seeded, untrained model and its
    reward model."""
    datasets.disable_progress_bars()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    timing, rounds, steps = bench_run(cfg, device), (2 if quick else 7), 4
    g = dataclasses.replace(cfg.grpo, reward="judges", iterations=HUGE, eval_every=HUGE)  # scored as TRL scores
    timing = dataclasses.replace(timing, cfg=dataclasses.replace(timing.cfg, grpo=g))
    world = timing.world
    policy = build_ours(cfg).to(device)
    rm = STAGE["reward"].build(timing, {"sft": policy})

    def ours(name: str, calls: int):  # the stage trains (and freezes) copies: TRL gets the originals
        return stage_steps(name, timing, {"sft": copy.deepcopy(policy), "reward": copy.deepcopy(rm)}, calls)

    p = cfg.ppo
    out: dict = {"trl": trl.__version__, "online_trainer": "RLOOTrainer", "batch": p.batch_size,
                 "max_new": world.budget}
    with tempfile.TemporaryDirectory(prefix="wuji-trl-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # transformers renames gradient_checkpointing, TRL sets it
        out["rloo"] = _pair(ours("rlhf", 1), trl_rloo(policy, rm, world, cfg, device, tmp), p.minibatches * p.epochs,
                            p.batch_size, rounds)
        out["grpo"] = {"k": g.k, "prompts": g.prompts,
                       **_pair(ours("grpo", 1), trl_grpo(policy, rm, world, timing.cfg, device, tmp), g.epochs,
                               g.prompts * g.k, rounds)}
        out["reward"] = _pair(ours("reward", steps), trl_reward(rm, world, cfg, device, tmp), steps,
                              steps * cfg.reward.batch_size, rounds)
        out["dpo"] = _pair(ours("dpo", steps), trl_dpo(policy, world, cfg, device, tmp), steps,
                           steps * cfg.dpo.batch_size, rounds)
    return out
