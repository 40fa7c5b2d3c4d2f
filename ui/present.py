"""Presenter mode, Streamlit glue: the switch, the menu that replaces the sidebar, the page's CSS, and
charts redrawn for a projector. The URL keeps it (``?present=1&theme=dark``), so a link starts it.
"""

from __future__ import annotations

import streamlit as st

from ui import charts, session, sidebar, state, texts, theme


def on() -> bool:
    return sidebar.values()["present"] == 1


def _set(value: int) -> None:
    session.VALUES.set({**sidebar.values(), "present": value})


def switch() -> None:
    """The sidebar's switch into presenter mode (out of it: the presenter menu)."""
    toggle = session.WIDGET("present")
    toggle.set(on())
    st.sidebar.toggle(
        texts.t("pm_toggle", sidebar.lang()),
        key=toggle.name,
        on_change=lambda: _set(int(toggle.get())),
    )


def menu(pages: list) -> None:
    """Presenter mode has no sidebar: language, lens, colours, the pages and the way out sit in one menu."""
    lg = sidebar.lang()
    with st.popover(texts.t("pm_menu", lg), icon=":material/tune:"):
        sidebar.choice("lang", "sb_lang", state.LANGS)
        sidebar.choice("lens", "sb_lens", state.LENSES)
        sidebar.choice("theme", "pm_theme", state.THEMES)
        for page in pages:
            st.page_link(page)
        if st.button(texts.t("pm_exit", lg), key="pm_exit"):
            _set(0)
            st.rerun()


def style() -> None:
    """Larger type and the chosen theme's colours over the whole page in presenter mode; readable captions
    and key hints outside it."""
    st.html(theme.css(sidebar.values()["theme"]) if on() else theme.PLAIN_CSS)


def room() -> str | None:
    """The theme charts are redrawn in for a projector (presenter mode), else None."""
    return sidebar.values()["theme"] if on() else None


def figure(fig, room_theme: str | None):
    """A chart as presenter mode shows it (bigger fonts, the theme's colours); unchanged outside it (None)."""
    return charts.for_room(fig, room_theme, theme.SCALE) if room_theme else fig
