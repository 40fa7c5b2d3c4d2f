"""Pure functions returning plotly figures (no Streamlit). Titles, axes and legends come from
ui.labels / ui.texts in the chosen language.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from sim import sweep as sw
from sim.cost import PUBLISHED
from sim.world import RLHF_HELD_OUT
from ui import labels, texts, theme, tradeoff

# Every chart uses plotly_white. Set once as the default: naming it in each figure made plotly validate
# and copy the template every time (~8 ms a figure, measured under the load test).
pio.templates.default = "plotly_white"
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, Helvetica, Arial, sans-serif"
COLORS = {
    "proxy_reward": "#b5473a",
    "gold_reward": "#2f7d4f",
    "capability": "#2f5d9e",
    "flattery": "#d49a1f",
    "surface_share": "#8a4fb0",
    "kl": "#555555",
    "val_loss": "#2f5d9e",
    "train_loss": "#9aa9c4",
    "probe_accuracy": "#2f7d4f",
    "format_rate": "#d49a1f",
    "pref_accuracy": "#b5473a",
    "gold_agreement": "#2f7d4f",
    "distinct_answers": "#1b8a8a",
}
PCT = {"tickformat": ".0%", "range": [0, 1.05]}


# What plotly.js itself writes on a chart, in its English (the titles of its modebar's buttons, the notices after
# its camera button or a zoom) -> the member of the catalogues' ``plotly.`` family that says it in the page's
# language. Plotly's ``locales`` config is its public way to translate them; the English must be plotly's own
# letter for letter (tests/test_browser_app.py reads a Chinese modebar's titles).
PLOTLY_WORDS = {
    "Download plot as a PNG": "png",
    "Download plot": "download",
    "Preparing image - this may take a few seconds": "preparing",
    "Image download succeeded": "downloaded",
    "Sorry, there was a problem downloading your image!": "failed",
    "Zoom": "zoom",
    "Pan": "pan",
    "Box Select": "box_select",
    "Lasso Select": "lasso_select",
    "Zoom in": "zoom_in",
    "Zoom out": "zoom_out",
    "Autoscale": "autoscale",
    "Reset axes": "reset_axes",
    "Toggle Spike Lines": "spikes",
    "Show closest data on hover": "hover_closest",
    "Compare data on hover": "hover_compare",
    "Double-click to zoom back out": "zoom_back",
}


# Presenter mode's charts keep two of plotly's modebar buttons, the camera and the reset of the axes: the row of
# seven, over a title set half as large again, covered the title's end while the mouse was on the chart. Dragging
# still zooms and a double click still resets (plotly's defaults), with or without their buttons.
ROOM_HIDDEN = ("zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d")


def export_config(name: str, lang: str, room: bool = False) -> dict:
    """Plotly's own modebar camera button saves a PNG in the browser (no kaleido needed); its buttons' titles and
    notices are in ``lang``. In a room (presenter mode) the modebar is short (``ROOM_HIDDEN``)."""
    words = {en: texts.member("plotly", key, lang) for en, key in PLOTLY_WORDS.items()}
    hidden = {"modeBarButtonsToRemove": list(ROOM_HIDDEN)} if room else {}
    return {
        **hidden,
        "locale": lang,
        "locales": {lang: {"dictionary": words}},
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"wuji-{name}",
            "scale": 2,
            "height": 540,
            "width": 960,
        },
    }


INK = "#2b2622"  # the text of a chart (the app's textColor): 13:1 on the page's background


def ink(fig: go.Figure, text: str, muted: str) -> go.Figure:
    """Every text of fig in ``text`` (titles, legend, annotations) or ``muted`` (ticks, axis titles), named
    explicitly: left unset, Streamlit's chart theme draws ticks in a grey of 3.5:1 (issue 12 item 3)."""
    fig.update_layout(font_color=text, legend_font_color=text, title_font_color=text,
                      title_subtitle_font_color=text)
    axis = {"tickfont_color": muted, "title_font_color": muted}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_polars(radialaxis_tickfont_color=muted, angularaxis_tickfont_color=text)
    for tr in fig.data:
        if tr.type == "indicator":
            tr.gauge.axis.tickfont.color = muted
            tr.gauge.axis.tickcolor = muted
            tr.title.font.color = text
    return fig


# A legend under the plot sits on the figure's bottom edge, not at a share of the plot's height below it: at a
# projector's font sizes the latter ran onto the x-axis title. The bottom margin holds ticks, title and legend.
LEGEND_BELOW = {"yref": "container", "y": 0.01, "yanchor": "bottom"}
TITLE_COLS = 44  # a chart's title wraps beyond this many columns (labels.width): it fits a 3:2 page column
SUBPLOT_COLS = 66  # the panels' titles share this many columns between them (three: 22 each)
# px between a panel's title and its plot: a tick at the top of the axis ("1", "100%") sets its label's middle on
# the plot's top edge, and a title wider than its panel then sat on that label (the tour at 1280 px)
PANEL_LIFT = 10


