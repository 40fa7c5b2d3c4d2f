"""The facilitator's checks themselves (tests/pagecheck.py), on small pages in real Chromium: each finds what it
must and nothing that a reader sees clearly, so that a finding in a rehearsal means something."""

from __future__ import annotations

from pagecheck import contrast, controls, foreign

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


def annotation(text: str, box: str, ink: str, x: int) -> str:
    """A chart's annotation as plotly draws one: a group holding its box (``rect.bg``) and then its text."""
    return (f'<g class="annotation"><g class="annotation-text-g"><rect class="bg" x="{x}" y="10" width="180" '
            f'height="24" style="{box}"></rect><text class="annotation-text" x="{x + 4}" y="28" '
            f'style="fill:{ink};font-size:14px">{text}</text></g></g>')


def test_contrast_reads_a_chart_annotation_on_its_own_box(browser):
    """The explorer's peak label in presenter mode's dark theme: pale text on its white box (found by eye in a
    rehearsal, missed while the check read the page behind the chart)."""
    page = browser.new_page()
    white = "fill:rgb(255,255,255);fill-opacity:0.85"
    page.set_content(f"""<body style="{DARK}"><div><svg class="main-svg" width="800" height="50">
      {annotation("pale on the white box", white, "#f4f1ea", 0)}
      {annotation("dark on the white box", white, "#2b2622", 200)}
      {annotation("pale on a dark box", "fill:#1e2127;fill-opacity:1", "#f4f1ea", 400)}
    </svg></div></body>""")
    found = {f["text"] for f in contrast(page)}
    page.close()
    assert found == {"pale on the white box"}, found


def switch(label: str, track: str, checked: bool = False) -> str:
    """A switch as Streamlit draws one: a hidden input, then the track (holding the knob), then the label."""
    return (f'<div data-testid="stCheckbox"><label><span><input type="checkbox" role="switch"'
            f'{" checked" if checked else ""}></span><div style="width:48px;height:24px;background:{track}">'
            f'<div style="width:18px;height:18px;background:#fbf8f3"></div></div><div>{label}</div></label></div>')


def icon(label: str, stroke: str) -> str:
    return (f'<p>{label}<span data-testid="stTooltipIcon"><button><svg width="24" height="24" style="stroke:{stroke}">'
            '<circle cx="12" cy="12" r="10" fill="none"></circle></svg></button></span></p>')


def test_controls_finds_switches_and_help_icons_that_fade_into_the_page(browser):
    page = browser.new_page()
    page.set_content(f"""<body style="{DARK}">
      {switch("faint track", "rgba(43, 38, 34, 0.2)")}{switch("grey track", "#7a808a")}
      {switch("dark red on", "#8a3328", checked=True)}{switch("light red on", "#ff8f80", checked=True)}
      {icon("faint icon", "rgba(43, 38, 34, 0.6)")}{icon("clear icon", "#cfc8bc")}
    </body>""")
    found = {(f["what"], f["label"]) for f in controls(page)}
    page.close()
    # measured on presenter mode's dark page before its fix: the track 1.04 to 1, the icon 1.13; a red at 2.3
    assert found == {("switch", "faint track"), ("switch", "dark red on"), ("help icon", "faint icon")}, found


def test_foreign_finds_the_other_language_but_not_an_icons_name_or_plotlys_notice(browser):
    """A Chinese page: an English word the app wrote is found; the name of an alert's icon (a Material ligature,
    drawn as a ballot box: found on the tour's predict step) and plotly's notice after a PNG download are not."""
    page = browser.new_page()
    page.set_content("""<body><div data-testid="stAlert"><span data-testid="stAlertDynamicIcon">how_to_vote</span>
      <p>先猜一猜，再看结果。</p></div><p>奖励 reward 上升</p>
      <div class="plotly-notifier"><span>Image download succeeded</span></div></body>""")
    found = foreign(page, "zh")
    page.close()
    assert found == ["reward"], found
