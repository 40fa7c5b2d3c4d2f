"""The benchmark runs end to end in quick mode and reports sane numbers (no speed targets asserted)."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from sim import bench, bench_scale
from sim.cost import flops_per_token
from sim.model import WujiConfig, WujiForCausalLM
from ui import explore, state


def _positive(x) -> bool:
    return isinstance(x, float) and math.isfinite(x) and x > 0


@pytest.mark.slow
def test_bench_quick_writes_finite_figures(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert bench.main(json_path=str(path), quick=True) == 0
    doc = json.loads(path.read_text(encoding="utf-8"))
    for key in ("matmul_gflops", "ours_tokens_per_s", "gpt2_tokens_per_s", "rollout_cached_tokens_per_s",
                "rollout_uncached_tokens_per_s", "generate_tokens_per_s", "train_speedup", "sample_vs_generate",
                "mfu"):
        assert _positive(doc[key]), key
    # the KV cache changes speed, not results: greedy decoding gives the same tokens either way
    assert doc["greedy_cache_match"] is True
    assert isinstance(doc["generate_matches_sample"], bool)  # reported, not a gate of the bench
    assert doc["presets"] == {"skipped": "quick mode"}
    assert doc["device"] == "cpu"

    # against TRL (requirements-dev.txt installs it): same model, ratios of rates measured side by side
    trl = doc["trl"]
    assert trl["online_trainer"] == "RLOOTrainer" and trl["batch"] == 64
    for section in ("rloo", "grpo", "reward", "dpo"):  # every one runs (sim.dpo, sim.grpo exist): none skipped
        r = trl[section]
        assert "skipped" not in r, (section, r)
        for key in ("ours_per_s", "trl_per_s", "speedup"):
            assert _positive(r[key]), (section, key)
    assert trl["grpo"]["per_call"] == trl["grpo"]["prompts"] * trl["grpo"]["k"]  # one GRPO iteration's answers

    # where a PPO iteration's time goes, and the limit of every stage (a tiny run in quick mode)
    p = doc["ppo_profile"]
    assert math.isclose(sum(p["shares"].values()), 1.0, abs_tol=1e-6) and min(p["shares"].values()) >= 0
    assert _positive(p["flops"]) and _positive(p["fraction"])
    stages = doc["stage_limits"]["stages"]
    assert set(stages) == {"pretrain", "sft", "reward", "rlhf"}
    for s, L in stages.items():
        assert _positive(L["flops"]) and _positive(L["seconds"]) and _positive(L["fraction"]), s
    assert set(doc["targets"]) >= {"train_speedup", "train_mfu", "ppo_vs_trl", "grpo_vs_trl"}
    assert doc["targets"]["grpo_vs_trl"]["value"] == trl["grpo"]["speedup"]
    out = capsys.readouterr().out
    assert "train_speedup" in out and "RLOOTrainer" in out and "stage limits" in out
    assert f"{trl['rloo']['speedup']:.2f}x" in out, "the report prints the measured PPO speed-up"
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "GRPO vs GRPOTrainer" in line)
    assert f"{trl['grpo']['speedup']:.2f}x" in lines[at + 1], "the report prints GRPO's speed-up under its row"


def test_side_by_side_interleaves_the_contenders_after_their_warmup():
    calls = []
    times = bench.side_by_side({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, rounds=3, warmup=2)
    assert calls == ["a", "b"] * 5, "warm-up calls first, then A B A B: both see the same machine load"
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3}  # only the rounds are timed


def test_limit_by_hand():
    # 2e9 FLOPs at a 1 GFLOP/s ceiling take 2 s at best; a stage that took 4 s reached half of it
    assert bench.limit(2e9, 4.0, 1.0) == {"flops": 2e9, "seconds": 4.0, "limit_s": 2.0, "fraction": 0.5}


def test_model_flops_of_a_training_step_match_flops_per_token():
    torch.manual_seed(0)
    cfg = WujiConfig(vocab_size=50, n_positions=16, n_embd=32, n_layer=2, n_head=4)
    model = WujiForCausalLM(cfg)
    x = torch.randint(0, 50, (3, 16))
    with bench.ModelFlops() as counter:
        logits = model.logits(x)
        F.cross_entropy(logits.reshape(-1, 50), x.reshape(-1)).backward()
    per_token = flops_per_token(cfg.n_layer, cfg.n_embd, cfg.vocab_size, 16)
    assert counter.total == per_token * 3 * 16
    with torch.no_grad(), bench.ModelFlops() as counter:
        model.logits(x)
    assert counter.total == per_token * 3 * 16 / 3  # a forward alone: a third


def test_a_stacked_model_is_its_runs_side_by_side():
    """The batch row's batched model (sim.bench_scale) computes each run's own logits and gradients, and one AdamW step
    over the stacked weights moves each run as its own optimiser moves it alone."""
    runs = bench_scale.models(64, 3)
    alone = bench_scale.models(64, 3)  # the same seeds: equal weights, trained separately below
    x, y = bench_scale.data(3, runs[0].config.vocab_size)
    stacked = bench_scale.StackedLM(runs)
    with torch.no_grad():
        logits = stacked.logits(x)
        for r, m in enumerate(alone):
            assert torch.allclose(logits[r], m.logits(x[r]), atol=1e-5), r
    step = bench_scale.step_fn(list(stacked.parameters()), lambda: bench_scale.stacked_loss(stacked, x, y))
    step()
    for r, m in enumerate(alone):
        bench_scale.step_fn(list(m.parameters()), lambda m=m, r=r: bench_scale.lm_loss(m, x[r], y[r]))()
        for name, p in m.named_parameters():
            assert torch.allclose(stacked.w(name).grad[r], p.grad, rtol=1e-4, atol=1e-7), (r, name)
            moved = (p - dict(runs[r].named_parameters())[name]).abs().mean()
            assert moved > 1e-4, f"run {r}'s {name} did not move"
            # AdamW's first step is about lr x sign(grad): a gradient within rounding of 0 may take either sign
            assert (stacked.w(name)[r] - p).abs().mean() < 0.01 * moved, (r, name)


def test_the_maps_cost_by_hand_and_its_shape_is_the_explorers():
    # 3 seeds x (10 + 5) + 9 (seed, bias) judges x 2 + 54 PPO runs x 1 = 45 + 18 + 54
    assert bench.map_cost({"pretrain": 10.0, "sft": 5.0, "reward": 2.0, "rlhf": 1.0, "total": 18.0}) == 117.0
    assert bench.map_cost({"pretrain": 1, "sft": 0, "reward": 0, "rlhf": 0}, (2, 5, 7)) == 2
    assert bench.MAP_SHAPE == (len(explore.GRID_SEEDS), len(explore.GRID_BIAS), len(state.KL_STOPS))
    cold = {"seconds": {"pretrain": 10.0, "sft": 5.0, "reward": 2.0, "rlhf": 1.0},
            "flops": {"pretrain": 4e9, "sft": 2e9, "reward": 1e9, "rlhf": 1e8}}
    lines = bench._map_lines(cold, 1.0, {"target": "<= 90", "pass": False})
    # at 1 GFLOP/s: 3 x 6 + 9 x 1 + 54 x 0.1 = 32.4 s of 117 s
    assert lines[0].strip().startswith("the explorer's 54-run map") and "117 s" in lines[0]
    assert lines[0].endswith("MISS")
    assert "32 / 117 s = 27.7 %" in lines[1]


def test_the_report_prints_the_scale_and_app_rows():
    scale = {"widths": [{"n_embd": 64, "step_ms": 12.0, "gflops": 30.0, "ceiling_share": 0.1}],
             "batches": [{"runs": 6, "batched_s_a_run": 0.03, "separate_s_a_run": 0.025, "speedup": 0.83}]}
    app = {"preset": "fast", "lang": "en", "load": [0.5, 1.5], "journey_app_s": 40.0, "journey_cli_s": 32.0,
           "journey_ratio": 1.25, "rerun_app_s": 4.0, "rerun_cli_s": 2.5, "rerun_ratio": 1.6,
           "cached_page_s": [0.4] * 9, "cached_p50_s": 0.4, "cached_p95_s": 1.2}
    v = {"journey_ratio": {"target": "<= 1.3", "pass": True}, "rerun_ratio": {"target": "<= 1.3", "pass": False},
         "cached_p95_s": {"target": "<= 1", "pass": False}}
    lines = bench._scale_lines(scale) + bench._app_lines(app, v)
    text = "\n".join(lines)
    assert "n_embd 64" in text and "12.0 ms" in text and "0.83x" in text
    assert next(line for line in lines if "journey_ratio" in line).endswith("PASS")
    assert next(line for line in lines if "rerun_ratio" in line).endswith("MISS")
    assert "40.0 / 32.0 s" in text and "(9 moves)" in text
    skipped = bench._app_lines({"skipped": "quick mode"}, {k: {**t, "pass": None} for k, t in v.items()})
    assert "skipped (quick mode)" in skipped[0] and all(line.endswith("skipped") for line in skipped[1:])
