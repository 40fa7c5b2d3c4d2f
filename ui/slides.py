"""Slides: ONE self-contained HTML report of tour steps, charts and analogy text (no Streamlit here).

plotly.js is inlined once (``include_plotlyjs=True`` on the first chart), so the file opens with no
network. Each chart keeps plotly's camera button, and a button saves every chart as a PNG in the browser
(``Plotly.downloadImage``): no image library is needed on the server.
"""

from __future__ import annotations

import html

from ui import charts, texts

PAGE_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", Helvetica, Arial,
  sans-serif; color: #14110e; background: #ffffff; max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem;
  font-size: 18px; line-height: 1.55; }
h1 { font-size: 2rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-top: 2px solid #d6d0c7;
  padding-top: 1rem; } .chapter { color: #a1362b; font-weight: 600; letter-spacing: .03em; }
blockquote { margin: 1rem 0; padding: .8rem 1.2rem; background: #f3eee6; border-left: 5px solid #a1362b; }
.do { padding: .6rem 1.2rem; border: 2px dashed #8c8279; } .note { font-weight: 600; }
button { font-size: 1rem; padding: .5rem 1rem; cursor: pointer; }
@media print { button { display: none; } section { page-break-before: always; } }
"""

SAVE_ALL = """<script>
function wujiSaveAll() {
  document.querySelectorAll(".plotly-graph-div").forEach(function (div, i) {
    setTimeout(function () {
      Plotly.downloadImage(div, {format: "png", width: 960, height: 540, scale: 2, filename: div.id});
    }, 400 * i);
  });
}
</script>"""


def _section(i: int, s: dict, lang: str) -> str:
    parts = [
        f'<section id="step-{i}"><p class="chapter">{html.escape(s["chapter"])}</p>',
        f"<h2>{html.escape(s['title'])}</h2>",
    ]
    if s.get("fig") is not None:
        parts.append(
            s["fig"].to_html(
                full_html=False,
                include_plotlyjs=i == 0,
                div_id=s["name"],
                config=charts.export_config(s["name"], lang),
                default_width="100%",
            )
        )
    if s.get("note"):
        parts.append(f'<p class="note">{html.escape(s["note"])}</p>')
    if s.get("analogy"):
        parts.append(f"<blockquote>{html.escape(s['analogy'])}</blockquote>")
    if s.get("do"):
        parts.append(f'<p class="do"><b>{html.escape(texts.t("tour_try", lang))}:</b> {html.escape(s["do"])}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def report(sections: list[dict], lang: str, settings: str, link: str | None = None) -> str:
    """The whole HTML document. A section: chapter, title, fig (or None), name, analogy, do, note."""
    title = texts.t("report_title", lang)
    open_link = (
        f'<p><a href="{html.escape(link, quote=True)}">{html.escape(texts.t("report_link", lang))}</a></p>'
        if link and link.startswith("http")
        else ""
    )
    body = "\n".join(_section(i, s, lang) for i, s in enumerate(sections))
    save = html.escape(texts.t("report_png_all", lang))
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(texts.t("report_settings", lang, what=settings))}</p>
{open_link}
<p><button type="button" id="png-all" onclick="wujiSaveAll()">{save}</button></p>
{body}
{SAVE_ALL}
</body>
</html>
"""
