"""Real Chromium against `streamlit run app.py`: the trade-off explorer over a small grid of the prepared cache
draws its map, and a slider move answers from the cache. The screenshot lands in test-artifacts/explorer.png.
"""

from __future__ import annotations

import re
import time

import pytest
from live import server, shoot
from playwright.sync_api import expect
from test_browser_app import SLOW, settle, visit

from sim import sweep
from sim.cache import Cache, cached_result
from sim.config import preset
from ui import texts, tradeoff

pytestmark = pytest.mark.browser
TINY = "kl=0,0.1;bias=0,0.9;seeds=0"  # the four zh runs of conftest.TEST_RUNS


@pytest.fixture(scope="module")
def explorer_server(tmp_path_factory, wuji_cache):
    log = tmp_path_factory.mktemp("explorer") / "server.log"
    with server(wuji_cache, log, env={"WUJI_EXPLORER_GRID": TINY}) as srv:
        yield srv.url


def test_explorer_draws_the_map_and_a_slider_answers_from_the_cache(explorer_server, page, artifacts_dir, wuji_cache):
    visit(page, explorer_server, "explorer?lang=zh&bias=0.9&kl=0", texts.t("page_explorer", "zh"))
    expect(page.get_by_text(texts.t("ex_done", "zh"))).to_be_visible(timeout=SLOW)
    expect(page.locator(".js-plotly-plot")).to_have_count(3, timeout=SLOW)
    for key in ("ch_frontier", "ch_overopt"):
        expect(page.get_by_text(texts.t(key, "zh")).first).to_be_visible()
    expect(page.get_by_text("缰绳 0：1 个世界").first).to_be_visible()
    # the frontier's panel says what the sidebar's world (seed 0) became at this setting, from that run's numbers
    cfg = preset("fast", lang="zh", kl_coef=0.0, reward_bias=0.9)
    rows = [sweep.summary(cfg, cached_result(cfg, Cache(wuji_cache)))]
    said = tradeoff.frontier_numbers(rows, 0.0, 0.9, 0, "wuxia", "zh")["state"]
    assert said.startswith("在第 0 个世界里：")
    expect(page.get_by_text(said).first).to_be_visible()
    kl = page.locator('[data-testid="stSlider"]').filter(has_text=texts.t("kl_slider", "zh")).locator(
        "input[type=range]")
    assert kl.get_attribute("aria-valuetext") == "0.0"
    kl.focus()
    t0 = time.monotonic()
    page.keyboard.press("End")  # 0.1: cached, so the page answers at once
    page.wait_for_url(re.compile(r"[?&]kl=0\.1(&|$)"), timeout=SLOW)
    expect(page.get_by_text("缰绳 0.1：1 个世界").first).to_be_visible(timeout=SLOW)
    assert time.monotonic() - t0 < 10, "a cached setting redraws without training"
    settle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_role("button", name=texts.t("stop", "zh"))).to_have_count(0)
    shoot(page, artifacts_dir / "explorer.png")
