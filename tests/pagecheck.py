"""What a facilitator checks by eye, measured in the browser (no pytest here): text contrast, controls that fade
into the page, labels that collide or are cut inside the charts, and text of the other language. Each check runs
as JavaScript in a Playwright page and returns plain data, so a test can assert on it and ``tests/rehearse.py``
can report it.
"""

from __future__ import annotations

import contextlib
import re

# WCAG 2.1 relative luminance and contrast. The background of a text is what is painted under its centre (the
# centre of its own text node, not of the element, which may hold shaded spans beside it), composited from the
# page up (alpha included), and in a chart an annotation's own box over that; the text's own colour is composited
# over that, with the product of the ancestors' opacity. Disabled controls are exempt (WCAG 1.4.3 "inactive user
# interface"), and so is what a reader does not read: icon ligatures (an alert's icon too: ``how_to_vote`` is drawn
# as a ballot box), the skip link (off screen until focused), the toolbar, plotly's modebar and the notice plotly
# shows for a few seconds after its camera button saved a PNG (fading out, and naming the file in Latin letters; its
# words are the page's language: tests/test_browser_app.py), and the slider's min/max labels (Streamlit shows them
# on hover only).
SKIP = ("[disabled], [aria-disabled=true], script, style, noscript, .modebar, .plotly-notifier, "
        "[data-testid=stToolbar], [data-testid=stIconMaterial], [data-testid=stAlertDynamicIcon], "
        "[data-testid=stSkipToContent], [data-testid=stSliderTickBar]")
# The colour arithmetic both contrast checks share (JavaScript, the body of a function).
COLOUR_JS = r"""
  const parse = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1});
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el, box) => {
    // What is painted under the text's centre (``box``: the text's own box, else the element's): the element and
    // everything below it at that point (positioned elements included), or its ancestors when the point is off
    // screen.
    const r = box || el.getBoundingClientRect();
    const stack = document.elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const at = stack.findIndex((e) => e === el || e.contains(el) || el.contains(e));
    const under = at >= 0 ? stack.slice(at) : [];
    if (!under.length) for (let e = el; e && e.nodeType === 1; e = e.parentElement) under.push(e);
    const layers = [];
    for (const e of under) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) layers.push(c);
    }
    let base = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity || "1");
    return o;
  };
  const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
"""
CONTRAST_JS = r"""
([minRatio, SKIP]) => {
""" + COLOUR_JS + r"""
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest(SKIP)) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!rect.width || !rect.height || style.visibility === "hidden" || style.display === "none") continue;
    const inSvg = el instanceof SVGElement;
    const fg = parse(inSvg ? style.fill : style.color);
    if (!fg) continue;
    // The text node's own box: in a paragraph that also holds shaded spans (the drift's characters) the
    // element's centre can fall on a span, while this text sits on the paragraph's own background.
    const range = document.createRange();
    range.selectNodeContents(n);
    const own = range.getBoundingClientRect();
    const box = own.width && own.height ? own : null;
    let bg = inSvg ? background(el.closest("svg").parentElement) : background(el, box);
    const label = inSvg ? el.closest(".annotation")?.querySelector("rect.bg") : null;
    if (label) {  // a chart's annotation paints its own box (plotly's bgcolor) under its text
      const fill = parse(getComputedStyle(label).fill);
      if (fill) bg = over({...fill, a: fill.a * parseFloat(getComputedStyle(label).fillOpacity || "1")}, bg);
    }
    const o = opacity(el);
    const shown = over({...fg, a: fg.a * o}, bg);
    const r = ratio(shown, bg);
    const where = (el.closest("[data-testid]") || {}).dataset?.testid || "";
    if (r < minRatio) out.push({text: text.slice(0, 60), fg: hex(shown), bg: hex(bg), ratio: Math.round(r * 100) / 100,
                                tag: el.tagName.toLowerCase(), testid: where});
  }
  return out;
}
"""

# WCAG 2.1 1.4.11 (non-text contrast, 3:1): the parts of a control that say what it is and what state it is in,
# against what is painted under them. A help icon's outline (the "?" beside a label), and a switch's track (off,
# it is all that shows where the knob could go; on, it is the colour that says so).
CONTROLS_JS = r"""
([minRatio, SKIP]) => {
""" + COLOUR_JS + r"""
  const out = [];
  const check = (what, el, colour, under) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest(SKIP)) return;
    const fg = parse(colour);
    if (!fg) return;
    const bg = background(under);
    const ratio_ = ratio(over({...fg, a: fg.a * opacity(el)}, bg), bg);
    let host = el;  // the nearest element with words in it: the control's label
    while (host.parentElement && !host.textContent.trim()) host = host.parentElement;
    if (ratio_ < minRatio) out.push({what, fg: hex(over(fg, bg)), bg: hex(bg), ratio: Math.round(ratio_ * 100) / 100,
                                     label: host.textContent.trim().slice(0, 40)});
  };
  document.querySelectorAll("[data-testid=stTooltipIcon] svg").forEach((svg) =>
    check("help icon", svg, getComputedStyle(svg).stroke, svg.closest("[data-testid=stTooltipIcon]").parentElement));
  document.querySelectorAll("[data-testid=stCheckbox] label:has(input[role=switch]) > div:first-of-type")
    .forEach((track) => check("switch", track, getComputedStyle(track).backgroundColor, track.parentElement));
  return out;
}
"""

