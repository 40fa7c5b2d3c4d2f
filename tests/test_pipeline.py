"""The pipeline's cache and the command line: reuse, corruption, bad input."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cache import Cache, cached_result, stage_keys
from sim.config import Config, ModelConfig, PPOConfig, PretrainConfig, RewardConfig, SFTConfig, preset
from sim.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
# A config small enough to run in a few seconds: it tests plumbing, not physics.
TINY = Config(
    model=ModelConfig(n_embd=32, n_layer=1, n_head=2),
    eval_per_kind=2,
    pretrain=PretrainConfig(steps=10, n_sentences=500, eval_every=10),
    sft=SFTConfig(steps=10, n_demos=100, eval_every=10),
    reward=RewardConfig(n_pairs=64, steps=5, eval_pairs=32, eval_every=5),
    ppo=PPOConfig(iterations=2, batch_size=8, eval_every=2),
)


def test_changing_kl_or_bias_reuses_earlier_stages(tmp_path):
    cache = Cache(tmp_path)
    first = run(TINY, cache)
    assert first["cached"] == []
    again = run(TINY.replace(kl_coef=0.5), cache)
    assert again["cached"] == ["pretrain", "sft", "reward"]
    assert again["sft"] == first["sft"]
    other = run(TINY.replace(reward_bias=0.7), cache)
    assert other["cached"] == ["pretrain", "sft"]
    code = ("import sys; import sim.config; from sim.cache import Cache, cached_result; "  # no torch-side module
            f"TINY = eval({repr(TINY)!r}, vars(sim.config)); d = cached_result(TINY, Cache({str(tmp_path)!r})); "
            "print(d['rlhf']['final']['kl'], 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert out == [repr(first["rlhf"]["final"]["kl"]), "False"]  # answered from disk, without loading torch
    assert cached_result(TINY.replace(kl_coef=0.9), cache) is None


def test_a_diverging_run_stops_with_a_message_and_keeps_finished_stages(tmp_path):
    """An absurd learning rate makes SFT diverge: the run stops naming the learning rate, and the
    pretraining that finished before stays cached for the next try."""
    from sim.events import Diverged

    cache = Cache(tmp_path)
    bad = dataclasses.replace(TINY, sft=dataclasses.replace(TINY.sft, lr=float("inf")))
    with pytest.raises(Diverged, match=r"sft diverged at step \d+.*Lower the learning rate"):
        run(bad, cache)
    assert run(TINY, cache)["cached"] == ["pretrain"]


def test_stage_keys_chain():
    a, b = stage_keys(TINY), stage_keys(TINY.replace(kl_coef=0.3))
    assert [a[s] == b[s] for s in ("pretrain", "sft", "reward", "rlhf")] == [True, True, True, False]
    c = stage_keys(TINY.replace(seed=1))
    assert all(a[s] != c[s] for s in a)


def test_corrupt_or_partial_entries_are_rebuilt_never_loaded(tmp_path):
    cache = Cache(tmp_path)
    first = run(TINY, cache)
    keys = stage_keys(TINY)
    weights = tmp_path / f"sft-{keys['sft']}" / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-100] + b"\0" * 100)  # a flipped tail: checksum mismatch
    (tmp_path / f"rlhf-{keys['rlhf']}" / "manifest.json").unlink()  # a partial entry
    again = run(TINY, cache)
    assert "sft" not in again["cached"] and "rlhf" not in again["cached"]
    assert again["sft"]["capability"] == first["sft"]["capability"]  # rebuilt, same numbers
    assert "corrupt" in (cache.warning or "")
    assert (tmp_path / f"sft-{keys['sft']}" / "manifest.json").exists()


def test_unwritable_cache_folder_runs_without_cache(tmp_path):
    """A folder the user may not write (EACCES). Root writes anywhere through the capability to override file
    permissions, so as root (how CI runs) the check runs in a child process that util-linux's setpriv starts
    without that capability: it is still root, and the folder's r-x mode holds for it as for anyone."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    code = "import sys; from sim.pipeline import Cache; cache = Cache(sys.argv[1]); print(cache.root, cache.warning)"
    cmd = [sys.executable, "-c", code, str(ro)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test an unwritable folder as root"
        dac = "-dac_override,-dac_read_search"
        cmd = [setpriv, f"--inh-caps={dac}", f"--bounding-set={dac}", "--", *cmd]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"None cache folder {ro} is not writable (Permission denied); running without a cache"


def test_cache_path_that_is_a_file_gives_a_message_and_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = Cache(blocker)  # cannot create a folder where a file is: works for root too
    assert cache.root is None and "not writable" in cache.warning
    doc = run(TINY, cache)
    assert doc["rlhf"]["history"] and doc["warning"] == cache.warning, "the run says it kept nothing"


@pytest.mark.parametrize(
    "args, says",
    [
        (["run", "--reward-bias", "1.5"], "between 0 and 1"),
        (["run", "--kl-coef", "-1"], "KL coefficient must be between 0"),
        (["run", "--kl-coef", "abc"], "invalid float"),
        (["run", "--preset", "huge"], "invalid choice"),
        (["run", "--lang", "fr"], "invalid choice"),
        (["run", "--pretrain-steps", "-5"], "pretraining steps"),
        (["sweep", "--kl-coef", "0,x", "--reward-bias", "0"], "comma-separated"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, says):
    p = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], p.stderr


@pytest.mark.slow  # a whole pipeline (the tiny preset) trained from nothing, in two child processes
def test_run_writes_the_json_document_and_the_same_command_twice_writes_the_same(tmp_path):
    """The command line's document has every section, and it is deterministic: the same command twice gives
    identical JSON, seconds aside. The two run side by side, one torch thread each (OMP_NUM_THREADS): results
    depend on the thread count, never on what else the machine does."""
    paths = [tmp_path / f"run{i}.json" for i in range(2)]
    cmd = [sys.executable, "-m", "sim", "run", "--preset", "tiny", "--pretrain-steps", "5", "--no-cache", "--seed",
           "3", "--json"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    logs = [tmp_path / f"run{i}.log" for i in range(2)]
    procs = [subprocess.Popen([*cmd, str(p)], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
             for p, log in zip(paths, logs, strict=True)]
    assert [p.wait() for p in procs] == [0, 0], [log.read_text()[-2000:] for log in logs]
    doc, again = (json.loads(p.read_text()) for p in paths)
    timeless = [{k: v for k, v in d.items() if k not in ("seconds", "train_seconds")} for d in (doc, again)]
    assert timeless[0] == timeless[1], "the same command twice gave different numbers"
    assert {"config", "pretrain", "sft", "reward", "rlhf", "seconds"} <= set(doc)
    for part in ("start", "final"):
        assert {"proxy_reward", "gold_reward", "kl", "capability", "flattery", "length"} <= set(doc["rlhf"][part])
    assert len(doc["rlhf"]["history"]) >= 2
    assert {"val_loss", "probe_accuracy"} <= set(doc["pretrain"])
    assert {"capability", "format_rate", "per_task"} <= set(doc["sft"])
    assert {"pref_accuracy", "gold_agreement"} <= set(doc["reward"])
    assert set(doc["seconds"]) >= {"pretrain", "sft", "reward", "rlhf"}


def test_presets_validate():
    with pytest.raises(ValueError, match="preset must be one of"):
        preset("nope")
    assert preset("fast", kl_coef=0.3).ppo.kl_coef == 0.3


def test_core_never_imports_streamlit_or_plotly_and_loads_lazily():
    for f in (ROOT / "sim").glob("*.py"):
        text = f.read_text()
        assert "import streamlit" not in text and "import plotly" not in text, f
    code = ("import sys, importlib, sim; [importlib.import_module(m) for m in sim.TORCH_FREE]; "
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]  # a page can build a config before torch loads
