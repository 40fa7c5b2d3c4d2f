"""The simulated world: determinism, answer parsing, the gold preference and the annotators."""

import random
import re

import pytest
import torch

from sim.config import GRPOConfig, PPOConfig, RLOOConfig
from sim.grpo import grpo
from sim.model import WujiConfig, WujiForCausalLM, WujiForSequenceClassification
from sim.ppo import ppo
from sim.rloo import rloo
from sim.world import (
    DISCIPLES,
    EOS_ID,
    KINDS,
    LANGS,
    MASTERS,
    RLHF_HELD_OUT,
    RLHF_KINDS,
    SECTS,
    SFT_KIND_WEIGHTS,
    SYMBOLS,
    TEMPLATES,
    VOCABS,
    World,
    annotate,
    annotator_panel,
)


@pytest.mark.parametrize("lang", LANGS)
def test_world_is_deterministic_and_writable(lang):
    a, b = World(lang, 7), World(lang, 7)
    assert a.corpus(50, random.Random(1)) == b.corpus(50, random.Random(1))
    assert a.master_of == b.master_of
    rng = random.Random(2)
    items = [a.make_item(k, rng) for k in KINDS for _ in range(20)]
    texts = a.corpus(300, rng) + [a.prompt(it).strip() for it in items] + [a.sft_answer(it, rng) for it in items]
    texts += [a.candidate(it, rng)[0] for it in items]
    for text in texts:  # every text the world writes is made of its vocabulary's tokens, and reads back
        assert a.decode(a.encode(text)) == text


@pytest.mark.parametrize("lang", LANGS)
def test_a_token_is_a_word_and_a_symbol_or_digit_is_one_token(lang):
    w = World(lang, 0)
    for pair in SECTS + MASTERS + DISCIPLES:
        assert len(w.encode(w._n(pair))) == 1, pair
    for text in (SYMBOLS[lang] + SYMBOLS[lang][::-1], "0123456789"):
        assert len(w.encode(text)) == len(text)
    rng = random.Random(3)
    for kind in KINDS:  # a fact's answer is cut on its own: the tokens around it never swallow it
        for _ in range(30):
            it = w.make_item(kind, rng)
            for form in TEMPLATES[lang][kind][0]:
                head, tail = (p.format(**dict(it.fields)) for p in form.split("{c}"))
                assert w.encode(head + it.answer + tail) == w.encode(head) + w.encode(it.answer) + w.encode(tail)
    other = "[a-zA-Z]" if lang == "zh" else "[^\\x00-\\x7f]"  # no token of the other language's script
    assert not [t for t in VOCABS[lang].tokens[2:] if re.search(other, t)]


def test_english_spaces_come_back_and_any_tokens_read_back():
    w = World("en", 0)
    ids = w.encode("Q: Wuji's master is who?\nA: Hi! Wise hero! Xiexun.")
    assert [w.vocab.tokens[i] for i in ids[:5]] == ["Q", ":", "Wuji", "'s", "master"]
    assert w.decode(ids) == "Q: Wuji's master is who?\nA: Hi! Wise hero! Xiexun."
    assert w.decode(w.encode("abca has 2 a.")) == "abca has 2 a."
    rng = random.Random(0)
    for _ in range(200):  # whatever a model writes, its text cuts back into the same tokens
        ids = [rng.randrange(EOS_ID + 1, len(w.vocab)) for _ in range(rng.randint(1, 12))]
        assert w.encode(w.decode(ids)) == ids


@pytest.mark.parametrize("lang", LANGS)
def test_each_character_knows_the_token_that_wrote_it(lang):
    w = World(lang, 0)
    text = "您好，大侠英明！赵敏。" if lang == "zh" else "Hi! Wise hero! Zhaomin."
    ids = [0] + w.encode(text) + [1, 0]  # padding and EOS write nothing
    out, owner = w.vocab.decode_spans(ids)
    assert out == text and len(owner) == len(text)
    for pos in set(owner):  # a token's characters are its own text (English: with the space before it)
        assert "".join(c for c, o in zip(text, owner) if o == pos).strip() == w.vocab.tokens[ids[pos]]


@pytest.mark.parametrize("lang", LANGS)
def test_a_character_outside_the_vocabulary_is_named(lang):
    with pytest.raises(ValueError, match="'@' is not in the"):
        World(lang, 0).encode("12@")


def test_seeds_deal_different_worlds():
    assert any(World("zh", s).master_of != World("zh", 0).master_of for s in range(1, 5))


