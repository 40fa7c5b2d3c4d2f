"""The sample timeline: his answers to the same prompts at every checkpoint, scrubbed with a slider."""

import streamlit as st

from ui import hands, texts
from ui import widgets as w

v, lang, lens = w.header("page_timeline")
st.caption(texts.t("tl_intro", lang))
cfg = w.config(v)
sources = ("run", "hands") if hands.stepper() is not None else ("run",)
source = st.radio(texts.t("tl_source", lang), sources, key="tl_source", horizontal=True,
                  format_func=lambda s: texts.t({"run": "tl_source_run", "hands": "tl_source_hands"}[s], lang))
frames, world = hands.frames_for(source, cfg)
if not frames:
    st.info(texts.t("tl_none", lang))
    st.stop()
i = st.select_slider(texts.t("tl_slider", lang), range(len(frames)), value=len(frames) - 1,
                     key=f"tl_frame_{source}_{len(frames)}",
                     format_func=lambda k: hands.frame_name(frames[k], lang))
st.subheader(hands.frame_name(frames[i], lang))
hands.answers(world, frames[: i + 1], lang)
