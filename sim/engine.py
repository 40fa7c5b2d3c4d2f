"""The torch side's front door: what torch-free code may run, reached only through ``sim.torch_side()``
(sim/__init__.py says why). Importing this module loads torch and transformers.
"""

from __future__ import annotations

import torch

from sim.device import pick_device
from sim.pipeline import calibrate, method_stream, run, run_method, run_stream
from sim.room_train import pairs_to_rank, room_stream
from sim.stages import load
from sim.stepper import Stepper

__all__ = ["Stepper", "calibrate", "load", "method_stream", "pairs_to_rank", "pick_device", "room_stream", "run",
           "run_method", "run_stream", "set_threads"]


def set_threads(n: int) -> None:
    """Threads torch may use for one training (the Board gives each worker its share of the cores)."""
    torch.set_num_threads(n)
