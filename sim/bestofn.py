"""Best-of-n sampling against the reward model: align without training (Gao, Schulman & Hilton 2022).

For each held-out prompt the SFT model writes n answers and the reward model keeps the one it scores
highest. No weight changes, yet the answers drift towards what the judges like, and the further they
drift the more a biased reward model is over-optimised. The "policy" best-of-n defines is
KL_bon(n) = log n - (n - 1) / n nats away from the SFT model (Gao et al. 2022, sim.overopt.bon_kl).

Recipe:
  1. sample max(ns) answers to every evaluation prompt from the SFT model (temperature 1), in a few
     big KV-cached batches, once: every n reuses the first n of them, so the curve is one draw;
  2. score every answer with the reward model, normalised as PPO normalises it (sim.ppo.reward_norm);
  3. for each n: keep each prompt's highest-scoring answer among its first n;
  4. measure the kept answers with the metrics PPO reports, and kl = bon_kl(n).

Deliberate simplifications: the KL is the paper's closed form (an upper bound on the true KL;
Beirami et al. 2024), not measured; and ``capability`` / ``per_task`` / ``format_rate`` are read from
the kept (sampled) answers, since a best-of-n policy has no greedy answer -- PPO's are greedy, so
compare best-of-n's capability with its own n = 1 row, not with PPO's start.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from sim.config import BestOfNConfig
from sim.evaluate import accuracy, answer_tokens, pleasing, shape
from sim.events import Event
from sim.model import WujiForCausalLM, WujiForSequenceClassification, sample, score
from sim.overopt import bon_kl
from sim.train import seeded
from sim.world import EOS_ID, PAD_ID, World


def pick_best(scores: torch.Tensor, n: int) -> torch.Tensor:
    """Row index (P,) of the best of the first n answers of each prompt; ``scores`` is (N, P)."""
    return scores[:n].argmax(0)


def kept_metrics(world: World, items, traits, proxy: torch.Tensor, choice: torch.Tensor, answers) -> dict:
    """PPO's metric names, over the kept answer of each prompt. ``traits[j][i]`` and ``answers[j][i]``
    (evaluate.answer_tokens's rows), ``proxy`` (N, P)."""
    P = len(items)
    kept = [traits[j][i] for i, j in enumerate(choice.tolist())]
    return {
        **shape([answers[j][i] for i, j in enumerate(choice.tolist())], pleasing(world)),
        "proxy_reward": proxy[choice, torch.arange(P)].mean().item(),
        "gold_reward": sum(world.gold(t) for t in kept) / P,
        "flattery": sum(t.flattery > 0 for t in kept) / P,
        "length": sum(t.length for t in kept) / P,
        **accuracy(items, kept),
    }


@torch.no_grad()
def best_of_n(
    sft_model: WujiForCausalLM, rm: WujiForSequenceClassification, world: World, cfg: BestOfNConfig, seed: int,
    eval_items, norm: tuple[float, float],
) -> Iterator[Event]:
    _, gen = seeded("bon", world.lang, seed)
    sft_model.eval()
    rm.eval()
    N, P = max(cfg.ns), len(eval_items)
    prompts = [world.encode(world.prompt(it)) for it in eval_items]
    per_batch = max(1, cfg.batch_size // P)  # draws of every prompt in one batch
    proxy = torch.empty(N, P)  # (N, P): draw j of prompt i
    traits: list = []  # traits[j][i]
    rows: list = []  # rows[j][i]: evaluate.answer_tokens's (tokens, text, ended)
    for j0 in range(0, N, per_batch):  # 1.-2.
        r = min(per_batch, N - j0)
        s = sample(sft_model, prompts * r, world.budget, PAD_ID, EOS_ID, temperature=1.0, generator=gen)
        proxy[j0 : j0 + r] = ((score(rm, s) - norm[0]) / norm[1]).view(r, P).cpu()
        answers = answer_tokens(world, s)
        for j in range(r):
            traits.append([world.traits(it, *answers[j * P + i][1:]) for i, it in enumerate(eval_items)])
            rows.append(answers[j * P : (j + 1) * P])
        yield Event("bon", j0 + r, N, {"sampled": (j0 + r) * P})
    for n in cfg.ns:  # 3.-4.
        m = kept_metrics(world, eval_items, traits, proxy, pick_best(proxy, n), rows)
        yield Event("bon", n, N, {"n": n, "kl": bon_kl(n), **m}, evaluated=True)