# Inside every plotly chart: the boxes of its title, subplot titles, axis titles, tick labels and legend
# entries. Two boxes of different labels that intersect (by more than ``slack`` px each way) collide; a
# label that reaches outside the chart is cut.
OVERLAP_JS = r"""
(slack) => {
  const out = [];
  document.querySelectorAll(".js-plotly-plot").forEach((plot, p) => {
    const main = plot.querySelector("svg.main-svg");
    if (!main) return;
    const frame = plot.getBoundingClientRect();
    const title = (plot.querySelector(".gtitle") || {}).textContent || "";
    const labels = [];
    const taken = new Set();
    const add = (kind, el) => {
      if (taken.has(el)) return;
      taken.add(el);
      const r = el.getBoundingClientRect();
      const text = el.textContent.trim().slice(0, 40);
      if (r.width > 0 && r.height > 0 && text) labels.push({kind, text, r});
    };
    plot.querySelectorAll(".gtitle").forEach((e) => add("title", e));
    plot.querySelectorAll(".infolayer .annotation-text").forEach((e) => add("annotation", e));
    const titles = ".infolayer [class$='title'] text, .infolayer text[class$='title']";
    plot.querySelectorAll(titles).forEach((e) => add("axis-title", e));
    plot.querySelectorAll("[class$='tick'] > text, [class$='tick2'] > text").forEach((e) => add("tick", e));
    plot.querySelectorAll(".legendtext").forEach((e) => add("legend", e));
    plot.querySelectorAll(".indicatorlayer text").forEach((e) => add("indicator", e));
    labels.forEach((a) => {
      if (a.r.left < frame.left - slack || a.r.right > frame.right + slack || a.r.top < frame.top - slack
          || a.r.bottom > frame.bottom + slack) out.push({chart: p, title, kind: "cut", a: a.text, b: a.kind});
    });
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i], b = labels[j];
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > slack && h > slack) out.push({chart: p, title, kind: a.kind + "/" + b.kind, a: a.text, b: b.text});
    }
  });
  return out;
}
"""

# Every visible text of the page (main area, sidebar, dialogs), one string.
TEXT_JS = r"""
(SKIP) => {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(SKIP)) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.height && n.nodeValue.trim()) parts.push(n.nodeValue.trim());
  }
  return parts.join("\n");
}
"""

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Latin words a Chinese page may carry: names of methods and measures, units, math (ln, log), and the language picker.
LATIN_OK = {"kl", "ppo", "rlhf", "sft", "dpo", "rloo", "grpo", "best", "of", "n", "gpt", "instructgpt", "csv", "png",
            "html", "english", "wuji", "flops", "nats", "gold", "proxy", "cpu", "gpu", "gao", "et", "al", "x", "d",
            "ln", "log"}
# Citations and product names stay in their own language: a paper's title and its authors as the paper gives
# them, a tool by its own name. Each is allowed as the whole phrase only (its words elsewhere still count).
NAMES_OK = ("Language Models are Few-Shot Learners", "Training language models to follow instructions with human "
            "feedback", "Brown", "Ouyang", "TensorFlow Playground", "GAN Lab",
            "Expanding on what we missed with sycophancy", "OpenAI", "DeepSeekMath", "DeepSeek-R1", "Shao", "Coste",
            "Singhal", "ICLR", "Bradley–Terry")


# Chinese an English page may carry: the language picker's name for Chinese and the app's own name (无忌).
CJK_OK = ("中文", "无忌")


def strip_names(line: str) -> str:
    for name in CJK_OK:
        line = line.replace(name, "")
    return line


def contrast(page, min_ratio: float = 4.5) -> list[dict]:
    """Texts on the page below ``min_ratio`` against their background (WCAG AA for body text)."""
    return page.evaluate(CONTRAST_JS, [min_ratio, SKIP])


def controls(page, min_ratio: float = 3.0) -> list[dict]:
    """Help icons and switches that fade into their background (below ``min_ratio``, WCAG 1.4.11)."""
    return page.evaluate(CONTROLS_JS, [min_ratio, SKIP])


def overlaps(page, slack: float = 1.0) -> list[dict]:
    """Chart labels that collide with each other or are cut at the chart's edge."""
    return page.evaluate(OVERLAP_JS, slack)


def foreign(page, lang: str) -> list[str]:
    """Pieces of the other language on a page shown in ``lang`` (the language picker's own names aside)."""
    text = page.evaluate(TEXT_JS, SKIP + ", code, pre")  # a link to copy (st.code) is in no language
    if lang == "en":
        return sorted({line for line in text.splitlines() if CJK.search(strip_names(line))})
    for name in NAMES_OK:
        text = text.replace(name, "")
    words = re.findall(r"[A-Za-z]{2,}", text)
    return sorted({w for w in words if w.lower() not in LATIN_OK})


@contextlib.contextmanager
def whole_page(page, width: int, settle_ms: int, max_height: int = 9000):
    """The window ``width`` wide and as tall as the page (at most ``max_height``) while inside, then as it was: so
    that the checks above read what is painted under every text, and a screenshot (``live.shoot``) holds the whole
    page. Below the fold, ``contrast`` falls back to a text's ancestors, and a slider's value, drawn above its thumb
    but inside it, then reads as red on red."""
    before = page.viewport_size
    tall = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, max_height)})
    page.wait_for_timeout(settle_ms)
    try:
        yield
    finally:
        page.set_viewport_size(before)
