"""A workshop in one minute: N participants (40 by default) on one live server, over Streamlit's websocket.

    python tests/loadtest.py [--participants 40] [--servers 1] [--json PATH] [--cache-dir DIR]

Everything stays on 127.0.0.1. Each participant is one Streamlit session speaking the app's own
protocol (the protobuf ``BackMsg``/``ForwardMsg`` over ``/_stcore/stream``), as a browser tab would,
but without a browser, so 40 of them fit on 2 cores beside the server. A participant:

  1. opens a link to one of the cached settings on the home page, then goes to the 处世 (RLHF) page;
  2. moves the KL slider a few times between cached stops, thinking 0.5–2 s between moves;
  3. one in eight then opens a shared link (zh, bias 0.9) in a second tab and moves the slider to a
     stop nobody has trained (all of them to the same one, except one participant who picks a
     second), and waits, polling as the page's fragment does, until the finished run is on the page.

With ``--servers 2`` the participants are split over two server processes sharing the cache folder and its
database, as behind nginx (docs/lecture-hall.md); the fresh ones are spread over both, so the first fresh setting
is asked for on both servers (single flight across processes: sim/claims.py).

It reports every error and dropped session, p50/p95 seconds for an answer from the cache (a page
run that ends with the results drawn), seconds to a finished fresh run, how many trainings the server
started (the ``trainings`` journal of sim/claims.py; single flight: one per distinct fresh setting), and the
servers' peak memory (the largest of them). Targets are
printed with PASS/MISS; ``tests/test_load.py`` asserts the ones that are not timings.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from live import server
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.cache import Cache, is_cached, stage_keys  # noqa: E402
from sim.claims import Claims  # noqa: E402
from sim.config import preset  # noqa: E402
from sim.pipeline import run  # noqa: E402
from sim.roomdb import RoomDB, database_url  # noqa: E402

CACHED = (("zh", 0.1, 0.0), ("zh", 0.0, 0.0), ("zh", 0.1, 0.9), ("zh", 0.0, 0.9), ("en", 0.1, 0.0), ("en", 0.0, 0.9))
FRESH_KL = (0.3, 0.03)  # stops no cached run has: the "fresh" participants move here (same bias 0.9, zh)
TIMEOUT_S = 30.0  # a page run that takes longer than this counts the session as dropped
FRESH_TIMEOUT_S = 240.0
TARGETS = {"cached_p95_s": (1.0, "<="), "peak_rss_mib": (2048.0, "<="), "errors": (0, "<="), "dropped": (0, "<=")}


@dataclass
class Tally:
    cached_s: list[float] = field(default_factory=list)
    fresh_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class Tab:
    """One participant's session: send a rerun, read ForwardMsgs until the script finishes."""

    def __init__(self, ws, name: str):
        self.ws, self.name = ws, name
        self.widgets: dict[str, str] = {}  # widget key -> id
        self.query = ""
        self.auto: dict[str, float] = {}  # the fragments the server asked to rerun, and how often (ui/poll.py: two)

    async def rerun(self, page: str, query: str | None = None, moves: dict | None = None,
                    clicks: tuple[str, ...] = (), fragment: str | None = None) -> set[str]:
        """Run a page (with widget values changed, buttons clicked), or only one of its fragments, as a browser's
        timer does for ``st.fragment(run_every=...)``; return the element types it drew."""
        if query is not None:
            self.query = query
        if fragment is None:
            self.auto = {}  # a whole page run registers its fragments again
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = page
        if fragment is not None:
            msg.rerun_script.fragment_id = fragment
            msg.rerun_script.is_auto_rerun = True
        for key, value in (moves or {}).items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.widgets[key]
            w.string_array_value.data.append(value)
        for key in clicks:
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.widgets[key]
            w.trigger_value = True
        await self.ws.send(msg.SerializeToString())
        drawn: set[str] = set()
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            if kind == "auto_rerun":
                self.auto[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            if kind == "stop_auto_rerun":
                ids = set(fwd.stop_auto_rerun.fragment_ids)
                self.auto = {f: i for f, i in self.auto.items() if ids and f not in ids}
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                what = el.WhichOneof("type")
                drawn.add(what)
                widget_id = getattr(getattr(el, what), "id", "") if what else ""
                if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
                    self.widgets[widget_id.split("-", 2)[2]] = widget_id
                if what == "exception":
                    raise RuntimeError(f"{el.exception.type}: {el.exception.message}")
                if what == "alert" and el.alert.format == el.alert.ERROR:
                    raise RuntimeError(f"error shown: {el.alert.body}")
            if kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return drawn


async def participant(i: int, url: str, tally: Tally, fresh_kl: float | None, ramp_s: float) -> None:
    rng = random.Random(i)
    lang, kl, bias = CACHED[i % len(CACHED)]
    name = f"p{i:02d}"
    await asyncio.sleep(ramp_s * i / 40)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT_S) as ws:
            tab = Tab(ws, name)
            await tab.rerun("home", f"lang={lang}&kl={kl:g}&bias={bias:g}")  # a session reads its link once
            t0 = time.perf_counter()
            drawn = await tab.rerun("rlhf")
            _answered(tally, name, drawn, time.perf_counter() - t0)
            for _ in range(3):  # move the KL slider between the two cached stops of this bias
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                kl = 0.0 if kl else 0.1
                if (lang, kl, bias) not in CACHED:
                    continue
                t0 = time.perf_counter()
                drawn = await tab.rerun("rlhf", moves={"w_kl": str(kl)})
                _answered(tally, name, drawn, time.perf_counter() - t0)
        if fresh_kl is not None:  # a second tab: the link the facilitator shared (zh, bias 0.9)
            async with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT_S) as ws:
                await _fresh(Tab(ws, name), tally, name, fresh_kl)
    except Exception as e:  # noqa: BLE001 - every failure is a finding
        bucket = tally.errors if isinstance(e, RuntimeError) else tally.dropped
        bucket.append(f"{name}: {type(e).__name__}: {e}")