TITLE_LINE, TITLE_PAD = 24, 14  # px a title's line adds to the top margin; px over a wrapped title (see _style)


def room_title(title: str, scale: float) -> tuple[str, int]:
    """A title ``_style`` wrapped at ``TITLE_COLS``, wrapped again for type ``scale`` times larger, so that it spans
    no wider than before (and leaves the corner where the modebar shows free); and how many lines that added. A
    title whose lines were broken by hand, narrower than that, stays as it is."""
    again = labels.rewrap(title, int(TITLE_COLS / scale))
    more = again.count("<br>") - title.count("<br>")
    return (again, more) if more >= 0 else (title, 0)


def _style(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    """The house look: the title wrapped to fit a narrow column, and a top margin that holds its lines, the
    panels' titles (wrapped alike) and, above a single plot, the legend's row."""
    panels = [a for a in fig.layout.annotations if a.yanchor == "bottom" and a.yref == "paper"]  # make_subplots'
    across = sum(a.y == max(p.y for p in panels) for a in panels)  # the panels of the top row
    for a in panels:
        a.text = labels.wrap(a.text, SUBPLOT_COLS // max(1, across))
        a.yshift = PANEL_LIFT
    title = labels.wrap(title, TITLE_COLS)
    lines = title.count("<br>") + 1
    sub_lines = max((a.text.count("<br>") + 1 for a in panels), default=0)
    top = 40 + TITLE_LINE * lines + (20 * sub_lines + PANEL_LIFT if panels else 26)
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": 17},
            "x": 0.0,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": TITLE_PAD if lines > 1 else 0},  # plotly sets a wrapped title's first line on y, not under it
        },
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 20, "t": top, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return ink(fig, INK, INK)


def _line(fig, rows, key, lang, dash=None, **kw):
    fig.add_trace(
        go.Scatter(
            x=[r["step"] for r in rows],
            y=[r.get(key) for r in rows],
            name=labels.label(key, lang),
            mode="lines+markers",
            line={"color": COLORS.get(key), "dash": dash, "width": 3},
            marker={"size": 7},
        ),
        **kw,
    )


def loss_curve(hist: list[dict], losses: list[dict], lang: str, lens: str = "tech") -> go.Figure:
    fig = go.Figure()
    if losses:
        fig.add_trace(
            go.Scatter(
                x=[r["step"] for r in losses],
                y=[r.get("train_loss") for r in losses],
                name=labels.label("train_loss", lang),
                mode="lines",
                line={"color": COLORS["train_loss"], "width": 1.5},
            )
        )
    _line(fig, hist, "val_loss", lang)
    fig.update_xaxes(title=labels.axis("step", lang), rangemode="tozero")
    fig.update_yaxes(title=labels.lens_axis("val_loss", lang, lens, labels.unit("val_loss", lang)), rangemode="tozero")
    return _style(fig, texts.t("ch_loss", lang))


def probe_curve(hist: list[dict], lang: str) -> go.Figure:
    fig = go.Figure()
    _line(fig, hist, "probe_accuracy", lang)
    fig.update_xaxes(title=labels.axis("step", lang), rangemode="tozero")
    fig.update_yaxes(title=labels.axis("probe_accuracy", lang), **PCT)
    return _style(fig, texts.t("ch_probe", lang))


def radar(series: list[tuple[str, dict]], lang: str) -> go.Figure:
    """One closed polygon a series (name, {kind: accuracy}): the 'moves' he has."""
    fig = go.Figure()
    palette = ["#c9c3b8", "#9aa9c4", "#2f5d9e", "#b5473a", "#2f7d4f"]
    for i, (name, per) in enumerate(series):
        kinds = list(per)
        fig.add_trace(
            go.Scatterpolar(
                r=[per[k] for k in kinds] + [per[kinds[0]]],
                theta=[labels.task(k, lang) for k in kinds + kinds[:1]],
                name=name,
                fill="toself",
                opacity=0.55 if i < len(series) - 1 else 0.8,
                line={"color": palette[(i + 5 - len(series)) % len(palette)], "width": 2},
            )
        )
    fig.update_layout(
        polar={
            "radialaxis": {"range": [0, 1], "dtick": 0.25, "showticklabels": False},  # labels sat on the data
        }
    )
    fig = _style(fig, texts.t("ch_radar", lang), height=460)
    # The rings named under the title (as a note on the plot it sat on the top kind's label).
    fig.update_layout(title_subtitle={"text": labels.wrap(texts.t("ch_radar_rings", lang), TITLE_COLS),
                                      "font": {"size": 12}},
                      legend=LEGEND_BELOW, margin={"b": 70, "t": fig.layout.margin.t + 20})
    return fig


def sft_curve(hist: list[dict], lang: str) -> go.Figure:
    fig = go.Figure()
    _line(fig, hist, "capability", lang)
    _line(fig, hist, "format_rate", lang, dash="dot")
    fig.update_xaxes(title=labels.axis("step", lang), rangemode="tozero")
    fig.update_yaxes(title=labels.unit("capability", lang), **PCT)
    return _style(fig, texts.t("ch_sft_curve", lang))


def reward_curve(hist: list[dict], lang: str) -> go.Figure:
    fig = go.Figure()
    _line(fig, hist, "pref_accuracy", lang)
    _line(fig, hist, "gold_agreement", lang, dash="dot")
    fig.update_xaxes(title=labels.axis("step", lang), rangemode="tozero")
    fig.update_yaxes(title=labels.unit("pref_accuracy", lang), **PCT)
    return _style(fig, texts.t("ch_reward", lang), height=320)


def annotators(panel: list, bias: float, lang: str) -> go.Figure:
    """Each judge's weight on substance (gold) vs surface appeal, as the bias slider sets them."""
    names = [texts.t("judge", lang, i=i + 1) for i in range(len(panel))]
    sub = [1 - bias for _ in panel]
    surf = [bias * a.taste for a in panel]
    tot = [s + f or 1.0 for s, f in zip(sub, surf, strict=True)]
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=[s / t for s, t in zip(sub, tot, strict=True)],
                name=texts.t("substance", lang),
                orientation="h",
                marker_color=COLORS["gold_reward"],
            ),
            go.Bar(
                y=names,
                x=[f / t for f, t in zip(surf, tot, strict=True)],
                name=texts.t("surface", lang),
                orientation="h",
                marker_color=COLORS["flattery"],
            ),
        ]
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1], title=labels.unit("flattery", lang))
    fig.update_yaxes(autorange="reversed")
    return _style(fig, texts.t("ch_annotators", lang), height=300)


