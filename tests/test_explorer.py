"""The trade-off explorer (issue 4) and the deepened challenges page: the sweep stream and its tables, the
annotator experiment, the FLOPs estimate, and AppTest of both pages in both languages.

The sweeps here run over a tiny grid (``WUJI_EXPLORER_GRID``) of the session's prepared cache, or through a
faked stream over an empty cache, so nothing trains.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import annotators, cost, sweep
from sim.cache import Cache, cached_result, default_cache_dir
from sim.config import RewardConfig, key_fields, preset
from sim.events import Event
from sim.jobs import Board
from sim.world import World
from ui import charts, labels, narrate, state, texts, tradeoff
from ui.charts import TITLE_COLS

ROOT = Path(__file__).resolve().parent.parent
TINY = "kl=0,0.1;bias=0,0.9;seeds=0"  # the four zh runs of conftest.TEST_RUNS
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _cache(wuji_cache):
    return wuji_cache


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(parts)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def shown(key: str, lang: str, **kw) -> str:
    """A chart's title as the chart shows it (wrapped to fit a column)."""
    return labels.wrap(texts.t(key, lang, **kw), TITLE_COLS)


def tiny_cfgs(lang: str = "zh") -> list:
    return sweep.grid(preset("fast", lang=lang), (0.0, 0.1), (0.0, 0.9), (0,))


# -- the core: keys, the sweep, the tables ---------------------------------------------------------------
def test_new_reward_fields_leave_existing_cache_keys_alone():
    base = dataclasses.asdict(RewardConfig())
    for name in ("diverse", "rubric", "votes", "label_noise"):
        base.pop(name)
    assert key_fields(RewardConfig()) == base, "a default config hashes as it did before the fields existed"
    cfg = preset("fast")
    diverse = dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, diverse=True, votes=3))
    a, b = sweep.stage_keys(cfg), sweep.stage_keys(diverse)
    assert a["pretrain"] == b["pretrain"] and a["sft"] == b["sft"]
    assert a["reward"] != b["reward"] and a["rlhf"] != b["rlhf"]
    for votes in (2, 7):
        with pytest.raises(ValueError, match="odd number from 1 to 5"):
            dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, votes=votes)).validate()
    noisy = dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, label_noise=0.6))
    assert sweep.stage_keys(noisy)["sft"] == a["sft"] and sweep.stage_keys(noisy)["reward"] != a["reward"]
    with pytest.raises(ValueError, match="label noise must be a share between 0 and 1"):
        dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, label_noise=1.5)).validate()


def test_sweep_stream_reads_the_cache_and_ends_with_every_row(wuji_cache):
    cfgs = tiny_cfgs()
    assert [(c.seed, c.reward.reward_bias, c.ppo.kl_coef) for c in cfgs] == [(0, 0.0, 0.0), (0, 0.0, 0.1),
                                                                              (0, 0.9, 0.0), (0, 0.9, 0.1)]
    assert sweep.sweep_key(cfgs) == sweep.sweep_key(tiny_cfgs()) != sweep.sweep_key(cfgs[:3])
    events = list(sweep.sweep_stream(cfgs, Cache(wuji_cache)))
    marks = [e for e in events if e.stage == "sweep"]
    assert [e.step for e in marks] == [1, 2, 3, 4] and all(e.extra["cached"] for e in marks)
    rows = events[-1].extra["result"]
    assert events[-1].stage == "done" and [r["kl_coef"] for r in rows] == [0.0, 0.1, 0.0, 0.1]
    assert sweep.missing(cfgs, Cache(wuji_cache)) == dict.fromkeys(("pretrain", "sft", "reward", "rlhf"), 0)
    gold = sweep.cells(rows, "gold_reward")
    assert gold[(0.9, 0.0)]["n"] == 1 and gold[(0.9, 0.0)]["sd"] == 0.0
    curves = sweep.frontier(rows, "proxy_reward")
    assert sorted(curves) == [0.0, 0.9] and [p["kl_coef"] for p in curves[0.9]] == [0.0, 0.1]


def test_stats_and_the_pooled_fit_recover_known_coefficients():
    s = sweep.stats([1.0, 2.0, 3.0])
    assert s["mean"] == 2.0 and s["sd"] == pytest.approx(1.0) and (s["min"], s["max"], s["n"]) == (1.0, 3.0, 3)

    def run(alpha, beta, ds, offset):  # an RL history whose gains follow R(d) = d (alpha - beta log d) exactly
        return [{"step": i, "kl": d * d, "gold_reward": offset + (d * (alpha - beta * math.log(d)) if d else 0.0),
                 "proxy_reward": offset + d} for i, d in enumerate(ds)]

    o = sweep.pooled_overopt([run(0.5, 0.4, [0, 0.5, 1.0, 2.0], 0.3), run(0.5, 0.4, [0, 0.8, 1.5, 3.0], -0.2)])
    assert o["gold"]["alpha"] == pytest.approx(0.5) and o["gold"]["beta"] == pytest.approx(0.4)
    assert o["gold"]["r2"] == pytest.approx(1.0) and len(o["points"]) == 8
    assert o["gold"]["d_peak"] == pytest.approx(math.exp(0.5 / 0.4 - 1))
    kind, nums = tradeoff.overopt_panel({"ppo": o})
    # the panel reads the measured points: the best gain, then 3 (0.5 - 0.4 ln 3) = 0.18 at d = 3
    best = 1.5 * (0.5 - 0.4 * math.log(1.5))  # the highest measured point: d = 1.5 (the fit's peak is at 1.28)
    assert kind == "overopt" and (nums["up"], nums["d_up"], nums["d_max"]) == (pytest.approx(best), 1.5, 3.0)
    assert nums["end"] == pytest.approx(3 * (0.5 - 0.4 * math.log(3)))


