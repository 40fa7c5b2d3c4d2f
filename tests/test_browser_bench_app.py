"""The bench's app rows (sim/bench_app.py) run for real: a fresh `streamlit run app.py`, Debian's Chromium pressing
Train on the RLHF page, the command line's PPO reruns beside it, and a second visitor loading a cached page while the
app trains. No speed is asserted (only the bench judges speed): the rows must be measured, and the server's log clean.
"""

from __future__ import annotations

import math
import shutil

import pytest
from live import tracebacks

from sim import bench, bench_app
from sim.cache import Cache, is_cached

pytestmark = pytest.mark.browser


def test_the_bench_presses_train_in_the_app_and_times_it_against_the_command_line(wuji_cache, browser, tmp_path):
    root = tmp_path / "cache"
    shutil.copytree(wuji_cache, root, ignore=shutil.ignore_patterns("room.sqlite*", ".tmp-*"))
    # seed 0's earlier stages are the prepared cache's; one rerun round of the bench's two
    doc = bench_app.compare(root, journey=False, seed=0, browser=browser, rounds=1)

    assert "skipped" not in doc, doc  # CI has Chromium and Playwright: the rows must run
    for key in ("rerun_cli_s", "rerun_app_s", "rerun_ratio", "rerun_loaded_s", "cached_p50_s", "cached_p95_s"):
        assert isinstance(doc[key], float) and math.isfinite(doc[key]) and doc[key] > 0, key
    assert doc["cached_page_s"], "the second visitor opened the cached page at least once while the app trained"
    for cli_kl, app_kl in (bench_app.RERUN_KL[0], (None, bench_app.RERUN_LOADED_KL)):
        for kl in (cli_kl, app_kl):  # every rerun, on either side, ended in the cache
            assert kl is None or is_cached(bench_app.config(0, kl), Cache(root)), kl
    assert tracebacks(root / "app-server.log") == []

    lines = bench._app_lines(doc, {k: {"target": "", "pass": None} for k in ("journey_ratio", "rerun_ratio",
                                                                               "cached_p95_s")})
    assert f"{doc['rerun_app_s']:.1f} / {doc['rerun_cli_s']:.1f} s" in "\n".join(lines)
