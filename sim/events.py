"""The progress event every stage yields, the error a diverged run raises, and stable seeds.

A stage is a generator: ``for ev in pretrain(...)`` gives one ``Event`` per logged step, so the
same stream feeds a live chart, a progress bar and the command line. Torch-free: the seeding of torch's
generators from these seeds is ``sim.train.seeded``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Event:
    stage: str  # "pretrain" | "sft" | "reward" | "rlhf", or a method (sim.methods): "bon" | "dpo" | "rloo"
    step: int  # steps done so far
    total: int  # steps this stage will take
    metrics: dict = field(default_factory=dict)  # metric name -> value (keys as in design.md)
    evaluated: bool = False  # True when ``metrics`` holds a full evaluation, not only the loss
    extra: dict = field(default_factory=dict)  # samples and other things a page may show


class Diverged(RuntimeError):
    """Training produced a NaN or infinite loss; the message says what to change."""


def derive_seed(*parts) -> int:
    """A 63-bit seed from any parts, stable across runs and machines."""
    h = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(h[:8], "little") >> 1
