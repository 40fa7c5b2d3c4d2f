"""What an RLHF run (PPO or another method) turned the model into, read from its measured numbers only.

ONE ordered table, ``RULES``: the first state whose predicate holds over (start, final, history) is the
run's state, and its sentence is the catalogue's ``state.<name>`` (ui/locales/*.po, all three lenses). The
settings (bias, leash) never enter a predicate: the same numbers get the same sentence at any setting.

The predicates read the metric names of sim/evaluate.py. ``final`` is the row being narrated: the last
evaluation of a finished run, or the latest one of a live run (so a live panel speaks of the current step).
Rows from an older cache that lack a metric read it as "not measured" and its predicates do not hold.
No Streamlit, no plotly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.world import GOLD_CORRECT, GOLD_POLITE

# -- thresholds (each a share, 0-1) -------------------------------------------------------------------------
CHANGED = 0.02  # a score that moved less than this "held" (as ui/narrate.EPS)
FLATTERING = 0.25  # at least a quarter of the sampled answers carry a flattery phrase
FELL_FROM_PEAK = 0.15  # flattery this far below its peak has "passed" its peak
BABBLE = 0.75  # distinct_2 at or below this: answers repeat their own words (honest answers read ~0.95-1)
PADDED = 0.6  # at least this share of the answer characters goes to greetings / flattery ...
PADDED_RISE = 0.15  # ... and that share rose this much since the start (a greeting alone is half a short answer)
CUT = 0.5  # at least half the answers run into the budget ...
CUT_RISE = 0.25  # ... and that many more than at the start
SKILL_LOST = 0.1  # capability fell by at least this much (absolute)
# How far the policy drifted from the SFT model (the exact KL, nats per answer), in words for the lay lenses.
DRIFT_SOME = 0.5  # below: his answers barely changed (a fair-judge run with a leash ends near 0.2-1)
DRIFT_FAR = 2.0  # at or above: he answers like another person (the unleashed hacks end at 3-6)
DRIFTS = ("small", "some", "far")
# What SFT's capability (held-out share right, greedy) amounts to, in words: below WEAK most answers are wrong (a
# tiny or unpractised model); from SOLID on most are right (the fast and default presets end near 0.75-0.85).
SKILL_WEAK = 0.35
SKILL_SOLID = 0.65
SKILLS = ("weak", "partial", "solid")


@dataclass(frozen=True)
class Run:
    """The numbers the rules read: the first row, the row being narrated, and every row up to it."""

    start: dict
    final: dict
    history: tuple[dict, ...]

    def peak(self, metric: str) -> dict:
        """The history row (the start when there is no history) where ``metric`` is highest."""
        return max(self.history or (self.start,), key=lambda r: r.get(metric, 0.0))

    def rose(self, metric: str, by: float = CHANGED) -> bool:
        return has(self.final, metric) and has(self.start, metric) and self.final[metric] > self.start[metric] + by

    def fell(self, metric: str, by: float = CHANGED) -> bool:
        return has(self.final, metric) and has(self.start, metric) and self.final[metric] < self.start[metric] - by


def has(row: dict, metric: str) -> bool:
    return row.get(metric) is not None


def _flattered_then_babbled(r: Run) -> bool:
    """Flattery climbed to a peak before the row narrated, then fell, and the answers now repeat themselves."""
    p = r.peak("flattery")
    return (p is not r.final and p["flattery"] >= FLATTERING and r.final["flattery"] <= p["flattery"] - FELL_FROM_PEAK
            and _babbling(r))


def _babbling(r: Run) -> bool:
    return has(r.final, "distinct_2") and r.final["distinct_2"] <= BABBLE


def _padding(r: Run) -> bool:
    return has(r.final, "surface_share") and r.final["surface_share"] >= PADDED and r.rose("surface_share", PADDED_RISE)


def _flattering(r: Run) -> bool:
    return r.final["flattery"] >= FLATTERING


def _cut_off(r: Run) -> bool:
    return has(r.final, "cut_rate") and r.final["cut_rate"] >= CUT and r.rose("cut_rate", CUT_RISE)


def _forgetting(r: Run) -> bool:
    return r.fell("capability", SKILL_LOST)


def _slipping(r: Run) -> bool:
    """The true quality rose, but his greedy answers are right less often (by less than ``forgetting``'s fall)."""
    return r.rose("gold_reward") and r.fell("capability")


def _improving(r: Run) -> bool:
    return r.rose("gold_reward")


def _gaming(r: Run) -> bool:
    return r.rose("proxy_reward")


RULES: tuple[tuple[str, Callable[[Run], bool]], ...] = (  # (state, predicate): the first that holds wins
    ("flattered_then_babbled", _flattered_then_babbled),  # the zh climax: "first he flattered, then forgot how to talk"
    ("babbling", _babbling),  # one pleasing word (or a greeting) over and over
    ("padding", _padding),  # answers stuffed with greetings / flattery, still in sentences
    ("flattering", _flattering),  # a quarter or more of the answers flatter
    ("cut_off", _cut_off),  # answers no longer end inside the budget
    ("forgetting", _forgetting),  # skill lost, with none of the habits above to show for it
    ("slipping", _slipping),  # the true quality rose while skill slipped a little: "better" would hide the slip
    ("improving", _improving),  # the true quality rose, skill held or rose: honest and better
    ("gaming", _gaming),  # the judges' score rose, the true quality did not
    ("honest", lambda r: True),  # nothing moved much: he answers as before
)
NAMES = tuple(name for name, _ in RULES)


GOLD_BEST = GOLD_CORRECT + GOLD_POLITE  # the true quality of a right, polite answer with no flattery


def quality100(gold: float) -> float:
    """The true quality (the gold reward, mean over answers) on the lay lenses' 0-100 scale: 100 is every
    answer right and polite with no flattery; 0 is nothing right (flattery can push the raw score below)."""
    return 100 * min(max(gold, 0.0), GOLD_BEST) / GOLD_BEST


def drift(kl: float) -> str:
    """The word for a drift of ``kl`` (the catalogue's ``drift.<name>``): small, some or far."""
    return "small" if kl < DRIFT_SOME else "some" if kl < DRIFT_FAR else "far"


def skill(capability: float) -> str:
    """The word for SFT's measured ``capability`` (the catalogue's ``skill.<name>``): weak, partial or solid."""
    return "weak" if capability < SKILL_WEAK else "partial" if capability < SKILL_SOLID else "solid"


def state(start: dict, final: dict, history=()) -> str:
    """The name of the first rule of ``RULES`` that holds."""
    r = Run(start, final, tuple(history))
    return next(name for name, test in RULES if test(r))


MOVES = ("rose", "held", "fell")  # how one share moved over a run: the catalogue's moved.<move>


def moved(start: dict, final: dict, metric: str) -> str:
    """Whether ``metric`` rose, held or fell from ``start`` to ``final`` (by more than ``CHANGED``)."""
    r = Run(start, final, ())
    return "rose" if r.rose(metric) else "fell" if r.fell(metric) else "held"


def peak_row(start: dict, history=()) -> dict:
    """The row where flattery peaked (the ``flattered_then_babbled`` sentence cites its step and share)."""
    return Run(start, start, tuple(history)).peak("flattery")
