"""One way to poll a running job: ``watch``, the fragment every page uses while a Board job runs.

Every training of the server is a Job on its Board (sim/jobs.py: the app's one concurrency model; the
playground's play and step too). A page that waits for one calls ``watch``, a fragment rerun every
``POLL_S`` seconds that

  1. tells the Board this tab still watches (a closed tab stops polling and is dropped after ``ttl_s``);
  2. shows the job's place in the queue, or what it does now (the caller's ``status``);
  3. says how many other tabs wait for the same job;
  4. offers Stop / Cancel (unless the caller has its own button, as the playground's Pause);
  5. reruns the whole page when the job ends, or when the caller's ``redraw`` asks for it.

What the job has made so far (the caller's ``live``: its charts) is a second fragment, redrawn every ``LIVE_S``
seconds: rebuilding the charts and drawing them again in the browser took as much CPU as the training itself on a
2-core laptop that serves the app and shows it (docs/performance.md, "The app against the command line").
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from sim.jobs import Job
from ui import session, texts

POLL_S = 0.5
LIVE_S = 2.0


def watch(job: Job, lang: str, slot: session.Slot, status: Callable[[Job], None], *,
          live: Callable[[Job], None] | None = None, on_leave: Callable[[int], None] | None = None,
          stop: bool = True, redraw: Callable[[Job], bool] | None = None, every: float = POLL_S) -> None:
    """Poll ``job``, kept in this tab's session under ``slot`` (see the module's docstring for what a tick
    does). ``on_leave(others)``: what to remember when this tab presses Stop while others still wait."""

    @st.fragment(run_every=every)
    def tick():
        board = session.server().board
        board.touch(job, session.visitor())
        if job.queued:
            wait = board.done_in_s(job)
            if wait is None:  # not measured yet: say so in a sentence of its own, not as a time
                st.info(texts.t("queued_unmeasured", lang, place=board.place(job), workers=board.workers))
            else:
                st.info(texts.t("queued", lang, place=board.place(job), wait=texts.duration(wait, lang),
                                workers=board.workers))
        else:
            status(job)
        others = board.watchers(job) - 1
        if others > 0:
            st.caption(texts.t("watching_together", lang, n=others))
        if stop:
            stop_button(job, lang, slot, on_leave)
        if job.done or (redraw is not None and redraw(job)):
            st.rerun()

    @st.fragment(run_every=max(every, LIVE_S))
    def charts():
        live(job)

    tick()
    if live is not None:
        charts()


def stop_button(job: Job, lang: str, slot: session.Slot, on_leave: Callable[[int], None] | None = None) -> None:
    """The Stop / Cancel button of a job this tab polls. Pressed, this tab stops waiting for it; the Board stops
    the job only when nobody else waits, else ``on_leave(others)`` notes a run that goes on without this tab."""
    if st.button(texts.t("cancel" if job.queued else "stop", lang), key=f"stop_{slot.name}"):
        if leave(job, on_leave):
            job.join(5)  # the worker ends after the event in hand
        st.rerun()


def leave(job: Job | None, on_leave: Callable[[int], None] | None = None) -> bool:
    """This tab no longer waits for ``job``: the Board stops it only if nobody else watches it (True), else
    ``on_leave(others)`` is called when other people wait for it. Nothing happens to a job that is done."""
    if job is None or job.done:
        return False
    board = session.server().board
    others = board.watchers(job) - 1
    if board.cancel(job, session.visitor()):
        return True
    if on_leave is not None and others > 0:  # else only another tab of this person's keeps it going
        on_leave(others)
    return False