def rlhf_curves(hist: list[dict], lang: str, total: int | None = None, lens: str = "tech") -> go.Figure:
    """Three panels growing step by step: the two rewards, skill vs flattery and pleasing words (and the share of
    distinct answers to one prompt, where the history records it), and the KL."""
    fig = make_subplots(
        rows=1,
        cols=3,
        horizontal_spacing=0.11,  # room for the next panel's y-axis title
        subplot_titles=[texts.t("ch_rewards", lang), texts.t("ch_skill", lang), texts.t("ch_kl", lang)],
    )
    for key, col, dash in (
        ("proxy_reward", 1, None),
        ("gold_reward", 1, "dot"),
        ("capability", 2, None),
        ("flattery", 2, "dot"),
        ("surface_share", 2, "dash"),  # greetings repeated to the budget are a hack too, and no flattery
        ("distinct_answers", 2, "dashdot"),  # one answer for everyone, or a new babble each time
        ("kl", 3, None),
    ):
        if key == "distinct_answers" and not any(r.get(key) is not None for r in hist):
            continue  # an older cache entry did not measure it
        _line(fig, hist, key, lang, dash=dash, row=1, col=col)
    for col in (1, 2, 3):
        fig.update_xaxes(
            title=labels.axis("step", lang) if col == 2 else None,  # one for the three: side by side they ran together
            row=1,
            col=col,
            range=[-0.5, (total or max([r["step"] for r in hist] or [1])) + 0.5],
        )
    fig.update_yaxes(title=labels.unit("proxy_reward", lang), row=1, col=1)
    fig.update_yaxes(title=labels.unit("capability", lang), row=1, col=2, **PCT)
    fig.update_yaxes(title=labels.lens_axis("kl", lang, lens, labels.unit("kl", lang)), row=1, col=3,
                     rangemode="tozero")
    fig.update_annotations(font_size=15)
    # the legend below takes a row a line: each line past six would take its height from the panels, whose
    # titles then reach the next panel's top tick at 1280 px
    fig = _style(fig, texts.t("ppo_title", lang), height=440 + 26 * max(0, len(fig.data) - 6))
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 110})
    return fig


def gauges(values: dict, lang: str) -> go.Figure:
    fig = go.Figure()
    for i, (key, name) in enumerate((("inner", "g_inner"), ("moves", "g_moves"), ("world", "g_world"))):
        v = values.get(key)
        fig.add_trace(
            go.Indicator(
                mode="gauge+number",
                number_font={"color": INK, "size": 34},
                value=None if v is None else 100 * v,
                number={"suffix": "%", "valueformat": ".0f"},
                title={"text": texts.t(name, lang), "font": {"size": 18}},
                gauge={
                    "axis": {"range": [0, 100]},
                    "bar": {"color": ["#2f5d9e", "#b5473a", "#2f7d4f"][i]},
                    "bgcolor": "#f1ebe1",
                },
                domain={"x": [0.02 + i * 0.36, 0.26 + i * 0.36], "y": [0, 1]},  # gaps: "100" clear of the next "0"
            )
        )
    fig = _style(fig, texts.t("ch_gauges", lang), height=300)
    fig.update_layout(margin={"l": 40, "r": 40})
    return fig


