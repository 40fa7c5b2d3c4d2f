"""Background training for the app: one ``Job`` a run, and the server's ``Board`` that queues them.
Torch-free, no Streamlit.

``Job(cfg, cache)`` starts a daemon thread that iterates ``sim.pipeline.run_stream(cfg, cache)`` (reached
through ``sim.torch_side()``: torch loads in the worker, never at import) and appends every event to a
thread-safe list. A page keeps the Job in its own session state and polls it (``snapshot()``,
``progress()``, ``done``, ``result``, ``error``); the worker never touches the user interface. ``stop()``
asks the worker to close the generator after the event in hand: the stages already finished stay cached.

A workshop server has many visitors and few cores, so the app never starts Jobs itself: it asks
the server's Board (``sim.server.Server.board``) to ``submit(cfg, visitor)``, which joins a run of the
same config (single flight) or queues a new one behind at most ``workers`` running ones (see ``Board``).

The Board is the app's ONE concurrency model: every training of the server runs as a Job on it: the
pipeline, a sweep, the other methods, the room's retraining, and the hands-on playground's play and step
(``stepping``: a stream that advances a visitor's ``sim.stepper.Stepper``; stopping it is a pause, since the
Stepper keeps its stage generators suspended). No page trains in its own thread.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator

from sim import torch_side
from sim.cache import stage_keys
from sim.config import STAGES, Config
from sim.events import Diverged, Event
from sim.speed import Meter, SpeedBook, shape

Stream = Callable[[Config, object], Iterator[Event]]
CALIBRATE = "calibrate-"  # the key prefix of a Job measuring the server's speed (``Board.calibration``)
# Why a Job is on the Board: "work" someone waits for; "calibrate", the server measuring its speed; "prefetch", a
# setting nobody asked for yet, trained while a worker is idle (``Board.prefetch``). The last two yield to work.
PURPOSES = ("work", "calibrate", "prefetch")


class Job:
    def __init__(self, cfg: Config, cache=None, start: bool = True, stream: Stream | None = None, key: str = ""):
        self.cfg = cfg
        self.cache = cache
        self.stream = stream  # (cfg, cache) -> events ending in "done"; None: the whole pipeline
        self.key = key or config_key(cfg)
        self.result: dict | None = None
        self.error: str | None = None
        self.done = False
        self.stopped = False
        self.started_at: float | None = None  # None while queued
        self.finished_at: float | None = None
        self.on_done: Callable[[Job], None] | None = None  # the Board's hook, called from the worker
        self.threads: int | None = None  # torch threads for this run (the Board sets them)
        self.nice = 0  # a higher value yields the CPU to the web server first (Linux, per thread)
        self.purpose = "work"  # one of PURPOSES (the Board sets it)
        self.yielded = False  # stopped by the Board to make room for work (a prefetch then goes back in the queue)
        self.book: SpeedBook | None = None  # where its measured speed goes when it ends (the Board sets it)
        self.meter = Meter()  # the time of each event it passed on (sim/speed.py)
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._work, name=f"wuji-job-{id(self):x}", daemon=True)
        if start:
            self.begin()

    def begin(self) -> None:
        self.started_at = time.monotonic()
        self._thread.start()

    # -- the worker ---------------------------------------------------------------------------
    def _work(self) -> None:
        gen = None
        try:
            _lower_priority(self.nice)
            side = torch_side()
            if self.threads:
                side.set_threads(self.threads)
            gen = (self.stream or side.run_stream)(self.cfg, self.cache)
            self.meter.start()
            for ev in gen:
                self.meter.see(ev)
                if ev.stage == "done":
                    self.result = ev.extra.get("result")
                with self._lock:
                    self._events.append(ev)
                if self._stop.is_set():
                    self.stopped = True
                    break
        except Diverged as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - any failure must reach the page as a message
            self.error = f"{type(e).__name__}: {e}"
        finally:
            if gen is not None:
                try:
                    gen.close()
                except Exception as e:  # noqa: BLE001
                    self.error = self.error or f"{type(e).__name__}: {e}"
            self.finished_at = time.monotonic()
            if self.book is not None and self.error is None:
                self.book.record(self.cfg, self.meter.rates(), provisional=self.purpose == "calibrate")
            self.done = True
            self._finished.set()
            if self.on_done is not None:
                self.on_done(self)

    # -- what a page reads ----------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the worker to stop after the current event; finished stages stay cached."""
        self._stop.set()

    def withdraw(self) -> None:
        """A queued Job that will never start: done, stopped, nothing trained."""
        self.stopped = self.done = True
        self._finished.set()

    def join(self, timeout: float | None = None) -> bool:
        self._finished.wait(timeout)
        return self.done

    @property
    def running(self) -> bool:
        return not self.done

    @property
    def stopping(self) -> bool:
        """Asked to stop, and its worker has not ended yet (it still holds a worker)."""
        return self._stop.is_set() and not self.done

    def snapshot(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def progress(self) -> dict[str, float]:
        """Fraction done of each stage (0-1), from the events so far."""
        frac = dict.fromkeys(STAGES, 0.0)
        for ev in self.snapshot():
            if ev.stage in frac and ev.total:
                frac[ev.stage] = max(frac[ev.stage], min(1.0, ev.step / ev.total))
        if self.result is not None:
            frac = dict.fromkeys(STAGES, 1.0)
        return frac

    def current_stage(self) -> str | None:
        events = self.snapshot()
        return events[-1].stage if events else None

    @property
    def queued(self) -> bool:
        return self.started_at is None and not self.done

    def elapsed(self) -> float:
        """Seconds spent training (0 while queued)."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else time.monotonic()
        return end - self.started_at


def _lower_priority(nice: int) -> None:
    """Raise this thread's nice value (Linux schedules threads; others ignore it)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:
        pass


# -- the server's board: single flight and a bounded queue -------------------------------------------
PREFETCH = "prefetch:"  # the watcher key of a visitor's prefetches (``Board.prefetch``)


def default_workers() -> int:
    """Trainings at once: ``$WUJI_WORKERS``, else one per 4 cores (at least 1). torch already spreads one
    training over the cores; two at once on a small machine oversubscribe them and both slow down."""
    raw = os.environ.get("WUJI_WORKERS", "")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 64:
            raise ValueError(f"WUJI_WORKERS must be a whole number from 1 to 64, not {raw!r}")
        return int(raw)
    return max(1, (os.cpu_count() or 1) // 4)


def default_threads(workers: int) -> int:
    """torch threads a training: ``$WUJI_THREADS``, else every core, shared by the workers. The web server needs no
    core of its own: a training's threads run at a lower priority (``nice``), so a page run takes a core the moment
    it needs one (docs/performance.md, "The app against the command line": the cores less one left the app 1.5x
    slower). ``WUJI_THREADS=1`` suits a machine whose cores other work uses too (the test suite's trainings)."""
    raw = os.environ.get("WUJI_THREADS", "")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 256:
            raise ValueError(f"WUJI_THREADS must be a whole number from 1 to 256, not {raw!r}")
        return int(raw)
    return every_core(workers)


def every_core(workers: int) -> int:
    """The cores, shared by the workers (at least one thread each)."""
    return max(1, (os.cpu_count() or 1) // workers)


class Board:
    """Every training of one server goes through here (pure Python; no Streamlit).

    - **Single flight**: one Job per configuration. A visitor asking for a run that is queued or running
      joins it as a watcher; nothing is trained twice.
    - **Bounded queue**: at most ``workers`` Jobs train at once; the rest wait in order. ``place`` and
      ``wait_s`` tell a watcher where they stand.
    - **A responsive server**: a training uses the cores (``threads``, shared by the workers) at a lower priority
      (``nice``), so page runs come first.
    - **Work first**: measuring the server's speed (``calibration``) and training settings before anyone asks
      (``prefetch``) queue behind every run somebody waits for, and a running one stops after the event in hand
      when such a run would wait for its worker; a stopped prefetch goes back to the end of the queue.
    - **Watchers**: each tab is a key, ``<person>/<tab>`` (a browser's key, then the tab's: ``ui.session.visitor``).
      ``cancel`` drops one watcher; a Job nobody watches any more leaves the queue, or stops if it runs (finished
      stages stay cached). ``touch`` marks a watcher alive; one silent for ``ttl_s`` (a closed tab) is dropped the
      same way. A page polls every few seconds, so only watchers seen within ``here_s`` are *here now*:
      ``watchers`` counts their persons (what the page tells its visitor: a person's tabs, a reloaded one among
      them, count once), and when a visitor cancels, a watcher silent longer (a reloaded or closed tab inside its
      ``ttl_s``) no longer keeps the run going.
    """

    def __init__(self, cache=None, workers: int | None = None, ttl_s: float = 180.0, threads: int | None = None,
                 nice: int = 10, prefetching: bool = True, here_s: float = 15.0):
        self.cache = cache
        self.workers = workers or default_workers()
        self.prefetching = prefetching  # False: ``prefetch`` trains nothing
        self.threads = threads or default_threads(self.workers)
        self.nice = nice
        self.ttl_s = ttl_s
        self.here_s = here_s  # a watcher seen this recently is here now (pages poll every 0.5-2 s)
        self.warning: str | None = None
        self._lock = threading.Lock()
        self._queue: list[Job] = []
        self._running: list[Job] = []
        self._jobs: dict[str, Job] = {}  # config key -> the live Job (queued or running)
        self._seen: dict[Job, dict[str, float]] = {}  # Job -> watcher -> last seen (monotonic)
        self._estimate: dict[Job, float] = {}
        self.book = SpeedBook(getattr(cache, "root", None), self.threads)  # this server's speed (sim/speed.py)
        self._calibrations: dict[str, Job] = {}  # shapes key -> the Job that measured them (once a server)
        board = weakref.ref(self)
        atexit.register(lambda: board() is not None and board().close())

    # -- what a page calls ------------------------------------------------------------------------
    def submit(self, cfg: Config, who: str, estimate_s: float | None = None, stream: Stream | None = None,
               key: str = "", purpose: str = "work") -> Job:
        """The live Job for cfg (joined), or a new one at the end of the queue. Work other than the whole
        pipeline (a sweep, another method) passes its ``stream`` and a ``key`` naming what it computes.
        ``estimate_s``: its measured time (``book.estimate``), None while this server has not measured it.
        ``purpose``: see PURPOSES; a visitor who asks for a prefetch makes it work (it moves ahead)."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
        key = key or config_key(cfg)
        with self._lock:
            self._expire()
            job = self._jobs.get(key)
            if job is None or (job.stopping and purpose == "work"):  # it ends with no result: work gets a new Job
                job = Job(cfg, self.cache, start=False, stream=stream, key=key)
                job.purpose = purpose
                self._jobs[key] = job
                self._seen[job] = {}
                self._estimate[job] = None if estimate_s is None else float(estimate_s)
                self._queue.append(job)
            if purpose == "work":  # a visitor asking for a prefetch makes it work
                job.purpose = "work"
                if job in self._queue:
                    self._ahead_of_background(job)
            self._seen[job][who] = time.monotonic()
            self._make_room()
            self._fill()
            return job

    def prefetch(self, cfg: Config, who: str, estimate_s: float | None = None) -> Job | None:
        """Train cfg while a worker is idle, for a visitor likely to ask for it next (the RLHF page's other leash
        stops): it waits behind all work and stops for it, and ``who``'s silence past ``ttl_s`` drops it.
        None when this server does not prefetch (``prefetching``)."""
        return self.submit(cfg, PREFETCH + who, estimate_s, purpose="prefetch") if self.prefetching else None

    def touch(self, job: Job, who: str) -> None:
        with self._lock:
            if job in self._seen:
                self._seen[job][who] = time.monotonic()
            self._expire()

    def cancel(self, job: Job, who: str) -> bool:
        """Drop one watcher; True when that stopped or dequeued the Job (nobody else here now watched it)."""
        with self._lock:
            seen = self._seen.get(job, {})
            seen.pop(who, None)
            now = time.monotonic()
            for other, t in list(seen.items()):  # tabs gone quiet do not hold a run somebody stopped
                if not other.startswith(PREFETCH) and now - t > self.here_s:
                    del seen[other]
            if self._drop_if_unwatched(job):
                return True
            if job.purpose == "work" and all(w.startswith(PREFETCH) for w in self._seen.get(job, {})):
                job.purpose = "prefetch"  # only prefetching keeps it: it yields to work from now on
                self._make_room()
            return False

    def calibration(self, cfg: Config, who: str) -> Job | None:
        """The Job measuring this server's speed for cfg's shapes (``sim.pipeline.calibrate``: a few seconds),
        submitted on the first call while the book cannot time a whole run of cfg; None once it can, or when
        the measuring already ran through (and failed: the app then says no time rather than a guess). One that
        stopped to make room for work (``yielded``) measures again on the next call."""
        if self.book.estimate(cfg, STAGES) is not None:
            return None
        key = CALIBRATE + "|".join(shape(cfg, s) for s in STAGES)
        with self._lock:
            tried = self._calibrations.get(key)
        if tried is not None and tried.done and not tried.yielded:
            return None
        job = self.submit(cfg, who, 0.0, stream=lambda c, cache: torch_side().calibrate(c, cache), key=key,
                          purpose="calibrate")
        with self._lock:
            self._calibrations[key] = job
        return job

    def remaining_s(self, job: Job) -> float | None:
        """Measured seconds left of a running pipeline Job: the book's rates, the live step time of the stage
        under way (None for other work, or while unmeasured)."""
        if job.stream is not None or job.done:
            return None
        return self.book.remaining(job.cfg, STAGES, job.progress(), job.meter)

    def live(self, key: str) -> Job | None:
        """The queued or running Job computing ``key`` (None when there is none): a visitor may join it."""
        with self._lock:
            return self._jobs.get(key)

    def watchers(self, job: Job) -> int:
        """People here now waiting for ``job``: the persons of the tabs seen within ``here_s``, each once (a
        prefetch nobody asked for has none)."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(job, {})
            return len({person(w) for w, t in seen.items() if not w.startswith(PREFETCH) and now - t <= self.here_s})

    def place(self, job: Job) -> int:
        """0 while the Job trains (or is done), else its position in the queue (1 = next)."""
        with self._lock:
            return self._queue.index(job) + 1 if job in self._queue else 0

    def wait_s(self, job: Job) -> float | None:
        """Measured seconds before a queued Job starts: what is left of the running ones, then the queue ahead
        (None when one of them has no measured estimate)."""
        with self._lock:
            if job not in self._queue:
                return 0.0
            ahead = [self._estimate[j] for j in self._queue[: self._queue.index(job)]]
            if any(self._estimate[j] is None for j in self._running if not j.stopping) or None in ahead:
                return None
            # a stopping Job still holds its worker, but only for the event in hand: nothing left to wait for
            left = sorted(0.0 if j.stopping else max(0.0, self._estimate[j] - j.elapsed()) for j in self._running)
            slots = left + [0.0] * (self.workers - len(left))  # when each worker frees up
            for est in ahead:
                slots.sort()
                slots[0] += est
            return min(slots) if slots else 0.0

    def done_in_s(self, job: Job) -> float | None:
        """Measured seconds before a queued Job is done: its wait, then its own estimate (None: unmeasured)."""
        with self._lock:
            own = self._estimate.get(job, 0.0)
        wait = self.wait_s(job)
        return None if wait is None or own is None else wait + own

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop every Job (finished stages stay cached) and wait up to ``timeout_s`` for the running ones to end.
        Called when the process exits: a training killed mid-step with torch's worker threads running aborts the
        interpreter ("terminate called without an active exception")."""
        with self._lock:
            for job in self._queue:
                job.withdraw()
            self._queue.clear()
            running = list(self._running)
            for job in running:
                job.stop()
        deadline = time.monotonic() + timeout_s
        for job in running:
            job.join(max(0.0, deadline - time.monotonic()))

    def status(self) -> dict:
        with self._lock:
            return {"running": len(self._running), "queued": len(self._queue), "workers": self.workers,
                    "threads": self.threads}

    # -- inside the lock ----------------------------------------------------------------------------
    def _ahead_of_background(self, job: Job) -> None:
        """Work goes before calibrations and prefetches: ``job`` moves ahead of the first of them in the queue."""
        self._queue.remove(job)
        at = next((i for i, j in enumerate(self._queue) if j.purpose != "work"), len(self._queue))
        self._queue.insert(at, job)

    def _make_room(self) -> None:
        """While work waits for a worker, the running calibrations and prefetches stop after the event in hand (a
        calibration's measures so far still go into the book; a prefetch goes back in the queue when it ends)."""
        if len(self._running) < self.workers or not any(j.purpose == "work" for j in self._queue):
            return
        for j in self._running:
            if j.purpose != "work" and not j.stopping:
                j.yielded = True
                j.stop()

    def _fill(self) -> None:
        """Start queued Jobs while a worker is free; a prefetch only on an idle server (two at once, or one beside
        a run still training the stages they share, would train those stages twice)."""
        while len(self._running) < self.workers:
            job = next((j for j in self._queue if j.purpose != "prefetch" or not self._running), None)
            if job is None:
                return
            self._queue.remove(job)
            self._running.append(job)
            job.on_done = self._finished
            job.threads, job.nice, job.book = self.threads, self.nice, self.book
            job.begin()

    def _finished(self, job: Job) -> None:
        with self._lock:
            if job in self._running:
                self._running.remove(job)
            again = job.yielded and job.purpose == "prefetch" and self._jobs.get(job.key) is job
            watchers, estimate = dict(self._seen.get(job, {})), self._estimate.get(job)
            self._forget(job)
            self._estimate.pop(job, None)
            if again and watchers:  # stopped to make room: it trains again once the work is done
                retry = Job(job.cfg, self.cache, start=False, stream=job.stream, key=job.key)
                retry.purpose = "prefetch"
                self._jobs[job.key], self._seen[retry], self._estimate[retry] = retry, watchers, estimate
                self._queue.append(retry)
            self._fill()

    def _forget(self, job: Job) -> None:
        """No new watcher joins ``job``. Its estimate stays while it holds a worker (``wait_s`` reads it)."""
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]
        self._seen.pop(job, None)

    def _drop_if_unwatched(self, job: Job) -> bool:
        if self._seen.get(job):
            return False
        if job in self._queue:
            self._queue.remove(job)
            job.withdraw()
            self._forget(job)
            self._estimate.pop(job, None)
            return True
        if job in self._running:
            job.stop()  # the worker ends after the event in hand and calls _finished
            self._forget(job)  # a visitor asking for this config again gets a fresh Job
            return True
        return False

    def _expire(self) -> None:
        now = time.monotonic()
        for job, seen in list(self._seen.items()):
            for who, t in list(seen.items()):
                if now - t > self.ttl_s:
                    del seen[who]
            if not seen:
                self._drop_if_unwatched(job)


def person(who: str) -> str:
    """The person of a watcher key ``<person>/<tab>`` (a key without a tab is a person of its own)."""
    return who.partition("/")[0]


def config_key(cfg: Config) -> str:
    """One key for a whole configuration: the last stage's cache key chains every stage before it."""
    return stage_keys(cfg)[STAGES[-1]]


def default_prefetching() -> bool:
    """Whether the server trains settings before anyone asks (``Board.prefetch``): ``$WUJI_PREFETCH`` is 1 (the
    default) or 0 (a busy shared server, or the tests, where nothing should train that a test did not ask for)."""
    raw = os.environ.get("WUJI_PREFETCH", "1")
    if raw not in ("0", "1"):
        raise ValueError(f"WUJI_PREFETCH must be 1 (train the other leash stops while idle) or 0, not {raw!r}")
    return raw == "1"


def create_board(cache) -> Board:
    """A Board for the server (``sim.server.Server.create``). A bad ``$WUJI_WORKERS``, ``$WUJI_THREADS`` or
    ``$WUJI_PREFETCH`` is said in its ``warning``: the server then trains one run at a time, on every core, or
    nothing ahead."""
    said = []
    try:
        workers = default_workers()
    except ValueError as e:
        workers = 1
        said.append(f"{e}; training one run at a time")
    try:
        threads = default_threads(workers)
    except ValueError as e:
        threads = every_core(workers)
        said.append(f"{e}; training on every core")
    try:
        prefetching = default_prefetching()
    except ValueError as e:
        prefetching = False
        said.append(f"{e}; nothing is trained ahead")
    board = Board(cache, workers=workers, threads=threads, prefetching=prefetching)
    board.warning = "; ".join(said) or None
    return board


def stepping(stepper, n: int | None = None, part: str | None = None) -> Stream:
    """A Job's stream that advances a ``sim.stepper.Stepper`` one step at a time and yields the events it
    made: ``n`` steps (None: until every stage is done), of ``part`` alone or (None) stage after stage. It ends
    early when the Stepper refuses (the part waits for an earlier one); a stopped Job is a pause."""

    def stream(cfg: Config, cache) -> Iterator[Event]:
        taken = 0
        while n is None or taken < n:
            before = {s: len(evs) for s, evs in stepper.events.items()}
            k = stepper.step(1, part, budget_s=None)
            yield from (e for s, evs in stepper.events.items() for e in evs[before.get(s, 0):])
            if k == 0:
                return
            taken += k

    return stream
