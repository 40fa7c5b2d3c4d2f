"""Wuji · 无忌 — the Streamlit entry point: a thin st.navigation router + the shared sidebar.

Keep this file light: no torch and no training here (sim.pipeline is torch-free at import).
"""

import streamlit as st

from ui import present, sidebar, texts

st.set_page_config(page_title="Wuji · 无忌", page_icon="☯", layout="wide")

values = sidebar.init()
lang = values["lang"]
PAGES = (  # (script and url path in pages/, its title's text, icon)
    ("home", "page_home", ":material/home:"),
    ("tour", "page_tour", ":material/slideshow:"),
    ("pretrain", "page_pretrain", ":material/wb_sunny:"),
    ("sft", "page_sft", ":material/sports_martial_arts:"),
    ("rlhf", "page_rlhf", ":material/balance:"),
    ("playground", "page_playground", ":material/play_circle:"),
    ("timeline", "page_timeline", ":material/timeline:"),
    ("explorer", "page_explorer", ":material/explore:"),
    ("challenges", "page_challenges", ":material/landscape:"),
)
pages = [
    st.Page(f"pages/{name}.py", title=texts.t(title, lang), icon=icon, url_path=name, default=name == "home")
    for name, title, icon in PAGES
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
