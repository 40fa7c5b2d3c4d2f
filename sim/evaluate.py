"""The metrics every chart, test and the command line read (names as in design.md).

  val_loss        held-out next-token loss of the pretraining prose (nats / token)
  probe_accuracy  the knowledge probe: prose cut before a fact, greedy completion exact
  capability      mean over task kinds of greedy accuracy on held-out prompts (0-1)
  per_task        that accuracy per task kind
  format_rate     share of greedy answers in the fixed format, ended inside the budget
  pref_accuracy   reward model vs its annotators on held-out pairs (see reward.py)
  gold_agreement  reward model vs the gold preference on held-out pairs (see reward.py)
  proxy_reward    the reward model's score of sampled answers, normalised on the SFT model
  gold_reward     the gold preference's score of the same answers
  per_task_gold   that score per task kind (for transfer to the kinds RLHF never practised)
  kl              exact full-vocabulary KL(policy || SFT) per token, summed over the answer (nats)
  flattery        share of sampled answers with at least one flattering phrase
  surface_share   share of sampled answers' characters spent on what the judges like: the pieces of the
                  greeting and flattery phrases, wherever they stand, repeated or recombined (``pleasing``)
  distinct_2      distinct token bigrams / token bigrams within an answer, mean over sampled answers
                  (1: no bigram repeats; "Hi! Hi! Hi! Hi!" or one word babbled over and over is far below)
  cut_rate        share of sampled answers cut at the budget (no end inside it)
  length          mean tokens of a sampled answer (the budget counts tokens)
  entropy         the policy's entropy at each token of its sampled answers, mean over tokens (nats): how many
                  ways it still considers (Kirk et al. 2024: RLHF narrows it)
  distinct_answers  distinct texts among ``DRAWS`` answers sampled to the same prompt, as a share of the draws,
                  mean over ``DIVERSITY_PROMPTS`` held-out prompts (1: never the same answer twice)
  checker_strict  share of sampled answers a program marks right: exactly the right answer, in the format
  checker_sloppy  share a careless program marks right: the right answer appears anywhere in the text
  timeline        the answers to the sample timeline's fixed prompts (sim.timeline), at every evaluation
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import torch
import torch.nn.functional as F

from sim.events import Event, derive_seed
from sim.model import Samples, WujiForCausalLM, sample, score
from sim.train import due
from sim.world import DISCIPLES, EOS_ID, KINDS, PAD_ID, Item, World

DIVERSITY_PROMPTS, DRAWS = 16, 8  # distinct_answers: prompts (spread over the task kinds) and answers to each


@torch.no_grad()
def lm_loss(model: WujiForCausalLM, stream: torch.Tensor, block: int) -> float:
    n = (len(stream) - 1) // block
    x = stream[: n * block].view(n, block).to(model.device)
    y = stream[1 : n * block + 1].view(n, block).to(model.device)
    logits = model.logits(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item()


def probe_items(world: World, n_per_kind: int = 8):
    rng = random.Random(f"probe-{world.seed}")
    return [world.make_item(k, rng) for k in KINDS for _ in range(n_per_kind)]


@torch.no_grad()
def probe_accuracy(model: WujiForCausalLM, world: World) -> float:
    """Share of probe facts whose greedy completion is the answer's tokens and then the prose's next one
    (so "1" does not pass for "14")."""
    items = probe_items(world)
    prompts, wants = zip(*(world.probe(it) for it in items))
    s = sample(model, [world.encode(p) for p in prompts], max(map(len, wants)), PAD_ID, EOS_ID, temperature=0)
    outs = s.seq[:, s.prompt_len :].tolist()
    return sum(o[: len(w)] == w for o, w in zip(outs, wants)) / len(items)


@torch.no_grad()
def free_text(model: WujiForCausalLM, world: World, gen: torch.Generator, n: int = 2, length: int = 24) -> list[str]:
    """What the model writes when left alone, from a name."""
    starts = [n[0] if world.lang == "zh" else n[1] for n in (DISCIPLES[0], DISCIPLES[1])]
    state = gen.get_state()
    g = torch.Generator().manual_seed(1234)
    s = sample(model, [world.encode(c) for c in starts[:n]], length, PAD_ID, -1, temperature=0.8, generator=g)
    gen.set_state(state)
    return [world.decode(world.encode(c) + r) for c, r in zip(starts, s.seq[:, s.prompt_len :].tolist())]


def texts(world: World, s: Samples) -> list[tuple[str, bool]]:
    """(answer text, ended with EOS) for each row of a batch of samples."""
    return [(world.decode(r), bool(e)) for r, e in zip(s.seq[:, s.prompt_len :].tolist(), s.ended.tolist())]


@torch.no_grad()
def capability(model: WujiForCausalLM, world: World, items) -> dict:
    """Greedy accuracy per kind on held-out prompts, its mean, and the format rate."""
    s = sample(model, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID, temperature=0)
    return accuracy(items, [world.traits(it, t, e) for it, (t, e) in zip(items, texts(world, s))])


def accuracy(items, traits) -> dict:
    """Share right per task kind, their mean (``capability``: every kind counts alike) and the format rate."""
    per_task = {}
    for k in KINDS:
        ts = [t for it, t in zip(items, traits) if it.kind == k]
        if ts:
            per_task[k] = sum(t.correct for t in ts) / len(ts)
    return {
        "capability": sum(per_task.values()) / len(per_task),
        "per_task": per_task,
        "format_rate": sum(t.well_formed for t in traits) / len(traits),
    }


def position_kl(logits_p: torch.Tensor, logits_q: torch.Tensor) -> torch.Tensor:
    """Full-vocabulary KL(p || q) at each position: logits_* (B, T, V) -> (B, T), never < 0."""
    logp, logq = F.log_softmax(logits_p, -1), F.log_softmax(logits_q, -1)
    return (logp.exp() * (logp - logq)).sum(-1).clamp(min=0)


def exact_kl(logits_p: torch.Tensor, logits_q: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Full-vocabulary KL(p || q) per position, summed over the masked positions: (B,), never < 0.

    logits_*: (B, T, V); mask: (B, T) True where the position belongs to the answer.
    """
    return (position_kl(logits_p, logits_q) * mask).sum(-1)


