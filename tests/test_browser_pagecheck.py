"""The facilitator's checks themselves (tests/pagecheck.py), on small pages in real Chromium: each finds what it
must and nothing that a reader sees clearly, so that a finding in a rehearsal means something."""

from __future__ import annotations

from pagecheck import contrast

DARK = "background:#111318;color:#f4f1ea;font:16px sans-serif"
CHIP = "background:rgb(172,172,172);color:#2b2622"  # a character shaded by its drift (ui/narrate.py)


def test_contrast_finds_pale_text_and_judges_a_mark_by_what_lies_under_it(browser):
    page = browser.new_page()
    chips = "".join(f'<span style="{CHIP}">{w}</span>' for w in ("Hi!", "clever", "!", "clever", "clever", "clever"))
    page.set_content(f"""<body style="{DARK}">
      <p style="display:inline-block">✗ {chips}</p>
      <p>plain text on the dark page</p>
      <p style="color:#3a3d44">a grey too dark for the dark page</p>
      <p style="{CHIP}"><span style="color:#f4f1ea">pale on the grey chip</span></p>
    </body>""")
    found = {f["text"] for f in contrast(page)}
    page.close()
    assert "a grey too dark for the dark page" in found and "pale on the grey chip" in found
    # The mark sits on the dark page (light on dark, 16:1); its paragraph's centre lies on a grey chip, where the
    # check used to look, and flagged it.
    assert "✗" not in found and not any(t.startswith(("Hi!", "clever", "plain")) for t in found), found
