"""Where the tensors live: a CUDA GPU when torch sees one, else the CPU.

``pick_device`` is the one place that decides. The choice is overridable with the environment variable
``WUJI_DEVICE`` (``cpu``, ``cuda`` or ``auto``) or with ``--device`` on the command line, which wins.
The device is never part of a config or of a cache key: a stage cached on a GPU is reused on the CPU.
Random draws that pick data (batch indices, permutations) stay on CPU generators on every device, so
the CPU path is bit-for-bit the one it always was; on a GPU, sampling draws from a CUDA generator
seeded from the CPU one (``device_generator``).
"""

from __future__ import annotations

import os

import torch

CHOICES = ("auto", "cpu", "cuda")
ENV = "WUJI_DEVICE"


def pick_device(requested: str | None = None):
    """The ``torch.device`` to run on: ``requested``, else ``$WUJI_DEVICE``, else CUDA if available, else CPU.

    Raises ValueError with a one-line message for a name other than auto / cpu / cuda, or for cuda
    on a machine where torch sees no CUDA GPU.
    """
    name = (requested or os.environ.get(ENV) or "auto").strip().lower()
    if name not in CHOICES:
        raise ValueError(f"device must be one of {', '.join(CHOICES)} (--device or ${ENV}); got {name!r}")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    elif name == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device 'cuda' was asked for (--device or ${ENV}) but torch sees no CUDA GPU "
                         f"(torch {torch.__version__}); use cpu or auto")
    return torch.device(name)


def device_generator(generator, device):
    """``generator`` itself when it already lives on ``device`` (always so on the CPU); otherwise a
    generator on ``device`` seeded by one draw from it, so a seeded run stays reproducible there too."""
    if generator is None or generator.device.type == device.type:
        return generator
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    return torch.Generator(device).manual_seed(seed)
