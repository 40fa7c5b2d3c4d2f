"""What a room sees, in real Chromium over the prepared runs (issue 12 items 3, 7, 8, 9): every page in both
languages, the plain view and presenter mode's two themes, at 1280, 1400 and 1920 px. On each: no text below 4.5:1
(``pagecheck.contrast``), no help icon or switch below 3:1 (``pagecheck.controls``), no chart label on another or
cut at the chart's edge (``pagecheck.overlaps``), no text of the other language (``pagecheck.foreign``):
``live.findings``.

One walk a (language, view), each at one of the three widths, so that every width is walked in the plain view
and in presenter mode, and all the checks run on every page load (one server, one page a walk). The tour's steps
are checked the same way where test_browser_tour.py walks them with the keyboard (Chinese plain view at 1920 px,
English presenter dark at 1280 px): walked here too, they were 32 more page loads, the largest share of this file.
In the plain view every page that charts (``CHARTED``) shows a chart and its lens's analogy panel, in both
languages. The language check holds on the pretraining page too, whose untrained model's samples come from the
page language's own vocabulary (issue 12 item 8; sim/world.py, a vocabulary a language).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from live import drawn, findings

from ui import texts

PAGES = ["", "pretrain", "sft", "rlhf", "playground", "timeline", "explorer", "challenges"]
VIEWS = {"light": {}, "present-light": {"present": "1", "theme": "light"},
         "present-dark": {"present": "1", "theme": "dark"}}
WALKS = [  # (lang, view, width)
    ("en", "light", 1280), ("en", "present-light", 1400), ("en", "present-dark", 1920),
    ("zh", "light", 1920), ("zh", "present-light", 1280), ("zh", "present-dark", 1400),
]


def url(base: str, page: str, lang: str, view: str) -> str:
    return f"{base}/{page}?{urlencode({'lang': lang, 'lens': 'wuxia', **VIEWS[view]})}"


# The pages that draw a chart and their lens's analogy panel in the plain view (checked on each walk of it).
CHARTED = {"", "pretrain", "sft", "rlhf", "explorer", "challenges"}


@pytest.mark.parametrize(("lang", "view", "width"), WALKS, ids=[f"{a}-{b}-{c}" for a, b, c in WALKS])
def test_every_page_is_readable_unclipped_and_in_one_language(streamlit_server, browser, lang, view, width):
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="en-US")
    page = context.new_page()
    found = {}
    try:
        for name in PAGES:
            page.goto(url(streamlit_server, name, lang, view), wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            drawn(page, 120_000)
            assert page.locator('[data-testid="stException"]').count() == 0, f"{name or 'home'}: an exception"
            if view == "light" and name in CHARTED:
                page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a chart, once its run is read
                assert page.get_by_text(texts.lens_title("wuxia", lang)).first.is_visible(), f"{name}: no lens"
            problems = findings(page, lang)
            if problems:
                found[name or "home"] = problems
    finally:
        context.close()
    assert not found, f"{lang} {view} at {width} px:\n" + "\n".join(f"{p}: {v}" for p, v in found.items())