def response_logits(model: WujiForCausalLM, s: Samples) -> torch.Tensor:
    """Logits (B, Tr, V) that predicted each answer token."""
    return model.logits(s.seq, s.valid)[:, s.prompt_len - 1 : -1]


def token_kl(policy: WujiForCausalLM, ref: WujiForCausalLM, s: Samples) -> torch.Tensor:
    """Exact KL per answer token (B, Tr), zero off the answer: what changed, and where."""
    with torch.no_grad():
        return position_kl(response_logits(policy, s), response_logits(ref, s)) * s.resp_mask


@torch.no_grad()
def rlhf_metrics(policy, ref, rm, world: World, items, norm: tuple[float, float], gen: torch.Generator) -> dict:
    """Sampled-answer metrics of a policy against the SFT model (ref) and the reward model."""
    s = sample(policy, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID,
               temperature=1.0, generator=gen)
    answers = texts(world, s)
    traits = [world.traits(it, t, e) for it, (t, e) in zip(items, answers)]
    proxy = (score(rm, s) - norm[0]) / norm[1]
    logits = response_logits(policy, s)  # (B, Tr, V): the KL's and the entropy's
    kl = exact_kl(logits, response_logits(ref, s), s.resp_mask)
    n = len(items)
    m = {
        "proxy_reward": proxy.mean().item(),
        "gold_reward": sum(world.gold(t) for t in traits) / n,
        "kl": kl.mean().item(),
        "flattery": sum(t.flattery > 0 for t in traits) / n,
        "length": sum(t.length for t in traits) / n,
    }
    m.update(shape(answer_tokens(world, s), pleasing(world)))
    m.update(capability(policy, world, items))
    m["per_task_gold"] = per_kind_gold(items, traits, world)
    m["entropy"] = token_entropy(logits, s.resp_mask)
    m["distinct_answers"] = distinct_answers(policy, world, items)
    for name, check in CHECKERS.items():
        m[f"checker_{name}"] = sum(check(world, it, t, e) for it, (t, e) in zip(items, answers)) / n
    return m


