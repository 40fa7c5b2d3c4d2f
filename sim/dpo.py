"""DPO: align on the annotators' pairs directly, without a reward model or sampling.

Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is Secretly a Reward Model":
the KL-regularised objective PPO optimises has a closed-form optimum, pi* proportional to
pi_ref exp(r / beta), so the reward is r = beta log(pi / pi_ref) (up to a per-prompt constant) and the
Bradley-Terry loss of the reward model can be written on the policy itself:

    loss = -log sigmoid(beta [(log pi(y_c) - log pi_ref(y_c)) - (log pi(y_r) - log pi_ref(y_r))])

with log pi(y) the sum of the answer tokens' log-probs. beta plays the part of PPO's kl_coef (a
larger beta: a shorter leash), in the units of the annotators' choices rather than of the
normalised reward, so it is its own knob (DPOConfig.beta).

Recipe:
  1. the SAME annotator pairs the reward model learnt from (sim.annotators.make_pairs with the reward
     stage's seed and reward_bias: the biased judges);
  2. policy = the SFT model, reference = a frozen copy of it;
  3. each step: a batch of pairs, chosen and rejected in one forward pass of each model;
  4. the DPO loss, one AdamW step (sim.train.update), warmup then cosine decay;
  5. every ``eval_every`` steps, PPO's metrics (sim.evaluate.rlhf_metrics), with the trained reward
     model as the proxy and its PPO normalisation, so the points land on PPO's axes.

Deliberate simplifications: no SFT on the chosen answers first (the pairs are template answers,
off the SFT model's distribution, as in offline DPO), no label smoothing or IPO / conservative
variants, the reference log-probs are recomputed every step instead of precomputed once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from sim import evaluate
from sim.annotators import judging_of, make_pairs
from sim.config import DPOConfig, RewardConfig
from sim.events import Event
from sim.model import Samples, WujiForCausalLM, WujiForSequenceClassification
from sim.train import answer_logp_values, encode_pairs, freeze, lr_at, pick, seeded, set_lr, update
from sim.world import World


# -- the math that matters --------------------------------------------------------------------
def dpo_loss(
    pi_chosen_logp: torch.Tensor, pi_rejected_logp: torch.Tensor,
    ref_chosen_logp: torch.Tensor, ref_rejected_logp: torch.Tensor, beta: float,
) -> torch.Tensor:
    """Rafailov et al. 2023, eq. 7, averaged over pairs. Inputs (B,): summed answer log-probs."""
    margin = (pi_chosen_logp - ref_chosen_logp) - (pi_rejected_logp - ref_rejected_logp)  # (B,)
    return -F.logsigmoid(beta * margin).mean()


def implicit_rewards(pi_logp: torch.Tensor, ref_logp: torch.Tensor, beta: float) -> torch.Tensor:
    """DPO's implicit reward beta (log pi - log pi_ref), (B,): what the policy "thinks" a judge pays."""
    return beta * (pi_logp - ref_logp)


def sequence_logp(model: WujiForCausalLM, s: Samples) -> torch.Tensor:
    """Sum of the answer tokens' log-probs (EOS included where the answer ended), (B,)."""
    logp, _ = answer_logp_values(model, None, s)  # (B, Tr)
    return (logp * s.resp_mask.to(logp.device)).sum(-1)


# -- the trainer ------------------------------------------------------------------------------
def dpo(
    policy: WujiForCausalLM, rm: WujiForSequenceClassification, world: World, cfg: DPOConfig,
    reward_cfg: RewardConfig, seed: int, eval_items, norm: tuple[float, float],
) -> Iterator[Event]:
    pair_rng, _ = seeded("reward", world.lang, seed, reward_cfg.reward_bias)  # 1. the reward model's pairs
    pairs = make_pairs(world, reward_cfg.n_pairs, reward_cfg.reward_bias, pair_rng, reward_cfg.n_annotators, seed,
                       judging=judging_of(reward_cfg))
    _, gen = seeded("dpo", world.lang, seed, reward_cfg.reward_bias, cfg.beta)
    ref = copy.deepcopy(policy).eval()  # 2. the frozen SFT model
    freeze(ref, rm)
    opt = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)
    evaluation = evaluate.evaluator("dpo", cfg.steps, policy, ref, rm, world, eval_items, norm, seed)

    yield evaluation(0)
    for step in range(cfg.steps):
        policy.train()
        batch = pick(pairs, cfg.batch_size, gen)
        B = len(batch)
        s = encode_pairs(world, batch)  # 3.
        pi = sequence_logp(policy, s)  # (2B,): chosen then rejected
        with torch.no_grad():
            ref_lp = sequence_logp(ref, s)
        loss = dpo_loss(pi[:B], pi[B:], ref_lp[:B], ref_lp[B:], cfg.beta)  # 4.
        set_lr(opt, lr_at(step, cfg.steps, cfg.lr, cfg.warmup))
        update(opt, loss, policy.parameters(), "dpo", step, cfg.lr)
        with torch.no_grad():
            rc, rr = implicit_rewards(pi[:B], ref_lp[:B], cfg.beta), implicit_rewards(pi[B:], ref_lp[B:], cfg.beta)
        train = {"loss": loss.item(), "reward_accuracy": (rc > rr).float().mean().item(),
                 "reward_margin": (rc - rr).mean().item()}
        yield evaluate.step_event(evaluation, "dpo", step + 1, cfg.steps, cfg.eval_every, train)  # 5.
    policy.eval()
