"""The room as annotators: people rank pairs of the model's own answers, their rankings pool on the server,
and a reward model retrains on them (joined with the simulated panel's pairs, or replacing them), then
PPO runs against it. A room that ranks by flattery should see the model learn to flatter.

Recipe (InstructGPT, Ouyang et al. 2022, section 3.5: labellers rank the model's own samples):
  1. ``pairs_to_rank``: two answers of the SFT model to one RLHF prompt, each sampled at temperature 1
     after an opener drawn at random (nothing, a greeting, one or two flattering phrases: a prefilled
     start, so the pairs offer real choices between substance and flattery; the model writes the rest);
  2. a participant picks the better one, or "can't tell" (kept and counted, but not trained on);
  3. ``RankingPool``: every participant's rankings pool in one thread-safe store, no accounts; a session
     can take its own back;
  4. ``room_reward``: a fresh reward model from the SFT weights, Bradley-Terry on the people's pairs, each
     batch half people's and half the panel's (join), or people's only (replace);
  5. ``room_stream``: load the cached stages, measure the panel's judge, retrain the judge on the room's
     rankings, then PPO against it: the events a ``sim.jobs.Board`` Job shows as progress.

``flattery_preference`` is the judge's liking for flattery: over fixed probe pairs that differ by one
flattering phrase only (same content, same courtesy), the share in which it scores the flattering one higher.
Pure Python at import; the functions that train or sample import torch.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from sim.config import STAGES, Config
from sim.world import RLHF_KINDS, Item, World

CHOICES = ("a", "b", "tie")
PEOPLE_SHARE = 0.5  # share of each training batch drawn from people's pairs when they join the panel's
MAX_RANKINGS = 20_000  # the pool refuses more (a runaway script), with a message
PROBE_PAIRS = 64


@dataclass(frozen=True)
class Ranking:
    id: int
    who: str  # a session's key (no accounts)
    lang: str  # the world the pair was drawn in: its language and seed
    seed: int
    item: Item
    a: tuple[str, bool]  # (answer text, ended inside the budget)
    b: tuple[str, bool]
    choice: str  # "a" | "b" | "tie"

    def pair(self) -> tuple | None:
        """(item, chosen, rejected), or None for "can't tell"."""
        if self.choice == "tie":
            return None
        return (self.item, self.a, self.b) if self.choice == "a" else (self.item, self.b, self.a)


class RankingPool:
    """Every participant's rankings on this server, thread-safe. Results of retrainings are kept here too
    (a few, by key) so that a participant who asks after a run finished sees it at once."""

    def __init__(self, results: int = 16):
        self._lock = threading.Lock()
        self._rankings: list[Ranking] = []
        self._ids = itertools.count(1)
        self._results: OrderedDict[str, dict] = OrderedDict()
        self._keep = results

    def add(self, who: str, world: World, item: Item, a, b, choice: str) -> Ranking:
        if choice not in CHOICES:
            raise ValueError(f"a ranking must be one of {', '.join(CHOICES)}; got {choice!r}")
        if tuple(a) == tuple(b):
            raise ValueError("the two answers of a pair must differ")
        with self._lock:
            if len(self._rankings) >= MAX_RANKINGS:
                raise ValueError(f"the room already holds {MAX_RANKINGS} rankings; take some back first")
            r = Ranking(next(self._ids), who, world.lang, world.seed, item, (a[0], bool(a[1])), (b[0], bool(b[1])),
                        choice)
            self._rankings.append(r)
            return r

    def take_back(self, who: str) -> int:
        """Remove every ranking of one session; returns how many."""
        with self._lock:
            keep = [r for r in self._rankings if r.who != who]
            n = len(self._rankings) - len(keep)
            self._rankings = keep
            return n

    def rankings(self, world: World) -> list[Ranking]:
        """The rankings of pairs drawn in this world (language and seed), oldest first."""
        with self._lock:
            return [r for r in self._rankings if (r.lang, r.seed) == (world.lang, world.seed)]

    def remember(self, key: str, result: dict) -> None:
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self._keep:
                self._results.popitem(last=False)

    def result(self, key: str) -> dict | None:
        with self._lock:
            return self._results.get(key)



# -- pure helpers ---------------------------------------------------------------------------------------
def summary(world: World, rankings: list[Ranking], who: str | None = None) -> dict:
    """How many rankings came from people (and from how many), how many were "can't tell", how many are
    this session's, and how often a decisive ranking agrees with the gold preference (gold ties left out)."""
    decisive = [r.pair() for r in rankings if r.choice != "tie"]
    verdicts = []
    for it, c, r in decisive:
        gc, gr = world.gold(world.traits(it, *c)), world.gold(world.traits(it, *r))
        if abs(gc - gr) > 1e-9:
            verdicts.append(gc > gr)
    return {"rankings": len(rankings), "decisive": len(decisive), "ties": len(rankings) - len(decisive),
            "people": len({r.who for r in rankings}), "mine": sum(r.who == who for r in rankings),
            "gold_agreement": sum(verdicts) / len(verdicts) if verdicts else None}


