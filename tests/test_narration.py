"""Every sentence true to its numbers, over a grid of REAL fast-preset runs (issue 12).

For each run of the grid (both languages; bias {0, 0.9} x leash {0, 0.1, 1} on seed 0, and a few
settings on seeds 1 and 2), every analogy panel that narrates a run is rendered in every lens, and:

* each number it cites is re-read from the document at the place ui/narrate says it came from
  (``Cited.source``), by this file's own reader, and shows in the sentence with one of its catalogue formats;
* no number in a sentence is anything but a cited value or a figure of the writer's fixed text (a year in
  a citation);
* the state the rules of ui/states.py pick agrees with an independent reading of the answers' texts.

The grid (tests/runs.py) trains in the background from the session's first test on, each stage once, in the slow
tests' cache (tests/conftest.py ``slow_cache``).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
import runs

from sim.cache import Cache
from sim.pipeline import run
from ui import narrate, state, texts

GRID = runs.NARRATION_GRID
RUN_PANELS = ("pretrain", "budget", "sft", "sft_compare", "reward", "annotators", "ppo", "kl", "bias", "green_grey",
              "ptx")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:e[+-]\d+)?%?")


@pytest.fixture(scope="module")
def docs(slow_cache) -> dict:
    cache = Cache(slow_cache)  # trained in the background since the session began (tests/runs.py)
    return {g: run(cfg, cache) for g, cfg in runs.narration().items()}


def read(doc: dict, source: tuple):
    """This test's own reader of a source: a path of keys, "*field" over a list, or (op, path, ...)."""
    ops = {"one_minus": lambda x: 1 - x, "product": lambda *xs: math.prod(xs),
           "quality100": lambda g: 100 * min(1.4, max(0.0, g)) / 1.4,  # right + polite = 1.4: the best answer
           "mean": lambda *xs: sum(xs) / len(xs), "count_true": lambda xs: len([x for x in xs if x]),
           "count": lambda xs: len(xs), "sum": lambda *xs: sum(xs)}
    if source[0] in ops:
        return ops[source[0]](*(read(doc, p) for p in source[1:]))
    x = doc
    for k in source:
        x = [r[k[1:]] for r in x] if isinstance(k, str) and k.startswith("*") else x[k]
    return x


def formats(name: str) -> set[str]:
    """Every format spec the catalogues give placeholder ``name`` (``{flat:.0%}`` -> ".0%")."""
    specs = set()
    for e in texts.catalogue().entries.values():
        for text in e.every_text():
            pattern = r"\{" + re.escape(name) + r"(?::([^}]*))?\}"
            specs |= {m.group(1) or "" for m in re.finditer(pattern, text)}
    return specs


def shown(value, specs) -> set[str]:
    return {format(value, s) for s in specs} if isinstance(value, int | float) else set()


def fixed_numbers(key: str) -> set[str]:
    """The figures a writer put in a key's text itself (outside placeholders), in any language and lens."""
    out = set()
    for text in texts.catalogue().entry(key).every_text():
        out |= set(NUMBER.findall(re.sub(r"\{[^}]*\}", " ", text)))
    return out


def narrations(doc: dict):
    values = {**state.defaults(), "lang": doc["config"]["lang"]}
    for lens in texts.LENSES:
        for name in RUN_PANELS:
            nums = narrate.panel_numbers(name, doc, values, lens, values["lang"])
            text = narrate.panel(name, doc, values, lens, values["lang"])
            if text is not None:
                yield name, lens, text, nums


@pytest.mark.parametrize("g", GRID, ids=lambda g: f"{g[0]}-bias{g[1]}-kl{g[2]}-seed{g[3]}")
def test_every_cited_number_is_the_documents_and_no_other_number_appears(docs, g):
    doc = docs[g]
    for name, lens, text, nums in narrations(doc):
        used = set(texts.panel_placeholders(name))
        if name == "ppo":  # the state's sentence is part of the PPO panel, with numbers of its own
            used |= texts.catalogue().entry(f"state.{nums['state_name']}").placeholders
        allowed = fixed_numbers(f"panel.{name}") | fixed_numbers(f"state.{nums.get('state_name', 'honest')}")
        allowed |= fixed_numbers("leash.some") | fixed_numbers("leash.none")
        for p in used:
            if p in nums.source:
                assert nums[p] == pytest.approx(read(doc, nums.source[p])), (name, p)
            allowed |= shown(nums.get(p), formats(p))
        allowed |= {x.lstrip("+-") for x in allowed}  # the pattern below reads a number without its sign
        for found in NUMBER.findall(text):
            assert found in allowed, f"{g} {name}/{lens}: {found!r} is no cited number in {text!r}"


def babbles(answer: str) -> bool:
    """An answer that says one short piece (2 characters) three times or more."""
    pieces = Counter(answer[i : i + 2] for i in range(len(answer) - 1))
    return bool(pieces) and pieces.most_common(1)[0][1] >= 3


@pytest.mark.parametrize("g", GRID, ids=lambda g: f"{g[0]}-bias{g[1]}-kl{g[2]}-seed{g[3]}")
def test_the_state_agrees_with_a_reading_of_the_answers(docs, g):
    doc = docs[g]
    nums = narrate.numbers(doc, {**state.defaults(), "lang": doc["config"]["lang"]}, "tech", doc["config"]["lang"])
    h = doc["rlhf"]["history"]
    answers = h[-1]["timeline"]
    babbling = sum(babbles(a) for a in answers) / len(answers)
    if nums["state_name"] in ("babbling", "flattered_then_babbled"):
        assert babbling >= 0.5, (nums["state_name"], answers)
    if babbling >= 0.75:
        assert nums["state_name"] in ("babbling", "flattered_then_babbled", "padding"), (nums["state_name"], answers)
    if nums["state_name"] == "flattered_then_babbled":  # the flattery really rose to a peak, then fell
        flat = [r["flattery"] for r in h]
        top = flat.index(max(flat))
        assert 0 < top < len(flat) - 1 and flat[-1] < flat[top], flat
    if nums["state_name"] in ("slipping", "improving", "honest", "gaming"):
        assert babbling < 0.5, (nums["state_name"], answers)


def test_the_zh_climax_is_told_as_it_happened(docs):
    """zh, bias 0.9, no leash (the tour's climax): read by eye on the fast preset, the answers end as
    pleasing words repeated and recombined ("您好，英明佩服佩服！您好，…") to the budget; the panel must call it
    babbling or padding, never honest or improving."""
    doc = docs[("zh", 0.9, 0.0, 0)]
    nums = narrate.numbers(doc, {**state.defaults(), "lang": "zh"}, "wuxia", "zh")
    answers = doc["rlhf"]["history"][-1]["timeline"]
    assert sum(babbles(a) for a in answers) >= len(answers) / 2, answers
    assert nums["state_name"] in ("babbling", "flattered_then_babbled", "padding"), nums["state_name"]
