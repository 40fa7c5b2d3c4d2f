"""Issue 8, hands on the training: PPO-ptx, the exact KL the charts show, the sample timeline, the steppable
run (play / pause / step / rewind, one part alone) and the room as annotators (pooled rankings).

The sim tests run tiny configs (plumbing, not physics; PPO-ptx's physics is in test_physics.py). The AppTests
read the session's prepared cache (conftest.wuji_cache) and train only the small parts they click: on the tiny
preset's prepared run (conftest.HANDS_RUN) where they check the buttons, the timeline and the rankings, on the fast
preset's where they compare PPO-ptx with plain PPO.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from conftest import HANDS_RUN
from streamlit.testing.v1 import AppTest
from test_jobs import until

from sim import room, timeline
from sim.cache import Cache, cached_result, default_cache_dir, stage_keys
from sim.config import Config, ModelConfig, PPOConfig, PretrainConfig, RewardConfig, SFTConfig, key_fields, preset
from sim.evaluate import exact_kl, response_logits, rlhf_metrics
from sim.events import derive_seed
from sim.jobs import Board, stepping
from sim.model import WujiConfig, WujiForCausalLM, WujiForSequenceClassification, sample
from sim.pipeline import run
from sim.ppo import ptx_corpus, ptx_loss
from sim.server import forget
from sim.stepper import Stepper
from sim.train import answer_logp_values, token_stream
from sim.world import EOS_ID, PAD_ID, RLHF_KINDS, VOCABS, World
from ui import narrate, session, texts

ROOT = Path(__file__).resolve().parent.parent
TINY = Config(  # small enough to run every stage in a few seconds
    model=ModelConfig(n_embd=32, n_layer=1, n_head=2),
    eval_per_kind=2,
    pretrain=PretrainConfig(steps=10, n_sentences=500, eval_every=5),
    sft=SFTConfig(steps=20, n_demos=100, eval_every=10),
    reward=RewardConfig(n_pairs=64, steps=6, eval_pairs=32, eval_every=3),
    ppo=PPOConfig(iterations=4, batch_size=8, eval_every=2),
)


def tiny_lm(seed: int, lang: str = "en") -> WujiForCausalLM:
    torch.manual_seed(seed)
    cfg = WujiConfig(vocab_size=len(VOCABS[lang]), n_positions=64, n_embd=16, n_layer=1, n_head=2)
    return WujiForCausalLM(cfg).eval()


# -- exact KL ------------------------------------------------------------------------------------------
def test_exact_kl_is_never_negative_on_random_logits_and_zero_on_identical_ones():
    g = torch.Generator().manual_seed(0)
    for scale in (0.1, 1.0, 10.0):
        p, q = (torch.randn(32, 6, 11, generator=g) * scale for _ in range(2))
        mask = torch.rand(32, 6, generator=g) > 0.3
        kl = exact_kl(p, q, mask)
        assert kl.shape == (32,) and (kl >= 0).all()
        assert torch.allclose(exact_kl(p, p, mask), torch.zeros(32), atol=1e-6)
        assert torch.allclose(exact_kl(p, q, torch.zeros_like(mask)), torch.zeros(32))


def test_the_charts_kl_is_the_exact_one_while_the_sampled_estimate_can_go_negative():
    """rlhf_metrics' ``kl`` is the full-vocabulary KL summed over each answer (mean over answers); the
    sampled estimator PPO's penalty uses (sum of log pi - log pi_sft over the drawn tokens) is another number,
    negative on some answers."""
    world = World("en", 0)
    policy, ref = tiny_lm(1), tiny_lm(2)
    rm = WujiForSequenceClassification.from_causal_lm(ref).eval()
    items = world.eval_items(4)
    m = rlhf_metrics(policy, ref, rm, world, items, (0.0, 1.0), torch.Generator().manual_seed(5))
    s = sample(policy, [world.encode(world.prompt(it)) for it in items], world.budget, PAD_ID, EOS_ID, temperature=1.0,
               generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        exact = exact_kl(response_logits(policy, s), response_logits(ref, s), s.resp_mask)
        sampled = ((answer_logp_values(policy, None, s)[0] - answer_logp_values(ref, None, s)[0])
                   * s.resp_mask).sum(-1)
    assert m["kl"] == pytest.approx(exact.mean().item(), rel=1e-5) and m["kl"] > 0
    assert (exact >= 0).all() and (sampled < 0).any(), "the sampled estimate goes negative on some answer"


# -- PPO-ptx -------------------------------------------------------------------------------------------
def test_ptx_fields_leave_every_existing_cache_key_alone():
    assert not {"ptx_coef", "ptx_batch", "ptx_sentences"} & key_fields(PPOConfig()).keys()
    base, ptx = stage_keys(preset("fast")), stage_keys(preset("fast", ptx_coef=8))
    assert {s: base[s] == ptx[s] for s in base} == {"pretrain": True, "sft": True, "reward": True, "rlhf": False}
    with pytest.raises(ValueError, match="PPO-ptx coefficient must be between 0 and 100"):
        preset("fast", ptx_coef=-1)


def test_ptx_rereads_the_pretraining_corpus_and_its_loss_is_the_next_character_loss_by_hand():
    world = World("zh", 3)
    stream, gen = ptx_corpus(world, PPOConfig(ptx_sentences=40), 3)
    full = token_stream(world, 60, random.Random(derive_seed("pretrain", "zh", 3)))
    assert torch.equal(stream, full[: len(stream)]), "the same sentences sim.pretrain trains on, in order"
    lm, again = tiny_lm(0, "zh"), torch.Generator()
    again.set_state(gen.get_state())
    loss = ptx_loss(lm, stream, 3, gen)
    starts = torch.randint(0, len(stream) - 65, (3,), generator=again)
    chunk = torch.stack([stream[a : a + 65] for a in starts.tolist()])
    logits = lm.logits(chunk[:, :-1])
    assert loss.item() == pytest.approx(F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                        chunk[:, 1:].reshape(-1)).item(), rel=1e-6)


def test_ppo_ptx_runs_and_logs_its_loss_only_when_on():
    on = run(dataclasses.replace(TINY, ppo=dataclasses.replace(TINY.ppo, ptx_coef=4.0)), None)
    off = run(TINY, None)
    assert all("ptx_loss" in r for r in on["rlhf"]["history"][1:])
    assert not any("ptx_loss" in r for r in off["rlhf"]["history"])
    assert on["rlhf"]["start"] == off["rlhf"]["start"], "the same SFT model and the same first evaluation"


# -- the sample timeline -------------------------------------------------------------------------------
@pytest.mark.parametrize("cap, off, name", [(0.40, 0.02, "helped"), (0.83, 0.82, "same"), (0.50, 0.60, "hurt")])
def test_the_ptx_panel_says_what_the_practice_did_against_plain_ppo_at_the_same_settings(cap, off, name):
    def doc(c):
        return {"rlhf": {"start": {"capability": 0.85}, "final": {"capability": c}}}

    for lang in texts.LANGS:
        for lens in texts.LENSES:
            said = narrate.ptx_kept(doc(cap), doc(off), lens, lang)
            assert said == texts.ptx_kept(name, lens, lang, {"off": off}) and f"{off:.0%}" in said


def test_the_timeline_is_kept_at_every_evaluation_and_an_old_run_says_not_recorded():
    doc = run(TINY, None)
    frames = timeline.doc_frames(doc)
    evals = {s: len(doc[s]["history"]) for s in timeline.WRITING}
    assert [f["stage"] for f in frames] == [s for s in timeline.WRITING for _ in range(evals[s])]
    assert all(len(f["answers"]) == len(timeline.KINDS) for f in frames) and timeline.recorded(frames)
    assert frames[0]["answers"] != frames[-1]["answers"], "the model changed along the way"
    world = World(TINY.lang, TINY.seed)  # every recorded frame carries the judgement of its own answers
    assert all(f["correct"] == timeline.judged(world, f["answers"]) for f in frames)
    old = {s: {"history": [{k: v for k, v in r.items() if k != timeline.KEY} for r in doc[s]["history"]]}
           for s in timeline.WRITING}
    assert [f["answers"] for f in timeline.doc_frames(old)] == [None] * len(frames)
    assert [f["correct"] for f in timeline.doc_frames(old)] == [f["correct"] for f in frames]
    assert not timeline.recorded(timeline.doc_frames(old)) and timeline.doc_frames(None) == []


def test_timeline_answers_are_judged_against_the_true_answer():
    world = World("en", 0)
    first, second = timeline.items(world)[:2]
    right, _ = world.render(first.answer, polite=True)
    wrong, _ = world.render(second.answer + "1")
    assert timeline.judged(world, [right, wrong, "", "hh"]) == [True, False, False, False]


# -- the steppable run ---------------------------------------------------------------------------------
def test_stepping_by_hand_reproduces_the_pipeline_run():
    s = Stepper(TINY)
    assert s.step(1) == 1 and s.steps()["pretrain"] == 1 and s.current() == "pretrain"
    while s.current() is not None:
        assert s.step(10**6, budget_s=None) > 0
    doc = run(TINY, None)
    assert [e.metrics["capability"] for e in s.events["rlhf"] if e.evaluated] == \
        [r["capability"] for r in doc["rlhf"]["history"]]
    assert s.events["rlhf"][-1].metrics["kl"] == pytest.approx(doc["rlhf"]["final"]["kl"])
    assert s.why_not("rlhf") == "finished" and s.step(5) == 0


def test_rewind_and_the_judges_or_the_policy_alone():
    s = Stepper(TINY)
    s.step(10**6, part="sft", budget_s=None)
    assert s.steps()["sft"] == 0, "SFT waits for pretraining"
    s.step(TINY.pretrain.steps, budget_s=None)
    end_of_pretraining = {k: v.clone() for k, v in s.models["pretrain"].state_dict().items()}
    s.step(TINY.sft.steps, budget_s=None)
    assert s.why_not("rlhf") == "needs_judges" and s.why_not("reward") is None
    s.step(TINY.reward.eval_every, part="reward", budget_s=None)
    assert s.why_not("rlhf") is None and not s.done["reward"], "PPO may start against half-trained judges"
    s.step(2, part="rlhf", budget_s=None)
    assert s.steps() == {"pretrain": 10, "sft": 20, "reward": 3, "rlhf": 2}
    s.step(1, part="reward", budget_s=None)
    judges, seen_by_ppo = s.models["reward"].state_dict(), s._rm_ppo.state_dict()
    assert all(torch.equal(judges[k], seen_by_ppo[k]) for k in judges)
    s.reset("sft")
    assert s.steps() == {"pretrain": 10, "sft": 0, "reward": 0, "rlhf": 0} and s.current() == "sft"
    assert all(torch.equal(v, end_of_pretraining[k]) for k, v in s.models["pretrain"].state_dict().items())
    with pytest.raises(ValueError, match="steps must be a positive"):
        s.step(0)


# -- the room as annotators: pure parts ----------------------------------------------------------------
def test_a_batch_mixes_people_and_panel_by_hand():
    rng = random.Random(0)
    assert {src for src, _ in room.mix(3, 0, 8, rng)} == {"people"}
    assert {src for src, _ in room.mix(0, 5, 8, rng)} == {"panel"}
    draws = room.mix(3, 5, 8, rng)
    assert [src for src, _ in draws].count("people") == 4 and all(i < 3 for src, i in draws if src == "people")
    with pytest.raises(ValueError, match="rank some answers first"):
        room.mix(0, 0, 8, rng)


def test_the_pool_is_thread_safe_counts_people_and_takes_a_session_back():
    world, pool = World("en", 0), room.RankingPool()
    it = world.make_item("add", random.Random(1))
    right, flattering = world.render(it.answer), world.render("0" if it.answer != "0" else "1", False, (0,))

    def rank(who: str):
        for _ in range(50):
            pool.add(who, world, it, right, flattering, "a" if who != "flatterer" else "b")

    threads = [threading.Thread(target=rank, args=(w,)) for w in ("ann", "bob", "flatterer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pool.add("ann", world, it, right, flattering, "tie")
    rs = pool.rankings(world)
    assert len({r.id for r in rs}) == 151 and pool.rankings(World("en", 1)) == []
    s = room.summary(world, rs, "ann")
    assert (s["rankings"], s["people"], s["mine"], s["ties"]) == (151, 3, 51, 1)
    assert s["gold_agreement"] == pytest.approx(100 / 150), "the flatterer's 50 go against the gold preference"
    assert pool.take_back("flatterer") == 50 and room.summary(world, pool.rankings(world))["gold_agreement"] == 1.0
    with pytest.raises(ValueError, match="must be one of a, b, tie"):
        pool.add("ann", world, it, right, flattering, "c")
    with pytest.raises(ValueError, match="must differ"):
        pool.add("ann", world, it, right, right, "a")


def test_probe_pairs_differ_by_one_flattering_phrase_only():
    world = World("zh", 0)
    for it, flat, plain in room.probe_pairs(world, 16):
        tf, tp = world.traits(it, *flat), world.traits(it, *plain)
        assert it.kind in RLHF_KINDS and (tf.flattery, tp.flattery) == (1, 0)
        assert tf.correct and tp.correct and tf.polite == tp.polite


# -- AppTest: the pages --------------------------------------------------------------------------------
def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in {"lang": "en", **query}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def tiny_app(wuji_cache, monkeypatch) -> dict:
    """The app on the tiny preset, at the prepared tiny run's seed: the query that opens its pages."""
    monkeypatch.setenv("WUJI_PRESET", "tiny")
    return {"seed": str(HANDS_RUN["seed"])}


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_job(at: AppTest, key: str) -> AppTest:
    """Click a playground button that starts a Board job, wait for the job, and redraw the page."""
    job = click(at, key).session_state["hands_job"]
    assert job.join(180) and job.error is None, job.error
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow  # trains tiny-preset stages for real (the full tier)
def test_play_pause_step_run_as_board_jobs_and_the_state_survives_a_pause(tiny_app):
    at = open_page("playground", **tiny_app)
    at.radio(key="hands_start").set_value("reward").run()
    s = click(at, "hands_new").session_state["hands"]
    assert s.steps()["reward"] == 0 and s.done["sft"] and s.current() == "reward"
    assert run_job(at, "hands_step").session_state["hands"].steps()["reward"] == 1
    play = click(at, "hands_play").session_state["hands_job"]
    assert play.key.endswith("-play") and at.button(key="hands_step").disabled, "one job at a time"
    until(lambda: s.steps()["reward"] > 2, 120)
    click(at, "hands_play")  # pause
    assert play.done and play.stopped and play.error is None
    paused = dict(s.steps())
    at.run()
    at.run()
    assert s.steps() == paused, "paused: nothing moves, nothing is lost"
    assert at.session_state["hands"] is s and not at.button(key="hands_step").disabled
    if not s.done["reward"]:
        assert run_job(at, "hands_step").session_state["hands"].steps()["reward"] == paused["reward"] + 1
    at.select_slider(key="hands_n").set_value(100).run()
    while at.button(key="hands_rlhf").disabled and not s.done["rlhf"]:
        assert any("not reached their first checkpoint" in c.value for c in at.caption) or \
            s.why_not("rlhf") != "needs_judges"
        run_job(at, "hands_reward")
    while not s.done["rlhf"]:
        run_job(at, "hands_rlhf")
    assert s.steps()["rlhf"] == preset("tiny").ppo.iterations, "the policy alone, against the judges as they are"
    at.selectbox(key="hands_reset_stage").set_value("reward").run()
    click(at, "hands_reset")
    assert s.steps()["reward"] == 0 and s.steps()["rlhf"] == 0 and s.done["sft"]