def cost(seconds: dict, lang: str, cached: tuple = (), trained: dict | None = None) -> go.Figure:
    """Seconds a stage: when it was trained (``trained``, measured then and kept with the cache entry) and in the
    run shown (``seconds``: a stage read from the cache costs only its loading)."""
    stages = ["pretrain", "sft", "reward", "rlhf"]
    names = [labels.stage(s, lang) + (texts.t("from_cache", lang) if s in cached else "") for s in stages]
    names = [labels.wrap(name, 22) for name in names]
    fig = go.Figure()  # horizontal: the stage names read across instead of slanting onto each other
    bars = ((trained, "cost_trained", "#2f5d9e"), (seconds, "cost_now", "#d49a1f")) if trained else (
        (seconds, "cost_now", "#d49a1f"),)
    for secs, key, colour in bars:
        fig.add_trace(go.Bar(y=names, x=[secs.get(s, 0) for s in stages], orientation="h", name=texts.t(key, lang),
                             marker_color=colour, text=[f"{secs.get(s, 0):.1f}" for s in stages],
                             textposition="outside", cliponaxis=False))
    fig.update_xaxes(title=labels.axis("seconds", lang), rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    fig = _style(fig, texts.t("ch_cost", lang), height=460 if trained else 340)
    fig.update_layout(margin={"l": 170, "r": 50, "b": 100}, legend=LEGEND_BELOW, barmode="group",
                      showlegend=bool(trained))
    return fig


def length_score(ls: dict, lang: str) -> go.Figure:
    """The judges' score against answer length (tokens), before PPO (the SFT model) and after: the mean score of the
    answers of each length, a marker as large as the answers it averages (Singhal et al. 2024)."""
    fig = go.Figure()
    for name, label_key, color in (("sft", "before_ppo", "#9aa9c4"), ("ppo", "after_ppo", "#b5473a")):
        by: dict[int, list[float]] = {}
        for tokens, score, *_ in ls[name]:
            by.setdefault(int(tokens), []).append(score)
        xs = sorted(by)
        fig.add_trace(go.Scatter(x=xs, y=[sum(by[x]) / len(by[x]) for x in xs], mode="lines+markers",
                                 name=texts.t(label_key, lang), line={"color": color},
                                 marker={"size": [6 + 2 * math.sqrt(len(by[x])) for x in xs], "color": color},
                                 customdata=[len(by[x]) for x in xs],
                                 hovertemplate="%{x} · %{y:.2f} (n=%{customdata})<extra></extra>"))
    fig.update_xaxes(title=texts.t("len_tokens", lang), rangemode="tozero", dtick=2)
    fig.update_yaxes(title=labels.axis("proxy_reward", lang))
    fig = _style(fig, texts.t("ch_length", lang), height=440)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 100})
    return fig


def transfer(start: dict, final: dict, lang: str) -> go.Figure:
    kinds = list(start)
    names = [
        labels.task(k, lang) + texts.t("held_out" if k in RLHF_HELD_OUT else "practised", lang) for k in kinds
    ]
    fig = go.Figure(  # horizontal: the kinds' names read across instead of slanting onto each other
        [
            go.Bar(y=names, x=[start[k] for k in kinds], name=texts.t("before_ppo", lang), orientation="h",
                   marker_color="#9aa9c4"),
            go.Bar(y=names, x=[final[k] for k in kinds], name=texts.t("after_ppo", lang), orientation="h",
                   marker_color="#b5473a"),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=labels.unit("capability", lang), **PCT)
    fig.update_yaxes(autorange="reversed")
    fig = _style(fig, texts.t("ch_transfer", lang), height=120 + 44 * len(kinds))
    fig.update_layout(margin={"l": 170})
    return fig


def sweep(rows: list[dict], x: str, keys: tuple, lang: str, title_key: str, x_range=None) -> go.Figure:
    """Headline metrics of the finished (cached) runs along one knob: the effect of a slider."""
    fig = go.Figure()
    for i, key in enumerate(keys):
        name = labels.label("capability" if key == "final_capability" else key, lang)
        if key == "final_capability":
            name += texts.t("after_ppo_short", lang)
        fig.add_trace(
            go.Scatter(
                x=[r[x] for r in rows],
                y=[r[key] for r in rows],
                name=name,
                mode="lines+markers",
                line={"color": COLORS.get(key, "#2f5d9e"), "width": 3, "dash": [None, "dot", "dash"][i % 3]},
                marker={"size": 10},
            )
        )
    fig.update_xaxes(title=labels.axis(x, lang), range=x_range)
    fig.update_yaxes(title=labels.unit("capability", lang), **PCT)
    fig = _style(fig, texts.t(title_key, lang), height=380)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 110})  # above the plot, its rows reached the title
    return fig


