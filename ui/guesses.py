"""The room's guesses (predict-then-see): a thread-safe tally shared by every session of this server
process (no Streamlit).

No accounts: a voter is a browser tab's random key. Each voter has one vote a question and may change
it; a question is a string naming what is guessed and for which setting (``ui.story.question_id``).
"""

from __future__ import annotations

import threading
from collections import Counter

CHOICES = ("up", "flat", "down")  # a guess: the metric will rise, hold or fall
MAX_QUESTIONS = 2000  # a bound on memory: the oldest question goes first


class Guesses:
    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices
        self._lock = threading.Lock()
        self._votes: dict[str, dict[str, str]] = {}  # question -> voter -> choice (insertion-ordered)

    def vote(self, question: str, voter: str, choice: str) -> None:
        """Record (or change) this voter's guess."""
        if choice not in self.choices:
            raise ValueError(f"a guess must be one of {', '.join(self.choices)}; got {choice!r}")
        with self._lock:
            if question not in self._votes and len(self._votes) >= MAX_QUESTIONS:
                del self._votes[next(iter(self._votes))]
            self._votes.setdefault(question, {})[voter] = choice

    def guess(self, question: str, voter: str) -> str | None:
        with self._lock:
            return self._votes.get(question, {}).get(voter)

    def tally(self, question: str) -> dict[str, int]:
        """How many voters chose each answer (every answer listed, zeros included)."""
        with self._lock:
            counts = Counter(self._votes.get(question, {}).values())
        return {c: counts.get(c, 0) for c in self.choices}

    def questions(self) -> list[str]:
        """The questions anybody answered, newest last."""
        with self._lock:
            return list(self._votes)

    def clear(self) -> None:
        with self._lock:
            self._votes.clear()


ROOM = Guesses(CHOICES)  # the one room of this server process
