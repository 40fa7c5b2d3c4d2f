"""The app against the command line (issue 16): ``python -m sim bench`` drives the real app in a headless Chromium.

A room experiences the app, not the command line, so the bench times the same training both ways on this machine,
the contenders taking turns (command line, app, command line, app):

  1. the whole journey (full bench only): the command line's pipeline from an empty cache (``sim.pipeline.run`` in
     this process, as ``python -m sim run`` trains it), then the app's for another seed: a fresh ``streamlit run
     app.py`` over the same cache, one tab on the home page, "Train the whole journey" pressed, timed until PPO's
     entry is in the cache;
  2. the PPO rerun after a slider move, twice: the command line's PPO at a new ``kl_coef`` over the cached earlier
     stages, then the app's at another (the RLHF page's Train button), timed the same way;
  3. then, while the app trains one more rerun, a second visitor on the RLHF page of a finished run moves its KL
     slider between two cached stops, ``THINK_S`` apart: the seconds from the key press until the other run's numbers
     are on the page (p50, p95), and that rerun's seconds under this load. Both tabs' Chromium share this machine's
     cores with the app, as on a presenter's laptop that serves the app and shows it.

The command line's figure is its stages' seconds (``doc["seconds"]["total"]``, start-up excluded); the app's is
from the click to the cache entry, so it includes the page's polling and the Board's queue. Every knob but the
seed and the leash is the fast preset's, in English. Needs Playwright (requirements-dev.txt) and Debian's
``/usr/bin/chromium`` (``make test-deps``); without them the rows say "skipped". No Streamlit import: the app runs
as its own process, exactly as ``make run`` starts it.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sim.cache import Cache, is_cached
from sim.config import preset
from sim.pipeline import run

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # a dev dependency; the bench says the rows were skipped
    sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
LANG = "en"
SEEDS = {"cli": 1, "app": 2}  # the journey's seed on each side; the reruns and the cached page use the CLI's
# (command line, app) leashes of the two rerun rounds: the app's are slider stops, the command line's any other value,
# so that none is in the cache when its turn comes (the presets' 0.1, and 0, may be)
RERUN_KL = ((0.2, 0.03), (0.5, 0.01))
RERUN_LOADED_KL = 0.3  # the app's third rerun, trained while the second visitor moves a slider
THINK_S = 1.0  # the second visitor's pause between two moves (a person reading, then moving it again)
TIMEOUT_S = 600.0
PROMISE = re.compile(r"about [\d.]+ (s|min)")  # the home page's time promise, once the server measured its speed
METRICS = "[...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].map(e => e.innerText).join('|')"
ANSWERED = f"""(before) => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length > 0
    && {METRICS} !== '' && {METRICS} !== before"""


def config(seed: int, kl: float | None = None):
    cfg = preset("fast", lang=LANG, seed=seed)
    return cfg if kl is None else cfg.replace(kl_coef=kl)


def query(cfg) -> str:
    return f"lang={LANG}&seed={cfg.seed}&kl={cfg.ppo.kl_coef:g}&bias={cfg.reward.reward_bias:g}"


@contextmanager
def app_server(cache_dir: Path, log: Path):
    """``streamlit run app.py`` (fast preset) over ``cache_dir`` on a free local port, as ``make run`` starts it but
    without the file watcher (nothing edits the code during a bench). tests/live.py's ``server`` is its twin for the
    tests; sim/ does not import tests/."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "WUJI_CACHE_DIR": str(cache_dir), "WUJI_PRESET": "fast"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
           "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


class Visitor:
    """A second visitor on the RLHF page of a finished run (``address``: its KL at a slider stop whose neighbour to the
    left is cached too): each ``move`` presses a key on the KL slider, to that neighbour and back in turn, and returns
    the seconds until the other run's numbers are drawn."""

    def __init__(self, tab, address: str):
        self.tab, self.left = tab, True
        tab.goto(address, wait_until="domcontentloaded")
        tab.wait_for_function(ANSWERED, arg="", timeout=120_000)

    def move(self) -> float:
        before = self.tab.evaluate(f"() => {METRICS}")
        self.tab.locator('[data-testid="stMain"] [data-testid="stSlider"] input[type=range]').nth(1).focus()
        t = time.monotonic()
        self.tab.keyboard.press("ArrowLeft" if self.left else "ArrowRight")
        self.tab.wait_for_function(ANSWERED, arg=before, timeout=60_000)
        self.left = not self.left
        return time.monotonic() - t


