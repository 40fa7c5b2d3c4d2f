"""导览 · Guided tour: the three stages step by step — one chart, one analogy and one thing to do a step;
predict-then-see, one-click scenarios with their link, and the slides export."""

import streamlit as st

from ui import guide, join, present, story, texts
from ui import widgets as w

v, lang, lens = w.header("page_tour")
number = story.clamp(v["step"])
step = story.step(number)
st.caption(texts.t("tour_intro", lang))
guide.nav(number, lens, lang)
if present.on():  # phones follow the presenter's step (ui/join.py)
    join.lead(number, v)
    join.invite(lang, expanded=number == 1)
st.subheader(texts.step_text(step.key, "title", lens, lang))
cfg = w.config(v)
w.autostart(cfg)
guess = guide.predict(step, v, lens, lang) if step.question else None


def draw(doc, live):
    hidden = step.question and guess is None  # predict first: the numbers stay hidden until a guess
    # the chart over the whole width, the words in two columns below: beside them, in three fifths of 1280 px, the
    # PPO step's three panels had ~150 px each, and their axis titles lay on the next panel's lines
    chart_at, (todo_at, words_at) = st.container(), st.columns(2)
    with todo_at:
        guide.todo(step, lens, lang, knob=not live)  # a widget only outside the live fragment
    with words_at:
        if not hidden:
            w.analogy(step.panel, story.analogy_doc(step, doc, cfg))
        if step.question and not live:
            guide.reveal(step, guess, cfg, lens, lang)
    with chart_at:
        if hidden:
            st.info(texts.t("guess_first", lang))
        elif not w.chart(f"tour-{number}-{step.key}", story.figure, step, doc, v, lang, cfg, key=f"tour_{live}"):
            st.info(texts.t("tour_no_doc", lang))


w.body(cfg, lang, draw)
guide.scenarios(v, lang)
guide.exports(number, cfg, v, lang)
guide.room_view(lang)
