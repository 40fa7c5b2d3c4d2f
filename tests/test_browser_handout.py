"""The printable handout (ui/handout.py, issue 15) in real Chromium: every lens and language prints to exactly one
A4 page (``page.pdf``, the page size from the handout's own ``@page``), and, laid out for print, nothing runs past
the page's width or out of its card, no text is below 4.5:1 (``pagecheck.contrast``), and no text is of the other
language (``pagecheck.foreign``; the printed links are in <code>, in no language). The PDFs and a picture of each
page land in test-artifacts/; docs/workshop.md shows the Chinese wuxia one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pagecheck import contrast, foreign

from ui import handout, state

DOCS = Path(__file__).resolve().parent.parent / "docs"
BASE = "http://192.168.1.20:8501"
A4_PT = (595.28, 841.89)  # 210 x 297 mm in PDF points
PRINT_PX = (703, 1047)  # the printable area at 96 px an inch: A4 less the @page margins (12 mm, 10 mm)
VARIANTS = [(lens, lang) for lang in state.LANGS for lens in state.LENSES]

# What spills: an element wider than the page, or a card whose text runs out of it.
SPILLS_JS = r"""
() => {
  const out = [];
  const right = document.querySelector("main").getBoundingClientRect().right;
  document.querySelectorAll("main *").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > right + 1)
      out.push({what: "past the page", tag: el.tagName, text: el.textContent.slice(0, 40)});
  });
  document.querySelectorAll(".card").forEach((el) => {
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      out.push({what: "out of its card", text: el.textContent.slice(0, 40)});
  });
  return out;
}
"""


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The (width, height) in points of every page of a PDF as Chromium writes it (page objects in the clear)."""
    boxes = re.findall(rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf, re.S)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.parametrize(("lens", "lang"), VARIANTS)
def test_each_handout_prints_to_one_a4_page_readable_and_in_one_language(browser, artifacts_dir, tmp_path, lens,
                                                                         lang):
    name = handout.filename(lens, lang)
    (tmp_path / name).write_text(handout.build(lens, lang, BASE), encoding="utf-8")
    context = browser.new_context(viewport={"width": PRINT_PX[0], "height": PRINT_PX[1]}, locale="en-US")
    page = context.new_page()
    try:
        page.goto((tmp_path / name).as_uri())
        page.emulate_media(media="print")
        page.wait_for_function("document.fonts.status === 'loaded'")
        assert page.evaluate(SPILLS_JS) == []
        assert contrast(page) == []
        assert foreign(page, lang) == []
        page.screenshot(path=str(artifacts_dir / name.replace(".html", ".png")), full_page=True)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    (artifacts_dir / name.replace(".html", ".pdf")).write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert len(pages) == 1, f"{name} prints on {len(pages)} pages"
    assert pages[0] == pytest.approx(A4_PT, abs=1.0), f"{name}: {pages[0]} pt is not A4"
    if (lens, lang) == ("wuxia", "zh"):
        shutil.copyfile(artifacts_dir / name.replace(".html", ".png"), DOCS / "handout-wuxia-zh.png")