def _answered(tally: Tally, name: str, drawn: set[str], seconds: float) -> None:
    if "download_button" not in drawn:
        tally.errors.append(f"{name}: a cached setting did not show its results")
    tally.cached_s.append(seconds)


async def _fresh(tab: Tab, tally: Tally, name: str, kl: float) -> None:
    """Move to a setting nobody trained (bias 0.9) and poll as a browser does: the page's polling fragments
    (ui/poll.py: the status, and the live charts), each rerun when its interval the server asked for is up, until the
    job's end reruns the whole page."""
    t0 = time.perf_counter()
    await tab.rerun("rlhf", "lang=zh&kl=0.1&bias=0.9")
    drawn = await tab.rerun("rlhf", moves={"w_kl": str(kl)})
    ticks = 0
    while "download_button" not in drawn:
        if time.perf_counter() - t0 > FRESH_TIMEOUT_S:
            tally.errors.append(f"{name}: the fresh run for kl={kl:g} did not finish in {FRESH_TIMEOUT_S:.0f} s")
            return
        if not tab.auto:
            await asyncio.sleep(1.0)
            drawn = await tab.rerun("rlhf")
            continue
        step = min(tab.auto.values())
        await asyncio.sleep(step)
        ticks += 1
        drawn = set()
        for fragment, interval in list(tab.auto.items()):  # the status fragment first: the one that sees the end
            if "download_button" in drawn:
                break  # the job ended: the whole page ran again, and the other fragment's id is gone
            if ticks % max(1, round(interval / step)) == 0:
                drawn |= await tab.rerun("rlhf", fragment=fragment)
    tally.fresh_s.append(time.perf_counter() - t0)


def prepare(cache_dir: Path) -> None:
    """The cached settings, trained if missing; the fresh ones' PPO entries removed (earlier stages stay)."""
    cache = Cache(cache_dir)
    for lang, kl, bias in CACHED:
        cfg = preset("fast", kl_coef=kl, reward_bias=bias, lang=lang)
        if not is_cached(cfg, cache):
            run(cfg, cache)
    for kl in FRESH_KL:
        shutil.rmtree(cache.path("rlhf", stage_keys(preset("fast", kl_coef=kl, reward_bias=0.9))["rlhf"]),
                      ignore_errors=True)


