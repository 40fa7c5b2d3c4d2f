"""Wuji · 无忌 — the Streamlit entry point: a thin st.navigation router + the shared sidebar.

Keep this file light: no torch and no training here (sim.pipeline is torch-free at import).
"""

import streamlit as st

from ui import present, sidebar, texts

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
    st.Page("pages/tour.py", title=texts.t("page_tour", lang), icon=":material/slideshow:", url_path="tour"),
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
        "pages/playground.py",
        title=texts.t("page_playground", lang),
        icon=":material/play_circle:",
        url_path="playground",
    ),
    st.Page("pages/timeline.py", title=texts.t("page_timeline", lang), icon=":material/timeline:", url_path="timeline"),
    st.Page(
        "pages/explorer.py",
        title=texts.t("page_explorer", lang),
        icon=":material/explore:",
        url_path="explorer",
    ),
    st.Page(
        "pages/challenges.py",
        title=texts.t("page_challenges", lang),
        icon=":material/landscape:",
        url_path="challenges",
    ),
]
if not sidebar.admitted():  # a room password is set: nothing else until it is given
    st.navigation([st.Page(sidebar.login, title=texts.t("password", lang), url_path="login")]).run()
    st.stop()
nav = st.navigation(pages, position="hidden" if present.on() else "sidebar")
if present.on():  # presenter mode: no sidebar; its controls sit in one menu on the page
    present.menu(pages)
    sidebar.warnings()
else:
    sidebar.draw()
    present.switch()
present.style()
sidebar.routed()
nav.run()
