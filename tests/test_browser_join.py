"""Real Chromium against `streamlit run app.py`: the room on their phones, and a room that survives a restart
(issue 15). The presenter projects the tour in presenter mode with a QR code to ``/join``; ten phone contexts
(390x844, touch) answer its question; the presenter's tally counts all ten; the phone page fits the phone and
passes the contrast, chart-overlap and language checks of tests/test_browser_present.py; a turned page reaches a
phone (the seconds it took go to test-artifacts/join.json: the issue asks for 2 s); a phone that reloads is still
the same participant (its cookie: its vote is marked and a new one replaces it); and the server, killed and
started again over the same database, still counts every vote.
Each server here has its own database file (WUJI_DATABASE_URL), so earlier sessions' votes never count.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from live import server, tracebacks
from pagecheck import contrast, foreign, overlaps
from playwright.sync_api import expect

from ui import texts

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"
SLOW = 120_000  # ms: a page's first run on a shared machine
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2,
         "locale": "en-US"}
QUESTION = {"step": "6", "kl": "0", "bias": "0.9"}  # predict-then-see: a cached setting of the prepared runs
PHONES = 10

# Every control of the phone page, with its box (the touch-target check), and the page's widths.
TARGETS_JS = r"""
() => [...document.querySelectorAll('[data-testid="stMain"] button, [data-testid="stMain"] a[href], '
                                     + '[data-testid="stMain"] input, [data-testid="stMain"] [role="checkbox"]')]
  .filter((e) => e.getBoundingClientRect().width > 0)
  .map((e) => ({text: e.innerText.trim().slice(0, 40), html: e.outerHTML.slice(0, 120),
                w: e.getBoundingClientRect().width,
                h: e.getBoundingClientRect().height}))
"""
WIDTHS_JS = r"""
() => ({inner: window.innerWidth, page: document.documentElement.scrollWidth,
        main: document.querySelector('[data-testid="stMain"]').scrollWidth})
