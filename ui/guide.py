"""The guided tour, Streamlit glue: next / back (keys ← →), the step's knob, predict-then-see with the
room's tally, the scenario buttons with their link, and the slides export. The story itself is data in
``ui.story``; the room's tally of guesses is the server's (``sim.server.Guesses``).
"""

from __future__ import annotations

import functools

import streamlit as st

from sim.server import GUESS_CHOICES
from ui import charts, handout, join, present, session, sidebar, state, story, texts
from ui import widgets as w

KNOBS = {  # the knobs a step's action may move: label key and stops
    "kl": ("kl_slider", state.KL_STOPS),
    "bias": ("bias_slider", state.BIAS_STOPS),
}


def _go(number: int) -> None:
    session.VALUES.set(story.go(sidebar.values(), number))
    st.rerun()


def nav(number: int, lens: str, lang: str) -> None:
    """Back, where we are, next. The arrow keys press the buttons (st.button's ``shortcut``)."""
    n = len(story.STEPS)
    back, mid, nxt = st.columns([1, 4, 1], vertical_alignment="center")
    with back:
        if st.button(texts.t("tour_back", lang), key="tour_back", shortcut="Left", disabled=number <= 1):
            _go(number - 1)
    with mid:
        stage = story.step(number).stage
        chapters = [texts.chapter(i, lens, lang) for i in range(3)]
        st.progress(number / n, text=texts.t("tour_progress", lang, i=number, n=n, chapter=chapters[stage]))
        st.markdown(" → ".join(f"**{c}**" if i == stage else c for i, c in enumerate(chapters)))
    with nxt:
        if st.button(
            texts.t("tour_next", lang), key="tour_next", shortcut="Right", disabled=number >= n, type="primary"
        ):
            _go(number + 1)


def todo(step: story.Step, lens: str, lang: str, knob: bool = True) -> None:
    """The one thing to do, and the knob it moves."""
    with st.container(border=True):
        st.markdown(f"**{texts.t('tour_try', lang)}** · {texts.step_text(step.key, 'do', lens, lang)}")
        if step.knob and knob:
            label, stops = KNOBS[step.knob]
            w.control(st.select_slider, step.knob, label, lang, options=list(stops))
    scene(step, lang)


def scene(step: story.Step, lang: str) -> None:
    """The scenario a step was written for: said when the settings are on it (with an undo when this tab just
    switched), offered as one click when they are not. Next / back never change the settings."""
    if not step.scene:
        return
    values, name = sidebar.values(), texts.t(story.SCENARIO_TITLES[step.scene], lang)
    if story.scenario_of(values) == step.scene:
        st.caption(texts.t("tour_scene", lang, name=name))
        if session.TOUR_UNDO.present() and st.button(texts.t("tour_scene_undo", lang), key="tour_scene_undo"):
            session.VALUES.set({**session.TOUR_UNDO.pop(), "step": values["step"]})
            st.rerun()
        return
    st.caption(texts.t("tour_scene_offer", lang, name=name))
    if st.button(texts.t("tour_scene_use", lang, name=name), key="tour_scene_use"):
        session.TOUR_UNDO.set(dict(values))
        session.VALUES.set(story.scenario(step.scene, values))
        st.rerun()


def _vote(qid: str) -> None:
    choice = session.GUESS(qid).get()
    if choice is not None:
        session.server().guesses.vote(qid, session.person(), choice)


def predict(step: story.Step, values: dict, lens: str, lang: str) -> str | None:
    """Ask before the result shows; one vote a tab and question, changeable. Returns this tab's guess."""
    room = session.server().guesses
    qid = story.question_id(step.question, values)
    session.GUESS(qid).set(room.guess(qid, session.person()))
    st.markdown(f"#### {texts.t('predict_title', lang)}")
    st.radio(
        texts.question(step.question, lens, lang, bias=values["bias"], kl=values["kl"]),
        options=list(GUESS_CHOICES),
        format_func=lambda c: texts.t(texts.GUESSES[c], lang),
        horizontal=True,
        key=session.GUESS.key(qid),
        on_change=_vote,
        args=(qid,),
    )
    guess = room.guess(qid, session.person())
    if present.on():  # the projector: the room's answers as the phones send them (ui/join.py)
        join.live_tally(qid, lang)
    elif guess is not None:  # the room's answers only after one's own: nobody copies the crowd
        tally = room.tally(qid)
        st.caption(texts.t("room_now", lang, n=sum(tally.values()), **tally))
    return guess


def reveal(step: story.Step, guess: str | None, cfg, lens: str, lang: str) -> None:
    """The guess beside what really happened (only for the result of these very settings)."""
    line = story.guess_line(guess, w.result_for(cfg), step.question, lens, lang)
    if line:
        st.success(line, icon=":material/how_to_vote:")


