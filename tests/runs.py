"""The real runs the slow tests read, in one table (no pytest here): test_narration's grid, test_physics' claims,
test_methods' methods and the default preset's model. tests/conftest.py starts training all of them in the
background as soon as a session that will read them begins (tests/prefetch.py), so that they train while the browser
tests wait on their pages.

The seeds come from the environment for checks by hand on held-out seeds (docs/physics.md):
``WUJI_PHYSICS_SEEDS=3,4,5`` and ``WUJI_DEFAULT_SEEDS=3,4,5``.

Two tiers of claims (docs/testing.md): CI's (``make test``) train the groups of ``physics(lang)``; the long tier
(``make physics``, tests marked ``long``) adds ``LONG_GROUPS`` and the default preset's three seeds, about twice
the training, which CI's 25 minutes do not hold on a slow machine.
"""

from __future__ import annotations

import dataclasses
import os

from sim.config import CHECKS, METHODS, STAGES, Config, preset
from sim.world import LANGS


def seeds(variable: str, default: str) -> tuple[int, ...]:
    """The seeds an environment variable names (``3,4,5``), else ``default``'s."""
    return tuple(int(s) for s in os.environ.get(variable, default).split(","))


# test_narration: both languages; bias {0, 0.9} x leash {0, 0.1, 1} on seed 0, and five settings on seeds 1 and 2.
# The rules never read the settings, only what a run measured, so the grid is there for the variety of outcomes:
# the runs of seeds 1 and 2 are physics' own (no training of their own), where a bias of 0.5 on seed 0 cost two
# reward models and six PPO runs.
NARRATION_GRID = [(lang, bias, kl, 0) for lang in LANGS for bias in (0.0, 0.9) for kl in (0.0, 0.1, 1.0)]
NARRATION_GRID += [(lang, bias, kl, seed) for lang in LANGS
                   for bias, kl, seed in ((0.9, 0.0, 1), (0.0, 0.1, 1), (0.9, 0.03, 2), (0.9, 0.3, 2), (0.0, 0.1, 2))]

# test_physics: the claims' runs, fast preset, mean of SEEDS.
SEEDS = seeds("WUJI_PHYSICS_SEEDS", "0,1,2")
KL_GRID = (0.0, 0.03, 0.1, 0.3, 1.0)
BIASED = 0.9
NOISE = 0.6  # the share of pairs a coin labels in the ensemble's claim (about 30% of the labels swapped)
PTX = 16.0  # PPO-ptx's coefficient (measured on seeds 0-2 in both languages; 8 keeps too little in English)

# test_default_preset_sft_capability (long tier): the default preset's model, mean of three seeds.
DEFAULT_SEEDS = seeds("WUJI_DEFAULT_SEEDS", "0,1,2")
# the physics groups only the long tier reads: GRPO's checkers, the ensembles, and the entropy's healthy free run
LONG_GROUPS = ("grpo", "noisy", "ensemble_noisy", "ensemble_biased", "healthy_free")


def narration() -> dict[tuple, Config]:
    return {g: preset("fast", lang=g[0], reward_bias=g[1], kl_coef=g[2], seed=g[3]) for g in NARRATION_GRID}


def physics(lang: str, long: bool = True) -> dict[str, dict]:
    """Every run the physics claims read, by group: the bias-0.9 grid, the healthy judges, PPO-ptx, and SFT without
    pretraining (of which only pretraining and SFT are trained: ``UPTO``); without ``long``, not ``LONG_GROUPS``."""

    def fast(seed: int, **kw) -> Config:
        return preset("fast", lang=lang, seed=seed, **kw)

    groups = {
        "grid": {(s, kl): fast(s, kl_coef=kl, reward_bias=BIASED) for s in SEEDS for kl in KL_GRID},
        "healthy": {s: fast(s, kl_coef=0.1, reward_bias=0.0) for s in SEEDS},
        "healthy_free": {s: fast(s, kl_coef=0.0, reward_bias=0.0) for s in SEEDS},
        "ptx": {s: fast(s, kl_coef=0.0, reward_bias=BIASED, ptx_coef=PTX) for s in SEEDS},
        "no_pretrain": {s: fast(s, pretrain_steps=0) for s in SEEDS},
        "grpo": {(s, check): checked(fast(s, kl_coef=0.0, reward_bias=BIASED), check) for s in SEEDS
                 for check in CHECKS},
        "noisy": {s: noisy(fast(s, kl_coef=0.0, reward_bias=0.0)) for s in SEEDS},
        "ensemble_noisy": {s: noisy(fast(s, kl_coef=0.0, reward_bias=0.0)) for s in SEEDS},
        "ensemble_biased": {s: fast(s, kl_coef=0.0, reward_bias=BIASED) for s in SEEDS},
    }
    return {part: group for part, group in groups.items() if long or part not in LONG_GROUPS}


def noisy(cfg: Config) -> Config:
    """``cfg`` with careless annotators: a coin labels ``NOISE`` of the pairs."""
    return dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, label_noise=NOISE))


def checked(cfg: Config, check: str) -> Config:
    """``cfg`` with GRPO rewarded by the checker ``check`` (strict or sloppy)."""
    return dataclasses.replace(cfg, grpo=dataclasses.replace(cfg.grpo, reward="checker", checker=check))


# the physics groups not trained to PPO: their last stage, or the method they run
UPTO = {"no_pretrain": "sft", "grpo": "grpo", "ensemble_noisy": "ensemble", "ensemble_biased": "ensemble"}


def methods() -> Config:
    """test_methods: every method from the prepared cache's SFT model and judges at bias 0.9, leash 0.1 (zh, seed 0)."""
    return preset("fast", kl_coef=0.1, reward_bias=0.9)


def default() -> dict[tuple, Config]:
    return {(lang, s): preset("default", lang=lang, seed=s) for lang in LANGS for s in DEFAULT_SEEDS}


def planned(files: set[str], long: bool) -> list[tuple[Config, str]]:
    """(config, last stage to train) for every run that the test files ``files`` will read; ``long``: the session
    runs the long tier's claims too."""
    out: list[tuple[Config, str]] = []
    if "test_physics.py" in files:
        out += [(c, STAGES[-1]) for c in default().values()] if long else []
        for lang in LANGS:
            out += [(c, UPTO.get(part, STAGES[-1])) for part, group in physics(lang, long).items()
                    for c in group.values()]
    if "test_methods.py" in files:
        out += [(methods(), m) for m in METHODS]
    if "test_narration.py" in files:
        out += [(c, STAGES[-1]) for c in narration().values()]
    return out
