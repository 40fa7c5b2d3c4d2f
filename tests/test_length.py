"""Length hacking on the RLHF page's technical lens (issue 14; Singhal et al. 2024): the judges' score against answer
length before and after PPO, and the sentence that says how much of the gain length alone explains."""

from __future__ import annotations

import pytest

from sim.cache import Cache, cached_result
from sim.config import preset
from ui import charts, narrate

BEFORE = [[2, 0.0], [4, 1.0], [4, 1.0]]  # the judges pay 0.5 a token; mean length 3.33, score 0.67
AFTER = [[10, 4.0], [12, 5.0]]  # 11 tokens, score 4.5


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_caption_cites_the_price_the_lengths_and_the_share(lang):
    text = narrate.length_caption({"sft": BEFORE, "ppo": AFTER}, lang)
    for number in ("+0.50", "3.3", "11.0", "+0.67", "+4.50", "+3.83", "100%"):  # 0.5 x 7.67 = 3.83 of 3.83
        assert number in text, (number, text)
    flat = narrate.length_caption({"sft": BEFORE, "ppo": [[10, 0.0], [12, 0.5]]}, lang)
    assert "+0.50" in flat and "%" not in flat.replace("%}", ""), flat  # no share of a gain that did not happen


def test_the_chart_draws_the_mean_score_of_each_length_before_and_after():
    fig = charts.length_score({"sft": BEFORE, "ppo": AFTER}, "en")
    before, after = fig.data
    assert list(before.x) == [2, 4] and list(before.y) == [0.0, 1.0] and list(before.customdata) == [1, 2]
    assert list(after.x) == [10, 12] and before.marker.size[1] > before.marker.size[0]


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_biased_judges_pay_for_length_and_ppo_collects(lang, wuji_cache):
    """From a real run (fast preset, bias 0.9, no leash): PPO's answers grow towards the budget and the judges paid
    for every token before PPO, so length accounts for a real part of the score PPO gained."""
    doc = cached_result(preset("fast", kl_coef=0.0, reward_bias=0.9, lang=lang), Cache(wuji_cache))
    ls = doc["rlhf"]["length_score"]
    assert len(ls["sft"]) == len(ls["ppo"]) == 128
    s = narrate.length_share(ls["sft"], ls["ppo"])
    assert s["price"] > 0 and s["len1"] > s["len0"] + 3 and s["share"] > 0.2, s
