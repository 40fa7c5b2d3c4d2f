"""Pure helpers that turn a result document (or the events of a live run) into what a page shows:
the live numbers of each analogy panel, flat tables for CSV, and the shaded green/grey answers.
No Streamlit, no plotly.
"""

from __future__ import annotations

import html
import math

from sim.overopt import length_share
from sim.world import RLHF_HELD_OUT, RLHF_KINDS
from ui import labels, states, texts

EPS = 0.02  # a change smaller than this reads as "held"
PTX_KEPT = ("helped", "same", "hurt")  # what PPO-ptx's practice did against plain PPO (``ptx_kept``)
REQUIRES = {  # the part of the result document each panel reads its numbers from
    "pretrain": "pretrain",
    "budget": "sft",
    "sft": "sft",
    "sft_compare": "sft",
    "reward": "reward",
    "annotators": "config",
    "ppo": "rlhf",
    "kl": "rlhf",
    "bias": "rlhf",
    "rollback": "rlhf",
    "green_grey": "rlhf",
    "challenge_cost": "config",
    "challenge_transfer": "rlhf",
    "ptx": "rlhf",
}


def _trend(a: float, b: float, lang: str) -> str:
    key = "up" if b > a + EPS else "down" if b < a - EPS else "flat"
    return texts.trend(key, lang)


def _mean(xs) -> float:
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else 0.0


def rlhf_ends(doc: dict | None, history: list[dict] | None = None) -> tuple[dict, dict] | None:
    """(start, final) of PPO, from a live history if given, else from the document."""
    if history:
        return history[0], history[-1]
    if doc and doc.get("rlhf"):
        return doc["rlhf"]["start"], doc["rlhf"]["final"]
    return None


class Cited(dict):
    """A panel's placeholders, and where each number came from: ``source[name]`` is a path of keys into the
    narrated document (``("rlhf", "final", "flattery")``), or ``(op, path, ...)`` for a number derived from
    several (``resolve`` reads either). Words (trends, the leash, task names) have no source."""

    def __init__(self):
        super().__init__()
        self.source: dict[str, tuple] = {}

    def read(self, name: str, doc: dict, path: tuple) -> None:
        self[name] = resolve(doc, path)
        self.source[name] = path

    def derive(self, name: str, doc: dict, op: str, *paths: tuple) -> None:
        self.read(name, doc, (op, *paths))


DERIVED = {  # op -> how a derived number is computed from the values at its paths
    "one_minus": lambda x: 1 - x,
    "quality100": states.quality100,  # the lay lenses' true quality, 0-100
    "product": lambda *xs: math.prod(xs),
    "mean": lambda *xs: _mean(xs),
    "count_true": lambda xs: sum(bool(x) for x in xs),
    "count": len,
    "sum": lambda *xs: sum(xs),
}


def resolve(doc: dict, source: tuple):
    """The value at ``source`` in ``doc``: a path of keys / list indices, or (op, path, ...) of ``DERIVED``.
    A path whose last key is ``"*<field>"`` reads that field of every row of the list before it."""
    if source and source[0] in DERIVED:
        return DERIVED[source[0]](*(resolve(doc, p) for p in source[1:]))
    x = doc
    for k in source:
        if isinstance(k, str) and k.startswith("*"):
            return [row.get(k[1:]) for row in x]
        x = x[k]
    return x


