"""Stage 3 -- the reward model (江湖 elders / the review panel) learnt from ranked answers.

Recipe: (1) for prompts of the RLHF task kinds, draw pairs of candidate answers with random traits,
(2) let the simulated annotator panel pick the better one (bias mixes gold with surface appeal),
(3) start from the SFT model's weights with a zero scalar head (InstructGPT; ``sim.stages`` builds it),
(4) minimise the Bradley-Terry loss -log sigmoid(r_chosen - r_rejected), (5) measure on held-out pairs how
often it agrees with the annotators (``pref_accuracy``) and with the gold preference (``gold_agreement``).

The reward model never sees the gold function: only the annotators' choices. Steps 1-2 are a
``Judgements``: the panel's (``panel_judgements``), or the room's own rankings (sim.room_train).
Simplifications: candidates come from a template pool rather than from sampling the SFT model,
and each pair is ranked by one annotator of the panel.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from sim.annotators import judging_of, make_pairs
from sim.config import RewardConfig
from sim.events import Event, derive_seed
from sim.model import WujiForSequenceClassification, score
from sim.train import due, encode_answers, encode_pairs, lr_at, pick, seeded, set_lr, update
from sim.world import World


def preference_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Bradley-Terry: -log sigmoid(r_c - r_r), averaged over pairs."""
    return -F.logsigmoid(r_chosen - r_rejected).mean()


@torch.no_grad()
def agreement(rm: WujiForSequenceClassification, world: World, pairs) -> dict:
    """How often the reward model scores the chosen answer higher (``pref_accuracy``), and how often it
    sides with the gold preference where gold does not tie (``gold_agreement``)."""
    items = [p[0] for p in pairs]
    rc = score(rm, encode_answers(world, items, [p[1] for p in pairs]))
    rr = score(rm, encode_answers(world, items, [p[2] for p in pairs]))
    rm_says_chosen = rc > rr
    pref = rm_says_chosen.float().mean().item()
    gold = [(bool(s) == g) for s, (_, _, _, g) in zip(rm_says_chosen.tolist(), pairs) if g is not None]
    return {"pref_accuracy": pref, "gold_agreement": sum(gold) / max(1, len(gold))}


@dataclass
class Judgements:
    """What a reward model learns from and is measured on (steps 1-2 of the recipe)."""

    held: list  # held-out labelled pairs (item, chosen, rejected, gold says): pref_accuracy, gold_agreement
    draw: Callable[[], list]  # one training batch of labelled pairs
    measure: Callable[[WujiForSequenceClassification], dict] = lambda rm: {}  # more figures at each evaluation
    pairs: list = field(default_factory=list)  # the training pairs ``draw`` picks from, where it has a list


def panel_judgements(world: World, cfg: RewardConfig, seed: int) -> Judgements:
    """The simulated panel's pairs (sim.annotators), drawn and labelled from this stage's own seed."""
    rng, gen = seeded("reward", world.lang, seed, cfg.reward_bias)
    judging = judging_of(cfg)
    pairs = make_pairs(world, cfg.n_pairs, cfg.reward_bias, rng, cfg.n_annotators, seed, judging=judging)
    held = make_pairs(world, cfg.eval_pairs, cfg.reward_bias, rng, cfg.n_annotators, seed, judging=judging)
    if cfg.label_noise > 0:  # careless annotators: a coin toss decides a share of the pairs (their own dice)
        coin = random.Random(derive_seed("label-noise", world.lang, seed, cfg.label_noise))
        pairs, held = (toss(ps, cfg.label_noise, coin) for ps in (pairs, held))
    return Judgements(held, lambda: pick(pairs, cfg.batch_size, gen), pairs=pairs)


def toss(pairs: list, share: float, rng: random.Random) -> list:
    """The pairs with a share of their labels decided by a coin: each, with probability ``share``, swapped half the
    time (its gold verdict swapped with it)."""
    out = []
    for it, chosen, rejected, gold in pairs:
        if rng.random() < share and rng.random() < 0.5:
            chosen, rejected, gold = rejected, chosen, None if gold is None else not gold
        out.append((it, chosen, rejected, gold))
    return out


def train_reward(
    rm: WujiForSequenceClassification, world: World, cfg: RewardConfig, seed: int,
    judgements: Callable[[World, RewardConfig, int], Judgements] = panel_judgements,
) -> Iterator[Event]:
    judged = judgements(world, cfg, seed)  # 1.-2.
    opt = torch.optim.AdamW(rm.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)

    def evaluation() -> dict:  # 5.
        return {**agreement(rm, world, judged.held), **judged.measure(rm)}

    yield Event("reward", 0, cfg.steps, evaluation(), evaluated=True)
    rm.train()
    for step in range(cfg.steps):
        batch = judged.draw()
        s = encode_pairs(world, batch)  # chosen and rejected in one forward pass
        set_lr(opt, lr_at(step, cfg.steps, cfg.lr, 10))
        r = score(rm, s)
        loss = preference_loss(r[: len(batch)], r[len(batch) :])  # 4.
        update(opt, loss, rm.parameters(), "reward", step, cfg.lr)
        done = step + 1
        if due(done, cfg.eval_every, cfg.steps):
            rm.eval()
            m = evaluation()
            m["train_loss"] = loss.item()
            yield Event("reward", done, cfg.steps, m, evaluated=True)
            rm.train()
        else:
            yield Event("reward", done, cfg.steps, {"train_loss": loss.item()})
    rm.eval()
