"""Streamlit glue of the trade-off explorer and the deepened challenges page: the sweep, the other methods and
the annotator runs as jobs on the server's Board (every visitor shares them), their polling, memoized reads of
what is finished, the grid's sliders and analogy boxes. No math here (ui.tradeoff, sim.sweep).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter

import streamlit as st

from sim import annotators, sweep
from sim.cache import cached_result, stage_keys
from sim.config import STAGES, preset
from sim.cost import stage_flops
from sim.jobs import Job, config_key
from sim.methods import cached_method, method_key, variant
from sim.world import World
from ui import labels, poll, session, sidebar, state, texts, tradeoff
from ui import widgets as w

POLL_S = 2.0  # how often a waiting page looks at its job
REDRAW_S = 8.0  # while the sweep fills, redraw the charts at most this often (a full page run)
GRID_BIAS = (0.0, 0.5, 0.9)
GRID_SEEDS = (0, 1, 2)
VOTES = (1, 3, 5)


def grid_stops() -> tuple[tuple, tuple, tuple]:
    """(kl stops, bias stops, seeds) of the map. ``WUJI_EXPLORER_GRID="kl=0,0.1;bias=0,0.9;seeds=0"`` draws a
    smaller one (a slow machine, a test); a bad value is ignored with a warning on the page."""
    kls, biases, seeds = state.KL_STOPS, GRID_BIAS, GRID_SEEDS
    raw = os.environ.get("WUJI_EXPLORER_GRID", "")
    if not raw:
        return kls, biases, seeds
    try:
        parts = dict(p.split("=", 1) for p in raw.split(";") if p.strip())
        kls = tuple(sorted(float(x) for x in parts.get("kl", ",".join(map(str, kls))).split(",")))
        biases = tuple(sorted(float(x) for x in parts.get("bias", ",".join(map(str, biases))).split(",")))
        seeds = tuple(sorted(int(x) for x in parts.get("seeds", ",".join(map(str, seeds))).split(",")))
        if not (set(kls) <= set(state.KL_STOPS) and set(biases) <= set(state.BIAS_STOPS) and seeds):
            raise ValueError(raw)
    except ValueError:
        st.warning(texts.t("ex_bad_grid", sidebar.values()["lang"], raw=raw))
        return state.KL_STOPS, GRID_BIAS, GRID_SEEDS
    return kls, biases, seeds


def base(lang: str):
    return preset(state.preset_name(), lang=lang)


def grid(lang: str) -> list:
    kls, biases, seeds = grid_stops()
    return sweep.grid(base(lang), kls, biases, seeds)


# -- sliders and boxes --------------------------------------------------------------------------------------
def _commit(name: str) -> None:
    sidebar.update(**{name: session.GRID(name).get()})


def grid_slider(name: str, label_key: str, stops, lang: str) -> float:
    """A slider over the map's stops bound to the shared URL value ``name`` (a value off the grid shows the
    nearest stop and says so; moving the slider writes the stop back, so the link follows)."""
    value = sidebar.values()[name]
    near = tradeoff.nearest(value, stops)
    session.GRID(name).set(near)
    st.select_slider(texts.t(label_key, lang), options=list(stops), key=session.GRID.key(name), on_change=_commit,
                     args=(name,))
    if abs(near - value) > 1e-9:
        st.caption(texts.t("ex_not_in_grid", lang, bias=value, near=near, stops=", ".join(f"{s:g}" for s in stops)))
    return near


def analogy(name: str, nums: dict | None, lens: str, lang: str) -> None:
    if nums is None:
        return
    text = texts.panel(name, lens, lang, nums)
    with st.container(border=True):
        st.markdown(f"**{texts.t('analogy', lang)} · {texts.lens_title(lens, lang)}**")
        st.markdown(text)


# -- memoized reads of finished work ------------------------------------------------------------------------
def _stamp(entries: list[tuple[str, str]]) -> tuple | None:
    """The manifests' modification times of cache entries (stage, key); None while one is missing."""
    cache, out = session.cache(), []
    for stage, key in entries:
        p = cache.path(stage, key)
        try:
            out.append((p / "manifest.json").stat().st_mtime_ns)
        except (OSError, TypeError):
            return None
    return tuple(out)