@pytest.mark.parametrize("lang", LANGS)
def test_traits_read_answers(lang):
    w = World(lang, 0)
    item = w.make_item("add", random.Random(0))
    text, ended = w.render(item.answer, polite=True)
    t = w.traits(item, text, ended)
    assert t.correct and t.polite and t.flattery == 0 and t.well_formed
    wrong, ended = w.render("99" if item.answer != "99" else "98")
    assert not w.traits(item, wrong, ended).correct
    # flattery crowds out the answer: with three phrases the budget runs out before it
    crowded, ended = w.render(item.answer, polite=True, flattery=(0, 1, 2))
    tc = w.traits(item, crowded, ended)
    assert not ended and not tc.correct and tc.flattery >= 2


def test_gold_prefers_substance_then_courtesy_and_dislikes_flattery():
    w = World("zh", 0)
    item = w.make_item("sect", random.Random(0))
    def gold(**kw):
        return w.gold(w.traits(item, *w.render(**kw)))
    right, wrong = item.answer, "明教" if item.answer != "明教" else "武当"
    assert gold(content=right) > gold(content=wrong, polite=True)
    assert gold(content=right, polite=True) > gold(content=right)
    assert gold(content=right) > gold(content=right, flattery=(0,))
    a, b = (w.traits(item, *w.render(right, polite=p)) for p in (True, False))
    assert (w.gold_verdict(a, b), w.gold_verdict(b, a), w.gold_verdict(a, a)) == (True, False, None)  # None: a tie


def test_annotator_bias_turns_judges_to_flattery():
    w = World("zh", 0)
    rng = random.Random(0)
    item = w.make_item("add", rng)
    plain = w.traits(item, *w.render(item.answer))
    fawning = w.traits(item, *w.render("0" if item.answer != "0" else "1", flattery=(0,)))
    panel = annotator_panel(5, 0)
    def share(bias):
        return sum(annotate(w, fawning, plain, bias, panel[i % 5], rng) for i in range(400)) / 400
    assert share(0.0) < 0.1 and share(1.0) > 0.9


def test_eval_prompts_are_held_out_and_kinds_split():
    w = World("zh", 0)
    items = w.eval_items(8)
    assert {it.kind for it in items} == set(KINDS)
    practised = {it.kind for it in w.train_items(500, random.Random(0), kinds=RLHF_KINDS)}  # what PPO draws
    assert practised == set(KINDS) - set(RLHF_HELD_OUT), "PPO practises every kind but the held-out ones"
    train = w.train_items(2000, random.Random(0), weights=SFT_KIND_WEIGHTS)
    asked = {(it.kind, dict(it.fields)["p"]) for it in train if it.kind in ("sect", "master")}
    checked = {(it.kind, dict(it.fields)["p"]) for it in items if it.kind in ("sect", "master")}
    assert checked and not checked & asked, "the eval asks a person's fact that SFT never asked"
    sect_asked = {p for k, p in asked if k == "sect"}
    assert {p for k, p in checked if k == "master"} <= sect_asked, "... of people whose sect SFT asked"
    kinds = [it.kind for it in train]
    assert kinds.count("sect") < kinds.count("add") / 2, "SFT asks a person's fact less often than a sum"


class Recording(World):
    """A world that remembers every prompt a trainer draws."""

    drawn: list

    def train_items(self, *args, **kwargs):
        items = super().train_items(*args, **kwargs)
        self.drawn.extend(items)
        return items


@pytest.mark.parametrize("method", ["ppo", "rloo", "grpo"])
def test_rl_never_practises_a_held_out_prompt(method):
    """Held-out capability is held out for RL too: once a trainer has made its first evaluation, no prompt it
    practises on shares its key with an evaluation prompt (before the fix, 31 of 78 of one run's did)."""
    torch.manual_seed(0)
    w = Recording("en", 0)
    w.drawn = []
    evals = w.eval_items(16)
    config = WujiConfig(vocab_size=len(VOCABS["en"]), n_positions=64, n_embd=16, n_layer=1, n_head=2)
    policy = WujiForCausalLM(config).eval()
    rm = WujiForSequenceClassification.from_causal_lm(policy)
    run = {
        "ppo": lambda: ppo(policy, rm, w, PPOConfig(iterations=3, batch_size=64, eval_every=3), 0, evals),
        "rloo": lambda: rloo(policy, rm, w, RLOOConfig(iterations=3, prompts=64, k=2, eval_every=3), 0.1, 0,
                             evals, (0.0, 1.0)),
        "grpo": lambda: grpo(policy, rm, w, GRPOConfig(iterations=3, prompts=64, k=2, eval_every=3), 0.1, 0,
                             evals, (0.0, 1.0)),
    }[method]()
    next(run)  # its first evaluation (PPO has drawn its reward normalisation's pool by then)
    w.drawn = []
    for _ in run:
        pass
    practised = {w.key(it) for it in w.drawn}
    assert len(w.drawn) >= 3 * 64 and {it.kind for it in w.drawn} == set(RLHF_KINDS)
    assert not practised & w.unseen(evals), sorted(practised & w.unseen(evals))[:5]
