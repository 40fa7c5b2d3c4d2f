"""The room on their phones (issue 15) under AppTest and as pure functions: the presenter's tour leads, a phone's
/join page follows and votes, the projector counts the votes; the join link and its QR code; the facilitator's
export and reset behind the room password. Results come from the prepared cache (conftest.wuji_cache)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_handson import open_page

from sim.server import forget
from sim.world import World
from ui import join, session, story, texts

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


@pytest.fixture(autouse=True)
def fresh_room(wuji_cache):
    """A fresh server state over the prepared cache, and an empty room."""
    forget(session.cache())
    session.server().room.reset()
    yield
    session.server().room.reset()


def keys(at: AppTest, kind: str) -> list[str]:
    return [e.key for e in at.get(kind)]


def shown(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def test_a_phone_waits_until_a_presenter_opens_the_tour():
    phone = open_page("join")
    assert texts.t("join_wait", "en") in shown(phone)
    open_page("tour", step="3")  # not in presenter mode: phones do not follow a participant's own tour
    assert texts.t("join_wait", "en") in shown(phone.run())


def test_phones_follow_the_presenter_vote_and_the_projector_counts_them():
    presenter = open_page("tour", present="1", step="5", kl="0", bias="0.9")
    assert session.server().room.presenter()["step"] == 5
    phone, other = open_page("join"), open_page("join")
    assert texts.t("join_no_question", "en") in shown(phone)
    presenter.button(key="tour_next").click().run()
    question = texts.question("capability", "wuxia", "en", bias=0.9, kl=0.0)
    phone.run()
    assert question in shown(phone) and "in the room guessed" not in shown(phone), "the tally after one's own vote"
    phone.button(key="join_down").click().run()
    other.run().button(key="join_up").click().run()
    phone.button(key="join_flat").click().run()  # a changed vote counts once
    qid = story.question_id("capability", presenter.session_state["values"])
    assert session.server().guesses.tally(qid) == {"up": 1, "flat": 1, "down": 0}
    assert "2 in the room guessed this one: rise 1 · hold 1 · fall 0" in shown(phone.run())
    assert "2 in the room guessed this one: rise 1 · hold 1 · fall 0" in shown(presenter.run()), "the projector"
    assert phone.button(key="join_flat").proto.type == "primary", "the phone's own vote is marked"
    presenter.button(key="tour_next").click().run()
    assert texts.t("join_no_question", "en") in shown(phone.run()) and question not in shown(phone)


def test_a_phone_ranks_a_pair_in_the_presenters_world():
    open_page("tour", present="1", step="4", lang="en")
    phone = open_page("join")
    phone.button(key="join_judge_start").click().run()
    assert not phone.exception, [e.value for e in phone.exception]
    phone.button(key="join_pick_a").click().run()
    rankings = session.server().pool.rankings(World("en", 0))
    assert [(r.who, r.choice) for r in rankings] == [(phone.session_state["person"], "a")]
    pool = "Rankings in the room: 1 (yours: 1; “can't tell”: 0), from 1 participant."  # one: the singular
    assert any(pool in c.value for c in phone.caption), [c.value for c in phone.caption]


@pytest.mark.parametrize("raw, kept", [
    ("0123456789abcdef0123456789abcdef", True),
    (None, False), (12345, False), ("", False), ("0123456789ABCDEF0123456789ABCDEF", False),
    ("0123456789abcdef", False), ("0123456789abcdef0123456789abcdef'; alert(1); '", False),
])
def test_a_browsers_cookie_is_read_back_only_when_it_is_one_of_our_keys(raw, kept):
    """The key goes back into the cookie by JavaScript (ui/session.py ``remember``): anything else is replaced."""
    assert session.carried_person(raw) == (raw if kept else None)


def test_the_join_link_sits_beside_the_presenters_page_or_at_the_public_address(monkeypatch):
    monkeypatch.delenv(join.PUBLIC_URL, raising=False)
    assert join.join_url("http://10.0.0.5:8501/tour", "zh") == "http://10.0.0.5:8501/join?lang=zh"
    assert join.join_url("https://example.org/wuji/tour", "en") == "https://example.org/wuji/join?lang=en"
    monkeypatch.setenv(join.PUBLIC_URL, "http://192.168.1.20:8501/")
    assert join.join_url("http://localhost:8501/tour", "en") == "http://192.168.1.20:8501/join?lang=en"


def test_the_qr_code_is_a_png_large_enough_for_a_projector():
    png = join.qr_png("http://192.168.1.20:8501/join?lang=en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width == height >= 29 * join.QR_SCALE, "at least a version-3 code at 12 px a module"


def test_the_facilitator_exports_and_resets_the_room_behind_the_room_password(monkeypatch):
    monkeypatch.setenv("WUJI_PASSWORD", "jiuyang")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    at.text_input(key="password").input("jiuyang").run()
    at.switch_page("pages/tour.py").run()
    session.server().guesses.vote("capability@bias=0.9", "ann", "up")
    at.run()
    assert "fac_export" not in keys(at, "download_button") and not at.checkbox, "locked"
    assert texts.t("fac_locked", "en") in shown(at)
    at.text_input(key="fac_password").input("wrong").run()
    assert not at.checkbox
    at.text_input(key="fac_password").input("jiuyang").run()
    assert "fac_export" in keys(at, "download_button")
    assert at.button(key="fac_reset").disabled, "a reset is ticked first"
    at.checkbox(key="fac_sure").check().run()
    at.button(key="fac_reset").click().run()
    assert not at.exception and sum(session.server().room.counts().values()) == 0
