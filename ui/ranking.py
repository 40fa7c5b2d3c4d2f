"""Streamlit glue of the room as annotators (sim/room.py): a participant ranks pairs of the model's own
answers, the rankings pool on the server, and the reward model retrains on them through the server's
Board (single flight, queued, with progress). No math here.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import streamlit as st

from sim import room, torch_side
from sim.cache import is_cached, stage_keys
from sim.jobs import Job
from sim.world import World
from ui import poll, session, texts
from ui import widgets as w

BATCH = 8  # pairs drawn at once for one participant
LABELS = ("rm_pick_a", "rm_pick_b", "rm_tie")  # the buttons' texts, one a choice of sim.room.CHOICES


def section(cfg, lang: str) -> None:
    st.subheader(texts.t("rm_title", lang))
    st.caption(texts.t("rm_intro", lang))
    if not is_cached(cfg, session.cache()):
        st.info(texts.t("rm_not_trained", lang))
        return
    if st.toggle(texts.t("rm_join", lang), key="rank_on"):  # off: the page never loads a model for this
        rank(cfg, lang)
    else:
        tally(World(cfg.lang, cfg.seed), lang)
    retrain(cfg, lang)


def next_pair(cfg, world: World):
    """This participant's next pair, drawn from the cached SFT model a few at a time."""
    key = stage_keys(cfg)["sft"]
    if session.RANK_KEY.get() != key or not session.RANK_QUEUE.get():
        sft = room.cached_model(cfg, session.cache(), "sft", session.server().models)
        if sft is None:
            return None
        drawn = session.RANK_DRAWN.get(0) + 1
        session.RANK_DRAWN.set(drawn)
        rng = random.Random(f"{session.visitor()}-{drawn}")
        session.RANK_QUEUE.set(torch_side().pairs_to_rank(sft, world, BATCH, rng))
        session.RANK_KEY.set(key)
    return session.RANK_QUEUE.get()[0]


def pick(world: World, pair: tuple, choice: str) -> None:
    try:
        session.server().pool.add(session.person(), world, *pair, choice)
    except ValueError as e:  # a full pool: say so; the pair stays on screen
        session.RANK_ERROR.set(str(e))
        return
    session.RANK_QUEUE.get().pop(0)


def _take_back(lang: str) -> None:
    st.toast(texts.t("rm_taken", lang, n=session.server().pool.take_back(session.person())))


def show_pair(cfg, world: World, lang: str, places: Callable[[], list], prefix: str) -> tuple | None:
    """This participant's next pair: the prompt and the two answers, each in a bordered box in one of ``places()``
    (two columns here, two rows on a phone: ui/join.py). None, said on the page, while the SFT model is untrained."""
    pair = next_pair(cfg, world)
    if pair is None:
        st.info(texts.t("rm_not_trained", lang))
        return None
    error = session.RANK_ERROR.pop()
    if error:
        st.warning(error)
    item, a, b = pair
    st.markdown(f"**{texts.t('prompt', lang)}** · {world.prompt(item).strip()}")
    for place, name, title, ans in zip(places(), ("a", "b"), ("rm_a", "rm_b"), (a, b)):
        with place, st.container(border=True, key=f"{prefix}_{name}"):
            st.markdown(f"**{texts.t(title, lang)}**")
            st.text(ans[0])
    return pair


@st.fragment
def rank(cfg, lang: str) -> None:
    """One pair and the three choices; a click reruns this fragment only, not the page's charts."""
    world = World(cfg.lang, cfg.seed)
    pair = show_pair(cfg, world, lang, lambda: st.columns(2), "rank")
    if pair is None:
        return
    picks = st.columns(4)
    for col, choice, label in zip(picks, room.CHOICES, LABELS):
        with col:
            st.button(texts.t(label, lang), key=f"rank_pick_{choice}", on_click=pick, args=(world, pair, choice))
    with picks[3]:
        st.button(texts.t("rm_take_back", lang), key="rank_take_back", on_click=_take_back, args=(lang,))
    tally(world, lang)


def tally(world: World, lang: str) -> None:
    """How many rankings came from people, and how far they agree with the gold preference."""
    s = room.summary(world, session.server().pool.rankings(world), session.person())
    st.caption(texts.t("rm_pool", lang, n=s["rankings"], people=s["people"], mine=s["mine"], ties=s["ties"]))
    gold = s["gold_agreement"]
    st.caption(texts.t("rm_gold", lang, agree=gold) if gold is not None else texts.t("rm_gold_none", lang))


def retrain(cfg, lang: str) -> None:
    """The switch (join or replace the panel), the retrain button, and the Job's progress or result."""
    world, server = World(cfg.lang, cfg.seed), session.server()
    replace = st.toggle(texts.t("rm_replace", lang), key="rank_replace")
    if st.button(texts.t("rm_retrain", lang), key="rank_retrain", type="primary"):
        rankings = server.pool.rankings(world)
        people = room.training_pairs(world, rankings)
        if not people:
            st.warning(texts.t("rm_need", lang))
        else:
            key = room.pool_key(cfg, rankings, replace)
            session.RANK_RESULT.set(key)
            if server.pool.result(key) is None:
                stream = room.stream_for(server.pool, key, people, replace, len({r.who for r in rankings}),
                                         server.models)
                eta = w.eta(cfg, ["reward", "rlhf"])
                session.RANK_JOB.set(server.board.submit(cfg, session.visitor(), eta, stream=stream, key=key))
    job = session.RANK_JOB.get()
    if job is not None and not job.done:

        def status(j: Job) -> None:
            st.info(texts.t("rm_running", lang, sec=j.elapsed()))
            w.progress(j, lang)

        poll.watch(job, lang, session.RANK_JOB, status, on_leave=lambda _others: session.RANK_JOB.pop())
        return
    if job is not None and job.error:
        st.error(texts.t("rm_failed", lang, msg=job.error))
    result = server.pool.result(session.RANK_RESULT.get(""))
    if result is not None:
        show(result, lang)


def show(result: dict, lang: str) -> None:
    """What the room's rankings did: the judge's liking for flattery, then PPO against that judge."""
    r, a, b = result["reward"], result["rlhf"]["start"], result["rlhf"]["final"]
    mode = texts.t("rm_mode_replace" if result["replace"] else "rm_mode_join", lang)
    st.caption(texts.t("rm_used", lang, n=result["people"], k=result["participants"], mode=mode))
    w.metric_row([("flattery_pref", r["flattery_pref"], "{:.0%}", r["flattery_pref"] - r["panel_flattery_pref"], True),
                  ("gold_agreement", r["gold_agreement"], "{:.0%}", None, False),
                  ("flattery", b["flattery"], "{:.0%}", b["flattery"] - a["flattery"], True),
                  ("capability", b["capability"], "{:.0%}", b["capability"] - a["capability"], False)], lang)
    st.markdown(texts.t("rm_effect", lang, p0=r["panel_flattery_pref"], p1=r["flattery_pref"], f0=a["flattery"],
                        f1=b["flattery"], c0=a["capability"], c1=b["capability"]))
