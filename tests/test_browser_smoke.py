"""Real-browser smoke test: the app loads in Chromium and shows its title without an exception."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TITLE = "Wuji · 无忌 — RLHF playground"


def test_home_renders_in_chromium(streamlit_server, page, artifacts_dir):
    response = page.goto(f"{streamlit_server}/?lang=en", wait_until="domcontentloaded")
    assert response is not None and response.ok, f"GET {streamlit_server} failed: {response}"

    title = page.get_by_role("heading", name=TITLE)
    expect(title).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Watch a tiny language model grow up live")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    shot = artifacts_dir / "home-en.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