def _rlhf_numbers(n: Cited, doc: dict, lens: str, lang: str) -> None:
    """PPO's numbers: start, the row narrated (the last of the history: the current step of a live run), the
    flattery peak, and the state the rules of ui/states.py read from them."""
    h = doc["rlhf"].get("history") or [doc["rlhf"]["start"], doc["rlhf"]["final"]]
    last = len(h) - 1
    a, b = ("rlhf", "history", 0), ("rlhf", "history", last)
    if not doc["rlhf"].get("history"):
        a, b = ("rlhf", "start"), ("rlhf", "final")
    start, final = resolve(doc, a), resolve(doc, b)
    for name, where, metric in (("proxy0", a, "proxy_reward"), ("proxy1", b, "proxy_reward"),
                                ("gold0", a, "gold_reward"), ("gold1", b, "gold_reward"),
                                ("cap0", a, "capability"), ("cap1", b, "capability"), ("kl", b, "kl"),
                                ("flat0", a, "flattery"), ("flat", b, "flattery"), ("surf", b, "surface_share"),
                                ("d2", b, "distinct_2"), ("cut", b, "cut_rate")):
        if final.get(metric) is not None and start.get(metric) is not None:
            n.read(name, doc, (*where, metric))
    n.derive("q0", doc, "quality100", (*a, "gold_reward"))
    n.derive("q1", doc, "quality100", (*b, "gold_reward"))
    if "flat" in n:  # the rollback panel's sentence: what flattery really did over this run
        n["moved"] = texts.moved(states.moved(start, final, "flattery"), lens, lang, n)
    if "kl" in n:
        n["drift"] = texts.drift(states.drift(n["kl"]), n["kl"], lens, lang)
    if "step" in final and doc["rlhf"].get("history"):
        n.read("step", doc, (*b, "step"))
    else:
        n["step"] = last
    hist = h[: last + 1]
    peak = states.peak_row(start, hist)
    i = next(j for j, r in enumerate(hist) if r is peak)
    if doc["rlhf"].get("history"):
        n.read("flat_peak", doc, ("rlhf", "history", i, "flattery"))
        n.read("peak_step", doc, ("rlhf", "history", i, "step"))
    name = states.state(start, final, hist)
    n.update(
        proxy_trend=_trend(start["proxy_reward"], final["proxy_reward"], lang),
        gold_trend=_trend(start["gold_reward"], final["gold_reward"], lang),
        cap_trend=_trend(start["capability"], final["capability"], lang),
        state_name=name,
    )
    n["state"] = texts.state(name, lens, lang, n)
    pa, pb = start.get("per_task") or {}, final.get("per_task") or {}
    for key, where, per, kinds in (("seen0", a, pa, RLHF_KINDS), ("seen1", b, pb, RLHF_KINDS),
                                   ("held0", a, pa, RLHF_HELD_OUT), ("held1", b, pb, RLHF_HELD_OUT)):
        got = [(*where, "per_task", k) for k in kinds if per.get(k) is not None]
        if got:
            n.derive(key, doc, "mean", *got)
        else:
            n[key] = 0.0


def numbers(
    doc: dict | None, values: dict, lens: str, lang: str, rlhf_history: list[dict] | None = None
) -> Cited:
    """Every placeholder any panel needs, read from the document it narrates (its config and histories, at
    the step it has reached), with each number's source (``Cited``). The URL values fill only what a document
    without a config (a live run's first moments) cannot tell."""
    doc = dict(doc or {})
    if rlhf_history:
        doc["rlhf"] = {**doc.get("rlhf", {}), "start": rlhf_history[0], "final": rlhf_history[-1],
                       "history": rlhf_history}
    n = Cited()
    n.update(steps=values["steps"], bias=values["bias"], kl_coef=values["kl"],
             ptx_coef=values["ptx_coef"] if values.get("ptx") else 0.0, sub=1 - values["bias"], n=0,
             val_loss=float("nan"), probe=0.0, cap=0.0, fmt=0.0, best="—", worst="—", skill="", base_right=0,
             sft_right=0, n_answers=0, pref=0.0, gold=0.0, total=0.0, pre=0.0, trained=0.0, kept="")
    c = doc.get("config")
    if c:
        n.read("n", doc, ("config", "reward", "n_annotators"))
        if "reward_bias" in c["reward"]:
            n.read("bias", doc, ("config", "reward", "reward_bias"))
            n.derive("sub", doc, "one_minus", ("config", "reward", "reward_bias"))
        if {"pretrain", "ppo"} <= c.keys():  # a whole run's config (the annotator panel passes only its size)
            n.read("steps", doc, ("config", "pretrain", "steps"))
            n.read("kl_coef", doc, ("config", "ppo", "kl_coef"))
            n.read("ptx_coef", doc, ("config", "ppo", "ptx_coef"))
            n.derive("chars", doc, "product", ("config", "pretrain", "steps"), ("config", "pretrain", "batch_size"),
                     ("config", "pretrain", "block"))
            n.read("pairs", doc, ("config", "reward", "n_pairs"))
            n.derive("answers", doc, "product", ("config", "ppo", "iterations"), ("config", "ppo", "batch_size"))
    n["leash"] = texts.leash(n["kl_coef"], lens, lang)
    pre = doc.get("pretrain")
    if pre:
        if pre.get("history"):  # the step reached (a live run's current step, a finished run's last)
            n.read("steps", doc, ("pretrain", "history", len(pre["history"]) - 1, "step"))
        n.read("val_loss", doc, ("pretrain", "val_loss"))
        n.read("probe", doc, ("pretrain", "probe_accuracy"))
    if doc.get("sft"):
        s = doc["sft"]
        per = s.get("per_task") or {}
        n.read("cap", doc, ("sft", "capability"))
        n.read("fmt", doc, ("sft", "format_rate"))
        n["skill"] = texts.skill(states.skill(n["cap"]), lens, lang)  # picked by the measured number only
        if per:
            n["best"] = labels.task(max(per, key=per.get), lang)
            n["worst"] = labels.task(min(per, key=per.get), lang)
        if s.get("answers"):
            n.derive("base_right", doc, "count_true", ("sft", "answers", "*base_correct"))
            n.derive("sft_right", doc, "count_true", ("sft", "answers", "*sft_correct"))
            n.derive("n_answers", doc, "count", ("sft", "answers"))
    if doc.get("reward"):
        n.read("pref", doc, ("reward", "pref_accuracy"))
        n.read("gold", doc, ("reward", "gold_agreement"))
    if doc.get("seconds"):
        for name, key in (("total", "total"), ("pre", "pretrain")):
            if key in doc["seconds"]:
                n.read(name, doc, ("seconds", key))
    if doc.get("train_seconds"):  # what each stage took when it was trained (a cached stage: measured then)
        n.derive("trained", doc, "sum", *(("train_seconds", s) for s in doc["train_seconds"]))
    if doc.get("rlhf"):
        _rlhf_numbers(n, doc, lens, lang)
    return n


