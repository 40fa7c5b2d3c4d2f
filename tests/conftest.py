"""Shared fixtures: a live Streamlit server and a real (Debian) Chromium driven by Playwright.

Browser tests never skip in CI: when the CI environment variable is set and Chromium is missing,
they fail. Locally they skip with a reason. Screenshots go under test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import cpulog
import pg
import pytest
from live import serve, tracebacks

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The tiers (pyproject.toml): `make test-fast` leaves out the tests marked slow or browser. Every test in these
# files trains or serves for real for minutes, so a new test there is slow too; elsewhere mark one by hand.
SLOW_FILES = {"test_physics.py", "test_methods.py", "test_load.py", "test_narration.py"}
# A test that uses one of these fixtures drives a real browser or a live server: it is marked browser whether or
# not its author marked it.
BROWSER_FIXTURES = {"browser", "streamlit_server", "fresh_server"}


# Tests that compare two times measured side by side: they run last, once the background trainings (tests/runs.py)
# are over, so that nothing else changes the machine's load between the two.
TIMED_LAST = {"test_browser_eta.py", "test_browser_bench_app.py"}
# The files that read the background pool's runs (tests/runs.py ``planned``) run after every other test but the
# timed ones: the tests that need no pool then run while it trains, instead of on one core once it is over (a
# fresh clone's log, 2026-12-04: test_methods waited 36 s for the pool, and after it the tests left ran with a core
# idle, 148 CPU-s in all).
POOL_READERS = {"test_methods.py", "test_narration.py", "test_physics.py"}
FILES = pytest.StashKey[set]()  # the test files this session runs
LONG = pytest.StashKey[bool]()  # does it run a test of the long tier (marked long: `make physics`)?


def pytest_configure(config: pytest.Config) -> None:
    """The servers of the tests share the cores with the background pool (tests/runs.py), so they train on one thread
    (two threads on two busy cores wait on each other) and never ahead (``sim.jobs.Board.prefetch``): what trains is
    what a test asked for. The tests of these settings set them for their own Board. ``WUJI_TEST_CPU_LOG=PATH``
    logs the machine's CPU use around every test (tests/cpulog.py)."""
    os.environ.setdefault("WUJI_PREFETCH", "0")
    os.environ.setdefault("WUJI_THREADS", "1")
    if os.environ.get("WUJI_TEST_CPU_LOG"):  # where the session's time goes (tests/cpulog.py)
        config.pluginmanager.register(cpulog.Log(os.environ["WUJI_TEST_CPU_LOG"]), "cpulog")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    # stable: every other test keeps its place
    items.sort(key=lambda item: (item.path.name in TIMED_LAST, item.path.name in POOL_READERS))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the session runs, once ``-m`` has deselected (which happens after the hook above): the runs to train in
    the background are those of the tests selected."""
    session.config.stash[FILES] = {item.path.name for item in session.items}
    session.config.stash[LONG] = any(item.get_closest_marker("long") for item in session.items)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The (lang, kl, bias) runs the app tests need, all on the "fast" preset, seed 0: the default in both
# languages, the KL slider moved to 0 (both languages: test_browser_app moves it on the English page), the
# bias slider moved to 0.9, and the shared link ?kl=0&bias=0.9.
TEST_RUNS = (
    ("zh", 0.1, 0.0),
    ("zh", 0.0, 0.0),
    ("zh", 0.1, 0.9),
    ("zh", 0.0, 0.9),
    ("en", 0.1, 0.0),
    ("en", 0.0, 0.0),
    ("en", 0.1, 0.9),
    ("en", 0.0, 0.9),
)
# The hands-on AppTests' run (tests/test_handson.py): the tiny preset, whose judges and policy retrain in seconds
# where the fast preset's take most of a minute (those tests check the buttons, the timeline and the rankings'
# plumbing, not what training learns). Seed 1: the hall's tiny trainings (test_browser_hall.py, seed 0) must find
# none of their stages in the prepared cache.
HANDS_RUN = {"lang": "en", "seed": 1}


@pytest.fixture(scope="session")
def wuji_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the TEST_RUNS results and the HANDS_RUN one, prepared once a test session.

    It sets WUJI_CACHE_DIR and WUJI_PRESET=fast for this process (AppTest runs in it) and the
    streamlit server. WUJI_TEST_CACHE_DIR names a folder to keep between sessions (local speed-up).
    """
    root = Path(os.environ.get("WUJI_TEST_CACHE_DIR") or tmp_path_factory.mktemp("wuji-cache"))
    os.environ["WUJI_CACHE_DIR"] = str(root)
    os.environ["WUJI_PRESET"] = "fast"
    import prefetch

    from sim.cache import Cache, is_cached
    from sim.config import preset

    cache = Cache(root)
    assert cache.warning is None, cache.warning
    cfgs = [preset("fast", kl_coef=kl, reward_bias=bias, lang=lang) for lang, kl, bias in TEST_RUNS]
    cfgs.append(preset("tiny", **HANDS_RUN))
    prefetch.train(cfgs, root)  # the two languages side by side, one torch thread each
    for cfg in cfgs:
        assert is_cached(cfg, cache), f"run kl={cfg.ppo.kl_coef} bias={cfg.reward.reward_bias} was not cached"
    return root


