"""The command line: ``python -m sim run | sweep | method | bench``.

Bad arguments exit with status 2 and one line saying what is allowed. Torch-free at import, so that help
and bad arguments answer at once; the runs reach torch through ``sim.torch_side()``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

from sim import torch_side
from sim.cache import Cache
from sim.config import CHECKS, CONSERVATIVE, GRPO_REWARDS, METHODS, preset
from sim.events import Diverged
from sim.methods import check
from sim.sweep import grid, sweep_stream

PRESET_NAMES = ("tiny", "fast", "default")


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage + message; we print one line
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def _device_arg(sp) -> None:
    sp.add_argument("--device", choices=("auto", "cpu", "cuda"),
                    help="where to train (default: $WUJI_DEVICE, else cuda when torch sees a GPU, else cpu)")


def build_parser() -> OneLineParser:
    p = OneLineParser(prog="python -m sim", description="Wuji: a tiny model through pretraining, SFT and RLHF.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=OneLineParser)

    def common(sp):
        sp.add_argument("--preset", default="default", choices=PRESET_NAMES)
        sp.add_argument("--lang", default="zh", choices=("zh", "en"))
        sp.add_argument("--json", metavar="PATH", help="write the result document here")
        sp.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: $WUJI_CACHE_DIR or ~/.cache/wuji)")
        sp.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        sp.add_argument("--pretrain-steps", type=int, metavar="N")

    r = sub.add_parser("run", help="the whole pipeline once")
    common(r)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--kl-coef", type=float, metavar="F")
    r.add_argument("--reward-bias", type=float, metavar="F")
    r.add_argument("--ptx-coef", type=float, metavar="F", help="PPO-ptx: the pretraining loss's weight (0: off)")
    r.add_argument("--label-noise", type=float, metavar="F", help="share of pairs a coin labels (careless annotators)")
    _device_arg(r)

    s = sub.add_parser("sweep", help="a grid of kl_coef x reward_bias x seeds, reusing the cache")
    common(s)
    s.add_argument("--kl-coef", type=_floats, required=True, metavar="LIST")
    s.add_argument("--reward-bias", type=_floats, required=True, metavar="LIST")
    s.add_argument("--seeds", type=_ints, default=[0], metavar="LIST")
    _device_arg(s)

    m = sub.add_parser("method", help="best-of-n, DPO, RLOO or GRPO from the same SFT and reward model as PPO")
    common(m)
    m.add_argument("--name", required=True, choices=METHODS)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--kl-coef", type=float, metavar="F", help="RLOO's and GRPO's leash (PPO's kl_coef)")
    m.add_argument("--reward-bias", type=float, metavar="F")
    m.add_argument("--beta", type=float, metavar="F", help="DPO's beta")
    m.add_argument("--reward", choices=GRPO_REWARDS, help="what scores GRPO's answers (default: checker)")
    m.add_argument("--checker", choices=CHECKS, help="how careful the checker is (default: strict)")
    m.add_argument("--ensemble", type=int, metavar="K", help="reward models in the ensemble (default: 4)")
    m.add_argument("--conservative", choices=CONSERVATIVE, help="the ensemble's cautious score (default: min)")
    m.add_argument("--label-noise", type=float, metavar="F", help="share of pairs a coin labels (careless annotators)")
    _device_arg(m)

    b = sub.add_parser("bench", help="speed figures: matmul ceiling, tokens/s, stage seconds")
    b.add_argument("--json", metavar="PATH")
    b.add_argument("--quick", action="store_true", help="fewer repetitions (for tests)")
    _device_arg(b)
    return p


class Progress:
    """A one-line progress bar on stderr, fed by the pipeline's events."""

    def __init__(self, label: str = ""):
        self.label, self.t0 = label, time.perf_counter()

    def __call__(self, ev) -> None:
        if ev.stage == "done":
            sys.stderr.write(f"\r{self.label}done in {time.perf_counter() - self.t0:.1f}s".ljust(78) + "\n")
            return
        width = 24
        filled = int(width * ev.step / max(1, ev.total))
        tag = " (cached)" if ev.extra.get("cached") else ""
        sys.stderr.write(f"\r{self.label}{ev.stage:<8} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{ev.step}/{ev.total}{tag}".ljust(78))
        sys.stderr.flush()


def _cache(args):
    """The cache the arguments name; its warning (an unwritable folder) goes to stderr."""
    cache = Cache(None) if args.no_cache else Cache(args.cache_dir) if args.cache_dir else Cache()
    if cache.warning:
        sys.stderr.write(f"warning: {cache.warning}\n")
    return cache


def _trained(train):
    """What train() returns, or None after one line on stderr when training diverged."""
    try:
        return train()
    except Diverged as e:
        sys.stderr.write(f"error: {e}\n")
        return None