def training_pairs(world: World, rankings: list[Ranking]) -> list[tuple]:
    """People's decisive rankings in ``sim.reward.make_pairs``' shape: (item, chosen, rejected, gold says)."""
    out = []
    for r in rankings:
        p = r.pair()
        if p is None:
            continue
        it, c, rj = p
        gc, gr = world.gold(world.traits(it, *c)), world.gold(world.traits(it, *rj))
        out.append((it, c, rj, None if abs(gc - gr) < 1e-9 else gc > gr))
    return out


def mix(n_people: int, n_panel: int, batch: int, rng: random.Random) -> list[tuple[str, int]]:
    """One training batch's draws: ("people", i) / ("panel", j). Half people's when both exist (join),
    all people's when the panel is left out (replace), all the panel's when nobody has ranked yet."""
    if n_people == 0 and n_panel == 0:
        raise ValueError("no pairs to train on: rank some answers first")
    k = batch if n_panel == 0 else 0 if n_people == 0 else round(PEOPLE_SHARE * batch)
    return ([("people", rng.randrange(n_people)) for _ in range(k)]
            + [("panel", rng.randrange(n_panel)) for _ in range(batch - k)])


def openers(world: World) -> list[tuple[bool, tuple[int, ...]]]:
    """The starts an answer to rank may be given: (courteous, flattering phrases)."""
    return [(False, ()), (True, ()), (False, (0,)), (True, (1,)), (False, (2, 0))]


def opener_text(world: World, polite: bool, flattery: tuple[int, ...]) -> str:
    return (world.chat["polite"] if polite else "") + "".join(world.chat["flattery"][f] for f in flattery)


def probe_pairs(world: World, n: int = PROBE_PAIRS) -> list[tuple]:
    """Fixed pairs that differ by one flattering phrase only: (item, flattering answer, plain answer)."""
    rng = random.Random(f"flattery-probe-{world.seed}")
    out = []
    for _ in range(n):
        it = world.make_item(rng.choice(RLHF_KINDS), rng)
        polite = rng.random() < 0.5
        out.append((it, world.render(it.answer, polite, (rng.randrange(3),)), world.render(it.answer, polite)))
    return out


def pool_key(cfg: Config, rankings: list[Ranking], replace: bool) -> str:
    """Names one retraining: the configuration, the join / replace switch and the rankings it reads."""
    from sim.jobs import config_key

    ids = ",".join(str(r.id) for r in rankings)
    return "room-" + hashlib.sha256(f"{config_key(cfg)}|{replace}|{ids}".encode()).hexdigest()[:20]


# -- what needs torch -----------------------------------------------------------------------------------
def cached_model(cfg: Config, cache, stage: str, models):
    """A stage's model from the disk cache, kept in ``models`` (the server's ``sim.server.ModelCache``) for
    the next caller; None when the stage is not cached yet. Read-only: callers sample from it or copy it."""
    from sim.pipeline import stage_keys

    key = (stage, stage_keys(cfg)[stage])

    def load():
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        from sim.model import WujiForSequenceClassification

        hf_logging.disable_progress_bar()
        hit = cache.load(stage, key[1], WujiForSequenceClassification if stage == "reward" else AutoModelForCausalLM)
        return None if hit is None else hit[1].eval()

    return models.get(key, load)


