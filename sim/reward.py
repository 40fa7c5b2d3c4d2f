"""Stage 3 -- the reward model (江湖 elders / the review panel) learnt from ranked answers.

Recipe: (1) for prompts of the RLHF task kinds, draw pairs of candidate answers with random traits,
(2) let the simulated annotator panel pick the better one (bias mixes gold with surface appeal),
(3) start from the SFT model's weights with a zero scalar head (InstructGPT), (4) minimise the
Bradley-Terry loss -log sigmoid(r_chosen - r_rejected), (5) measure on held-out pairs how often
it agrees with the annotators (``pref_accuracy``) and with the gold preference (``gold_agreement``).

The reward model never sees the gold function: only the annotators' choices.
Simplifications: candidates come from a template pool rather than from sampling the SFT model,
and each pair is ranked by one annotator of the panel.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

from sim.annotators import Judging, choose, judging_of
from sim.annotators import panel as judges_for
from sim.config import RewardConfig
from sim.events import Event, seeded
from sim.model import Samples, WujiForSequenceClassification
from sim.pretrain import lr_at, update
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, World, annotate, annotator_panel


def preference_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Bradley-Terry: -log sigmoid(r_c - r_r), averaged over pairs."""
    return -F.logsigmoid(r_chosen - r_rejected).mean()


def encode_answers(world: World, items, answers) -> Samples:
    """Left-padded prompt + answer (+ EOS where it ended) in the same layout ``sample`` returns."""
    prompts = [world.encode(world.prompt(it)) for it in items]
    resps = [world.encode(t) + ([EOS_ID] if ended else []) for t, ended in answers]
    Tp, Tr = max(map(len, prompts)), max(map(len, resps))
    seq = torch.full((len(items), Tp + Tr), PAD_ID, dtype=torch.long)
    valid = torch.zeros(len(items), Tp + Tr, dtype=torch.bool)
    for i, (p, r) in enumerate(zip(prompts, resps)):
        seq[i, Tp - len(p) : Tp + len(r)] = torch.tensor(p + r)
        valid[i, Tp - len(p) : Tp + len(r)] = True
    ended = torch.tensor([e for _, e in answers])
    return Samples(seq, valid, Tp, valid[:, Tp:].clone(), ended)


def score(rm: WujiForSequenceClassification, s: Samples) -> torch.Tensor:
    return rm.reward(s.seq.to(rm.device), s.valid.to(rm.device))  # (B,)


def make_pairs(world: World, n: int, bias: float, rng, n_annotators: int, seed: int, people=None,
               judging: Judging | None = None):
    """n labelled pairs: (item, chosen, rejected, gold says chosen is better or None on a tie).
    ``judging`` (sim.annotators) swaps the panel, adds a rubric or more votes a pair; None: the classic panel."""
    judging = judging or Judging()
    panel = annotator_panel(n_annotators, seed) if judging.classic else judges_for(n_annotators, seed, judging)
    out = []
    while len(out) < n:
        it = world.make_item(rng.choice(RLHF_KINDS), rng, people=people)
        a, b = world.candidate(it, rng), world.candidate(it, rng)
        if a == b:
            continue
        ta, tb = world.traits(it, *a), world.traits(it, *b)
        if judging.classic:
            who = panel[rng.randrange(len(panel))]
            a_wins = annotate(world, ta, tb, bias, who, rng)
        else:
            a_wins = choose(world, ta, tb, bias, panel, judging, rng)
        chosen, rejected = (a, b) if a_wins else (b, a)
        tc, tr = (ta, tb) if a_wins else (tb, ta)
        gc, gr = world.gold(tc), world.gold(tr)
        out.append((it, chosen, rejected, None if abs(gc - gr) < 1e-9 else gc > gr))
    return out


@torch.no_grad()
def agreement(rm: WujiForSequenceClassification, world: World, pairs) -> dict:
    items = [p[0] for p in pairs]
    rc = score(rm, encode_answers(world, items, [p[1] for p in pairs]))
    rr = score(rm, encode_answers(world, items, [p[2] for p in pairs]))
    rm_says_chosen = rc > rr
    pref = rm_says_chosen.float().mean().item()
    gold = [(bool(s) == g) for s, (_, _, _, g) in zip(rm_says_chosen.tolist(), pairs) if g is not None]
    return {"pref_accuracy": pref, "gold_agreement": sum(gold) / max(1, len(gold))}


def train_reward(rm: WujiForSequenceClassification, world: World, cfg: RewardConfig, seed: int) -> Iterator[Event]:
    rng, gen = seeded("reward", world.lang, seed, cfg.reward_bias)
    judging = judging_of(cfg)
    pairs = make_pairs(world, cfg.n_pairs, cfg.reward_bias, rng, cfg.n_annotators, seed, judging=judging)  # 1.-2.
    held = make_pairs(world, cfg.eval_pairs, cfg.reward_bias, rng, cfg.n_annotators, seed, judging=judging)
    opt = torch.optim.AdamW(rm.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)
    yield Event("reward", 0, cfg.steps, agreement(rm, world, held), evaluated=True)
    rm.train()
    for step in range(cfg.steps):
        idx = torch.randint(0, len(pairs), (cfg.batch_size,), generator=gen).tolist()
        batch = [pairs[i] for i in idx]
        items = [p[0] for p in batch] * 2  # chosen and rejected in one forward pass
        s = encode_answers(world, items, [p[1] for p in batch] + [p[2] for p in batch])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg.steps, cfg.lr, 10)
        r = score(rm, s)
        loss = preference_loss(r[: len(batch)], r[len(batch) :])  # 4.
        update(opt, loss, rm.parameters(), "reward", step, cfg.lr)
        done = step + 1
        if done % cfg.eval_every == 0 or done == cfg.steps:  # 5.
            rm.eval()
            m = agreement(rm, world, held)
            m["train_loss"] = loss.item()
            yield Event("reward", done, cfg.steps, m, evaluated=True)
            rm.train()
        else:
            yield Event("reward", done, cfg.steps, {"train_loss": loss.item()})
    rm.eval()