@pytest.fixture(scope="session", autouse=True)
def slow_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """When this session runs test_narration or test_physics: their runs (tests/runs.py), training from the first
    test on, in the background (tests/prefetch.py), into a cache of their own that starts as a copy of the prepared
    one (the browser tests' pages never see them arrive). Yields (the folder, the Trainer); ``slow_cache`` waits."""
    import prefetch
    import runs

    todo = runs.planned(request.config.stash.get(FILES, set()), request.config.stash.get(LONG, False))
    if not todo:
        yield None
        return
    prepared = request.getfixturevalue("wuji_cache")
    root = tmp_path_factory.mktemp("slow-cache")
    shutil.copytree(prepared, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("room.sqlite*", ".tmp-*"))
    trainer = prefetch.Trainer(todo, root)
    try:
        yield root, trainer
    finally:
        trainer.stop()


@pytest.fixture(scope="session")
def long_tier(request: pytest.FixtureRequest) -> bool:
    """Does this session run the long tier's claims (and so train their runs)?"""
    return request.config.stash.get(LONG, False)


@pytest.fixture(scope="session")
def slow_cache(slow_runs) -> Path:
    """The slow tests' cache, once the background trainings are over."""
    root, trainer = slow_runs
    trainer.wait()
    return root


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory, wuji_cache: Path) -> Iterator[str]:
    """Start `streamlit run app.py` on a free local port over the prepared cache; yield its base URL."""
    with serve(wuji_cache, tmp_path_factory.mktemp("streamlit") / "server.log") as base_url:
        yield base_url


@pytest.fixture()
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """A new server process over an empty cache: nothing loaded yet, as when a room first connects."""
    with serve(tmp_path / "cache", tmp_path / "server.log") as base_url:
        yield base_url


@pytest.fixture(autouse=True)
def clean_server_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that talks to a live server fails when the server logged a traceback while it ran (issue 12:
    a facilitator's walk once left 25 in the log)."""
    names = [n for n in ("streamlit_server", "fresh_server") if n in request.fixturenames]
    if not names:
        yield
        return
    url = request.getfixturevalue(names[0])
    since = url.log.stat().st_size if url.log.exists() else 0
    yield
    found = tracebacks(url.log, since)
    if found:
        pytest.fail(f"the server logged {len(found)} traceback(s) during this test; the first:\n{found[0]}")


def require(present: bool, what: str, reason: str) -> None:
    """A system package the tests need: skip with ``reason`` locally when it is missing, fail in CI (never skip)."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} must not skip in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium launched through Playwright (never a downloaded browser)."""
    require(CHROMIUM.exists(), "browser tests", f"{CHROMIUM} is missing (run `make test-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.Cluster]:
    """A PostgreSQL server of Debian's package for this session (tests/pg.py). Like Chromium, never skipped in CI."""
    require(pg.binaries() is not None, "the PostgreSQL tests", "PostgreSQL is not installed (run `make test-deps`)")
    with pg.cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty room database's URL: a SQLite file (the default), then a new database on ``postgres``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'room.sqlite'}"
    return request.getfixturevalue("postgres").database()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture()
def page(browser, artifacts_dir: Path, request: pytest.FixtureRequest):
    """A fresh browser context + page (1400x900); on failure a screenshot lands in test-artifacts/."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    pg = context.new_page()
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            with contextlib.suppress(Exception):  # best effort only
                pg.screenshot(path=str(artifacts_dir / f"FAILED-{request.node.name}.png"), full_page=True)
        context.close()