def _run_entries(cfg) -> list[tuple[str, str]]:
    keys = stage_keys(cfg)
    return [(s, keys[s]) for s in STAGES]


@st.cache_data(show_spinner=False, max_entries=4096)
def _doc(key: str, stamp: tuple, root: str, _cfg) -> dict | None:
    return cached_result(_cfg, session.cache())


@st.cache_data(show_spinner=False, max_entries=1024)
def _method(key: str, stamp: tuple, root: str, method: str, _cfg) -> dict | None:
    return cached_method(_cfg, method, session.cache())


@st.cache_data(show_spinner=False, max_entries=4096)
def _summary(key: str, stamp: tuple, root: str, _cfg) -> dict | None:
    doc = cached_result(_cfg, session.cache())
    return None if doc is None else sweep.summary(_cfg, doc)


def finished(cfg) -> dict | None:
    """The result document of cfg when all of it is cached (memoized until the cache entry changes)."""
    stamp = _stamp(_run_entries(cfg))
    return None if stamp is None else _doc(config_key(cfg), stamp, str(session.cache().root), cfg)


def rows(cfgs: list, job: Job | None = None) -> list[dict]:
    """Sweep rows of the finished runs of ``cfgs``: from the cache, and from the job's events (no cache)."""
    out, root = {}, str(session.cache().root)
    for c in cfgs:
        stamp = _stamp(_run_entries(c))
        row = None if stamp is None else _summary(config_key(c), stamp, root, c)
        if row is not None:
            out[(c.ppo.kl_coef, c.reward.reward_bias, c.seed)] = row
    if job is not None:
        for ev in job.snapshot():
            if ev.stage == "sweep":
                r = ev.extra["row"]
                out.setdefault((r["kl_coef"], r["reward_bias"], r["seed"]), r)
    return list(out.values())


def method_docs(cfg) -> dict:
    """{name: document} of the other methods and variants (tradeoff.METHODS, sim.methods.VARIANTS) for cfg:
    cached, or from this visitor's finished job."""
    out = {}
    for name in tradeoff.METHODS:
        c, m = variant(cfg, name)
        key = method_key(c, m)
        stamp = _stamp([(m, key)])
        doc = None if stamp is None else _method(key, stamp, str(session.cache().root), m, c)
        if doc is not None:
            out[name] = doc
    job = session.METHODS_JOB.get()
    if job is not None and job.key == sweep.methods_key(cfg, tradeoff.METHODS) and job.result:
        out = {**job.result, **out}
    return out


# -- jobs on the Board --------------------------------------------------------------------------------------
def _eta(cfg, missing: dict) -> float | None:
    """Measured seconds to train ``missing`` ({stage: how many entries of it}) on this server (None: unmeasured)."""
    return w.eta(cfg, list(Counter(missing).elements()))


def _submit(slot: session.Slot, cfg, estimate: float, stream=None, key: str = "") -> Job:
    job = session.server().board.submit(cfg, session.visitor(), estimate_s=estimate, stream=stream, key=key)
    slot.set(job)
    session.LEFT(slot.name).pop()
    return job


def _watch(slot: session.Slot, job: Job, lang: str, message, redraw=None) -> None:
    """Poll a job this visitor waits for (``ui.poll.watch``): its progress bar, and a full page run when
    ``redraw(job)`` says there is more to draw."""

    def status(j: Job) -> None:
        frac, text = message(j)
        st.progress(frac, text=text)

    def left(_others: int) -> None:  # this visitor left a job others still wait for: it goes on without them
        slot.pop()
        session.LEFT(slot.name).set(job.key)

    poll.watch(job, lang, slot, status, on_leave=left, redraw=redraw, every=POLL_S)


