"""AppTest: every page in both languages and all lenses, sliders that change the page, URL state.

Results come from the session's prepared cache (conftest.wuji_cache); no test here trains.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim.config import PRESETS
from sim.server import forget
from ui import labels, state, texts

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("home", "tour", "pretrain", "sft", "rlhf", "explorer", "challenges")
HANDS_ON = ("playground", "timeline")  # they draw once a visitor starts or picks a run (tests/test_handson.py)
TIMEOUT = 60
FAST_STEPS = PRESETS["fast"].pretrain.steps  # the pretraining budget the prepared runs used


def open_app(page: str = "home", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page != "home":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts_of(at: AppTest) -> str:
    """Everything written as markdown, metrics, info and captions: what a participant reads."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _cache(wuji_cache):
    return wuji_cache


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ("zh", "en"))
def test_every_page_runs_in_both_languages(page, lang):
    at = open_app(page, lang=lang)
    title_key = "app_title" if page == "home" else f"page_{page}"
    assert [t.value for t in at.title] == [texts.t(title_key, lang)]
    assert at.get("plotly_chart"), "the page draws at least one chart"
    other = "en" if lang == "zh" else "zh"
    assert texts.t(title_key, other) not in texts_of(at)


@pytest.mark.parametrize("page", HANDS_ON)
@pytest.mark.parametrize("lang", ("zh", "en"))
def test_the_hands_on_pages_open_in_both_languages(page, lang):
    at = open_app(page, lang=lang)
    assert [t.value for t in at.title] == [texts.t(f"page_{page}", lang)] and not at.error
    other = "en" if lang == "zh" else "zh"
    assert texts.t(f"page_{page}", other) not in texts_of(at)


@pytest.mark.parametrize("lens", state.LENSES)
@pytest.mark.parametrize("page", PAGES)
def test_every_lens_gives_its_own_analogy_with_a_live_number(page, lens):
    at = open_app(page, lens=lens, lang="en")
    panels = [m.value for m in at.markdown if texts.lens_title(lens, "en") in m.value]
    assert panels, f"no analogy panel for lens {lens} on {page}"
    body = texts_of(at)
    assert any(ch.isdigit() for ch in body.split(texts.lens_title(lens, "en"), 1)[1][:400])
    for other in set(state.LENSES) - {lens}:
        assert texts.lens_title(other, "en") not in body


def test_kl_slider_changes_the_rlhf_page():
    at = open_app("rlhf", lang="zh", lens="tech")
    before = {m.label: m.value for m in at.metric}
    at.select_slider(key="w_kl").set_value(0.0).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert at.session_state["values"]["kl"] == 0.0 and at.query_params["kl"] == "0", "the link follows"
    assert before != after, "moving the KL slider must change the shown metrics"
    assert "KL 惩罚系数 0。" in texts_of(at) and "KL 惩罚系数 0.1。" not in texts_of(at)
    assert "job" not in at.session_state, "a cached setting shows at once, nothing retrains"


def test_bias_slider_changes_the_rlhf_page():
    at = open_app("rlhf", lang="zh")
    before = {m.label: m.value for m in at.metric}
    at.select_slider(key="w_bias").set_value(0.9).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert at.session_state["values"]["bias"] == 0.9 and at.query_params["bias"] == "0.9"
    assert before[labels.short("gold_agreement", "zh")] != after[labels.short("gold_agreement", "zh")]
    assert "job" not in at.session_state, "a cached setting shows at once, nothing retrains"


def test_budget_slider_changes_the_pretraining_page():
    at = open_app("pretrain", lang="en")
    assert not at.info or "have not been trained" not in at.info[0].value
    at.select_slider(key="w_steps").set_value(0).run()
    assert not at.exception
    assert at.session_state["values"]["steps"] == 0
    assert any("pretraining 0 steps" in i.value for i in at.info)
    assert at.button(key="train"), "an untrained budget offers a Train button"


