"""The printable handout (ui/handout.py, issue 15) in real Chromium: every lens and language prints to exactly one
A4 page (``page.pdf``, the page size from the handout's own ``@page``), and, laid out for print, nothing runs past
the page's width or out of its card, no text is below 4.5:1 (``pagecheck.contrast``), and no text is of the other
language (``pagecheck.foreign``; the printed links are in <code>, in no language). The PDFs and a picture of each
page land in test-artifacts/; docs/workshop.md shows the Chinese wuxia one. On a live server, the tour's facilitator
section downloads the handout of the page's lens and language, and all six, their codes opening that server."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from live import idle
from pagecheck import contrast, foreign
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from ui import handout, state, texts

DOCS = Path(__file__).resolve().parent.parent / "docs"
BASE = "http://192.168.1.20:8501"
A4_PT = (595.28, 841.89)  # 210 x 297 mm in PDF points
PRINT_PX = (703, 1047)  # the printable area at 96 px an inch: A4 less the @page margins (12 mm, 10 mm)
SLOW = 120_000  # ms: the first load of a cached result imports torch and reads the models
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


def download(page, label: str, tries: int = 3):
    """Press a download button and return the download: up to ``tries`` clicks, each once the page is idle, as a
    person clicks again when nothing came. Once in a full run (2026-12-03) a click brought nothing in 120 s; the
    file is made when clicked and belongs to the script run that drew the button, and the page may rerun under the
    click (the leash caption's fragment reruns it when the server's trainings ahead end): presumably that. A button
    that never downloads still fails."""
    for attempt in range(tries):
        idle(page, SLOW, 300)
        try:
            with page.expect_download(timeout=30_000) as got:
                page.get_by_role("button", name=label).click()
            return got.value
        except PlaywrightTimeoutError:
            if attempt == tries - 1:
                raise


def test_the_tours_facilitator_section_downloads_the_handouts_for_this_server(streamlit_server, page, artifacts_dir):
    page.goto(f"{streamlit_server}/tour?lang=zh&lens=tech&step=2")
    expect(page.get_by_role("heading", name=texts.step_text("budget", "title", "tech", "zh"))).to_be_visible(
        timeout=SLOW)
    idle(page, SLOW, 600)
    page.get_by_text(texts.t("room_title", "zh")).click()
    one = download(page, texts.t("ho_download", "zh"))
    assert one.suggested_filename == "wuji-handout-tech-zh.html"
    one.save_as(artifacts_dir / "handout-downloaded.html")
    base = state.public_base(f"{streamlit_server}/tour")
    assert (artifacts_dir / "handout-downloaded.html").read_text(encoding="utf-8") == handout.build("tech", "zh", base)
    download(page, texts.t("ho_download_all", "zh")).save_as(artifacts_dir / "handouts.zip")
    with zipfile.ZipFile(io.BytesIO((artifacts_dir / "handouts.zip").read_bytes())) as z:
        assert sorted(z.namelist()) == sorted(handout.every(base))
