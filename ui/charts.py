"""Pure functions returning plotly figures (no Streamlit). Titles, axes and legends come from
ui.labels / ui.texts in the chosen language.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from sim.world import RLHF_HELD_OUT
from ui import labels, texts

# Every chart uses plotly_white. Set once as the default: naming it in each figure made plotly validate
# and copy the template every time (~8 ms a figure, measured under the load test).
pio.templates.default = "plotly_white"
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, Helvetica, Arial, sans-serif"
COLORS = {
    "proxy_reward": "#b5473a",
    "gold_reward": "#2f7d4f",
    "capability": "#2f5d9e",
    "flattery": "#d49a1f",
    "kl": "#555555",
    "val_loss": "#2f5d9e",
    "train_loss": "#9aa9c4",
    "probe_accuracy": "#2f7d4f",
    "format_rate": "#d49a1f",
    "pref_accuracy": "#b5473a",
    "gold_agreement": "#2f7d4f",
}
PCT = {"tickformat": ".0%", "range": [0, 1.05]}


def export_config(name: str) -> dict:
    """Plotly's own modebar camera button saves a PNG in the browser (no kaleido needed)."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"wuji-{name}",
            "scale": 2,
            "height": 540,
            "width": 960,
        },
    }


def _style(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": 17},
            "x": 0.0,
            "xanchor": "left",
            "y": 0.97,
            "yref": "container",
        },
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig


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


def loss_curve(hist: list[dict], losses: list[dict], lang: str) -> go.Figure:
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
    fig.update_yaxes(title=labels.axis("val_loss", lang), rangemode="tozero")
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
            "radialaxis": {
                "range": [0, 1],
                "tickformat": ".0%",
                "angle": 22.5,
                "tickangle": 22.5,
                "tickfont": {"size": 10},
            }
        }
    )
    fig = _style(fig, texts.t("ch_radar", lang), height=460)
    fig.update_layout(legend={"y": -0.12, "yanchor": "top"}, margin={"b": 70})
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


def rlhf_curves(hist: list[dict], lang: str, total: int | None = None) -> go.Figure:
    """Three panels growing step by step: the two rewards, skill vs flattery, and the KL."""
    fig = make_subplots(
        rows=1,
        cols=3,
        horizontal_spacing=0.08,
        subplot_titles=[texts.t("ch_rewards", lang), texts.t("ch_skill", lang), texts.t("ch_kl", lang)],
    )
    for key, col, dash in (
        ("proxy_reward", 1, None),
        ("gold_reward", 1, "dot"),
        ("capability", 2, None),
        ("flattery", 2, "dot"),
        ("kl", 3, None),
    ):
        _line(fig, hist, key, lang, dash=dash, row=1, col=col)
    for col in (1, 2, 3):
        fig.update_xaxes(
            title=labels.axis("step", lang),
            row=1,
            col=col,
            range=[-0.5, (total or max([r["step"] for r in hist] or [1])) + 0.5],
        )
    fig.update_yaxes(title=labels.unit("proxy_reward", lang), row=1, col=1)
    fig.update_yaxes(title=labels.unit("capability", lang), row=1, col=2, **PCT)
    fig.update_yaxes(title=labels.unit("kl", lang), row=1, col=3, rangemode="tozero")
    fig.update_annotations(font_size=15)
    fig = _style(fig, texts.t("ppo_title", lang), height=440)
    fig.update_layout(legend={"y": -0.32, "yanchor": "top"}, margin={"b": 110, "t": 80})
    return fig


def gauges(values: dict, lang: str) -> go.Figure:
    fig = go.Figure()
    for i, (key, name) in enumerate((("inner", "g_inner"), ("moves", "g_moves"), ("world", "g_world"))):
        v = values.get(key)
        fig.add_trace(
            go.Indicator(
                mode="gauge+number",
                number_font={"color": "#2b2622", "size": 44},
                value=None if v is None else 100 * v,
                number={"suffix": "%", "valueformat": ".0f"},
                title={"text": texts.t(name, lang), "font": {"size": 18}},
                gauge={
                    "axis": {"range": [0, 100]},
                    "bar": {"color": ["#2f5d9e", "#b5473a", "#2f7d4f"][i]},
                    "bgcolor": "#f1ebe1",
                },
                domain={"row": 0, "column": i},
            )
        )
    fig.update_layout(grid={"rows": 1, "columns": 3, "pattern": "independent"})
    fig = _style(fig, texts.t("ch_gauges", lang), height=300)
    fig.update_layout(margin={"l": 40, "r": 40})
    return fig


def cost(seconds: dict, lang: str, cached: tuple = ()) -> go.Figure:
    stages = ["pretrain", "sft", "reward", "rlhf"]
    fig = go.Figure(
        go.Bar(
            x=[labels.stage(s, lang) + (texts.t("from_cache", lang) if s in cached else "") for s in stages],
            y=[seconds.get(s, 0) for s in stages],
            marker_color=["#2f5d9e", "#b5473a", "#d49a1f", "#2f7d4f"],
            text=[f"{seconds.get(s, 0):.1f}" for s in stages],
            textposition="outside",
        )
    )
    fig.update_yaxes(title=labels.axis("seconds", lang), rangemode="tozero")
    return _style(fig, texts.t("ch_cost", lang), height=340)


def transfer(start: dict, final: dict, lang: str) -> go.Figure:
    kinds = list(start)
    names = [
        labels.task(k, lang) + texts.t("held_out" if k in RLHF_HELD_OUT else "practised", lang) for k in kinds
    ]
    fig = go.Figure(
        [
            go.Bar(
                x=names, y=[start[k] for k in kinds], name=texts.t("before_ppo", lang), marker_color="#9aa9c4"
            ),
            go.Bar(
                x=names, y=[final[k] for k in kinds], name=texts.t("after_ppo", lang), marker_color="#b5473a"
            ),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=labels.unit("capability", lang), **PCT)
    return _style(fig, texts.t("ch_transfer", lang), height=380)


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
    return _style(fig, texts.t(title_key, lang), height=340)