def test_language_lens_and_seed_switches():
    at = open_app("sft")
    assert at.title[0].value == texts.t("page_sft", "zh")
    at.radio(key="w_lang").set_value("en").run()
    assert at.title[0].value == texts.t("page_sft", "en")
    at.radio(key="w_lens").set_value("tech").run()
    assert texts.lens_title("tech", "en") in texts_of(at)
    at.number_input(key="w_seed").set_value(7).run()
    assert not at.exception
    assert at.session_state["values"]["seed"] == 7
    assert any("seed 7" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("query", "name", "default"),
    [
        ({"kl": "abc"}, "kl", 0.1),
        ({"bias": "7"}, "bias", 0.0),
        ({"steps": "123456789012345"}, "steps", FAST_STEPS),
        ({"lang": "fr"}, "lang", "zh"),
        ({"lens": "<script>"}, "lens", "wuxia"),
        ({"seed": "-3"}, "seed", 0),
        ({"seed": "1.5"}, "seed", 0),
        ({"lr": "0"}, "lr", 1.0),
        ({"lr": "1e999"}, "lr", 1.0),
        ({"kl": "nan"}, "kl", 0.1),
    ],
)
def test_bad_url_value_warns_and_falls_back(query, name, default):
    at = open_app("rlhf", **query)
    warnings = [w.value for w in at.warning]
    allowed = next(p for p in state.table() if p.name == name).allowed()
    assert any(f"{name}=" in w and allowed in w for w in warnings), warnings
    assert at.session_state["values"][name] == default
    assert at.query_params[name] == state.serialize({name: default})[name], "the link is corrected"


def test_shared_link_restores_the_sliders():
    at = open_app("rlhf", kl="0", bias="0.9", lang="en", lens="work", steps=str(FAST_STEPS), seed="0")
    assert at.select_slider(key="w_kl").value == 0.0
    assert at.select_slider(key="w_bias").value == 0.9
    assert at.radio(key="w_lens").value == "work"
    assert not at.warning
    assert "0.9" in texts_of(at)


def test_url_state_parser_table():
    values, warns = state.parse(
        {"kl": "0.05", "bias": "0.35", "steps": "400", "seed": "12", "x": "y"}, "fast"
    )
    assert (
        values["kl"] == 0.03
        and values["bias"] in (0.3, 0.4)
        and values["steps"] == 400
        and values["seed"] == 12
    )
    assert {w.name for w in warns} == {"kl", "bias"} and all(w.reason == "snap" for w in warns)
    values, warns = state.parse({"kl": "nan", "steps": "1.5", "seed": "1e9"}, "fast")
    assert values == {**state.defaults("fast")} and len(warns) == 3
    assert state.parse({}, "default")[0]["steps"] == PRESETS["default"].pretrain.steps


def test_job_runs_from_cache_reports_progress_and_stops(wuji_cache):
    from sim.cache import Cache
    from sim.config import STAGES, preset
    from sim.jobs import Job

    cache = Cache(wuji_cache)
    job = Job(preset("fast"), cache)
    assert job.join(120) and job.error is None
    assert job.result is not None and job.result["cached"] == list(STAGES)
    assert job.progress() == dict.fromkeys(STAGES, 1.0) and job.snapshot()[-1].stage == "done"

    stopped = Job(preset("fast", kl_coef=0.3), cache, start=False)
    stopped.stop()
    stopped._thread.start()
    assert stopped.join(120) and stopped.stopped and stopped.result is None
    assert len(stopped.snapshot()) == 1, "the worker stops after the event in hand"


def test_job_keeps_the_error_message(monkeypatch):
    import sim.engine
    from sim.config import preset
    from sim.events import Diverged, Event
    from sim.jobs import Job

    def boom(cfg, cache):
        yield Event("pretrain", 1, 10, {"train_loss": 3.0})
        raise Diverged("pretrain diverged at step 2: lower the learning rate")

    monkeypatch.setattr(sim.engine, "run_stream", boom)
    job = Job(preset("fast"), None)
    assert job.join(30)
    assert "diverged" in job.error and job.result is None and len(job.snapshot()) == 1


