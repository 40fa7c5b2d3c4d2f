"""The benchmark runs end to end in quick mode and reports sane numbers (no speed targets asserted)."""

from __future__ import annotations

import json
import math

import torch
import torch.nn.functional as F

from sim import bench
from sim.cost import flops_per_token
from sim.model import WujiConfig, WujiForCausalLM


def _positive(x) -> bool:
    return isinstance(x, float) and math.isfinite(x) and x > 0


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
    for section in ("rloo", "reward", "dpo"):
        if "skipped" in trl[section]:
            assert section == "dpo", trl[section]  # DPO waits for sim.dpo; the others always run
            continue
        r = trl[section]
        for key in ("ours_per_s", "trl_per_s", "speedup"):
            assert _positive(r[key]), (section, key)
        assert math.isclose(r["speedup"], r["ours_per_s"] / r["trl_per_s"], rel_tol=1e-9)

    # where a PPO iteration's time goes, and the limit of every stage (a tiny run in quick mode)
    p = doc["ppo_profile"]
    assert math.isclose(sum(p["shares"].values()), 1.0, abs_tol=1e-6) and min(p["shares"].values()) >= 0
    assert _positive(p["flops"]) and _positive(p["fraction"])
    stages = doc["stage_limits"]["stages"]
    assert set(stages) == {"pretrain", "sft", "reward", "rlhf"}
    for s, L in stages.items():
        assert _positive(L["flops"]) and _positive(L["seconds"]) and _positive(L["fraction"]), s
        assert math.isclose(L["limit_s"], L["flops"] / (doc["matmul_gflops"] * 1e9))
    assert set(doc["targets"]) >= {"train_speedup", "train_mfu", "ppo_vs_trl"}
    out = capsys.readouterr().out
    assert "train_speedup" in out and "RLOOTrainer" in out and "stage limits" in out


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
