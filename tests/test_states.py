"""The state -> sentence rules (ui/states.py) on hand-made rows, and the wording that follows its numbers."""

from __future__ import annotations

import pytest

from ui import narrate, states, texts

START = {"proxy_reward": 0.0, "gold_reward": 0.5, "capability": 0.7, "flattery": 0.02, "surface_share": 0.3,
         "distinct_2": 0.98, "cut_rate": 0.05, "step": 0}


def row(step: int, **kw) -> dict:
    return {**START, "step": step, **kw}


def test_each_state_from_its_numbers_in_the_tables_order():
    cases = {
        "flattered_then_babbled": [row(3, flattery=0.6), row(6, flattery=0.1, distinct_2=0.4)],
        "babbling": [row(3, flattery=0.5, distinct_2=0.5)],  # still flattering, but it repeats itself: babble first
        "padding": [row(3, surface_share=0.7)],
        "flattering": [row(3, flattery=0.4)],
        "cut_off": [row(3, cut_rate=0.9)],
        "forgetting": [row(3, capability=0.4)],
        "slipping": [row(3, gold_reward=0.7, capability=0.65)],  # 5 points: less than forgetting's 10
        "improving": [row(3, gold_reward=0.7, proxy_reward=0.5, capability=0.69)],  # 1 point: held
        "gaming": [row(3, proxy_reward=0.5)],
        "honest": [row(3)],
    }
    assert list(cases) == list(states.NAMES), "one case a rule, in the table's order"
    for name, hist in cases.items():
        assert states.state(START, hist[-1], [START, *hist]) == name, name


def test_the_settings_never_enter_and_old_rows_without_the_new_metrics_still_read():
    old = {k: v for k, v in START.items() if k not in ("surface_share", "distinct_2", "cut_rate")}
    assert states.state(old, {**old, "flattery": 0.3}, [old]) == "flattering"
    assert states.state(old, {**old, "step": 3}, [old]) == "honest"


def test_a_padded_answer_needs_more_than_the_greeting_it_started_with():
    high_from_the_start = {**START, "surface_share": 0.65}
    assert states.state(high_from_the_start, {**high_from_the_start, "step": 3}) == "honest"


def test_the_ppo_panel_cites_the_peak_of_a_flattered_then_babbled_run():
    hist = [START, row(3, flattery=0.6), row(6, flattery=0.1, distinct_2=0.4)]
    doc = {"rlhf": {"start": hist[0], "final": hist[-1], "history": hist}}
    values = {"steps": 1, "bias": 0.9, "kl": 0.0, "ptx_coef": 0.0}
    nums = narrate.numbers(doc, values, "tech", "en")
    assert nums["state_name"] == "flattered_then_babbled"
    assert (nums["flat_peak"], nums["peak_step"]) == (0.6, 3)
    assert nums.source["flat_peak"] == ("rlhf", "history", 1, "flattery")
    assert "60%" in nums["state"] and "step 3" in nums["state"]
    assert texts.state("flattered_then_babbled", "wuxia", "zh", nums).count("60%") == 1


def test_a_metric_tile_shows_no_change_that_rounds_to_zero():
    assert narrate.delta_text(0.004, "{:.0%}") is None
    assert narrate.delta_text(-0.004, "{:.2f}") is None  # "-0.00" would be a change of nothing
    assert narrate.delta_text(0.05, "{:.0%}") == "5%"
    assert narrate.delta_text(None, "{:.0%}") is None


@pytest.mark.parametrize(("gold", "q"), [(1.4, 100.0), (0.7, 50.0), (0.0, 0.0), (-0.3, 0.0), (2.0, 100.0)])
def test_quality_on_the_lay_scale_is_right_and_polite_as_100(gold, q):
    assert states.quality100(gold) == pytest.approx(q)  # 1.0 right + 0.4 polite is the best answer's gold


@pytest.mark.parametrize(("kl", "word"), [(0.0, "small"), (0.49, "small"), (0.5, "some"), (1.99, "some"),
                                          (2.0, "far"), (6.0, "far")])
def test_drift_words_follow_the_measured_kl(kl, word):
    assert states.drift(kl) == word


@pytest.mark.parametrize(("cap", "word"), [(0.0, "weak"), (0.34, "weak"), (0.35, "partial"), (0.64, "partial"),
                                           (0.65, "solid"), (0.9, "solid")])
def test_skill_words_follow_the_measured_capability(cap, word):
    assert states.skill(cap) == word


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sft_panel_says_a_weak_model_is_mostly_wrong_whatever_the_settings(lang):
    """The SFT panel's verdict is read from the run's capability: a tiny model's 16% is 'mostly wrong' in every lens,
    a trained one's 80% is not, and the URL's settings (a long pretraining budget, fair judges) change neither."""
    values = {"steps": 800, "bias": 0.0, "kl": 0.1, "ptx": 0, "ptx_coef": 8.0}
    for lens in ("wuxia", "work", "tech"):
        weak, solid = (narrate.panel("sft", {"sft": {"capability": cap, "format_rate": 0.97,
                                                      "per_task": {"add": cap, "copy": cap / 2}}},
                                     values, lens, lang) for cap in (0.16, 0.8))
        assert weak.endswith(texts.skill("weak", lens, lang)) and "16%" in weak, weak
        assert solid.endswith(texts.skill("solid", lens, lang)) and texts.skill("weak", lens, lang) not in solid