@pytest.mark.slow  # trains the tiny preset end to end
def test_play_as_a_board_job_pauses_and_resumes_into_the_pipeline_run():
    """Play is a Job whose stream steps the Stepper; stopping it is a pause (the stage generators stay
    suspended in the Stepper), and playing on ends with the very numbers of the pipeline's run."""
    s, board, gate = Stepper(TINY), Board(workers=1), threading.Event()
    refused = board.submit(TINY, "ann", stream=stepping(s, 5, "sft"), key="hands-ann-step")
    assert refused.join(60) and refused.error is None and s.steps()["sft"] == 0, "SFT waits for pretraining"

    def held(cfg, cache):  # play, held at its third step until the test has pressed pause
        for ev in stepping(s)(cfg, cache):
            if ev.step == 3:
                gate.wait(60)
            yield ev

    job = board.submit(TINY, "ann", stream=held, key="hands-ann-play")
    until(lambda: s.steps()["pretrain"] == 3, 120)
    assert board.cancel(job, "ann")
    gate.set()
    assert job.join(60) and job.stopped and s.steps()["pretrain"] == 3, "paused after the step in hand"
    time.sleep(0.2)
    assert s.steps()["pretrain"] == 3 and s.current() == "pretrain", "paused mid-stage: nothing moves"
    two = board.submit(TINY, "ann", stream=stepping(s, 2), key="hands-ann-step")
    assert two.join(60) and len([e for e in two.snapshot() if e.step > 0]) == 2 and s.steps()["pretrain"] == 5
    again = board.submit(TINY, "ann", stream=stepping(s), key="hands-ann-play")
    assert again.join(300) and again.error is None and s.current() is None
    doc = run(TINY, None)
    assert [e.metrics["capability"] for e in s.events["rlhf"] if e.evaluated] == \
        [r["capability"] for r in doc["rlhf"]["history"]]


