"""Forty participants on one server (tests/loadtest.py): nothing fails, nothing is trained twice.

Timings (p50/p95 of cached answers, time to a fresh run) are reported in test-artifacts/load.json and
in the README, never asserted: this machine is shared. What must hold whatever the load is asserted."""

import json

from loadtest import fresh_plan, load_test, verdicts


def test_forty_participants_get_answers_and_share_the_trainings(wuji_cache, artifacts_dir):
    report = load_test(40, wuji_cache, log=artifacts_dir / "load-server.log")
    report["verdicts"] = verdicts(report)
    (artifacts_dir / "load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    assert report["errors"] == 0 and report["dropped"] == 0, report["messages"]
    fresh = [kl for kl in fresh_plan(40) if kl is not None]
    assert report["cached_answers"] >= 40 * 2, "every participant got the page and at least one slider move"
    assert report["fresh_runs_waited"] == len(fresh), "every participant who asked for a new run saw it finish"
    assert report["trainings_started"] == report["fresh_settings"] == len(set(fresh)) == 2, (
        "single flight: five participants asked for two new settings, and the server trained two runs"
    )
    assert report["peak_rss_mib"] <= 2048, "the server stays under 2 GiB"
