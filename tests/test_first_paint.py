"""The home page paints before PyTorch loads: checked in a fresh process, and timed in a real browser.

The time is a measurement (written to test-artifacts/first_paint.json and quoted in the README),
never an assertion: this machine is shared and noisy.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TITLE_ZH = "无忌 · Wuji — RLHF 练功场"


def test_home_runs_without_importing_torch_or_transformers(tmp_path):
    code = (
        "import os, sys; from streamlit.testing.v1 import AppTest; "
        "at = AppTest.from_file('app.py', default_timeout=60).run(); "
        "print(not at.exception, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    env = {"WUJI_CACHE_DIR": str(tmp_path), "WUJI_PRESET": "fast", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "False", "False"], out.stderr[-2000:]


@pytest.mark.browser
def test_time_to_first_paint_of_home(fresh_server, page, artifacts_dir):
    t0 = time.perf_counter()
    page.goto(fresh_server)
    page.get_by_role("heading", name=TITLE_ZH).wait_for(timeout=30_000)
    seconds = time.perf_counter() - t0
    assert page.locator('[data-testid="stException"]').count() == 0
    (artifacts_dir / "first_paint.json").write_text(json.dumps({"home_title_visible_s": seconds}))
    page.screenshot(path=str(artifacts_dir / "first_paint.png"))