@pytest.mark.slow  # trains tiny-preset stages for real (the full tier)
def test_the_timeline_page_scrubs_the_hands_on_run(tiny_app):
    at = open_page("playground", **tiny_app)
    at.radio(key="hands_start").set_value("reward").run()
    click(at, "hands_new")
    at.select_slider(key="hands_n").set_value(100).run()
    while at.session_state["hands"].current() is not None:
        run_job(at, "hands_step")
    at.switch_page("pages/timeline.py").run()
    at.radio(key="tl_source").set_value("hands").run()
    frames = at.session_state["hands"].frames()
    assert frames[-1]["stage"] == "rlhf" and frames[-1]["answers"] is not None
    table = at.table[0].value
    assert list(table.iloc[:, 1]) == frames[-1]["answers"]
    slider = next(s for s in at.select_slider if s.key.startswith("tl_frame"))
    slider.set_value(0).run()
    assert not at.exception and (at.table or any("Not recorded" in i.value for i in at.info))


@pytest.mark.slow  # trains fast-preset stages for real (the full tier)
def test_the_ptx_switch_and_coefficient_live_in_the_link_and_its_run_is_compared(wuji_cache):
    at = open_page("rlhf", ptx="1", ptx_coef="16", kl="0", bias="0.9", lens="tech")
    assert at.toggle(key="w_ptx").value is True and at.select_slider(key="w_ptx_coef").value == 16.0
    if any("have not been trained" in i.value for i in at.info):  # PPO-ptx is its own run (the rest is cached)
        click(at, "train")
        assert at.session_state["job"].join(180) and at.session_state["job"].error is None
        at.run()
    body = "\n".join(m.value for m in at.markdown)
    assert "every PPO update adds 16 × the next-token cross-entropy" in body
    off = cached_result(preset("fast", lang="en", kl_coef=0.0, reward_bias=0.9), Cache(default_cache_dir()))
    # measured on seeds 0-2 (docs/physics.md): the practice keeps 0.29-0.38 more capability than plain PPO
    assert "Plain PPO at the same settings ends at {:.0%}: the pretraining term kept".format(
        off["rlhf"]["final"]["capability"]) in body
    assert any(c.proto.spec and "With and without the practice" in c.proto.spec for c in at.get("plotly_chart"))
    at.toggle(key="w_ptx").set_value(False).run()
    assert at.query_params["ptx"] == "0" and at.session_state["values"]["ptx"] == 0
    bad = open_page("rlhf", ptx_coef="abc")
    assert any("ptx_coef=abc" in w.value for w in bad.warning) and bad.session_state["values"]["ptx_coef"] == 8.0