def fresh_plan(n: int) -> list[float | None]:
    """Which participants go fresh: one in eight; all to the first fresh stop but one, who takes the second."""
    plan: list[float | None] = [None] * n
    fresh = list(range(3, n, 8))
    for j, i in enumerate(fresh):
        plan[i] = FRESH_KL[1] if j == len(fresh) - 1 and len(fresh) > 1 else FRESH_KL[0]
    return plan


async def _sample_rss(srv, peak: list[float], k: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[k] = max(peak[k], srv.rss_mib())
        await asyncio.sleep(0.25)


def server_of(i: int, servers: int) -> int:
    """Which server participant ``i`` talks to: round robin, shifted every eight so that the fresh participants
    (one in eight, ``fresh_plan``) are spread over the servers too."""
    return (i + i // 8) % servers


async def _drive(srvs: list, n: int, ramp_s: float) -> tuple[Tally, float]:
    tally, peak, stop = Tally(), [0.0] * len(srvs), asyncio.Event()
    samplers = [asyncio.create_task(_sample_rss(srv, peak, k, stop)) for k, srv in enumerate(srvs)]
    plan = fresh_plan(n)
    await asyncio.gather(*(participant(i, srvs[server_of(i, len(srvs))].url, tally, plan[i], ramp_s)
                           for i in range(n)))
    stop.set()
    for sampler in samplers:
        await sampler
    return tally, max(peak)


def run_async(coro):
    """asyncio.run in a thread of its own: the caller may already run an event loop (Playwright's does)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def load_test(n: int = 40, cache_dir: Path | None = None, ramp_s: float = 10.0, log: Path | None = None,
              servers: int = 1) -> dict:
    """Run the whole load test on ``servers`` processes over one cache folder; return its report (see the module
    docstring). Their logs: ``log``, or ``log``'s name with ``-1``, ``-2`` … for several."""
    cache_dir = Path(cache_dir or tempfile.mkdtemp(prefix="wuji-load-"))
    prepare(cache_dir)
    fresh_wanted = {kl for kl in fresh_plan(n) if kl is not None}
    entries = [f"rlhf-{stage_keys(preset('fast', kl_coef=kl, reward_bias=0.9, lang='zh'))['rlhf']}"
               for kl in fresh_wanted]
    journal = Claims(RoomDB(database_url(cache_dir)))
    before = sum(len(journal.trainings(e)) for e in entries)
    log = log or cache_dir / "server.log"
    logs = [log] if servers == 1 else [log.with_name(f"{log.stem}-{k + 1}{log.suffix}") for k in range(servers)]
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        srvs = [stack.enter_context(server(cache_dir, path)) for path in logs]
        tally, peak = run_async(_drive(srvs, n, ramp_s))
        alive = all(srv.proc.poll() is None for srv in srvs)
    trained = sum(len(journal.trainings(e)) for e in entries) - before
    c = sorted(tally.cached_s)
    report = {
        "participants": n,
        "servers": servers,
        "seconds": round(time.perf_counter() - t0, 1),
        "errors": len(tally.errors),
        "dropped": len(tally.dropped) + (0 if alive else n),
        "cached_answers": len(c),
        "cached_p50_s": round(statistics.median(c), 3) if c else None,
        "cached_p95_s": round(c[min(len(c) - 1, int(0.95 * len(c)))], 3) if c else None,
        "fresh_runs_waited": len(tally.fresh_s),
        "fresh_s_max": round(max(tally.fresh_s), 1) if tally.fresh_s else None,
        "fresh_s_median": round(statistics.median(tally.fresh_s), 1) if tally.fresh_s else None,
        "fresh_settings": len(fresh_wanted),
        "trainings_started": trained,
        "peak_rss_mib": round(peak),
        "messages": (tally.errors + tally.dropped)[:20],
    }
    return report


def verdicts(report: dict) -> dict[str, str]:
    out = {}
    for name, (bound, op) in TARGETS.items():
        x = report.get(name)
        ok = x is not None and (x <= bound if op == "<=" else x >= bound)
        out[name] = "PASS" if ok else "MISS"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=40)
    ap.add_argument("--servers", type=int, default=1, help="server processes sharing the cache (default 1)")
    ap.add_argument("--cache-dir", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    report = load_test(args.participants, args.cache_dir, servers=args.servers)
    report["verdicts"] = verdicts(report)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
