"""Pure helpers of the trade-off explorer and the deepened challenges page: from sweep rows, method documents
and configs to the numbers a panel, a table or a chart shows. No Streamlit, no plotly.
"""

from __future__ import annotations

import math

from sim import sweep as sw
from sim.cost import PUBLISHED
from sim.methods import FORM, base_method
from sim.overopt import overopt
from sim.world import RLHF_HELD_OUT, RLHF_KINDS
from ui import labels, states, texts

METHODS = ("bon", "dpo", "rloo", "grpo", "grpo_sloppy", "ensemble")  # methods and variants (sim.methods.VARIANTS)
METHOD_PANELS = {"bon": "method_bon", "dpo": "method_dpo", "rloo": "method_rloo",  # each one's analogy panel
                 "grpo": "method_grpo", "grpo_sloppy": "method_grpo_sloppy", "ensemble": "method_ensemble"}
# the panels' rows: GRPO's two checkers side by side, then the ensemble of judges
PANEL_ROWS = (("bon", "dpo", "rloo"), ("grpo", "grpo_sloppy", "ensemble"))
# What an ensemble's members learnt, read from their agreement with the gold preference (``ensemble_numbers``): an
# error they share (below SHARED) or judges that mostly see substance; the sentence's key.
JUDGES = {"shared": "ens.shared", "sound": "ens.sound"}
SHARED = 0.6
HOW = {"min": "conservative.min", "uwo": "conservative.uwo"}  # the words for the ensemble's cautious score
# What GRPO's run did, read from its checker's score and its capability (``exam``): the sentence's key.
EXAMS = {"fooled": "exam.fooled", "gamed": "exam.gamed", "narrowed": "exam.narrowed",
         "narrowed_unpractised": "exam.narrowed_unpractised", "learned": "exam.learned", "shifted": "exam.shifted",
         "worse": "exam.worse", "blind": "exam.blind", "still": "exam.still", "moved": "exam.moved"}
# A kind of task whose greedy accuracy fell by this much while the mean held "fell" (``exam``'s "shifted"): three of
# the sixteen held-out prompts a kind has, not the one or two a run's noise moves.
UNEVEN = 0.15
# The true quality's gain "turned" when its farthest point lies this far below its best one (gold reward, the
# chart's units): more than a pooled point's noise, which moves a held setting by 0.02-0.03 (zh, bias 0, leash 0.1:
# 0.17 at best, 0.15 at the end, while the fit finds no peak).
TURNED = 0.05
# The sloppy checker missed a decline when its pass rate fell this much less than the strict checker's on the same
# answers (``exam``'s "blind"); measured: 0.21-0.29 where capability collapsed, 0.04 where it slipped.
BLIND = 0.1
# What more votes a pair and a rubric do to the judges' labels (``bias_numbers``): at or below CLEAN a share of
# wrong labels leaves little to mend (the classic panel at bias 0: 0.01); a remedy "helps" when it cuts the share
# by more than states.CHANGED (measured, classic panel, bias 0.9: five votes 0.58 -> 0.58, a rubric -> 0.27).
CLEAN = 0.05
MENDS = ("clean", "both", "rubric", "votes", "neither")  # the sentences, texts key mend.<name>
FORMS = {"rl": "form_rl", "bon": "form_bon"}  # the text of each functional form (sim.methods.FORM)


def nearest(x: float, stops) -> float:
    return min(stops, key=lambda s: abs(s - x))


def at(rows: list[dict], kl: float, bias: float) -> list[dict]:
    """The rows (one a seed) of one setting of the grid."""
    return [r for r in rows if r["kl_coef"] == kl and r["reward_bias"] == bias]


def _mean(xs) -> float | None:
    return sw.stats(xs)["mean"]


