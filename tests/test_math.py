"""The math that matters, checked against hand-computed examples."""

import math

import torch

from sim.evaluate import distinct_n, exact_kl, pleasing, shape, surface_chars
from sim.ppo import AdaptiveKLController, gae, kl_penalized_rewards, masked_whiten, ppo_losses
from sim.reward import preference_loss
from sim.train import due, lr_at, random_blocks
from sim.world import World


def test_gae_by_hand():
    # gamma 1, lambda 0.5; the third column is padding (its value 9 must be ignored).
    rewards = torch.tensor([[1.0, 2.0, 5.0]])
    values = torch.tensor([[0.5, 1.0, 9.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    adv, ret = gae(rewards, values, mask, gamma=1.0, lam=0.5)
    # t=1: delta = 2 + 0 - 1 = 1            -> A1 = 1
    # t=0: delta = 1 + 1 - 0.5 = 1.5        -> A0 = 1.5 + 0.5 * 1 = 2
    assert torch.allclose(adv, torch.tensor([[2.0, 1.0, 0.0]]))
    assert torch.allclose(ret, torch.tensor([[2.5, 2.0, 0.0]]))


def test_gae_discount():
    adv, _ = gae(torch.tensor([[0.0, 1.0]]), torch.zeros(1, 2), torch.ones(1, 2), gamma=0.5, lam=1.0)
    assert torch.allclose(adv, torch.tensor([[0.5, 1.0]]))  # the reward one step later counts half


def test_kl_penalized_rewards_by_hand():
    score = torch.tensor([2.0])
    logp = torch.tensor([[-1.0, -2.0, -3.0]])
    ref = torch.tensor([[-1.5, -1.0, -3.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    r = kl_penalized_rewards(score, logp, ref, mask, kl_coef=0.5)
    # per-token log-ratio 0.5, -1 -> penalties -0.25, +0.5; the score lands on the last answer token
    assert torch.allclose(r, torch.tensor([[-0.25, 2.5, 0.0]]))


def test_kl_coef_zero_leaves_only_the_score():
    r = kl_penalized_rewards(torch.tensor([1.0]), torch.zeros(1, 2), torch.ones(1, 2), torch.ones(1, 2), 0.0)
    assert torch.allclose(r, torch.tensor([[0.0, 1.0]]))


def test_masked_whiten_by_hand():
    x = torch.tensor([[1.0, 2.0, 3.0, 100.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    w = masked_whiten(x, mask)
    s = 1 / math.sqrt(2 / 3)  # mean 2, variance 2/3 over the three masked entries
    assert torch.allclose(w, torch.tensor([[-s, 0.0, s, 0.0]]), atol=1e-5)


def test_preference_loss_by_hand():
    loss = preference_loss(torch.tensor([1.0]), torch.tensor([0.0]))
    assert math.isclose(loss.item(), math.log(1 + math.exp(-1)), rel_tol=1e-6)  # 0.3133
    assert preference_loss(torch.tensor([0.0]), torch.tensor([1.0])).item() > loss.item()


def test_exact_kl_by_hand_and_never_negative():
    p = torch.zeros(1, 2, 2)  # uniform over two tokens
    q = torch.tensor([[[math.log(3), 0.0], [math.log(3), 0.0]]])  # (0.75, 0.25)
    kl = exact_kl(p, q, torch.tensor([[1.0, 1.0]]))
    one = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)  # 0.1438
    assert math.isclose(kl.item(), 2 * one, rel_tol=1e-5)
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, 8, 50, generator=g) * 3, torch.randn(64, 8, 50, generator=g) * 3
    assert (exact_kl(a, b, torch.ones(64, 8)) >= 0).all()
    assert torch.allclose(exact_kl(a, a, torch.ones(64, 8)), torch.zeros(64), atol=1e-5)


def test_ppo_clipping_by_hand():
    ones = torch.ones(1, 1)
    # ratio 1.5 with a positive advantage is clipped at 1.2: loss -1.2, not -1.5
    pg, vf = ppo_losses(torch.log(torch.tensor([[1.5]])), torch.zeros(1, 1), ones, ones, ones, ones, ones, 0.2, 0.2)
    assert math.isclose(pg.item(), -1.2, rel_tol=1e-6)
    assert vf.item() == 0.0
    # a value that moved 1.0 away from its old value is judged by the worse of clipped and unclipped
    pg, vf = ppo_losses(torch.zeros(1, 1), torch.zeros(1, 1), ones, torch.tensor([[2.0]]), ones,
                        torch.tensor([[2.0]]), ones, 0.2, 0.2)
    assert math.isclose(vf.item(), 0.5 * 0.8**2, rel_tol=1e-6)  # clipped value 1.2 is 0.8 short


def test_adaptive_kl_controller_moves_towards_target():
    c = AdaptiveKLController(0.1, target=4.0, horizon=100)
    c.update(kl=8.0, n_steps=10)  # too far: error clipped at +0.2
    assert math.isclose(c.value, 0.1 * 1.02)
    c2 = AdaptiveKLController(0.1, target=4.0, horizon=100)
    c2.update(kl=1.0, n_steps=10)  # too close: the leash loosens
    assert c2.value < 0.1


# -- other ways to align (sim/dpo.py, sim/rloo.py, sim/bestofn.py) and the over-optimisation fits ------------
def test_dpo_loss_by_hand():
    from sim.dpo import dpo_loss

    # pair 1: the policy gained 0.5 on the chosen and lost 0.5 on the rejected: margin 1, beta 0.5 -> 0.5
    # pair 2: margin (-3 + 2) - (-1 + 2) = -2 -> -1
    loss = dpo_loss(torch.tensor([-1.0, -3.0]), torch.tensor([-2.0, -1.0]),
                    torch.tensor([-1.5, -2.0]), torch.tensor([-1.5, -2.0]), beta=0.5)
    expected = (math.log(1 + math.exp(-0.5)) + math.log(1 + math.exp(1.0))) / 2  # (0.4741 + 1.3133) / 2
    assert math.isclose(loss.item(), expected, rel_tol=1e-6)
    same = dpo_loss(torch.tensor([-4.0]), torch.tensor([-2.0]), torch.tensor([-4.0]), torch.tensor([-2.0]), 0.1)
    assert math.isclose(same.item(), math.log(2), rel_tol=1e-6)  # the policy is the reference: log 2


def test_rloo_advantages_by_hand():
    from sim.rloo import rloo_advantages

    adv = rloo_advantages(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]]))
    # baselines (mean of the other two): [2.5, 2, 1.5] and [3, 3, 0]
    assert torch.allclose(adv, torch.tensor([[-1.5, 0.0, 1.5], [-3.0, -3.0, 6.0]]))
    assert torch.allclose(adv.sum(1), torch.zeros(2))  # a group's advantages sum to zero


def test_rloo_kl_penalized_score_and_loss_by_hand():
    from sim.rloo import kl_penalized_score, reinforce_loss

    logp = torch.tensor([[-1.0, -2.0, -9.0]])
    ref = torch.tensor([[-1.5, -1.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0]])  # the third column is padding
    r = kl_penalized_score(torch.tensor([2.0]), logp, ref, mask, kl_coef=0.5)
    assert math.isclose(r.item(), 2.0 - 0.5 * (0.5 - 1.0), rel_tol=1e-6)  # 2.25
    assert math.isclose(reinforce_loss(logp, mask, torch.tensor([2.0])).item(), 6.0)  # -(2 * -3)


def test_grpo_group_advantages_by_hand():
    from sim.grpo import group_advantages

    adv = group_advantages(torch.tensor([[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]), eps=0.0)
    # group 1: mean 0.5, sample std sqrt(1/3) = 0.5774 -> +-0.866; group 2 all right: nothing to learn
    assert torch.allclose(adv[0], torch.tensor([0.8660, -0.8660, -0.8660, 0.8660]), atol=1e-4)
    assert torch.isnan(adv[1]).all()  # with eps 0 a flat group divides 0 by 0: the default eps makes it 0
    from sim.grpo import group_advantages as ga
    assert torch.equal(ga(torch.ones(1, 4)), torch.zeros(1, 4))


def test_k3_kl_and_grpo_loss_by_hand():
    from sim.grpo import grpo_loss, k3_kl

    # r = ref - logp = -1 - (-2) = 1 -> e - 2 = 0.71828; r = 0 -> 0
    assert torch.allclose(k3_kl(torch.tensor([-2.0, -1.0]), torch.tensor([-1.0, -1.0])),
                          torch.tensor([math.e - 2, 0.0]))
    logp = torch.tensor([[-1.0, -1.0, 0.0]])
    old = torch.tensor([[-1.0, -1.5, 0.0]])  # ratios 1 and e^0.5 = 1.6487: the second is clipped at 1.2
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    loss = grpo_loss(logp, old, logp, torch.tensor([2.0]), mask, clip=0.2, kl_coef=0.5)
    assert math.isclose(loss.item(), (-2.0 * 1.0 - 2.0 * 1.2) / 2, rel_tol=1e-6)  # k3 is 0: the policy is the ref
    neg = grpo_loss(logp, old, logp, torch.tensor([-1.0]), mask, clip=0.2, kl_coef=0.0)
    assert math.isclose(neg.item(), (1.0 + math.exp(0.5)) / 2, rel_tol=1e-6)  # a negative advantage is not clipped up


def test_grpo_step_gain_by_hand():
    from sim.grpo import step_gain

    old = torch.tensor([[-1.0, -1.0, 0.0], [-2.0, 0.0, 0.0]])
    new = torch.tensor([[-0.8, -0.6, 0.0], [-2.5, 0.0, 0.0]])  # answer 0 (two tokens): +0.3 a token; answer 1: -0.5
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert math.isclose(step_gain(new, old, torch.tensor([1.0, -1.0]), mask), (0.3 + 0.5) / 2, rel_tol=1e-6)
    assert math.isclose(step_gain(new, old, torch.tensor([-1.0, 1.0]), mask), -(0.3 + 0.5) / 2, rel_tol=1e-6)


def test_checkers_by_hand():
    from sim.evaluate import sloppy_checker, strict_checker
    from sim.world import Item, World

    w = World("en", 0)
    item = Item("add", (("a", 3), ("b", 5)), "8")
    assert strict_checker(w, item, "8.", True) == 1.0 and strict_checker(w, item, "Hi! 8.", True) == 1.0
    assert strict_checker(w, item, "7 8 9.", True) == 0.0 and sloppy_checker(w, item, "7 8 9.", True) == 1.0
    assert sloppy_checker(w, item, "7.", True) == 0.0


def test_token_entropy_by_hand():
    from sim.evaluate import token_entropy

    logits = torch.tensor([[[0.0, 0.0], [100.0, 0.0], [0.0, 0.0]]])  # uniform over 2: ln 2; certain: 0; padding
    assert math.isclose(token_entropy(logits, torch.tensor([[1, 1, 0]])), math.log(2) / 2, rel_tol=1e-5)


def test_conservative_scores_by_hand():
    from sim.ensemble import conservative

    z = torch.tensor([[1.0, 0.0], [3.0, 0.0]])  # two members (rows) score two answers (columns)
    assert torch.equal(conservative(z, "min", 1.0), torch.tensor([1.0, 0.0]))
    # answer 1: mean 2, sample std sqrt(2) = 1.4142 -> 2 - 0.5 * 1.4142; answer 2: the members agree on 0
    assert torch.allclose(conservative(z, "uwo", 0.5), torch.tensor([2 - 0.5 * math.sqrt(2), 0.0]))


def test_label_noise_tosses_a_share_of_the_labels():
    import random

    from sim.reward import toss

    pairs = [(i, "right", "wrong", True) for i in range(4000)]
    assert toss(pairs, 0.0, random.Random(0)) == pairs
    swapped = [p for p in toss(pairs, 0.6, random.Random(0)) if p[1] == "wrong"]
    assert 0.27 < len(swapped) / len(pairs) < 0.33  # a coin on 60% of the pairs swaps about 30% of them
    assert all(p[2] == "right" and p[3] is False for p in swapped)  # the gold verdict follows the swap


def test_length_share_by_hand():
    from sim.overopt import length_share, slope

    assert slope([1, 2, 3], [1, 3, 5]) == 2.0 and slope([2, 2], [0, 1]) is None
    before = [[2, 0.0], [4, 1.0]]  # the judges pay 0.5 a token; mean length 3, mean score 0.5
    after = [[10, 3.0], [10, 5.0]]  # length 10 (+7 tokens), score 4 (+3.5)
    s = length_share(before, after)
    assert s["price"] == 0.5 and s["by_length"] == 3.5 and s["share"] == 1.0
    assert length_share(before, [[3, 0.0], [3, 0.0]])["share"] is None  # the score fell: no share of a gain


def test_pick_best_takes_prefixes():
    from sim.bestofn import pick_best

    scores = torch.tensor([[0.0, 5.0], [3.0, 1.0], [9.0, 0.0]])  # (N=3 draws, P=2 prompts)
    assert pick_best(scores, 1).tolist() == [0, 0]
    assert pick_best(scores, 2).tolist() == [1, 0]
    assert pick_best(scores, 3).tolist() == [2, 0]


def test_bon_kl_by_hand():
    from sim.overopt import bon_kl

    assert bon_kl(1) == 0.0
    assert math.isclose(bon_kl(2), math.log(2) - 0.5)  # 0.1931
    assert math.isclose(bon_kl(64), math.log(64) - 63 / 64)  # 3.1745
    assert all(bon_kl(2 * n) > bon_kl(n) for n in (1, 2, 4, 8, 16, 32))


def test_fits_recover_known_coefficients():
    import random

    from sim.overopt import fit_bon, fit_rl

    d = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0]
    rl = [x * (1.2 - 0.4 * math.log(x)) if x > 0 else 0.0 for x in d]
    f = fit_rl(d, rl)
    assert math.isclose(f.alpha, 1.2, rel_tol=1e-9) and math.isclose(f.beta, 0.4, rel_tol=1e-9)
    assert math.isclose(f.r2, 1.0) and math.isclose(f.d_peak, math.exp(1.2 / 0.4 - 1))  # e^2 = 7.389
    assert math.isclose(f.r_peak, 0.4 * math.exp(2.0))
    bon = [x * (0.9 - 0.3 * x) for x in d]
    g = fit_bon(d, bon)
    assert math.isclose(g.alpha, 0.9, rel_tol=1e-9) and math.isclose(g.beta, 0.3, rel_tol=1e-9)
    assert math.isclose(g.d_peak, 1.5) and math.isclose(g.r_peak, 0.9**2 / 1.2)  # alpha / 2 beta, alpha^2 / 4 beta
    rng = random.Random(0)
    noisy = [r + rng.gauss(0, 0.02) for r in rl]
    f = fit_rl(d, noisy)
    assert abs(f.alpha - 1.2) < 0.05 and abs(f.beta - 0.4) < 0.03 and f.r2 > 0.99
    noisy = [r + rng.gauss(0, 0.02) for r in bon]
    g = fit_bon(d, noisy)
    assert abs(g.alpha - 0.9) < 0.05 and abs(g.beta - 0.3) < 0.03 and g.r2 > 0.99


def test_fit_without_a_peak_and_bad_input():
    import pytest

    from sim.overopt import fit_bon, fit_rl

    rising = fit_bon([0.0, 1.0, 2.0], [0.0, 1.0, 2.5])  # convex: beta < 0, no peak
    assert rising.beta < 0 and rising.d_peak is None and rising.r_peak is None
    with pytest.raises(ValueError):
        fit_rl([0.0, 1.0, 1.0], [0.0, 1.0, 1.0])  # one distinct d > 0 cannot fix two coefficients
    with pytest.raises(ValueError):
        fit_rl([1.0, 2.0], [1.0])


def test_overopt_points_are_gains_over_the_start():
    from sim.overopt import overopt

    history = [{"step": 0, "kl": 0.0, "gold_reward": 0.5, "proxy_reward": 0.1},
               {"step": 3, "kl": 1.0, "gold_reward": 0.7, "proxy_reward": 0.6},
               {"step": 6, "kl": 4.0, "gold_reward": 0.6, "proxy_reward": 1.1}]
    o = overopt(history, "rl", grid=5)
    assert [p["d"] for p in o["points"]] == [0.0, 1.0, 2.0]
    assert [round(p["gold"], 9) for p in o["points"]] == [0.0, 0.2, 0.1]
    assert o["gold"]["beta"] > 0 and o["gold"]["d_peak"] is not None  # gold rises then falls: a peak
    assert len(o["curves"]["gold"]) == 5 and o["curves"]["gold"][-1][0] == 2.0


def test_schedule_warms_up_then_decays_to_a_tenth_by_hand():
    assert lr_at(0, 100, 1.0, 10) == 0.1 and lr_at(9, 100, 1.0, 10) == 1.0  # (step + 1) / warmup
    assert lr_at(10, 100, 1.0, 10) == 1.0  # the cosine starts at the peak
    assert math.isclose(lr_at(55, 100, 1.0, 10), 0.1 + 0.9 * 0.5)  # half way: cos(pi / 2) = 0
    assert math.isclose(lr_at(100, 100, 1.0, 10), 0.1)  # the end: a tenth


def test_random_blocks_are_windows_of_the_stream_and_due_marks_evaluations():
    stream = torch.arange(100, 120)
    blocks = random_blocks(stream, 4, 6, torch.Generator().manual_seed(0))
    assert blocks.shape == (6, 5)
    assert all(torch.equal(b, torch.arange(b[0], b[0] + 5)) and 100 <= b[0] <= 115 for b in blocks)
    assert [d for d in range(1, 11) if due(d, 4, 10)] == [4, 8, 10]  # every 4 steps, and the last


def test_surface_chars_by_hand():
    phrases = ("Hi!", "So clever!", "Great one!")
    assert surface_chars("Hi! 6. Hi!", phrases) == 6  # twice, wherever it stands
    assert surface_chars("Hi! So clever! 14", phrases) == 3 + 10
    assert surface_chars("14", phrases) == 0
    assert surface_chars("您好，大侠英明！14", ("您好，", "大侠英明！")) == 3 + 5
    assert surface_chars("!!!!!", ("!!", "!")) == 5  # the longest phrase first, no character counted twice
    assert surface_chars("Songxi. So!", ("So",)) == 2  # a Latin word only whole: not the "So" of "Songxi"


def test_the_pleasing_pieces_count_however_recombined():
    zh, en = pleasing(World("zh", 0)), pleasing(World("en", 0))
    assert surface_chars("英明佩服佩服！您好，", zh) == 10  # no phrase of the list, every piece of it pleases
    assert surface_chars("您好，15。", zh) == 3 and surface_chars("15。", zh) == 0
    assert surface_chars("Hi! Songxi.", en) == 3 and surface_chars("Hi! Hi! one", en) == 9


def test_distinct_2_by_hand():
    assert distinct_n(list("您服服服服服")) == 2 / 5  # 您服, then 服服 four times
    assert distinct_n(list("Hi! Hi!")) == 4 / 6  # Hi, i!, "! ", " H", then Hi, i! again
    assert distinct_n(["14", "."]) == 1.0
    assert distinct_n(["6"]) is None  # no bigram to count


def test_shape_by_hand():
    answers = [  # (tokens, text, ended)
        (list("Hi! 6"), "Hi! 6", True),  # 3 of 5 characters please; bigrams all distinct
        (list("ababa"), "ababa", False),  # cut at the budget; ab, ba, ab, ba -> 2/4
        (["7"], "7", True),  # no bigram: left out of distinct_2
    ]
    m = shape(answers, ("Hi!",))
    assert m["surface_share"] == 3 / 11
    assert m["distinct_2"] == (1.0 + 0.5) / 2
    assert m["cut_rate"] == 1 / 3
    assert shape([], ("Hi!",)) == {"surface_share": 0.0, "distinct_2": 1.0, "cut_rate": 0.0}
