"""Thin Streamlit glue the pages share: results, the per-visitor training Job and its live page body,
analogy panels, charts with PNG export, and CSV downloads. No math here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from sim.cache import cached_result, default_cache_dir, is_cached, stage_keys
from sim.config import STAGES, preset
from sim.jobs import Job, config_key
from ui import charts, frame, labels, narrate, poll, present, session, sidebar, state, texts


@st.cache_data(show_spinner=False, max_entries=64)
def _load(cfg, root: str) -> dict | None:
    return cached_result(cfg, session.cache())


def config(values: dict):
    try:
        return preset(
            state.preset_name(),
            kl_coef=values["kl"],
            reward_bias=values["bias"],
            pretrain_steps=values["steps"],
            lang=values["lang"],
            seed=values["seed"],
            lr_scale=values["lr"],
            ptx_coef=values["ptx_coef"] if values.get("ptx") else 0.0,
        )
    except ValueError as e:
        st.error(str(e))
        return preset(state.preset_name(), lang=values["lang"])


def result_for(cfg) -> dict | None:
    """The finished result for cfg: from this visitor's job, else from the disk cache, else None."""
    job = session.JOB.get()
    if job is not None and job.cfg == cfg and job.result is not None:
        return job.result
    if is_cached(cfg, session.cache()):
        return _load(cfg, str(default_cache_dir()))
    return None


def job_for(cfg) -> Job | None:
    job = session.JOB.get()
    return job if job is not None and job.cfg == cfg else None


def start(cfg, before_leaving: Callable[[], None] | None = None) -> Job:
    """Join the server's run for cfg, or queue one (single flight; see sim.jobs.Board); then leave this visitor's
    run for another setting, after ``before_leaving()`` (which may ask the Board to keep it as a prefetch)."""
    old = session.JOB.get()
    if old is not None and not old.done and old.cfg == cfg:
        return old
    job = session.server().board.submit(cfg, session.visitor(), estimate_s=eta(cfg))
    session.JOB.set(job)
    if before_leaving is not None:
        before_leaving()
    if old is not None and old.cfg != cfg:
        poll.leave(old)  # the visitor moved on: the run for the old setting is no longer theirs
    return job


def _left_run(others: int) -> None:
    session.JOB.pop()
    session.LEFT_RUN.set(others)


def header(key: str) -> tuple[dict, str, str]:
    """The page title and the shared state: (values, lang, lens). A page's first call (it draws the frame
    when Streamlit ran the page without app.py: ui/frame.py)."""
    frame.ensure()
    v = sidebar.values()
    st.title(texts.t(key, v["lang"]))
    warning = session.cache().warning
    if warning:
        st.warning(texts.t("cache_warning", v["lang"], msg=warning))
    server = session.server()
    for msg in (server.board.warning, server.room.warning):  # a bad WUJI_WORKERS; a database that did not open
        if msg:
            st.warning(texts.t("server_warning", v["lang"], msg=msg))
    return v, v["lang"], v["lens"]


def control(widget, name: str, label_key: str, lang: str, **kw):
    return sidebar.control(widget, name, texts.t(label_key, lang), **kw)


def autostart(cfg) -> None:
    """A moved KL or bias slider reruns PPO at once (unless the result is already cached), and the other leash
    stops of these settings train while the server is idle, so that the next moves show at once."""
    if not sidebar.consume_autostart():
        return
    if not is_cached(cfg, session.cache()):
        start(cfg, lambda: prefetch_leash(cfg))  # the run it leaves, if one of these stops, goes on as a prefetch
        return
    prefetch_leash(cfg)
    old = session.JOB.get()
    if old is not None and old.cfg != cfg:
        poll.leave(old)  # the slider moved on to a cached setting: the old run is no longer wanted here


def leash_stops(cfg) -> list:
    """cfg at every stop of the KL slider, nearest first (the likely next moves)."""
    stops = state.KL_STOPS
    here = stops.index(cfg.ppo.kl_coef) if cfg.ppo.kl_coef in stops else 0
    return [cfg.replace(kl_coef=k) for k in sorted(stops, key=lambda k: abs(stops.index(k) - here))]


def prefetch_leash(cfg) -> None:
    """Ask the server to train the leash stops of cfg's settings that are not cached (``Board.prefetch``)."""
    board = session.server().board
    for other in leash_stops(cfg)[1:]:
        if not is_cached(other, session.cache()):
            board.prefetch(other, session.visitor(), estimate_s=eta(other))


