"""招式 · SFT: a radar of moves per task kind, the format rate, base vs SFT answers side by side."""

import streamlit as st

from ui import charts, narrate, texts
from ui import widgets as w

v, lang, lens = w.header("page_sft")
cfg = w.config(v)


def draw(doc, live):
    sft = doc.get("sft")
    if not sft:
        return
    series = [
        (texts.t("checkpoint", lang, step=h["step"]), h["per_task"])
        for h in sft["history"]
        if h.get("per_task")
    ]
    left, right = st.columns([3, 2])
    with left:
        w.chart("sft-radar", charts.radar, series[-3:], lang, key=f"radar_{live}")
    with right:
        w.analogy("sft", doc)
        a, b = st.columns(2)
        with a:
            w.metric("capability", sft.get("capability"), lang)
        with b:
            w.metric("format_rate", sft.get("format_rate"), lang)
        w.chart("sft-curve", charts.sft_curve, sft["history"], lang, key=f"sftc_{live}")
    if live or not sft.get("answers"):
        return
    st.subheader(texts.heading("side_by_side", lens, lang))
    w.analogy("sft_compare", doc)
    st.table(narrate.answer_rows(sft["answers"], lens, lang))
    w.csv(narrate.table(doc, "sft"), "sft", lang)
    w.png_hint(lang)


w.body(cfg, lang, draw)
