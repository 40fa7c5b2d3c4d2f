"""Pure helpers that turn a result document (or the events of a live run) into what a page shows:
the live numbers of each analogy panel, flat tables for CSV, and the shaded green/grey answers.
No Streamlit, no plotly.
"""

from __future__ import annotations

import html

from sim.world import RLHF_HELD_OUT, RLHF_KINDS
from ui import labels, texts

EPS = 0.02  # a change smaller than this reads as "held"
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
    "green_grey": "rlhf",
    "challenge_bias": "reward",
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


def verdict_key(start: dict, final: dict) -> str:
    """Which verdict a PPO run earns: skill collapsed into flattery, reward hacked, better, or unchanged."""
    lost = final["capability"] < min(start["capability"] - 0.05, 0.5 * start["capability"])
    if lost and final["flattery"] > 0.25:
        return "collapse"
    hacked = final["proxy_reward"] > start["proxy_reward"] + EPS
    if hacked and final["gold_reward"] <= start["gold_reward"] + EPS:
        return "hacking"
    if final["gold_reward"] > start["gold_reward"] + EPS:
        return "good"
    return "steady"


def rlhf_ends(doc: dict | None, history: list[dict] | None = None) -> tuple[dict, dict] | None:
    """(start, final) of PPO, from a live history if given, else from the document."""
    if history:
        return history[0], history[-1]
    if doc and doc.get("rlhf"):
        return doc["rlhf"]["start"], doc["rlhf"]["final"]
    return None


def numbers(
    doc: dict | None, values: dict, lens: str, lang: str, rlhf_history: list[dict] | None = None
) -> dict:
    """Every placeholder any panel needs, filled from the document and the URL values."""
    n = {
        "steps": values["steps"],
        "bias": values["bias"],
        "kl_coef": values["kl"],
        "ptx_coef": values["ptx_coef"] if values.get("ptx") else 0.0,
        "sub": 1 - values["bias"],
        "leash": texts.leash(values["kl"], lens, lang),
        "n": 0,
        "val_loss": float("nan"),
        "probe": 0.0,
        "cap": 0.0,
        "fmt": 0.0,
        "best": "—",
        "worst": "—",
        "base_right": 0,
        "sft_right": 0,
        "pref": 0.0,
        "gold": 0.0,
        "total": 0.0,
        "pre": 0.0,
    }
    if doc and doc.get("config"):
        c = doc["config"]
        n["n"] = c["reward"]["n_annotators"]
        if {"pretrain", "ppo"} <= c.keys():  # a whole run's config (the annotator panel passes only its size)
            n["chars"] = c["pretrain"]["steps"] * c["pretrain"]["batch_size"] * c["pretrain"]["block"]
            n["pairs"] = c["reward"]["n_pairs"]
            n["answers"] = c["ppo"]["iterations"] * c["ppo"]["batch_size"]
    if doc and doc.get("pretrain"):
        n.update(val_loss=doc["pretrain"]["val_loss"], probe=doc["pretrain"]["probe_accuracy"])
    if doc and doc.get("sft"):
        s = doc["sft"]
        per = s.get("per_task") or {}
        n.update(cap=s["capability"], fmt=s["format_rate"])
        if per:
            n["best"] = labels.task(max(per, key=per.get), lang)
            n["worst"] = labels.task(min(per, key=per.get), lang)
        answers = s.get("answers", [])
        n.update(
            base_right=sum(bool(a["base_correct"]) for a in answers),
            sft_right=sum(bool(a["sft_correct"]) for a in answers),
            n_answers=len(answers),
        )
    if doc and doc.get("reward"):
        n.update(pref=doc["reward"]["pref_accuracy"], gold=doc["reward"]["gold_agreement"])
    if doc and doc.get("seconds"):
        n.update(total=doc["seconds"].get("total", 0.0), pre=doc["seconds"].get("pretrain", 0.0))
    ends = rlhf_ends(doc, rlhf_history)
    if ends:
        a, b = ends
        n.update(
            proxy0=a["proxy_reward"],
            proxy1=b["proxy_reward"],
            gold0=a["gold_reward"],
            gold1=b["gold_reward"],
            cap0=a["capability"],
            cap1=b["capability"],
            kl=b["kl"],
            flat=b["flattery"],
            proxy_trend=_trend(a["proxy_reward"], b["proxy_reward"], lang),
            gold_trend=_trend(a["gold_reward"], b["gold_reward"], lang),
            cap_trend=_trend(a["capability"], b["capability"], lang),
            verdict=texts.verdict(verdict_key(a, b), lens, lang),
        )
        pa, pb = a.get("per_task") or {}, b.get("per_task") or {}
        n.update(
            seen0=_mean(pa.get(k) for k in RLHF_KINDS),
            seen1=_mean(pb.get(k) for k in RLHF_KINDS),
            held0=_mean(pa.get(k) for k in RLHF_HELD_OUT),
            held1=_mean(pb.get(k) for k in RLHF_HELD_OUT),
        )
    n["n_answers"] = n.get("n_answers", 0)
    return n


def panel(name: str, doc: dict | None, values: dict, lens: str, lang: str, rlhf_history=None) -> str | None:
    """The panel text with live numbers, or None when the numbers it needs are not there yet."""
    if not (doc and doc.get(REQUIRES[name])) and not (rlhf_history and REQUIRES[name] == "rlhf"):
        return None
    nums = numbers(doc, values, lens, lang, rlhf_history)
    if name == "sft_compare":
        nums["n"] = nums["n_answers"]
    if any(k in nums and nums[k] is None for k in texts.panel_placeholders(name)):
        return None  # measured, but not yet (a live run before its first evaluation)
    return texts.panel(name, lens, lang, nums)


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
        row = {"stage": "seconds", **doc.get("seconds", {})}
        rows = [row]
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
        fg = "#ffffff" if a > 0.55 else "#2b2622"
        c = "<br>" if ch == "\n" else html.escape(ch)
        out.append(
            f'<span title="KL {k:.3f}" style="background:rgba(70,70,70,{a:.2f});color:{fg};'
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


def partial_doc(events) -> dict:
    """A result-shaped document from the events of a run in progress (what is known so far)."""
    doc: dict = {}
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


def answer_rows(answers: list[dict], lang: str) -> list[dict]:
    """Base vs SFT answers to the same prompts, as table rows (with right / wrong marks)."""

    def mark(ok):
        return texts.t("right" if ok else "wrong", lang)

    return [
        {
            texts.t("prompt", lang): a["prompt"].strip(),
            texts.t("base", lang): f"{a['base'].strip()}  {mark(a['base_correct'])}",
            texts.t("sft", lang): f"{a['sft'].strip()}  {mark(a['sft_correct'])}",
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


def rlhf_metric_row(start: dict, final: dict) -> list[tuple]:
    """(metric, final value, format, change since the start of PPO, rise is bad) per headline metric."""
    return [(m, final[m], fmt, final[m] - start[m], bad) for m, fmt, bad in RLHF_ROW]


def axis_range(stops) -> list[float]:
    """The x range of a slider's stops, with a margin of 5% on each side."""
    lo, hi = min(stops), max(stops)
    pad = 0.05 * (hi - lo or 1)
    return [lo - pad, hi + pad]