def leash_counts(cfg) -> tuple[int, int, int]:
    """(leash stops of cfg's settings that are cached, all stops, stops the server trains ahead: ``Board.prefetch``,
    not yet asked for by anyone)."""
    board, cache = session.server().board, session.cache()
    stops = leash_stops(cfg)
    ready = [is_cached(c, cache) for c in stops]
    ahead = [board.live(config_key(c)) for c, done in zip(stops, ready) if not done]
    return sum(ready), len(ready), sum(j is not None and j.purpose == "prefetch" for j in ahead)


def leash_caption(cfg, lang: str) -> None:
    """How many leash stops of these settings show at once, and how many the server trains ahead: measured from
    the cache and the Board, redrawn every ``poll.LIVE_S`` s while the server trains some (then the page reruns)."""
    first = leash_counts(cfg)

    @st.fragment(run_every=poll.LIVE_S if first[2] else None)
    def caption():
        ready, total, pending = leash_counts(cfg)
        if first[2] and not pending:
            st.rerun()
        if ready == total:
            st.caption(texts.t("leash_all_ready", lang, total=total))
        elif pending:
            st.caption(texts.t("leash_training", lang, ready=ready, total=total, pending=pending))
        elif ready:
            st.caption(texts.t("leash_ready", lang, ready=ready, total=total))

    caption()


def progress(job: Job, lang: str) -> None:
    done = job.progress()
    cached = {e.stage for e in job.snapshot() if e.extra.get("cached")}
    for s in STAGES:
        name = labels.stage(s, lang)
        msg = (
            texts.t("stage_cached", lang, stage=name)
            if s in cached
            else texts.t("stage_progress", lang, stage=name, pct=done[s])
        )
        st.progress(done[s], text=msg)


def body(cfg, lang: str, draw, train_button: str = "train") -> None:
    """Draw the page body: live (``ui.poll.watch``) while this visitor's job for cfg runs, or from the finished
    result; with the job's controls and messages."""
    job = job_for(cfg)
    if job is not None and not job.done:

        def status(j: Job) -> None:
            stage = j.current_stage()
            if stage is None:
                st.info(texts.t("preparing", lang, sec=j.elapsed()))
            else:  # the time left only where measured: "… s so far" alone, not "… the time appears once … left"
                left = session.server().board.remaining_s(j)
                name = labels.stage(stage, lang)
                if left is None:
                    st.info(texts.t("running", lang, stage=name, sec=j.elapsed()))
                else:
                    st.info(texts.t("running_left", lang, stage=name, sec=j.elapsed(), left=texts.duration(left, lang)))
            progress(j, lang)

        poll.watch(job, lang, session.JOB, status, on_leave=_left_run,
                   live=lambda j: draw(narrate.partial_doc(j.snapshot(), dataclasses.asdict(j.cfg)), True))
        return
    left = session.LEFT_RUN.pop()
    if left:
        st.info(texts.t("left_run", lang, n=left))
    if job is not None and job.error:
        st.error(texts.t("failed", lang, msg=job.error))
        if "diverged" in job.error and sidebar.values()["lr"] != 1:
            st.info(texts.t("diverged_hint", lang, lr=sidebar.values()["lr"]))
    elif job is not None and job.stopped:
        st.info(texts.t("stopped", lang))
    doc = result_for(cfg)
    if doc is None:
        v = sidebar.values()
        st.info(
            texts.t(
                "not_trained",
                lang,
                steps=v["steps"],
                bias=v["bias"],
                kl=v["kl"],
                seed=v["seed"],
                eta=texts.duration(eta(cfg), lang),
                button=texts.t(train_button, lang),
            )
        )
        measure(cfg, lang)
        if st.button(texts.t(train_button, lang), type="primary", key="train"):
            start(cfg)
            st.rerun()
        last = session.LAST_DOC.get()
        if last is not None and last["config"]["lang"] == lang:  # another language's world is never drawn
            st.warning(texts.t("showing_last", lang, what=run_settings(last["config"], lang)))
            draw(last, False)  # its panels cite that run's own config, not the sliders
        else:
            draw({}, False)
        return
    session.LAST_DOC.set(doc)
    draw(doc, False)


def run_settings(c: dict, lang: str) -> str:
    """A finished run's settings, as the notice above its numbers names them."""
    return texts.t("run_settings", lang, steps=c["pretrain"]["steps"], bias=f"{c['reward']['reward_bias']:g}",
                   kl=f"{c['ppo']['kl_coef']:g}")


def missing(cfg) -> list[str]:
    """The stages of cfg that are not cached yet."""
    cache, keys = session.cache(), stage_keys(cfg)
    paths = {s: cache.path(s, keys[s]) for s in STAGES}
    return [s for s, p in paths.items() if p is None or not (p / "manifest.json").exists()]