"""


def t(key: str, **kw) -> str:
    return texts.t(key, "en", **kw)


def tally_text(n: int) -> re.Pattern:
    return re.compile(rf"^{n} in the room guessed this one")


def presenter_url(base: str, step: str) -> str:
    return f"{base}/tour?lang=en&present=1&theme=dark&step={step}&kl={QUESTION['kl']}&bias={QUESTION['bias']}"


def clean(log: Path) -> None:
    found = tracebacks(log)
    assert not found, f"the server logged {len(found)} traceback(s); the first:\n{found[0]}"


def fits(phone, lang: str = "en") -> None:
    """The phone page fits a phone: no sidebar, no horizontal scroll, 44 px targets, readable, one language."""
    phone.wait_for_timeout(1500)
    assert phone.locator('[data-testid="stSidebar"]').count() == 0
    widths = phone.evaluate(WIDTHS_JS)
    assert widths["page"] <= widths["inner"] and widths["main"] <= widths["inner"], widths
    small = [b for b in phone.evaluate(TARGETS_JS) if b["h"] < 44 or b["w"] < 44]
    assert small == [], small
    assert (contrast(phone), overlaps(phone), foreign(phone, lang)) == ([], [], [])


def test_ten_phones_answer_the_presenter_and_a_restarted_server_still_counts_them(browser, wuji_cache, tmp_path,
                                                                                  artifacts_dir):
    env = {"WUJI_DATABASE_URL": f"sqlite:///{tmp_path / 'room.sqlite'}"}
    figures = {}
    with server(wuji_cache, tmp_path / "server.log", env) as srv:
        presenter = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        presenter.goto(presenter_url(srv.url, "5"), wait_until="domcontentloaded")
        invite = presenter.get_by_text(re.compile(r"^Join on your phone:")).first
        expect(invite).to_be_visible(timeout=SLOW)
        assert re.fullmatch(r"Join on your phone: 127\.0\.0\.1:\d+/join\?lang=en", invite.inner_text().strip())
        invite.click()
        qr = presenter.locator('[data-testid="stExpander"] [data-testid="stImage"] img').first
        expect(qr).to_be_visible(timeout=SLOW)
        figures["qr_px"] = qr.bounding_box()["width"]
        assert figures["qr_px"] >= 300, "a code to scan from the back of a room"

        phones = [browser.new_context(**PHONE).new_page() for _ in range(PHONES)]
        for phone in phones:
            phone.goto(f"{srv.url}/join?lang=en", wait_until="domcontentloaded")
        first = phones[0]
        expect(first.get_by_text(t("join_no_question"))).to_be_visible(timeout=SLOW)

        # The presenter turns to the question and a phone follows. The 2 s is a speed figure: it is
        # measured here and written to test-artifacts (a timed assertion would fail on a busy 2-core machine).
        question = texts.question("capability", "wuxia", "en", bias=0.9, kl=0.0)
        turned = time.monotonic()
        presenter.get_by_role("button", name=t("tour_next")).click()
        expect(first.get_by_text(question)).to_be_visible(timeout=SLOW)
        figures["follow_s"] = round(time.monotonic() - turned, 2)
        expect(presenter.get_by_text(t("predict_title"))).to_be_visible(timeout=SLOW)

        choices = ["up", "flat", "down"]
        for i, phone in enumerate(phones):
            expect(phone.get_by_text(question)).to_be_visible(timeout=SLOW)
            phone.get_by_role("button", name=t(texts.GUESSES[choices[i % 3]]), exact=True).tap()
            expect(phone.get_by_text(re.compile(r"\d+ in the room guessed this one"))).to_be_visible(timeout=SLOW)
        expect(presenter.get_by_text(tally_text(PHONES))).to_be_visible(timeout=SLOW)
        expect(first.get_by_text(tally_text(PHONES))).to_be_visible(timeout=SLOW)
        assert "rise 4 · hold 3 · fall 3" in presenter.get_by_text(tally_text(PHONES)).inner_text()

        # A phone that reloads is the same participant (its cookie, ui/session.py): its new vote replaces its old
        # one, where a new Streamlit session used to count as an eleventh person.
        kept = {c["name"]: c["value"] for c in first.context.cookies()}.get("wuji_visitor")
        first.reload(wait_until="domcontentloaded")
        expect(first.get_by_text(question)).to_be_visible(timeout=SLOW)
        mine = first.locator('[data-testid="stBaseButton-primary"]')
        expect(mine).to_have_text(t(texts.GUESSES["up"]), timeout=SLOW)  # it knows its earlier vote
        first.get_by_role("button", name=t(texts.GUESSES["down"]), exact=True).tap()
        expect(presenter.get_by_text(re.compile(r"rise 3 · hold 3 · fall 4"))).to_be_visible(timeout=SLOW)
        assert tally_text(PHONES).match(presenter.get_by_text(re.compile(r"rise 3 · hold 3")).inner_text())
        assert kept and {c["name"]: c["value"] for c in first.context.cookies()}["wuji_visitor"] == kept

        fits(first)
        first.screenshot(path=str(artifacts_dir / "join-phone.png"), full_page=True)
        shutil.copyfile(artifacts_dir / "join-phone.png", DOCS / "join-phone-en.png")  # docs/room.md shows it

        # "Let me judge" on the phone: the two answers one under the other, wrapped, and three wide buttons.
        first.get_by_role("button", name=t("join_judge_start")).tap()
        expect(first.locator(".st-key-join_rank_b [data-testid='stText']")).to_be_visible(timeout=SLOW)
        first.get_by_role("button", name=t("rm_pick_a"), exact=True).tap()
        one = re.compile(r"Rankings in the room: 1 \(.*from 1 participant\.")  # one: the singular
        expect(first.get_by_text(one)).to_be_visible(timeout=SLOW)
        fits(first)
        first.screenshot(path=str(artifacts_dir / "join-phone-judge.png"), full_page=True)
        presenter.mouse.move(0, 0)
        presenter.wait_for_timeout(500)
        assert (contrast(presenter), overlaps(presenter)) == ([], []), "the projector's code, link and tally"
        presenter.screenshot(path=str(artifacts_dir / "join-presenter.png"), full_page=True)
        for page in [presenter, *phones]:
            page.context.close()
        clean(tmp_path / "server.log")
        srv.proc.send_signal(signal.SIGKILL)  # killed mid-workshop: no clean shutdown
        srv.proc.wait(timeout=10)

    with server(wuji_cache, tmp_path / "again.log", env) as again:
        presenter = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        presenter.goto(presenter_url(again.url, "6"), wait_until="domcontentloaded")
        expect(presenter.get_by_text(tally_text(PHONES))).to_be_visible(timeout=SLOW)
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(f"{again.url}/join?lang=zh", wait_until="domcontentloaded")  # a phone in Chinese
        expect(phone.get_by_text(texts.question("capability", "wuxia", "zh", bias=0.9, kl=0.0))).to_be_visible(
            timeout=SLOW)
        phone.get_by_role("button", name=texts.t(texts.GUESSES["down"], "zh"), exact=True).tap()
        expect(phone.get_by_text(re.compile(r"全场已有 11 人"))).to_be_visible(timeout=SLOW)
        fits(phone, "zh")
        presenter.context.close()
        phone.context.close()
    clean(tmp_path / "again.log")
    (artifacts_dir / "join.json").write_text(json.dumps(figures))