@pytest.mark.parametrize(("gains", "kind"), [
    ((0.0, 0.09, 0.05, -0.6), "overopt"),  # zh, bias 0.9, leash 0 (seed 0): up, then far down
    ((0.0, -0.01, -0.05, -0.11), "overopt_fall"),  # en, bias 0.9, leash 0.1: it never rose
    ((0.0, 0.10, 0.173, 0.150), "overopt_none"),  # zh, bias 0, leash 0.1: 0.02 below its best is no turn
    ((0.0, 0.033, 0.02, -0.03), "overopt"),  # a small rise, then 0.06 below it
    ((0.0, 0.01, -0.01, 0.0), "overopt_none"),  # nothing moved
])
def test_the_overoptimisation_panel_says_what_the_measured_points_did(gains, kind):
    fit = {"alpha": 0.5, "beta": 0.2, "r2": 0.9, "d_peak": 1.0, "r_peak": 0.3}  # the fit never picks the sentence
    pts = [{"step": i, "d": i / 2, "gold": g, "proxy": 0.1 * i} for i, g in enumerate(gains)]
    ov = {"ppo": {"gold": fit, "proxy": None, "points": pts, "curves": {"gold": [], "proxy": []}}}
    got, nums = tradeoff.overopt_panel(ov)
    assert got == kind and nums["end"] == gains[-1] and nums["up"] == max(gains)
    for lang in ("zh", "en"):
        text = texts.panel(got, "wuxia", lang, nums)
        assert f"{max(gains):+.2f}" in text and f"{gains[-1]:+.2f}" in text, text
    # the chart stars the fit's peak (inside the points' reach here) only where the sentence says it turned
    stars = [t for t in charts.overopt(ov, "en", "peak", "wuxia").data if t.marker.symbol == "star"]
    assert len(stars) == (kind != "overopt_none")


def test_the_bosses_disagree_by_taste_and_the_remedies_work():
    world = World("zh", 0)
    off, on = annotators.Judging(True, False, 1), annotators.Judging(True, True, 1)
    m = annotators.disagreement(world, 0.0, off, 5, 0)
    assert m[0][4] > m[2][2] + 0.1, "the efficiency and the detail boss disagree beyond their own noise"
    m_on = annotators.disagreement(world, 0.0, on, 5, 0)
    assert m_on[0][4] < m[0][4] - 0.1, "a rubric sets the tastes aside"

    def err(bias, rubric, votes):
        return annotators.label_error(world, bias, annotators.Judging(True, rubric, votes), 5, 0)

    assert err(0.0, False, 5) < err(0.0, False, 1) - 0.05, "more votes a pair average the noise away"
    assert err(0.9, True, 1) < err(0.9, False, 1) - 0.1, "a rubric lowers the bias"
    assert err(0.9, False, 5) > err(0.9, False, 1) - 0.02, "more votes do not fix a bias they all share"


@pytest.mark.parametrize("lang, seed", (("zh", 0), ("en", 3)))
def test_the_biased_judges_panel_says_what_each_remedy_measurably_does_to_the_labels(lang, seed):
    """The panel's advice comes from the remedies measured on this world's judges, not from the slider: one
    judge's coin is outvoted, a taste they all share is not, and a rubric halves the shared taste."""
    base = preset("fast").reward

    def panel(bias, noise=0.0):
        rem = annotators.remedies(World(lang, seed), dataclasses.replace(base, reward_bias=bias, label_noise=noise),
                                  seed, 5)
        doc = {"config": {"reward": {"reward_bias": bias}}, "reward": {"gold_agreement": 0.61}}
        return rem, tradeoff.bias_numbers(doc, rem, "tech", lang)

    rem, nums = panel(0.0)
    assert nums["mend_name"] == "clean" and rem["err"] <= tradeoff.CLEAN
    rem, nums = panel(0.0, noise=0.3)  # careless judges, each with his own coin
    assert nums["mend_name"] == "votes" and rem["err_votes"] < rem["err"] - 0.05
    for bias in (0.5, 0.9):  # a taste they share
        rem, nums = panel(bias)
        assert nums["mend_name"] == "rubric", rem
        assert abs(rem["err_votes"] - rem["err"]) < 0.02 and rem["err_rubric"] < rem["err"] - 0.1
        text = texts.panel("challenge_bias", "tech", lang, nums)
        for x in ("err", "err_votes", "err_rubric", "gold"):
            assert f"{nums[x]:.0%}" in text, (x, text)
        assert f"{bias:.1f}" in text


