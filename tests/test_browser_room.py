"""Real Chromium against `streamlit run app.py`: the room as annotators. A scripted participant ranks twenty
pairs of the model's own answers by flattery alone (more flattering phrases wins), retrains the judges on
the room's rankings, and the reward model's liking for flattery rises above the simulated panel's.
The figures land in test-artifacts/room.json and a screenshot in test-artifacts/room.png.
"""

from __future__ import annotations

import json
import re

import pytest
from live import idle
from playwright.sync_api import Page, expect

from sim.world import CHAT
from ui import texts

pytestmark = pytest.mark.browser

SLOW = 180_000  # ms: loading torch and the cached models, then a retraining on a shared machine
FLATTERY = [f.strip() for f in CHAT["en"]["flattery"]]


def t(key: str, **kw) -> str:
    return texts.t(key, "en", **kw)


def answer(page: Page, side: str) -> str:
    return page.locator(f".st-key-rank_{side} [data-testid='stText']").inner_text()


def rankings(page: Page) -> int:
    caption = page.get_by_text(re.compile(r"Rankings in the room: \d+")).inner_text()
    return int(re.search(r"Rankings in the room: (\d+)", caption).group(1))


def test_a_participant_who_ranks_by_flattery_teaches_the_judges_to_love_it(streamlit_server, page, artifacts_dir):
    page.goto(f"{streamlit_server}/rlhf?lang=en", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=t("rm_title"))).to_be_visible(timeout=SLOW)
    idle(page, SLOW)
    page.get_by_text(t("rm_join"), exact=True).click()
    expect(page.locator(".st-key-rank_a [data-testid='stText']")).to_be_visible(timeout=SLOW)
    decisive, seen = 0, 0
    while decisive < 20:
        assert seen < 80, "twenty pairs that differ in flattery should come within eighty"
        before = rankings(page)
        a, b = (sum(answer(page, side).count(f) for f in FLATTERY) for side in ("a", "b"))
        choice = "rm_pick_a" if a > b else "rm_pick_b" if b > a else "rm_tie"
        page.get_by_role("button", name=t(choice), exact=True).click()
        expect(page.get_by_text(re.compile(rf"Rankings in the room: {before + 1} "))).to_be_visible(timeout=SLOW)
        decisive += choice != "rm_tie"
        seen += 1
    page.get_by_text(t("rm_replace"), exact=True).click()
    idle(page, SLOW)
    page.get_by_role("button", name=t("rm_retrain"), exact=True).click()
    effect = page.get_by_text(re.compile("Judges' liking for flattery: simulated panel"))
    expect(effect).to_be_visible(timeout=SLOW)
    numbers = [int(x) for x in re.findall(r"(\d+)%", effect.inner_text())]
    panel, room, flat0, flat1 = numbers[:4]
    (artifacts_dir / "room.json").write_text(json.dumps({
        "pairs_seen": seen, "ranked_by_flattery": decisive, "flattery_pref_panel": panel / 100,
        "flattery_pref_room": room / 100, "ppo_flattery_start": flat0 / 100, "ppo_flattery_final": flat1 / 100}))
    page.screenshot(path=str(artifacts_dir / "room.png"), full_page=True)
    # Twenty flattering choices move the judge's liking for flattery far from the panel's. How far depends on which
    # pairs the page drew (they follow the visitor): retrained offline on 20 draws of 20 such rankings (en, seed 0,
    # fast preset, 2026-12-03) it went 0.00 -> 0.62-0.94, and in this test 0.00 -> 0.78 and 0.00 -> 0.42 (an
    # AVX2 CPU): "most probe pairs" (>= 50 %) failed one of those two, so the test asks for a move of 25 points.
    assert room >= panel + 25, effect.inner_text()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
