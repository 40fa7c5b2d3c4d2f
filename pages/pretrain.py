"""内力 · Pretraining: live loss curve, samples turning into language, the knowledge probe, the budget."""

import streamlit as st

from ui import charts, narrate, state, texts
from ui import widgets as w

v, lang, lens = w.header("page_pretrain")
stops = next(p for p in state.table() if p.name == "steps").choices
w.control(st.select_slider, "steps", "budget", lang, options=list(stops))
cfg = w.config(v)


def draw(doc, live):
    pre = doc.get("pretrain")
    if not pre:
        return
    left, right = st.columns([3, 2])
    with left:
        w.chart("pretrain-loss", charts.loss_curve, pre["history"], pre.get("losses", []), lang, lens,
                key=f"loss_{live}")
    with right:
        w.analogy("pretrain", doc)
        w.chart("pretrain-probe", charts.probe_curve, pre["history"], lang, key=f"probe_{live}")
    st.subheader(texts.t("samples", lang))
    st.table(narrate.sample_rows(pre.get("samples", []), lang))
    if live:
        return
    st.subheader(texts.t("budget_effect", lang))
    left, right = st.columns([3, 2])
    with left:
        rows = narrate.sweep_rows(w.sweep(cfg, "pretrain_steps", stops), "steps")
        w.chart("budget", charts.sweep, rows, "steps", ("probe_accuracy", "capability", "final_capability"), lang,
                "ch_budget", narrate.axis_range(stops))
        st.caption(texts.t("sweep_hint", lang))
    with right:
        w.analogy("budget", doc)
    w.csv(narrate.table(doc, "pretrain"), "pretrain", lang)
    w.png_hint(lang)


w.body(cfg, lang, draw)
