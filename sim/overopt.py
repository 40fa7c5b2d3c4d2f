"""The over-optimisation curve: Gao, Schulman & Hilton 2022, "Scaling Laws for Reward Model Overoptimization".

Along a run, d = sqrt(KL(policy || initial policy)) measures how far the policy has moved. The paper
finds that the gold reward gained over the initial policy follows

    best-of-n:  R(d) = d (alpha - beta d)          with KL_bon(n) = log n - (n - 1) / n
    RL:         R(d) = d (alpha - beta log d)

so it rises, peaks and falls: "where pleasing the boss starts to cost real work". Both forms are
linear in (alpha, beta): R = alpha * f1(d) - beta * f2(d) with f1 = d and f2 = d^2 (best-of-n) or
d log d (RL). We fit them by ordinary least squares in reward units (regress R on f1 and -f2,
through the origin). Points at d = 0 are kept: both features vanish there, as R(0) = 0 by the form,
so they only count towards the residual. Dividing by d first (R/d = alpha - beta log d) would give the
same coefficients on noise-free data but weigh the points near d = 0 more; we prefer even weights.

Deliberate simplifications: one run's points (no pooling over reward-model sizes, as the paper does),
no uncertainty on alpha and beta, and the best-of-n KL is the paper's closed form (an upper bound on
the true KL; Beirami et al. 2024), not a measurement.

Pure Python: a page can fit a cached history without importing torch.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

FORMS = ("rl", "bon")


def bon_kl(n: int) -> float:
    """KL(best-of-n || base) in nats, as Gao et al. 2022 write it: log n - (n - 1) / n."""
    if n < 1:
        raise ValueError(f"n must be a positive integer; got {n}")
    return math.log(n) - (n - 1) / n


def form_value(form: str, alpha: float, beta: float, d: float) -> float:
    """R(d) of one functional form; R(0) = 0 for both."""
    if d <= 0:
        return 0.0
    return d * (alpha - beta * (math.log(d) if form == "rl" else d))


@dataclass(frozen=True)
class Fit:
    """One fitted curve: R(d) = d (alpha - beta log d) ("rl") or d (alpha - beta d) ("bon")."""

    form: str
    alpha: float
    beta: float
    r2: float  # 1 - SS_res / SS_tot over the fitted points (1: perfect; <= 0: no better than their mean)
    d_peak: float | None  # where R(d) peaks; None when beta <= 0 (no peak: it keeps rising)
    r_peak: float | None  # R at the peak
    n_points: int

    def __call__(self, d: float) -> float:
        return form_value(self.form, self.alpha, self.beta, d)

    def as_dict(self) -> dict:
        return asdict(self)


def peak(form: str, alpha: float, beta: float) -> tuple[float | None, float | None]:
    """The d where dR/dd = 0, and R there: RL d* = exp(alpha/beta - 1), R* = beta d*;
    best-of-n d* = alpha / (2 beta), R* = alpha^2 / (4 beta). (None, None) when beta <= 0."""
    if beta <= 0:
        return None, None
    if form == "rl":
        exponent = alpha / beta - 1
        if exponent > 700:  # beyond any KL a run reaches (and beyond a float)
            return None, None
        d = math.exp(exponent)
        return d, beta * d
    return alpha / (2 * beta), alpha**2 / (4 * beta)


def _fit(form: str, d, R) -> Fit:
    d, R = [float(x) for x in d], [float(y) for y in R]
    if len(d) != len(R):
        raise ValueError(f"d and R must have the same length; got {len(d)} and {len(R)}")
    if any(x < 0 for x in d):
        raise ValueError("d = sqrt(KL) must be non-negative")
    f1 = d  # the alpha feature
    f2 = [(x * math.log(x) if x > 0 else 0.0) if form == "rl" else x * x for x in d]  # minus the beta feature
    # normal equations of R ~ alpha f1 - beta f2:  [[S11, -S12], [-S12, S22]] (alpha, beta) = (S1R, -S2R)
    s11 = sum(a * a for a in f1)
    s22 = sum(b * b for b in f2)
    s12 = sum(a * b for a, b in zip(f1, f2))
    s1r = sum(a * r for a, r in zip(f1, R))
    s2r = sum(b * r for b, r in zip(f2, R))
    det = s11 * s22 - s12 * s12
    if sum(x > 0 for x in d) < 2 or abs(det) <= 1e-12 * max(1.0, s11 * s22):
        raise ValueError("need at least two distinct values of d > 0 to fit two coefficients")
    alpha = (s1r * s22 - s12 * s2r) / det
    beta = (s1r * s12 - s11 * s2r) / det
    mean = sum(R) / len(R)
    ss_tot = sum((r - mean) ** 2 for r in R)
    ss_res = sum((r - form_value(form, alpha, beta, x)) ** 2 for x, r in zip(d, R))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res <= 1e-12 else 0.0)
    d_peak, r_peak = peak(form, alpha, beta)
    return Fit(form, alpha, beta, r2, d_peak, r_peak, len(d))


def fit_rl(d, R) -> Fit:
    """Least-squares fit of R(d) = d (alpha - beta log d) (RL runs, e.g. PPO)."""
    return _fit("rl", d, R)


def fit_bon(d, R) -> Fit:
    """Least-squares fit of R(d) = d (alpha - beta d) (best-of-n)."""
    return _fit("bon", d, R)


def curve(fit: Fit, d_max: float, n: int = 64) -> list[tuple[float, float]]:
    """(d, R(d)) on an even grid of n >= 2 points from 0 to d_max: the fitted line to draw."""
    n = max(n, 2)
    return [(d_max * i / (n - 1), fit(d_max * i / (n - 1))) for i in range(n)]


def points(history: list[dict]) -> list[dict]:
    """The over-optimisation plot's points from a history (PPO's rlhf history or a method's):
    d = sqrt(kl), and gold and proxy reward as gains over the first row (d = 0, the SFT model),
    since both forms have R(0) = 0. Rows: {"step", "d", "kl", "gold", "proxy"}."""
    if not history:
        return []
    g0, p0 = history[0]["gold_reward"], history[0]["proxy_reward"]
    return [{"step": h["step"], "kl": h["kl"], "d": math.sqrt(max(h["kl"], 0.0)),
             "gold": h["gold_reward"] - g0, "proxy": h["proxy_reward"] - p0} for h in history]


def overopt(history: list[dict], form: str = "rl", grid: int = 64) -> dict:
    """Points, fits and fitted curves of one run, for the over-optimisation plot.

    ``form``: "rl" for PPO / DPO / RLOO histories, "bon" for best-of-n. A fit that cannot be made
    (fewer than two distinct d > 0) is None. Returns
    ``{"form", "points": [...], "gold": Fit dict | None, "proxy": Fit dict | None,
    "curves": {"gold": [[d, R], ...], "proxy": [...]}}``; rewards are gains over the start.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}; got {form!r}")
    pts = points(history)
    d = [p["d"] for p in pts]
    out: dict = {"form": form, "points": pts, "gold": None, "proxy": None, "curves": {"gold": [], "proxy": []}}
    for name in ("gold", "proxy"):
        try:
            f = _fit(form, d, [p[name] for p in pts])
        except ValueError:
            continue
        out[name] = f.as_dict()
        out["curves"][name] = [list(xy) for xy in curve(f, max(d), grid)]
    return out


