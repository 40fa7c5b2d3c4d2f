"""The challenges page's annotator experiment: bosses with their own tastes, a clear rubric, more votes a pair.
Pure Python (no torch): a page can show the panel's disagreement at once, before anything trains.

The pipeline's classic panel (``sim.world.annotator_panel``: judges of similar taste and little noise) is
what the rest of the app trains on. ``RewardConfig(diverse=True)`` swaps in a panel like a real team:

  * boss i has a taste for length t_i, spread evenly from -1 (efficiency: "get to the point") to +1
    (detail: "tell me everything"), and human-sized noise (a Bradley-Terry temperature near ``NOISE``);
  * boss i's utility of an answer = (1 - b) gold + b appeal + ``TASTE`` t_i (length / budget - 1/2),
    where appeal is the surface appeal without length (flattery, courtesy) and b the reward bias.

Two remedies, each a config field whose default changes nothing:

  * ``rubric``: a written standard -- the bias halves and personal tastes are set aside (t_i = 0);
  * ``votes``: k bosses judge each pair and the majority decides, so one boss's noise weighs less.

``make_pairs`` draws and labels the pairs the reward model learns from (the classic panel, or ``choose``:
this experiment's judging); ``disagreement`` and ``label_error`` are exact expectations over a fixed sample
of candidate pairs (no sampling noise between settings).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from sim.config import RewardConfig
from sim.world import RLHF_KINDS, Traits, World, annotate, annotator_panel, annotator_utility, sigmoid

NOISE = 0.15  # a boss's Bradley-Terry temperature (the classic panel's is 0.03-0.08)
TASTE = 1.0  # weight of a boss's taste for length


@dataclass(frozen=True)
class Boss:
    length_taste: float  # -1: efficiency (short answers) ... +1: detail (long answers)
    noise: float


@dataclass(frozen=True)
class Judging:
    """How pairs are labelled: which panel, with or without a rubric, how many votes a pair."""

    diverse: bool = False
    rubric: bool = False
    votes: int = 1

    @property
    def classic(self) -> bool:
        return not self.diverse and not self.rubric and self.votes == 1


def judging_of(cfg: RewardConfig) -> Judging:
    return Judging(cfg.diverse, cfg.rubric, cfg.votes)


def bosses(n: int, seed: int) -> list[Boss]:
    """n bosses from the most efficiency-minded to the most detail-minded, each with its own noise."""
    rng = random.Random(f"bosses-{seed}")
    tastes = [-1 + 2 * i / (n - 1) for i in range(n)] if n > 1 else [0.0]
    return [Boss(t, NOISE * rng.uniform(0.8, 1.25)) for t in tastes]


def panel(n: int, seed: int, judging: Judging) -> list:
    return bosses(n, seed) if judging.diverse else annotator_panel(n, seed)


def utility(world: World, t: Traits, bias: float, who, judging: Judging) -> float:
    b = bias / 2 if judging.rubric else bias
    if not judging.diverse:
        return annotator_utility(world, t, b, who)
    appeal = 0.5 * min(t.flattery, 4) + 0.3 * t.polite
    taste = 0.0 if judging.rubric else who.length_taste
    return (1 - b) * world.gold(t) + b * appeal + TASTE * taste * (t.length / world.budget - 0.5)


def p_prefers_a(world: World, ta: Traits, tb: Traits, bias: float, who, judging: Judging) -> float:
    """P(this judge prefers answer a over b) = sigmoid((u_a - u_b) / noise)."""
    return sigmoid((utility(world, ta, bias, who, judging) - utility(world, tb, bias, who, judging)) / who.noise)


def choose(world: World, ta: Traits, tb: Traits, bias: float, judges: list, judging: Judging, rng) -> bool:
    """True when the pair's label says a is better: ``judging.votes`` judges drawn from the panel, majority."""
    who = rng.sample(range(len(judges)), judging.votes)
    yes = sum(rng.random() < p_prefers_a(world, ta, tb, bias, judges[i], judging) for i in who)
    return 2 * yes > judging.votes