def panel_numbers(name: str, doc: dict | None, values: dict, lens: str, lang: str, rlhf_history=None) -> Cited:
    """The numbers (and their sources) one panel is filled with."""
    nums = numbers(doc, values, lens, lang, rlhf_history)
    if name == "sft_compare":  # its {n} is the number of answers shown, not the number of judges
        nums["n"] = nums["n_answers"]
        if "n_answers" in nums.source:
            nums.source["n"] = nums.source["n_answers"]
        else:
            nums.source.pop("n", None)
    return nums


def panel(name: str, doc: dict | None, values: dict, lens: str, lang: str, rlhf_history=None,
          words: dict | None = None) -> str | None:
    """The panel text with live numbers, or None when the numbers it needs are not there yet. ``words``: sentences
    the caller read from another document (``ptx_kept``), in place of their empty defaults."""
    if not (doc and doc.get(REQUIRES[name])) and not (rlhf_history and REQUIRES[name] == "rlhf"):
        return None
    nums = panel_numbers(name, doc, values, lens, lang, rlhf_history)
    nums.update(words or {})
    if any(k in nums and nums[k] is None for k in texts.panel_placeholders(name)):
        return None  # measured, but not yet (a live run before its first evaluation)
    return texts.panel(name, lens, lang, nums)


def ptx_kept(doc: dict, off: dict, lens: str, lang: str) -> str:
    """What PPO-ptx's practice did: this finished run's final capability against the same settings' plain PPO
    (``off``), in the sentence ``ptx_kept.<name>`` their difference picks."""
    cap, off_cap = doc["rlhf"]["final"]["capability"], off["rlhf"]["final"]["capability"]
    name = "helped" if cap > off_cap + EPS else "hurt" if cap < off_cap - EPS else "same"
    return texts.ptx_kept(name, lens, lang, {"off": off_cap})


def train_seconds(doc: dict) -> float | None:
    """The seconds the run's stages took when they were trained (None: a document from before this was kept)."""
    return sum(doc["train_seconds"].values()) if doc.get("train_seconds") else None


def gauges(doc: dict | None) -> dict:
    """The three home gauges, 0-1.

    内力 = the knowledge quiz, 招式 = SFT skill, 处世 = skill kept after PPO x share without flattery.
    """
    if not doc:
        return {}
    out = {}
    if doc.get("pretrain"):
        out["inner"] = doc["pretrain"]["probe_accuracy"]
    if doc.get("sft"):
        out["moves"] = doc["sft"]["capability"]
    if doc.get("rlhf"):
        f = doc["rlhf"]["final"]
        out["world"] = f["capability"] * (1 - f["flattery"])
    return out


# -- live runs ----------------------------------------------------------------------------------
def history(events, stage: str) -> list[dict]:
    """The evaluated metrics of one stage so far (a cached stage gives its last point)."""
    return [{"step": e.step, **e.metrics} for e in events if e.stage == stage and e.evaluated]


