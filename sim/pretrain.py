"""Stage 1 -- pretraining (内力): next-token prediction on the world's prose (a token: a word, a digit, a symbol).

Recipe: (1) render a corpus of prose facts and patterns, (2) cut random blocks of it,
(3) AdamW with warmup and cosine decay, (4) every ``eval_every`` steps measure held-out loss,
the knowledge probe and a sample of free text.

Simplifications: the corpus is small and regenerated from the seed (no data loader), blocks are
drawn with replacement, and there is no gradient accumulation.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

from sim import evaluate
from sim.config import PretrainConfig
from sim.events import Event
from sim.model import WujiForCausalLM
from sim.train import due, lr_at, random_blocks, seeded, set_lr, token_stream, update
from sim.world import World


def pretrain(model: WujiForCausalLM, world: World, cfg: PretrainConfig, seed: int) -> Iterator[Event]:
    rng, gen = seeded("pretrain", world.lang, seed)
    train = token_stream(world, cfg.n_sentences, rng)  # 1. the corpus
    val = token_stream(world, 2000, rng)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.1)
    dev = model.device  # batches are cut on the CPU (as the generator draws them) and moved

    def evaluation(step: int) -> Event:
        m = {"val_loss": evaluate.lm_loss(model, val, cfg.block),
             "probe_accuracy": evaluate.probe_accuracy(model, world)}
        extra = {"sample": evaluate.free_text(model, world, gen)}
        return Event("pretrain", step, cfg.steps, m, evaluated=True, extra=extra)

    yield evaluation(0)
    model.train()
    for step in range(cfg.steps):
        chunk = random_blocks(train, cfg.block, cfg.batch_size, gen)  # 2. (B, block + 1) random blocks
        x, y = chunk[:, :-1].to(dev), chunk[:, 1:].to(dev)
        set_lr(opt, lr_at(step, cfg.steps, cfg.lr, cfg.warmup))  # 3. schedule + update
        logits = model.logits(x)  # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        update(opt, loss, model.parameters(), "pretrain", step, cfg.lr)
        done = step + 1
        if due(done, cfg.eval_every, cfg.steps):  # 4. evaluate
            model.eval()
            ev = evaluation(done)
            ev.metrics["train_loss"] = loss.item()
            yield ev
            model.train()
        else:
            yield Event("pretrain", done, cfg.steps, {"train_loss": loss.item()})
    model.eval()
