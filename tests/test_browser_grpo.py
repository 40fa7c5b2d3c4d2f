"""Real Chromium against `streamlit run app.py` (issue 14): the explorer shows GRPO with a strict and with a sloppy
checker side by side, and PPO on an ensemble of judges beside them, on both plots and in their analogy panels, in
both languages, with no chart label colliding and no traceback in the server's log. The other methods' results are
written into a copy of the prepared cache (made-up histories shaped like sim.methods' documents, the GRPO ones on the
measured means), so nothing trains. The screenshots land in test-artifacts/explorer-grpo-<lang>-<lens>.png. The
RLHF page of the prepared run shows how varied his answers stay and, on the technical lens, the judges' score
against answer length (test-artifacts/rlhf-length-<lang>.png).
"""

from __future__ import annotations

import math
import shutil

import pytest
from live import server, shoot, tracebacks
from pagecheck import overlaps
from playwright.sync_api import expect
from test_browser_app import SLOW, settle, visit

from sim.cache import Cache, cached_result
from sim.config import preset
from sim.methods import base_method, cached_method, method_key, variant
from ui import labels, narrate, texts, tradeoff

pytestmark = pytest.mark.browser
TINY = "kl=0,0.1;bias=0,0.9;seeds=0"  # the runs of conftest.TEST_RUNS
GRPO = {  # variant -> (checker score, capability), start and final: the fast preset's means (zh, seeds 0-2)
    "grpo": ((0.52, 0.60), (0.78, 0.79)),
    "grpo_sloppy": ((0.53, 0.61), (0.78, 0.46)),
}


def history(name: str) -> list[dict]:
    """A made-up history of one method or variant: rises, peaks and falls on the gold reward."""
    steps = (1, 2, 4, 8, 16, 32, 64) if name == "bon" else (0, 48, 96, 144, 192)
    chk, cap = GRPO.get(name, ((0.5, 0.5), (0.7, 0.6)))
    out = []
    for i, s in enumerate(steps):
        f = i / (len(steps) - 1)
        kl = math.log(s) - (s - 1) / s if name == "bon" else 0.4 * i * i
        d = math.sqrt(kl)
        row = {"step": s, "kl": kl, "proxy_reward": 0.1 + 0.5 * d, "gold_reward": 0.4 + d * (0.3 - 0.2 * d),
               "capability": cap[0] + f * (cap[1] - cap[0]), "flattery": 0.0 if name in GRPO else 0.05 * i,
               "length": 12.0, "format_rate": 1.0, "per_task": {}, "entropy": 0.52 - 0.04 * i,
               "distinct_answers": 0.59 - 0.05 * i, "checker_strict": 0.5, "checker_sloppy": 0.5}
        if name in GRPO:
            row["checker_" + ("sloppy" if name == "grpo_sloppy" else "strict")] = chk[0] + f * (chk[1] - chk[0])
        if name == "bon":
            row["n"] = s
        out.append(row)
    return out


@pytest.fixture(scope="module")
def grpo_server(tmp_path_factory, wuji_cache):
    """A server over a copy of the prepared cache holding every other method's result at bias 0.9, no leash."""
    root = tmp_path_factory.mktemp("grpo-cache")
    shutil.copytree(wuji_cache, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("room.sqlite*", ".tmp-*"))
    cache = Cache(root)
    for lang in ("zh", "en"):
        cfg = preset("fast", kl_coef=0.0, reward_bias=0.9, lang=lang)
        for name in tradeoff.METHODS:
            c, m = variant(cfg, name)
            metrics = {"history": history(name), "norm": [0.0, 1.0], "seconds": 1.0}
            if name == "ensemble":  # four judges who share the panel's love of flattery (bias 0.9)
                metrics["members"] = [{"pref_accuracy": 0.93, "gold_agreement": 0.35 + 0.01 * i} for i in range(4)]
            cache.save(m, method_key(c, m), metrics)
    log = tmp_path_factory.mktemp("grpo") / "server.log"
    with server(root, log, env={"WUJI_EXPLORER_GRID": TINY}) as srv:
        yield srv.url, root, log