def _write_json(path: str | None, obj) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmd == "bench":
        _pick_device(parser, args)
        return torch_side("bench").main(json_path=args.json, quick=args.quick, device=args.device)

    if args.cmd == "run":
        try:
            cfg = noisy(preset(args.preset, lang=args.lang, seed=args.seed, kl_coef=args.kl_coef,
                               reward_bias=args.reward_bias, pretrain_steps=args.pretrain_steps,
                               ptx_coef=args.ptx_coef), args.label_noise)
        except ValueError as e:
            parser.error(str(e))
        _pick_device(parser, args)
        cache = _cache(args)
        doc = _trained(lambda: torch_side().run(cfg, cache, on_event=Progress(), device=args.device))
        if doc is None:
            return 1
        _report(doc)
        _write_json(args.json, doc)
        return 0

    if args.cmd == "method":
        return _method(parser, args)

    # sweep
    try:
        base = preset(args.preset, lang=args.lang, pretrain_steps=args.pretrain_steps)
        cfgs = grid(base, args.kl_coef, args.reward_bias, args.seeds)
    except ValueError as e:
        parser.error(str(e))
    _pick_device(parser, args)
    cache = _cache(args)
    runs, bar = [], Progress()
    for ev in sweep_stream(cfgs, cache, device=args.device):
        if ev.stage == "sweep":
            row = ev.extra["row"]
            runs.append(row)
            f = row["final"]
            sys.stderr.write("\r" + " " * 78 + "\r")
            print(f"[{ev.step}/{ev.total}] kl_coef={row['kl_coef']:<5g} bias={row['reward_bias']:<4g} "
                  f"seed={row['seed']}  proxy={f['proxy_reward']:+.2f} gold={f['gold_reward']:+.2f} "
                  f"kl={f['kl']:.2f} capability={f['capability']:.2f} flattery={f['flattery']:.2f}", flush=True)
        elif ev.stage != "done":
            bar.label = f"[{ev.extra['run'] + 1}/{len(cfgs)}] "
            bar(ev)
    _write_json(args.json, {"preset": args.preset, "lang": args.lang, "runs": runs})
    return 0


def _pick_device(parser, args) -> None:
    """Resolve ``--device`` once the other arguments are known good: it imports torch (seconds), so a bad value
    elsewhere is told at once. A device this machine lacks gets one line and status 2."""
    try:
        args.device = str(torch_side().pick_device(args.device))
    except ValueError as e:
        parser.error(str(e))


def noisy(cfg, label_noise: float | None):
    """cfg with careless annotators: a coin labels ``label_noise`` of the pairs (0 to 1; None: as it is)."""
    if label_noise is None:
        return cfg
    return dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, label_noise=label_noise)).validate()


def _method(parser, args) -> int:
    try:
        cfg = preset(args.preset, lang=args.lang, seed=args.seed, kl_coef=args.kl_coef,
                     reward_bias=args.reward_bias, pretrain_steps=args.pretrain_steps)
        if args.beta is not None:
            cfg = dataclasses.replace(cfg, dpo=dataclasses.replace(cfg.dpo, beta=args.beta))
        grpo = {k: v for k, v in (("reward", args.reward), ("checker", args.checker)) if v is not None}
        ens = {k: v for k, v in (("k", args.ensemble), ("conservative", args.conservative)) if v is not None}
        cfg = dataclasses.replace(noisy(cfg, args.label_noise), grpo=dataclasses.replace(cfg.grpo, **grpo),
                                  ensemble=dataclasses.replace(cfg.ensemble, **ens))
        check(cfg, args.name)
    except ValueError as e:
        parser.error(str(e))
    _pick_device(parser, args)
    cache = _cache(args)
    doc = _trained(lambda: torch_side().run_method(cfg, args.name, cache, on_event=Progress(), device=args.device))
    if doc is None:
        return 1
    for h in doc["history"]:
        print(f"{args.name:<5} {'n' if args.name == 'bon' else 'step'}={h['step']:<4} kl={h['kl']:6.2f} "
              f"proxy={h['proxy_reward']:+.2f} gold={h['gold_reward']:+.2f} capability={h['capability']:.2f} "
              f"flattery={h['flattery']:.2f} length={h['length']:.1f}"
              + (f" checker={h['checker_' + cfg.grpo.checker]:.2f}" if args.name == "grpo" else ""))
    _write_json(args.json, doc)
    return 0


def _report(doc: dict) -> None:
    p, s, r, rl = doc["pretrain"], doc["sft"], doc["reward"], doc["rlhf"]
    print(f"pretrain  val_loss={p['val_loss']:.3f} probe_accuracy={p['probe_accuracy']:.2f}")
    print(f"sft       capability={s['capability']:.2f} format_rate={s['format_rate']:.2f}")
    print(f"reward    pref_accuracy={r['pref_accuracy']:.2f} gold_agreement={r['gold_agreement']:.2f}")
    for name in ("start", "final"):
        m = rl[name]
        print(f"rlhf {name:<5} proxy={m['proxy_reward']:+.2f} gold={m['gold_reward']:+.2f} kl={m['kl']:.2f} "
              f"capability={m['capability']:.2f} flattery={m['flattery']:.2f} length={m['length']:.1f}")
    sec = doc["seconds"]
    print("seconds   " + " ".join(f"{k}={v:.1f}" for k, v in sec.items())
          + (f"  (cached: {', '.join(doc['cached'])})" if doc["cached"] else ""))
    if doc.get("warning"):
        print(f"warning: {doc['warning']}")


if __name__ == "__main__":
    sys.exit(main())