def _ended(job: Job | None, lang: str) -> None:
    if job is not None and job.done and job.error:
        st.error(texts.t("job_failed", lang, msg=job.error))
    elif job is not None and job.done and job.stopped:
        st.info(texts.t("job_stopped", lang))


def sweep_job(cfgs: list) -> Job | None:
    """This visitor's sweep job for ``cfgs``; a visitor arriving while someone's sweep runs joins it."""
    key = sweep.sweep_key(cfgs)
    job = session.SWEEP_JOB.get()
    if job is not None and job.key == key:
        return job
    live = session.server().board.live(key)
    if live is not None and session.LEFT(session.SWEEP_JOB.name).get() != key:
        return _submit(session.SWEEP_JOB, cfgs[0], 0, stream=live.stream, key=key)
    return None


def sweep_section(cfgs: list, lang: str) -> list[dict]:
    """The sweep's status, its Start button or its progress; returns the rows finished so far."""
    job = sweep_job(cfgs)
    found = rows(cfgs, job)
    kls, biases, seeds = grid_stops()
    st.caption(texts.t("ex_status", lang, done=len(found), total=len(cfgs), n_kl=len(kls), n_bias=len(biases),
                       n_seed=len(seeds)))
    if job is not None and not job.done:
        session.SWEEP_DRAWN.set((len(found), time.monotonic()))

        def message(j):
            n = sum(e.stage == "sweep" for e in j.snapshot())
            return n / len(cfgs), texts.t("ex_running", lang, i=min(n + 1, len(cfgs)), n=len(cfgs), sec=j.elapsed())

        def redraw(j):
            n = sum(e.stage == "sweep" for e in j.snapshot())
            drawn, at = session.SWEEP_DRAWN.get((0, 0.0))
            return n > drawn and time.monotonic() - at > REDRAW_S

        _watch(session.SWEEP_JOB, job, lang, message, redraw)
        return found
    _ended(job, lang)
    if len(found) == len(cfgs):
        st.success(texts.t("ex_done", lang))
        return found
    eta = _eta(cfgs[0], sweep.missing(cfgs, session.cache()))
    st.caption(texts.t("ex_eta", lang, eta=texts.duration(eta, lang)))
    if eta is None:
        w.measure(cfgs[0], lang)
    if st.button(texts.t("ex_start", lang), key="start_sweep", type="primary"):
        _submit(session.SWEEP_JOB, cfgs[0], eta,
                stream=lambda cfg, cache: sweep.sweep_stream(cfgs, cache), key=sweep.sweep_key(cfgs))
        st.rerun()
    if not found:
        st.info(texts.t("ex_empty", lang))
    return found


def methods_section(cfg, lang: str) -> dict:
    """Best-of-n, DPO, RLOO and GRPO's variants for cfg: the button or the progress; returns the documents."""
    docs = method_docs(cfg)
    key = sweep.methods_key(cfg, tradeoff.METHODS)
    job = session.METHODS_JOB.get()
    if job is not None and job.key == key and not job.done:

        def message(j):
            events = j.snapshot()
            m = next((e.extra["method"] for e in reversed(events) if e.extra.get("method")), None)
            done = sum(e.stage == "methods" for e in events)
            name = labels.method(m, lang) if m else labels.stage("reward", lang)
            return done / len(tradeoff.METHODS), texts.t("ex_methods_running", lang, method=name, sec=j.elapsed())

        _watch(session.METHODS_JOB, job, lang, message)
        return docs
    if job is not None and job.key == key:
        _ended(job, lang)
    if len(docs) < len(tradeoff.METHODS):
        missing = sweep.missing([cfg], session.cache())
        runs = Counter(variant(cfg, n)[1] for n in tradeoff.METHODS if n not in docs)  # {method: variants to train}
        eta = _eta(cfg, {**{s: n for s, n in missing.items() if s != "rlhf"}, **runs})
        # calibration times the pipeline's stages, not the methods: they are timed the first time they train
        said = texts.duration(eta, lang) if eta is not None else texts.t("eta_methods_unmeasured", lang)
        st.caption(texts.t("ex_methods_eta", lang, eta=said))
        label = texts.t("ex_methods_btn", lang, seed=cfg.seed, bias=cfg.reward.reward_bias, kl=cfg.ppo.kl_coef)
        if st.button(label, key="start_methods"):
            _submit(session.METHODS_JOB, cfg, eta, key=key,
                    stream=lambda c, cache: sweep.methods_stream(c, tradeoff.METHODS, cache))
            st.rerun()
    return docs