def losses(events, stage: str) -> list[dict]:
    return [{"step": e.step, **e.metrics} for e in events if e.stage == stage and not e.evaluated]


def samples(events) -> list[dict]:
    return [
        {"step": e.step, "text": e.extra["sample"]}
        for e in events
        if e.stage == "pretrain" and e.evaluated and "sample" in e.extra
    ]


# -- tables for CSV -------------------------------------------------------------------------------
def _flat(row: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif not isinstance(v, list):
            out[f"{prefix}{k}"] = v
    return out


def table(doc: dict | None, stage: str) -> list[dict]:
    """Flat rows of one stage's history ("summary" for the whole run), for a CSV download."""
    if not doc:
        return []
    if stage == "summary":
        rows = [{"stage": "seconds", **doc.get("seconds", {})}]  # this run's (a cached stage: its loading)
        if doc.get("train_seconds"):  # each stage's when it was trained
            rows.append({"stage": "train_seconds", **doc["train_seconds"]})
        for s in ("pretrain", "sft", "reward"):
            rows.append({"stage": s, **_flat({k: v for k, v in doc[s].items() if k not in ("history",)})})
        rows.append({"stage": "rlhf.start", **_flat(doc["rlhf"]["start"])})
        rows.append({"stage": "rlhf.final", **_flat(doc["rlhf"]["final"])})
        return rows
    return [_flat(r) for r in doc.get(stage, {}).get("history", [])]


# -- the green / grey answers ---------------------------------------------------------------------
def kl_html(text: str, token_kl: list[float], vmax: float = 1.0) -> str:
    """``text`` as HTML spans, each character shaded by its KL (darker grey = larger drift)."""
    out = []
    vmax = max(vmax, 1e-6)
    for i, ch in enumerate(text):
        k = token_kl[i] if i < len(token_kl) else 0.0
        a = max(0.0, min(1.0, k / vmax))
        g = round(255 - 105 * a)  # white to #969696, opaque: dark text stays >= 5:1 on it, in either theme
        c = "<br>" if ch == "\n" else html.escape(ch)
        out.append(
            f'<span title="KL {k:.3f}" style="background:rgb({g},{g},{g});color:#2b2622;'
            f'padding:1px 0;border-radius:2px">{c}</span>'
        )
    return "".join(out)


def green_html(text: str) -> str:
    return (
        f'<span style="background:#e3f1e1;color:#1e5631;padding:1px 2px;border-radius:2px">'
        f"{html.escape(text).replace(chr(10), '<br>')}</span>"
    )


def kl_scale(rows: list[dict]) -> float:
    """A shared colour scale for the shaded answers: the 95th percentile of per-character KL."""
    ks = sorted(k for r in rows for k in r.get("token_kl", []))
    return ks[int(0.95 * (len(ks) - 1))] if ks else 1.0


def partial_doc(events, config: dict | None = None) -> dict:
    """A result-shaped document from the events of a run in progress (what is known so far), with the run's
    config when given (so that its panels cite the run's own settings)."""
    doc: dict = {"config": config} if config else {}
    pre, lo = history(events, "pretrain"), losses(events, "pretrain")
    if pre or lo:
        last = pre[-1] if pre else {"val_loss": None, "probe_accuracy": None}
        doc["pretrain"] = {**last, "history": pre, "samples": samples(events), "losses": lo}
    sft = history(events, "sft")
    if sft:
        doc["sft"] = {**sft[-1], "history": sft, "answers": []}
    rew = history(events, "reward")
    if rew:
        doc["reward"] = {**rew[-1], "history": rew}
    rl = history(events, "rlhf")
    if rl:
        doc["rlhf"] = {"start": rl[0], "final": rl[-1], "history": rl, "green_grey": []}
    return doc


def sample_rows(samples_: list[dict], lang: str) -> list[dict]:
    """The generated samples as table rows: checkpoint, then the two texts."""
    return [
        {
            labels.label("step", lang): s["step"],
            "①": s["text"][0],
            "②": s["text"][1] if len(s["text"]) > 1 else "",
        }
        for s in samples_
    ]


def answer_rows(answers: list[dict], lens: str, lang: str) -> list[dict]:
    """Base vs SFT answers to the same prompts, as table rows (with right / wrong marks)."""

    def mark(ok):
        return texts.t("right" if ok else "wrong", lang)

    return [
        {
            texts.t("prompt", lang): a["prompt"].strip(),
            texts.heading("base", lens, lang): f"{a['base'].strip()}  {mark(a['base_correct'])}",
            texts.heading("sft", lens, lang): f"{a['sft'].strip()}  {mark(a['sft_correct'])}",
        }
        for a in answers
    ]


def sweep_rows(points: list[tuple], x: str) -> list[dict]:
    """(x value, doc) pairs -> rows with the headline metrics of each finished run."""
    rows = []
    for value, d in points:
        rows.append(
            {
                x: value,
                "probe_accuracy": d["pretrain"]["probe_accuracy"],
                "capability": d["sft"]["capability"],
                "gold_agreement": d["reward"]["gold_agreement"],
                "gold_reward": d["rlhf"]["final"]["gold_reward"],
                "flattery": d["rlhf"]["final"]["flattery"],
                "final_capability": d["rlhf"]["final"]["capability"],
            }
        )
    return rows


RLHF_ROW = (  # metric, format, whether a rise is bad news
    ("proxy_reward", "{:.2f}", False),
    ("gold_reward", "{:.2f}", False),
    ("capability", "{:.0%}", False),
    ("kl", "{:.2f}", True),
    ("flattery", "{:.0%}", True),
)


def delta_text(delta: float | None, fmt: str) -> str | None:
    """A metric tile's change as shown, or None (no arrow) when it rounds to zero in that format."""
    if delta is None:
        return None
    shown = fmt.format(delta)
    return None if float(shown.rstrip("%").replace("+", "")) == 0 else shown


def rlhf_metric_row(start: dict, final: dict) -> list[tuple]:
    """(metric, final value, format, change since the start of PPO, rise is bad) per headline metric."""
    return [(m, final[m], fmt, final[m] - start[m], bad) for m, fmt, bad in RLHF_ROW]


# Distinct answers to one prompt (a share) that moved this much narrowed or scattered; less "changed a little" (not
# "held": 0.38 -> 0.30 is not nothing). An evaluation's share jitters by a standard deviation of 0.027 (second
# differences over the eight prepared fast-preset PPO histories, 2026-12-03), so a start -> final change has 0.038:
# 0.1 is 2.6 of them.
VARIETY_MOVED = 0.1
VARIETY = {"narrowed": "variety.narrowed", "scattered": "variety.scattered", "held": "variety.held"}


def variety_state(start: dict, final: dict) -> str | None:
    """How the variety of the policy's answers moved (a key of ``VARIETY``): the share of distinct answers to one
    prompt fell by ``VARIETY_MOVED`` or more, rose that much, or held; None where a row did not record it."""
    if start.get("distinct_answers") is None or final.get("distinct_answers") is None:
        return None
    d = final["distinct_answers"] - start["distinct_answers"]
    return "narrowed" if d <= -VARIETY_MOVED else "scattered" if d >= VARIETY_MOVED else "held"


def variety(start: dict, final: dict, lens: str, lang: str) -> str | None:
    """The caption under PPO's metrics: how varied his answers are, start -> final (distinct answers to one
    prompt; entropy in the technical lens), in the lens's words; None for a run that did not measure it."""
    name = variety_state(start, final)
    if name is None:
        return None
    ent = [float("nan") if r.get("entropy") is None else r["entropy"] for r in (start, final)]
    nums = {"div0": start["distinct_answers"], "div1": final["distinct_answers"], "ent0": ent[0], "ent1": ent[1]}
    return texts.sentence(VARIETY[name], lens, lang, nums)


def length_caption(ls: dict, lang: str) -> str:
    """The technical lens's sentence under the length chart: the judges' price of a token before PPO, the mean length
    and score before and after, and the share of the score's gain that length alone accounts for at that price
    (sim.overopt.length_share); another sentence when the score did not rise."""
    nums = length_share(ls["sft"], ls["ppo"])
    if nums["share"] is None:
        return texts.t("length_flat", lang, **{**nums, "price": nums["price"] or 0.0})
    return texts.t("length_explains", lang, **nums)


def axis_range(stops) -> list[float]:
    """The x range of a slider's stops, with a margin of 5% on each side."""
    lo, hi = min(stops), max(stops)
    pad = 0.05 * (hi - lo or 1)
    return [lo - pad, hi + pad]
