"""The state a page can see: ONE typed table of every ``st.session_state`` key the app uses (what one browser
tab keeps), and the one ``Server`` object every tab shares (``server()``, kept by ``sim.server.shared``).

As ``ui/state.py`` is for the URL, this file is for the session: each key is a ``Slot`` (one key) or a
``Slots`` (a family of keys sharing a prefix) with its type and meaning, and every read and write goes
through it (``VALUES.get()``, ``JOB.set(job)``, ``WIDGET.get("kl")``). No other module touches
``st.session_state`` (tests/test_architecture.py fails on one that does).

Widgets whose value the app reads back from the state (``on_change`` callbacks, values set before drawing)
have their keys here too. Other widget keys (``key="train"``, ``key="hands_n"``…) only name the widget: the
app reads those values from the widget's return, never from the state.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import streamlit as st

from sim.cache import Cache, default_cache_dir
from sim.server import Server, shared

if TYPE_CHECKING:
    from sim.jobs import Job
    from sim.stepper import Stepper
    from ui.state import UrlWarning

T = TypeVar("T")
COOKIE = "wuji_visitor"  # the cookie that keeps PERSON: a random key, nothing else
COOKIE_DAYS = 30  # a workshop lasts a day; a student coming back within a month finds their own rankings


@dataclass(frozen=True)
class Slot(Generic[T]):
    """One session-state key: its name, the type of its value (as text) and what it means."""

    name: str
    kind: str
    meaning: str

    def get(self, default: T | None = None) -> T | None:
        return st.session_state.get(self.name, default)

    def set(self, value: T) -> None:
        st.session_state[self.name] = value

    def pop(self, default: T | None = None) -> T | None:
        return st.session_state.pop(self.name, default)

    def setdefault(self, make: Callable[[], T]) -> T:
        if self.name not in st.session_state:
            st.session_state[self.name] = make()
        return st.session_state[self.name]

    def present(self) -> bool:
        return self.name in st.session_state


@dataclass(frozen=True)
class Slots(Generic[T]):
    """A family of session-state keys ``<prefix><suffix>`` (one per URL parameter, per question…)."""

    prefix: str
    kind: str
    meaning: str

    def __call__(self, suffix: str) -> Slot[T]:
        return Slot(f"{self.prefix}{suffix}", self.kind, self.meaning)

    def key(self, suffix: str) -> str:
        """The widget key of one member (for ``key=``)."""
        return f"{self.prefix}{suffix}"


# -- the URL's values and the frame (ui.sidebar, ui.frame) --------------------------------------------------
VALUES: Slot[dict] = Slot("values", "dict", "the URL parameters' values (ui.state.table), parsed once a session; "
                          "written back to the URL every run")
URL_WARNINGS: Slot[list[UrlWarning]] = Slot("url_warnings", "list[UrlWarning]", "the link's bad values, shown until "
                                            "a control moves")
AUTOSTART: Slot[bool] = Slot("autostart", "bool", "a KL / bias / PPO-ptx control moved: the next page run trains "
                             "PPO at once (unless cached)")
ROUTED: Slot[bool] = Slot("routed", "bool", "app.py routed this run (set just before nav.run(); the page pops it)")
ADMITTED: Slot[bool] = Slot("admitted", "bool", "this tab gave the room password ($WUJI_PASSWORD)")
PASSWORD: Slot[str] = Slot("password", "str", "widget: the password box (cleared once admitted)")
WIDGET: Slots[Any] = Slots("w_", "value of the URL parameter", "widget: a control bound to URL parameter <name> "
                           "(ui.sidebar.control); also w_ptx (bool) and w_present (bool)")
GRID: Slots[float] = Slots("x_", "float", "widget: the explorer's slider for URL parameter <name>, on the map's stops")

# -- training on the server's Board (ui.widgets, ui.poll, ui.explore, ui.ranking, ui.hands) ------------------
PERSON: Slot[str] = Slot("person", "str", "this browser's random key (no accounts): one participant in the pool, "
                         "the guesses and the Board's head count, across reloads and tabs (cookie COOKIE)")
COOKIE_SENT: Slot[bool] = Slot("cookie_sent", "bool", "this tab asked its browser to keep PERSON (said once a session)")
VISITOR: Slot[str] = Slot("visitor", "str", "this tab's key on the server's Board: '<person>/<random>'")
JOB: Slot[Job] = Slot("job", "Job", "this tab's run of the whole pipeline for the page's settings")
LEFT_RUN: Slot[int] = Slot("left_run", "int", "this tab stopped waiting for a run that goes on for <n> others "
                           "(said once)")
LAST_DOC: Slot[dict] = Slot("last_doc", "dict", "the last finished result shown (drawn as that run's, under a notice "
                            "naming its settings, while the current setting is untrained; same language only)")
CALIBRATION: Slot[Job] = Slot("calibration", "Job", "the server's measuring of its training speed this tab "
                              "waits for (sim/speed.py), before it can say how long a run takes")
SWEEP_JOB: Slot[Job] = Slot("sweep_job", "Job", "the explorer's sweep this tab waits for")
METHODS_JOB: Slot[Job] = Slot("methods_job", "Job", "the explorer's best-of-n / DPO / RLOO job this tab waits for")
JUDGING_JOB: Slot[Job] = Slot("judging_job", "Job", "the challenges page's annotator run this tab waits for")
LEFT: Slots[str] = Slots("left_", "str", "the key of a job <sweep_job | methods_job | judging_job> this tab "
                         "left while others wait for it (it is not joined again)")
SWEEP_DRAWN: Slot[tuple[int, float]] = Slot("sweep_drawn", "tuple[int, float]", "(rows, monotonic time) when the "
                                            "sweep's charts were last drawn")

# -- the room as annotators (ui.ranking) ---------------------------------------------------------------------
RANK_QUEUE: Slot[list] = Slot("rank_queue", "list[(Item, answer, answer)]", "the pairs drawn for this tab to "
                              "rank, next first")
RANK_KEY: Slot[str] = Slot("rank_key", "str", "the SFT model's cache key the queued pairs were drawn from")
RANK_DRAWN: Slot[int] = Slot("rank_drawn", "int", "how many batches of pairs this tab has drawn (seeds the next)")
RANK_ERROR: Slot[str] = Slot("rank_error", "str", "why the last ranking was refused (said once)")
RANK_RESULT: Slot[str] = Slot("rank_result", "str", "the pool key of the retraining this tab asked for last")
RANK_JOB: Slot[Job] = Slot("rank_job", "Job", "the retraining on the room's rankings this tab waits for")

# -- the playground (ui.hands) and the tour (ui.guide) -------------------------------------------------------
HANDS: Slot[Stepper] = Slot("hands", "Stepper", "this tab's hands-on run (its models and events between clicks)")
HANDS_JOB: Slot[Job] = Slot("hands_job", "Job", "the Board job advancing HANDS now (play, or a step); none: paused")
TOUR_UNDO: Slot[dict] = Slot("tour_undo", "dict", "the values before this tab took a tour step's suggested scenario "
                              "(its undo button puts them back)")
GUESS: Slots[str] = Slots("guess_", "str", "widget: this tab's guess for question <qid> (ui.story.question_id)")
JOIN_JUDGE: Slot[bool] = Slot("join_judge", "bool", "this phone asked to rank pairs of answers (ui.join.judge)")

TABLE: tuple[Slot | Slots, ...] = (
    VALUES, URL_WARNINGS, AUTOSTART, ROUTED, ADMITTED, PASSWORD, WIDGET, GRID,
    PERSON, COOKIE_SENT, VISITOR, JOB, LEFT_RUN, LAST_DOC, CALIBRATION, SWEEP_JOB, METHODS_JOB, JUDGING_JOB, LEFT,
    SWEEP_DRAWN,
    RANK_QUEUE, RANK_KEY, RANK_DRAWN, RANK_ERROR, RANK_RESULT, RANK_JOB,
    HANDS, HANDS_JOB, TOUR_UNDO, GUESS, JOIN_JUDGE,
)


# -- what every tab shares ---------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _cache(root: str) -> Cache:
    return Cache(root)


def cache() -> Cache:
    """The on-disk cache (one per folder): immutable, shared by every visitor."""
    return _cache(str(default_cache_dir()))


def server() -> Server:
    """The server's shared state (board, rankings, guesses, models) over the cache folder in use
    (``sim.server.shared``: made once, then shared by every tab)."""
    return shared(cache())


def person() -> str:
    """This browser's key in the pool, the guesses and the Board's head count (no accounts).

    A reload is a new Streamlit session, so a key kept in the session alone made a participant who reloaded a
    second person for up to ``Board.here_s`` ("1 other participant asked for these settings": themself) and let
    them vote on a question twice. The key therefore lives in a cookie (``remember`` writes it), and a new
    session reads it back (``st.context.cookies``); a value that is not one of our keys is replaced."""
    return PERSON.setdefault(lambda: carried_person(st.context.cookies.get(COOKIE)) or uuid.uuid4().hex)


def carried_person(raw: object) -> str | None:
    """The key a cookie carries, or None for a missing or foreign value (32 lowercase hex digits, as uuid4 writes;
    Streamlit's AppTest gives a stand-in object, not text)."""
    return raw if isinstance(raw, str) and re.fullmatch(r"[0-9a-f]{32}", raw) else None


def visitor() -> str:
    """This tab's key on the server's Board: ``<person>/<random>`` (``sim.jobs.Board`` counts a person once)."""
    return VISITOR.setdefault(lambda: f"{person()}/{uuid.uuid4().hex[:8]}")


def remember() -> None:
    """Ask the browser to keep ``person()`` (once a session, when its cookie did not already carry it). Streamlit
    reads cookies and cannot set them, so a line of JavaScript does (``st.html``, ``unsafe_allow_javascript``)."""
    if COOKIE_SENT.get() or carried_person(st.context.cookies.get(COOKIE)) == person():
        return
    COOKIE_SENT.set(True)
    st.html(f"<script>document.cookie = '{COOKIE}={person()}; path=/; max-age={COOKIE_DAYS * 86400}; "
            "SameSite=Lax';</script>", unsafe_allow_javascript=True)
