"""Challenges: biased annotators, training cost, transfer to held-out task kinds."""

import streamlit as st

from ui import charts, narrate, state, texts
from ui import widgets as w

v, lang, lens = w.header("page_challenges")
cfg = w.config(v)


def draw(doc, live):
    if live or not doc.get("rlhf"):
        return
    st.subheader(texts.t("ch_bias", lang))
    left, right = st.columns([3, 2])
    with left:
        rows = narrate.sweep_rows(w.sweep(cfg, "reward_bias", state.BIAS_STOPS), "reward_bias")
        w.chart(
            charts.sweep(
                rows,
                "reward_bias",
                ("gold_agreement", "flattery", "final_capability"),
                lang,
                "ch_bias_sweep",
                narrate.axis_range(state.BIAS_STOPS),
            ),
            "bias-sweep",
        )
        st.caption(texts.t("sweep_hint", lang))
    with right:
        w.analogy("challenge_bias", doc)
    st.subheader(texts.t("ch_cost_t", lang))
    left, right = st.columns([3, 2])
    with left:
        w.chart(charts.cost(doc["seconds"], lang, tuple(doc.get("cached", ()))), "cost")
        st.caption(texts.t("cost_hint", lang))
    with right:
        w.analogy("challenge_cost", doc)
        w.metric("seconds_total", doc["seconds"].get("total"), lang, "{:.1f} s")
    st.subheader(texts.t("ch_transfer_t", lang))
    left, right = st.columns([3, 2])
    with left:
        w.chart(
            charts.transfer(doc["rlhf"]["start"]["per_task"], doc["rlhf"]["final"]["per_task"], lang),
            "transfer",
        )
    with right:
        w.analogy("challenge_transfer", doc)
    w.csv(narrate.table(doc, "summary"), "challenges", lang)
    w.png_hint(lang)


w.body(cfg, lang, draw)