def eta(cfg, stages: list[str] | None = None) -> float | None:
    """Seconds to train ``stages`` of cfg (default: those not cached yet) at this server's measured speed
    (sim/speed.py); None while the server has not measured it."""
    return session.server().board.book.estimate(cfg, missing(cfg) if stages is None else stages)


def measure(cfg, lang: str) -> None:
    """A server that cannot time a run of cfg yet measures its speed (a few steps of every stage, as a Board
    job) while the page says so; the page reruns with the measured time when it is done."""
    job = session.server().board.calibration(cfg, session.visitor())
    if job is None:
        return
    session.CALIBRATION.set(job)
    poll.watch(job, lang, session.CALIBRATION, lambda j: st.caption(texts.t("measuring", lang, sec=j.elapsed())),
               stop=False)


def analogy(name: str, doc: dict | None, live_rlhf: list | None = None, words=None) -> None:
    """An analogy panel in the sidebar's lens; ``words(lens, lang)`` gives sentences read from another document."""
    v = sidebar.values()
    text = narrate.panel(name, doc, v, v["lens"], v["lang"], live_rlhf, words and words(v["lens"], v["lang"]))
    if text is None:
        return
    with st.container(border=True):
        st.markdown(f"**{texts.t('analogy', v['lang'])} · {texts.lens_title(v['lens'], v['lang'])}**")
        st.markdown(text)


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(digest: str, room: str | None, _build, _args: tuple, _kw: dict):
    """A chart built once for every visitor who shows the same thing (a plotly figure costs 0.1-0.2 s of CPU to
    build and style, more than the rest of a page: 40 participants on one setting build it once). ``digest``
    names the builder and its arguments; ``room`` is presenter mode's theme. The figure is shared, so it is
    frozen by convention: nothing changes it once built (st.plotly_chart reads a copy, ``Figure.to_dict``)."""
    fig = _build(*_args, **_kw)
    return None if fig is None else present.figure(fig, room)


def _plain(x):
    """JSON for what the chart builders take besides JSON's own types: dataclasses (a tour step, a config),
    arrays and sets. Anything else is refused: a key must name all of its data."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.asdict(x)
    if isinstance(x, set | frozenset):
        return sorted(x, key=repr)
    if hasattr(x, "tolist"):  # numpy arrays and scalars
        return x.tolist()
    raise TypeError(f"a chart's argument must be plain data, not {type(x).__name__}")


def figure(build, *args, **kw):
    """``build(*args, **kw)`` as this visitor's mode draws it, from the server's shared charts (None when the
    builder has nothing to draw). ``build`` is a module-level function; its arguments are plain data
    (documents, texts, numbers), keyed by their JSON: equal data, one figure."""
    data = json.dumps([build.__module__, build.__qualname__, args, kw], default=_plain, sort_keys=True)
    digest = hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
    return _figure(digest, present.room(), build, args, kw)


def chart(name: str, build, *args, key: str | None = None, **kw) -> bool:
    """Draw the chart ``build(*args, **kw)`` with its PNG export named ``name``; False when there was none."""
    fig = figure(build, *args, **kw)
    if fig is not None:
        config = charts.export_config(name, sidebar.lang(), room=present.room() is not None)
        st.plotly_chart(fig, config=config, key=key)
    return fig is not None


def png_hint(lang: str) -> None:
    st.caption(texts.t("png_hint", lang))


def csv(rows: list[dict], name: str, lang: str) -> None:
    if not rows:
        return
    data = pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
    st.download_button(
        texts.t("csv", lang), data, file_name=f"wuji-{name}.csv", mime="text/csv", key=f"csv_{name}"
    )


def metric(key: str, value, lang: str, fmt: str = "{:.0%}", delta=None, bad_up: bool = False) -> None:
    st.metric(
        labels.short(key, lang),
        "—" if value is None else fmt.format(value),
        delta=narrate.delta_text(delta, fmt),
        delta_color="inverse" if bad_up else "normal",
    )


def metric_row(rows: list[tuple], lang: str) -> None:
    for col, (key, value, fmt, delta, bad_up) in zip(st.columns(len(rows)), rows, strict=True):
        with col:
            metric(key, value, lang, fmt, delta=delta, bad_up=bad_up)


def sweep(cfg, knob: str, stops) -> list[tuple]:
    """(value, doc) for each stop of one knob whose run is already cached (nothing is trained)."""
    out = []
    for x in stops:
        other = cfg.replace(**{knob: x})
        if is_cached(other, session.cache()):
            doc = _load(other, str(default_cache_dir()))
            if doc is not None:
                out.append((x, doc))
    return out
