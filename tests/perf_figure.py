"""docs/performance-scale.png: where this CPU saturates, from a `python -m sim bench --json PATH` document. Plotly draws
it, Debian's Chromium saves it (plotly's PNG export would need kaleido), as tests/figures.py does. Not a test::

    .venv/bin/python tests/perf_figure.py bench.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import plotly.graph_objects as go
from playwright.sync_api import sync_playwright
from plotly.subplots import make_subplots

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "performance-scale.png"


def figure(doc: dict) -> go.Figure:
    widths, batches = doc["scale"]["widths"], doc["scale"]["batches"]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        "A training step's FLOPs a second, as a share of the matmul ceiling",
        "Seconds a run: R runs as one stacked model, or one after another"))
    fig.add_trace(go.Scatter(x=[r["n_embd"] for r in widths], y=[100 * r["ceiling_share"] for r in widths],
                             mode="lines+markers+text", text=[f"{100 * r['ceiling_share']:.0f} %" for r in widths],
                             textposition="top center", showlegend=False), 1, 1)
    for key, name in (("batched_s_a_run", "batched (stacked weights, bmm)"), ("separate_s_a_run", "separately")):
        fig.add_trace(go.Scatter(x=[r["runs"] for r in batches], y=[1e3 * r[key] for r in batches],
                                 mode="lines+markers", name=name), 1, 2)
    fig.update_xaxes(title_text="hidden width (n_embd; the fast preset's is 64, the default's 96)", row=1, col=1)
    fig.update_yaxes(title_text="% of the ceiling", range=[0, 100], row=1, col=1)
    fig.update_xaxes(range=[48, 208], row=1, col=1)
    fig.update_xaxes(title_text="runs trained together (R)", type="log", tickvals=[1, 6, 18], row=1, col=2)
    fig.update_yaxes(title_text="ms a training step, per run", rangemode="tozero", row=1, col=2)
    fig.update_layout(width=1200, height=460, template="plotly_white", legend={"x": 0.56, "y": 0.1},
                      margin={"t": 60, "l": 60, "r": 20, "b": 60})
    return fig


def main(path: str) -> int:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        html = Path(tmp) / "scale.html"
        figure(doc).write_html(html, include_plotlyjs=True, full_html=True)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1220, "height": 480})
        page.goto(html.as_uri())
        page.wait_for_selector(".main-svg")
        page.locator(".js-plotly-plot").screenshot(path=str(OUT))
        browser.close()
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
