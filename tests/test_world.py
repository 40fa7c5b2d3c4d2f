"""The simulated world: determinism, answer parsing, the gold preference and the annotators."""

import random

import pytest

from sim.world import (
    KINDS,
    LANGS,
    RLHF_HELD_OUT,
    RLHF_KINDS,
    STOI,
    World,
    annotate,
    annotator_panel,
    decode,
    encode,
)


@pytest.mark.parametrize("lang", LANGS)
def test_world_is_deterministic_and_writable(lang):
    a, b = World(lang, 7), World(lang, 7)
    assert a.corpus(50, random.Random(1)) == b.corpus(50, random.Random(1))
    assert a.master_of == b.master_of
    text = "".join(a.corpus(300, random.Random(2)))
    assert all(c in STOI for c in text)  # every character the world writes is in the vocabulary
    assert decode(encode(text)) == text


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
    held_people = {dict(it.fields)["p"] for it in items if it.kind in ("sect", "master")}
    train = w.train_items(500, random.Random(0))
    train_people = {dict(it.fields)["p"] for it in train if it.kind in ("sect", "master")}
    assert not held_people & train_people  # knowledge questions ask about people SFT never asked about
