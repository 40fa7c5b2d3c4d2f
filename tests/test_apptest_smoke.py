"""Headless AppTest smoke test: app.py routes to the home page, in Chinese by default and in English."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_app_runs_and_shows_title(wuji_cache):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["无忌 · Wuji — RLHF 练功场"]
    assert any("语言模型" in m.value for m in at.markdown)


def test_app_speaks_english_from_the_link(wuji_cache):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Wuji · 无忌 — RLHF playground"]
    assert any("Watch a tiny language model" in m.value for m in at.markdown)
