"""Real-browser smoke test: Debian Chromium opens the app and the title renders, Chinese included."""

import pytest

pytestmark = pytest.mark.browser


def test_home_renders_in_chromium(streamlit_server, page, artifacts_dir):
    page.goto(streamlit_server)
    page.get_by_role("heading", name="Wuji · 无忌 — RLHF playground").wait_for(timeout=30_000)
    page.get_by_text("语言模型当场长大").first.wait_for(timeout=10_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)
