"""A background runner for one pipeline run: pure Python, no Streamlit.

``Job(cfg, cache)`` starts a daemon thread that iterates ``sim.pipeline.run_stream(cfg, cache)``
and appends every event to a thread-safe list. A page keeps the Job in its own session state
and polls it (``snapshot()``, ``progress()``, ``done``, ``result``, ``error``); the worker
never touches the user interface. ``stop()`` asks the worker to close the generator after the
event in hand: the stages already finished stay cached on disk.
"""

from __future__ import annotations

import threading
import time

from sim.config import STAGES, Config
from sim.events import Diverged, Event


class Job:
    def __init__(self, cfg: Config, cache=None, start: bool = True):
        self.cfg = cfg
        self.cache = cache
        self.result: dict | None = None
        self.error: str | None = None
        self.done = False
        self.stopped = False
        self.started_at = time.monotonic()
        self.finished_at: float | None = None
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name=f"wuji-job-{id(self):x}", daemon=True)
        if start:
            self._thread.start()

    # -- the worker ---------------------------------------------------------------------------
    def _work(self) -> None:
        from sim.pipeline import run_stream  # torch loads here, in the worker, never at import

        gen = None
        try:
            gen = run_stream(self.cfg, self.cache)
            for ev in gen:
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
            self.done = True

    # -- what a page reads ----------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the worker to stop after the current event; finished stages stay cached."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    @property
    def running(self) -> bool:
        return not self.done

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

    def elapsed(self) -> float:
        end = self.finished_at if self.finished_at is not None else time.monotonic()
        return end - self.started_at
