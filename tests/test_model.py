"""The tiny LM as a transformers model, its sampler, and that each stage learns."""


import pytest
import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

from sim.config import PretrainConfig, RewardConfig, SFTConfig
from sim.model import WujiConfig, WujiForCausalLM, WujiForSequenceClassification, sample
from sim.pretrain import pretrain
from sim.reward import train_reward
from sim.sft import sft
from sim.tokenizer import WujiTokenizer
from sim.world import EOS_ID, PAD_ID, VOCABS, World

ZH = VOCABS["zh"]


def tiny(seed=0):
    torch.manual_seed(seed)
    return WujiForCausalLM(WujiConfig(vocab_size=len(ZH), n_positions=64, n_embd=32, n_layer=1, n_head=2))


def test_save_and_load_like_any_transformers_model(tmp_path):
    m = tiny()
    m.save_pretrained(tmp_path / "lm")
    assert (tmp_path / "lm" / "model.safetensors").exists()  # safetensors, no pickle
    m2 = AutoModelForCausalLM.from_pretrained(tmp_path / "lm")
    x = torch.randint(2, len(ZH), (2, 9))
    assert torch.allclose(m.logits(x), m2.logits(x), atol=1e-6)
    rm = WujiForSequenceClassification.from_causal_lm(m)
    rm.save_pretrained(tmp_path / "rm")
    rm2 = AutoModelForSequenceClassification.from_pretrained(tmp_path / "rm")
    assert isinstance(rm2, WujiForSequenceClassification)


@pytest.mark.parametrize("lang, text", [("zh", "问：无忌的师父是谁？\n答：您好，谢逊。"),
                                        ("en", "Q: Wuji's master is who?\nA: Hi! Xiexun.")])
def test_tokenizer_round_trip(tmp_path, lang, text):
    tok = WujiTokenizer(lang=lang)
    tok.save_pretrained(tmp_path)
    tok2 = WujiTokenizer.from_pretrained(tmp_path)
    assert tok2(text)["input_ids"] == World(lang).encode(text)
    assert tok2.decode(tok2(text)["input_ids"]) == text
    assert WujiTokenizer.from_pretrained(tmp_path).vocab_size == len(VOCABS[lang])
    other = "en" if lang == "zh" else "zh"
    with pytest.raises(ValueError, match="vocabulary"):  # a saved vocabulary read as the other language's
        WujiTokenizer(vocab_file=str(tmp_path / "vocab.json"), lang=other)


def test_sampler_matches_generate_and_its_cache_is_exact():
    m = tiny(1).eval()
    prompts = [ZH.encode("问：3加4得几？\n答："), ZH.encode("抄写甲乙，得什么？")]
    cached = sample(m, prompts, 8, PAD_ID, EOS_ID, temperature=0)
    fresh = sample(m, prompts, 8, PAD_ID, EOS_ID, temperature=0, use_cache=False)
    assert torch.equal(cached.seq, fresh.seq)
    for i, p in enumerate(prompts):  # left padding changes nothing: each row alone gives the same answer
        alone = sample(m, [p], 8, PAD_ID, EOS_ID, temperature=0)
        n = alone.seq.shape[1] - alone.prompt_len
        assert torch.equal(alone.seq[0, alone.prompt_len:], cached.seq[i, cached.prompt_len:cached.prompt_len + n])
    x = torch.tensor([prompts[0]])
    out = m.generate(x, max_new_tokens=8, do_sample=False, pad_token_id=PAD_ID, eos_token_id=-1)
    mine = sample(m, [prompts[0]], 8, PAD_ID, -1, temperature=0)
    assert torch.equal(out[0, x.shape[1]:], mine.seq[0, mine.prompt_len:])


def _params(m):
    return torch.cat([p.detach().flatten().clone() for p in m.parameters()])


def test_pretraining_learns():
    m, w = tiny(), World("zh", 0)
    before = _params(m)
    evs = [e for e in pretrain(m, w, PretrainConfig(steps=60, n_sentences=2000, eval_every=60), 0) if e.evaluated]
    assert evs[-1].metrics["val_loss"] < evs[0].metrics["val_loss"] - 1.0
    assert not torch.equal(before, _params(m))


def test_sft_learns():
    m, w = tiny(), World("zh", 0)
    before = _params(m)
    losses = [e.metrics["train_loss"] for e in sft(m, w, SFTConfig(steps=100, n_demos=500), 0, w.eval_items(2))
              if "train_loss" in e.metrics]
    assert sum(losses[-5:]) / 5 < 0.7 * sum(losses[:5]) / 5  # the answer loss falls by a third
    assert not torch.equal(before, _params(m))


def test_reward_model_learns_its_annotators():
    w = World("zh", 0)
    rm = WujiForSequenceClassification.from_causal_lm(tiny())
    cfg = RewardConfig(reward_bias=1.0, n_pairs=600, steps=60, eval_pairs=128, eval_every=60)
    evs = [e for e in train_reward(rm, w, cfg, 0) if e.evaluated]
    assert evs[-1].metrics["pref_accuracy"] > 0.75  # surface appeal is easy to see
    assert evs[-1].metrics["pref_accuracy"] > evs[0].metrics["pref_accuracy"]


def test_sampling_is_reproducible():
    m = tiny(2).eval()
    p = [ZH.encode("问：")] * 4
    a = sample(m, p, 6, PAD_ID, EOS_ID, generator=torch.Generator().manual_seed(5))
    b = sample(m, p, 6, PAD_ID, EOS_ID, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a.seq, b.seq)
