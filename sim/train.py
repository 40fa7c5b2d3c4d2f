"""What every training stage shares: seeding, the learning-rate schedule, the optimiser step, the check that
stops a diverged run, and the batches (random blocks of a token stream, random draws of a list, answers
encoded for a forward pass).

The stage files (pretrain, sft, reward, ppo, bestofn, dpo, rloo) import these; no stage imports another stage.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from sim.events import Diverged, derive_seed
from sim.model import Samples, ValueHead, WujiForCausalLM
from sim.world import EOS_ID, PAD_ID, World


# -- seeds ------------------------------------------------------------------------------------------
def seeded(*parts) -> tuple[random.Random, torch.Generator]:
    """Seed torch's global RNG (for init) and return a Python RNG and a torch Generator, all from ``parts``."""
    s = derive_seed(*parts)
    torch.manual_seed(s)
    return random.Random(s), torch.Generator().manual_seed(s)


# -- the optimiser ------------------------------------------------------------------------------------
def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    """Linear warmup, then cosine decay to a tenth of the peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    """Every parameter group at ``lr``, times the group's own ``lr_scale`` where it has one."""
    for g in opt.param_groups:
        g["lr"] = lr * g.get("lr_scale", 1.0)


def check_finite(loss: torch.Tensor, stage: str, step: int, lr: float) -> None:
    """Raise ``Diverged`` (its message says what to change) when the loss is NaN or infinite."""
    if not torch.isfinite(loss):
        raise Diverged(
            f"{stage} diverged at step {step}: the loss became {loss.item()}. "
            f"Lower the learning rate (now {lr:g}) and run again."
        )


def update(opt, loss, params, stage: str, step: int, lr: float, max_norm: float = 1.0) -> None:
    """One optimiser step, shared by every stage: stop on a non-finite loss, clip the gradient norm."""
    check_finite(loss, stage, step, lr)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    opt.step()


def freeze(*models: torch.nn.Module) -> None:
    """No gradients for these (the frozen reference and the reward model of the RL stages)."""
    for m in models:
        for p in m.parameters():
            p.requires_grad_(False)


def due(done: int, every: int, total: int) -> bool:
    """Is it time to evaluate after ``done`` steps: every ``every`` steps, and after the last one."""
    return done % every == 0 or done == total


# -- batches ------------------------------------------------------------------------------------------
def token_stream(world: World, n_sentences: int, rng: random.Random) -> torch.Tensor:
    """The world's prose as one stream of token ids, each sentence ended by EOS."""
    ids: list[int] = []
    for s in world.corpus(n_sentences, rng):
        ids += world.encode(s) + [EOS_ID]
    return torch.tensor(ids)


def random_blocks(stream: torch.Tensor, block: int, n: int, gen: torch.Generator) -> torch.Tensor:
    """(n, block + 1) windows of ``stream`` at random starts (with replacement): inputs and next tokens."""
    starts = torch.randint(0, len(stream) - block - 1, (n,), generator=gen)
    return stream[starts[:, None] + torch.arange(block + 1)]


def pick(xs: Sequence, n: int, gen: torch.Generator) -> list:
    """n elements of ``xs`` drawn at random with replacement."""
    return [xs[i] for i in torch.randint(0, len(xs), (n,), generator=gen).tolist()]


def encode_answers(world: World, items, answers) -> Samples:
    """Left-padded prompt + answer (+ EOS where it ended) in the same layout ``sim.model.sample`` returns."""
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


def encode_pairs(world: World, pairs) -> Samples:
    """Labelled pairs (item, chosen, rejected, ...) as one batch: the chosen answers, then the rejected ones."""
    return encode_answers(world, [p[0] for p in pairs] * 2, [p[1] for p in pairs] + [p[2] for p in pairs])


# -- what the RL stages read off a batch of answers ----------------------------------------------------
def answer_logp_values(policy: WujiForCausalLM, vhead: ValueHead | None, s: Samples, rows=slice(None)):
    """Log-probs (B, Tr) of the sampled answer tokens, and values (B, Tr) of the states before them."""
    seq, valid = s.seq[rows].to(policy.device), s.valid[rows].to(policy.device)  # once (a copy), on the model's device
    h = policy.hidden(seq, valid)[:, s.prompt_len - 1 : -1]  # (B, Tr, C)
    logits = policy.lm_head(h)
    tokens = seq[:, s.prompt_len :]
    logp = torch.gather(F.log_softmax(logits, -1), 2, tokens[..., None]).squeeze(-1)
    return logp, (vhead(h) if vhead is not None else None)
