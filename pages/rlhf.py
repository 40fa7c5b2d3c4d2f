"""处世 · RLHF: the judging panel and its bias, the reward model, then PPO with the KL leash, live."""

import streamlit as st

from sim.world import annotator_panel
from ui import charts, hands, labels, narrate, ranking, state, texts
from ui import widgets as w

v, lang, lens = w.header("page_rlhf")
left, right = st.columns(2)
with left:
    w.control(st.select_slider, "bias", "bias_slider", lang, options=list(state.BIAS_STOPS))
with right:
    w.control(st.select_slider, "kl", "kl_slider", lang, options=list(state.KL_STOPS))
hands.ptx_controls(v, lang)
st.caption(texts.t("rerun_hint", lang))
cfg = w.config(v)
w.autostart(cfg)
w.leash_caption(cfg, lang)


def draw(doc, live):
    st.subheader(texts.t("annotators_title", lang))
    left, mid, right = st.columns([3, 2, 2])
    with left:
        panel = annotator_panel(cfg.reward.n_annotators, cfg.seed)
        w.chart("annotators", charts.annotators, panel, v["bias"], lang, key=f"ann_{live}")
    with mid:
        w.analogy("annotators", {"config": {"reward": {"n_annotators": len(panel)}}})
        if doc.get("reward"):
            w.metric("pref_accuracy", doc["reward"]["pref_accuracy"], lang)
            w.metric("gold_agreement", doc["reward"]["gold_agreement"], lang)
    with right:
        w.analogy("reward", doc)
    rl = doc.get("rlhf")
    if not rl:
        return
    w.chart("rlhf", charts.rlhf_curves, rl["history"], lang, total=cfg.ppo.iterations, lens=lens, key=f"rlhf_{live}")
    w.metric_row(narrate.rlhf_metric_row(rl["start"], rl["final"]), lang)
    variety = narrate.variety(rl["start"], rl["final"], lens, lang)
    if variety:  # an older cached run did not measure it
        st.caption(variety)
    cols = st.columns(3)
    for col, name in zip(cols, ("ppo", "kl", "bias"), strict=True):
        with col:
            w.analogy(name, doc)
    hands.ptx_effect(cfg, doc, lang, live)
    if lens == "tech" and not live and rl.get("length_score"):  # what the judges pay for length (Singhal et al.)
        w.chart("length", charts.length_score, rl["length_score"], lang)
        st.caption(narrate.length_caption(rl["length_score"], lang))
    if live or not rl.get("green_grey"):
        return
    st.subheader(texts.heading("green_grey", lens, lang))
    w.analogy("green_grey", doc)
    st.caption(texts.t("green_grey_help", lang))
    scale = narrate.kl_scale(rl["green_grey"])
    head = st.columns([2, 3, 3])
    for col, key in zip(head, ("prompt", "green", "grey"), strict=True):
        col.markdown(f"**{texts.t(key, lang)}**")
    for row in rl["green_grey"][:8]:
        a, b, c = st.columns([2, 3, 3])
        a.text(row["prompt"].strip())
        green, grey = narrate.green_html(row["sft"]), narrate.kl_html(row["policy"], row["token_kl"], scale)
        b.markdown(f"{labels.verdict(row.get('sft_correct'))} {green}", unsafe_allow_html=True)
        c.markdown(f"{labels.verdict(row.get('policy_correct'))} {grey}", unsafe_allow_html=True)
    w.csv(narrate.table(doc, "rlhf"), "rlhf", lang)
    w.png_hint(lang)


w.body(cfg, lang, draw)
ranking.section(cfg, lang)