def pairs_to_rank(model, world: World, n: int, rng: random.Random) -> list[tuple]:
    """n pairs of the model's own answers, (item, a, b), each answer (text, ended): see step 1 above."""
    import torch

    from sim.evaluate import texts
    from sim.model import sample
    from sim.world import EOS_ID, PAD_ID, encode

    starts = openers(world)
    items = [world.make_item(rng.choice(RLHF_KINDS), rng, people=world.sft_people) for _ in range(n)]
    heads = [opener_text(world, *starts[i]) for _ in items for i in rng.sample(range(len(starts)), 2)]  # a, b, ...
    gen = torch.Generator().manual_seed(rng.randrange(2**62))
    answers: list = [None] * len(heads)
    for head in dict.fromkeys(heads):  # one batch an opener: its answer has the budget's remaining room
        rows = [j for j, h in enumerate(heads) if h == head]
        with torch.no_grad():
            s = sample(model, [encode(world.prompt(items[j // 2]) + head) for j in rows], world.budget - len(head),
                       PAD_ID, EOS_ID, temperature=1.0, generator=gen)
        for j, (t, e) in zip(rows, texts(s)):
            answers[j] = _cut(world, head + t, e)
    return [(it, answers[2 * i], answers[2 * i + 1]) for i, it in enumerate(items)
            if answers[2 * i] != answers[2 * i + 1]]


def _cut(world: World, text: str, ended: bool) -> tuple[str, bool]:
    """An answer held to the length budget (room for EOS), as ``World.render`` holds the candidates."""
    if len(text) + 1 > world.budget:
        return text[: world.budget], False
    return text, ended


def flattery_preference(rm, world: World, probes: list[tuple] | None = None) -> float:
    """Share of the probe pairs in which the judge scores the flattering answer above the plain one."""
    import torch

    from sim.reward import encode_answers, score

    probes = probes or probe_pairs(world)
    its = [p[0] for p in probes]
    with torch.no_grad():
        flat = score(rm, encode_answers(world, its, [p[1] for p in probes]))
        plain = score(rm, encode_answers(world, its, [p[2] for p in probes]))
    return (flat > plain).float().mean().item()


def room_reward(rm, world: World, cfg: Config, people: list[tuple], replace: bool) -> Iterator:
    """Step 4: train ``rm`` on people's pairs (joined with the panel's, or alone); events as sim.reward's."""
    import torch

    from sim.events import Event, seeded
    from sim.pretrain import lr_at, update
    from sim.reward import agreement, encode_answers, make_pairs, preference_loss, score

    rc = cfg.reward
    rng, _ = seeded("room-reward", world.lang, cfg.seed, rc.reward_bias)
    panel = [] if replace else make_pairs(world, rc.n_pairs, rc.reward_bias, rng, rc.n_annotators, cfg.seed)
    held = make_pairs(world, rc.eval_pairs, rc.reward_bias, rng, rc.n_annotators, cfg.seed)
    probes = probe_pairs(world)
    opt = torch.optim.AdamW(rm.parameters(), lr=rc.lr, betas=(0.9, 0.95), weight_decay=0.0)

    def evaluation(step: int, extra: dict) -> Event:
        rm.eval()
        m = {**agreement(rm, world, held), "people_agreement": agreement(rm, world, people)["pref_accuracy"],
             "flattery_pref": flattery_preference(rm, world, probes), **extra}
        rm.train()
        return Event("reward", step, rc.steps, m, evaluated=True)

    yield evaluation(0, {})
    rm.train()
    for step in range(rc.steps):
        batch = [people[i] if src == "people" else panel[i]
                 for src, i in mix(len(people), len(panel), rc.batch_size, rng)]
        s = encode_answers(world, [p[0] for p in batch] * 2, [p[1] for p in batch] + [p[2] for p in batch])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, rc.steps, rc.lr, 10)
        r = score(rm, s)
        loss = preference_loss(r[: len(batch)], r[len(batch):])
        update(opt, loss, rm.parameters(), "reward", step, rc.lr)
        done = step + 1
        if done % rc.eval_every == 0 or done == rc.steps:
            yield evaluation(done, {"train_loss": loss.item()})
        else:
            yield Event("reward", done, rc.steps, {"train_loss": loss.item()})
    rm.eval()


def room_stream(cfg: Config, cache, people: list[tuple], replace: bool, participants: int, models) -> Iterator:
    """Step 5, as a Board Job's stream: cached stages, the panel judge's flattery preference, the judge
    retrained on the room's rankings, PPO against it; the last event's ``extra['result']`` holds the result."""
    import copy

    import torch

    from sim import timeline
    from sim.events import Event
    from sim.model import WujiForSequenceClassification
    from sim.ppo import ppo

    if not people:
        raise ValueError("no rankings to train on yet: rank some answers first")
    t0 = time.perf_counter()
    world = World(cfg.lang, cfg.seed)
    loaded = {}
    for stage in STAGES[:3]:
        loaded[stage] = cached_model(cfg, cache, stage, models)
        if loaded[stage] is None:
            raise ValueError(f"the {stage} stage of this setting is not trained yet: train the page first")
        if stage != "reward":  # the panel's judge is only measured; the room's judge trains below
            total = getattr(cfg, stage).steps
            yield Event(stage, total, total, {}, True, {"cached": True})
    panel_pref = flattery_preference(loaded["reward"], world)
    rm = WujiForSequenceClassification.from_causal_lm(loaded["sft"]).to(loaded["sft"].device)
    history = []
    for ev in room_reward(rm, world, cfg, people, replace):
        if ev.evaluated:
            history.append({"step": ev.step, **ev.metrics})
        yield ev
    policy, rl = copy.deepcopy(loaded["sft"]), []
    with torch.enable_grad():
        events = timeline.record(ppo(policy, rm, world, cfg.ppo, cfg.seed, world.eval_items(cfg.eval_per_kind)),
                                 lambda: policy, world, timeline.items(world))
        for ev in events:
            if ev.evaluated:
                rl.append({"step": ev.step, **ev.metrics})
            yield ev
    result = {"people": len(people), "participants": participants, "replace": replace,
              "reward": {**history[-1], "history": history, "panel_flattery_pref": panel_pref},
              "rlhf": {"start": rl[0], "final": rl[-1], "history": rl},
              "seconds": time.perf_counter() - t0}
    yield Event("done", 1, 1, {}, True, {"result": result})


def stream_for(pool: RankingPool, key: str, people: list[tuple], replace: bool, participants: int, models):
    """``room_stream`` as a ``sim.jobs.Board`` stream ``(cfg, cache) -> events`` that leaves its result in
    the pool under ``key`` (so every participant who asks for the same retraining sees it)."""

    def stream(cfg: Config, cache) -> Iterator:
        for ev in room_stream(cfg, cache, people, replace, participants, models):
            if ev.stage == "done":
                pool.remember(key, ev.extra["result"])
            yield ev

    return stream