# -- the annotator experiment (challenges) ------------------------------------------------------------------
def judging_config(cfg, rubric: bool, votes: int):
    return dataclasses.replace(cfg, reward=dataclasses.replace(cfg.reward, diverse=True, rubric=rubric, votes=votes))


def judging_docs(cfg) -> dict:
    """{(rubric, votes): result document} of every finished annotator setting at cfg's bias, leash and seed."""
    out = {}
    job = session.JUDGING_JOB.get()
    for rubric in (False, True):
        for votes in VOTES:
            c = judging_config(cfg, rubric, votes)
            doc = finished(c)
            if doc is None and job is not None and job.cfg == c and job.result:
                doc = job.result
            if doc is not None:
                out[(rubric, votes)] = doc
    return out


def judging_section(cfg, rubric: bool, votes: int, lang: str) -> None:
    """The Train button for the current annotator setting, or its progress."""
    target = judging_config(cfg, rubric, votes)
    job = session.JUDGING_JOB.get()
    if job is not None and job.cfg == target and not job.done:

        def message(j):
            done = j.progress()
            return sum(done.values()) / len(done), texts.t("bosses_running", lang, sec=j.elapsed())

        _watch(session.JUDGING_JOB, job, lang, message)
        return
    if job is not None and job.cfg == target:
        _ended(job, lang)
    if finished(target) is None and not (job is not None and job.cfg == target and job.result):
        label = texts.t("bosses_train", lang, rubric=texts.t("rubric_on" if rubric else "rubric_off", lang),
                        votes=votes)
        if st.button(label, key="train_judging"):
            poll.leave(job)  # the visitor moved on to another setting
            _submit(session.JUDGING_JOB, target, _eta(target, sweep.missing([target], session.cache())))
            st.rerun()


def boss_stats(cfg, rubric: bool, votes: int) -> tuple[list[list], dict, float]:
    """(disagreement matrix, {rubric: {votes: label error}}, label error now) of the diverse panel."""
    return _boss_stats(cfg.lang, cfg.seed, cfg.reward.reward_bias, cfg.reward.n_annotators, rubric, votes)


@st.cache_data(show_spinner=False, max_entries=256)
def _boss_stats(lang: str, seed: int, bias: float, n: int, rubric: bool, votes: int):
    world = World(lang, seed)
    matrix = annotators.disagreement(world, bias, annotators.Judging(True, rubric, 1), n, seed)
    errors = {on: {v: annotators.label_error(world, bias, annotators.Judging(True, on, v), n, seed) for v in VOTES}
              for on in (False, True)}
    return matrix, errors, errors[rubric][votes]


def remedies(cfg) -> dict:
    """What the most votes a pair (``VOTES``, at most the panel's size) and a rubric would do to the labels of
    ``cfg``'s reward stage (sim.annotators.remedies)."""
    return _remedies(cfg.lang, cfg.seed, cfg.reward, max(v for v in VOTES if v <= cfg.reward.n_annotators))


@st.cache_data(show_spinner=False, max_entries=256)
def _remedies(lang: str, seed: int, reward, most_votes: int) -> dict:
    return annotators.remedies(World(lang, seed), reward, seed, most_votes)


@st.cache_data(show_spinner=False, max_entries=64)
def _flops(cfg) -> dict:
    return stage_flops(cfg)


def flops(cfg) -> dict:
    """FLOPs each stage of cfg spends training (sim.cost), memoized."""
    return _flops(cfg)
