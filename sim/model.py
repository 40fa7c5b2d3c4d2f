"""The tiny causal language model, its value head and its reward model.

A GPT in the spirit of nanoGPT's ``model.py``, wrapped as a ``transformers`` model so that
``save_pretrained`` / ``AutoModelForCausalLM.from_pretrained`` / ``generate`` work like any other.

References:
  * Karpathy, nanoGPT ``model.py`` (layout: pre-LN blocks, fused QKV, tied embeddings).
  * Radford et al. 2019, "Language Models are Unsupervised Multitask Learners" (GPT-2).
  * Ouyang et al. 2022, InstructGPT: the reward model is the SFT model with a scalar head.

Deliberate simplifications: learned absolute positions, no dropout, no biases and exact GELU
(fewer, fused kernels on a 2-core CPU: ``python -m sim bench`` measures this against GPT2LMHeadModel),
and a hand-written KV cache (``sample``) for rollouts next to the ``transformers`` ``Cache`` path
that ``generate`` uses. Shapes are noted as (B, nh, T, hs): batch, heads, time, head size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    DynamicCache,
    GenerationMixin,
    PretrainedConfig,
    PreTrainedModel,
)
from transformers.modeling_outputs import (
    BaseModelOutput,
    CausalLMOutputWithPast,
    SequenceClassifierOutputWithPast,
)

from sim.config import ModelConfig
from sim.device import device_generator
from sim.world import VOCABS


class WujiConfig(PretrainedConfig):
    model_type = "wuji"
    attribute_map = {  # the names generic transformers code looks for (as GPT2Config does)
        "num_hidden_layers": "n_layer",
        "hidden_size": "n_embd",
        "num_attention_heads": "n_head",
        "max_position_embeddings": "n_positions",
    }

    def __init__(
        self,
        vocab_size: int = 256,
        n_positions: int = 96,
        n_embd: int = 64,
        n_layer: int = 2,
        n_head: int = 4,
        pad_token_id: int = 0,
        eos_token_id: int = 1,
        **kwargs,
    ):
        self.vocab_size = vocab_size
        self.n_positions = n_positions
        self.n_embd = n_embd
        self.n_layer = n_layer
        self.n_head = n_head
        kwargs.setdefault("tie_word_embeddings", True)
        super().__init__(pad_token_id=pad_token_id, eos_token_id=eos_token_id, **kwargs)


def attention_mask_4d(valid: torch.Tensor, q_len: int) -> torch.Tensor:
    """Boolean (B, 1, q_len, S) mask: causal over the last q_len positions, padded keys hidden.

    ``valid`` is (B, S), True where a key is a real token. A query may always see itself, so a pad
    query never has an empty row (which would give NaN in softmax).
    """
    S = valid.shape[1]
    q_pos = torch.arange(S - q_len, S, device=valid.device)[:, None]  # (q_len, 1)
    k_pos = torch.arange(S, device=valid.device)[None, :]  # (1, S)
    causal = k_pos <= q_pos  # (q_len, S)
    return (causal[None, None] & valid[:, None, None, :]) | (k_pos == q_pos)[None, None]


def positions_from_valid(valid: torch.Tensor) -> torch.Tensor:
    """Position ids that start at 0 on the first real token of each row (left padding)."""
    return (valid.long().cumsum(-1) - 1).clamp(min=0)


class SelfAttention(nn.Module):
    def __init__(self, cfg: WujiConfig, layer_idx: int):
        super().__init__()
        self.n_head, self.layer_idx = cfg.n_head, layer_idx
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x, mask=None, kv=None, start=0, cache=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        if kv is not None:  # our preallocated cache: write at [start, start+T), read [0, start+T)
            kv[0][:, :, start : start + T] = k
            kv[1][:, :, start : start + T] = v
            k, v = kv[0][:, :, : start + T], kv[1][:, :, : start + T]
        elif cache is not None:  # the transformers Cache object that ``generate`` passes
            k, v = cache.update(k, v, self.layer_idx)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None and T > 1)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, cfg: WujiConfig, layer_idx: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd, bias=False)
        self.attn = SelfAttention(cfg, layer_idx)
        self.ln2 = nn.LayerNorm(cfg.n_embd, bias=False)
        self.fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.fc_out = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x, mask=None, kv=None, start=0, cache=None):
        x = x + self.attn(self.ln1(x), mask, kv, start, cache)
        # exact (erf) GELU: on the CPU its fused kernel costs ~half of approximate="tanh", fwd + bwd
        return x + self.fc_out(F.gelu(self.fc(self.ln2(x))))


class WujiPreTrainedModel(PreTrainedModel):
    config_class = WujiConfig
    base_model_prefix = "wuji"
    _supports_sdpa = True

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)


class WujiModel(WujiPreTrainedModel):
    """The trunk: embeddings, blocks, final norm. Returns hidden states (B, T, C)."""

    def __init__(self, cfg: WujiConfig):
        super().__init__(cfg)
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg, i) for i in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, bias=False)
        self.post_init()

    def forward(self, idx=None, pos=None, mask=None, kv=None, start=0, cache=None, *, input_ids=None,
                attention_mask=None, **kwargs):
        if input_ids is not None:  # the transformers convention (AutoModel users, TRL's fused LM head)
            if attention_mask is None:
                return BaseModelOutput(last_hidden_state=self(input_ids))
            valid = attention_mask.bool()
            h = self(input_ids, positions_from_valid(valid), attention_mask_4d(valid, input_ids.shape[1]))
            return BaseModelOutput(last_hidden_state=h)
        if pos is None:
            pos = torch.arange(start, start + idx.shape[1], device=idx.device)
        x = self.wte(idx) + self.wpe(pos)  # (B, T, C)
        for i, block in enumerate(self.blocks):
            x = block(x, mask, None if kv is None else kv[i], start, cache)
        return self.ln_f(x)


class WujiForCausalLM(WujiPreTrainedModel, GenerationMixin):
    _tied_weights_keys = {"lm_head.weight": "wuji.wte.weight"}

    def __init__(self, cfg: WujiConfig):
        super().__init__(cfg)
        self.wuji = WujiModel(cfg)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wuji.wte.weight
        self.post_init()

    def get_input_embeddings(self):
        return self.wuji.wte

    def get_output_embeddings(self):
        return self.lm_head

    # -- the fast path the training stages use ------------------------------------------------
    def hidden(self, idx, valid=None):
        """Hidden states (B, T, C) of full sequences; ``valid`` (B, T) marks real tokens (left padding)."""
        if valid is None:
            return self.wuji(idx)
        return self.wuji(idx, positions_from_valid(valid), attention_mask_4d(valid, idx.shape[1]))

    def logits(self, idx, valid=None):
        return self.lm_head(self.hidden(idx, valid))  # (B, T, V)

    # -- the transformers path (generate, pipelines, from_pretrained users) --------------------
    def forward(
        self,
        input_ids=None,
        attention_mask=None,
        position_ids=None,
        past_key_values=None,
        use_cache=None,
        labels=None,
        **kwargs,
    ):
        B, T = input_ids.shape
        if use_cache and past_key_values is None:
            past_key_values = DynamicCache(config=self.config)
        past = past_key_values.get_seq_length() if past_key_values is not None else 0
        valid = (attention_mask.bool() if attention_mask is not None
                 else torch.ones(B, past + T, dtype=torch.bool, device=input_ids.device))
        if position_ids is None:
            position_ids = positions_from_valid(valid)[:, -T:]
        mask = attention_mask_4d(valid, T) if attention_mask is not None or past > 0 else None
        h = self.wuji(input_ids, position_ids, mask, cache=past_key_values)
        logits = self.lm_head(h)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                                   ignore_index=-100)
        return CausalLMOutputWithPast(loss=loss, logits=logits, past_key_values=past_key_values)


class WujiForSequenceClassification(WujiPreTrainedModel):
    """The reward model: the trunk plus a scalar head read at the last real token."""

    def __init__(self, cfg: WujiConfig):
        super().__init__(cfg)
        self.wuji = WujiModel(cfg)
        self.score = nn.Linear(cfg.n_embd, 1, bias=True)
        self.post_init()

    def reward(self, idx, valid):
        """Scalar reward (B,) of left-padded, right-padded sequences; ``valid`` marks real tokens."""
        h = self.wuji(idx, positions_from_valid(valid), attention_mask_4d(valid, idx.shape[1]))
        last = valid.shape[1] - 1 - valid.flip(-1).long().argmax(-1)  # index of the last real token
        return self.score(h[torch.arange(idx.shape[0], device=idx.device), last]).squeeze(-1)

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        valid = attention_mask.bool() if attention_mask is not None else torch.ones_like(input_ids, dtype=torch.bool)
        r = self.reward(input_ids, valid)
        return SequenceClassifierOutputWithPast(logits=r[:, None])

    @classmethod
    def from_causal_lm(cls, lm: WujiForCausalLM) -> WujiForSequenceClassification:
        """InstructGPT's recipe: start the reward model from the SFT model's weights."""
        rm = cls(lm.config)
        rm.wuji.load_state_dict(lm.wuji.state_dict())
        nn.init.zeros_(rm.score.weight)
        nn.init.zeros_(rm.score.bias)
        return rm


def build_lm(mc: ModelConfig, lang: str) -> WujiForCausalLM:
    """The language model of a config's dimensions over the world's vocabulary of ``lang``, with fresh weights drawn
    from torch's global generator (seed it first: ``sim.stages.fresh_lm`` for the pipeline's start)."""
    return WujiForCausalLM(WujiConfig(vocab_size=len(VOCABS[lang]), n_positions=mc.n_positions, n_embd=mc.n_embd,
                                      n_layer=mc.n_layer, n_head=mc.n_head))


AutoConfig.register("wuji", WujiConfig, exist_ok=True)
AutoModelForCausalLM.register(WujiConfig, WujiForCausalLM, exist_ok=True)
AutoModelForSequenceClassification.register(WujiConfig, WujiForSequenceClassification, exist_ok=True)


class ValueHead(nn.Module):
    """PPO's critic: one linear layer on the policy's hidden states (a shared trunk)."""

    def __init__(self, n_embd: int):
        super().__init__()
        self.v = nn.Linear(n_embd, 1)
        nn.init.zeros_(self.v.weight)
        nn.init.zeros_(self.v.bias)

    def forward(self, h):
        return self.v(h).squeeze(-1)  # (B, T)


@dataclass
class Samples:
    """A batch of sampled answers. ``seq`` = left-padded prompt + answer, right-padded after EOS."""

    seq: torch.Tensor  # (B, Tp + Tr) token ids
    valid: torch.Tensor  # (B, Tp + Tr) True on real tokens (prompt and answer up to EOS)
    prompt_len: int  # Tp: answers start at this column
    resp_mask: torch.Tensor  # (B, Tr) True on answer tokens (EOS included)
    ended: torch.Tensor  # (B,) True where the answer ended with EOS inside the budget


@torch.no_grad()
def sample(
    model: WujiForCausalLM,
    prompts: list[list[int]],
    max_new: int,
    pad_id: int,
    eos_id: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
    use_cache: bool = True,
) -> Samples:
    """Batched sampling (greedy when temperature == 0) with a preallocated KV cache.

    Prompts are left-padded so every answer starts in the same column; position ids restart at
    each row's first real token. ``use_cache=False`` recomputes the whole prefix every step
    (the benchmark's baseline).
    """
    cfg, dev = model.config, model.device
    generator = device_generator(generator, dev)
    B, Tp = len(prompts), max(len(p) for p in prompts)
    S = Tp + max_new
    seq = torch.full((B, S), pad_id, dtype=torch.long)
    valid = torch.zeros(B, S, dtype=torch.bool)
    for i, p in enumerate(prompts):
        seq[i, Tp - len(p) : Tp] = torch.tensor(p)
        valid[i, Tp - len(p) : Tp] = True
    seq, valid = seq.to(dev), valid.to(dev)  # built on the CPU, moved once
    hs = cfg.n_embd // cfg.n_head
    kv = [(torch.empty(B, cfg.n_head, S, hs, device=dev), torch.empty(B, cfg.n_head, S, hs, device=dev))
          for _ in range(cfg.n_layer)]
    pos_all = positions_from_valid(torch.cat([valid[:, :Tp], torch.ones(B, max_new, dtype=torch.bool, device=dev)], 1))
    alive = torch.ones(B, dtype=torch.bool, device=dev)
    ended = torch.zeros(B, dtype=torch.bool, device=dev)
    t = Tp
    for step in range(max_new):
        valid[:, t] = alive  # the token written at column t is real while its row is alive
        if use_cache:
            if step == 0:
                h = model.wuji(seq[:, :Tp], pos_all[:, :Tp], attention_mask_4d(valid[:, :Tp], Tp), kv, 0)
            else:
                h = model.wuji(seq[:, t - 1 : t], pos_all[:, t - 1 : t],
                               valid[:, None, None, :t] | _self_col(B, t, dev), kv, t - 1)
        else:
            h = model.wuji(seq[:, :t], pos_all[:, :t], attention_mask_4d(valid[:, :t] | ~alive[:, None], t))
        logits = model.lm_head(h[:, -1])  # (B, V)
        if temperature == 0:
            nxt = logits.argmax(-1)
        else:
            probs = F.softmax(logits / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
        nxt = torch.where(alive, nxt, torch.full_like(nxt, pad_id))
        seq[:, t] = nxt
        ended |= alive & (nxt == eos_id)
        alive &= nxt != eos_id
        t += 1
        if not alive.any():
            break
    seq, valid = seq[:, :t], valid[:, :t]
    return Samples(seq=seq, valid=valid, prompt_len=Tp, resp_mask=valid[:, Tp:].clone(), ended=ended)


def score(rm: WujiForSequenceClassification, s: Samples) -> torch.Tensor:
    """The reward model's score (B,) of a batch of answers (moved to its device)."""
    return rm.reward(s.seq.to(rm.device), s.valid.to(rm.device))


def _self_col(B: int, t: int, device=None) -> torch.Tensor:
    """(B, 1, 1, t) mask that lets the newest query always see its own key (column t-1)."""
    m = torch.zeros(B, 1, 1, t, dtype=torch.bool, device=device)
    m[..., t - 1] = True
    return m


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def init_std_residual(model: WujiForCausalLM) -> None:
    """GPT-2's scaled init of the residual projections (std 0.02 / sqrt(2 * n_layer))."""
    std = 0.02 / math.sqrt(2 * model.config.n_layer)
    for block in model.wuji.blocks:
        nn.init.normal_(block.attn.proj.weight, std=std)
        nn.init.normal_(block.fc_out.weight, std=std)
