"""取舍地图 · The trade-off explorer: a kl_coef x reward_bias x seeds sweep computed once for everyone, its
frontier and heatmaps, the over-optimisation curve (Gao et al. 2022), and best-of-n, DPO, RLOO and GRPO (a strict
and a sloppy checker) on the same plots.
"""

import streamlit as st

from ui import charts, texts, tradeoff
from ui import explore as x
from ui import widgets as w

v, lang, lens = w.header("page_explorer")
kls, biases, seeds = x.grid_stops()
st.markdown(texts.t("ex_intro", lang, n_seed=len(seeds)))
left, right = st.columns(2)
with left:
    bias = x.grid_slider("bias", "bias_slider", biases, lang)
with right:
    kl = x.grid_slider("kl", "kl_slider", kls, lang)
cfgs = x.grid(lang)
rows = x.sweep_section(cfgs, lang)

if rows:
    cfg = x.base(lang).replace(kl_coef=kl, reward_bias=bias, seed=v["seed"])
    methods = x.method_docs(cfg)

    st.subheader(texts.t("ex_frontier_t", lang))
    w.chart("frontier", charts.frontier, rows, kl, bias, methods, lang)
    st.caption(texts.t("ex_frontier_cap", lang, n_seed=len(seeds)))
    x.analogy("frontier", tradeoff.frontier_numbers(rows, kl, bias, v["seed"], lens, lang), lens, lang)

    st.subheader(texts.t("ex_heat_t", lang))
    w.chart("heatmaps", charts.heatmaps, rows, kls, biases, kl, bias, lang)

    st.subheader(texts.t("ex_overopt_t", lang))
    ov = tradeoff.overopt_data(rows, kl, bias, methods)
    w.chart("overopt", charts.overopt, ov, lang, texts.peak(lens, lang), lens)
    st.caption(texts.t("ex_overopt_cap", lang, n_seed=len(tradeoff.at(rows, kl, bias))))
    panel = tradeoff.overopt_panel(ov)
    if panel is None:
        st.info(texts.t("ex_nofit", lang))
    else:
        x.analogy(panel[0], panel[1], lens, lang)
    fits = tradeoff.fit_rows(ov, lang)
    if fits and lens == "tech":  # the fit's parameters are the technical lens's; the lay lenses read the panel
        st.markdown(f"**{texts.t('ex_fit_t', lang)}**")
        st.table(fits, hide_index=True)  # HTML: presenter-dark's CSS reaches it (a dataframe's canvas stays light)

    st.subheader(texts.t("ex_methods_t", lang))
    x.methods_section(cfg, lang)
    if methods:
        st.caption(texts.t("ex_methods_shown", lang, seed=cfg.seed, bias=bias, kl=kl))
    for row in tradeoff.PANEL_ROWS:  # GRPO's strict and sloppy checkers side by side, on a row of their own
        for col, m in zip(st.columns(len(row)), row, strict=True):
            with col:
                if m in methods:
                    nums = tradeoff.method_numbers(m, methods[m], lens, lang)
                    x.analogy(tradeoff.METHOD_PANELS[m], nums, lens, lang)

    w.csv(tradeoff.csv_rows(rows), "explorer", lang)
    w.png_hint(lang)
