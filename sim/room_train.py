"""The room as annotators, the part that samples and trains (the pool and its bookkeeping: sim/room.py).

  1. ``pairs_to_rank``: two answers of the SFT model to one RLHF prompt, each sampled at temperature 1 after
     an opener drawn at random (nothing, a greeting, one or two flattering phrases; see sim/room.py);
  4. ``room_judgements``: what the reward model learns from when the room judges: each batch half people's
     pairs and half the panel's (join), or people's only (replace) -- sim.reward.train_reward runs it;
  5. ``room_stream``: the cached stages, the panel judge's flattery preference, a fresh judge (the stage
     table's reward model) trained on the room's rankings, then PPO against it (the table's rlhf stage).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import torch

from sim import stages
from sim.annotators import make_pairs
from sim.config import Config, RewardConfig
from sim.evaluate import texts
from sim.events import Event
from sim.model import sample, score
from sim.reward import Judgements, agreement, train_reward
from sim.room import cached_model, mix, opener_text, openers, probe_pairs
from sim.stages import STAGE
from sim.train import encode_answers, seeded
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, World


@torch.no_grad()
def pairs_to_rank(model, world: World, n: int, rng: random.Random) -> list[tuple]:
    """n pairs of the model's own answers, (item, a, b), each answer (text, ended): see step 1 above."""
    starts = openers(world)
    items = world.train_items(n, rng, kinds=RLHF_KINDS)
    heads = [opener_text(world, *starts[i]) for _ in items for i in rng.sample(range(len(starts)), 2)]  # a, b, ...
    gen = torch.Generator().manual_seed(rng.randrange(2**62))
    answers: list = [None] * len(heads)
    for head in dict.fromkeys(heads):  # one batch an opener: its answer has the budget's remaining room
        rows = [j for j, h in enumerate(heads) if h == head]
        s = sample(model, [world.encode(world.prompt(items[j // 2]) + head) for j in rows],
                   world.budget - len(world.encode(head)), PAD_ID, EOS_ID, temperature=1.0, generator=gen)
        for j, (t, e) in zip(rows, texts(world, s)):
            answers[j] = _cut(world, head + t, e)
    return [(it, answers[2 * i], answers[2 * i + 1]) for i, it in enumerate(items)
            if answers[2 * i] != answers[2 * i + 1]]


def _cut(world: World, text: str, ended: bool) -> tuple[str, bool]:
    """An answer held to the length budget (room for EOS), as ``World.render`` holds the candidates."""
    ids = world.encode(text)
    if len(ids) + 1 > world.budget:
        return world.decode(ids[: world.budget]), False
    return text, ended


@torch.no_grad()
def flattery_preference(rm, world: World, probes: list[tuple] | None = None) -> float:
    """Share of the probe pairs in which the judge scores the flattering answer above the plain one."""
    probes = probes or probe_pairs(world)
    its = [p[0] for p in probes]
    flat = score(rm, encode_answers(world, its, [p[1] for p in probes]))
    plain = score(rm, encode_answers(world, its, [p[2] for p in probes]))
    return (flat > plain).float().mean().item()


def room_judgements(people: list[tuple], replace: bool):
    """Step 4: the reward model's pairs when the room judges (for ``sim.reward.train_reward``), measured also
    on people's own pairs and on the flattery probes."""

    def judged(world: World, rc: RewardConfig, seed: int) -> Judgements:
        rng, _ = seeded("room-reward", world.lang, seed, rc.reward_bias)
        panel = [] if replace else make_pairs(world, rc.n_pairs, rc.reward_bias, rng, rc.n_annotators, seed)
        held = make_pairs(world, rc.eval_pairs, rc.reward_bias, rng, rc.n_annotators, seed)
        probes = probe_pairs(world)

        def draw() -> list:
            return [people[i] if src == "people" else panel[i]
                    for src, i in mix(len(people), len(panel), rc.batch_size, rng)]

        def measure(rm) -> dict:
            return {"people_agreement": agreement(rm, world, people)["pref_accuracy"],
                    "flattery_pref": flattery_preference(rm, world, probes)}

        return Judgements(held, draw, measure)

    return judged


def room_stream(cfg: Config, cache, people: list[tuple], replace: bool, participants: int, models) -> Iterator:
    """Step 5, as a Board Job's stream: cached stages, the panel judge's flattery preference, the judge
    retrained on the room's rankings, PPO against it; the last event's ``extra['result']`` holds the result."""
    if not people:
        raise ValueError("no rankings to train on yet: rank some answers first")
    t0 = time.perf_counter()
    loaded = {}
    for name in ("pretrain", "sft", "reward"):
        loaded[name] = cached_model(cfg, cache, name, models)
        if loaded[name] is None:
            raise ValueError(f"the {name} stage of this setting is not trained yet: train the page first")
        if name != "reward":  # the panel's judge is only measured; the room's judge trains below
            total = cfg.total(name)
            yield Event(name, total, total, {}, True, {"cached": True})
    run = stages.start(cfg, str(loaded["sft"].device))  # the cached models' device
    panel_pref = flattery_preference(loaded["reward"], run.world)
    rm = STAGE["reward"].build(run, loaded)
    judged = room_judgements(people, replace)
    judge = yield from stages.collect(train_reward(rm, run.world, cfg.reward, cfg.seed, judged))
    loaded["reward"] = rm
    policy = STAGE["rlhf"].build(run, loaded)
    rl = yield from stages.collect(STAGE["rlhf"].train(run, policy, loaded))
    history, rows = judge["history"], rl["history"]
    result = {"people": len(people), "participants": participants, "replace": replace,
              "reward": {**history[-1], "history": history, "panel_flattery_pref": panel_pref},
              "rlhf": {"start": rows[0], "final": rows[-1], "history": rows},
              "seconds": time.perf_counter() - t0}
    yield Event("done", 1, 1, {}, True, {"result": result})