def evaluator(stage: str, total: int, policy, ref, rm, world: World, items, norm: tuple[float, float],
              seed: int) -> Callable[[int], Event]:
    """The evaluation every online method shares (DPO, RLOO, GRPO): ``evaluation(step)`` is an evaluated event of
    ``stage`` with PPO's metrics of the policy (``rlhf_metrics``), drawn with the same sampling noise every time."""
    gen = torch.Generator().manual_seed(seed)

    def evaluation(step: int) -> Event:
        policy.eval()
        gen.manual_seed(seed)  # the same sampling noise at every evaluation, as PPO's
        return Event(stage, step, total, rlhf_metrics(policy, ref, rm, world, items, norm, gen), evaluated=True)

    return evaluation


def step_event(evaluation: Callable[[int], Event], stage: str, done: int, total: int, every: int,
               train: dict) -> Event:
    """The event after training step ``done`` of an online method: its evaluation (``evaluator``), carrying the
    step's training figures, when one is due (every ``every`` steps and after the last), else those figures alone."""
    if due(done, every, total):
        ev = evaluation(done)
        ev.metrics.update(train)
        return ev
    return Event(stage, done, total, train)


@torch.no_grad()
def length_scores(policy, rm, world: World, items, norm: tuple[float, float]) -> list[list[float]]:
    """[tokens, the judges' score (normalised as PPO's), gold] of one answer sampled (temperature 1) to each of
    ``items``, with dice of its own (seeded from the world, so every other draw is untouched): what the judges pay
    for length (Singhal et al. 2024, "A Long Way to Go")."""
    dice = torch.Generator().manual_seed(derive_seed("length", world.lang, world.seed))
    s = sample(policy, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID,
               temperature=1.0, generator=dice)
    traits = [world.traits(it, t, e) for it, (t, e) in zip(items, texts(world, s))]
    proxy = ((score(rm, s) - norm[0]) / norm[1]).tolist()
    return [[t.length, round(p, 4), round(world.gold(t), 4)] for t, p in zip(traits, proxy)]