# -- the trade-off explorer ---------------------------------------------------------------------------------
BIAS_COLORS = ("#2f7d4f", "#d49a1f", "#b5473a", "#7a3b8f", "#2f5d9e")
METHOD_STYLE = {  # colour, marker of each way to align
    "ppo": ("#2f5d9e", "circle"),
    "bon": ("#7a3b8f", "diamond"),
    "dpo": ("#c2571a", "square"),
    "rloo": ("#1b8a8a", "triangle-up"),
    "grpo": ("#5b7a1a", "hexagon"),  # GRPO, a strict checker
    "grpo_sloppy": ("#c2307a", "x"),  # GRPO, a sloppy checker
    "ensemble": ("#8c6d1f", "star"),  # PPO on the cautious score of an ensemble of judges
}
# Heat maps run from a pale to a middle tone, so that their numbers, in the chart's ink, read on every cell
# (>= 5:1, tests/test_charts.py); the dark theme runs them from its panel to a deep tone under light ink.
HEAT_SCALES = {"capability": ("#f7fbff", "#6baed6"), "gold_reward": ("#f7fcf5", "#74c476"),
               "proxy_reward": ("#fff5f0", "#fb6a4a"), "kl": ("#ffffff", "#969696"), "disagree": ("#fff5eb", "#fd8d3c")}
HEAT_DARK = {"#6baed6": "#08519c", "#74c476": "#006d2c", "#fb6a4a": "#a50f15", "#969696": "#525252",
             "#fd8d3c": "#a63603"}


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _fmt(key: str, v) -> str:
    if v is None:
        return ""
    return f"{v:.0%}" if key in ("capability", "flattery", "gold_agreement") else f"{v:.2f}"


