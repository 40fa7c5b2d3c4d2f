"""Streamlit glue of the hands-on features: the PPO-ptx switch and its comparison, the playground
(play / pause / step / reset over a ``sim.stepper.Stepper`` kept in this visitor's session), and the
sample timeline. No math here: the Stepper trains, ``sim.timeline`` keeps the answers.
"""

from __future__ import annotations

import streamlit as st

from sim import timeline
from sim.config import STAGES
from sim.world import World
from ui import charts, hands_charts, labels, narrate, sidebar, state, texts
from ui import widgets as w

STEP_SIZES = (1, 10, 100)
STEP_CAP_S = 10.0  # a click's steps all run unless they take longer than this (then the rest wait)
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
    ss = st.session_state
    ss["values"] = {**ss["values"], "ptx": int(ss["w_ptx"])}
    ss["url_warnings"], ss["autostart"] = [], True


def ptx_controls(v: dict, lang: str) -> None:
    """The PPO-ptx switch and its coefficient (URL parameters ``ptx`` and ``ptx_coef``)."""
    left, right = st.columns(2)
    with left:
        st.session_state["w_ptx"] = bool(v["ptx"])
        st.toggle(texts.t("ptx_switch", lang), key="w_ptx", on_change=_ptx_changed, help=texts.t("ptx_help", lang))
    with right:
        w.control(st.select_slider, "ptx_coef", "ptx_slider", lang, options=list(state.PTX_STOPS),
                  format_func=lambda x: f"{x:g}", disabled=not v["ptx"])


def ptx_effect(cfg, doc: dict, lang: str, live: bool) -> None:
    """With PPO-ptx on: its analogy, and this run beside the same settings without it (once that is trained)."""
    if not cfg.ppo.ptx_coef or not doc.get("rlhf"):
        return
    w.analogy("ptx", doc)
    off = w.result_for(cfg.replace(ptx_coef=0.0))
    if off is None:
        st.caption(texts.t("ptx_missing", lang))
        return
    fig = hands_charts.ptx_compare(doc["rlhf"]["history"], off["rlhf"]["history"], cfg.ppo.ptx_coef, lang)
    w.chart(fig, "ptx", key=f"ptx_{live}")


# -- the playground -----------------------------------------------------------------------------------
def stepper():
    return st.session_state.get("hands")


def start_controls(cfg, lang: str) -> None:
    """Where to start, and the button that builds a new Stepper for the sidebar's settings."""
    left, right = st.columns([3, 1])
    with left:
        start = st.radio(texts.t("pg_start", lang), list(START_FROM), key="hands_start", horizontal=True,
                         format_func=lambda s: texts.t(START_FROM[s], lang))
    with right:
        if sidebar.button(texts.t("pg_new", lang), key="hands_new", type="primary"):
            from sim.stepper import Stepper

            try:
                st.session_state["hands"] = Stepper(cfg, w.get_cache(), start=start)
                st.session_state["hands_playing"] = False
            except ValueError as e:
                st.error(texts.t("pg_bad_start", lang, msg=e))


def controls(lang: str) -> None:
    """Play / pause, step, rewind, and GAN Lab's "one part alone" buttons (clicks rerun the page)."""
    s, ss = stepper(), st.session_state
    if s is None:
        st.info(texts.t("pg_not_started", lang))
        return
    playing = ss.get("hands_playing", False)
    cols = st.columns([1, 1, 2, 2, 1])
    with cols[0]:
        if sidebar.button(texts.t("pg_pause" if playing else "pg_play", lang), key="hands_play",
                          icon=":material/pause:" if playing else ":material/play_arrow:",
                          disabled=s.current() is None and not playing):
            ss["hands_playing"] = not playing
            st.rerun()
    n = cols[2].select_slider(texts.t("pg_step_size", lang), STEP_SIZES, key="hands_n")
    with cols[1]:
        if sidebar.button(texts.t("pg_step", lang), key="hands_step", icon=":material/skip_next:",
                          disabled=s.current() is None):
            _step(s, n, None, lang)
    which = cols[3].selectbox(texts.t("pg_reset_which", lang), STAGES, key="hands_reset_stage",
                              format_func=lambda x: labels.stage(x, lang))
    with cols[4]:
        if sidebar.button(texts.t("pg_reset", lang), key="hands_reset", icon=":material/replay:"):
            s.reset(which)
            ss["hands_playing"] = False
    st.caption(texts.t("pg_gan", lang))
    left, right = st.columns(2)
    for col, part, key in ((left, "reward", "pg_step_judges"), (right, "rlhf", "pg_step_policy")):
        with col:
            why = s.why_not(part)
            if sidebar.button(texts.t(key, lang), key=f"hands_{part}", disabled=why is not None and why != "finished"):
                _step(s, n, part, lang)
            if why is not None:
                st.caption(texts.t(WHY_NOT[why], lang, stage=labels.stage(part, lang)))


def _step(s, n: int, part: str | None, lang: str) -> None:
    if s.step(n, part, budget_s=STEP_CAP_S) == 0 and (part or s.current()):
        st.info(texts.t("pg_busy", lang))


def live(lang: str) -> None:
    """Progress and charts; while playing, a fragment advances one slice a tick (the page owns the clock)."""
    s = stepper()
    if s is None:
        return
    playing = st.session_state.get("hands_playing", False)

    @st.fragment(run_every=w.POLL_S if playing else None)
    def board():
        if st.session_state.get("hands_playing"):
            from sim.stepper import SLICE_S

            if s.step(10**6, budget_s=SLICE_S) == 0:
                if s.current() is None:
                    st.session_state["hands_playing"] = False
                    st.rerun()
                st.caption(texts.t("pg_busy", lang))
            st.caption(texts.t("pg_playing", lang))
        elif s.current() is None:
            st.success(texts.t("pg_all_done", lang))
        else:
            st.caption(texts.t("pg_paused", lang))
        steps, done = s.steps(), s.progress()
        for stage in STAGES:
            total = getattr(s.cfg, {"rlhf": "ppo"}.get(stage, stage))
            total = total.iterations if stage == "rlhf" else total.steps
            st.progress(done[stage], text=texts.t("pg_stage", lang, stage=labels.stage(stage, lang),
                                                  step=steps[stage], total=total))
        draw_stage(s, lang)

    board()


def draw_stage(s, lang: str) -> None:
    """The chart of the stage trained last, and his latest answers to the timeline's prompts."""
    doc = narrate.partial_doc(s.all_events())
    stage = next((x for x in reversed(STAGES) if s.events[x]), None)
    if stage == "pretrain":
        w.chart(charts.loss_curve(doc["pretrain"]["history"], doc["pretrain"]["losses"], lang), "hands-pretrain")
    elif stage == "sft":
        w.chart(charts.sft_curve(doc["sft"]["history"], lang), "hands-sft")
    elif stage == "reward":
        w.chart(charts.reward_curve(doc["reward"]["history"], lang), "hands-reward")
    elif stage == "rlhf" and doc.get("rlhf"):
        w.chart(charts.rlhf_curves(doc["rlhf"]["history"], lang, total=s.cfg.ppo.iterations), "hands-rlhf")
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
    st.table([{texts.t("prompt", lang): p.strip(), texts.t("tl_answer", lang): a}
              for p, a in zip(timeline.prompts(world), f["answers"])])
