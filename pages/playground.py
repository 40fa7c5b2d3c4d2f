"""Hands on: play / pause / step / rewind every stage, and step the judges or the policy alone."""

import streamlit as st

from ui import hands, texts
from ui import widgets as w

v, lang, lens = w.header("page_playground")
st.caption(texts.t("pg_intro", lang))
cfg = w.config(v)
hands.start_controls(cfg, lang)
hands.controls(lang)
hands.live(lang)
