"""How the cost grows (issue 16): a training step against the model's width, and against the number of runs trained
together in one batched step. ``python -m sim bench`` prints both; docs/performance.md plots them.

  1. ``widths``: for each ``n_embd`` of ``WIDTHS`` (the fast preset's 2 layers and 4 heads, pretraining's batch of
     32 x 64 tokens), one full training step (``sim.bench.train_step``'s: forward, cross-entropy, backward, AdamW):
     milliseconds, and its model FLOPs a second as a share of the matmul ceiling. Where the share stops growing
     with the width, the CPU is saturated: a wider model costs what its FLOPs cost.
  2. ``batches``: R runs of the fast preset's model, each with its own weights (as the six leash stops of one
     setting would be), trained one step. Batched: one ``StackedLM``, every weight stacked on a run axis, the linear
     layers as ``torch.bmm`` and attention over R x B rows, one AdamW over the stacked weights (AdamW is elementwise,
     so this is R separate optimisers). Separate: R models, R steps. Side by side, seconds a run.

Simplification: the batched model is the bench's own, a forward of the stage's step only (no sampling, no value
head); it shows whether stacking runs pays on this machine before the stages are built on it.
"""

from __future__ import annotations

from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

from sim.config import preset
from sim.cost import flops_per_token
from sim.model import WujiForCausalLM, attention_mask_4d, build_lm, positions_from_valid
from sim.timing import medians, side_by_side

WIDTHS = (64, 96, 128, 192)
RUNS = (1, 6, 18)
BATCH, SEQ = 32, 64  # pretraining's step: 32 blocks of 64 tokens


class StackedLM(nn.Module):
    """R language models of one shape as one: each weight of ``WujiForCausalLM`` stacked on a leading run axis."""

    def __init__(self, models: list[WujiForCausalLM]):
        super().__init__()
        self.config = models[0].config
        names = [n for n, _ in models[0].named_parameters()]  # the tied lm_head appears once, as wuji.wte
        self.names = names
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([dict(m.named_parameters())[n].detach() for m in models])) for n in names)

    def w(self, name: str) -> torch.Tensor:
        return self.weights[self.names.index(name)]

    def logits(self, idx: torch.Tensor) -> torch.Tensor:
        """(R, B, T) token ids -> (R, B, T, V) logits, each run through its own weights."""
        R, B, T = idx.shape
        C, nh = self.config.n_embd, self.config.n_head
        valid = torch.ones(R * B, T, dtype=torch.bool, device=idx.device)
        pos = positions_from_valid(valid).view(R, B, T)
        run = torch.arange(R, device=idx.device)[:, None, None]
        x = self.w("wuji.wte.weight")[run, idx] + self.w("wuji.wpe.weight")[run, pos]  # (R, B, T, C)
        mask = attention_mask_4d(valid, T)
        for i in range(self.config.n_layer):
            p = f"wuji.blocks.{i}."
            q, k, v = linear(norm(x, self.w(p + "ln1.weight")), self.w(p + "attn.qkv.weight")).split(C, -1)
            q, k, v = (t.reshape(R * B, T, nh, C // nh).transpose(1, 2) for t in (q, k, v))  # (R*B, nh, T, hs)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(R, B, T, C)
            x = x + linear(y, self.w(p + "attn.proj.weight"))
            h = F.gelu(linear(norm(x, self.w(p + "ln2.weight")), self.w(p + "fc.weight")))
            x = x + linear(h, self.w(p + "fc_out.weight"))
        return linear(norm(x, self.w("wuji.ln_f.weight")), self.w("wuji.wte.weight"))


def norm(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Layer norm without bias, each run's own gain: x (R, B, T, C), weight (R, C)."""
    return F.layer_norm(x, (x.shape[-1],)) * weight[:, None, None]


def linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Each run's ``nn.Linear`` (no bias) at once: x (R, B, T, in), weight (R, out, in) -> (R, B, T, out)."""
    R, B, T, C = x.shape
    return torch.bmm(x.reshape(R, B * T, C), weight.transpose(1, 2)).view(R, B, T, -1)


def stacked_loss(model: StackedLM, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The sum over runs of each run's mean cross-entropy, so each run's gradient is its own loss's."""
    logits = model.logits(x)
    R = x.shape[0]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)) * R


def models(n_embd: int, runs: int) -> list[WujiForCausalLM]:
    """``runs`` models of the fast preset's shape at width ``n_embd``, each from its own seed."""
    mc = preset("fast").model
    out = []
    for r in range(runs):
        torch.manual_seed(r)
        out.append(build_lm(mc.__class__(**{**mc.__dict__, "n_embd": n_embd}), "zh"))
    return out


def data(runs: int, vocab: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(runs, BATCH, SEQ) inputs and next tokens, each run its own draw."""
    chunk = torch.randint(0, vocab, (runs, BATCH, SEQ + 1), generator=torch.Generator().manual_seed(0))
    return chunk[..., :-1], chunk[..., 1:]


def step_fn(params, loss_fn):
    """One training step (AdamW, pretraining's settings) of ``loss_fn()`` over ``params``."""
    opt = torch.optim.AdamW(params, lr=3e-3, betas=(0.9, 0.95), weight_decay=0.1)

    def step():
        loss = loss_fn()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def lm_loss(model: WujiForCausalLM, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = model.logits(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def widths(ceiling_gflops: float, quick: bool) -> list[dict]:
    rows = []
    for n_embd in WIDTHS:
        (m,) = models(n_embd, 1)
        x, y = data(1, m.config.vocab_size)
        step = step_fn(list(m.parameters()), partial(lm_loss, m, x[0], y[0]))
        med = medians(side_by_side({"step": step}, rounds=3 if quick else 10))
        fpt = flops_per_token(m.config.n_layer, n_embd, m.config.vocab_size, SEQ)
        gflops = fpt * BATCH * SEQ / med["step"] / 1e9
        rows.append({"n_embd": n_embd, "step_ms": 1e3 * med["step"], "gflops": gflops,
                     "ceiling_share": gflops / ceiling_gflops})
    return rows


def contenders(runs: int) -> dict:
    """One training step of ``runs`` runs, batched and separately (their weights start equal run by run)."""
    ms = models(preset("fast").model.n_embd, runs)
    x, y = data(runs, ms[0].config.vocab_size)
    stacked = StackedLM(ms)
    separate = [step_fn(list(m.parameters()), partial(lm_loss, m, x[r], y[r])) for r, m in enumerate(ms)]
    return {"batched": step_fn(list(stacked.parameters()), partial(stacked_loss, stacked, x, y)),
            "separate": lambda: [s() for s in separate]}


def batches(quick: bool) -> list[dict]:
    rows = []
    for runs in RUNS:
        times = medians(side_by_side(contenders(runs), rounds=3 if quick else 8))
        rows.append({"runs": runs, "batched_s_a_run": times["batched"] / runs,
                     "separate_s_a_run": times["separate"] / runs, "speedup": times["separate"] / times["batched"]})
    return rows
