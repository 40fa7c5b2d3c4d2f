"""Streamlit glue of the hands-on features: the PPO-ptx switch and its comparison, the playground
(play / pause / step / reset over a ``sim.stepper.Stepper`` kept in this visitor's session), and the
sample timeline. No math here: the Stepper trains, ``sim.timeline`` keeps the answers.

Play and step run as jobs on the server's Board, as every training does (``sim.jobs.stepping``): play
advances the Stepper until every stage is done, a step click by its number of steps. Pause stops the play
job; the Stepper keeps its stage generators suspended, so nothing is lost. While a job runs the page polls
it (``ui.poll.watch``) and the other buttons wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from sim import timeline, torch_side
from sim.config import STAGES
from sim.jobs import Job, stepping
from sim.world import World
from ui import charts, hands_charts, labels, narrate, poll, session, sidebar, state, texts
from ui import widgets as w

if TYPE_CHECKING:  # a type name only: the Stepper loads torch, which the first paint must not
    from sim.stepper import Stepper

STEP_SIZES = (1, 10, 100)
START_FROM = {  # where a run starts -> its text: from scratch, or from the cached SFT model (judges and PPO to train)
    "pretrain": "pg_start_pretrain",
    "reward": "pg_start_reward",
}
WHY_NOT = {  # sim.stepper.Stepper.why_not -> its text
    "finished": "why_finished",
    "needs_pretrain": "why_needs_pretrain",
    "needs_sft": "why_needs_sft",
    "needs_reward": "why_needs_reward",
    "needs_judges": "why_needs_judges",
}


# -- PPO-ptx ------------------------------------------------------------------------------------------
def _ptx_changed() -> None:
    sidebar.update(True, ptx=int(session.WIDGET("ptx").get()))


def ptx_controls(v: dict, lang: str) -> None:
    """The PPO-ptx switch and its coefficient (URL parameters ``ptx`` and ``ptx_coef``)."""
    left, right = st.columns(2)
    with left:
        session.WIDGET("ptx").set(bool(v["ptx"]))
        st.toggle(texts.t("ptx_switch", lang), key=session.WIDGET.key("ptx"), on_change=_ptx_changed,
                  help=texts.t("ptx_help", lang))
    with right:
        w.control(st.select_slider, "ptx_coef", "ptx_slider", lang, options=list(state.PTX_STOPS),
                  format_func=lambda x: f"{x:g}", disabled=not v["ptx"])


def ptx_effect(cfg, doc: dict, lang: str, live: bool) -> None:
    """With PPO-ptx on: its analogy, and this run beside the same settings without it (once that is trained)."""
    if not cfg.ppo.ptx_coef or not doc.get("rlhf"):
        return
    off = w.result_for(cfg.replace(ptx_coef=0.0))
    words = None
    if off is not None and off.get("rlhf") and not live:  # a live run's last row is not its end

        def words(lens, lg):
            return {"kept": narrate.ptx_kept(doc, off, lens, lg)}

    w.analogy("ptx", doc, words=words)
    if off is None:
        st.caption(texts.t("ptx_missing", lang))
        return
    w.chart("ptx", hands_charts.ptx_compare, doc["rlhf"]["history"], off["rlhf"]["history"], cfg.ppo.ptx_coef, lang,
            key=f"ptx_{live}")


# -- the playground -----------------------------------------------------------------------------------
def stepper() -> Stepper | None:
    return session.HANDS.get()


def running() -> Job | None:
    """The Board job advancing this visitor's Stepper now (None: paused, or nothing started)."""
    job = session.HANDS_JOB.get()
    return job if job is not None and not job.done else None


def playing() -> bool:
    job = running()
    return job is not None and job.key.endswith("-play")


def _run(s: Stepper, n: int | None, part: str | None) -> None:
    """Submit a job that advances ``s``: ``n`` steps of ``part`` (or of the pipeline), or (None) play."""
    todo = [x for x in STAGES if not s.done[x]] if n is None else [part or s.current()]
    share = 1.0 if n is None else min(1.0, n / s.cfg.total(todo[0]))
    whole = w.eta(s.cfg, todo)
    estimate = None if whole is None else whole * share
    mode = "play" if n is None else "step"
    job = session.server().board.submit(s.cfg, session.visitor(), estimate, stream=stepping(s, n, part),
                                        key=f"hands-{session.visitor()}-{id(s):x}-{mode}")
    session.HANDS_JOB.set(job)


def start_controls(cfg, lang: str) -> None:
    """Where to start, and the button that builds a new Stepper for the sidebar's settings."""
    left, right = st.columns([3, 1])
    with left:
        start = st.radio(texts.t("pg_start", lang), list(START_FROM), key="hands_start", horizontal=True,
                         format_func=lambda s: texts.t(START_FROM[s], lang))
    with right:
        if st.button(texts.t("pg_new", lang), key="hands_new", type="primary"):
            if poll.leave(running()):  # the old run stops before its Stepper is dropped
                session.HANDS_JOB.get().join(5)
            try:
                session.HANDS.set(torch_side().Stepper(cfg, session.cache(), start=start))
                session.HANDS_JOB.pop()
            except ValueError as e:
                st.error(texts.t("pg_bad_start", lang, msg=e))


