"""The charts every visitor shares (ui/widgets.py ``figure``): a figure is built once for equal data and mode, is
rebuilt for other data or another presenter theme, and drawing it leaves it as built (it is shared)."""

from __future__ import annotations

import pytest
import streamlit as st

from ui import charts, present, sidebar
from ui import widgets as w

ROWS = [{"step": s, "loss": 3.0 - 0.1 * s, "capability": 0.1 * s, "format_rate": 0.2 * s} for s in range(5)]


def test_a_chart_is_built_once_for_equal_data_and_again_for_other_data_or_mode(monkeypatch):
    st.cache_resource.clear()
    built = []

    def build(rows, lang):
        built.append(lang)
        return charts.sft_curve(rows, lang)

    monkeypatch.setattr(present, "room", lambda: None)
    first = w.figure(build, ROWS, "en")
    assert w.figure(build, [dict(r) for r in ROWS], "en") is first, "equal data (a copy) draws the same figure"
    assert len(built) == 1
    other = w.figure(build, ROWS[:3], "en")
    assert other is not first and len(built) == 2, "other data is another figure"
    monkeypatch.setattr(present, "room", lambda: "dark")
    dark = w.figure(build, ROWS, "en")
    assert len(built) == 3 and dark.layout.paper_bgcolor != first.layout.paper_bgcolor, "presenter mode restyles"
    assert w.figure(lambda: None) is None


def test_drawing_a_shared_figure_leaves_it_as_built(monkeypatch):
    monkeypatch.setattr(present, "room", lambda: "light")
    monkeypatch.setattr(sidebar, "lang", lambda: "zh")  # the page's language (the router parsed it from the URL)
    fig = w.figure(charts.sft_curve, ROWS, "zh")
    before = fig.to_dict()
    assert w.chart("sft-curve", charts.sft_curve, ROWS, "zh")
    assert fig.to_dict() == before


def test_a_chart_argument_that_is_not_plain_data_is_refused(monkeypatch):
    """A key must name all of a chart's data: an object JSON cannot spell out would make two charts one."""
    monkeypatch.setattr(present, "room", lambda: None)
    with pytest.raises(TypeError, match="plain data"):
        w.figure(charts.sft_curve, object(), "en")
