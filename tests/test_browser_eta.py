"""Real Chromium against a fresh server: the time the home page promises for a run is measured, and kept.

A fresh server knows nothing of its speed, so it first measures it (sim/speed.py: a few steps of every stage)
and says so; then the page promises a time. The test presses Train and times the run until the last stage is
in the cache: the promise must be within 30% of it (issue 12). While the run trains, the page says how long is
left. The figures land in test-artifacts/eta.json.

The server trains with the app's own thread count (every core: ``WUJI_THREADS`` unset), not the one thread of the
suite's other servers: this test runs last (tests/conftest.py, ``TIMED_LAST``), alone on the machine as a room's
server is. Measured one after the other on this 2-core machine (2026-12-04): the run took 84 s at two threads, 95 s
at one.

It trains the ``tiny`` preset: the speed book, its calibration and the promise are the same code for every preset
(a stage's rate is keyed by its shapes), and the tiny journey lasts about 30 s where the fast one lasted 84-170 s,
the largest single cost of the suite's last minutes (docs/testing.md). Three runs alone here (2026-12-04):
promised 30, 27 and 36 s; took 28.1, 27.6 and 30.2 s; at the end of two fresh clones' `make test`, 18 s for 21.3 s
and 19 s for 23.0 s. The spread is the calibration's, not the preset's: the fast preset at 200 pretraining steps,
alone, was promised 65 and 86 s for 71.1 and 70.8 s.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from live import idle, serve, shoot
from playwright.sync_api import expect

from sim.cache import Cache, stage_keys
from sim.config import STAGES, preset
from ui import texts

pytestmark = pytest.mark.browser

SLOW = 300_000  # ms
PROMISE = re.compile(r"about (\d+) s|about ([\d.]+) min")


def promised_seconds(text: str) -> float:
    m = PROMISE.search(text)
    assert m, text
    return float(m.group(1)) if m.group(1) else 60 * float(m.group(2))


@pytest.fixture()
def fresh_server(tmp_path):
    """conftest's fresh server (an empty cache), training as the app does by default: on every core; the tiny preset."""
    with serve(tmp_path / "cache", tmp_path / "server.log", {"WUJI_THREADS": "", "WUJI_PRESET": "tiny"}) as base_url:
        yield base_url


def test_a_fresh_server_measures_itself_and_keeps_its_time_promise(fresh_server, page, artifacts_dir, tmp_path):
    page.goto(f"{fresh_server}/?lang=en", wait_until="domcontentloaded")
    info = page.get_by_text(re.compile(r"have not been trained yet"))
    expect(info).to_be_visible(timeout=SLOW)
    expect(info).to_contain_text(PROMISE, timeout=SLOW)  # once the server has measured its speed
    idle(page, SLOW, 300)
    promise = promised_seconds(info.inner_text())

    cfg = preset("tiny", lang="en")
    cache, keys = Cache(tmp_path / "cache"), stage_keys(cfg)
    page.get_by_role("button", name=texts.t("train_journey", "en"), exact=True).click()
    t0 = time.monotonic()
    expect(page.get_by_text(re.compile(r"Training: .* left\)"))).to_be_visible(timeout=SLOW)
    live = page.get_by_text(re.compile(r"Training: .* left\)")).first.inner_text()
    while not all(cache.path(s, keys[s]) is not None and (cache.path(s, keys[s]) / "manifest.json").exists()
                  for s in STAGES):
        assert time.monotonic() - t0 < SLOW / 1000, "the run did not finish"
        time.sleep(0.25)
    real = time.monotonic() - t0
    shoot(page, artifacts_dir / "eta-done.png")
    (artifacts_dir / "eta.json").write_text(json.dumps({"promised_s": promise, "real_s": real, "live": live}))
    assert abs(promise - real) <= 0.3 * real, f"promised {promise:.0f} s, the run took {real:.0f} s"
