"""Wuji's simulation core, in two sides with one door between them.

The torch-free side (``TORCH_FREE``) never imports torch or transformers, directly or through another
module: the app paints, reads cached results, queues trainings and keeps the room's rankings with it
alone, before the heavy libraries load (a second or more). The torch side is every other module of sim/;
each imports torch (or a module that does) at its top.

The one door from the torch-free side to the torch side is ``torch_side()`` below: its first call imports
``sim.engine`` (the entry points torch-free code may run: the pipeline and methods streams, the room's
retraining and pair sampling, the hands-on Stepper, cache loading), or ``sim.bench`` for the command line's
speed figures. Its callers: the Board's worker (sim/jobs.py), the sweep and methods streams (sim/sweep.py),
the room's model cache and retraining (sim/room.py), the command line (sim/__main__.py) and the hands-on
page. It is the only import inside a function in sim/ (tests/test_architecture.py holds both rules).

Importing this package also fixes Intel MKL's run-to-run reproducibility before torch loads, and keeps the
Hugging Face libraries offline. Same config and seed must give the same numbers (design.md, physics 10).
MKL, which torch's x86 CPU build uses for matrix products, by default picks its thread count and its code
path at run time (by load and by memory alignment), so two identical runs can differ in the last bits and
then in sampled tokens. Intel's Conditional Numerical Reproducibility settings pin both; users may override.
"""

import os

os.environ.setdefault("MKL_DYNAMIC", "FALSE")  # a fixed number of threads, whatever the load
os.environ.setdefault("MKL_CBWR", "AUTO")  # results independent of memory alignment
# Nothing is ever fetched from a hub: the model is trained here, and a stray hub lookup (a typo in a
# path given to from_pretrained) must fail at once instead of reaching for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TORCH_FREE = ("sim", "sim.__main__", "sim.annotators", "sim.cache", "sim.claims", "sim.config", "sim.cost",
              "sim.events", "sim.jobs", "sim.methods", "sim.overopt", "sim.room", "sim.roomdb", "sim.server",
              "sim.speed", "sim.sweep", "sim.timeline", "sim.world")


def torch_side(entry: str = "engine"):
    """The torch side's entry module: ``sim.engine`` (the app's and the command line's runs), or ``"bench"``:
    ``sim.bench`` (the speed figures, which also load TRL when it is installed). The first call imports it."""
    if entry == "engine":
        from sim import engine as side
    elif entry == "bench":
        from sim import bench as side
    else:
        raise ValueError(f"the torch side's entries are engine and bench; got {entry!r}")
    return side
