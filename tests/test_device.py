"""Where the tensors live: ``pick_device`` (auto, the WUJI_DEVICE override, clear errors) and the CLI's --device."""

from __future__ import annotations

import pytest
import torch

from sim.__main__ import main
from sim.device import device_generator, pick_device


def test_auto_picks_cuda_only_when_torch_sees_a_gpu(monkeypatch):
    monkeypatch.delenv("WUJI_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    assert pick_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")


def test_env_overrides_auto_and_the_argument_overrides_env(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("WUJI_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")
    assert pick_device("cuda") == torch.device("cuda")
    monkeypatch.setenv("WUJI_DEVICE", " CUDA ")
    assert pick_device() == torch.device("cuda")


def test_bad_names_and_a_missing_gpu_give_one_clear_line(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("WUJI_DEVICE", "tpu")
    with pytest.raises(ValueError, match=r"device must be one of auto, cpu, cuda .*WUJI_DEVICE.*'tpu'"):
        pick_device()
    monkeypatch.delenv("WUJI_DEVICE")
    with pytest.raises(ValueError, match="torch sees no CUDA GPU"):
        pick_device("cuda")


@pytest.mark.parametrize("argv, env", [(["run", "--device", "gpu"], None), (["run"], "tpu"),
                                       (["bench", "--device", "gpu"], None)])
def test_cli_rejects_a_bad_device_with_status_2(monkeypatch, capsys, argv, env):
    if env is None:
        monkeypatch.delenv("WUJI_DEVICE", raising=False)
    else:
        monkeypatch.setenv("WUJI_DEVICE", env)
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "device" in err and len(err.splitlines()) == 1


def test_cpu_sampling_keeps_its_own_generator():
    g = torch.Generator().manual_seed(3)
    assert device_generator(g, torch.device("cpu")) is g
    assert device_generator(None, torch.device("cpu")) is None
