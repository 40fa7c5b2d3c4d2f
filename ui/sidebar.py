"""Thin Streamlit glue: the URL state of a session, the shared sidebar, and state-bound controls.

The canonical values live in ``st.session_state["values"]``: read from the URL on a session's
first run (``ui.state.parse``), written back to the URL on every run, so a copied link restores
them. Widgets use keys ``w_<name>``; their callbacks copy the widget's value into the state.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

from ui import state, texts

AUTOSTART = ("kl", "bias", "ptx", "ptx_coef")  # moving these reruns PPO at once (earlier stages: cache)


ROUTED = "_routed_by_app"


def values() -> dict:
    return st.session_state["values"]


def routed() -> None:
    """app.py marks each run it routes, just before running the page."""
    st.session_state[ROUTED] = True


def page_guard() -> None:
    """Every page starts here: a page run that did not come through app.py gets rerouted."""
    if not st.session_state.pop(ROUTED, False) or "values" not in st.session_state:
        _leave_pages_v1()


def _leave_pages_v1() -> None:
    """Streamlit runs a page script alone while it still assumes a v1 ``pages/`` folder app: on the
    first request of a fresh server to /<page>, and on every AppTest run. Switch that off and rerun,
    so app.py (router, sidebar, URL state) runs first and then routes to the same page."""
    from streamlit.runtime.pages_manager import PagesManager

    pressed = [k for k in sorted(BUTTONS) if st.session_state.get(k) is True]
    if pressed:  # a button's click lasts one run: carry it over the reroute
        st.session_state[CARRIED] = pressed
    PagesManager.uses_pages_directory = False
    st.rerun()


BUTTONS: set[str] = set()  # keys of every button drawn through button()
CARRIED = "_clicks_carried"


def button(label: str, key: str, **kw) -> bool:
    """st.button that also sees a click made in a run page_guard rerouted."""
    BUTTONS.add(key)
    clicked = st.button(label, key=key, **kw)
    carried = st.session_state.get(CARRIED, [])
    if key in carried:
        carried.remove(key)
        return True
    return clicked


def lang() -> str:
    return values()["lang"]


def lens() -> str:
    return values()["lens"]


def init() -> dict:
    """Parse the URL once a session; mirror the state back into the URL every run."""
    ss = st.session_state
    if "values" not in ss:
        query = {k: st.query_params.get_all(k) for k in st.query_params}
        ss["values"], ss["url_warnings"] = state.parse(query)
    wanted = state.serialize(ss["values"])
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    return ss["values"]


def _commit(name: str) -> None:
    ss = st.session_state
    new = ss.get(f"w_{name}")
    if new is None:  # nothing chosen: keep the value
        return
    ss["values"] = {**ss["values"], name: new}
    ss["url_warnings"] = []
    if name in AUTOSTART:
        ss["autostart"] = True


def control(widget, name: str, label: str, **kw):
    """A widget bound to one URL parameter: it shows the state's value and writes changes back."""
    key = f"w_{name}"
    st.session_state[key] = values()[name]
    return widget(label, key=key, on_change=_commit, args=(name,), **kw)


def consume_autostart() -> bool:
    return bool(st.session_state.pop("autostart", False))


OPTIONS = {  # the text naming each option of a radio (a language is named by its own catalogue: "language")
    "lens": {"wuxia": "lens_wuxia", "work": "lens_work", "tech": "lens_tech"},
    "theme": {"light": "theme_light", "dark": "theme_dark"},
}


def choice(name: str, label_key: str, options, horizontal: bool = True) -> None:
    """Radio buttons bound to a URL parameter whose options are named by ``OPTIONS``."""
    lg = lang()

    def named(x: str) -> str:
        return texts.t("language", x) if name == "lang" else texts.t(OPTIONS[name][x], lg)

    control(st.radio, name, texts.t(label_key, lg), options=list(options), format_func=named, horizontal=horizontal)


def draw() -> None:
    """The shared sidebar: language, lens, seed, and the URL warnings (shown on the page)."""
    lg = lang()
    with st.sidebar:
        choice("lang", "sb_lang", state.LANGS)
        choice("lens", "sb_lens", state.LENSES, horizontal=False)
        seed = next(p for p in state.table() if p.name == "seed")
        control(
            st.number_input,
            "seed",
            texts.t("sb_seed", lg),
            min_value=int(seed.lo),
            max_value=int(seed.hi),
            step=1,
        )
        with st.expander(texts.t("sb_advanced", lg), expanded=values()["lr"] != 1):
            control(
                st.select_slider,
                "lr",
                texts.t("sb_lr", lg),
                options=list(state.LR_STOPS),
                format_func=lambda x: f"×{x:g}",
                help=texts.t("sb_lr_help", lg),
            )
        v = values()
        lr = f" · lr×{v['lr']:g}" if v["lr"] != 1 else ""
        ptx = f" · ptx={v['ptx_coef']:g}" if v.get("ptx") else ""
        st.caption(
            texts.t("sb_run", lg) + f" · steps={v['steps']} · bias={v['bias']:g} · kl={v['kl']:g}"
            f" · seed={v['seed']}{lr}{ptx}"
        )
        st.caption(texts.t("sb_share", lg))
    warnings()


def warnings() -> None:
    """The URL's bad values, each named with what is allowed (shown on the page)."""
    for w in st.session_state.get("url_warnings", []):
        st.warning(texts.url_warning(w, lang()), icon=":material/warning:")


def admitted() -> bool:
    """True unless the server has a room password ($WUJI_PASSWORD) this session has not given yet."""
    return not os.environ.get("WUJI_PASSWORD") or st.session_state.get("admitted", False)


def login() -> None:
    """The only page before the room password is given (one per browser tab; no accounts)."""
    lg = lang()
    st.title(texts.t("app_title", lg))
    typed = st.text_input(texts.t("password", lg), type="password", key="password")
    if not typed:
        st.info(texts.t("password_help", lg))
        return
    if hmac.compare_digest(typed.encode(), os.environ.get("WUJI_PASSWORD", "").encode()):
        st.session_state["admitted"] = True
        del st.session_state["password"]
        st.rerun()
    st.error(texts.t("password_wrong", lg))