def scenarios(values: dict, lang: str) -> None:
    """One click a scenario: it sets the session's values (and so the URL); the link is shown to share."""
    st.subheader(texts.t("sc_title", lang))
    for col, name in zip(st.columns(len(story.SCENARIOS)), story.SCENARIOS, strict=True):
        with col:
            picked = story.scenario_of(values) == name
            if st.button(texts.t(story.SCENARIO_TITLES[name], lang), key=f"sc_{name}",
                         type="primary" if picked else "secondary", width="stretch"):
                session.VALUES.set(story.scenario(name, sidebar.values()))
                st.rerun()
    current = story.scenario_of(values)
    st.caption(texts.t("sc_current", lang, name=texts.t(story.SCENARIO_TITLES.get(current, "sc_custom"), lang)))
    st.caption(texts.t("sc_link", lang))
    st.code(story.link(st.context.url or "", values), language=None, wrap_lines=True)


def exports(number: int, cfg, values: dict, lang: str) -> None:
    """The current step, or the whole run, as ONE self-contained HTML file (made when clicked)."""
    doc = w.result_for(cfg)
    st.subheader(texts.t("sl_title", lang))
    st.caption(texts.t("sl_png", lang))
    if doc is None:
        return
    room = session.server().guesses
    guessed = {i + 1: room.guess(story.question_id(s.question, values), session.person())
               for i, s in enumerate(story.STEPS) if s.question}
    link = story.link(st.context.url or "", values)
    make = functools.partial(story.report, dict(values), doc, cfg, guesses=guessed, link=link)
    left, right = st.columns(2)
    with left:
        st.download_button(texts.t("sl_step", lang), functools.partial(make, (number,)), key="sl_step",
                           file_name=f"wuji-tour-{number}-{lang}.html", mime="text/html", on_click="ignore")
    with right:
        st.download_button(texts.t("sl_run", lang), functools.partial(make, range(1, len(story.STEPS) + 1)),
                           key="sl_run", file_name=f"wuji-run-{lang}.html", mime="text/html", on_click="ignore")


def room_view(lang: str) -> None:
    """For the facilitator: every question the room answered, as one chart (newest last); the handouts to print;
    the room's export and reset."""
    with st.expander(texts.t("room_title", lang)):
        room = session.server().guesses
        rows = [(story.question_label(q, sidebar.lens(), lang), room.tally(q)) for q in room.questions()[-8:]]
        if rows:
            w.chart("room", charts.room_guesses, rows, lang)
        else:
            st.caption(texts.t("room_empty", lang))
        handouts(sidebar.values()["lens"], lang)
        facilitator(lang)


def handouts(lens: str, lang: str) -> None:
    """The printable handouts (ui/handout.py): this lens and language, or all six; their QR codes open the app at
    its public address (``WUJI_PUBLIC_URL``, else the address this browser uses). Made when clicked."""
    base = handout.base_url(state.public_base(st.context.url or ""))
    st.markdown(f"**{texts.t('ho_title_app', lang)}**")
    st.caption(texts.t("ho_help", lang, address=base))
    if handout.is_local(base):
        st.caption(texts.t("join_local", lang, var=state.PUBLIC_URL))
    left, right = st.columns(2)
    with left:
        st.download_button(texts.t("ho_download", lang), functools.partial(handout.build, lens, lang, base),
                           key="ho_download", file_name=handout.filename(lens, lang), mime="text/html",
                           on_click="ignore")
    with right:
        st.download_button(texts.t("ho_download_all", lang), functools.partial(handout.zipped, base),
                           key="ho_download_all", file_name="wuji-handouts.zip", mime="application/zip",
                           on_click="ignore")


def _reset(lang: str) -> None:
    st.toast(texts.t("fac_done", lang, n=sum(session.server().room.reset().values())))


def facilitator(lang: str) -> None:
    """The room's state as CSV, and a reset (ticked first): behind the room password when the server has one."""
    if sidebar.has_password():
        typed = st.text_input(texts.t("fac_password", lang), type="password", key="fac_password")
        if not sidebar.right_password(typed):
            st.caption(texts.t("fac_locked", lang))
            return
    db = session.server().room
    n = sum(db.counts().values())
    left, right = st.columns(2)
    with left:
        st.download_button(texts.t("fac_export", lang), db.export_csv, key="fac_export", file_name="wuji-room.csv",
                           mime="text/csv", on_click="ignore")
    with right:
        sure = st.checkbox(texts.t("fac_sure", lang, n=n), key="fac_sure")
        st.button(texts.t("fac_reset", lang), key="fac_reset", disabled=not sure, on_click=_reset, args=(lang,))
