"""Faults: the server killed mid-training, a full disk. Nothing corrupt is ever served; finished work stays."""

import asyncio
import errno
import json
import os
import pathlib
import shutil
import time

import pytest
from live import server
from loadtest import Tab, run_async
from websockets.asyncio.client import connect

from sim.cache import Cache, cached_result, stage_keys
from sim.config import STAGES, preset
from sim.pipeline import run
from sim.speed import BOOK_FILE

SEED = 31  # a setting no other test trains
QUERY = f"lang=en&seed={SEED}"
TINY = {"WUJI_PRESET": "tiny"}


def entries(root: pathlib.Path) -> dict[str, float]:
    return {p.name: (p / "manifest.json").stat().st_mtime for p in root.iterdir() if (p / "manifest.json").exists()}


async def _open(url: str, click: bool, until_done: bool) -> set[str]:
    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None) as ws:
        tab = Tab(ws, "fault")
        drawn = await tab.rerun("rlhf", QUERY)
        if click:
            drawn = await tab.rerun("rlhf", clicks=("train",))
        deadline = time.monotonic() + 180
        while until_done and "download_button" not in drawn:
            assert time.monotonic() < deadline, "the rerun after the restart did not finish"
            await asyncio.sleep(1.0)
            drawn = await tab.rerun("rlhf")
        return drawn


@pytest.mark.slow
def test_killing_the_server_mid_training_leaves_no_corrupt_entry_and_a_restart_reuses_the_rest(tmp_path):
    """On the tiny preset (its stages last seconds: a kill needs a training, not a good one)."""
    cache_dir = tmp_path / "cache"
    cfg = preset("tiny", seed=SEED, lang="en")
    keys = stage_keys(cfg)
    with server(cache_dir, tmp_path / "server1.log", TINY) as srv:
        run_async(_open(srv.url, click=True, until_done=False))
        deadline = time.monotonic() + 180
        while f"pretrain-{keys['pretrain']}" not in entries(cache_dir):
            assert time.monotonic() < deadline and srv.proc.poll() is None, "pretraining did not finish"
            time.sleep(0.2)
        time.sleep(1.5)  # SFT is under way now
        srv.proc.kill()  # SIGKILL: no cleanup of any kind
        srv.proc.wait(10)
    done = entries(cache_dir)
    assert f"pretrain-{keys['pretrain']}" in done and f"rlhf-{keys['rlhf']}" not in done
    for name in (p.name for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):  # entries
        assert name in done, f"{name} has no manifest: a partial entry under a real name"
        stage, key = name.split("-", 1)
        assert Cache(cache_dir).load(stage, key) is not None, f"{name} does not match its checksums"
    assert not list(cache_dir.glob(".tmp-*")), "the restart's cache removed the dead process's half-written folder"
    book = cache_dir / BOOK_FILE  # the measured speed, a file beside the entries: written whole or not at all
    assert not book.exists() or isinstance(json.loads(book.read_text()), dict)

    with server(cache_dir, tmp_path / "server2.log", TINY) as srv:
        run_async(_open(srv.url, click=True, until_done=True))
    after = entries(cache_dir)
    assert all(f"{s}-{keys[s]}" in after for s in STAGES), "the restart trained the rest"
    assert after[f"pretrain-{keys['pretrain']}"] == done[f"pretrain-{keys['pretrain']}"], "pretraining reused"


def test_a_dead_writers_half_written_folder_is_swept_but_a_live_ones_is_kept(tmp_path):
    dead, live = tmp_path / ".tmp-sft-999999999-abc", tmp_path / f".tmp-sft-{os.getpid()}-abc"
    dead.mkdir()
    live.mkdir()
    assert Cache(tmp_path).warning is None
    assert not dead.exists() and live.exists()


def test_a_cache_folder_removed_under_a_running_server_gives_a_message_not_a_crash(tmp_path):
    cache = Cache(tmp_path / "cache")
    shutil.rmtree(tmp_path / "cache")  # a facilitator (or a tmp cleaner) deletes the folder mid-workshop
    cache.save("reward", "k", {"pref_accuracy": 0.8})
    assert "could not write the cache" in cache.warning


@pytest.mark.slow
def test_a_full_disk_gives_a_message_keeps_the_result_and_leaves_nothing_half_written(tmp_path, wuji_cache,
                                                                                    monkeypatch):
    """Bad input of the machine kind: ENOSPC while saving PPO's entry (earlier stages copied from the
    prepared cache). The run still returns its result with a warning; the cache holds no partial entry."""
    base = preset("fast", kl_coef=0.1, reward_bias=0.0)
    for stage in STAGES[:-1]:
        name = f"{stage}-{stage_keys(base)[stage]}"
        shutil.copytree(wuji_cache / name, tmp_path / name)
    cfg = base.replace(kl_coef=0.03)
    real = pathlib.Path.write_text

    def full(self, *a, **kw):
        if self.name == "metrics.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **kw)

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    cache = Cache(tmp_path)
    doc = run(cfg, cache)
    assert doc["rlhf"]["history"] and doc["cached"] == ["pretrain", "sft", "reward"]
    assert "could not write the cache (No space left on device)" in doc["warning"]
    assert not list(tmp_path.glob(".tmp-*")) and not (tmp_path / f"rlhf-{stage_keys(cfg)['rlhf']}").exists()
    monkeypatch.undo()
    assert cached_result(cfg, Cache(tmp_path)) is None, "nothing half-written is served later"
    assert json.loads((tmp_path / f"reward-{stage_keys(cfg)['reward']}" / "metrics.json").read_text())


@pytest.mark.parametrize("scale", [float("nan"), -3.0, 0.0, float("inf")])
def test_a_bad_learning_rate_scale_is_refused_with_a_message(scale):
    with pytest.raises(ValueError, match="learning-rate scale must be a positive number"):
        preset("fast").replace(lr_scale=scale)
