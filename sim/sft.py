"""Stage 2 -- supervised fine-tuning (招式): the fixed question/answer format on 8 task kinds.

Recipe: (1) draw demonstrations from the SFT people and facts (the eval prompts are excluded),
(2) right-pad prompt + answer + EOS, (3) cross-entropy on the answer tokens only,
(4) every ``eval_every`` steps measure capability, per-task accuracy and format rate (greedy).

Simplifications: demonstrations are generated, not written by people; one epoch is a fresh draw.
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
from sim.world import EOS_ID, PAD_ID, World


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
    exclude = {world.key(it) for it in eval_items if it.kind not in ("sect", "master")}
    items = world.train_items(cfg.n_demos, rng, exclude=exclude)  # 1. demonstrations
    demos = [(it, world.sft_answer(it, rng)) for it in items]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)
    dev = model.device

    def evaluation(step: int) -> Event:
        m = evaluate.capability(model, world, eval_items)
        return Event("sft", step, cfg.steps, m, evaluated=True)

    yield evaluation(0)
    model.train()
    for step in range(cfg.steps):
        batch = pick(demos, cfg.batch_size, gen)
        x, mask = sft_batch(world, [it for it, _ in batch], [a for _, a in batch])  # 2.
        x, mask = x.to(dev), mask.to(dev)
        set_lr(opt, lr_at(step, cfg.steps, cfg.lr, cfg.warmup))
        logits = model.logits(x)[:, :-1]  # (B, T-1, V)
        loss = F.cross_entropy(logits[mask[:, :-1]], x[:, 1:][mask[:, :-1]])  # 3. answer tokens only
        update(opt, loss, model.parameters(), "sft", step, cfg.lr)
        done = step + 1
        if due(done, cfg.eval_every, cfg.steps):  # 4.
            model.eval()
            ev = evaluation(done)
            ev.metrics["train_loss"] = loss.item()
            yield ev
            model.train()
        else:
            yield Event("sft", done, cfg.steps, {"train_loss": loss.item()})
    model.eval()
