"""Real Chromium walks the guided tour in both languages with the keyboard (→ next, ← back), guesses on
the predict-then-see step, checks every step as test_browser_present.py checks the pages (``live.findings``:
contrast, faint controls, chart labels colliding or cut, the other language), saves every step's chart as a PNG
through plotly's own camera button, and screenshots the three steps the README shows (into test-artifacts/ and
docs/; tests/rehearse.py screenshots every step for a person to look at). The two walks differ in language, lens,
view and width (Chinese plain at 1920 px, English presenter dark at 1280 px). Presenter mode's dark theme is
checked for contrast, and the HTML report is downloaded, opened offline and asked for PNGs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from live import drawn, findings, idle, shoot
from playwright.sync_api import Page, expect

from ui import story, texts, theme

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SLOW = 120_000  # ms: the first load of a cached result imports torch and reads the models
PNG = b"\x89PNG\r\n\x1a\n"
WALKS = {  # name -> (lang, lens, extra URL values, the window's width)
    "zh-wuxia": ("zh", "wuxia", {}, 1920),
    "en-work-presenter-dark": ("en", "work", {"present": "1", "theme": "dark"}, 1280),
}
DOCS = {  # one screenshot a stage for the README: (walk, step) -> docs/ name
    ("zh-wuxia", 1): "tour-pretrain-zh.png",
    ("en-work-presenter-dark", 3): "tour-sft-en-presenter.png",
    ("zh-wuxia", 6): "tour-rlhf-predict-zh.png",
}


def save_chart_png(page: Page, path: Path, lang: str) -> None:
    """plotly's camera button renders the chart as a PNG in the browser (no server-side image library); its title
    is in the page's language (ui/charts.py PLOTLY_WORDS)."""
    chart = page.locator(".st-key-tour_False .js-plotly-plot")
    chart.hover()
    with page.expect_download(timeout=30_000) as dl:
        chart.locator(f'.modebar-btn[data-title="{texts.member("plotly", "png", lang)}"]').click()
    dl.value.save_as(path)
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 5_000


def rgb(value: str) -> str:
    """A computed CSS colour, rgb(r, g, b), as #rrggbb."""
    r, g, b = (int(x) for x in re.findall(r"\d+", value)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def css(hex_color: str) -> str:
    """#rrggbb as the browser writes a computed colour."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("walk", list(WALKS))
def test_walk_the_whole_tour_with_the_keyboard(streamlit_server, page, artifacts_dir, walk):
    lang, lens, extra, width = WALKS[walk]
    page.set_viewport_size({"width": width, "height": 1000})
    found = {}
    response = page.goto(f"{streamlit_server}/tour?{urlencode({'lang': lang, 'lens': lens, **extra})}")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=texts.t("page_tour", lang), exact=True)).to_be_visible(timeout=SLOW)
    for number, step in enumerate(story.STEPS, start=1):
        title = texts.step_text(step.key, "title", lens, lang)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=SLOW)
        idle(page, SLOW, 600)
        if step.question:
            expect(page.get_by_text(texts.t("guess_first", lang))).to_be_visible()
            page.get_by_test_id("stRadioGroup").get_by_text(texts.t("guess_down", lang), exact=True).click()
            said = re.escape(texts.catalogue().entry("guess_vs_result").texts[lang, None].split("{")[0])
            expect(page.get_by_text(re.compile(said))).to_be_visible(timeout=SLOW)
        chart = page.locator(".st-key-tour_False .js-plotly-plot")
        expect(chart).to_have_count(1, timeout=SLOW)  # the last step's chart, stale during a rerun, is gone
        expect(chart).to_be_visible()
        expect(page.get_by_text(texts.lens_title(lens, lang)).first).to_be_visible()
        expect(page.get_by_text(texts.step_text(step.key, "do", lens, lang))).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        drawn(page, SLOW)
        problems = findings(page, lang)  # test_browser_present.py's checks, on every step
        if problems:
            found[number] = problems
        name = f"tour-{walk}-{number}-{step.key}"
        if (walk, number) in DOCS:  # the README's screenshots (tests/rehearse.py takes every step's, for a person)
            idle(page, SLOW, 600)
            # before the PNG: plotly's download notice would show
            shoot(page, artifacts_dir / f"{name}.png", max_height=4000, pause_ms=700)
            (ROOT / "docs").mkdir(exist_ok=True)
            shutil.copyfile(artifacts_dir / f"{name}.png", ROOT / "docs" / DOCS[(walk, number)])
        else:
            idle(page, SLOW)
        save_chart_png(page, artifacts_dir / f"{name}-chart.png", lang)
        if number < len(story.STEPS):
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("ArrowRight")
            page.wait_for_url(re.compile(rf"[?&]step={number + 1}(&|$)"), timeout=SLOW)
    assert not found, f"{walk} at {width} px:\n" + "\n".join(f"step {n}: {v}" for n, v in found.items())
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf"[?&]step={len(story.STEPS) - 1}(&|$)"), timeout=SLOW)
    if extra.get("present"):
        expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{16 * theme.SCALE:.0f}px"
        bg = rgb(page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor"))
        fg = rgb(page.evaluate("getComputedStyle(document.querySelector('.stApp .stMarkdown p')).color"))
        assert theme.contrast(fg, bg) >= 7, (fg, bg)
        menu = page.get_by_test_id("stPopover").get_by_role("button")
        menu.click()
        page.get_by_test_id("stPopoverBody").get_by_text(texts.t("theme_light", lang), exact=True).click()
        page.wait_for_url(re.compile(r"[?&]theme=light(&|$)"), timeout=SLOW)
        white = theme.THEMES["light"]["bg"]
        page.wait_for_function(f"getComputedStyle(document.querySelector('.stApp')).backgroundColor === '{css(white)}'")
        if not page.get_by_test_id("stPopoverBody").is_visible():
            menu.click()
        page.get_by_test_id("stPopoverBody").get_by_role("button", name=texts.t("pm_exit", lang)).click()
        expect(page.locator('[data-testid="stSidebar"]')).to_have_count(1, timeout=SLOW)


def test_the_html_report_downloads_and_opens_offline_with_every_chart_as_png(streamlit_server, page, artifacts_dir):
    page.goto(f"{streamlit_server}/tour?lang=en&lens=tech&step=3")
    title = texts.step_text("moves", "title", "tech", "en")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=SLOW)
    idle(page, SLOW, 600)
    with page.expect_download(timeout=SLOW) as dl:
        page.get_by_role("button", name=texts.t("sl_run", "en")).click()
    report = artifacts_dir / "tour-report-en.html"
    dl.value.save_as(report)
    body = report.read_text(encoding="utf-8")
    assert body.count("<section") == len(story.STEPS) and "<script src=" not in body
    assert texts.step_text("moves", "title", "tech", "en") in body
    page.context.set_offline(True)
    page.goto(report.as_uri())
    expect(page.locator(".plotly-graph-div .main-svg").first).to_be_visible(timeout=30_000)
    assert page.locator(".plotly-graph-div").count() == len(story.STEPS)
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.get_by_role("button", name=texts.t("report_png_all", "en")).click()
    page.wait_for_timeout(400 * len(story.STEPS) + 3000)
    assert len(downloads) == len(story.STEPS), [d.suggested_filename for d in downloads]
    first = artifacts_dir / downloads[0].suggested_filename
    downloads[0].save_as(first)
    assert first.read_bytes()[:8] == PNG
    page.context.set_offline(False)
