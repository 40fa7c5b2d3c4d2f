"""Wuji's simulation core. Importing it fixes Intel MKL's run-to-run reproducibility before torch loads,
and keeps the Hugging Face libraries offline.

Same config and seed must give the same numbers (design.md, physics 10). MKL, which torch's x86 CPU
build uses for matrix products, by default picks its thread count and its code path at run time
(by load and by memory alignment), so two identical runs can differ in the last bits and then in
sampled tokens. Intel's Conditional Numerical Reproducibility settings pin both; users may override.
"""

import os

os.environ.setdefault("MKL_DYNAMIC", "FALSE")  # a fixed number of threads, whatever the load
os.environ.setdefault("MKL_CBWR", "AUTO")  # results independent of memory alignment
# Nothing is ever fetched from a hub: the model is trained here, and a stray hub lookup (a typo in a
# path given to from_pretrained) must fail at once instead of reaching for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