def timed_training(page, visitor: Visitor | None, url: str, cache: Cache, cfg, button: str,
                   path: str) -> tuple[float, list[float]]:
    """Press ``button`` on ``path`` for ``cfg``; seconds until its last stage is in the cache, and the seconds of
    every slider move of ``visitor`` meanwhile."""
    page.goto(f"{url}/{path}?{query(cfg)}", wait_until="domcontentloaded")
    info = page.get_by_text(PROMISE).first
    info.wait_for(timeout=TIMEOUT_S * 1000)  # a fresh server measures its speed first (sim/speed.py)
    page.get_by_role("button", name=button, exact=True).click()
    t0, loads = time.monotonic(), []
    while not is_cached(cfg, cache):
        if time.monotonic() - t0 > TIMEOUT_S:
            shot = Path(cache.root) / "app-timeout.png"
            page.screenshot(path=str(shot), full_page=True)
            raise RuntimeError(f"the app did not finish {query(cfg)} in {TIMEOUT_S:.0f} s (the page: {shot})")
        if visitor is None:
            time.sleep(0.25)
            continue
        loads.append(visitor.move())
        time.sleep(THINK_S)
    return time.monotonic() - t0, loads


def compare(cache_dir: Path, journey: bool = True, seed: int = SEEDS["cli"], browser=None,
            rounds: int = len(RERUN_KL)) -> dict:
    """The rows (see the module docstring) over ``cache_dir``: empty for the journey; without the journey, the reruns
    start from ``seed``'s earlier stages, which the cache holds or which are trained here first, untimed. ``browser``:
    a Playwright Chromium to use (a test's); None starts Debian's. ``rounds``: how many of the rerun rounds to run."""
    if sync_playwright is None:
        return {"skipped": "playwright is not installed (pip install -r requirements-dev.txt)"}
    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} is missing (make test-deps)"}
    cache, out = Cache(cache_dir), {"lang": LANG, "preset": "fast", "load": [os.getloadavg()[0]]}
    base = config(seed)
    sys.stderr.write("bench: the app against the command line ...\n")
    if journey:
        out["journey_cli_s"] = run(base, cache)["seconds"]["total"]
    else:
        run(base, cache)  # untimed: the earlier stages the reruns start from, and the cached page
    with ExitStack() as stack:
        url = stack.enter_context(app_server(cache_dir, Path(cache_dir) / "app-server.log"))
        if browser is None:
            pw = stack.enter_context(sync_playwright())
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            stack.callback(browser.close)
        page, tab = browser.new_context().new_page(), browser.new_context().new_page()  # two visitors
        if journey:
            out["journey_app_s"], _ = timed_training(page, None, url, cache, config(SEEDS["app"]),
                                                     "Train the whole journey", "")
        cli, app = [], []
        for cli_kl, app_kl in RERUN_KL[:rounds]:
            cli.append(run(base.replace(kl_coef=cli_kl), cache)["seconds"]["total"])
            app.append(timed_training(page, None, url, cache, base.replace(kl_coef=app_kl), "Train", "rlhf")[0])
        visitor = Visitor(tab, f"{url}/rlhf?{query(base)}")  # at 0.1; its neighbour 0.03 is the first app rerun's
        out["rerun_loaded_s"], loads = timed_training(page, visitor, url, cache, base.replace(kl_coef=RERUN_LOADED_KL),
                                                      "Train", "rlhf")
        page.context.close()
        tab.context.close()
    out.update(rerun_cli_s=statistics.median(cli), rerun_app_s=statistics.median(app), cached_page_s=loads)
    out["rerun_ratio"] = out["rerun_app_s"] / out["rerun_cli_s"]
    if journey:
        out["journey_ratio"] = out["journey_app_s"] / out["journey_cli_s"]
    if loads:
        q = statistics.quantiles(loads, n=20, method="inclusive") if len(loads) > 1 else loads * 19
        out.update(cached_p50_s=statistics.median(loads), cached_p95_s=q[18])
    out["load"].append(os.getloadavg()[0])
    return out
