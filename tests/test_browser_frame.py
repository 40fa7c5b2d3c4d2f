"""Real Chromium against a fresh server: a deep link is the first request, so Streamlit runs the page script
without app.py (its v1 ``pages/`` mode: see ui/frame.py). The page draws the app's frame itself: the whole
sidebar, the page list with the app's own titles, the language switch, and a click on the page that lands.
The server log must hold no traceback.
"""

from __future__ import annotations

import pytest
from live import idle, shoot
from playwright.sync_api import expect

from ui import frame, texts

pytestmark = pytest.mark.browser

SLOW = 120_000  # ms


def test_a_deep_link_to_a_fresh_server_shows_the_whole_app(fresh_server, page, artifacts_dir, tmp_path):
    page.goto(f"{fresh_server}/tour?lang=en&step=2", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=texts.t("page_tour", "en"), exact=True)).to_be_visible(timeout=SLOW)
    idle(page, SLOW, 500)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(texts.t("sb_lang", "en"))).to_be_visible()
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    expect(links).to_have_count(len(frame.PAGES))
    titles = [t.split("\n")[-1] for t in links.all_inner_texts()]  # the icon's ligature comes first
    assert titles == [texts.t(title, "en") for _, title, _ in frame.PAGES]
    shoot(page, artifacts_dir / "deep-link-fresh.png")

    page.get_by_role("button", name=texts.t("tour_next", "en")).click()  # a click on the deep-linked page
    page.wait_for_url("**step=3**", timeout=SLOW)
    idle(page, SLOW, 300)
    sidebar.get_by_text("中文", exact=True).click()  # the language switch of the frame the page drew
    expect(page.get_by_role("heading", name=texts.t("page_tour", "zh"), exact=True)).to_be_visible(timeout=SLOW)
    page.wait_for_url("**lang=zh**", timeout=SLOW)
    assert "step=3" in page.url, "the click and the switch both kept"
    expect(page.get_by_test_id("stSidebarNav").get_by_text(texts.t("page_rlhf", "zh"))).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