@pytest.mark.parametrize(("lang", "lens"), [("zh", "wuxia"), ("en", "work"), ("en", "tech")])
def test_grpo_with_a_strict_and_a_sloppy_checker_side_by_side(grpo_server, page, artifacts_dir, lang, lens):
    url, root, log = grpo_server
    since = log.stat().st_size
    visit(page, url, f"explorer?lang={lang}&lens={lens}&bias=0.9&kl=0", texts.t("page_explorer", lang))
    expect(page.get_by_text(texts.t("ex_methods_t", lang))).to_be_visible(timeout=SLOW)
    cfg = preset("fast", kl_coef=0.0, reward_bias=0.9, lang=lang)
    boxes = {}
    for name in ("grpo", "grpo_sloppy"):
        doc = cached_method(*variant(cfg, name), Cache(root))
        assert doc is not None and base_method(name) == doc["method"]
        nums = tradeoff.method_numbers(name, doc, lens, lang)
        text = texts.panel(tradeoff.METHOD_PANELS[name], lens, lang, nums)
        box = page.locator('[data-testid="stMarkdownContainer"] p').filter(has_text=text[:12]).filter(
            has_text=nums["exam"][:30])
        expect(box.last).to_be_visible(timeout=SLOW)
        boxes[name] = box.last.bounding_box()
        for legend in (labels.method(name, lang),):
            expect(page.locator(".legendtext").filter(has_text=legend).first).to_be_attached()
    a, b = boxes["grpo"], boxes["grpo_sloppy"]
    assert abs(a["y"] - b["y"]) < 5 and a["x"] + a["width"] <= b["x"] + 1, "side by side, not overlapping"
    ens = tradeoff.method_numbers("ensemble", cached_method(cfg, "ensemble", Cache(root)), lens, lang)
    assert ens["judges"] == texts.sentence("ens.shared", lens, lang, ens), "the members share the bias"
    text = texts.panel(tradeoff.METHOD_PANELS["ensemble"], lens, lang, ens)
    box = page.locator('[data-testid="stMarkdownContainer"] p').filter(has_text=text[:12]).filter(
        has_text=ens["judges"][:30])
    expect(box.last).to_be_visible(timeout=SLOW)
    c = box.last.bounding_box()
    assert abs(c["y"] - b["y"]) < 5 and b["x"] + b["width"] <= c["x"] + 1, "the ensemble beside GRPO's panels"
    expect(page.locator(".legendtext").filter(has_text=labels.method("ensemble", lang)).first).to_be_attached()
    sloppy = tradeoff.method_numbers("grpo_sloppy", cached_method(*variant(cfg, "grpo_sloppy"), Cache(root)), lens,
                                     lang)
    assert sloppy["exam"] == texts.sentence("exam.fooled", lens, lang, sloppy), "the score rose, the skill fell"
    settle(page)
    assert overlaps(page) == []
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    shoot(page, artifacts_dir / f"explorer-grpo-{lang}-{lens}.png")
    assert tracebacks(log, since) == []


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_rlhf_page_shows_answer_variety_and_on_the_technical_lens_what_the_judges_pay_for_length(
        grpo_server, page, artifacts_dir, lang):
    """Issue 14, parts 3 and 5, from the prepared run at bias 0.9 with no leash: the caption on how varied his answers
    stay, and (technical lens only) the judges' score against answer length with the sentence its points give."""
    url, root, log = grpo_server
    since = log.stat().st_size
    doc = cached_result(preset("fast", kl_coef=0.0, reward_bias=0.9, lang=lang), Cache(root))
    rl = doc["rlhf"]
    visit(page, url, f"rlhf?lang={lang}&lens=tech&bias=0.9&kl=0", texts.t("page_rlhf", lang))
    expect(page.locator(".gtitle").filter(has_text=texts.t("ch_length", lang)[:10]).first).to_be_visible(timeout=SLOW)
    caption = narrate.length_caption(rl["length_score"], lang)
    expect(page.get_by_text(caption[:40]).first).to_be_visible()
    variety = narrate.variety(rl["start"], rl["final"], "tech", lang)
    assert variety and "→" in variety
    expect(page.get_by_text(variety[:20]).first).to_be_visible()
    settle(page)
    assert overlaps(page) == []
    shoot(page, artifacts_dir / f"rlhf-length-{lang}.png")
    visit(page, url, f"rlhf?lang={lang}&lens=work&bias=0.9&kl=0", texts.t("page_rlhf", lang))
    expect(page.get_by_text(narrate.variety(rl["start"], rl["final"], "work", lang)[:20]).first).to_be_visible()
    expect(page.locator(".gtitle").filter(has_text=texts.t("ch_length", lang)[:10])).to_have_count(0)
    assert tracebacks(log, since) == []
