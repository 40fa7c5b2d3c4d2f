"""A lecture hall (issue 15): two `streamlit run app.py` processes on this machine share one cache folder and one
SQLite database (WUJI_DATABASE_URL), as N processes behind nginx do (docs/lecture-hall.md). Real Chromium:

- participants on both servers see one another's votes (the presenter on one, a phone on each);
- a fresh setting asked for on both servers is trained once: the ``trainings`` journal of sim/claims.py holds one
  row for each of its new cache entries;
- a server killed mid-run leaves its claim behind; the other server, waiting on it, takes the claim over and
  finishes the run, and its visitor gets the result.

The hall's database is a SQLite file in CI: PostgreSQL costs the hall nothing more to start (tests/pg.py: 1.5 s),
but a second pair of servers would cost CI minutes, and what differs between the two databases is the claims' and the
room's SQL, which tests/test_claims.py and test_roomdb.py run on both. ``WUJI_HALL_DATABASE=postgresql`` runs this
file on PostgreSQL by hand. The servers train the tiny preset (sim/config.py): what is tested is who trains, not
what the model learns, and its runs take seconds where the fast preset's took a minute and a half.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time

import pytest
from live import server, tracebacks
from playwright.sync_api import expect

from sim.cache import Cache, stage_keys
from sim.claims import Claims
from sim.config import STAGES, preset
from sim.roomdb import RoomDB
from ui import texts

pytestmark = pytest.mark.browser

SLOW = 300_000  # ms: a page's first run, or a training, on a shared 2-core machine
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "locale": "en-US"}
DESK = {"viewport": {"width": 1400, "height": 1000}, "locale": "en-US"}


def t(key: str, **kw) -> str:
    return texts.t(key, "en", **kw)


def clean(*logs) -> None:
    for log in logs:
        found = tracebacks(log)
        assert not found, f"{log.name}: {len(found)} traceback(s); the first:\n{found[0]}"


@pytest.fixture(scope="module")
def hall(wuji_cache, tmp_path_factory, request):
    """Two servers over one copy of the prepared cache and one database, shared by this file's tests (starting a
    pair costs CI half a minute); the last test kills A. Yields (a, b, cache folder, claims, log folder).

    The database is a SQLite file; ``WUJI_HALL_DATABASE=postgresql`` runs the hall on a PostgreSQL database
    (tests/pg.py) instead, by hand: tests/test_claims.py and test_roomdb.py run on both in CI."""
    tmp = tmp_path_factory.mktemp("hall")
    folder = tmp / "cache"
    shutil.copytree(wuji_cache, folder, ignore=shutil.ignore_patterns("room.sqlite*"))
    pg = os.environ.get("WUJI_HALL_DATABASE") == "postgresql"
    url = request.getfixturevalue("postgres").database() if pg else f"sqlite:///{tmp / 'hall.sqlite'}"
    env = {"WUJI_DATABASE_URL": url, "WUJI_PRESET": "tiny"}  # trainings of seconds: every stage of a run is new
    with server(folder, tmp / "a.log", env) as a, server(folder, tmp / "b.log", env) as b:
        yield a, b, folder, Claims(RoomDB(url)), tmp


def pid_of(owner: str) -> int:
    return int(owner.split(":")[1])


def rlhf_page(browser, base: str, query: str):
    page = browser.new_context(**DESK).new_page()
    page.goto(f"{base}/rlhf?lang=en&{query}", wait_until="domcontentloaded")
    expect(page.get_by_role("button", name=t("train"), exact=True)).to_be_visible(timeout=SLOW)
    return page


def train(page) -> None:
    button = page.get_by_role("button", name=t("train"), exact=True)
    button.click()
    expect(button).to_have_count(0, timeout=SLOW)


def finished(page) -> None:
    """The run is over and its result drawn: no progress, no Train button, no 'not trained' notice."""
    expect(page.get_by_text(re.compile(r"^Training: "))).to_have_count(0, timeout=SLOW)
    expect(page.get_by_role("button", name=t("train"), exact=True)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^These settings \("))).to_have_count(0)


def wait_cached(folder, cfg, timeout_s: float = SLOW / 1000) -> None:
    cache, keys = Cache(folder), stage_keys(cfg)
    deadline = time.monotonic() + timeout_s
    while not all(cache.complete(s, keys[s]) for s in STAGES):
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.25)


def test_two_servers_share_the_votes_and_train_a_setting_asked_on_both_once(browser, hall, artifacts_dir):
    a, b, folder, claims, logs = hall
    # The presenter on server A turns to the question; a phone on each server answers it.
    presenter = browser.new_context(**DESK).new_page()
    presenter.goto(f"{a.url}/tour?lang=en&present=1&step=5&kl=0&bias=0.9", wait_until="domcontentloaded")
    next_button = presenter.get_by_role("button", name=t("tour_next"))
    expect(next_button).to_be_visible(timeout=SLOW)
    phones = [browser.new_context(**PHONE).new_page() for _ in (a, b)]
    for phone, srv in zip(phones, (a, b)):
        phone.goto(f"{srv.url}/join?lang=en", wait_until="domcontentloaded")
        expect(phone.get_by_text(t("join_no_question"))).to_be_visible(timeout=SLOW)
    next_button.click()
    question = texts.question("capability", "wuxia", "en", bias=0.9, kl=0.0)
    for phone, choice in zip(phones, ("up", "down")):
        expect(phone.get_by_text(question)).to_be_visible(timeout=SLOW)  # B's phone follows A's presenter
        phone.get_by_role("button", name=t(texts.GUESSES[choice]), exact=True).tap()
    both = re.compile(r"^2 in the room guessed this one")
    for page in (*phones, presenter):
        expect(page.get_by_text(both)).to_be_visible(timeout=SLOW)
    assert "rise 1 · hold 0 · fall 1" in presenter.get_by_text(both).inner_text()

    # A setting nobody trained (the tiny preset: every stage is new), asked for on both servers at once.
    cfg = preset("tiny", kl_coef=0.03, reward_bias=0.0, lang="en")
    keys = stage_keys(cfg)
    assert not [s for s in STAGES if Cache(folder).complete(s, keys[s])], "the prepared cache holds its stages"
    pages = [rlhf_page(browser, srv.url, "kl=0.03&bias=0") for srv in (a, b)]
    for page in pages:
        train(page)
    wait_cached(folder, cfg)
    for page in pages:
        finished(page)
    pages[1].screenshot(path=str(artifacts_dir / "hall-both-finished.png"), full_page=True)
    trained = {s: claims.trainings(f"{s}-{keys[s]}") for s in STAGES}
    assert {s: len(o) for s, o in trained.items()} == {s: 1 for s in STAGES}, trained
    assert all(pid_of(o[0]) in (a.proc.pid, b.proc.pid) for o in trained.values())
    assert claims.holder(f"rlhf-{keys['rlhf']}") is None, "released once saved"
    for page in (*pages, *phones, presenter):
        page.context.close()
    clean(logs / "a.log", logs / "b.log")


def test_a_server_killed_mid_run_leaves_its_claim_to_the_other_which_finishes_the_run(browser, hall, artifacts_dir):
    # A fresh pretraining budget: every stage is new, so the run is long enough to be killed in the middle.
    cfg = preset("tiny", kl_coef=0.1, reward_bias=0.0, lang="en", pretrain_steps=400)
    keys = stage_keys(cfg)
    names = {s: f"{s}-{keys[s]}" for s in STAGES}
    a, b, folder, claims, logs = hall
    page_a = rlhf_page(browser, a.url, "kl=0.1&bias=0&steps=400")
    page_b = rlhf_page(browser, b.url, "kl=0.1&bias=0&steps=400")
    train(page_a)
    deadline = time.monotonic() + SLOW / 1000
    while not any((claims.holder(n) or {}).get("pid") == a.proc.pid for n in names.values()):
        assert time.monotonic() < deadline, "server A never claimed a stage"
        time.sleep(0.1)
    train(page_b)
    expect(page_b.get_by_text(re.compile(r"^Training: "))).to_be_visible(timeout=SLOW)
    page_b.screenshot(path=str(artifacts_dir / "hall-waiting.png"), full_page=True)  # A's progress, shown on B
    killed = None
    while killed is None:  # A holds a stage now (not between two of them)
        assert time.monotonic() < deadline, "server A stopped claiming stages"
        killed = next((s for s, n in names.items() if (claims.holder(n) or {}).get("pid") == a.proc.pid), None)
        time.sleep(0.0 if killed else 0.05)
    a.proc.send_signal(signal.SIGKILL)
    a.proc.wait(timeout=10)
    t_kill = time.monotonic()
    while (claims.holder(names[killed]) or {}).get("pid") != b.proc.pid and not Cache(folder).complete(
            killed, keys[killed]):
        assert time.monotonic() < deadline, "server B never took the dead server's claim over"
        time.sleep(0.05)
    takeover_s = time.monotonic() - t_kill

    wait_cached(folder, cfg)
    finished(page_b)
    page_b.screenshot(path=str(artifacts_dir / "hall-took-over.png"), full_page=True)
    trained = {s: [pid_of(o) for o in claims.trainings(n)] for s, n in names.items()}
    (artifacts_dir / "hall.json").write_text(json.dumps({"killed_in": killed, "takeover_s": round(takeover_s, 2),
                                                         "trainings": trained, "a": a.proc.pid,
                                                         "b": b.proc.pid}))
    assert trained[killed] == [a.proc.pid, b.proc.pid], "A started it, B took it over and finished it"
    after = STAGES[STAGES.index(killed) + 1:]
    assert all(trained[s] == [b.proc.pid] for s in after), trained
    assert all(len(trained[s]) == 1 for s in STAGES if s != killed), trained
    assert all(claims.holder(n) is None for n in names.values()), "no claim left behind"
    for page in (page_a, page_b):
        page.context.close()
    clean(logs / "b.log")
