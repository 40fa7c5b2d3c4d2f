"""The room features (issue 6) under AppTest and as pure functions: the guided tour's steps, the scenario
presets and their links, predict-then-see with the room's tally, presenter mode, and the slides report.

Results come from the session's prepared cache (conftest.wuji_cache); nothing here trains.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest
from test_architecture import imports

from sim.cache import cached_result
from sim.config import preset
from sim.server import GUESS_CHOICES, Guesses, forget
from ui import narrate, session, state, states, story, texts, theme
from ui.charts import ROOM_HIDDEN, export_config, for_room, room_title

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _cache(wuji_cache):
    return wuji_cache


def open_tour(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/tour.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success])


def step_charts(at: AppTest) -> list:
    """The step's own chart (the facilitator's room chart below it is another)."""
    return [c for c in at.get("plotly_chart") if c.proto.id.endswith("-tour_False")]


def guess_radio(at: AppTest):
    return next(r for r in at.radio if r.key and r.key.startswith("guess_"))


def test_the_story_is_complete_data():
    assert len(story.STEPS) == state.TOUR_LEN and [s.stage for s in story.STEPS] == sorted(s.stage for s in story.STEPS)
    assert {s.stage for s in story.STEPS} == {0, 1, 2}, "the three stages, in order"
    for s in story.STEPS:
        assert s.panel in narrate.REQUIRES and (s.scene is None or s.scene in story.SCENARIOS)
        for lens in state.LENSES:
            for lang in state.LANGS:
                assert texts.step_text(s.key, "title", lens, lang) and texts.step_text(s.key, "do", lens, lang)
    for name in ("story", "theme", "slides"):
        assert "streamlit" not in imports(ROOT / "ui" / f"{name}.py"), f"ui/{name}.py stays pure"


@pytest.mark.parametrize(("lang", "lens"), [("zh", "wuxia"), ("en", "work"), ("en", "tech")])
def test_next_and_back_walk_every_step_with_its_chart_analogy_and_action(lang, lens):
    at = open_tour(lang=lang, lens=lens, seed="0")
    for number, step in enumerate(story.STEPS, start=1):
        assert at.query_params["step"] == str(number) and at.session_state["values"]["step"] == number
        assert [s.value for s in at.subheader][0] == texts.step_text(step.key, "title", lens, lang)
        assert texts.step_text(step.key, "do", lens, lang) in markdown(at)
        if step.question:
            assert not step_charts(at), "the result stays hidden until a guess is made"
            guess_radio(at).set_value("down").run()
        assert step_charts(at), f"step {number} draws its chart"
        assert texts.lens_title(lens, lang) in markdown(at), f"step {number} shows its analogy"
        if step.knob:
            assert at.select_slider(key=f"w_{step.knob}"), "the knob its action moves is there"
        if number < len(story.STEPS):
            at.button(key="tour_next").click().run()
            assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="tour_next").disabled
    at.button(key="tour_back").click().run()
    assert at.query_params["step"] == str(len(story.STEPS) - 1)
    assert at.session_state["values"]["kl"] == 0.1 and at.session_state["values"]["bias"] == 0.0, \
        "walking the tour changed no setting"


def test_next_keeps_a_facilitators_settings_and_offers_the_steps_scenario_with_an_undo():
    """Issue 12 item 10: a facilitator on leash 1 / bias 0.9 pressed next and found 0.1 / 0."""
    at = open_tour(lang="en", lens="wuxia", kl="1", bias="0.9", step="4")
    at.button(key="tour_next").click().run()
    v = at.session_state["values"]
    assert v["step"] == 5 and (v["kl"], v["bias"]) == (1.0, 0.9), "next moved the step only"
    assert at.query_params["kl"] == "1" and at.query_params["bias"] == "0.9"
    name = texts.t(story.SCENARIO_TITLES[story.step(5).scene], "en")
    assert texts.t("tour_scene_offer", "en", name=name) in markdown(at), "the step's scenario is offered"
    at.button(key="tour_scene_use").click().run()
    v = at.session_state["values"]
    assert story.scenario_of(v) == story.step(5).scene and v["step"] == 5
    assert texts.t("tour_scene", "en", name=name) in markdown(at)
    at.button(key="tour_scene_undo").click().run()
    v = at.session_state["values"]
    assert (v["kl"], v["bias"], v["step"]) == (1.0, 0.9, 5), "undo puts the facilitator's settings back"
    assert not at.exception and not any(b.key == "tour_scene_undo" for b in at.button)


@pytest.mark.parametrize(
    ("name", "raw", "default"), [("step", "99", 1), ("present", "2", 0), ("theme", "neon", "light")]
)
def test_a_bad_tour_value_in_the_link_warns_and_falls_back(name, raw, default):
    at = open_tour(lang="en", **{name: raw})
    allowed = next(p for p in state.table() if p.name == name).allowed()
    assert any(f"{name}={raw}" in w.value and allowed in w.value for w in at.warning)
    assert at.session_state["values"][name] == default and at.query_params[name] == str(default)
    assert at.button(key="tour_back").disabled and at.sidebar, "the tour starts at step 1, not presenting"


@pytest.mark.parametrize("name", list(story.SCENARIOS))
def test_a_scenario_is_one_click_and_its_link_restores_it(name):
    at = open_tour(lang="en", lens="work")
    at.button(key=f"sc_{name}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wanted = story.scenario(name, {**state.defaults(), "lang": "en", "lens": "work"})
    assert at.session_state["values"] == wanted
    assert dict(at.query_params) == state.serialize(wanted), "the URL follows"
    link = at.code[0].value
    assert link == story.link("", wanted) and f"kl={wanted['kl']:g}" in link
    assert texts.t("sc_current", "en", name=texts.t(story.SCENARIO_TITLES[name], "en")) in markdown(at)
    again = open_tour(**state.serialize(wanted))
    assert again.session_state["values"] == wanted and not again.warning, "the link restores the scenario"


def test_predict_then_see_stores_counts_and_shows_the_guess_beside_the_result():
    forget(session.cache())  # a fresh server: nobody has guessed yet
    session.server().room.reset()  # the room's database outlives a server object: empty it
    ann = open_tour(lang="en", step="6", kl="0", bias="0.9")
    bob = open_tour(lang="zh", step="6", kl="0", bias="0.9")
    qid = story.question_id("capability", ann.session_state["values"])
    assert texts.question("capability", "wuxia", "en", bias=0.9, kl=0.0) == guess_radio(ann).label
    assert [i.value for i in ann.info] == [texts.t("guess_first", "en")]
    guess_radio(ann).set_value("up").run()
    guess_radio(bob).set_value("down").run()
    room = session.server().guesses
    assert room.tally(qid) == {"up": 1, "flat": 0, "down": 1}
    guess_radio(ann).set_value("down").run()
    assert room.tally(qid) == {"up": 0, "flat": 0, "down": 2}, "one vote a tab, changeable"
    assert "2 in the room guessed this one" in markdown(ann)
    doc = cached_result(preset("fast", kl_coef=0.0, reward_bias=0.9, lang="en"), session.cache())
    real, start, final = story.outcome(doc, "capability")
    line = ann.success[0].value
    assert line.startswith("You guessed: fall · What happened: his skill ") and f"{start:.0%} → {final:.0%}" in line
    assert ("right!" in line) == (real == "down")
    assert step_charts(ann), "the result shows once guessed"
    ann.button(key="tour_back").click().run()
    ann.button(key="tour_next").click().run()
    assert guess_radio(ann).value == "down", "the guess is kept"


def test_the_room_counts_safely_from_many_threads():
    r = Guesses()

    def vote(i):
        for k in range(200):
            r.vote("q", f"tab-{i}", GUESS_CHOICES[(i + k) % 3])

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.tally("q").values()) == 16
    with pytest.raises(ValueError, match="one of up, flat, down"):
        r.vote("q", "tab-0", "sideways")


def test_presenter_mode_hides_the_sidebar_and_enlarges_the_charts():
    at = open_tour(lang="en", step="3")
    assert at.sidebar.toggle(key="w_present").value is False
    normal = json.loads(step_charts(at)[0].proto.spec)["layout"]
    at.sidebar.toggle(key="w_present").set_value(True).run()
    assert at.query_params["present"] == "1" and not at.exception
    assert not at.sidebar.children or not list(at.sidebar), "no sidebar in presenter mode"
    css = [h.proto.body for h in at.get("html") if "<style>" in h.proto.body]
    assert css and "font-size: 24px" in css[0]
    big = json.loads(step_charts(at)[0].proto.spec)["layout"]
    assert big["font"]["size"] == pytest.approx(normal["font"]["size"] * theme.SCALE)
    at.radio(key="w_theme").set_value("dark").run()
    dark = json.loads(step_charts(at)[0].proto.spec)["layout"]
    assert at.query_params["theme"] == "dark" and dark["paper_bgcolor"] == theme.THEMES["dark"]["bg"]
    at.button(key="pm_exit").click().run()
    assert at.query_params["present"] == "0" and at.sidebar.toggle(key="w_present").value is False


@pytest.mark.parametrize("name", list(theme.THEMES))
def test_both_themes_project_well(name):
    from ui.charts import COLORS

    c = theme.THEMES[name]
    assert theme.contrast(c["text"], c["bg"]) >= 7 and theme.contrast(c["muted"], c["bg"]) >= 7
    assert theme.contrast(c["text"], c["panel"]) >= 7 and theme.contrast(c["on_accent"], c["accent"]) >= 4.5
    for color in COLORS.values():
        assert theme.contrast(theme.TRACE_COLORS[name].get(color, color), c["bg"]) >= 3, color


@pytest.mark.parametrize("name", list(theme.THEMES))
def test_heat_map_numbers_read_on_every_cell(name):
    from ui.charts import HEAT_DARK, HEAT_SCALES, INK

    c = theme.THEMES[name]
    for pale, middle in HEAT_SCALES.values():
        ends = (pale, middle) if name == "light" else (c["panel"], HEAT_DARK[middle])
        text = INK if name == "light" else c["text"]
        assert min(theme.contrast(text, e) for e in ends) >= 5, (name, ends)
        assert theme.contrast(c["text"], ends[0]) >= 5 and theme.contrast(c["text"], ends[1]) >= 5


@pytest.mark.parametrize("name", list(theme.THEMES))
def test_a_labels_own_box_follows_the_room_theme(name):
    """A chart label drawn on its own box (the explorer's peak, ``bgcolor``) keeps its box in the theme's panel
    colour under the theme's ink: a rehearsal found the white box under the dark theme's pale text (1.2:1)."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    fig.add_annotation(x=0.5, y=0.5, text="peak", bgcolor="rgba(255,255,255,0.85)")
    fig.add_annotation(x=0.2, y=0.2, text="no box", showarrow=False)
    boxed, plain = for_room(fig, name, theme.SCALE).layout.annotations
    c = theme.THEMES[name]
    assert boxed.bgcolor == c["panel"] and theme.contrast(boxed.font.color, boxed.bgcolor) >= 7
    assert plain.bgcolor is None, "a label without a box gets none"


def test_a_presenter_title_wraps_to_its_plain_width_and_its_modebar_is_short():
    """Presenter mode's title, type 1.5 times larger, wraps again at 44 / 1.5 = 29 columns, and each line it adds
    lifts the plot by its line (24 px, scaled); its modebar drops five of plotly's buttons, not the camera."""
    assert room_title("What each of the judges looks at", 1.5) == ("What each of the judges looks<br>at", 1)
    assert room_title("one two<br>three", 1.5) == ("one two<br>three", 0)  # broken by hand
    building = "Building inner strength: error guessing the<br>next word"  # _style's wrap at 44 columns
    assert room_title(building, 1.5) == ("Building inner strength:<br>error guessing the next word", 0)
    assert room_title("一" * 20, 1.5) == ("一" * 14 + "<br>" + "一" * 6, 1)
    short = go.Figure(go.Scatter(x=[0], y=[0]))
    long = go.Figure(go.Scatter(x=[0], y=[0]))
    short.update_layout(title={"text": "Loss"}, margin={"t": 90})
    long.update_layout(title={"text": "What each of the judges looks at"}, margin={"t": 90})
    short, long = for_room(short, "light", 1.5).layout, for_room(long, "light", 1.5).layout
    assert (short.margin.t, long.margin.t) == (135, 171) and (short.title.pad.t, long.title.pad.t) == (0, 21)
    assert export_config("x", "en", room=True)["modeBarButtonsToRemove"] == list(ROOM_HIDDEN)
    assert "toImage" not in ROOM_HIDDEN and "modeBarButtonsToRemove" not in export_config("x", "en")


def test_chart_text_wraps_to_a_column():
    from ui.labels import rewrap, width, wrap

    assert width("ab 中文") == 7
    assert wrap("one two three four", 9) == "one two<br>three<br>four"
    assert wrap("一二三四五", 4) == "一二<br>三四<br>五"
    assert wrap("short", 40) == "short"
    assert rewrap("one two<br>three<br>four", 13) == "one two three<br>four"
    assert rewrap("一二<br>三四<br>五", 6) == "一二三<br>四五"


@pytest.mark.parametrize("lang", state.LANGS)
def test_the_report_is_one_self_contained_html_in_the_chosen_language(lang, wuji_cache):
    from sim.cache import Cache, cached_result
    from sim.config import preset

    values = {**state.defaults(), "lang": lang, "lens": "work"}
    cfg = preset("fast", lang=lang)
    doc = cached_result(cfg, Cache(wuji_cache))
    page = story.report(values, doc, cfg, range(1, len(story.STEPS) + 1), {6: "down"}, "http://x/tour?kl=0.1")
    assert page.count("<section") == len(story.STEPS) and page.count('class="plotly-graph-div"') == len(story.STEPS)
    assert page.count("* plotly.js v") == 1, "plotly.js is inlined, once"
    assert "<script src=" not in page and "<link" not in page, "nothing is fetched from the network"
    assert texts.step_text("moves", "title", "work", lang) in page and texts.t("report_png_all", lang) in page
    assert story.guess_line("down", doc, "capability", "work", lang) in page
    assert texts.lens_title("work", lang) in page
    one = story.report(values, doc, cfg, (3,), {}, None)
    assert one.count("<section") == 1 and texts.step_text("moves", "title", "work", lang) in one


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rooms_chart_names_each_question_in_the_pages_words(lang):
    """The facilitator's chart of the room's guesses labels a question by what was guessed and its settings, in the
    page's language and lens, never as the raw key (``bias=0.9,kl=0,...``)."""
    qid = story.question_id("capability", {"bias": 0.9, "kl": 0.0, "steps": 700, "seed": 2})
    label = story.question_label(qid, "work", lang)
    assert "=" not in label and texts.story_metric("capability", "work", lang) in label
    assert all(x in label for x in ("0.9", "700", "2"))
    if lang == "zh":
        assert not re.search(r"[A-Za-z]", label), label
    partial = story.question_label("capability@bias=0.9", "work", lang)  # an id of another version: no crash
    assert "0.9" in partial and "=" not in partial


# -- a real case (issue 14): the GPT-4o sycophancy rollback, the thumbs-up signal as the bias slider ---------------
LAY = re.compile(r"\bKL\b|PPO|reward model|奖励模型", re.I)


def test_the_thumbs_up_case_is_one_scenario_and_a_step_before_the_moral():
    assert story.SCENARIOS["thumbs"] == {"kl": 0.1, "bias": 0.9}
    assert story.SCENARIOS["thumbs"]["kl"] == state.defaults()["kl"], "the leash at the app's default"
    assert 0.9 in state.BIAS_STOPS and 0.1 in state.KL_STOPS, "a grid stop with cached runs"
    values = story.scenario("thumbs", {**state.defaults(), "lang": "zh", "lens": "work", "step": 3})
    assert story.scenario_of(values) == "thumbs"
    assert (values["lang"], values["lens"], values["step"]) == ("zh", "work", 3), "the view kept"
    keys = [s.key for s in story.STEPS]
    assert keys.index("rollback") == keys.index("predict") + 1 and keys[-1] == "moral"
    step = story.STEPS[keys.index("rollback")]
    assert (step.stage, step.chart, step.panel, step.needs, step.scene) == (2, "rlhf", "rollback", "rlhf", "thumbs")
    assert story.SCENARIO_TITLES["thumbs"] == "sc_thumbs"
    cite = {"en": ("Expanding on what we missed with sycophancy", "2 May 2025", "OpenAI", "GPT-4o", "thumbs-up"),
            "zh": ("Expanding on what we missed with sycophancy", "2025 年 5 月 2 日", "OpenAI", "GPT-4o", "点赞")}
    for lang in state.LANGS:
        assert "GPT-4o" in texts.t("sc_thumbs", lang)
        for lens in state.LENSES:
            assert texts.step_text("rollback", "title", lens, lang) and texts.step_text("rollback", "do", lens, lang)
            text = texts.panel("rollback", lens, lang, dict.fromkeys(texts.panel_placeholders("rollback"), 0.5))
            assert all(c in text for c in cite[lang]), (lens, lang, "the postmortem is cited")
            if lens != "tech":
                lay = [text, *(texts.step_text("rollback", part, lens, lang) for part in ("title", "do"))]
                assert not [x for x in lay if LAY.search(x)], (lens, lang, "no jargon in a lay lens")


def rlhf_doc(flat0: float, flat1: float, cap0: float = 0.7, cap1: float = 0.5) -> dict:
    row = {"proxy_reward": 0.3, "gold_reward": 0.8, "kl": 0.0}
    return {"config": {"reward": {"n_annotators": 5, "reward_bias": 0.9}},
            "rlhf": {"start": {**row, "capability": cap0, "flattery": flat0},
                     "final": {**row, "capability": cap1, "flattery": flat1, "kl": 3.0}}}


@pytest.mark.parametrize(("flat0", "flat1", "move"), [(0.02, 0.41, "rose"), (0.05, 0.06, "held"), (0.30, 0.12, "fell")])
def test_the_rollback_panel_tells_what_flattery_did_in_the_run_shown(flat0, flat1, move):
    doc = rlhf_doc(flat0, flat1)
    values = state.defaults()
    for lang in state.LANGS:
        for lens in state.LENSES:
            text = narrate.panel("rollback", doc, values, lens, lang)
            said = [m for m in states.MOVES if texts.moved(m, lens, lang, {"flat0": flat0, "flat": flat1}) in text]
            assert said == [move], (lens, lang, text)
            assert f"{flat0:.0%} → {flat1:.0%}" in text and "70% → 50%" in text and "0.9" in text
            nums = narrate.panel_numbers("rollback", doc, values, lens, lang)
            assert nums.source["flat0"] == ("rlhf", "start", "flattery") and nums.source["cap1"] == ("rlhf", "final",
                                                                                                     "capability")


@pytest.mark.parametrize("lang", state.LANGS)
def test_the_rollback_panel_cites_only_the_real_runs_numbers(lang, wuji_cache):
    from sim.cache import Cache

    cfg = preset("fast", kl_coef=0.1, reward_bias=0.9, lang=lang)
    doc = cached_result(cfg, Cache(wuji_cache))
    assert doc is not None, "conftest's TEST_RUNS train the thumbs-up setting in both languages"
    start, final = doc["rlhf"]["start"], doc["rlhf"]["final"]
    move = states.moved(start, final, "flattery")
    for lens in state.LENSES:
        text = narrate.panel("rollback", doc, {**state.defaults(), "lang": lang}, lens, lang)
        assert texts.moved(move, lens, lang, {"flat0": start["flattery"], "flat": final["flattery"]}) in text
        assert f"{start['capability']:.0%} → {final['capability']:.0%}" in text
        fixed = re.sub(r"\{[^}]*\}", " ", texts.catalogue().entry("panel.rollback").texts[lang, lens]
                       + texts.catalogue().entry(f"moved.{move}").texts[lang, lens])
        cited = {f"{start['flattery']:.0%}", f"{final['flattery']:.0%}", f"{start['capability']:.0%}",
                 f"{final['capability']:.0%}", "0.9", "0.1"}
        for number in re.findall(r"\d+(?:\.\d+)?%?", text):
            assert number in cited or number in re.findall(r"\d+(?:\.\d+)?%?", fixed), (lens, number, text)
