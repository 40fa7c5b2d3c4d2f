"""A live `streamlit run app.py` on 127.0.0.1 for the browser tests and the load test (no pytest here),
and what every browser test does with its pages: wait for a run to end, take a whole-page screenshot."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pagecheck import contrast, controls, foreign, overlaps, whole_page

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen

    def rss_mib(self) -> float:
        """Resident memory of the server process now (MiB), from /proc."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0


@contextlib.contextmanager
def server(cache_dir: Path, log_path: Path, env: dict | None = None) -> Iterator[Server]:
    """Start the app (fast preset) over cache_dir on a free local port; stop it on exit."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "WUJI_CACHE_DIR": str(cache_dir), "WUJI_PRESET": "fast", **(env or {})}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(base_url):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = f"exited with {proc.returncode}" if proc.poll() is not None else "timed out"
                tail = log_path.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"streamlit server {why} before {base_url}/_stcore/health said ok:\n{tail}")
            time.sleep(0.25)
        yield Server(base_url, port, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


class Url(str):
    """A live server's base URL that knows where the server writes its log (its stdout and stderr)."""

    log: Path


def tracebacks(log: Path, since: int = 0) -> list[str]:
    """The tracebacks a server wrote to its log after byte ``since`` (each with its last line, the error)."""
    text = log.read_bytes()[since:].decode(errors="replace") if log.exists() else ""
    return [t[:2000] for t in text.split("Traceback (most recent call last):")[1:]]


@contextlib.contextmanager
def serve(cache_dir: Path, log_path: Path, env: dict | None = None) -> Iterator[Url]:
    """The base URL of a live server (see ``server``, ``env`` too), with its log's path."""
    with server(cache_dir, log_path, env) as srv:
        url = Url(srv.url)
        url.log = log_path
        yield url


# -- in the browser (a Playwright page) ---------------------------------------------------------------------
def idle(page, timeout_ms: float, pause_ms: int = 0) -> None:
    """Wait until the script run is over (no 'running' status widget), then ``pause_ms`` for drawing."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    if pause_ms:
        page.wait_for_timeout(pause_ms)


CHARTS_DRAWN = """() => document.fonts.status === 'loaded'
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))"""


def drawn(page, timeout_ms: float, settle_ms: int = 500) -> None:
    """Wait until the script run is over, the fonts are loaded and every plotly chart on the page is drawn (its
    SVG is in place); then ``settle_ms`` for plotly's resize to the column's width. In place of a long fixed
    pause: a page with everything drawn is checked at once."""
    idle(page, timeout_ms)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)


def shoot(page, path: Path, max_height: int = 7000, pause_ms: int = 1200) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the window to fit it
    (at most ``max_height``); plotly's download notices are removed first."""
    page.evaluate("document.querySelectorAll('.plotly-notifier').forEach(n => n.remove())")
    with whole_page(page, 1400, pause_ms, max_height=max_height):
        page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def findings(page, lang: str) -> dict[str, list]:
    """What the eye finds on a drawn page (tests/pagecheck.py: ``contrast``, ``controls``, ``overlaps``,
    ``foreign``), by check, at the window's width. Measured with the window as
    tall as the page (``whole_page``, as tests/rehearse.py does): below the fold the tour's slider value read as red
    on red once its chart took the whole width. The checks read the DOM (styles and hit tests), which the tall
    window lays out at once: on 32 pages (en 1280 px plain, zh 1920 px presenter dark) every chart, heading and
    paragraph had its new place within 40 ms and none moved in the second after (2026-12-04), so 100 ms stand
    where 500 did. A finding is measured again once the page has settled a second, so a state of a few hundred ms
    under load (a caption drawn before the page's style arrived: once in a fresh clone's CI run, zh light 1920 px,
    home) is not reported, while anything the room would keep seeing still is."""

    def measure() -> dict[str, list]:
        with whole_page(page, page.viewport_size["width"], 100):
            found = {"contrast": contrast(page), "controls": controls(page), "overlaps": overlaps(page),
                     "foreign": foreign(page, lang)}
        return {k: v for k, v in found.items() if v}

    problems = measure()
    if problems:
        page.wait_for_timeout(1000)
        drawn(page, 120_000)
        problems = measure()
    return problems
