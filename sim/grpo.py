"""GRPO: group-relative policy optimisation, rewarded by the judges or by a checker (no value head).

Shao et al. 2024, "DeepSeekMath" (GRPO): sample a group of k answers to each prompt, score them, and use
each answer's score relative to its group, ``(r_i - mean) / std``, as the advantage of every one of its
tokens; optimise PPO's clipped objective with that advantage, plus a KL term to the SFT model in the loss
(not in the reward). DeepSeek-AI 2025, "DeepSeek-R1": where answers can be checked by a program, the
reward is a rule (is the answer right?), not a learned reward model: verifiable rewards (RLVR).

Our tasks have exact answers, so a program can judge them. The reward sources (``GRPOConfig.reward``):

  checker, strict   1 when the answer is exactly right (``World.traits``: the right content in the format), else 0
  checker, sloppy   1 when the right answer appears anywhere in the text, else 0: a careless verifier, which a
                    policy can please by writing several candidates at once ("7 8 9" contains 8)
  judges            the reward model's score, normalised as PPO normalises it (sim.ppo.reward_norm)

Recipe, each iteration:
  1. rollout: k answers to each of ``prompts`` RLHF prompts, none of them a held-out one (``World.unseen``), at
     temperature 1, as PPO samples;
  2. reward: the checker's verdict or the judges' score of every answer;
  3. group-relative advantages: (r_i - mean of the group) / (std of the group + 1e-4), the same for every token
     of answer i (DeepSeekMath eq. 3, outcome supervision); a group all right or all wrong teaches nothing;
  4. ``epochs`` passes over the batch: the clipped surrogate on each token's ratio to the rollout's policy, plus
     kl_coef x the per-token KL estimate to the SFT model, k3 = exp(q - p) - (q - p) - 1 with p, q the policy's
     and the SFT model's log-probs (Schulman 2020, "Approximating KL divergence"; DeepSeekMath eq. 4),
     averaged over each answer's tokens and then over answers (DeepSeekMath's 1/|o_i|);
  5. one gradient step per pass (sim.train.update: gradient clipping, AdamW);
  6. every ``eval_every`` iterations, PPO's metrics on held-out prompts (sim.evaluate.rlhf_metrics), which carry
     both checkers' verdicts of the sampled answers (``checker_strict``, ``checker_sloppy``), and ``score``: the
     reward's mean over every rollout since the last evaluation (eval_every x prompts x k answers, so that one
     batch's luck does not read as learning), and ``step_gain``: how far the first step on each batch moved its
     answers' log-probs towards the ones the reward favoured, the mean over the same iterations.

Deliberate simplifications: the whole batch is one minibatch, the learning rate is constant, and ``kl_coef``
is PPO's leash read as GRPO's beta (a per-token loss weight, where PPO's is a per-token reward penalty).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import torch

from sim import evaluate
from sim.config import GRPOConfig
from sim.events import Event
from sim.model import WujiForCausalLM, WujiForSequenceClassification, sample, score
from sim.train import answer_logp_values, freeze, seeded, update
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, World


# -- the math that matters --------------------------------------------------------------------
def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """GRPO's advantages (P, k) of rewards (P, k): each reward less its group's mean, over the group's std."""
    mean, std = rewards.mean(1, keepdim=True), rewards.std(1, keepdim=True)
    return (rewards - mean) / (std + eps)


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's k3 estimate of KL(pi || pi_ref) at each sampled token: exp(r) - r - 1, r = ref - logp; >= 0."""
    r = ref_logp - logp
    return torch.exp(r) - r - 1


def grpo_loss(logp, old_logp, ref_logp, adv, mask, clip: float, kl_coef: float) -> torch.Tensor:
    """DeepSeekMath eq. 3 as a loss: per token, -min(ratio A, clip(ratio) A) + kl_coef k3, averaged over each
    answer's tokens and then over answers. logp, old_logp, ref_logp, mask: (B, T); adv: (B,)."""
    ratio = torch.exp(logp - old_logp)
    a = adv[:, None]
    per_token = torch.max(-a * ratio, -a * ratio.clamp(1 - clip, 1 + clip)) + kl_coef * k3_kl(logp, ref_logp)
    per_answer = (per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1)
    return per_answer.mean()


# -- the trainer ------------------------------------------------------------------------------
def step_gain(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor) -> float:
    """How far an update moved a batch towards the answers the reward favoured: the mean over answers of each
    answer's advantage times the change of its mean token log-prob, from ``old_logp`` to ``logp`` (B, T).
    Positive when the answers above their group's mean grew likelier and those below grew less likely."""
    moved = ((logp - old_logp) * mask).sum(1) / mask.sum(1).clamp(min=1)  # (B,)
    return (adv * moved).mean().item()


def grpo(
    policy: WujiForCausalLM, rm: WujiForSequenceClassification, world: World, cfg: GRPOConfig, kl_coef: float,
    seed: int, eval_items, norm: tuple[float, float],
) -> Iterator[Event]:
    rng, gen = seeded("grpo", world.lang, seed, kl_coef, cfg.reward, cfg.checker)
    ref = copy.deepcopy(policy).eval()  # the frozen SFT model
    freeze(ref, rm)
    opt = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, eps=1e-5, weight_decay=0.0)
    check = evaluate.CHECKERS[cfg.checker]
    evaluation = evaluate.evaluator("grpo", cfg.iterations, policy, ref, rm, world, eval_items, norm, seed)

    unseen = world.unseen(eval_items)  # the held-out prompts stay held out: never practised
    yield evaluation(0)
    window, gains = [], []  # the rollouts' mean scores and the first steps' gains (step_gain) since the last evaluation
    for it in range(cfg.iterations):
        policy.eval()
        items = [x for x in world.train_items(cfg.prompts, rng, kinds=RLHF_KINDS, exclude=unseen)
                 for _ in range(cfg.k)]
        s = sample(policy, [world.encode(world.prompt(x)) for x in items], world.budget, PAD_ID, EOS_ID,  # 1.
                   temperature=1.0, generator=gen)
        mask = s.resp_mask.float()  # (P k, Tr)
        with torch.no_grad():
            if cfg.reward == "judges":  # 2.
                rewards = (score(rm, s) - norm[0]) / norm[1]
            else:
                rewards = torch.tensor([check(world, x, t, e) for x, (t, e) in zip(items, evaluate.texts(world, s))])
            adv = group_advantages(rewards.view(cfg.prompts, cfg.k)).view(-1).to(policy.device)  # 3.
            old_logp, _ = answer_logp_values(policy, None, s)
            ref_logp, _ = answer_logp_values(ref, None, s)
        policy.train()
        for epoch in range(cfg.epochs):  # 4.-5.
            logp, _ = answer_logp_values(policy, None, s)
            if epoch == 1:  # one step taken on this batch: did it move towards the answers the reward favoured?
                gains.append(step_gain(logp.detach(), old_logp, adv, mask))
            loss = grpo_loss(logp, old_logp, ref_logp, adv, mask, cfg.clip, kl_coef)
            update(opt, loss, policy.parameters(), "grpo", it, cfg.lr)
        window.append(rewards.mean().item())
        sampled_kl = ((k3_kl(old_logp, ref_logp) * mask).sum() / mask.sum()).item()
        train = {"score": sum(window) / len(window), "sampled_kl": sampled_kl, "loss": loss.item()}
        if gains:
            train["step_gain"] = sum(gains) / len(gains)
        ev = evaluate.step_event(evaluation, "grpo", it + 1, cfg.iterations, cfg.eval_every, train)  # 6.
        if ev.evaluated:
            window, gains = [], []
        yield ev
    policy.eval()
