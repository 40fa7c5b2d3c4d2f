"""Wuji · 无忌 — the Streamlit entry point: a thin st.navigation router + the shared sidebar.

Keep this file light: no torch and no training here (sim.pipeline is torch-free at import).
"""

import streamlit as st

from ui import sidebar, texts

st.set_page_config(page_title="Wuji · 无忌", page_icon="☯", layout="wide")

values = sidebar.init()
lang = values["lang"]
pages = [
    st.Page(
        "pages/home.py",
        title=texts.t("page_home", lang),
        icon=":material/home:",
        url_path="home",
        default=True,
    ),
    st.Page(
        "pages/pretrain.py",
        title=texts.t("page_pretrain", lang),
        icon=":material/wb_sunny:",
        url_path="pretrain",
    ),
    st.Page(
        "pages/sft.py", title=texts.t("page_sft", lang), icon=":material/sports_martial_arts:", url_path="sft"
    ),
    st.Page("pages/rlhf.py", title=texts.t("page_rlhf", lang), icon=":material/balance:", url_path="rlhf"),
    st.Page(
        "pages/challenges.py",
        title=texts.t("page_challenges", lang),
        icon=":material/landscape:",
        url_path="challenges",
    ),
]
nav = st.navigation(pages)
sidebar.draw()
sidebar.routed()
nav.run()
