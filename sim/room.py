"""The room as annotators: people rank pairs of the model's own answers, their rankings pool on the server,
and a reward model retrains on them (joined with the simulated panel's pairs, or replacing them), then
PPO runs against it. A room that ranks by flattery should see the model learn to flatter.

Recipe (InstructGPT, Ouyang et al. 2022, section 3.5: labellers rank the model's own samples):
  1. ``pairs_to_rank``: two answers of the SFT model to one RLHF prompt, each sampled at temperature 1
     after an opener drawn at random (nothing, a greeting, one or two flattering phrases: a prefilled
     start, so the pairs offer real choices between substance and flattery; the model writes the rest);
  2. a participant picks the better one, or "can't tell" (kept and counted, but not trained on);
  3. ``RankingPool``: every participant's rankings pool in the room's database (``sim.roomdb``: they survive a
     restart, and several servers may share them), no accounts; a session can take its own back;
  4. ``room_judgements``: a fresh reward model from the SFT weights (the stage table's), trained by
     ``sim.reward.train_reward`` on the people's pairs, each batch half people's and half the panel's (join),
     or people's only (replace);
  5. ``room_stream``: load the cached stages, measure the panel's judge, retrain the judge on the room's
     rankings, then PPO against it: the events a ``sim.jobs.Board`` Job shows as progress.

``flattery_preference`` is the judge's liking for flattery: over fixed probe pairs that differ by one
flattering phrase only (same content, same courtesy), the share in which it scores the flattering one higher.
Torch-free: the pool, the summaries, ``mix`` and the probe pairs are here, with the cache of loaded models and
the Board stream; what samples and trains (steps 1, 4 and 5, ``flattery_preference``) is sim/room_train.py,
reached through ``sim.torch_side()``.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from sim import torch_side
from sim.cache import stage_keys
from sim.config import Config
from sim.jobs import config_key
from sim.roomdb import RoomDB
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
    """Every participant's rankings, in the room's database (``sim.roomdb``; in memory when none is given), and
    the last few results of retraining on them (by key), so that a participant who asks after a run finished
    sees it at once. Each write is one transaction; thread-safe, and shared by every server on the database."""

    def __init__(self, db: RoomDB | None = None, results: int = 16):
        self.db = db or RoomDB()
        self._keep = results

    def add(self, who: str, world: World, item: Item, a, b, choice: str) -> Ranking:
        if choice not in CHOICES:
            raise ValueError(f"a ranking must be one of {', '.join(CHOICES)}; got {choice!r}")
        if tuple(a) == tuple(b):
            raise ValueError("the two answers of a pair must differ")
        t = self.db.tables.rankings
        row = {"who": who, "lang": world.lang, "seed": world.seed,
               "item": {"kind": item.kind, "fields": [list(f) for f in item.fields], "answer": item.answer},
               "a_text": a[0], "a_ended": bool(a[1]), "b_text": b[0], "b_ended": bool(b[1]), "choice": choice,
               "at": time.time()}
        with self.db.write() as conn:
            if conn.execute(select(func.count()).select_from(t)).scalar_one() >= MAX_RANKINGS:
                raise ValueError(f"the room already holds {MAX_RANKINGS} rankings; take some back first")
            new_id = conn.execute(t.insert().values(**row)).inserted_primary_key[0]
        return Ranking(new_id, who, world.lang, world.seed, item, (a[0], bool(a[1])), (b[0], bool(b[1])), choice)

    def take_back(self, who: str) -> int:
        """Remove every ranking of one session (and nobody else's); returns how many."""
        t = self.db.tables.rankings
        with self.db.write() as conn:
            return conn.execute(delete(t).where(t.c.who == who)).rowcount

    def rankings(self, world: World) -> list[Ranking]:
        """The rankings of pairs drawn in this world (language and seed), oldest first."""
        t = self.db.tables.rankings
        with self.db.read() as conn:
            rows = conn.execute(select(t).where(t.c.lang == world.lang, t.c.seed == world.seed).order_by(t.c.id))
            return [Ranking(r.id, r.who, r.lang, r.seed,
                            Item(r.item["kind"], tuple(tuple(f) for f in r.item["fields"]), r.item["answer"]),
                            (r.a_text, r.a_ended), (r.b_text, r.b_ended), r.choice) for r in rows]

    def remember(self, key: str, result: dict) -> None:
        """Keep a retraining's result under ``key``; only the newest ``results`` are kept."""
        t = self.db.tables.results
        with self.db.write() as conn:
            self.db.upsert(conn, t, {"key": key, "doc": result, "at": time.time()}, ("key",))
            newest = select(t.c.key).order_by(t.c.at.desc()).limit(self._keep).scalar_subquery()
            conn.execute(delete(t).where(t.c.key.not_in(newest)))

    def result(self, key: str) -> dict | None:
        t = self.db.tables.results
        with self.db.read() as conn:
            return conn.execute(select(t.c.doc).where(t.c.key == key)).scalar_one_or_none()


# -- pure helpers ---------------------------------------------------------------------------------------
def summary(world: World, rankings: list[Ranking], who: str | None = None) -> dict:
    """How many rankings came from people (and from how many), how many were "can't tell", how many are
    this session's, and how often a decisive ranking agrees with the gold preference (gold ties left out)."""
    decisive = training_pairs(world, rankings)
    verdicts = [gold for *_, gold in decisive if gold is not None]
    return {"rankings": len(rankings), "decisive": len(decisive), "ties": len(rankings) - len(decisive),
            "people": len({r.who for r in rankings}), "mine": sum(r.who == who for r in rankings),
            "gold_agreement": sum(verdicts) / len(verdicts) if verdicts else None}


def training_pairs(world: World, rankings: list[Ranking]) -> list[tuple]:
    """People's decisive rankings in ``sim.annotators.make_pairs``' shape: (item, chosen, rejected, gold says)."""
    return [(it, c, rj, world.gold_verdict(world.traits(it, *c), world.traits(it, *rj)))
            for it, c, rj in filter(None, (r.pair() for r in rankings))]


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
    ids = ",".join(str(r.id) for r in rankings)
    return "room-" + hashlib.sha256(f"{config_key(cfg)}|{replace}|{ids}".encode()).hexdigest()[:20]


# -- the models, and the retraining as a Board stream (through the door to the torch side) -----------------
def cached_model(cfg: Config, cache, stage: str, models):
    """A stage's model from the disk cache, kept in ``models`` (the server's ``sim.server.ModelCache``) for
    the next caller; None when the stage is not cached yet. Read-only: callers sample from it or copy it."""
    key = (stage, stage_keys(cfg)[stage])

    def load():
        hit = torch_side().load(cache, stage, key[1])
        return None if hit is None else hit[1].eval()

    return models.get(key, load)


def stream_for(pool: RankingPool, key: str, people: list[tuple], replace: bool, participants: int, models):
    """``room_stream`` as a ``sim.jobs.Board`` stream ``(cfg, cache) -> events`` that leaves its result in
    the pool under ``key`` (so every participant who asks for the same retraining sees it)."""

    def stream(cfg: Config, cache) -> Iterator:
        for ev in torch_side().room_stream(cfg, cache, people, replace, participants, models):
            if ev.stage == "done":
                pool.remember(key, ev.extra["result"])
            yield ev

    return stream