def token_entropy(logits: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean entropy (nats) of the next-token distributions ``logits`` (B, T, V) at the masked positions (B, T)."""
    logp = F.log_softmax(logits, -1)
    ent = -(logp.exp() * logp).sum(-1)  # (B, T)
    m = mask.float()
    return ((ent * m).sum() / m.sum().clamp(min=1)).item()


@torch.no_grad()
def distinct_answers(policy: WujiForCausalLM, world: World, items) -> float:
    """Distinct answers among ``DRAWS`` sampled (temperature 1) to each of ``DIVERSITY_PROMPTS`` of ``items`` (every
    kind alike), as a share of the draws, averaged over the prompts. Its dice are its own (seeded from the world), so
    the other metrics' draws are untouched."""
    picks = items[:: max(1, len(items) // DIVERSITY_PROMPTS)][:DIVERSITY_PROMPTS]
    dice = torch.Generator().manual_seed(derive_seed("diversity", world.lang, world.seed))
    s = sample(policy, [world.encode(world.prompt(it)) for it in picks for _ in range(DRAWS)], world.budget, PAD_ID,
               EOS_ID, temperature=1.0, generator=dice)
    answers = [t for t, _ in texts(world, s)]
    return sum(len(set(answers[i * DRAWS : (i + 1) * DRAWS])) for i in range(len(picks))) / (len(picks) * DRAWS)


def strict_checker(world: World, item: Item, text: str, ended: bool) -> float:
    """1.0 when the answer is exactly right (the right content in the format, ``World.traits``), else 0.0."""
    return float(world.traits(item, text, ended).correct)


def sloppy_checker(world: World, item: Item, text: str, ended: bool) -> float:
    """1.0 when the right answer appears anywhere in the text, else 0.0: "7 8 9" passes for 8."""
    return float(item.answer in text)


CHECKERS = {"strict": strict_checker, "sloppy": sloppy_checker}  # a program's verdict, by how careful it is


def surface_chars(text: str, phrases) -> int:
    """Characters of ``text`` inside an occurrence of one of ``phrases`` (leftmost, longest first, never
    counted twice; a phrase of Latin letters only as a whole word): "Hi! 6. Hi!" with ("Hi!",) -> 6, and
    "Songxi." with ("So",) -> 0."""
    pattern = "|".join(_whole(p) for p in sorted(set(phrases), key=len, reverse=True) if p)
    return sum(len(m.group()) for m in re.finditer(pattern, text)) if pattern else 0


def _whole(phrase: str) -> str:
    """A phrase's pattern; one that starts or ends with a Latin letter matches no part of a longer word."""
    pat = re.escape(phrase)
    if phrase[0].isascii() and phrase[0].isalpha():
        pat = r"(?<![A-Za-z])" + pat
    if phrase[-1].isascii() and phrase[-1].isalpha():
        pat += r"(?![A-Za-z])"
    return pat


def distinct_n(tokens: list, n: int = 2) -> float | None:
    """Distinct n-grams / n-grams of one answer's tokens; None when it has fewer than n tokens (no n-gram)."""
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else None


def shape(answers: list[tuple[list, str, bool]], phrases) -> dict:
    """``surface_share``, ``distinct_2`` and ``cut_rate`` of answers given as (tokens, text, ended)."""
    chars = sum(len(t) for _, t, _ in answers)
    d2 = [d for d in (distinct_n(toks, 2) for toks, _, _ in answers) if d is not None]
    return {
        "surface_share": sum(surface_chars(t, phrases) for _, t, _ in answers) / chars if chars else 0.0,
        "distinct_2": sum(d2) / len(d2) if d2 else 1.0,
        "cut_rate": sum(not e for _, _, e in answers) / len(answers) if answers else 0.0,
    }


def pleasing(world: World) -> tuple[str, ...]:
    """What the judges like, piece by piece: every token of the greeting and of the flattery phrases (a word
    or its punctuation). With a word a token a hacked policy recombines the pieces ("英明佩服佩服！您好，"
    is none of the phrases, and all of it is there to please), so the pieces count wherever they stand."""
    phrases = (world.chat["polite"], *world.chat["flattery"])
    return tuple(sorted({world.vocab.tokens[i] for p in phrases for i in world.encode(p.strip())}))


def answer_tokens(world: World, s: Samples) -> list[tuple[list, str, bool]]:
    """(tokens without EOS, text, ended) of each sampled answer: what ``shape`` reads."""
    rows = [[t for t, m in zip(row, mask) if m] for row, mask in zip(s.seq[:, s.prompt_len :].tolist(),
                                                                    s.resp_mask.tolist())]
    return [(r[:-1] if e else r, t, e) for r, (t, e) in zip(rows, texts(world, s))]


def per_kind_gold(items, traits, world: World) -> dict:
    """The gold reward of sampled answers, per task kind (transfer: kinds PPO practised vs held out)."""
    out = {}
    for k in KINDS:
        gs = [world.gold(t) for it, t in zip(items, traits) if it.kind == k]
        if gs:
            out[k] = sum(gs) / len(gs)
    return out


def show_answers(model: WujiForCausalLM, world: World, items, n: int = 6) -> list[dict]:
    """Greedy answers to the first ``n`` items, for side-by-side panels."""
    s = sample(model, [world.encode(world.prompt(it)) for it in items[:n]], world.budget, PAD_ID, EOS_ID, temperature=0)
    return [{"prompt": world.prompt(it), "answer": t, "correct": world.traits(it, t, e).correct}
            for it, (t, e) in zip(items[:n], texts(world, s))]


@torch.no_grad()
def timeline_answers(model: WujiForCausalLM, world: World, items) -> list[str]:
    """The model's answers to the sample timeline's fixed prompts (sim.timeline), sampled at temperature 1
    with the same dice at every evaluation (a generator of its own, seeded from the world): a frame changes
    only when the model does, and the training's random draws are untouched."""
    dice = torch.Generator().manual_seed(derive_seed("timeline", world.lang, world.seed))
    s = sample(model, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID,
               temperature=1.0, generator=dice)
    return [t for t, _ in texts(world, s)]
