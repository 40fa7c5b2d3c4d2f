"""Stage 2 -- supervised fine-tuning (招式): the fixed question/answer format on 8 task kinds.

Recipe: (1) draw demonstrations (a person's sect or master a quarter as often as the other kinds,
``SFT_KIND_WEIGHTS``; the eval prompts are excluded),
(2) the token embedding (tied to the output layer) learns at ``embedding_lr`` of the rate: SFT changes how the
model uses its words more than the words (discriminative fine-tuning, Howard & Ruder 2018, gives the lower
layers lower rates). At the full rate SFT can learn the people it asks about by heart (a name is one token,
and its embedding is free to move), and then miss the same question about the people it never asked: the sect
and the master of those, default preset, Chinese, seeds 0-2, were right 100%/75%, 100%/94%, 19%/6% at the full
rate and 100%/75%, 100%/94%, 94%/44% at 0.3 (frozen entirely, copying and reversing were learnt far worse in
an earlier version of this world: 19-62% against 100%),
(3) right-pad prompt + answer + EOS, (4) cross-entropy on the answer tokens only,
(5) every ``eval_every`` steps measure capability, per-task accuracy and format rate (greedy).

Simplifications: demonstrations are generated, not written by people; one epoch is a fresh draw; every
weight is tuned (no adapters).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

from sim import evaluate
from sim.config import SFTConfig
from sim.events import Event
from sim.model import WujiForCausalLM
from sim.train import due, lr_at, pick, seeded, set_lr, update
from sim.world import EOS_ID, PAD_ID, SFT_KIND_WEIGHTS, World


def sft_batch(world: World, items, answers) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded (B, T) tokens and a (B, T) mask of the positions whose next token is answer."""
    rows = [(world.encode(world.prompt(it)), world.encode(a) + [EOS_ID]) for it, a in zip(items, answers)]
    T = max(len(p) + len(r) for p, r in rows)
    x = torch.full((len(rows), T), PAD_ID, dtype=torch.long)
    m = torch.zeros(len(rows), T, dtype=torch.bool)
    for i, (p, r) in enumerate(rows):
        x[i, : len(p) + len(r)] = torch.tensor(p + r)
        m[i, len(p) - 1 : len(p) + len(r) - 1] = True  # predicting each answer token
    return x, m


def sft(model: WujiForCausalLM, world: World, cfg: SFTConfig, seed: int, eval_items) -> Iterator[Event]:
    rng, gen = seeded("sft", world.lang, seed)
    items = world.train_items(cfg.n_demos, rng, exclude=world.unseen(eval_items),  # 1. demonstrations
                              weights=SFT_KIND_WEIGHTS)
    demos = [(it, world.sft_answer(it, rng)) for it in items]
    words = model.get_input_embeddings().weight  # 2.
    rest = [p for p in model.parameters() if p is not words]
    opt = torch.optim.AdamW([{"params": rest}, {"params": [words], "lr_scale": cfg.embedding_lr}], lr=cfg.lr,
                            betas=(0.9, 0.95), weight_decay=0.0)
    dev = model.device

    def evaluation(step: int) -> Event:
        m = evaluate.capability(model, world, eval_items)
        return Event("sft", step, cfg.steps, m, evaluated=True)

    yield evaluation(0)
    model.train()
    for step in range(cfg.steps):
        batch = pick(demos, cfg.batch_size, gen)
        x, mask = sft_batch(world, [it for it, _ in batch], [a for _, a in batch])  # 3.
        x, mask = x.to(dev), mask.to(dev)
        set_lr(opt, lr_at(step, cfg.steps, cfg.lr, cfg.warmup))
        logits = model.logits(x)[:, :-1]  # (B, T-1, V)
        loss = F.cross_entropy(logits[mask[:, :-1]], x[:, 1:][mask[:, :-1]])  # 4. answer tokens only
        update(opt, loss, model.parameters(), "sft", step, cfg.lr)
        done = step + 1
        if due(done, cfg.eval_every, cfg.steps):  # 5.
            model.eval()
            ev = evaluation(done)
            ev.metrics["train_loss"] = loss.item()
            yield ev
            model.train()
        else:
            yield Event("sft", done, cfg.steps, {"train_loss": loss.item()})
    model.eval()