def frontier_numbers(rows: list[dict], kl: float, bias: float, seed: int | None = None, lens: str = "tech",
                     lang: str = "en") -> dict | None:
    """The "frontier" panel's numbers at the sliders (means over the finished seeds), or None when that setting is
    not finished; ``best``: which leash kept the most true quality at this bias, among the finished ones (and that
    there is nothing to compare while one is); ``state``: what the run of ``seed`` (the sidebar's world) became
    there, in its own numbers (ui/states.py), or "" when that seed's run is not finished."""
    here = at(rows, kl, bias)
    if not here:
        return None
    gold = sw.cells([r for r in rows if r["reward_bias"] == bias], "gold_reward")
    best = max(gold, key=lambda k: gold[k]["mean"])
    # which leash kept the most true quality, once there is more than one finished leash to compare
    leashes = {"n_kl": len(gold), "best_kl": best[1], "best_gold": gold[best]["mean"]}
    best_said = texts.sentence("frontier_best" if len(gold) > 1 else "frontier_alone", lens, lang, leashes)
    mine = [r for r in here if r.get("seed") == seed]
    state = ""
    if mine:
        s, f, h = mine[0]["start"], mine[0]["final"], mine[0]["history"]
        became = texts.state(states.state(s, f, h), lens, lang, state_numbers(s, f, h))
        state = texts.sentence("frontier_seed", lens, lang, {"seed": seed, "state": became})
    return {
        "bias": bias, "kl_coef": kl, "n_seed": len(here),
        "cap0": _mean(r["start"]["capability"] for r in here), "cap": _mean(r["final"]["capability"] for r in here),
        "gold0": _mean(r["start"]["gold_reward"] for r in here), "gold": _mean(r["final"]["gold_reward"] for r in here),
        "proxy": _mean(r["final"]["proxy_reward"] for r in here),
        "best_kl": best[1], "best_gold": gold[best]["mean"], "best": best_said, "state": state,
    }  # fmt: skip


def state_numbers(s: dict, f: dict, h: list[dict]) -> dict:
    """The numbers a state sentence (ui/states.py) cites, of one run: its start, final row and history."""
    peak = states.peak_row(s, h)
    return {"cap0": s["capability"], "cap1": f["capability"], "flat": f["flattery"], "flat_peak": peak["flattery"],
            "peak_step": peak["step"], "surf": f.get("surface_share"), "d2": f.get("distinct_2"),
            "cut": f.get("cut_rate")}


def overopt_data(rows: list[dict], kl: float, bias: float, methods: dict) -> dict:
    """{"ppo": the pooled fit of PPO's runs (all seeds) at the sliders, method: the fit of its history}."""
    out = {}
    here = at(rows, kl, bias)
    if here:
        out["ppo"] = sw.pooled_overopt([r["history"] for r in here], "rl")
    for m in METHODS:
        if m in methods:
            out[m] = overopt(methods[m]["history"], FORM[base_method(m)])
    return out


def peak(o: dict) -> tuple[float, float] | None:
    """(d, gain) of the gold peak when the fit has one inside the distance the points reach."""
    f = o.get("gold")
    if not f or f["d_peak"] is None or not o["points"]:
        return None
    if f["d_peak"] > max(p["d"] for p in o["points"]):
        return None
    return f["d_peak"], f["r_peak"]


def overopt_panel(ov: dict) -> tuple[str, dict] | None:
    """The over-optimisation panel of PPO's runs at the sliders, or None when there is no gold fit: its key and
    numbers. The key is read from the measured points (gains over the start, seeds pooled, as the chart draws
    them): the best gold gain ``up`` (at ``d_up``) and the gain at the farthest point ``end`` (at ``d_max``). The
    gain rose (by more than states.CHANGED) and then fell back by more than TURNED: "overopt"; it never rose and
    fell by more than TURNED: "overopt_fall"; otherwise it has not turned: "overopt_none". The fit's α, β and R²
    come along."""
    o = ov.get("ppo")
    if not o or not o.get("gold") or not o.get("points"):
        return None
    f, pts = o["gold"], o["points"]
    best, far = max(pts, key=lambda p: p["gold"]), max(pts, key=lambda p: p["d"])
    nums = {"alpha": f["alpha"], "beta": f["beta"], "r2": f["r2"], "up": best["gold"], "d_up": best["d"],
            "end": far["gold"], "d_max": far["d"]}
    rose, fell_back = nums["up"] > states.CHANGED, nums["end"] < nums["up"] - TURNED
    if rose and fell_back:
        return "overopt", nums
    if not rose and nums["end"] < -TURNED:
        return "overopt_fall", nums
    return "overopt_none", nums