def frontier(rows: list[dict], kl: float, bias: float, methods: dict, lang: str) -> go.Figure:
    """Capability against the judges' score (left) and the true quality (right): one curve per reward bias
    through the KL coefficients (seed mean, a band of +-1 sd), the start before RLHF, the sliders' point
    and the other methods' paths."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05,
                        subplot_titles=[texts.t("ch_frontier_proxy", lang), texts.t("ch_frontier_gold", lang)])
    biases = sorted({r["reward_bias"] for r in rows})
    for col, x in ((1, "proxy_reward"), (2, "gold_reward")):
        curves, begin = sw.frontier(rows, x), sw.starts(rows, x)
        for i, b in enumerate(biases):
            color = BIAS_COLORS[i % len(BIAS_COLORS)]
            pts = sorted(curves[b], key=lambda p: -p["kl_coef"])  # tightest leash first
            xs, ys = [p["x"]["mean"] for p in pts], [p["y"]["mean"] for p in pts]
            sy = [p["y"]["sd"] for p in pts]
            fig.add_trace(go.Scatter(
                x=xs + xs[::-1], y=[y + s for y, s in zip(ys, sy)] + [y - s for y, s in zip(ys[::-1], sy[::-1])],
                mode="lines", fill="toself", fillcolor=_rgba(color, 0.14), line={"width": 0}, hoverinfo="skip",
                showlegend=False, legendgroup=f"b{b}"), row=1, col=col)
            fig.add_trace(go.Scatter(
                x=xs, y=ys, name=texts.t("bias_curve", lang, b=b), legendgroup=f"b{b}", showlegend=col == 1,
                mode="lines+markers+text", line={"color": color, "width": 3}, marker={"size": 9},
                error_x={"type": "data", "array": [p["x"]["sd"] for p in pts], "thickness": 1, "width": 0},
                text=[f"kl {p['kl_coef']:g}" if p["kl_coef"] in (0.0, 1.0) else "" for p in pts],
                textposition="top center", textfont={"size": 11},
                customdata=[p["kl_coef"] for p in pts],
                hovertemplate="kl_coef=%{customdata:g}<br>%{x:.2f}, %{y:.0%}<extra></extra>"), row=1, col=col)
            if b in begin:
                fig.add_trace(go.Scatter(
                    x=[begin[b]["x"]["mean"]], y=[begin[b]["y"]["mean"]], mode="markers",
                    marker={"symbol": "diamond-open", "size": 13, "color": color, "line": {"width": 2}},
                    name=texts.t("start_point", lang), legendgroup="start", showlegend=col == 1 and i == 0,
                    hovertemplate=f"{texts.t('start_point', lang)}<br>%{{x:.2f}}, %{{y:.0%}}<extra></extra>"),
                    row=1, col=col)
        here = tradeoff.at(rows, kl, bias)
        if here:
            fig.add_trace(go.Scatter(
                x=[sw.stats(r["final"][x] for r in here)["mean"]],
                y=[sw.stats(r["final"]["capability"] for r in here)["mean"]], mode="markers",
                marker={"symbol": "star", "size": 22, "color": "#f2c230", "line": {"color": "#2b2622", "width": 2}},
                name=texts.t("current_point", lang), legendgroup="current", showlegend=col == 1), row=1, col=col)
        for m, doc in methods.items():
            color, symbol = METHOD_STYLE[m]
            h = doc["history"]
            fig.add_trace(go.Scatter(
                x=[r[x] for r in h], y=[r["capability"] for r in h], mode="lines+markers",
                line={"color": color, "width": 1.5, "dash": "dot"},
                marker={"symbol": symbol, "size": [7] * (len(h) - 1) + [13], "color": color},
                name=labels.method(m, lang), legendgroup=m, showlegend=col == 1,
                customdata=[r.get("n", r["step"]) for r in h],
                hovertemplate=("n" if m == "bon" else "step") + "=%{customdata}<br>%{x:.2f}, %{y:.0%}<extra></extra>"),
                row=1, col=col)
        fig.update_xaxes(title=labels.axis(x, lang), row=1, col=col)
    fig.update_yaxes(title=labels.axis("capability", lang), tickformat=".0%", rangemode="tozero", row=1, col=1)
    fig.update_annotations(font_size=15)
    fig = _style(fig, texts.t("ch_frontier", lang), height=540)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 120})
    return fig


def heatmaps(rows: list[dict], kls, biases, kl: float, bias: float, lang: str) -> go.Figure:
    """capability, gold_reward, proxy_reward and kl over the kl_coef x reward_bias grid (seed means)."""
    keys = ("capability", "gold_reward", "proxy_reward", "kl")
    fig = make_subplots(rows=2, cols=2, horizontal_spacing=0.1, vertical_spacing=0.28,
                        subplot_titles=[labels.label(k, lang) for k in keys])
    xs, ys = [f"{k:g}" for k in kls], [f"{b:g}" for b in biases]
    for i, key in enumerate(keys):
        row, col = i // 2 + 1, i % 2 + 1
        c = sw.cells(rows, key)
        z = [[c[(b, k)]["mean"] if (b, k) in c else None for k in kls] for b in biases]
        fig.add_trace(go.Heatmap(
            z=z, x=xs, y=ys, text=[[_fmt(key, v) for v in line] for line in z], texttemplate="%{text}",
            colorscale=list(enumerate(HEAT_SCALES[key])), textfont={"color": INK}, showscale=False, hoverongaps=False,
            hovertemplate="kl_coef=%{x}<br>reward_bias=%{y}<br>%{text}<extra></extra>"), row=row, col=col)
        fig.update_xaxes(title=labels.label("kl_coef", lang), type="category", row=row, col=col)
        fig.update_yaxes(title=labels.wrap(labels.label("reward_bias", lang), 20), type="category", row=row, col=col)
        if kl in kls and bias in biases:
            x0, y0 = list(kls).index(kl), list(biases).index(bias)
            fig.add_shape(type="rect", x0=x0 - 0.5, x1=x0 + 0.5, y0=y0 - 0.5, y1=y0 + 0.5,
                          line={"color": "#2b2622", "width": 3}, row=row, col=col)
    fig.update_annotations(font_size=15)
    return _style(fig, texts.t("ch_heat", lang, n_seed=len({r["seed"] for r in rows})), height=640)


def overopt(ov: dict, lang: str, peak_text: str, lens: str = "tech") -> go.Figure:
    """Gold (left) and proxy (right) gains against d = sqrt(KL): each method's points and fitted curve, and
    PPO's gold peak (else best-of-n's) marked."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=[texts.t("ch_overopt_gold", lang), texts.t("ch_overopt_proxy", lang)])
    for col, name, gain in ((1, "gold", "gold_gain"), (2, "proxy", "proxy_gain")):
        for m, o in ov.items():
            color, symbol = METHOD_STYLE[m]
            pts = o["points"]
            fig.add_trace(go.Scatter(
                x=[p["d"] for p in pts], y=[p[name] for p in pts], mode="markers",
                marker={"symbol": symbol, "size": 8, "color": _rgba(color, 0.75)},
                name=labels.method(m, lang), legendgroup=m, showlegend=col == 1,
                customdata=[p["step"] for p in pts],
                hovertemplate=("n" if m == "bon" else "step") + "=%{customdata}<br>d=%{x:.2f}<br>%{y:+.2f}"
                "<extra></extra>"), row=1, col=col)
            line = o["curves"][name]
            if line:
                fig.add_trace(go.Scatter(
                    x=[p[0] for p in line], y=[p[1] for p in line], mode="lines", showlegend=False,
                    legendgroup=m, line={"color": color, "width": 3 if m == "ppo" else 2,
                                         "dash": None if m == "ppo" else "dash"}, hoverinfo="skip"), row=1, col=col)
        fig.add_hline(y=0, line={"color": "#9a9a9a", "width": 1}, row=1, col=col)
        fig.update_xaxes(title=labels.lens_axis("d", lang, lens, labels.axis("d", lang)), rangemode="tozero",
                         row=1, col=col)
        fig.update_yaxes(title=labels.label(gain, lang), row=1, col=col)
    d_max = max((p["d"] for o in ov.values() for p in o["points"]), default=1.0)
    for m in ("ppo", "bon"):
        # PPO's star only where its panel says the true quality turned, so chart and sentence agree
        pk = tradeoff.peak(ov[m]) if m in ov and (m != "ppo" or tradeoff.turned(ov)) else None
        if pk:
            fig.add_trace(go.Scatter(
                x=[pk[0]], y=[pk[1]], mode="markers", showlegend=False, hoverinfo="skip",
                marker={"symbol": "star", "size": 20, "color": "#f2c230", "line": {"color": "#2b2622", "width": 2}}),
                row=1, col=1)
            fig.add_annotation(x=pk[0], y=pk[1], text=peak_text, showarrow=True, arrowhead=2, ax=0, ay=60,
                               xanchor="left" if pk[0] < d_max / 3 else "right" if pk[0] > 2 * d_max / 3 else "center",
                               bgcolor="rgba(255,255,255,0.85)", font={"size": 13}, row=1, col=1)
            break
    fig.update_annotations(font_size=15, selector={"showarrow": False})
    fig = _style(fig, texts.t("ch_overopt", lang), height=480)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 110})
    return fig


