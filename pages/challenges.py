"""Challenges: biased annotators (and bosses with different tastes, a rubric, more votes), training cost
(seconds, and FLOPs next to a real model's), transfer to held-out task kinds (A -> B)."""

import streamlit as st

from ui import charts, narrate, state, texts, tradeoff
from ui import explore as x
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
        w.chart("bias-sweep", charts.sweep, rows, "reward_bias", ("gold_agreement", "flattery", "final_capability"),
                lang, "ch_bias_sweep", narrate.axis_range(state.BIAS_STOPS))
        st.caption(texts.t("sweep_hint", lang))
    with right:
        x.analogy("challenge_bias", tradeoff.bias_numbers(doc, x.remedies(cfg), lens, lang), lens, lang)
    st.subheader(texts.t("ch_bosses_t", lang))
    st.caption(texts.t("bosses_intro", lang))
    a, b = st.columns(2)
    with a:
        rubric = st.toggle(texts.t("rubric", lang), key="x_rubric", help=texts.t("rubric_help", lang))
    with b:
        votes = st.select_slider(texts.t("votes", lang), options=list(x.VOTES), key="x_votes",
                                 help=texts.t("votes_help", lang))
    matrix, errors, err = x.boss_stats(cfg, rubric, votes)
    nums = tradeoff.bosses_numbers(matrix, err, votes, rubric, lens, lang)
    w.chart("bosses", charts.bosses, matrix, errors, rubric, votes, lang)
    left, right = st.columns([4, 2])  # the two figures one above the other: side by side, a label was cut
    with left:
        x.analogy("challenge_bosses", nums, lens, lang)
    right.metric(texts.t("disagree_metric", lang), f"{nums['dis']:.0%}")
    right.metric(texts.t("error_metric", lang), f"{err:.0%}")
    st.caption(texts.t("bosses_hint", lang, bias=v["bias"], kl=v["kl"], seed=v["seed"]))
    x.judging_section(cfg, rubric, votes, lang)
    points = tradeoff.judging_points(x.judging_docs(cfg))
    if points:
        w.chart("judging", charts.judging_effect, points, lang)
    st.subheader(texts.t("ch_cost_t", lang))
    left, right = st.columns([3, 2])
    with left:
        w.chart("cost", charts.cost, doc["seconds"], lang, tuple(doc.get("cached", ())), doc.get("train_seconds"))
        st.caption(texts.t("cost_hint", lang))
    with right:
        w.analogy("challenge_cost", doc)
        w.metric("train_seconds", narrate.train_seconds(doc), lang, "{:.1f} s")
    st.markdown(f"**{texts.t('ch_flops_t', lang)}**")
    flops = x.flops(cfg)
    left, right = st.columns([3, 2])
    with left:
        w.chart("flops", charts.flops, flops, lang)
    with right:
        x.analogy("challenge_flops", tradeoff.flops_numbers(flops), lens, lang)
    st.caption(texts.t("cost_sources", lang))
    st.subheader(texts.t("ch_transfer_t", lang))
    left, right = st.columns([3, 2])
    with left:
        w.chart("transfer", charts.transfer, doc["rlhf"]["start"]["per_task"], doc["rlhf"]["final"]["per_task"], lang)
    with right:
        w.analogy("challenge_transfer", doc)
    st.markdown(f"**{texts.t('ch_ab_t', lang)}**")
    groups = tradeoff.transfer_groups(doc["rlhf"]["history"])
    left, right = st.columns([3, 2])
    with left:
        w.chart("transfer-ab", charts.transfer_ab, groups, lang)
        if groups["held"]["gold1"] is None:
            st.caption(texts.t("ab_no_gold", lang))
    with right:
        x.analogy("challenge_ab", tradeoff.transfer_numbers(groups), lens, lang)
    w.csv(narrate.table(doc, "summary"), "challenges", lang)
    w.png_hint(lang)


w.body(cfg, lang, draw)