def turned(ov: dict) -> bool:
    """Whether PPO's measured true quality turned down at the sliders (``overopt_panel``): the chart then marks the
    fit's peak."""
    return (overopt_panel(ov) or ("",))[0] in ("overopt", "overopt_fall")


def fit_rows(ov: dict, lang: str) -> list[dict]:
    """One table row a fitted curve: method, score, form, alpha, beta, R^2, KL at the peak, points."""
    out = []
    for m, o in ov.items():
        for name, metric in (("gold", "gold_reward"), ("proxy", "proxy_reward")):
            f = o.get(name)
            if not f:
                continue
            pk = peak(o) if name == "gold" else None
            out.append({
                texts.t("fit_method", lang): labels.method(m, lang),
                texts.t("fit_reward", lang): labels.label(metric, lang),
                texts.t("fit_form", lang): texts.t(FORMS[o["form"]], lang),
                "α": round(f["alpha"], 3), "β": round(f["beta"], 3), "R²": round(f["r2"], 3),
                texts.t("fit_peak", lang): f"{pk[0] ** 2:.2f}" if pk else texts.t("fit_none", lang),
                texts.t("fit_points", lang): f["n_points"],
            })  # fmt: skip
    return out


def method_numbers(method: str, doc: dict, lens: str, lang: str) -> dict:
    """A method panel's numbers from its document (sim.methods), with the state its numbers show (ui/states.py)."""
    s, f, h = doc["start"], doc["final"], doc["history"]
    nums = {"cap0": s["capability"], "cap1": f["capability"], "gold0": s["gold_reward"], "gold1": f["gold_reward"],
            "kl": f["kl"], "beta": doc["config"].get("beta", 0.0), "k": doc["config"].get("k", 0),
            "kl_coef": doc.get("kl_coef") or 0.0}
    best = max(h, key=lambda r: r["gold_reward"])
    nums.update(best_n=best.get("n", best["step"]), best_gold=best["gold_reward"])
    nums.update(state_numbers(s, f, h))
    nums.update(q0=states.quality100(s["gold_reward"]), q1=states.quality100(f["gold_reward"]),
                best_q=states.quality100(best["gold_reward"]),
                drift=texts.drift(states.drift(f["kl"]), f["kl"], lens, lang))
    nums["state"] = texts.state(states.state(s, f, h), lens, lang, nums)
    if base_method(method) == "grpo":
        nums.update(grpo_numbers(doc, lens, lang))
    if method == "ensemble":
        nums.update(ensemble_numbers(doc, lens, lang))
    return nums


def ensemble_numbers(doc: dict, lens: str, lang: str) -> dict:
    """The ensemble panel's own numbers: its members' agreement with their annotators and with the gold preference
    (means over the members), and the sentence that agreement picks (``JUDGES``)."""
    ms, how = doc.get("members") or [], texts.t(HOW[doc["config"].get("conservative", "min")], lang)
    if not ms:  # a document without its members' figures: no sentence about them
        return {"agree": math.nan, "gold_agree": math.nan, "how": how, "judges": ""}
    nums = {"agree": sum(m["pref_accuracy"] for m in ms) / len(ms),
            "gold_agree": sum(m["gold_agreement"] for m in ms) / len(ms), "how": how}
    nums["judges"] = texts.sentence(JUDGES["shared" if nums["gold_agree"] < SHARED else "sound"], lens, lang, nums)
    return nums


