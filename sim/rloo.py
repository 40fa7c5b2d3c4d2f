"""RLOO: REINFORCE with a leave-one-out baseline, no value head (the group-baseline family).

Ahmadian et al. 2024, "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human
Feedback in LLMs": treat a whole answer as one action, sample k answers to each prompt, and use the
mean reward of the other k - 1 as each answer's baseline. No critic to learn, no GAE, no clipping.
The KL to the SFT model enters as a KL-penalised reward, as in the paper (and TRL's RLOOTrainer):

    r_i = score_i - kl_coef * sum_t (log pi(y_t) - log pi_sft(y_t))      (sequence-level, sampled)
    A_i = r_i - mean_{j != i} r_j                                          (leave-one-out)
    loss = -mean_i A_i * sum_t log pi(y_t)

GRPO (Shao et al. 2024, DeepSeekMath) is the sibling: the group mean and std normalise the advantage,
and the KL is a separate loss term instead of part of the reward.

Recipe, each iteration:
  1. rollout: k answers to each of ``prompts`` RLHF prompts, never a held-out one (``World.unseen``), at
     temperature 1, as PPO samples;
  2. score: the reward model, normalised as PPO normalises it (sim.ppo.reward_norm), so that
     ``kl_coef`` means the same leash as PPO's;
  3. KL-penalised sequence reward with the sampled log-ratio summed over the answer;
  4. leave-one-out advantages within each prompt's group;
  5. one REINFORCE gradient step (sim.train.update: gradient clipping, AdamW);
  6. every ``eval_every`` iterations, PPO's metrics on held-out prompts (sim.evaluate.rlhf_metrics).

Deliberate simplifications: one on-policy step per rollout (no PPO-style epochs or importance ratio),
no advantage whitening, constant learning rate.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import torch

from sim import evaluate
from sim.config import RLOOConfig
from sim.events import Event
from sim.model import WujiForCausalLM, WujiForSequenceClassification, sample, score
from sim.train import answer_logp_values, freeze, seeded, update
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, World


# -- the math that matters --------------------------------------------------------------------
def kl_penalized_score(score: torch.Tensor, logp: torch.Tensor, ref_logp: torch.Tensor, mask: torch.Tensor,
                       kl_coef: float) -> torch.Tensor:
    """Sequence reward (B,): score - kl_coef * sum over answer tokens of (log pi - log pi_sft)."""
    return score - kl_coef * ((logp - ref_logp) * mask).sum(-1)


def rloo_advantages(rewards: torch.Tensor) -> torch.Tensor:
    """Leave-one-out advantages (P, k) of rewards (P, k): r_i minus the mean of the other k - 1."""
    k = rewards.shape[1]
    baseline = (rewards.sum(1, keepdim=True) - rewards) / (k - 1)  # (P, k)
    return rewards - baseline


def reinforce_loss(logp: torch.Tensor, mask: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
    """-mean_i A_i log pi(y_i), the answer's log-prob summed over its tokens: logp, mask (B, T); adv (B,)."""
    return -(adv.detach() * (logp * mask).sum(-1)).mean()


# -- the trainer ------------------------------------------------------------------------------
def rloo(
    policy: WujiForCausalLM, rm: WujiForSequenceClassification, world: World, cfg: RLOOConfig, kl_coef: float,
    seed: int, eval_items, norm: tuple[float, float],
) -> Iterator[Event]:
    rng, gen = seeded("rloo", world.lang, seed, kl_coef)
    ref = copy.deepcopy(policy).eval()  # the frozen SFT model
    freeze(ref, rm)
    opt = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, eps=1e-5, weight_decay=0.0)
    evaluation = evaluate.evaluator("rloo", cfg.iterations, policy, ref, rm, world, eval_items, norm, seed)

    unseen = world.unseen(eval_items)  # the held-out prompts stay held out: never practised
    yield evaluation(0)
    for it in range(cfg.iterations):
        policy.eval()
        items = world.train_items(cfg.prompts, rng, kinds=RLHF_KINDS, exclude=unseen)
        prompts = [world.encode(world.prompt(x)) for x in items for _ in range(cfg.k)]  # row = prompt * k + draw
        s = sample(policy, prompts, world.budget, PAD_ID, EOS_ID, temperature=1.0, generator=gen)  # 1.
        mask = s.resp_mask.float()  # (P k, Tr)
        policy.train()
        logp, _ = answer_logp_values(policy, None, s)  # (P k, Tr), with gradients
        with torch.no_grad():
            ref_logp, _ = answer_logp_values(ref, None, s)
            scores = (score(rm, s) - norm[0]) / norm[1]  # 2. (P k,)
            rewards = kl_penalized_score(scores, logp, ref_logp, mask, kl_coef)  # 3.
            adv = rloo_advantages(rewards.view(cfg.prompts, cfg.k)).view(-1)  # 4. (P k,)
        loss = reinforce_loss(logp, mask, adv)
        update(opt, loss, policy.parameters(), "rloo", it, cfg.lr)  # 5.
        sampled_kl = ((logp.detach() - ref_logp) * mask).sum(-1).mean().item()
        train = {"score": scores.mean().item(), "sampled_kl": sampled_kl, "loss": loss.item()}
        yield evaluate.step_event(evaluation, "rloo", it + 1, cfg.iterations, cfg.eval_every, train)  # 6.
    policy.eval()