# -- the challenges page, deepened ------------------------------------------------------------------------------
def bosses(matrix: list[list], errors: dict, rubric: bool, votes: int, lang: str) -> go.Figure:
    """Left: how often two judges disagree; right: verdicts against the true quality by votes a pair, with and
    without a rubric (the current setting ringed)."""
    names = tradeoff.boss_names(len(matrix), lang)
    short = [texts.t("boss", lang, i=i + 1) for i in range(len(matrix))]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.12,
                        subplot_titles=[texts.t("ch_boss_matrix", lang), texts.t("ch_label_error", lang)])
    fig.add_trace(go.Heatmap(
        z=matrix, x=short, y=names, text=[[f"{v:.0%}" for v in line] for line in matrix], texttemplate="%{text}",
        colorscale=list(enumerate(HEAT_SCALES["disagree"])), textfont={"color": INK}, zmin=0, zmax=0.6,
        showscale=False, hovertemplate="%{y} / %{x}: %{text}<extra></extra>"),
        row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    for on, color in ((False, "#b5473a"), (True, "#2f7d4f")):
        vs = sorted(errors[on])
        fig.add_trace(go.Scatter(
            x=vs, y=[errors[on][v] for v in vs], mode="lines+markers",
            name=texts.t("rubric_on" if on else "rubric_off", lang),
            line={"color": color, "width": 3}, marker={"size": [16 if (on == rubric and v == votes) else 8 for v in vs],
                                                       "line": {"color": "#2b2622", "width": 1}}), row=1, col=2)
    fig.update_xaxes(title=labels.label("votes", lang), tickvals=sorted(errors[False]), row=1, col=2)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=2)
    fig.update_annotations(font_size=14)
    fig = _style(fig, texts.t("ch_bosses", lang), height=420)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 90, "l": 150})
    return fig


