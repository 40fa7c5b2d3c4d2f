"""Stage 4 -- PPO with a KL penalty to the SFT model (处世: learn the culture, keep the 内力).

Each iteration, as in CleanRL's ``ppo.py`` and "The N Implementation Details of RLHF with PPO"
(Huang, Liu, von Werra 2023; cited below as "N details"):
  1. rollout: sample answers to a batch of RLHF prompts, never a held-out one (``World.unseen``), at temperature
     1, budget-limited;
  2. score: the reward model's score, normalised by the SFT model's mean and std (N details:
     reward normalisation), so that ``kl_coef`` 0 (no leash) to 1 (a strong leash) is the useful range;
  3. KL-penalised rewards: -kl_coef * (log pi - log pi_sft) on every answer token, the score on
     the last one (InstructGPT; Ziegler et al. 2019);
  4. GAE over the answer tokens (gamma 1, lambda 0.95), then advantage whitening;
  5. several epochs of minibatches: clipped policy loss and clipped value loss (N details), plus, when
     ``ptx_coef`` > 0, PPO-ptx: ptx_coef x the next-token loss on blocks of the pretraining corpus
     (InstructGPT, Ouyang et al. 2022, eq. 2: keep practising the 内力 while learning 处世);
  6. optional adaptive KL controller (Ziegler et al. 2019);
  7. every ``eval_every`` iterations, measure on held-out prompts (sim.evaluate.rlhf_metrics).

Deliberate simplifications: the value head shares the policy's trunk, there is no EOS penalty,
PPO-ptx rereads a prefix of the pretraining corpus (``ptx_sentences``), and the penalty uses the
sampled estimator (log-ratio) while the reported ``kl`` is the exact full-vocabulary KL.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from sim import evaluate
from sim.config import PPOConfig
from sim.events import Event, derive_seed
from sim.model import ValueHead, WujiForCausalLM, WujiForSequenceClassification, sample, score
from sim.train import answer_logp_values, due, encode_answers, freeze, random_blocks, seeded, token_stream, update
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, World


# -- the math that matters: small pure functions ------------------------------------------------
def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True) -> torch.Tensor:
    """(x - mean) / std over the masked entries (N details: advantage whitening)."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    return (out if shift_mean else out + mean) * mask


def kl_penalized_rewards(
    score: torch.Tensor, logp: torch.Tensor, ref_logp: torch.Tensor, mask: torch.Tensor, kl_coef: float
) -> torch.Tensor:
    """Per-token rewards (B, T): -kl_coef * (logp - ref_logp) on answer tokens, + score on the last.

    ``mask`` marks answer tokens, which form a prefix of each row (padding only after them).
    """
    rewards = -kl_coef * (logp - ref_logp) * mask
    last = mask.long().sum(-1) - 1  # (B,) index of each row's last answer token
    rewards[torch.arange(len(score), device=score.device), last] += score
    return rewards


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float, lam: float):
    """Generalised advantage estimation (Schulman et al. 2016) over masked (B, T) rows.

    Values and rewards are zero past each row's end, so the bootstrap there is 0.
    Returns (advantages, returns), both zero off the mask.
    """
    values, rewards = values * mask, rewards * mask
    adv = torch.zeros_like(rewards)
    last = rewards.new_zeros(rewards.shape[0])
    for t in reversed(range(rewards.shape[1])):
        nxt = values[:, t + 1] if t + 1 < rewards.shape[1] else torch.zeros_like(last)
        delta = rewards[:, t] + gamma * nxt - values[:, t]
        last = delta + gamma * lam * last
        adv[:, t] = last
    adv = adv * mask
    return adv, (adv + values) * mask


def ppo_losses(logp, old_logp, adv, values, old_values, returns, mask, clip, vf_clip):
    """Clipped surrogate policy loss and clipped value loss (N details), masked means."""
    ratio = torch.exp(logp - old_logp)
    pg = torch.max(-adv * ratio, -adv * ratio.clamp(1 - clip, 1 + clip))
    v_clipped = old_values + (values - old_values).clamp(-vf_clip, vf_clip)
    vf = 0.5 * torch.max((values - returns) ** 2, (v_clipped - returns) ** 2)
    return masked_mean(pg, mask), masked_mean(vf, mask)


