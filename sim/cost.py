"""What a run costs in floating-point operations (FLOPs), stage by stage, next to the published figures
of a real model. Pure Python (no torch), so the challenges page can draw it without loading a model.

A token costs 2 FLOPs a weight forward and 6 forward + backward (Kaplan et al. 2020), plus attention:
``flops_per_token`` is the training figure (the one formula; ``sim.bench`` reads its MFU from it too), a
forward pass is a third of it. Tokens a stage processes, from its config:

  pretrain  steps x batch x block, trained;
  sft       steps x batch x (prompt + answer), trained;
  reward    steps x batch x 2 answers x (prompt + answer), trained (chosen and rejected in one pass);
  rlhf      iterations x batch x (prompt + budget): sampled (1 forward), scored by the reference model and
            the reward model and re-read by the policy (3 forwards), then trained ``epochs`` times.

Deliberate simplifications: mean lengths come from the world's own prompts and answers (rollouts are
counted at the full length budget, an upper bound); evaluation, the reward normalisation and cache reads
are left out (they train nothing).
"""

from __future__ import annotations

import random

from sim.config import Config
from sim.world import KINDS, RLHF_KINDS, VOCABS, World

PFS_DAY = 1e15 * 86400  # one petaflop/s-day in FLOPs
# Published compute of a real model (FLOPs). The page names the sources (ui.texts "cost_sources").
PUBLISHED = {
    "gpt3_pretrain": 3.14e23,  # Brown et al. 2020, Table D.1: GPT-3 175B, 3.14e23 FLOPs (3,640 petaflop/s-days)
    "instructgpt_sft": 4.9 * PFS_DAY,  # Ouyang et al. 2022, section 5.1: 175B SFT, 4.9 petaflop/s-days
    "instructgpt_ppo": 60 * PFS_DAY,  # Ouyang et al. 2022, section 5.1: 175B PPO-ptx, 60 petaflop/s-days
}


def flops_per_token(n_layer: int, n_embd: int, vocab_size: int, seq_len: int) -> float:
    """Training FLOPs a token (forward + backward = 3x forward), as in Kaplan et al. 2020 / PaLM: 12 L d^2
    weights in the blocks and V d in the (tied) embedding, plus attention's 2 L T d a token."""
    n = 12 * n_layer * n_embd**2 + vocab_size * n_embd
    attn = 2 * n_layer * seq_len * n_embd
    return 6 * n + 6 * attn


def mean_lengths(lang: str, seed: int, n: int = 400) -> dict[str, float]:
    """Mean tokens of a prompt, an SFT answer (+ EOS) and a judged candidate (+ EOS)."""
    world, rng = World(lang, seed), random.Random(f"cost-{seed}")
    items = [world.make_item(rng.choice(KINDS), rng) for _ in range(n)]
    rl_items = [world.make_item(rng.choice(RLHF_KINDS), rng) for _ in range(n)]
    return {
        "prompt": sum(len(world.encode(world.prompt(it))) for it in items) / n,
        "answer": sum(len(world.encode(world.sft_answer(it, rng))) + 1 for it in items) / n,
        "candidate": sum(len(world.encode(world.candidate(it, rng)[0])) + 1 for it in rl_items) / n,
        "rl_prompt": sum(len(world.encode(world.prompt(it))) for it in rl_items) / n,
        "budget": world.budget + 1,
    }


def stage_tokens(cfg: Config) -> dict[str, float]:
    """Tokens each stage trains on (see the module docstring)."""
    ln = mean_lengths(cfg.lang, cfg.seed)
    p, s, r, o = cfg.pretrain, cfg.sft, cfg.reward, cfg.ppo
    return {
        "pretrain": p.steps * p.batch_size * p.block,
        "sft": s.steps * s.batch_size * (ln["prompt"] + ln["answer"]),
        "reward": r.steps * r.batch_size * 2 * (ln["rl_prompt"] + ln["candidate"]),
        "rlhf": o.iterations * o.batch_size * (ln["rl_prompt"] + ln["budget"]),
    }


def stage_flops(cfg: Config) -> dict[str, float]:
    """FLOPs each stage of ``cfg`` spends training (see the module docstring)."""
    m = cfg.model
    ln = mean_lengths(cfg.lang, cfg.seed)
    tokens = stage_tokens(cfg)
    seq = {"pretrain": cfg.pretrain.block, "sft": ln["prompt"] + ln["answer"],
           "reward": ln["rl_prompt"] + ln["candidate"], "rlhf": ln["rl_prompt"] + ln["budget"]}
    out = {}
    for stage, n_tokens in tokens.items():
        per = flops_per_token(m.n_layer, m.n_embd, len(VOCABS[cfg.lang]), round(seq[stage]))
        passes = 4 / 3 + cfg.ppo.epochs if stage == "rlhf" else 1.0  # 4 forwards (1/3 each) + epochs of training
        out[stage] = n_tokens * per * passes
    return out
