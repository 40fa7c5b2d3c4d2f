"""Rehearse as a facilitator: walk pages in real Chromium, in each language, lens and presenter theme and at
each width, screenshot every page and measure what the eye checks (tests/pagecheck.py). Not a test: it
writes screenshots and ``report.json`` for a person to look at.

    python tests/rehearse.py --out /tmp/rehearsal [--cache DIR] [--pages home rlhf] [--widths 1400 1920]

Without --cache it starts over an empty cache (a fresh server), so pages that need a trained run show their
"not trained yet" state; give the cache of a prepared run to see the results.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from live import idle, server
from pagecheck import contrast, controls, foreign, overlaps, whole_page
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ("home", "tour", "pretrain", "sft", "rlhf", "playground", "timeline", "explorer", "challenges")
VIEWS = {  # name -> URL values
    "light": {},
    "present-light": {"present": "1", "theme": "light"},
    "present-dark": {"present": "1", "theme": "dark"},
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--cache", type=Path, help="cache folder of the server (default: a new empty one)")
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    ap.add_argument("--langs", nargs="*", default=["en", "zh"])
    ap.add_argument("--lenses", nargs="*", default=["wuxia"])
    ap.add_argument("--views", nargs="*", default=list(VIEWS))
    ap.add_argument("--widths", nargs="*", type=int, default=[1400, 1920])
    ap.add_argument("--query", default="", help="extra URL values, e.g. kl=0&bias=0.9")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cache = args.cache or Path(tempfile.mkdtemp(prefix="wuji-rehearse-"))
    report = []
    with server(cache, args.out / "server.log") as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for width in args.widths:
            ctx = browser.new_context(viewport={"width": width, "height": 1000})
            page = ctx.new_page()
            for name in args.pages:
                for lang in args.langs:
                    for lens in args.lenses:
                        for view in args.views:
                            query = {"lang": lang, "lens": lens, **VIEWS[view]}
                            url = f"{srv.url}/{'' if name == 'home' else name}?{urlencode(query)}"
                            if args.query:
                                url += "&" + args.query
                            page.goto(url, wait_until="domcontentloaded")
                            page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
                            idle(page, 300_000, 1500)
                            shot = args.out / f"{name}-{lang}-{lens}-{view}-{width}.png"
                            with whole_page(page, width, 800):
                                page.screenshot(path=str(shot))
                                row = {"shot": shot.name, "contrast": contrast(page), "controls": controls(page),
                                       "overlaps": overlaps(page), "foreign": foreign(page, lang),
                                       "exceptions": page.locator('[data-testid="stException"]').count()}
                            report.append(row)
                            print(f"{shot.name}: contrast {len(row['contrast'])}, controls {len(row['controls'])}, "
                                  f"overlaps {len(row['overlaps'])}, "
                                  f"foreign {len(row['foreign'])}, exceptions {row['exceptions']}", flush=True)
            ctx.close()
        browser.close()
    (args.out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    log = (args.out / "server.log").read_text(errors="replace")
    print("server log tracebacks:", log.count("Traceback"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