def exam(chk0: float, chk1: float, cap0: float, cap1: float, strict: bool = False,
         real: tuple[float, float] = (math.nan, math.nan), drop: float = 0.0) -> str:
    """GRPO's outcome (a key of ``EXAMS``) from its checker's pass rate and its greedy capability, start and final.

    Its pass rate rose (by more than states.CHANGED) while capability fell: under the sloppy checker it was hacked
    ("fooled"); under the strict one, which no wrong answer passes, the extra passes are real and the loss lies
    elsewhere ("narrowed"). The sloppy checker's rate rose and the strict checker's on the same answers (``real``,
    start and final) gained less than half as much: most new passes merely contain the right answer ("gamed"). It
    rose with capability held or up: "learned", or "shifted" where one kind still fell by ``drop`` >= UNEVEN. It did
    not rise while capability fell: "blind" where the sloppy checker's rate fell BLIND less than the strict one's on
    the same answers (it passes wrong answers it used to see as wrong), else "worse"; or neither moved: "still", or
    "moved" where one kind fell by UNEVEN."""
    up, down = chk1 > chk0 + states.CHANGED, cap1 < cap0 - states.CHANGED
    known = not strict and not math.isnan(real[0] + real[1])  # the strict checker's view of the same answers
    if up and down:
        return "narrowed" if strict else "fooled"
    if up and known and real[1] - real[0] < (chk1 - chk0) / 2:
        return "gamed"
    if up:
        return "shifted" if drop >= UNEVEN else "learned"
    if down:
        return "blind" if known and (real[0] - real[1]) - (chk0 - chk1) >= BLIND else "worse"
    return "moved" if drop >= UNEVEN else "still"


def grpo_numbers(doc: dict, lens: str, lang: str) -> dict:
    """A GRPO panel's own numbers: its checker's pass rate (the reward it trained on) and the strict checker's on the
    same answers, start and final, entropy and distinct answers (nan where the run did not record them), the kinds
    that fell and rose most, and the sentence of ``exam``."""
    s, f = doc["start"], doc["final"]
    key = "checker_" + doc["config"].get("checker", "strict")

    def get(row, k):
        v = row.get(k)
        return float("nan") if v is None else v

    nums = {"chk0": get(s, key), "chk1": get(f, key), "real0": get(s, "checker_strict"),
            "real1": get(f, "checker_strict"), "ent0": get(s, "entropy"), "ent1": get(f, "entropy"),
            "div0": get(s, "distinct_answers"), "div1": get(f, "distinct_answers"),
            "cap0": s["capability"], "cap1": f["capability"], "flat0": s["flattery"], "flat": f["flattery"]}
    per0, per1 = s.get("per_task") or {}, f.get("per_task") or {}
    fell, rose = fell_most(per0, per1), fell_most(per1, per0)
    for name, kind in (("fell", fell), ("rose", rose)):
        nums.update({name: labels.task(kind, lang) if kind else "—", name + "0": per0.get(kind, math.nan),
                     name + "1": per1.get(kind, math.nan)})
    drop = per0[fell] - per1[fell] if fell and rose else 0.0  # "shifted" names a kind that rose, so needs one
    verdict = exam(nums["chk0"], nums["chk1"], nums["cap0"], nums["cap1"], key == "checker_strict",
                   (nums["real0"], nums["real1"]), drop)
    if verdict == "narrowed" and fell in RLHF_HELD_OUT:  # the loss sits in a kind GRPO never practised
        verdict = "narrowed_unpractised"
    nums["exam"] = texts.sentence(EXAMS[verdict], lens, lang, nums)
    return nums


def fell_most(per0: dict | None, per1: dict | None) -> str | None:
    """The task kind whose greedy accuracy fell the most from ``per0`` to ``per1`` (None when none fell, or a
    run did not record its kinds): where the narrowed sentence says the capability went. ``fell_most(per1, per0)``
    is the kind that rose most."""
    drops = {k: per0[k] - per1[k] for k in (per0 or {}) if k in (per1 or {}) and per1[k] < per0[k]}
    return max(drops, key=drops.get) if drops else None


def csv_rows(rows: list[dict]) -> list[dict]:
    """Flat rows of the sweep (one a run) for a CSV download."""
    out = []
    for r in sorted(rows, key=lambda r: (r["reward_bias"], r["kl_coef"], r["seed"])):
        row = {"kl_coef": r["kl_coef"], "reward_bias": r["reward_bias"], "seed": r["seed"]}
        for where in ("start", "final"):
            row.update({f"{where}.{k}": r[where].get(k) for k in sw.FINAL_KEYS})
        row.update({f"reward.{k}": v for k, v in r["reward"].items()})
        out.append(row)
    return out