def test_participants_asking_for_one_run_share_it_and_others_queue_with_their_place(monkeypatch):
    """Three tabs: two press Train on the same new setting (one training, both watch it), a third asks
    for another setting and sees its place in the queue; cancelling takes it out. Training is faked."""
    import threading

    import sim.engine
    from sim.events import Event
    from sim.jobs import Board

    gate, calls = threading.Event(), []

    def run_stream(cfg, cache):
        calls.append(cfg)
        yield Event("pretrain", 1, 10, {"train_loss": 3.0})
        gate.wait(30)

    monkeypatch.setattr(sim.engine, "run_stream", run_stream)
    try:
        ann, bob = (open_app("rlhf", lang="en", seed="4242") for _ in range(2))
        for at in (ann, bob):
            at.button(key="train").click().run()
            assert not at.exception, [e.value for e in at.exception]
        job = ann.session_state["job"]
        assert bob.session_state["job"] is job, "one run for both"
        end = time.monotonic() + 60
        while not calls and time.monotonic() < end:  # its worker loads torch before the (fake) training starts
            time.sleep(0.05)
        assert len(calls) == 1, "one training for both"
        assert any("1 other participant asked" in c.value for c in bob.caption)  # one: the singular
        ann.run()  # this server timed itself: the time left is said
        assert any(i.value.startswith("Training: ") and " left)" in i.value for i in ann.info), ann.info
        monkeypatch.setattr(Board, "remaining_s", lambda self, job: None)  # a server that could not time itself
        monkeypatch.setattr(Board, "done_in_s", lambda self, job: None)
        ann.run()
        training = [i.value for i in ann.info if i.value.startswith("Training: ")]
        assert training and not any("time appears" in v for v in training), [i.value for i in ann.info]
        cat = open_app("rlhf", lang="en", seed="4243")
        cat.button(key="train").click().run()
        assert any("you are number 1" in i.value for i in cat.info), [i.value for i in cat.info]
        assert not any("done in the time appears" in i.value for i in cat.info), [i.value for i in cat.info]
        queued = cat.session_state["job"]
        assert queued.queued and len(calls) == 1
        cat.button(key="stop_job").click().run()
        assert queued.done and queued.stopped and len(calls) == 1, "a cancelled queued run never trains"
    finally:
        gate.set()


def test_moving_the_leash_trains_the_other_stops_ahead_nearest_first_and_the_page_counts_them(monkeypatch):
    """Issue 16: the first move of the KL slider on new settings trains the stop moved to, then, while the server is
    idle, the five other stops, nearest first; the page says how many are ready and how many train. Faked runs."""
    import threading

    import sim.engine
    from sim.events import Event
    from sim.jobs import config_key
    from ui import session

    gate, calls = threading.Event(), []

    def run_stream(cfg, cache):
        calls.append(cfg.ppo.kl_coef)
        yield Event("ppo", 1, 10, {})
        gate.wait(30)
        yield Event("done", 1, 1, {}, True, {"result": {}})

    monkeypatch.setattr(sim.engine, "run_stream", run_stream)
    monkeypatch.setenv("WUJI_PREFETCH", "1")
    forget(session.cache())
    try:
        at = open_app("rlhf", lang="en", seed="4242", kl="0.1")
        at.select_slider(key="w_kl").set_value(0.3).run()
        assert not at.exception, [e.value for e in at.exception]
        job, board = at.session_state["job"], session.server().board
        assert job.cfg.ppo.kl_coef == 0.3 and job.purpose == "work"
        ahead = [board.live(config_key(job.cfg.replace(kl_coef=k))) for k in (0.1, 1.0, 0.03, 0.01, 0.0)]
        assert all(j is not None and j.purpose == "prefetch" for j in ahead)
        places = [board.place(j) for j in ahead]
        assert places == sorted(places) and places[0] > board.place(job), "nearest first, behind the visitor's run"
        assert any("0 of 6; the server trains 5 more" in c.value for c in at.caption), [c.value for c in at.caption]
        gate.set()
        assert all(j.join(30) for j in ahead)
        assert calls == [0.3, 0.1, 1.0, 0.03, 0.01, 0.0], "one training a stop, nothing twice"
    finally:
        gate.set()
        forget(session.cache())


def test_a_diverging_run_says_what_to_change_and_keeps_the_last_good_result_on_screen():
    """Bad input: the advanced learning-rate multiplier at ×100000. Pretraining blows up within a few
    steps (really, no fake): the page names the divergence and the knob, and still shows the last run."""
    at = open_app("pretrain", lang="en")
    assert at.get("plotly_chart") and not at.error
    at.select_slider(key="w_lr").set_value(100000.0).run()
    assert at.query_params["lr"] == "100000" and at.button(key="train")
    at.button(key="train").click().run()
    job = at.session_state["job"]
    assert job.join(120) and "pretrain diverged" in job.error
    at.run()
    assert not at.exception
    assert any("Training failed: pretrain diverged" in e.value for e in at.error)
    assert any("Advanced settings back to ×1" in i.value for i in at.info)
    assert any("below is the last finished run (pretraining 1000 steps" in c.value for c in at.warning), \
        "named as that run's"
    assert at.get("plotly_chart"), "the last good result stays on screen"