@pytest.mark.parametrize("rem, name", [
    ({"err": 0.3, "err_votes": 0.1, "err_rubric": 0.2}, "both"),
    ({"err": 0.3, "err_votes": 0.29, "err_rubric": 0.2}, "rubric"),
    ({"err": 0.3, "err_votes": 0.1, "err_rubric": 0.35}, "votes"),
    ({"err": 0.3, "err_votes": 0.31, "err_rubric": 0.29}, "neither"),
    ({"err": 0.04, "err_votes": 0.0, "err_rubric": 0.0}, "clean"),
])
def test_the_biased_judges_panel_picks_its_advice_by_the_measured_shares(rem, name):
    doc = {"config": {"reward": {"reward_bias": 0.5}}, "reward": {"gold_agreement": 0.7}}
    for lang in texts.LANGS:
        for lens in texts.LENSES:
            nums = tradeoff.bias_numbers(doc, {**rem, "votes": 5}, lens, lang)
            assert nums["mend_name"] == name
            assert f"{rem['err']:.0%}" in texts.panel("challenge_bias", lens, lang, nums)


def test_classic_judging_labels_exactly_as_before():
    import random

    from sim.annotators import make_pairs

    world = World("en", 3)
    a = make_pairs(world, 50, 0.5, random.Random(1), 5, 3)
    b = make_pairs(world, 50, 0.5, random.Random(1), 5, 3, judging=annotators.Judging())
    assert a == b
    c = make_pairs(world, 50, 0.5, random.Random(1), 5, 3, judging=annotators.Judging(True, True, 3))
    assert len(c) == 50 and c != a


def test_flops_follow_the_model_formula_and_the_published_figures():
    # by hand: 6 x (12 x 2 x 64^2 weights + 300 x 64 embedding) + 6 x (2 x 2 x 40 x 64 attention) = 766,464
    assert cost.flops_per_token(2, 64, 300, 40) == 766_464
    f = cost.stage_flops(preset("fast"))
    assert set(f) == {"pretrain", "sft", "reward", "rlhf"} and all(v > 0 for v in f.values())
    assert f["pretrain"] > f["rlhf"] and f["pretrain"] == pytest.approx(
        1000 * 32 * 64 * cost.flops_per_token(2, 64, len(cost.VOCABS['zh']), 64))
    assert cost.PUBLISHED["gpt3_pretrain"] == 3.14e23
    assert cost.PUBLISHED["instructgpt_ppo"] == pytest.approx(60 * 8.64e19)
    assert cost.PUBLISHED["gpt3_pretrain"] / cost.PFS_DAY == pytest.approx(3640, rel=0.01)