def judging_effect(points: list[dict], lang: str) -> go.Figure:
    """The reward model's gold agreement and PPO's final gold reward, by votes a pair, rubric off / on."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=[texts.t("ch_judging_gold_agreement", lang),
                                        texts.t("ch_judging_gold_reward", lang)])
    for on, color in ((False, "#b5473a"), (True, "#2f7d4f")):
        pts = sorted((p for p in points if p["rubric"] == on), key=lambda p: p["votes"])
        for col, key in ((1, "gold_agreement"), (2, "gold_reward")):
            fig.add_trace(go.Scatter(
                x=[p["votes"] for p in pts], y=[p[key] for p in pts], mode="lines+markers",
                name=texts.t("rubric_on" if on else "rubric_off", lang), legendgroup=str(on), showlegend=col == 1,
                line={"color": color, "width": 3}, marker={"size": 10}), row=1, col=col)
    fig.update_xaxes(title=labels.label("votes", lang), tickvals=[1, 3, 5], range=[0.5, 5.5])
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_yaxes(title=labels.unit("gold_reward", lang), row=1, col=2)
    fig.update_annotations(font_size=14)
    fig = _style(fig, texts.t("ch_judging", lang), height=360)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 100})
    return fig


def flops(here: dict, lang: str) -> go.Figure:
    """FLOPs per stage here next to the published compute of GPT-3 and InstructGPT, on a log scale."""
    stages = ["pretrain", "sft", "reward", "rlhf"]
    names = [texts.t("flops_here", lang, stage=labels.stage(s, lang)) for s in stages]
    names += [labels.label(k, lang) for k in PUBLISHED]
    values = [here[s] for s in stages] + list(PUBLISHED.values())
    colors = ["#2f5d9e", "#b5473a", "#d49a1f", "#2f7d4f"] + ["#8c8577"] * len(PUBLISHED)
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", marker_color=colors,
                           text=[f"{v:.1e}" for v in values], textposition="outside", cliponaxis=False))
    fig.update_xaxes(type="log", title=texts.t("flops_axis", lang), range=[10, 25.5], exponentformat="power")
    fig.update_yaxes(autorange="reversed")
    fig = _style(fig, texts.t("ch_flops", lang), height=400)
    fig.update_layout(margin={"l": 230})
    return fig


def transfer_ab(groups: dict, lang: str) -> go.Figure:
    """Capability (left) and gold reward (right) before and after PPO: kinds practised (A) vs held out (B)."""
    names = [labels.wrap(texts.t(k, lang), 10) for k in ("ab_seen", "ab_held")]  # two short lines, not slanted
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=[labels.label("capability", lang), labels.label("gold_reward", lang)])
    for when, color, key in (("0", "#9aa9c4", "before_ppo"), ("1", "#b5473a", "after_ppo")):
        for col, what in ((1, "cap"), (2, "gold")):
            ys = [groups[g][what + when] for g in ("seen", "held")]
            fig.add_trace(go.Bar(x=names, y=ys, name=texts.t(key, lang), marker_color=color, legendgroup=key,
                                 showlegend=col == 1, text=[_fmt("capability" if what == "cap" else "gold_reward", y)
                                                            for y in ys], textposition="outside"), row=1, col=col)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.1], row=1, col=1)
    fig.update_yaxes(title=labels.unit("gold_reward", lang), row=1, col=2)
    fig.update_annotations(font_size=14)
    fig = _style(fig, texts.t("ch_ab", lang), height=400)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 110})
    return fig


def for_room(fig: go.Figure, theme_name: str, scale: float) -> go.Figure:
    """A copy of fig for a projector (presenter mode): every font scale× larger, the theme's colours."""
    c, remap = theme.THEMES[theme_name], theme.TRACE_COLORS[theme_name]
    fig = go.Figure(fig)
    lay = fig.layout
    size = (lay.font.size or 13) * scale
    m = lay.margin
    title, more = room_title(lay.title.text or "", scale)
    fig.update_layout(
        template="plotly_dark" if theme_name == "dark" else "plotly_white",
        font={"size": size, "color": c["text"]},
        legend_font_color=c["text"],
        title_text=title,
        title_font={"size": (lay.title.font.size or 17) * scale, "color": c["text"]},
        title_pad_t=(lay.title.pad.t or (TITLE_PAD if more else 0)) * scale,
        title_subtitle_font={"size": (lay.title.subtitle.font.size or 12) * scale, "color": c["text"]},
        paper_bgcolor=c["bg"],
        plot_bgcolor=c["bg"],
        height=round((lay.height or 360) * (1 + (scale - 1) / 2)),
        margin={"t": ((m.t or 90) + TITLE_LINE * more) * scale, "b": (m.b or 50) * scale, "l": (m.l or 60) * scale,
                "r": m.r or 20},
    )
    axes = {"gridcolor": c["grid"], "linecolor": c["border"], "zerolinecolor": c["grid"], "color": c["muted"]}
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    fig.update_polars(
        bgcolor=c["bg"], radialaxis_gridcolor=c["grid"], angularaxis_gridcolor=c["grid"], radialaxis_tickfont_size=size
    )
    for a in fig.layout.annotations:
        a.font.size = (a.font.size or 15) * scale
        a.font.color = c["text"]
        if a.bgcolor is not None:  # a label's own box (the explorer's peak) takes the theme's, under its new ink
            a.bgcolor = c["panel"]
    for ax in fig.select_xaxes():  # side-by-side panels: room for the larger y-axis labels between them
        if ax.domain and ax.domain[0] > 0.01:
            ax.domain = (ax.domain[0] + 0.07 * (scale - 1), ax.domain[1])
    for tr in fig.data:
        if tr.type == "indicator":
            tr.number.font.color = c["text"]
            tr.number.font.size = (tr.number.font.size or 34) * min(scale, 1.15)  # larger sat on the arc
            tr.title.font.size = (tr.title.font.size or 18) * scale
            tr.gauge.bgcolor = c["panel"]
            tr.gauge.axis.tickfont.size = lay.font.size or 13  # the gauges' ends stay apart
            tr.gauge.bar.color = remap.get(tr.gauge.bar.color, tr.gauge.bar.color)
            continue
        if tr.type == "heatmap":
            tr.textfont.color = c["text"]
            if theme_name == "dark":
                tr.colorscale = [[0, c["panel"]], [1, HEAT_DARK[tr.colorscale[-1][1]]]]
            continue
        line = getattr(tr, "line", None)
        if line is not None and isinstance(line.color, str):
            line.color = remap.get(line.color, line.color)
        marker = getattr(tr, "marker", None)
        if marker is not None and isinstance(marker.color, str):
            marker.color = remap.get(marker.color, marker.color)
        elif marker is not None and marker.color is not None:
            marker.color = [remap.get(x, x) for x in marker.color]
    return ink(fig, c["text"], c["muted"])


def room_guesses(rows: list[tuple[str, dict]], lang: str) -> go.Figure:
    """The room's guesses: one bar a question (a setting), split by answer (rise, hold, fall)."""
    fig = go.Figure()
    for choice, color in (("up", COLORS["gold_reward"]), ("flat", "#9aa9c4"), ("down", COLORS["proxy_reward"])):
        fig.add_trace(
            go.Bar(
                y=[name for name, _ in rows],
                x=[counts.get(choice, 0) for _, counts in rows],
                name=texts.t(texts.GUESSES[choice], lang),
                orientation="h",
                marker_color=color,
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=texts.t("room_axis", lang), rangemode="tozero", dtick=1)
    fig.update_yaxes(autorange="reversed")
    return _style(fig, texts.t("room_chart", lang), height=max(240, 90 + 60 * len(rows)))