def test_a_room_password_guards_every_page(monkeypatch):
    """With $WUJI_PASSWORD set, a tab sees only the password box until the right password is typed;
    a wrong one says so and keeps the box."""
    monkeypatch.setenv("WUJI_PASSWORD", "九阳-2026")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.get("plotly_chart") and [t.label for t in at.text_input] == ["Room password"]
    at.text_input(key="password").input("wrong").run()
    assert [e.value for e in at.error] == ["That is not the password. Try again."] and not at.get("plotly_chart")
    at.text_input(key="password").input("九阳-2026").run()
    assert not at.exception and at.session_state["admitted"]
    assert [t.value for t in at.title] == [texts.t("app_title", "en")] and at.get("plotly_chart")


def test_a_value_between_slider_stops_snaps_to_the_nearest_with_a_note():
    at = open_app("rlhf", kl="0.05", lang="en")
    assert at.session_state["values"]["kl"] == 0.03 and at.query_params["kl"] == "0.03"
    assert any("kl=0.05" in w.value for w in at.warning)


def test_a_bad_worker_count_on_the_server_warns_and_trains_one_at_a_time(monkeypatch):
    from ui import session

    monkeypatch.setenv("WUJI_WORKERS", "lots")
    forget(session.cache())  # the server state is made once: make it again under the bad setting
    try:
        at = open_app("rlhf", lang="en")
        assert any("WUJI_WORKERS must be a whole number" in w.value for w in at.warning)
        assert at.get("plotly_chart"), "the page still works"
        assert session.server().board.workers == 1
    finally:
        forget(session.cache())


def test_streamlit_runs_a_page_without_app_py_and_the_page_routes_itself(monkeypatch):
    """The one Streamlit behaviour the app works around (ui/frame.py): while ``PagesManager.uses_pages_directory``
    holds (an app with a pages/ folder, until a session calls st.navigation; AppTest resets it before every
    run), Streamlit 1.67 runs a page script directly, without app.py (``_mpa_v1`` in script_runner.py). If this
    test fails after a Streamlit upgrade, that behaviour changed: check whether ``frame.ensure`` is still needed."""
    from ui import frame

    calls = []
    route, ensure = frame.route, frame.ensure
    monkeypatch.setattr(frame, "route", lambda: calls.append("route") or route())
    monkeypatch.setattr(frame, "ensure", lambda: calls.append("ensure") or ensure())
    at = open_app("home", lang="en")
    assert calls == ["route", "ensure"], "the first run goes through app.py, then the page"
    at.switch_page("pages/sft.py").run()
    assert calls[2:] == ["ensure", "route", "ensure"], "Streamlit ran pages/sft.py without app.py; it routed itself"
    assert [t.value for t in at.title] == [texts.t("page_sft", "en")] and not at.exception
    assert [r.key for r in at.sidebar.radio] == ["w_lang", "w_lens"], "the full sidebar, as app.py draws it"


def test_a_page_reached_without_app_py_keeps_its_clicks_and_its_controls():
    """switch_page then a click: the frame runs inside the page's own run (no rerun), so the click arrives."""
    at = open_app("tour", lang="en")
    assert at.session_state["values"]["step"] == 1
    at.button(key="tour_next").click().run()
    assert not at.exception and at.session_state["values"]["step"] == 2 and at.query_params["step"] == "2"
    at.sidebar.radio(key="w_lang").set_value("zh").run()
    assert at.title[0].value == texts.t("page_tour", "zh") and at.session_state["values"]["step"] == 2


@pytest.mark.parametrize(("locale", "lang"), [("en-GB", "en"), ("zh-Hant-TW", "zh"), ("zh_CN", "zh"), ("fr-FR", None),
                                             ("", None), (None, None), ("english", None)])
def test_the_browser_language_maps_to_the_apps(locale, lang):
    assert state.browser_lang(locale) == lang


@pytest.mark.parametrize(("locale", "used"), [("en-US", "en"), ("zh-CN", "zh"), ("fr-FR", "zh")])
def test_a_language_the_app_does_not_speak_falls_back_to_the_visitors_own(locale, used):
    """Issue 12 item 8: ?lang=fr switched an English visitor to Chinese."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.context["locale"] = locale
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["values"]["lang"] == used and at.query_params["lang"] == used
    warning = " ".join(w.value for w in at.warning)
    assert "lang=fr" in warning, warning
    assert texts.t("tagline", used) in texts_of(at), "the page speaks the language used"