# -- length: how much of the judges' gain is answer length (Singhal et al. 2024, "A Long Way to Go") ---------------
def slope(xs, ys) -> float | None:
    """The least-squares slope of ys on xs; None when xs do not vary."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    vx = sum((x - mx) ** 2 for x in xs)
    return None if vx == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / vx


def length_share(before: list, after: list) -> dict:
    """How much of the judges' score gained between two samples of answers (rows [tokens, score, ...]) answer length
    alone accounts for, at the price the judges paid for a token before: ``price`` (score a token, the slope of the
    score on length before), the mean lengths and scores, ``by_length`` = price x the length gained, and ``share`` =
    that over the score gained (None when the score did not rise or length does not vary)."""
    price = slope([r[0] for r in before], [r[1] for r in before])
    m = {name: (sum(r[0] for r in rows) / len(rows), sum(r[1] for r in rows) / len(rows))
         for name, rows in (("before", before), ("after", after))}
    gained = m["after"][1] - m["before"][1]
    by_length = None if price is None else price * (m["after"][0] - m["before"][0])
    return {"price": price, "len0": m["before"][0], "len1": m["after"][0], "score0": m["before"][1],
            "score1": m["after"][1], "by_length": by_length,
            "share": by_length / gained if by_length is not None and gained > 0 else None}
