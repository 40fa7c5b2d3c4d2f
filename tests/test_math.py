"""The math that matters, checked against hand-computed examples."""

import math

import torch

from sim.evaluate import exact_kl
from sim.ppo import AdaptiveKLController, gae, kl_penalized_rewards, masked_whiten, ppo_losses
from sim.reward import preference_loss


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