def _majority(ps: list[float]) -> float:
    """P(more than half of independent judges with these probabilities say yes)."""
    dist = [1.0]  # dist[k] = P(k yes so far)
    for p in ps:
        dist = [(dist[k] if k < len(dist) else 0) * (1 - p) + (dist[k - 1] * p if k > 0 else 0)
                for k in range(len(dist) + 1)]
    return sum(dist[k] for k in range(len(ps) // 2 + 1, len(ps) + 1))


def candidate_pair(world: World, rng: random.Random, people=None) -> tuple:
    """A prompt of an RLHF task kind and two different candidate answers to it: (item, a, b)."""
    while True:
        it = world.make_item(rng.choice(RLHF_KINDS), rng, people=people)
        a, b = world.candidate(it, rng), world.candidate(it, rng)
        if a != b:
            return it, a, b


def make_pairs(world: World, n: int, bias: float, rng: random.Random, n_annotators: int, seed: int, people=None,
               judging: Judging | None = None) -> list[tuple]:
    """n labelled pairs: (item, chosen, rejected, gold says chosen is better or None on a tie).
    ``judging`` swaps the panel, adds a rubric or more votes a pair; None: the classic panel, one annotator
    of it (drawn at random) a pair."""
    judging = judging or Judging()
    judges = annotator_panel(n_annotators, seed) if judging.classic else panel(n_annotators, seed, judging)
    out = []
    while len(out) < n:
        it, a, b = candidate_pair(world, rng, people)
        ta, tb = world.traits(it, *a), world.traits(it, *b)
        if judging.classic:
            a_wins = annotate(world, ta, tb, bias, judges[rng.randrange(len(judges))], rng)
        else:
            a_wins = choose(world, ta, tb, bias, judges, judging, rng)
        chosen, rejected = (a, b) if a_wins else (b, a)
        out.append((it, chosen, rejected, world.gold_verdict(*((ta, tb) if a_wins else (tb, ta)))))
    return out


def sample_pairs(world: World, n: int, seed: int) -> list[tuple[Traits, Traits, bool | None]]:
    """A fixed sample of candidate pairs (traits of a, of b, gold says a is better or None on a tie)."""
    rng = random.Random(f"panel-pairs-{seed}")
    out = []
    for _ in range(n):
        it, a, b = candidate_pair(world, rng)
        ta, tb = world.traits(it, *a), world.traits(it, *b)
        out.append((ta, tb, world.gold_verdict(ta, tb)))
    return out


def disagreement(world: World, bias: float, judging: Judging, n: int, seed: int, pairs: int = 400) -> list[list]:
    """n x n: P(judges i and j label a pair differently), each judging alone; the diagonal is one judge
    asked twice (his own noise)."""
    judges = panel(n, seed, judging)
    ps = [[p_prefers_a(world, ta, tb, bias, j, judging) for j in judges]
          for ta, tb, _ in sample_pairs(world, pairs, seed)]
    return [[sum(p[i] * (1 - p[j]) + p[j] * (1 - p[i]) for p in ps) / len(ps) for j in range(n)] for i in range(n)]


def label_error(world: World, bias: float, judging: Judging, n: int, seed: int, pairs: int = 400,
                coin: float = 0.0) -> float:
    """Expected share of labels (majority of ``judging.votes`` judges drawn from the panel) that contradict
    the gold preference, over pairs gold does not tie. ``coin``: the share of his verdicts each judge leaves to a
    coin toss (careless annotators, ``RewardConfig.label_noise``), each judge's coin his own."""
    judges = panel(n, seed, judging)
    groups = list(itertools.combinations(range(n), judging.votes))
    err, m = 0.0, 0
    for ta, tb, gold_a in sample_pairs(world, pairs, seed):
        if gold_a is None:
            continue
        p = [(1 - coin) * p_prefers_a(world, ta, tb, bias, j, judging) + coin / 2 for j in judges]
        says_a = sum(_majority([p[i] for i in g]) for g in groups) / len(groups)
        err += (1 - says_a) if gold_a else says_a
        m += 1
    return err / max(1, m)


def remedies(world: World, cfg: RewardConfig, seed: int, most_votes: int) -> dict:
    """What the two remedies would do to the reward stage's labels at ``cfg``'s bias: the expected share of
    labels that contradict gold as ``cfg`` judges (``err``), with a majority of ``most_votes`` judges a pair
    (``err_votes``) and with a rubric (``err_rubric``); careless judges (``cfg.label_noise``) toss their own coins."""
    judging, n = judging_of(cfg), cfg.n_annotators

    def err(j: Judging) -> float:
        return label_error(world, cfg.reward_bias, j, n, seed, coin=cfg.label_noise)

    return {"err": err(judging), "votes": most_votes,
            "err_votes": err(Judging(judging.diverse, judging.rubric, most_votes)),
            "err_rubric": err(Judging(judging.diverse, True, judging.votes))}


def mean_off_diagonal(matrix: list[list]) -> float:
    n = len(matrix)
    cells = [matrix[i][j] for i in range(n) for j in range(n) if i != j]
    return sum(cells) / len(cells) if cells else 0.0
