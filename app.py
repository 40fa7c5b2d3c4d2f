"""Wuji · 无忌 — the Streamlit entry point: a thin st.navigation router.

The frame every page shares (page config, URL state, sidebar, the page list) is ``ui.frame.draw``; a page
that Streamlit runs without this file draws the same frame itself (see ui/frame.py for why).
Keep this file light: no torch and no training here.
"""

from ui import frame

frame.route()
