"""The guided tour as data, the named scenarios, and predict-then-see (no Streamlit here).

A step is one chart, one analogy panel and one thing to do, in one of the three stages. Its texts are the
catalogues' ``step.<key>.title`` and ``step.<key>.do`` (one a lens: ``ui.texts.step_text``); ``figure`` builds its
chart with ``ui.charts``. A step may suggest a scenario (a named set of URL values) and name the knob its action
moves. Moving between steps never changes a setting: a facilitator's sliders stay where they put them, and a
step whose scenario differs offers it as one click (with an undo).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sim.world import annotator_panel
from ui import charts, narrate, slides, state, texts


@dataclass(frozen=True)
class Step:
    key: str  # its texts: step.<key>.title and step.<key>.do (ui.texts.step_text)
    stage: int  # 0 pretraining, 1 fine-tuning, 2 RLHF
    chart: str  # a name in CHARTS
    panel: str  # an analogy panel: panel.<panel> in the catalogues (ui.texts.panel)
    needs: str  # the part of the result document the chart reads ("" = none)
    scene: str | None = None  # the scenario the step was written for (offered, never applied by next / back)
    knob: str | None = None  # the URL knob its action moves, drawn beside the chart
    question: str | None = None  # predict-then-see: the metric guessed before the result shows


STEPS = (
    Step("inner", 0, "loss", "pretrain", "pretrain", scene="balanced"),
    Step("budget", 0, "probe", "budget", "sft", scene="balanced"),
    Step("moves", 1, "radar", "sft", "sft", scene="balanced"),
    Step("judges", 2, "annotators", "annotators", "", scene="balanced", knob="bias"),
    Step("ppo", 2, "rlhf", "ppo", "rlhf", scene="balanced", knob="kl"),
    Step("predict", 2, "rlhf", "bias", "rlhf", scene="hacking", knob="kl", question="capability"),
    Step("rollback", 2, "rlhf", "rollback", "rlhf", scene="thumbs", knob="bias"),  # a real case: GPT-4o, April 2025
    Step("moral", 2, "gauges", "kl", "rlhf"),
)

# Named scenarios: each a set of URL values over the defaults. One click applies one.
SCENARIOS = {
    "balanced": {"kl": 0.1, "bias": 0.0},
    "hacking": {"kl": 0.0, "bias": 0.9},
    "leashed": {"kl": 1.0, "bias": 0.9},
    "weak": {"kl": 0.1, "bias": 0.0, "steps": 0},
    # The GPT-4o sycophancy rollback (OpenAI, 2 May 2025): users' thumbs-up mixed into the reward (the bias), while
    # the launch kept its other safeguards (the leash at its default).
    "thumbs": {"kl": 0.1, "bias": 0.9},
}
SCENARIO_TITLES = {"balanced": "sc_balanced", "hacking": "sc_hacking", "leashed": "sc_leashed", "weak": "sc_weak",
                   "thumbs": "sc_thumbs"}
VIEW = ("lang", "lens", "seed", "step", "present", "theme")  # what a scenario keeps: how and where one looks


def clamp(number: int) -> int:
    return min(max(int(number), 1), len(STEPS))


def step(number: int) -> Step:
    """The step with this 1-based number (the URL's ``step``), clamped to the tour."""
    return STEPS[clamp(number) - 1]


def scenario(name: str, values: dict) -> dict:
    """The scenario's values: every knob of a run at its default but the scenario's own; the view kept."""
    return {**state.defaults(), **{k: values[k] for k in VIEW if k in values}, **SCENARIOS[name]}


def scenario_of(values: dict) -> str | None:
    """The name of the scenario these values are in, if any."""
    return next((name for name in SCENARIOS if scenario(name, values) == values), None)


def go(values: dict, number: int) -> dict:
    """The values after moving to step ``number``: the step number changes, every setting stays."""
    return {**values, "step": clamp(number)}


def link(base: str, values: dict) -> str:
    """A shareable link: the page's address and every URL value."""
    return f"{base}?{urlencode(state.serialize(values))}"


def question_id(metric: str, values: dict) -> str:
    """One question a setting: guesses about different settings are counted apart."""
    return f"{metric}@bias={values['bias']:g},kl={values['kl']:g},steps={values['steps']},seed={values['seed']}"


def question_label(qid: str, lens: str, lang: str) -> str:
    """A question of ``question_id`` in the room's words: what was guessed, under which settings."""
    metric, _, settings = qid.partition("@")
    values = {"bias": "—", "kl": "—", "steps": "—", "seed": "—"}  # a setting the id lacks shows as a dash
    values.update(part.split("=", 1) for part in settings.split(",") if "=" in part)
    return texts.t("room_row", lang, what=texts.story_metric(metric, lens, lang), **values)


def outcome(doc: dict | None, metric: str) -> tuple[str, float, float] | None:
    """What really happened to ``metric`` over PPO: (up / flat / down, start, final), or None."""
    ends = narrate.rlhf_ends(doc)
    if ends is None:
        return None
    a, b = ends[0][metric], ends[1][metric]
    return ("up" if b > a + narrate.EPS else "down" if b < a - narrate.EPS else "flat"), a, b


def figure(st_: Step, doc: dict, values: dict, lang: str, cfg):
    """The step's chart from a result document (None when the document lacks what it needs)."""
    if st_.needs and not doc.get(st_.needs):
        return None
    if st_.chart == "loss":
        pre = doc["pretrain"]
        return charts.loss_curve(pre["history"], pre.get("losses", []), lang, values["lens"])
    if st_.chart == "probe":
        return charts.probe_curve(doc["pretrain"]["history"], lang)
    if st_.chart == "radar":
        hist = [h for h in doc["sft"]["history"] if h.get("per_task")]
        return charts.radar([(texts.t("checkpoint", lang, step=h["step"]), h["per_task"]) for h in hist[-3:]], lang)
    if st_.chart == "annotators":
        return charts.annotators(annotator_panel(cfg.reward.n_annotators, cfg.seed), values["bias"], lang)
    if st_.chart == "rlhf":
        return charts.rlhf_curves(doc["rlhf"]["history"], lang, total=cfg.ppo.iterations, lens=values["lens"])
    return charts.gauges(narrate.gauges(doc), lang)


def analogy_doc(st_: Step, doc: dict, cfg) -> dict:
    """The document an analogy panel reads (the judges' panel needs only the panel's size)."""
    if st_.panel == "annotators" and not doc.get("config"):
        return {"config": {"reward": {"n_annotators": cfg.reward.n_annotators}}}
    return doc


def guess_line(guess: str | None, doc: dict | None, metric: str, lens: str, lang: str) -> str | None:
    """The guess beside the result: 'you guessed ... · it ... (a → b) · right / not this time'."""
    real = outcome(doc, metric)
    if guess is None or real is None:
        return None
    trend, a, b = real
    verdict = texts.t("guess_right" if guess == trend else "guess_wrong", lang)
    return texts.t(
        "guess_vs_result", lang, guess=texts.t(texts.GUESSES[guess], lang), what=texts.story_metric(metric, lens, lang),
        trend=texts.trend(trend, lang), a=a, b=b, verdict=verdict,
    )


def settings_line(values: dict) -> str:
    return (
        f"steps={values['steps']} · bias={values['bias']:g} · kl={values['kl']:g} · seed={values['seed']}"
        f" · {texts.lens_title(values['lens'], values['lang'])}"
    )


def section(number: int, values: dict, doc: dict, cfg, guess: str | None = None) -> dict:
    """One slide of the report: the step's chapter, title, chart, analogy, what to try, and its question."""
    st_, lens, lang = step(number), values["lens"], values["lang"]
    note = None
    if st_.question:
        asked = texts.question(st_.question, lens, lang, bias=values["bias"], kl=values["kl"])
        note = " ".join(x for x in (asked, guess_line(guess, doc, st_.question, lens, lang)) if x)
    return {
        "chapter": f"{number} · {texts.chapter(st_.stage, lens, lang)}",
        "title": texts.step_text(st_.key, "title", lens, lang),
        "fig": figure(st_, doc, values, lang, cfg),
        "name": f"wuji-tour-{number}-{st_.key}",
        "analogy": narrate.panel(st_.panel, analogy_doc(st_, doc, cfg), values, lens, lang),
        "do": texts.step_text(st_.key, "do", lens, lang),
        "note": note,
    }


def report(values: dict, doc: dict, cfg, numbers, guesses: dict, link: str | None = None) -> str:
    """The HTML report of these tour steps (every step: the whole run) for one result document."""
    sections = [section(n, values, doc, cfg, guesses.get(n)) for n in numbers]
    return slides.report(sections, values["lang"], settings_line(values), link)
