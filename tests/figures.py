"""The README's explorer figures: serve the app over a cache that holds a finished sweep (and best-of-n, DPO
and RLOO for the chosen setting) and save the frontier and the over-optimisation chart as PNG with the Debian
Chromium, as the browser tests do (plotly's PNG export would need kaleido). Not a test::

    .venv/bin/python tests/figures.py --cache-dir DIR [--lang en] [--lens work] [--bias 0.9] [--kl 0] [--suffix=-en]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from live import ROOT, server

sys.path.insert(0, str(ROOT))

from ui import texts  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHARTS = {"ch_frontier": "explorer-frontier.png", "ch_heat": "explorer-heatmaps.png",
          "ch_overopt": "explorer-overopt.png"}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache-dir", required=True)
    p.add_argument("--lang", default="en", choices=("zh", "en"))
    p.add_argument("--lens", default="work", choices=("wuxia", "work", "tech"))
    p.add_argument("--bias", default="0.9")
    p.add_argument("--kl", default="0")
    p.add_argument("--out", default=str(ROOT / "docs"))
    p.add_argument("--suffix", default="", help="added to each file name, e.g. -en")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    url = f"explorer?lang={args.lang}&lens={args.lens}&bias={args.bias}&kl={args.kl}"
    with tempfile.TemporaryDirectory() as tmp, server(Path(args.cache_dir), Path(tmp) / "server.log") as srv:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
            page.goto(f"{srv.url}/{url}", wait_until="domcontentloaded")
            page.get_by_text(texts.t("ex_done", args.lang)).wait_for(timeout=180_000)
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
            page.wait_for_timeout(2000)
            charts = page.locator('[data-testid="stPlotlyChart"]')
            for i in range(charts.count()):
                title = charts.nth(i).locator(".gtitle").first.text_content()
                for key, name in CHARTS.items():
                    if title == texts.t(key, args.lang, n_seed=3):
                        path = Path(args.out) / name.replace(".png", f"{args.suffix}.png")
                        charts.nth(i).screenshot(path=str(path))
                        print(path)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
