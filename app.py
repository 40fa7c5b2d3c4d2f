"""Wuji · 无忌 — the Streamlit entry point: a thin st.navigation router.

Keep this file light: no torch, no sim imports at module import time (pages import what they need).
"""

import streamlit as st

st.set_page_config(page_title="Wuji · 无忌", page_icon="☯", layout="wide")
st.navigation([st.Page("pages/home.py", title="Home · 首页", default=True)]).run()
