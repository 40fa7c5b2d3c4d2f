"""Home · 张无忌的成长: the three stages as one story, train the whole journey, where he stands now."""

import streamlit as st

from ui import charts, narrate, texts
from ui import widgets as w

v, lang, lens = w.header("app_title")
st.markdown(texts.t("tagline", lang))
st.subheader(texts.t("page_home", lang))
st.markdown(texts.story(lens, lang))
cfg = w.config(v)


def draw(doc, live):
    w.chart("gauges", charts.gauges, narrate.gauges(doc), lang, key=f"gauges_{live}")
    cols = st.columns(3)
    for col, name in zip(cols, ("pretrain", "sft", "ppo"), strict=True):
        with col:
            w.analogy(name, doc)
    if not live:
        w.csv(narrate.table(doc, "summary"), "summary", lang)
        w.png_hint(lang)


w.body(cfg, lang, draw, train_button="train_journey")
st.markdown(f"**{texts.t('moral', lang)}**")
