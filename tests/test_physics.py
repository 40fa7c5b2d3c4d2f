"""The physics the demo must show (design.md), each emerging from training on the fast preset,
in both languages.

Every number here comes out of real runs of the pipeline (mean of seeds 0, 1, 2); nothing is
written into the code. The runs (tests/runs.py) train in the background from the session's first test on, in
the slow tests' cache (tests/conftest.py ``slow_cache``), each stage once, shared with test_narration's grid.
A summary per language is written to test-artifacts/physics.json (the README's table is made from it).

Two tiers (docs/testing.md): CI (``make test``) checks the claims of the design card; the tests marked ``long``
(issue 14's methods: GRPO's checkers, the ensembles, the loss of diversity; and the default preset on three
seeds) train as much again, and run with ``make physics``. Their runs train only in a session that selects them.

The claims were tuned on seeds 0-2; the fast preset's pretraining length and two bars on seeds 0-5 (docs/physics.md,
"Seeds nobody tuned on"). To check them on other seeds (by hand, not in CI):
``WUJI_PHYSICS_SEEDS=9,10,11 python -m pytest tests/test_physics.py`` (the summary then goes to
test-artifacts/physics-seeds-9-10-11.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

import pytest
import runs

from sim.cache import Cache
from sim.pipeline import run, run_method, run_stream
from sim.world import LANGS

SEEDS, KL_GRID, BIASED, PTX = runs.SEEDS, runs.KL_GRID, runs.BIASED, runs.PTX
ARTIFACT = "physics.json" if SEEDS == (0, 1, 2) else f"physics-seeds-{'-'.join(map(str, SEEDS))}.json"
ROOT = Path(__file__).resolve().parent.parent


def _sft_only(cfg, cache) -> dict:
    """Run pretraining and SFT, then stop the stream (the later stages are not needed)."""
    stream = run_stream(cfg, cache)
    last = None
    for ev in stream:
        if ev.stage == "sft" and ev.evaluated:
            last = ev.metrics
        if ev.stage == "reward":
            stream.close()
            break
    return last


def _seed_row(out, seed) -> dict:
    """One seed's figures for the report's table (bias-0.9 runs share the seed's pretraining and SFT)."""
    g, h = out["grid"][(seed, 0.1)], out["healthy"][seed]
    return {"probe_accuracy": g["pretrain"]["probe_accuracy"], "sft_capability": g["sft"]["capability"],
            "sft_format_rate": g["sft"]["format_rate"], "start_flattery": g["rlhf"]["start"]["flattery"],
            "pref_accuracy_bias0": h["reward"]["pref_accuracy"], "gold_agreement_bias0": h["reward"]["gold_agreement"],
            "no_pretrain_capability": out["no_pretrain"][seed]["capability"]}


@pytest.fixture(scope="module", params=LANGS)
def claims(request, slow_cache, long_tier):
    lang = request.param
    cache = Cache(slow_cache)  # trained in the background since the session began (tests/runs.py)
    cfgs = runs.physics(lang, long_tier)
    out = {part: {k: run(c, cache) for k, c in cfgs[part].items()} for part in ("grid", "healthy", "ptx")}
    out["no_pretrain"] = {s: _sft_only(c, cache) for s, c in cfgs["no_pretrain"].items()}
    summary = {
        "sft_capability": mean(out["grid"][(s, 0.1)]["sft"]["capability"] for s in SEEDS),
        "sft_capability_no_pretrain": mean(out["no_pretrain"][s]["capability"] for s in SEEDS),
        "sft_format_rate": mean(out["grid"][(s, 0.1)]["sft"]["format_rate"] for s in SEEDS),
        "pref_accuracy_bias0": mean(out["healthy"][s]["reward"]["pref_accuracy"] for s in SEEDS),
        "gold_agreement_bias0": mean(out["healthy"][s]["reward"]["gold_agreement"] for s in SEEDS),
        "gold_agreement_bias0.9": mean(out["grid"][(s, 0.1)]["reward"]["gold_agreement"] for s in SEEDS),
        "rlhf_bias0.9": {
            str(kl): {k: {m: mean(out["grid"][(s, kl)]["rlhf"][k][m] for s in SEEDS)
                          for m in ("proxy_reward", "gold_reward", "kl", "capability", "flattery")}
                      for k in ("start", "final")}
            for kl in KL_GRID
        },
        "healthy_bias0_kl0.1": {k: mean(out["healthy"][s]["rlhf"][k]["gold_reward"] for s in SEEDS)
                                for k in ("start", "final")},
        f"ptx{PTX:g}_bias0.9_kl0": {k: {m: mean(out["ptx"][s]["rlhf"][k][m] for s in SEEDS)
                                        for m in ("proxy_reward", "gold_reward", "kl", "capability", "flattery")}
                                    for k in ("start", "final")},
        "per_seed": {s: _seed_row(out, s) for s in SEEDS},
    }
    if long_tier:
        summary.update(_long_summary(out, cfgs, cache))
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    path = ROOT / "test-artifacts" / ARTIFACT
    both = json.loads(path.read_text()) if path.exists() else {}
    both = both if set(both) <= set(LANGS) else {}  # a file of the one-language layout is replaced
    both[lang] = {**both.get(lang, {}), **summary}  # a CI session keeps the long tier's figures of an earlier one
    path.write_text(json.dumps(both, indent=1, ensure_ascii=False))
    out["summary"] = summary
    return out


def _long_summary(out: dict, cfgs: dict, cache: Cache) -> dict:
    """The long tier's runs (``runs.LONG_GROUPS``) into ``out``, and their figures for the summary."""
    out["healthy_free"] = {k: run(c, cache) for k, c in cfgs["healthy_free"].items()}
    out["grpo"] = {k: run_method(c, "grpo", cache) for k, c in cfgs["grpo"].items()}
    out["noisy"] = {s: run(c, cache)["rlhf"] for s, c in cfgs["noisy"].items()}
    for part in ("ensemble_noisy", "ensemble_biased"):
        out[part] = {s: run_method(c, "ensemble", cache) for s, c in cfgs[part].items()}
    return {
        "grpo_bias0.9_kl0": {check: {k: {m: mean(out["grpo"][(s, check)][k][m] for s in SEEDS)
                                         for m in ("capability", "checker_strict", "checker_sloppy", "flattery",
                                                   "entropy", "distinct_answers", "gold_reward", "kl")}
                                     for k in ("start", "final")} for check in ("strict", "sloppy")},
        "gold_peak_noisy_kl0": {name: _peaks([out[part][s]["history"] for s in SEEDS])
                                 for name, part in (("single", "noisy"), ("ensemble", "ensemble_noisy"))},
        "ensemble_bias0.9_kl0": {k: {m: mean(out["ensemble_biased"][s][k][m] for s in SEEDS)
                                     for m in ("capability", "gold_reward", "flattery", "surface_share", "kl")}
                                 for k in ("start", "final")},
        "entropy_kl0": {f"bias{b:g}": {k: mean(h[k]["entropy"] for h in hs) for k in ("start", "final")}
                        for b, hs in ((0.0, [out["healthy_free"][s]["rlhf"] for s in SEEDS]),
                                      (BIASED, [out["grid"][(s, 0.0)]["rlhf"] for s in SEEDS]))},
    }


def _peaks(histories: list[list[dict]]) -> dict:
    """The seeds' mean of the highest gold reward along each history, and of the evaluation it was reached at."""
    at = [max(range(len(h)), key=lambda i: h[i]["gold_reward"]) for h in histories]
    return {"gold": mean(h[i]["gold_reward"] for h, i in zip(histories, at)), "at": mean(at)}


def _mean_history(claims, kl, metric):
    """The seed-mean of one metric along the PPO history (evaluations are at the same steps)."""
    hists = [claims["grid"][(s, kl)]["rlhf"]["history"] for s in SEEDS]
    return [mean(h[i][metric] for h in hists) for i in range(len(hists[0]))]


# Two bars set from seeds 0-5, both languages (docs/physics.md, "Seeds nobody tuned on"): 2.5 standard deviations
# of a three-seed mean below the mean of those twelve (seed, language) runs, fixed before seeds 9-11 were run.
INNER_GAP = 0.10  # per run 0.01-0.48, mean 0.26, sd 0.11 (Chinese seed 3 never learns to copy: 0.01)
PREF_ACCURACY = 0.79  # per run 0.80-0.90, mean 0.84, sd 0.035


def test_inner_strength_matters(claims):
    """内力: the same SFT after no pretraining ends clearly below SFT after full pretraining."""
    s = claims["summary"]
    assert s["sft_capability"] - s["sft_capability_no_pretrain"] >= INNER_GAP, s


def test_sft_teaches_the_format(claims):
    assert claims["summary"]["sft_format_rate"] >= 0.9


def test_reward_model_learns_its_annotators_and_bias_hides_gold(claims):
    s = claims["summary"]
    assert s["pref_accuracy_bias0"] >= PREF_ACCURACY, s
    assert s["gold_agreement_bias0"] - s["gold_agreement_bias0.9"] >= 0.1, s


def test_ppo_raises_proxy_reward_at_every_kl_coef(claims):
    for kl in KL_GRID:
        r = claims["summary"]["rlhf_bias0.9"][str(kl)]
        assert r["final"]["proxy_reward"] > r["start"]["proxy_reward"], (kl, r)


def test_kl_falls_as_kl_coef_rises(claims):
    kls = [claims["summary"]["rlhf_bias0.9"][str(kl)]["final"]["kl"] for kl in KL_GRID]
    assert all(a > b for a, b in zip(kls, kls[1:])), kls


def test_over_optimisation(claims):
    """Gao et al. 2022: with biased judges and no leash gold rises, peaks and falls; proxy keeps rising."""
    gold = _mean_history(claims, 0.0, "gold_reward")
    proxy = _mean_history(claims, 0.0, "proxy_reward")
    peak = max(gold)
    assert peak > gold[0], gold  # it rises first
    assert gold.index(peak) < len(gold) - 1, gold  # the peak is not the end
    assert gold[-1] <= peak - 0.25 * (peak - gold[0]), gold  # and falls back by a quarter of its gain
    assert proxy[-1] >= max(proxy) - 0.05 * abs(max(proxy)), proxy  # while proxy ends near its max


def test_trade_off_capability_needs_a_leash(claims):
    r0 = claims["summary"]["rlhf_bias0.9"]["0.0"]
    r1 = claims["summary"]["rlhf_bias0.9"]["1.0"]
    assert r0["final"]["capability"] <= r0["start"]["capability"] - 0.2, r0
    assert abs(r1["final"]["capability"] - r1["start"]["capability"]) <= 0.05, r1


def test_ppo_ptx_keeps_capability_where_no_leash_loses_it(claims):
    """InstructGPT's PPO-ptx: at bias 0.9 and kl_coef 0, mixing the pretraining loss into PPO's update keeps
    clearly more capability than the same run without it, though PPO moved the policy far from SFT (KL >= 1).
    At 16 the pretraining term holds the judges' score near its start: it rose a little on one CPU and fell a little
    on another (docs/physics.md), so the test does not ask which."""
    s = claims["summary"]
    ptx, plain = s[f"ptx{PTX:g}_bias0.9_kl0"], s["rlhf_bias0.9"]["0.0"]
    assert ptx["final"]["capability"] >= plain["final"]["capability"] + 0.15, (ptx, plain)
    assert ptx["final"]["kl"] >= 1.0, ptx


def test_unbiased_judges_make_rlhf_healthy(claims):
    h = claims["summary"]["healthy_bias0_kl0.1"]
    assert h["final"] > h["start"], h


DEFAULT_SEEDS = runs.DEFAULT_SEEDS


@pytest.fixture(scope="module")
def default_runs(slow_cache) -> dict:
    """The default preset's runs of DEFAULT_SEEDS in both languages (tests/runs.py), trained in the background."""
    cache = Cache(slow_cache)
    return {k: run(c, cache) for k, c in runs.default().items()}


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.long
def test_default_preset_sft_capability(default_runs, lang):
    """The good model worth showing: on the default preset SFT reaches capability >= 0.8 (mean of seeds 0-2) and
    the knowledge probe >= 0.5, with flattery in at most 3% of sampled answers before PPO, in both languages.
    The long tier (``make physics``): fewer seeds (``WUJI_DEFAULT_SEEDS=0``) are asked for capability >= 0.75 only,
    as one seed varies with the torch thread count (zh seed 0: 0.87 at one thread, 0.79 at two)."""
    docs = [default_runs[(lang, seed)] for seed in DEFAULT_SEEDS]
    rows = [(d["sft"]["capability"], d["pretrain"]["probe_accuracy"], d["rlhf"]["start"]["flattery"]) for d in docs]
    cap, probe, flattery = (mean(col) for col in zip(*rows))
    assert cap >= (0.8 if len(rows) >= 3 else 0.75) and probe >= 0.5 and flattery <= 0.03, rows


def _grpo(claims, check: str) -> dict:
    return claims["summary"]["grpo_bias0.9_kl0"][check]


@pytest.mark.long
def test_grpo_with_the_strict_checker_gains_without_flattery_where_ppo_collapses(claims):
    """Verifiable rewards (DeepSeek-R1): at bias 0.9 and no leash, GRPO rewarded by the strict checker writes right
    answers to held-out prompts more often (its sampled answers' pass rate), keeps its greedy capability within 5
    points and adds no flattery; PPO on the judges loses capability. What it does not do in our world is raise the
    greedy capability, as Yue et al. (2025) found of RLVR in large models: it makes the model's best answer its usual
    one, no more. Over six seeds the pass rate rose +0.02 (zh) and +0.03 (en), gaining on five of the kinds it
    practises and losing on the held-out sums, which come out one off (docs/physics.md, "kind by kind")."""
    g = _grpo(claims, "strict")
    assert g["final"]["checker_strict"] - g["start"]["checker_strict"] >= 0.04, g
    assert g["final"]["capability"] >= g["start"]["capability"] - 0.05, g
    assert g["final"]["flattery"] <= g["start"]["flattery"] + 0.01, g  # within its SFT share
    ppo = claims["summary"]["rlhf_bias0.9"]["0.0"]
    assert ppo["final"]["capability"] < ppo["start"]["capability"] - 0.3, ppo


@pytest.mark.long
def test_the_sloppy_checker_is_hacked(claims):
    """A verifier is a reward model too: "the answer appears anywhere" is pleased by several candidates at once, so
    its score rises while the true capability falls."""
    g = _grpo(claims, "sloppy")
    assert g["final"]["checker_sloppy"] - g["start"]["checker_sloppy"] >= 0.02, g
    assert g["final"]["capability"] < g["start"]["capability"] - 0.15, g


@pytest.mark.long
def test_entropy_falls_under_healthy_judges_and_rises_in_the_hack(claims):
    """Diversity (Kirk et al. 2024): with no leash, PPO on healthy judges narrows the policy (its entropy per token
    falls); on judges at bias 0.9 it babbles pleasing pieces in ever new orders, and its entropy rises."""
    e = claims["summary"]["entropy_kl0"]
    assert e["bias0"]["final"] < e["bias0"]["start"] - 0.05, e
    assert e[f"bias{BIASED:g}"]["final"] > e[f"bias{BIASED:g}"]["start"] + 0.2, e


@pytest.mark.long
def test_an_ensemble_keeps_the_gold_peak_higher_under_careless_annotators(claims):
    """Coste et al. 2024: where a coin labels 60% of the pairs, PPO without a leash on one reward model soon finds
    its accidental likes and gold peaks early; on the worst of four models learnt from resamples of the same pairs,
    gold peaks higher or later."""
    p = claims["summary"]["gold_peak_noisy_kl0"]
    assert p["ensemble"]["gold"] > p["single"]["gold"] + 0.01 or p["ensemble"]["at"] > p["single"]["at"], p


@pytest.mark.long
def test_an_ensemble_does_not_rescue_biased_judges(claims):
    """An error every member shares is no disagreement: four judges who all love flattery (bias 0.9) are gamed as
    one is, and capability collapses without a leash."""
    e = claims["summary"]["ensemble_bias0.9_kl0"]
    assert e["final"]["capability"] < e["start"]["capability"] - 0.3, e
    assert e["final"]["gold_reward"] < e["start"]["gold_reward"], e
