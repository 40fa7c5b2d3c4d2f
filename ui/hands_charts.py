"""Pure plotly builders of the hands-on features (no Streamlit): PPO-ptx against the same run without it."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import charts, labels, texts


def ptx_compare(with_ptx: list[dict], without: list[dict], coef: float, lang: str) -> go.Figure:
    """Two panels along PPO's steps: skill (capability) and the judges' score (proxy reward); the run with
    PPO-ptx solid, the same settings without it dashed."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=[labels.label("capability", lang), labels.label("proxy_reward", lang)])
    for rows, name, dash in ((with_ptx, texts.t("ptx_with", lang, c=coef), None),
                             (without, texts.t("ptx_without", lang), "dash")):
        for col, key in ((1, "capability"), (2, "proxy_reward")):
            fig.add_trace(go.Scatter(x=[r["step"] for r in rows], y=[r.get(key) for r in rows], name=name,
                                     legendgroup=name, showlegend=col == 1, mode="lines+markers",
                                     line={"color": charts.COLORS[key], "dash": dash, "width": 3},
                                     marker={"size": 6}), row=1, col=col)
    fig.update_xaxes(title=labels.axis("step", lang), rangemode="tozero")
    fig.update_yaxes(title=labels.unit("capability", lang), row=1, col=1, **charts.PCT)
    fig.update_yaxes(title=labels.unit("proxy_reward", lang), row=1, col=2)
    fig.update_annotations(font_size=15)
    fig = charts._style(fig, texts.t("ptx_compare", lang), height=440)
    return fig.update_layout(legend=charts.LEGEND_BELOW, margin={"b": 100})  # above, it ran into the panels' titles