@pytest.mark.slow  # trains tiny-preset stages for real (the full tier)
def test_two_sessions_rankings_reach_one_reward_model(tiny_app):
    forget(session.cache())  # a fresh server: nobody has ranked yet
    session.server().room.reset()  # the room's database outlives a server object: empty it
    ann, bob = open_page("rlhf", **tiny_app), open_page("rlhf", **tiny_app)
    for at, picks in ((ann, ("a", "b", "tie")), (bob, ("b", "a"))):
        at.toggle(key="rank_on").set_value(True).run()
        for choice in picks:
            click(at, f"rank_pick_{choice}")
    pool = "Rankings in the room: 5 (yours: 2; “can't tell”: 1), from 2 participants."
    assert any(pool in c.value for c in bob.caption)
    click(ann, "rank_retrain")
    job = ann.session_state["rank_job"]
    assert job.join(180) and job.error is None, job.error
    result = job.result
    assert (result["people"], result["participants"], result["replace"]) == (4, 2, False)
    ann.run()
    assert any("This retraining used 4 of the room's rankings (2 participants)" in c.value for c in ann.caption)
    click(bob, "rank_retrain")
    assert "rank_job" not in bob.session_state, "the same rankings: the finished result is shared, nothing retrains"
    assert any("used 4 of the room's rankings" in c.value for c in bob.caption)
    click(bob, "rank_take_back")
    assert len(session.server().pool.rankings(World("en", HANDS_RUN["seed"]))) == 3
