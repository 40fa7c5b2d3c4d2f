"""Real Chromium on the playground: play runs as a job on the server's Board and the page polls it; pause stops
the job and nothing moves after it; a step goes on from where the pause left off.
"""

from __future__ import annotations

import re

import pytest
from live import idle, shoot
from playwright.sync_api import Page

from ui import texts

pytestmark = pytest.mark.browser

SLOW = 120_000  # ms: loading torch and the cached models on a shared machine


def t(key: str) -> str:
    return texts.t(key, "en")


def judges_step(page: Page) -> int:
    """The reward model's step, from its progress bar ("The judges · Reward model: step 36 / 200")."""
    bar = page.locator('[data-testid="stProgress"]').filter(has_text=re.compile(r"Reward model: step \d+"))
    return int(re.search(r"step (\d+) /", bar.inner_text()).group(1))


def test_play_pause_and_step_in_chromium(streamlit_server, page, artifacts_dir):
    page.goto(f"{streamlit_server}/playground?lang=en", wait_until="domcontentloaded")
    page.get_by_role("heading", name=t("page_playground")).wait_for(timeout=SLOW)
    idle(page, SLOW, 300)
    page.get_by_text(t("pg_start_reward")).click()
    idle(page, SLOW, 300)
    page.get_by_role("button", name=t("pg_new")).click()
    page.get_by_text(t("pg_paused")).wait_for(timeout=SLOW)
    assert judges_step(page) == 0
    page.get_by_role("button", name=re.compile(t("pg_play"))).click()
    page.get_by_text(t("pg_playing")).wait_for(timeout=SLOW)
    page.wait_for_function(
        "() => /Reward model: step ([3-9]|\\d\\d+) \\//.test(document.body.innerText)", timeout=SLOW
    )
    page.get_by_role("button", name=re.compile(t("pg_pause"))).click()
    page.get_by_text(t("pg_paused")).wait_for(timeout=SLOW)
    idle(page, SLOW, 500)
    paused = judges_step(page)
    assert paused >= 3
    page.wait_for_timeout(2000)  # were the job still training, the next step would land further on
    page.get_by_role("button", name=re.compile(t("pg_step"))).first.click()
    page.wait_for_function(  # paused: nothing moved and nothing was lost; a step goes on from there
        f"() => document.body.innerText.includes('Reward model: step {paused + 1} /')", timeout=SLOW
    )
    idle(page, SLOW, 300)
    assert judges_step(page) == paused + 1
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, artifacts_dir / "playground-paused.png")
