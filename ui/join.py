"""The room on their phones (issue 15), Streamlit glue: the presenter's join code, and the participant's phone
page (``/join``) that follows the presenter.

- The presenter's tour page, in presenter mode, writes the step it shows to the room's database (``lead``), shows a
  QR code and a short link to ``/join`` (``invite``), and the room's live tally of the step's question
  (``live_tally``).
- A phone's page holds only what a participant does: answer the presenter's current question (``follow``), rank
  the two answers of "Let me judge" (``judge``), and see the room's tally once they voted. ``follow`` is a
  fragment that reruns every ``POLL_S`` seconds and reads the presenter's step from the database, so a turned page
  reaches every phone within about that time, whichever server process the phone talks to. Nothing here draws
  from another thread.

The frame gives ``/join`` no sidebar and no page menu (``ui.frame.joining``), and ``ui.theme.PHONE_CSS`` makes
every control at least ``ui.theme.TOUCH_PX`` tall.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from sim import room
from sim.cache import is_cached
from sim.world import World
from ui import frame, ranking, session, state, story, texts
from ui import widgets as w

POLL_S = 1.0  # how often a phone asks which step the presenter is on (the issue asks for 2 s at most)
TALLY_POLL_S = 2.0  # how often the projector redraws the room's tally
PUBLIC_URL = state.PUBLIC_URL  # the address phones reach the server at, when the presenter's browser uses another
QR_SCALE = 12  # pixels a QR module: a short link's code is about 450 px wide


# -- the presenter -------------------------------------------------------------------------------------------
def lead(number: int, values: dict) -> None:
    """The presenter shows tour step ``number`` with these values: phones follow."""
    session.server().room.follow(number, values)


def join_url(page_url: str, lang: str) -> str:
    """The phone page's address beside the presenter's page (``WUJI_PUBLIC_URL`` replaces the address)."""
    return f"{state.public_base(page_url)}/{frame.JOIN}?{urlencode({'lang': lang})}"


def qr_png(url: str) -> bytes:
    """The link as a QR code (black on white, the quiet zone included), a PNG."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=QR_SCALE, border=4, dark="#000000", light="#ffffff")
    return out.getvalue()


def invite(lang: str, expanded: bool) -> None:
    """The QR code and the short link to the phone page, for the projector."""
    url = join_url(st.context.url or "", lang)
    short = url.split("://", 1)[-1]
    with st.expander(texts.t("join_invite", lang, link=short), expanded=expanded):
        code, words = st.columns([2, 3], vertical_alignment="center")
        with code:
            st.image(qr_png(url))
        with words:
            st.markdown(f"### {texts.t('join_scan', lang)}")
            st.markdown(f"## `{short}`")
            if urlsplit(url).hostname in ("localhost", "127.0.0.1", "::1"):
                st.warning(texts.t("join_local", lang, var=PUBLIC_URL))


@st.fragment(run_every=TALLY_POLL_S)
def live_tally(qid: str, lang: str) -> None:
    """The room's answers to the step's question, as they come in (the projector's view)."""
    tally = session.server().guesses.tally(qid)
    st.markdown(f"**{texts.t('room_now', lang, n=sum(tally.values()), **tally)}**")


# -- the phone -----------------------------------------------------------------------------------------------
def _vote(qid: str, choice: str) -> None:
    session.server().guesses.vote(qid, session.person(), choice)


@st.fragment(run_every=POLL_S)
def follow(lang: str) -> None:
    """The presenter's current step and its question, re-read every ``POLL_S`` seconds; the room's tally once this
    phone voted."""
    now = session.server().room.presenter()
    if now is None:
        st.info(texts.t("join_wait", lang))
        return
    values, number = now["settings"], story.clamp(now["step"])
    step, lens = story.step(number), now["settings"].get("lens", "wuxia")
    st.caption(texts.t("join_step", lang, i=number, n=len(story.STEPS),
                       title=texts.step_text(step.key, "title", lens, lang)))
    if not step.question:
        st.info(texts.t("join_no_question", lang))
        return
    qid = story.question_id(step.question, values)
    st.markdown(f"#### {texts.question(step.question, lens, lang, bias=values['bias'], kl=values['kl'])}")
    room_guesses = session.server().guesses
    mine = room_guesses.guess(qid, session.person())
    for choice in room_guesses.choices:
        st.button(texts.t(texts.GUESSES[choice], lang), key=f"join_{choice}", width="stretch",
                  type="primary" if choice == mine else "secondary", on_click=_vote, args=(qid, choice))
    if mine is not None:  # the room's answers only after one's own
        tally = room_guesses.tally(qid)
        st.markdown(f"**{texts.t('room_now', lang, n=sum(tally.values()), **tally)}**")


def judge(lang: str) -> None:
    """'Let me judge' on a phone: one pair of the model's answers over the other, and the room's count."""
    now = session.server().room.presenter()
    st.subheader(texts.t("rm_join", lang))
    if now is None:
        return
    cfg = w.config(now["settings"])
    if not session.JOIN_JUDGE.get(False):
        st.caption(texts.t("join_judge_intro", lang))
        if st.button(texts.t("join_judge_start", lang), key="join_judge_start", width="stretch"):
            session.JOIN_JUDGE.set(True)
            st.rerun()
        return
    pairs(cfg, lang)


@st.fragment
def pairs(cfg, lang: str) -> None:
    """One pair, the answers one under the other, and three wide buttons; a click reruns this fragment only."""
    world = World(cfg.lang, cfg.seed)
    if not is_cached(cfg, session.cache()):
        st.info(texts.t("rm_not_trained", lang))
        return
    pair = ranking.show_pair(cfg, world, lang, lambda: [st.container(), st.container()], "join_rank")
    if pair is None:
        return
    for choice, label in zip(room.CHOICES, ranking.LABELS):
        st.button(texts.t(label, lang), key=f"join_pick_{choice}", width="stretch", on_click=ranking.pick,
                  args=(world, pair, choice))
    s = room.summary(world, session.server().pool.rankings(world), session.person())
    if s["mine"]:
        st.caption(texts.t("rm_pool", lang, n=s["rankings"], people=s["people"], mine=s["mine"], ties=s["ties"]))
