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
    """The page run never imports torch or transformers. On a fresh server the home page asks the Board to
    measure the server's speed (sim/speed.py), so torch may load meanwhile, but only in a Board worker thread
    (``wuji-job-…``): an audit hook names the thread of every such import."""
    code = (
        "import sys, threading; seen = []\n"
        "def hook(event, args):\n"
        "    if event == 'import' and args[0] in ('torch', 'transformers'):\n"
        "        seen.append(args[0] + '@' + threading.current_thread().name)\n"
        "sys.addaudithook(hook)\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "print(not at.exception, sorted({s.split('@')[0] for s in seen if 'wuji-job-' not in s}) or 'none')"
    )
    env = {"WUJI_CACHE_DIR": str(tmp_path), "WUJI_PRESET": "fast", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "none"], out.stderr[-2000:]


@pytest.mark.browser
def test_time_to_first_paint_of_home(fresh_server, page, artifacts_dir):
    t0 = time.perf_counter()
    page.goto(fresh_server)
    page.get_by_role("heading", name=TITLE_ZH).wait_for(timeout=30_000)
    seconds = time.perf_counter() - t0
    assert page.locator('[data-testid="stException"]').count() == 0
    (artifacts_dir / "first_paint.json").write_text(json.dumps({"home_title_visible_s": seconds}))
    page.screenshot(path=str(artifacts_dir / "first_paint.png"))