# -- AppTest: the explorer ------------------------------------------------------------------------------------
@pytest.fixture()
def tiny_grid(monkeypatch):
    monkeypatch.setenv("WUJI_EXPLORER_GRID", TINY)


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_map_fills_in_the_background_and_draws_what_is_done(lang, monkeypatch, tmp_path, wuji_cache, tiny_grid):
    """An empty cache: the page offers one button; the sweep (faked: rows from the prepared runs, two at once,
    then a pause) runs on the Board, the page draws the finished half, then the whole map."""
    monkeypatch.setenv("WUJI_CACHE_DIR", str(tmp_path / "cache"))
    docs = {(c.ppo.kl_coef, c.reward.reward_bias): cached_result(c, Cache(wuji_cache)) for c in tiny_cfgs("zh")}
    gate = threading.Event()

    def fake(cfgs, cache):
        rows = []
        for i, c in enumerate(cfgs):
            if i == 2:
                gate.wait(30)
            rows.append(sweep.summary(c, docs[(c.ppo.kl_coef, c.reward.reward_bias)]))
            yield Event("sweep", i + 1, len(cfgs), {}, True, {"row": rows[-1], "cached": False})
        yield Event("done", 1, 1, {}, True, {"result": rows})

    monkeypatch.setattr(sweep, "sweep_stream", fake)
    # a fresh cache would first measure the server's speed (a few seconds of real training on the one worker,
    # ahead of the sweep); this test is about the sweep alone (test_speed covers the measuring)
    monkeypatch.setattr(Board, "calibration", lambda self, cfg, who: None)
    try:
        at = open_page("explorer", lang=lang, bias="0.9", kl="0")
        assert at.title[0].value == texts.t("page_explorer", lang)
        assert texts.t("ex_status", lang, done=0, total=4, n_kl=2, n_bias=2, n_seed=1) in texts_of(at)
        assert not at.get("plotly_chart") and at.button(key="start_sweep")
        at.button(key="start_sweep").click().run()
        job = at.session_state["sweep_job"]
        deadline = time.monotonic() + 30
        while sum(e.stage == "sweep" for e in job.snapshot()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert texts.t("ex_status", lang, done=2, total=4, n_kl=2, n_bias=2, n_seed=1) in texts_of(at)
        assert at.button(key="stop_sweep_job"), "a running sweep shows its progress and a Stop button"
        assert shown("ch_frontier", lang) in chart_titles(at), "the finished half is drawn already"
        gate.set()
        assert job.join(30) and job.error is None
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        titles = chart_titles(at)
        assert shown("ch_frontier", lang) in titles and shown("ch_overopt", lang) in titles
        assert shown("ch_heat", lang, n_seed=1) in titles
        assert texts.t("ex_done", lang) in texts_of(at)
        other = "en" if lang == "zh" else "zh"
        assert texts.t("ex_frontier_t", other) not in texts_of(at)
    finally:
        gate.set()


def test_slider_moves_answer_from_the_cache_at_once(tiny_grid):
    from ui import session

    at = open_page("explorer", lang="zh", lens="tech", bias="0.9", kl="0")
    assert texts.t("ex_done", "zh") in texts_of(at)
    before = texts_of(at)
    assert "标注偏差 0.9、KL 系数 0，1 个种子的均值" in before
    times = []
    for kl in (0.1, 0.0, 0.1):
        t0 = time.perf_counter()
        at.select_slider(key="x_kl").set_value(kl).run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["values"]["kl"] == 0.1 and at.query_params["kl"] == "0.1", "the link follows"
    assert "标注偏差 0.9、KL 系数 0.1，1 个种子的均值" in texts_of(at) != before
    at.select_slider(key="x_bias").set_value(0.0).run()
    assert at.session_state["values"]["bias"] == 0.0 and "标注偏差 0.0、KL 系数 0.1" in texts_of(at)
    assert not {"sweep_job", "methods_job", "job", "autostart"} & set(at.session_state), "nothing trains"
    assert session.server().board.status()["running"] == 0
    assert min(times) < 1.0, times  # an AppTest run: the page's own work is well under 0.3 s (see the report)


def test_a_bias_off_the_grid_shows_the_nearest_stop(tiny_grid):
    at = open_page("explorer", lang="en", bias="0.3")
    assert at.select_slider(key="x_bias").value == 0.0
    assert texts.t("ex_not_in_grid", "en", bias=0.3, near=0.0, stops="0, 0.9") in texts_of(at)
    assert at.session_state["values"]["bias"] == 0.3, "the shared value is kept until the slider moves"


def _method_doc(method: str, cfg) -> dict:
    """A made-up method document with the shape of sim.methods' (rises, peaks, falls)."""
    ns = (1, 2, 4, 8, 16, 32, 64)
    steps = ns if method == "bon" else (0, 5, 10, 15, 20)
    hist = []
    for i, s in enumerate(steps):
        kl = math.log(s) - (s - 1) / s if method == "bon" else 0.5 * i * i
        d = math.sqrt(kl)
        hist.append({"step": s, "n": s, "kl": kl, "proxy_reward": 0.1 + 0.6 * d,
                     "gold_reward": 0.5 + d * (0.4 - 0.3 * d), "capability": 0.6 - 0.05 * i, "flattery": 0.1 * i,
                     "length": 12.0, "format_rate": 1.0, "per_task": {}, "entropy": 0.5 - 0.02 * i,
                     "distinct_answers": 0.6 - 0.05 * i, "checker_strict": 0.5, "checker_sloppy": 0.5 + 0.02 * i})
    grpo = method.startswith("grpo")
    config = ({"beta": 0.1} if method == "dpo" else {"k": 4} if method == "rloo" else
              {"k": 8, "reward": "checker", "checker": "sloppy" if method == "grpo_sloppy" else "strict"} if grpo
              else {})
    if method == "ensemble":
        config = {"k": 4, "steps": 120, "conservative": "min", "uwo_lambda": 1.0}
    doc = {"method": "grpo" if grpo else method, "seed": cfg.seed, "reward_bias": cfg.reward.reward_bias,
           "kl_coef": cfg.ppo.kl_coef if method in ("rloo", "ensemble") or grpo else None,
           "config": config, "start": hist[0], "final": hist[-1], "history": hist}
    if method == "ensemble":
        doc["members"] = [{"pref_accuracy": 0.9, "gold_agreement": 0.37 + 0.01 * i} for i in range(4)]
    return doc


# -- GRPO's two checkers: one variant table, the sentences chosen from the numbers --------------------------
def test_grpo_variants_differ_only_in_the_checker_and_key_their_own_cache_entries():
    from sim.methods import VARIANTS, base_method, method_key, variant

    cfg = preset("fast", kl_coef=0.0, reward_bias=0.9)
    strict, m1 = variant(cfg, "grpo")
    sloppy, m2 = variant(cfg, "grpo_sloppy")
    assert m1 == m2 == "grpo" and set(VARIANTS) <= set(tradeoff.METHODS)
    assert (strict.grpo.reward, strict.grpo.checker, sloppy.grpo.checker) == ("checker", "strict", "sloppy")
    assert dataclasses.replace(sloppy, grpo=strict.grpo) == strict, "nothing but GRPO's settings differ"
    assert strict == cfg, "the strict checker is GRPO's default: the plain method's cache entry is its entry"
    assert method_key(strict, "grpo") == method_key(cfg, "grpo") != method_key(sloppy, "grpo")
    assert variant(cfg, "dpo") == (cfg, "dpo") and base_method("grpo_sloppy") == "grpo"
    keys = sweep.methods_key(cfg, tradeoff.METHODS)
    assert method_key(sloppy, "grpo")[:12] in keys and keys != sweep.methods_key(cfg, ("bon", "dpo", "rloo", "grpo"))


# Measured per kind, GRPO strict, en seed 0, 1000 pretraining steps (2026-12-03): the held-out sums fell most.
PER_TASK = ({"add": 1.0, "compare": 1.0, "copy": 1.0, "reverse": 1.0, "count": 0.5, "sort": 1.0, "sect": 0.5625,
             "master": 0.75},
            {"add": 0.625, "compare": 1.0, "copy": 1.0, "reverse": 1.0, "count": 0.625, "sort": 1.0, "sect": 0.75,
             "master": 0.75})


# ... and the default preset's (the same day): the sums fell 81% -> 56%, the sect questions rose 56% -> 94%
DEFAULT_EN0 = ({"add": 0.8125, "compare": 1.0, "copy": 1.0, "reverse": 1.0, "count": 0.5625, "sort": 1.0,
                "sect": 0.5625, "master": 0.75},
               {"add": 0.5625, "compare": 1.0, "copy": 1.0, "reverse": 1.0, "count": 0.4375, "sort": 1.0,
                "sect": 0.9375, "master": 0.75})
# The same run's kinds where none moved by more than one prompt in sixteen.
EVEN = (PER_TASK[0], {**PER_TASK[0], "add": 0.9375, "sect": 0.625})


def _grpo_doc(checker: str, chk: tuple, cap: tuple, per_task: tuple = PER_TASK, real: tuple | None = None) -> dict:
    """A GRPO document; ``real``: the strict checker's pass rate on the same answers, where the checker is sloppy."""
    key = "checker_" + checker
    rows = [{"step": s, "kl": k, "capability": c, "gold_reward": 0.3, "proxy_reward": 0.1, "flattery": 0.0, key: x,
             "entropy": e, "distinct_answers": d, "per_task": p}
            for s, k, c, x, e, d, p in ((0, 0.0, cap[0], chk[0], 0.52, 0.59, per_task[0]),
                                        (192, 1.5, cap[1], chk[1], 0.37, 0.38, per_task[1]))]
    for row, r in zip(rows, real or ()):
        row["checker_strict"] = r
    return {"method": "grpo", "config": {"k": 8, "reward": "checker", "checker": checker}, "kl_coef": 0.0,
            "start": rows[0], "final": rows[-1], "history": rows}


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_grpo_panels_say_what_the_numbers_show(lang):
    picks = [tradeoff.exam(0.5, 0.6, 0.74, 0.42), tradeoff.exam(0.5, 0.6, 0.74, 0.78),
             tradeoff.exam(0.5, 0.5, 0.74, 0.6), tradeoff.exam(0.5, 0.49, 0.74, 0.75),
             tradeoff.exam(0.5, 0.6, 0.78, 0.74, strict=True), tradeoff.exam(0.5, 0.6, 0.78, 0.77, strict=True),
             # sloppy: the strict checker, on the same answers, gained less than half of the rise, or at least half
             tradeoff.exam(0.5, 0.6, 0.74, 0.78, real=(0.5, 0.54)),
             tradeoff.exam(0.5, 0.6, 0.74, 0.78, real=(0.5, 0.56)),
             # the mean held, one kind fell by three prompts in sixteen, or by two
             tradeoff.exam(0.5, 0.6, 0.78, 0.77, strict=True, drop=0.1875),
             tradeoff.exam(0.5, 0.6, 0.78, 0.77, strict=True, drop=0.125),
             # the pass rate held too
             tradeoff.exam(0.5, 0.5, 0.78, 0.78, strict=True, drop=0.25),
             # sloppy, capability fell: the strict checker's rate fell 0.29 more than the sloppy one's, or 0.04
             tradeoff.exam(0.66, 0.66, 0.91, 0.42, real=(0.65, 0.36)),
             tradeoff.exam(0.79, 0.76, 0.90, 0.76, real=(0.77, 0.70))]
    assert picks == ["fooled", "learned", "worse", "still", "narrowed", "learned", "gamed", "learned", "shifted",
                     "learned", "moved", "blind", "worse"]
    sloppy = _grpo_doc("sloppy", (0.53, 0.61), (0.78, 0.46))  # the measured means (zh, seeds 0-2)
    strict = _grpo_doc("strict", (0.52, 0.60), (0.78, 0.79), EVEN)
    for lens in state.LENSES:
        hacked = tradeoff.method_numbers("grpo_sloppy", sloppy, lens, lang)
        honest = tradeoff.method_numbers("grpo", strict, lens, lang)
        assert hacked["exam"] == texts.sentence("exam.fooled", lens, lang, hacked)
        assert honest["exam"] == texts.sentence("exam.learned", lens, lang, honest)
        # the strict checker cannot be fooled: a pass rate up with capability down is no hack (measured en 0.784 ->
        # 0.758 over seeds 0-2 while the pass rate rose 0.50 -> 0.57)
        narrowed = tradeoff.method_numbers("grpo", _grpo_doc("strict", (0.50, 0.57), (0.784, 0.758)), lens, lang)
        assert narrowed["exam"] == texts.sentence("exam.narrowed", lens, lang, narrowed)
        assert "78%" in narrowed["exam"] and "76%" in narrowed["exam"] and "57%" in narrowed["exam"]
        # ... and it names where the capability went, from the run's own kinds: the sums, a kind GRPO practised
        assert f"“{labels.task('add', lang)}”" in narrowed["exam"] and "100%" in narrowed["exam"], narrowed["exam"]
        assert "62%" in narrowed["exam"] or "63%" in narrowed["exam"]
        # GRPO strict, en seed 0 (2026-12-03): the mean held (85% -> 84%) while the sums fell 100% -> 62%
        shifted = tradeoff.method_numbers("grpo", _grpo_doc("strict", (0.6484375, 0.71875), (0.8515625, 0.84375)),
                                          lens, lang)
        assert shifted["exam"] == texts.sentence("exam.shifted", lens, lang, shifted)
        for figure in ("85%", "84%", f"“{labels.task('add', lang)}”", "100%", f"“{labels.task('sect', lang)}”", "56%",
                       "75%"):
            assert figure in shifted["exam"], (figure, shifted["exam"])
        assert "62%" in shifted["exam"] or "63%" in shifted["exam"]
        # ... and its sloppy twin: the sloppy checker's rate rose 67% -> 73%, the strict one's on the same answers fell
        gamed = tradeoff.method_numbers("grpo_sloppy", _grpo_doc("sloppy", (0.671875, 0.734375), (0.8515625, 0.8828125),
                                                                 real=(0.6484375, 0.6015625)), lens, lang)
        assert gamed["exam"] == texts.sentence("exam.gamed", lens, lang, gamed)
        assert all(f in gamed["exam"] for f in ("67%", "73%", "65%", "60%", "85%", "88%")), gamed["exam"]
        # GRPO strict, default preset, en seed 0: neither the pass rate nor the mean moved, two kinds did
        moved = tradeoff.method_numbers("grpo", _grpo_doc("strict", (0.7734375, 0.7578125), (0.8359375, 0.8359375),
                                                          DEFAULT_EN0), lens, lang)
        assert moved["exam"] == texts.sentence("exam.moved", lens, lang, moved)
        assert all(f in moved["exam"] for f in ("81%", "56%", "94%", f"“{labels.task('sect', lang)}”")), moved["exam"]
        # GRPO sloppy, en seed 1: the sloppy checker's rate held at 66% while the strict one's fell 65% -> 36%
        blind = tradeoff.method_numbers("grpo_sloppy", _grpo_doc("sloppy", (0.65625, 0.65625), (0.9140625, 0.421875),
                                                                 real=(0.6484375, 0.359375)), lens, lang)
        assert blind["exam"] == texts.sentence("exam.blind", lens, lang, blind)
        assert all(f in blind["exam"] for f in ("66%", "65%", "36%", "91%", "42%")), blind["exam"]
        count_fell = ({**PER_TASK[0], "count": 0.5}, {**PER_TASK[0], "count": 0.1875})
        elsewhere = tradeoff.method_numbers("grpo", _grpo_doc("strict", (0.50, 0.57), (0.784, 0.758), count_fell),
                                            lens, lang)
        assert elsewhere["exam"] == texts.sentence("exam.narrowed_unpractised", lens, lang, elsewhere)
        assert f"“{labels.task('count', lang)}”" in elsewhere["exam"] and "19%" in elsewhere["exam"]
        for name, nums in (("method_grpo_sloppy", hacked), ("method_grpo", honest)):
            text = texts.panel(name, lens, lang, nums)
            assert "78%" in text and ("61%" if nums is hacked else "60%") in text, (name, lens, text)
            assert ("46%" if nums is hacked else "79%") in text
            jargon = re.search(r"GRPO|KL|checker|验证器|熵|entropy", text, re.I)
            assert (jargon is not None) == (lens == "tech"), (name, lens, text)
        if lens == "tech":
            text = texts.panel("method_grpo", lens, lang, honest)
            assert "DeepSeekMath" in text and "DeepSeek-R1" in text and "0.52 → 0.37" in text and "59% → 38%" in text


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_frontier_panel_says_what_the_sidebars_world_became_from_that_runs_numbers(lang):
    """Two seeds at one setting: one babbles (distinct-2 0.31), one answers as before. The panel's means cover both;
    its state sentence is the selected seed's own, and none for a seed whose run is not finished."""
    sft = {"capability": 0.8, "gold_reward": 0.6, "proxy_reward": 0.1, "flattery": 0.0, "surface_share": 0.3,
           "distinct_2": 0.97, "cut_rate": 0.0, "step": 0}
    babble = {**sft, "capability": 0.0, "gold_reward": -0.2, "proxy_reward": 2.7, "distinct_2": 0.31,
              "surface_share": 0.9, "step": 192}
    rows = [{"kl_coef": 0.0, "reward_bias": 0.9, "seed": seed, "start": sft, "final": f, "history": [sft, f]}
            for seed, f in ((0, babble), (1, {**sft, "step": 192}))]
    for lens in state.LENSES:
        said = {seed: tradeoff.frontier_numbers(rows, 0.0, 0.9, seed, lens, lang)["state"] for seed in (0, 1, 2)}
        nums = tradeoff.state_numbers(sft, babble, [sft, babble])
        assert said[0] == texts.sentence("frontier_seed", lens, lang,
                                         {"seed": 0, "state": texts.state("babbling", lens, lang, nums)})
        assert said[1] == texts.sentence("frontier_seed", lens, lang,
                                         {"seed": 1, "state": texts.state("honest", lens, lang, {})})
        assert said[2] == "", "seed 2 has no finished run at this setting"
        text = texts.panel("frontier", lens, lang, tradeoff.frontier_numbers(rows, 0.0, 0.9, 0, lens, lang))
        assert said[0] in text and "40%" in text, "the means are over both seeds: (0.8 + 0) / 2"
        assert texts.sentence("frontier_alone", lens, lang, {}) in text, "one leash finished: nothing to compare"
        leashed = rows + [{**rows[1], "kl_coef": 0.1, "final": {**sft, "gold_reward": 0.7, "step": 192}}]
        best = tradeoff.frontier_numbers(leashed, 0.0, 0.9, 0, lens, lang)["best"]
        assert best == texts.sentence("frontier_best", lens, lang, {"n_kl": 2, "best_kl": 0.1, "best_gold": 0.7})
        assert "0.1" in best and "2" in best


def test_the_kind_that_fell_most_is_read_from_the_runs_own_kinds():
    assert tradeoff.fell_most(*PER_TASK) == "add"
    assert tradeoff.fell_most({"add": 0.5, "count": 0.9}, {"add": 0.4, "count": 0.6}) == "count"
    assert tradeoff.fell_most({"add": 0.5}, {"add": 0.7}) is None, "nothing fell"
    assert tradeoff.fell_most(None, {"add": 0.7}) is None and tradeoff.fell_most({}, {}) is None


def test_the_variety_sentence_follows_the_distinct_answers_and_is_silent_without_them():
    from ui import narrate

    a = {"distinct_answers": 0.59, "entropy": 0.50}
    assert narrate.variety_state(a, {"distinct_answers": 0.38}) == "narrowed"
    assert narrate.variety_state(a, {"distinct_answers": 0.9}) == "scattered"
    assert narrate.variety_state(a, {"distinct_answers": 0.55}) == "held"
    assert narrate.variety({"capability": 0.7}, {"capability": 0.6}, "wuxia", "en") is None, "an older cache entry"
    for lang in ("zh", "en"):
        for lens in state.LENSES:
            text = narrate.variety(a, {"distinct_answers": 0.38, "entropy": 0.38}, lens, lang)
            assert "59% → 38%" in text
            assert ("0.50 → 0.38" in text) == (lens == "tech")
    assert "same way" in narrate.variety(a, {"distinct_answers": 0.38}, "work", "en")
    scattered = narrate.variety(a, {"distinct_answers": 0.9, "entropy": 1.4}, "wuxia", "en")
    assert "scattering" in scattered and "babble" not in scattered, "more variety alone is not babble (state.* says)"
    for lang in ("zh", "en"):  # eight points down is under the threshold, and still not "unchanged"
        for lens in state.LENSES:
            slight = narrate.variety({"distinct_answers": 0.38}, {"distinct_answers": 0.30}, lens, lang)
            assert "38% → 30%" in slight and not any(w in slight for w in ("held", "没怎么变", "基本没变", "基本不变"))


def test_the_ppo_chart_draws_distinct_answers_only_where_the_history_has_them():
    from ui import charts

    row = {"step": 0, "proxy_reward": 0.1, "gold_reward": 0.2, "capability": 0.7, "flattery": 0.0,
           "surface_share": 0.1, "kl": 0.0}
    name = labels.label("distinct_answers", "en")
    old = charts.rlhf_curves([row, {**row, "step": 3}], "en")
    new = charts.rlhf_curves([{**row, "distinct_answers": 0.6}, {**row, "step": 3, "distinct_answers": 0.4}], "en")
    assert name not in [t.name for t in old.data]
    assert [t.y for t in new.data if t.name == name] == [(0.6, 0.4)]


@pytest.mark.parametrize("lens", state.LENSES)
def test_other_methods_join_the_plots_each_with_its_analogy(lens, monkeypatch, tiny_grid):
    def fake(cfg, methods, cache):
        for i, m in enumerate(methods):
            yield Event("methods", i + 1, len(methods), {}, True, {"method": m, "finished": True})
        yield Event("done", 1, 1, {}, True, {"result": {m: _method_doc(m, cfg) for m in methods}})

    monkeypatch.setattr(sweep, "methods_stream", fake)
    at = open_page("explorer", lang="zh", lens=lens, bias="0.9", kl="0", seed="77")  # a seed nobody computed
    assert at.button(key="start_methods")
    at.button(key="start_methods").click().run()
    assert at.session_state["methods_job"].join(30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    body = texts_of(at)
    for m in tradeoff.METHODS:
        panel = texts.catalogue().entry("panel." + tradeoff.METHOD_PANELS[m]).texts["zh", lens]
        assert panel.split("{")[0][:8] in body, (m, lens)
    assert texts.lens_title(lens, "zh") in body
    if lens == "tech":  # the fits' parameters (α, β, R²) are the technical lens's alone
        fits = at.table[0].value
        assert {labels.method(m, "zh") for m in ("ppo", "bon", "dpo", "rloo")} <= set(fits[texts.t("fit_method", "zh")])
    else:
        assert not at.table and not at.dataframe, "no fit parameters in a lay lens"
    assert texts.t("ex_methods_shown", "zh", seed=77, bias=0.9, kl=0.0) in body


# -- AppTest: the challenges page, deepened ---------------------------------------------------------------------
@pytest.mark.parametrize("lang", ("zh", "en"))
def test_challenges_bosses_cost_and_transfer(lang, monkeypatch):
    import sim.engine

    at = open_page("challenges", lang=lang, bias="0.9", kl="0")
    titles = chart_titles(at)
    for key in ("ch_bosses", "ch_flops", "ch_ab"):
        assert shown(key, lang) in titles, key
    body = texts_of(at)
    assert "Brown" in body and "Ouyang" in body and "3,640" in body
    cfg = preset("fast", lang=lang, kl_coef=0.0, reward_bias=0.9)
    done = cached_result(cfg, Cache(default_cache_dir()))
    lens = state.defaults()["lens"]
    said = tradeoff.bias_numbers(done, annotators.remedies(World(lang, 0), cfg.reward, 0, 5), lens, lang)
    assert said["mend_name"] == "rubric" and texts.panel("challenge_bias", lens, lang, said) in body
    metrics = {m.label: m.value for m in at.metric}
    trained = sum(done["train_seconds"].values())  # the stages' seconds when trained, not the cache's loading
    assert trained > 1 and metrics[labels.short("train_seconds", lang)] == f"{trained:.1f} s"
    cost = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"] == shown("ch_cost", lang))
    assert [t["name"] for t in cost["data"]] == [texts.t("cost_trained", lang), texts.t("cost_now", lang)]
    assert sum(cost["data"][0]["x"]) == pytest.approx(trained)
    assert narrate.table(done, "summary")[1] == {"stage": "train_seconds", **done["train_seconds"]}  # the CSV too
    err_before = metrics[texts.t("error_metric", lang)]
    at.toggle(key="x_rubric").set_value(True).run()
    at.select_slider(key="x_votes").set_value(5).run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}[texts.t("error_metric", lang)] != err_before, "a rubric helps"
    assert shown("ch_judging", lang) not in chart_titles(at), "nothing trained for this panel yet"

    trained = []

    def fake_run(c, cache, device=None):  # the panel setting "trains": its reward model agrees more with gold
        trained.append(c.reward)
        doc = json.loads(json.dumps(done))
        doc["reward"]["gold_agreement"] = 0.9
        yield Event("done", 1, 1, {}, True, {"result": doc})

    monkeypatch.setattr(sim.engine, "run_stream", fake_run)
    at.button(key="train_judging").click().run()
    assert at.session_state["judging_job"].join(30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert trained and trained[0].diverse and trained[0].rubric and trained[0].votes == 5
    assert shown("ch_judging", lang) in chart_titles(at)


def test_a_bad_grid_setting_warns_and_draws_the_full_map(monkeypatch):
    monkeypatch.setenv("WUJI_EXPLORER_GRID", "kl=0,0.05;bias=x")
    at = open_page("explorer", lang="en")
    assert any("WUJI_EXPLORER_GRID" in w.value and "full map" in w.value for w in at.warning)
    full = texts.t("ex_status", "en", done=0, total=54, n_kl=6, n_bias=3, n_seed=3).split(" of ", 1)[1]
    assert re.search(r"\d+ of " + re.escape(full), texts_of(at)), "the full 6 × 3 × 3 map (cached runs vary)"


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_ensemble_panel_says_whether_its_judges_share_the_bias(lang):
    def doc(gold_agreement):
        row = {"step": 0, "kl": 0.0, "capability": 0.7, "gold_reward": 0.5, "proxy_reward": 0.0, "flattery": 0.0}
        return {"method": "ensemble", "config": {"k": 4, "conservative": "min"}, "kl_coef": 0.0, "start": row,
                "final": row, "history": [row],
                "members": [{"pref_accuracy": 0.9, "gold_agreement": g} for g in gold_agreement]}

    for lens in ("wuxia", "work", "tech"):
        biased = tradeoff.method_numbers("ensemble", doc((0.35, 0.37, 0.36, 0.36)), lens, lang)
        sound = tradeoff.method_numbers("ensemble", doc((0.8, 0.82, 0.81, 0.79)), lens, lang)
        assert biased["judges"] == texts.sentence("ens.shared", lens, lang, biased) and "36%" in biased["judges"]
        assert sound["judges"] == texts.sentence("ens.sound", lens, lang, sound) and "80%" in sound["judges"]
        bare = tradeoff.method_numbers("ensemble", {**doc(()), "members": []}, lens, lang)
        assert bare["judges"] == "" and texts.panel("method_ensemble", lens, lang, bare)
