"""The URL state of the app: ONE table of parameters and a pure parser (no Streamlit here).

Modelled on TensorFlow Playground's ``state.ts``: every shareable knob is a row (name, type,
default, allowed range or choices), ``parse`` turns a query dict into values and warnings, and
``serialize`` turns values back into a query dict. A bad value never raises: it becomes a warning
naming what is allowed, and the default is used instead.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from sim.config import PRESETS

MAX_LEN = 12  # a longer raw value is refused as "too long"
KL_STOPS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)
BIAS_STOPS = tuple(round(i / 10, 1) for i in range(11))
BUDGET_STOPS = (0, 100, 200, 400, 800)
LR_STOPS = (0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1000.0, 100000.0)  # the advanced learning-rate multiplier
PTX_STOPS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # PPO-ptx coefficients (README: 8 keeps skill, PPO still gains)
LANGS = ("zh", "en")
LENSES = ("wuxia", "work", "tech")
PUBLIC_URL = "WUJI_PUBLIC_URL"  # the app's address as the room reaches it, when the presenter's browser uses another
TOUR_LEN = 8  # the steps of the guided tour (len(ui.story.STEPS))
THEMES = ("light", "dark")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "float" | "int" | "choice"
    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None  # allowed values (the slider's stops); numbers snap to the nearest

    def allowed(self) -> str:
        if self.kind == "choice":
            return " / ".join(str(c) for c in self.choices)
        if self.choices:
            return f"{_fmt(self.lo)}–{_fmt(self.hi)} ({', '.join(_fmt(c) for c in self.choices)})"
        return f"{_fmt(self.lo)}–{_fmt(self.hi)}"


@dataclass(frozen=True)
class UrlWarning:
    name: str
    raw: str
    allowed: str
    used: object  # the value used instead (the default, or the nearest stop)
    reason: str  # "text" | "range" | "long" | "choice" | "snap"


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def preset_name() -> str:
    name = os.environ.get("WUJI_PRESET", "default")
    return name if name in PRESETS else "default"


def table(preset: str | None = None) -> tuple[Param, ...]:
    """THE table of URL parameters (defaults follow the preset the app runs)."""
    cfg = PRESETS[preset or preset_name()]
    budget = tuple(sorted(set(BUDGET_STOPS) | {cfg.pretrain.steps}))
    return (
        Param("kl", "float", cfg.ppo.kl_coef, 0.0, 1.0, KL_STOPS),
        Param("bias", "float", cfg.reward.reward_bias, 0.0, 1.0, BIAS_STOPS),
        Param("steps", "int", cfg.pretrain.steps, budget[0], budget[-1], budget),
        Param("seed", "int", cfg.seed, 0, 9999),
        Param("lr", "float", 1.0, LR_STOPS[0], LR_STOPS[-1], LR_STOPS),
        Param("ptx", "int", 0, 0, 1),  # PPO-ptx on (1) or off (0)
        Param("ptx_coef", "float", 8.0, PTX_STOPS[0], PTX_STOPS[-1], PTX_STOPS),  # its coefficient when on
        Param("lang", "choice", "zh", choices=LANGS),
        Param("lens", "choice", "wuxia", choices=LENSES),
        Param("step", "int", 1, 1, TOUR_LEN),  # the guided tour's step (ui/story.py)
        Param("present", "int", 0, 0, 1),  # presenter mode: 1 = large type, no sidebar
        Param("theme", "choice", "light", choices=THEMES),  # presenter mode's colours (ui/theme.py)
    )


def public_base(page_url: str) -> str:
    """The app's root address for links others open (the phone page, a handout's QR codes): ``WUJI_PUBLIC_URL``
    when set, else the folder of ``page_url`` (the address this browser used; "" when there is none)."""
    base = os.environ.get(PUBLIC_URL, "").rstrip("/")
    if base or not page_url:
        return base
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}"


def defaults(preset: str | None = None) -> dict:
    return {p.name: p.default for p in table(preset)}


def _one(p: Param, raw) -> tuple[object, UrlWarning | None]:
    if isinstance(raw, list | tuple):  # ?kl=1&kl=2: the last one wins
        raw = raw[-1] if raw else ""
    raw = str(raw).strip()
    if len(raw) > MAX_LEN:
        return p.default, UrlWarning(p.name, raw[:MAX_LEN] + "…", p.allowed(), p.default, "long")
    if p.kind == "choice":
        if raw in p.choices:
            return raw, None
        return p.default, UrlWarning(p.name, raw, p.allowed(), p.default, "choice")
    try:
        x = float(raw)
    except ValueError:
        return p.default, UrlWarning(p.name, raw, p.allowed(), p.default, "text")
    if not math.isfinite(x) or x < p.lo or x > p.hi or (p.kind == "int" and x != int(x)):
        return p.default, UrlWarning(p.name, raw, p.allowed(), p.default, "range")
    value = int(x) if p.kind == "int" else x
    if p.choices:
        near = min(p.choices, key=lambda c: abs(c - value))
        if abs(near - value) > 1e-9:
            return near, UrlWarning(p.name, raw, p.allowed(), near, "snap")
        value = near
    return value, None


def browser_lang(locale: str | None) -> str | None:
    """The app's language for a browser's language tag (``navigator.language``): "en-GB" -> "en",
    "zh-Hant-TW" -> "zh"; None for any other language or none."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGS else None


def parse(query: dict, preset: str | None = None, visitor_lang: str | None = None) -> tuple[dict, list[UrlWarning]]:
    """Query dict (as in ``st.query_params``) -> (values for every parameter, warnings).

    Unknown keys are ignored; missing keys take their default; nothing raises. A ``lang`` the app does not
    speak (``?lang=fr``) falls back to the visitor's own browser language when the app speaks it
    (``visitor_lang``, see ``browser_lang``), else to the default.
    """
    values, warnings = {}, []
    for p in table(preset):
        if p.name not in query:
            values[p.name] = p.default
            continue
        if p.name == "lang" and visitor_lang in LANGS:
            p = replace(p, default=visitor_lang)
        value, warn = _one(p, query[p.name])
        values[p.name] = value
        if warn is not None:
            warnings.append(warn)
    return values, warnings


def serialize(values: dict) -> dict[str, str]:
    """Values -> query dict of strings (every parameter, so a copied link is complete)."""
    return {p.name: _fmt(values.get(p.name, p.default)) for p in table()}
