"""Every knob of a run, as frozen dataclasses (one a stage), and the named presets.

This module imports neither torch nor transformers, so a page can build and validate a config,
and the app can paint, before the heavy libraries load.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sim.world import LANGS


@dataclass(frozen=True)
class PretrainConfig:
    steps: int = 800
    batch_size: int = 32
    block: int = 64
    lr: float = 3e-3
    warmup: int = 30
    n_sentences: int = 30000
    eval_every: int = 200


@dataclass(frozen=True)
class SFTConfig:
    steps: int = 400
    batch_size: int = 32
    lr: float = 2e-3
    warmup: int = 20
    n_demos: int = 4000
    eval_every: int = 100


@dataclass(frozen=True)
class RewardConfig:
    reward_bias: float = 0.0  # 0: judges see substance; 1: judges reward only flattery and length
    n_pairs: int = 3000
    n_annotators: int = 5
    steps: int = 100
    batch_size: int = 32
    lr: float = 1e-3
    eval_pairs: int = 256
    eval_every: int = 50


@dataclass(frozen=True)
class PPOConfig:
    kl_coef: float = 0.1
    iterations: int = 30
    batch_size: int = 64  # prompts per rollout
    epochs: int = 2
    minibatches: int = 2
    lr: float = 1e-4
    clip: float = 0.2
    vf_coef: float = 0.1
    vf_clip: float = 0.2
    gamma: float = 1.0
    lam: float = 0.95
    adaptive_kl: bool = False
    target_kl: float = 4.0
    horizon: int = 2000
    eval_every: int = 2


STAGES = ("pretrain", "sft", "reward", "rlhf")
KL_RANGE = (0.0, 10.0)  # the slider shows 0-1; the core accepts a little beyond
BIAS_RANGE = (0.0, 1.0)


@dataclass(frozen=True)
class ModelConfig:
    n_embd: int = 96
    n_layer: int = 3
    n_head: int = 4
    n_positions: int = 64


@dataclass(frozen=True)
class Config:
    lang: str = "zh"
    seed: int = 0
    eval_per_kind: int = 16
    model: ModelConfig = field(default_factory=ModelConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    ppo: PPOConfig = field(default_factory=PPOConfig)

    def validate(self) -> Config:
        """Raise ValueError with a one-line message naming what is allowed."""
        if self.lang not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}; got {self.lang!r}")
        if not (BIAS_RANGE[0] <= self.reward.reward_bias <= BIAS_RANGE[1]):
            raise ValueError(f"reward bias must be between 0 and 1; got {self.reward.reward_bias}")
        if not (KL_RANGE[0] <= self.ppo.kl_coef <= KL_RANGE[1]):
            raise ValueError(f"KL coefficient must be between 0 and {KL_RANGE[1]:g}; got {self.ppo.kl_coef}")
        if self.pretrain.steps < 0 or self.pretrain.steps > 100_000:
            raise ValueError(f"pretraining steps must be between 0 and 100000; got {self.pretrain.steps}")
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {self.seed}")
        return self

    def replace(self, *, kl_coef=None, reward_bias=None, pretrain_steps=None, lang=None, seed=None) -> Config:
        """The same config with the knobs the sliders and the command line move."""
        c = self
        if kl_coef is not None:
            c = dataclasses.replace(c, ppo=dataclasses.replace(c.ppo, kl_coef=float(kl_coef)))
        if reward_bias is not None:
            c = dataclasses.replace(c, reward=dataclasses.replace(c.reward, reward_bias=float(reward_bias)))
        if pretrain_steps is not None:
            c = dataclasses.replace(c, pretrain=dataclasses.replace(c.pretrain, steps=int(pretrain_steps)))
        if lang is not None:
            c = dataclasses.replace(c, lang=lang)
        if seed is not None:
            c = dataclasses.replace(c, seed=int(seed))
        return c.validate()


PRESETS = {
    "default": Config(),
    "fast": Config(  # a smaller, shallower model that takes more steps a second
        model=ModelConfig(n_embd=64, n_layer=2),
        pretrain=PretrainConfig(steps=700, eval_every=175),
        sft=SFTConfig(steps=250, eval_every=125),
        reward=RewardConfig(steps=200, eval_every=100),
        ppo=PPOConfig(iterations=24, eval_every=3),
    ),
}


def preset(name: str = "default", **overrides) -> Config:
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
    return PRESETS[name].replace(**overrides)