def ptx_loss(policy: WujiForCausalLM, stream: torch.Tensor, n_blocks: int, gen: torch.Generator) -> torch.Tensor:
    """PPO-ptx's term (InstructGPT, eq. 2): next-token cross-entropy on ``n_blocks`` random blocks of the
    pretraining token stream, each as long as the model's context."""
    chunk = random_blocks(stream, policy.config.n_positions, n_blocks, gen).to(policy.device)  # (n_blocks, block + 1)
    logits = policy.logits(chunk[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[:, 1:].reshape(-1))


def ptx_corpus(world: World, cfg: PPOConfig, seed: int) -> tuple[torch.Tensor, torch.Generator]:
    """The first ``ptx_sentences`` of the very corpus sim.pretrain drew (same seed), and the generator
    that cuts its blocks (its own, so that the rollouts match the same run without PPO-ptx)."""
    stream = token_stream(world, cfg.ptx_sentences, random.Random(derive_seed("pretrain", world.lang, seed)))
    return stream, torch.Generator().manual_seed(derive_seed("ptx", world.lang, seed))


class AdaptiveKLController:
    """Ziegler et al. 2019: nudge the coefficient so the KL stays near a target."""

    def __init__(self, init: float, target: float, horizon: int):
        self.value, self.target, self.horizon = init, target, horizon

    def update(self, kl: float, n_steps: int) -> None:
        err = max(-0.2, min(0.2, kl / self.target - 1))
        self.value *= 1 + err * n_steps / self.horizon


# -- the stage -------------------------------------------------------------------------------------
@torch.no_grad()
def reward_norm(rm, policy, world: World, items, rng, gen) -> tuple[float, float]:
    """Centre: the mean score of the SFT model's own answers (N details: reward normalisation), so
    the SFT model starts at 0. Scale: the score's std over the candidate pool the annotators judged,
    so one unit is "one typical difference between answers" whatever the SFT model's spread."""
    s = sample(policy, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID,
               temperature=1.0, generator=gen)
    pool = score(rm, encode_answers(world, items, [world.candidate(it, rng) for it in items]))
    return score(rm, s).mean().item(), max(pool.std().item(), 1e-3)


def start_norm(rm, policy, world: World, seed: int) -> tuple[float, float]:
    """``reward_norm`` drawn from its own seed: the same for every kl_coef (one start), and for the other
    ways to align (sim/methods.py), so every method's proxy reward is on PPO's scale."""
    norm_rng, norm_gen = seeded("reward-norm", world.lang, seed)
    return reward_norm(rm, policy, world, world.train_items(256, norm_rng, kinds=RLHF_KINDS), norm_rng, norm_gen)


def green_grey(policy, ref, world: World, items, n: int = 6) -> list[dict]:
    """The SFT (green) and policy (grey) answers to the same prompts, with the exact KL of each character of the
    grey answer (the KL of the token that wrote it)."""
    prompts = [world.encode(world.prompt(it)) for it in items[:n]]
    sp = sample(policy, prompts, world.budget, PAD_ID, EOS_ID, temperature=0)
    sr = sample(ref, prompts, world.budget, PAD_ID, EOS_ID, temperature=0)
    tk = evaluate.token_kl(policy, ref, sp)
    answer_ids = sp.seq[:, sp.prompt_len :].tolist()
    out = []
    for i, (it, (pt, pe), (rt, re_)) in enumerate(zip(items[:n], evaluate.texts(world, sp), evaluate.texts(world, sr))):
        out.append({"prompt": world.prompt(it), "sft": rt, "policy": pt,
                    "sft_correct": world.traits(it, rt, re_).correct,
                    "policy_correct": world.traits(it, pt, pe).correct,
                    "token_kl": [round(tk[i, j].item(), 4) for j in world.vocab.decode_spans(answer_ids[i])[1]]})
    return out


def ppo(
    policy: WujiForCausalLM, rm: WujiForSequenceClassification, world: World, cfg: PPOConfig, seed: int, eval_items
) -> Iterator[Event]:
    rng, gen = seeded("ppo", world.lang, seed, cfg.kl_coef)
    ref = copy.deepcopy(policy).eval()  # the frozen SFT model (green)
    freeze(ref, rm)
    vhead = ValueHead(policy.config.n_embd).to(policy.device)
    opt = torch.optim.AdamW(list(policy.parameters()) + list(vhead.parameters()), lr=cfg.lr, eps=1e-5,
                            weight_decay=0.0)
    kl_ctl = AdaptiveKLController(cfg.kl_coef, cfg.target_kl, cfg.horizon)
    norm = start_norm(rm, policy, world, seed)
    eval_gen = torch.Generator().manual_seed(seed)
    ptx = ptx_corpus(world, cfg, seed) if cfg.ptx_coef > 0 else None

    def evaluation(it: int) -> Event:
        policy.eval()
        eval_gen.manual_seed(seed)  # the same sampling noise at every evaluation
        m = evaluate.rlhf_metrics(policy, ref, rm, world, eval_items, norm, eval_gen)
        m["kl_coef"] = kl_ctl.value
        return Event("rlhf", it, cfg.iterations, m, evaluated=True)

    unseen = world.unseen(eval_items)  # the held-out prompts stay held out: never practised
    yield evaluation(0)
    mb = cfg.batch_size // cfg.minibatches
    for it in range(cfg.iterations):
        policy.eval()
        items = world.train_items(cfg.batch_size, rng, kinds=RLHF_KINDS, exclude=unseen)
        s = sample(policy, [world.encode(world.prompt(x)) for x in items], world.budget, PAD_ID, EOS_ID,  # 1.
                   temperature=1.0, generator=gen)
        mask = s.resp_mask.float()
        with torch.no_grad():
            old_logp, old_values = answer_logp_values(policy, vhead, s)
            ref_logp, _ = answer_logp_values(ref, None, s)
            scores = (score(rm, s) - norm[0]) / norm[1]  # 2.
            rewards = kl_penalized_rewards(scores, old_logp, ref_logp, mask, kl_ctl.value)  # 3.
            adv, returns = gae(rewards, old_values, mask, cfg.gamma, cfg.lam)  # 4.
            adv = masked_whiten(adv, mask)
        policy.train()
        for _ in range(cfg.epochs):  # 5.
            perm = torch.randperm(cfg.batch_size, generator=gen).to(policy.device)  # drawn on the CPU
            for k in range(cfg.minibatches):
                rows = perm[k * mb : (k + 1) * mb]
                logp, values = answer_logp_values(policy, vhead, s, rows)
                pg, vf = ppo_losses(logp, old_logp[rows], adv[rows], values, old_values[rows], returns[rows],
                                    mask[rows], cfg.clip, cfg.vf_clip)
                loss = pg + cfg.vf_coef * vf
                if ptx is not None:  # 5. PPO-ptx
                    lm = ptx_loss(policy, ptx[0], cfg.ptx_batch, ptx[1])
                    loss = loss + cfg.ptx_coef * lm
                update(opt, loss, list(policy.parameters()) + list(vhead.parameters()), "rlhf", it, cfg.lr)
        sampled_kl = masked_mean(old_logp - ref_logp, mask).item() * mask.sum(-1).mean().item()
        if cfg.adaptive_kl:  # 6.
            kl_ctl.update(sampled_kl, cfg.batch_size)
        done = it + 1
        train = {"score": scores.mean().item(), "sampled_kl": sampled_kl, "kl_coef": kl_ctl.value}
        if ptx is not None:
            train["ptx_loss"] = lm.item()
        if due(done, cfg.eval_every, cfg.iterations):  # 7.
            ev = evaluation(done)
            ev.metrics.update({k: v for k, v in train.items() if k != "kl_coef"})
            if done == cfg.iterations:
                ev.extra["green_grey"] = green_grey(policy, ref, world, eval_items[:: max(1, len(eval_items) // 6)])
            yield ev
        else:
            yield Event("rlhf", done, cfg.iterations, train)
    policy.eval()