def controls(lang: str) -> None:
    """Play / pause, step, rewind, and GAN Lab's "one part alone" buttons (clicks rerun the page)."""
    s = stepper()
    if s is None:
        st.info(texts.t("pg_not_started", lang))
        return
    busy, play = running() is not None, playing()
    cols = st.columns([1, 1, 2, 2, 1])
    with cols[0]:
        if st.button(texts.t("pg_pause" if play else "pg_play", lang), key="hands_play",
                     icon=":material/pause:" if play else ":material/play_arrow:",
                     disabled=(s.current() is None or busy) and not play):
            if play:
                if poll.leave(running()):
                    session.HANDS_JOB.get().join(5)  # paused after the step in hand
            else:
                _run(s, None, None)
            st.rerun()
    n = cols[2].select_slider(texts.t("pg_step_size", lang), STEP_SIZES, key="hands_n")
    with cols[1]:
        if st.button(texts.t("pg_step", lang), key="hands_step", icon=":material/skip_next:",
                     disabled=s.current() is None or busy):
            _run(s, n, None)
            st.rerun()
    which = cols[3].selectbox(texts.t("pg_reset_which", lang), STAGES, key="hands_reset_stage",
                              format_func=lambda x: labels.stage(x, lang))
    with cols[4]:
        if st.button(texts.t("pg_reset", lang), key="hands_reset", icon=":material/replay:", disabled=busy):
            s.reset(which)
    st.caption(texts.t("pg_gan", lang))
    left, right = st.columns(2)
    for col, part, key in ((left, "reward", "pg_step_judges"), (right, "rlhf", "pg_step_policy")):
        with col:
            why = s.why_not(part)
            if st.button(texts.t(key, lang), key=f"hands_{part}", disabled=busy or why is not None):
                _run(s, n, part)
                st.rerun()
            if why is not None:
                st.caption(texts.t(WHY_NOT[why], lang, stage=labels.stage(part, lang)))


def live(lang: str) -> None:
    """Progress and charts: polled while a play or step job runs (``ui.poll.watch``), drawn once otherwise."""
    s = stepper()
    if s is None:
        return
    job = running()
    if job is not None:

        def status(j: Job) -> None:
            if playing():
                st.caption(texts.t("pg_playing", lang))
            elif s.current() is not None:
                st.caption(texts.t("running", lang, stage=labels.stage(s.current(), lang), sec=j.elapsed()))
            stage_bars(s, lang)

        poll.watch(job, lang, session.HANDS_JOB, status, live=lambda _job: draw_stage(s, lang), stop=False)
        return
    ended = session.HANDS_JOB.get()
    if ended is not None and ended.error:
        st.error(texts.t("failed", lang, msg=ended.error))
    if s.current() is None:
        st.success(texts.t("pg_all_done", lang))
    else:
        st.caption(texts.t("pg_paused", lang))
    stage_bars(s, lang)
    draw_stage(s, lang)


def stage_bars(s: Stepper, lang: str) -> None:
    steps, done = s.steps(), s.progress()
    for stage in STAGES:
        st.progress(done[stage], text=texts.t("pg_stage", lang, stage=labels.stage(stage, lang),
                                              step=steps[stage], total=s.cfg.total(stage)))


def draw_stage(s: Stepper, lang: str) -> None:
    """The chart of the stage trained last, and his latest answers to the timeline's prompts."""
    doc = narrate.partial_doc(s.all_events())
    stage = next((x for x in reversed(STAGES) if s.events[x]), None)
    if stage == "pretrain":
        pre = doc["pretrain"]
        w.chart("hands-pretrain", charts.loss_curve, pre["history"], pre["losses"], lang, sidebar.lens())
    elif stage == "sft":
        w.chart("hands-sft", charts.sft_curve, doc["sft"]["history"], lang)
    elif stage == "reward":
        w.chart("hands-reward", charts.reward_curve, doc["reward"]["history"], lang)
    elif stage == "rlhf" and doc.get("rlhf"):
        w.chart("hands-rlhf", charts.rlhf_curves, doc["rlhf"]["history"], lang, total=s.cfg.ppo.iterations,
                lens=sidebar.lens())
    answers(s.world, [f for f in s.frames() if f["answers"] is not None][-1:], lang)


# -- the sample timeline ------------------------------------------------------------------------------
def frames_for(source: str, cfg) -> tuple[list[dict], World | None]:
    """(frames, world) of the trained run of cfg ("run") or of this visitor's hands-on run ("hands")."""
    if source == "hands":
        s = stepper()
        return (s.frames(), s.world) if s is not None else ([], None)
    doc = w.result_for(cfg)
    return timeline.doc_frames(doc), World(cfg.lang, cfg.seed)


def frame_name(f: dict, lang: str) -> str:
    return texts.t("tl_frame", lang, stage=labels.stage(f["stage"], lang), step=f["step"])


def answers(world: World, frames: list[dict], lang: str) -> None:
    """One frame's answers beside their prompts (or why they are missing)."""
    if not frames:
        return
    f = frames[-1]
    if f["answers"] is None:
        st.info(texts.t("tl_not_recorded", lang))
        return
    right = f.get("correct") or [None] * len(f["answers"])
    st.table([{texts.t("prompt", lang): p.strip(), texts.t("tl_answer", lang): a,
               texts.t("tl_right", lang): labels.verdict(ok)}
              for p, a, ok in zip(timeline.prompts(world), f["answers"], right, strict=True)])