# -- the challenges page --------------------------------------------------------------------------------
def bosses_numbers(matrix: list[list], err: float, votes: int, rubric: bool, lens: str, lang: str) -> dict:
    return {"n": len(matrix), "dis": sw.stats(matrix[i][j] for i in range(len(matrix))
                                                for j in range(len(matrix)) if i != j)["mean"] or 0.0,
            "ext": matrix[0][-1], "err": err, "votes": votes, "rubric_word": texts.rubric_word(rubric, lens, lang)}


def bias_numbers(doc: dict, rem: dict, lens: str, lang: str) -> dict:
    """The biased-judges panel's numbers: the run's bias and its reward model's agreement with gold, and what the
    remedies would do to its labels (``rem``: sim.annotators.remedies), in the sentence their measures pick."""
    nums = {"bias": doc["config"]["reward"]["reward_bias"], "gold": doc["reward"]["gold_agreement"], **rem}
    if rem["err"] <= CLEAN:
        name = "clean"
    else:
        votes, rubric = (rem[k] < rem["err"] - states.CHANGED for k in ("err_votes", "err_rubric"))
        name = {(True, True): "both", (False, True): "rubric", (True, False): "votes"}.get((votes, rubric), "neither")
    return {**nums, "mend_name": name, "mend": texts.mend(name, lens, lang, nums)}


def boss_names(n: int, lang: str) -> list[str]:
    """Judge 1 (efficiency) ... Judge n (detail), as sim.annotators.bosses orders them."""
    def taste(i):
        return "taste_eff" if 2 * i < n - 1 else "taste_detail" if 2 * i > n - 1 else "taste_mid"

    return [texts.t("boss", lang, i=i + 1) + texts.t(taste(i), lang) for i in range(n)]


def judging_points(docs: dict) -> list[dict]:
    """{(rubric, votes): result document} -> chart rows with the reward model's and PPO's gold numbers."""
    return [{"rubric": rubric, "votes": votes, "gold_agreement": d["reward"]["gold_agreement"],
             "gold_reward": d["rlhf"]["final"]["gold_reward"]} for (rubric, votes), d in sorted(docs.items())]


def flops_numbers(flops: dict) -> dict:
    total = sum(flops.values())
    gpt3 = PUBLISHED["gpt3_pretrain"]
    return {"total": total, "pre_share": flops["pretrain"] / total,
            "rl_share": (flops["reward"] + flops["rlhf"]) / total,
            "orders": round(math.log10(gpt3 / flops["pretrain"])),
            "ig_share": PUBLISHED["instructgpt_ppo"] / gpt3}


def _group(per: dict | None, kinds) -> float | None:
    if not per:
        return None
    xs = [per[k] for k in kinds if k in per]
    return sum(xs) / len(xs) if xs else None


def transfer_groups(history: list[dict]) -> dict:
    """Capability and gold reward before / after PPO on the kinds it practised (A) and those held out (B);
    gold is None where the run did not record it per kind (an older cache entry)."""
    a, b = history[0], history[-1]
    out = {}
    for name, kinds in (("seen", RLHF_KINDS), ("held", RLHF_HELD_OUT)):
        out[name] = {"cap0": _group(a.get("per_task"), kinds), "cap1": _group(b.get("per_task"), kinds),
                     "gold0": _group(a.get("per_task_gold"), kinds), "gold1": _group(b.get("per_task_gold"), kinds)}
    return out


def transfer_numbers(groups: dict) -> dict:
    def g(x):
        return "—" if x is None else f"{x:.2f}"

    s, h = groups["seen"], groups["held"]
    return {"seen0": s["cap0"] or 0.0, "seen1": s["cap1"] or 0.0, "held0": h["cap0"] or 0.0, "held1": h["cap1"] or 0.0,
            "gseen0": g(s["gold0"]), "gseen1": g(s["gold1"]), "gheld0": g(h["gold0"]), "gheld1": g(h["gold1"])}
