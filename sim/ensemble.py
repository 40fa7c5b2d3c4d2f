"""Reward-model ensembles: k judges learnt from resamples of the same pairs, and PPO on their cautious verdict.

Coste, Anwar, Kirk & Krueger, ICLR 2024, "Reward Model Ensembles Help Mitigate Overoptimization": train k reward
models, then let the policy optimise a conservative score, the worst member's (``min``, worst-case optimisation) or
the members' mean less their disagreement (``uwo``: uncertainty-weighted optimisation, mean - lambda * std). Where the
members disagree, the policy has found something one judge likes by accident; the conservative score does not pay
for it. What an ensemble cannot fix is an error every member shares: judges that all love flattery (a biased panel)
agree with each other, so their disagreement is small and the worst of them still pays for flattery.

Recipe:
  1. k reward models, each the pipeline's (sim.reward: the SFT model's trunk, Bradley-Terry on the panel's pairs),
     each trained on its own bootstrap resample of the pairs (drawn with replacement, as many as there are), with its
     own order of batches;
  2. each member's score normalised on the candidate pool the annotators judged (its mean and std there), so that
     the members speak on one scale (a Bradley-Terry score has no zero of its own);
  3. the conservative score of an answer: the members' ``min``, or ``mean - lambda * std`` (``uwo``);
  4. PPO exactly as the pipeline's (sim.ppo, the same config and leash), with the ensemble as its reward model:
     its reward normalisation, its ``proxy_reward`` and its rollouts all read the conservative score.

Deliberate simplifications: the members share their start (the SFT model; Coste et al. pretrain each from its own
seed), so their disagreement comes from the data alone; and lambda is one fixed number.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

import torch
from torch import nn

from sim.config import EnsembleConfig, RewardConfig
from sim.events import Event, derive_seed
from sim.model import Samples, WujiForSequenceClassification, score
from sim.reward import Judgements, panel_judgements, train_reward
from sim.train import encode_answers, pick
from sim.world import RLHF_KINDS, World


# -- the math that matters --------------------------------------------------------------------
def conservative(z: torch.Tensor, how: str, lam: float) -> torch.Tensor:
    """The cautious score (B,) of members' normalised scores z (k, B): their minimum, or mean - lam * std."""
    if how == "min":
        return z.min(0).values
    return z.mean(0) - lam * z.std(0)


class Ensemble(nn.Module):
    """k reward models read as one: ``reward`` is the conservative score of their normalised scores."""

    def __init__(self, members: list[WujiForSequenceClassification], norms: list[tuple[float, float]], how: str,
                 lam: float):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.register_buffer("centre", torch.tensor([c for c, _ in norms]))
        self.register_buffer("scale", torch.tensor([s for _, s in norms]))
        self.how, self.lam = how, lam

    @property
    def device(self) -> torch.device:
        return self.centre.device

    def member_scores(self, idx, valid) -> torch.Tensor:
        """Each member's normalised score (k, B)."""
        raw = torch.stack([m.reward(idx, valid) for m in self.members])
        return (raw - self.centre[:, None]) / self.scale[:, None]

    def reward(self, idx, valid) -> torch.Tensor:
        return conservative(self.member_scores(idx, valid), self.how, self.lam)


def bootstrap(base: Judgements, world: World, cfg: RewardConfig, seed: int, member: int) -> Judgements:
    """The panel's pairs ``base`` (sim.reward.panel_judgements: the same pairs, noise and held-out pairs as the single
    reward model), resampled with replacement for one member, with that member's own order of batches."""
    gen = torch.Generator().manual_seed(derive_seed("ensemble", world.lang, seed, member))
    pairs = pick(base.pairs, len(base.pairs), gen)
    return Judgements(base.held, lambda: pick(pairs, cfg.batch_size, gen), pairs=pairs)


def norm_pool(world: World, seed: int) -> Samples:
    """A fixed pool of candidate answers (the kind the annotators judged) that every member is normalised on."""
    rng = random.Random(derive_seed("ensemble-norm", world.lang, seed))
    items = world.train_items(256, rng, kinds=RLHF_KINDS)
    return encode_answers(world, items, [world.candidate(it, rng) for it in items])


@torch.no_grad()
def member_norm(rm: WujiForSequenceClassification, pool: Samples) -> tuple[float, float]:
    """A member's mean and std of scores over the pool (``norm_pool``)."""
    s = score(rm, pool)
    return s.mean().item(), max(s.std().item(), 1e-3)


def train_members(make_member, world: World, rcfg: RewardConfig, ecfg: EnsembleConfig,
                  seed: int) -> Iterator[Event]:
    """Steps 1-3: train the k members one after another (their events as the ensemble's progress); return the
    ensemble and each member's agreement with its annotators and with gold on the held-out pairs."""
    members, norms, report = [], [], []
    rcfg = dataclasses.replace(rcfg, steps=ecfg.steps, eval_every=ecfg.steps)  # evaluated at the end only
    base, pool = panel_judgements(world, rcfg, seed), norm_pool(world, seed)  # drawn once, for every member
    for i in range(ecfg.k):
        rm = make_member()
        last = {}
        for ev in train_reward(rm, world, rcfg, seed, judgements=lambda w, c, s, i=i: bootstrap(base, w, c, s, i)):
            if ev.evaluated:
                last = ev.metrics
            yield Event("ensemble", i * rcfg.steps + ev.step, ecfg.k * rcfg.steps, {"member": i})
        members.append(rm.eval())
        norms.append(member_norm(rm, pool))
        report.append({k: last[k] for k in ("pref_accuracy", "gold_agreement")})
    return Ensemble(members, norms, ecfg.conservative, ecfg.uwo_lambda), report
