"""Headless AppTest smoke test: app.py routes to the home page."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_app_runs_and_shows_title():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Wuji · 无忌 — RLHF playground"]
    assert any("语言模型" in m.value for m in at.markdown)
