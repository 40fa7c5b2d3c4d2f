"""Thin Streamlit glue: the URL state of a session, the shared sidebar, and state-bound controls.

The canonical values live in the session's ``VALUES`` (ui/session.py): read from the URL on a session's
first run (``ui.state.parse``), written back to the URL on every run, so a copied link restores
them. Widgets use keys ``w_<name>``; their callbacks copy the widget's value into the state.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

from ui import session, state, texts

AUTOSTART = ("kl", "bias", "ptx", "ptx_coef")  # moving these reruns PPO at once (earlier stages: cache)


def values() -> dict:
    return session.VALUES.get()


def lang() -> str:
    return values()["lang"]


def lens() -> str:
    return values()["lens"]


def init() -> dict:
    """Parse the URL once a session; mirror the state back into the URL every run."""
    if not session.VALUES.present():
        query = {k: st.query_params.get_all(k) for k in st.query_params}
        parsed, warnings = state.parse(query, visitor_lang=state.browser_lang(st.context.locale))
        session.VALUES.set(parsed)
        session.URL_WARNINGS.set(warnings)
    wanted = state.serialize(values())
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    return values()


def update(autostart: bool = False, **changed) -> None:
    """Change URL values (the link follows on the next run); the link's old warnings go. ``autostart``: PPO
    retrains at once for the new values (see ``consume_autostart``)."""
    session.VALUES.set({**values(), **changed})
    session.URL_WARNINGS.set([])
    if autostart:
        session.AUTOSTART.set(True)


def _commit(name: str) -> None:
    new = session.WIDGET(name).get()
    if new is None:  # nothing chosen: keep the value
        return
    update(name in AUTOSTART, **{name: new})


def control(widget, name: str, label: str, **kw):
    """A widget bound to one URL parameter: it shows the state's value and writes changes back."""
    session.WIDGET(name).set(values()[name])
    return widget(label, key=session.WIDGET.key(name), on_change=_commit, args=(name,), **kw)


def consume_autostart() -> bool:
    return bool(session.AUTOSTART.pop(False))


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
        extra = texts.t("sb_run_lr", lg, lr=f"{v['lr']:g}") if v["lr"] != 1 else ""
        extra += texts.t("sb_run_ptx", lg, coef=f"{v['ptx_coef']:g}") if v.get("ptx") else ""
        st.caption(texts.t("sb_run", lg, steps=v["steps"], bias=f"{v['bias']:g}", kl=f"{v['kl']:g}", seed=v["seed"],
                           extra=extra))
        st.caption(texts.t("sb_share", lg))
    warnings()


def warnings() -> None:
    """The URL's bad values, each named with what is allowed (shown on the page)."""
    for w in session.URL_WARNINGS.get([]):
        st.warning(texts.url_warning(w, lang()), icon=":material/warning:")


def has_password() -> bool:
    """Whether the server has a room password ($WUJI_PASSWORD)."""
    return bool(os.environ.get("WUJI_PASSWORD"))


def right_password(typed: str | None) -> bool:
    """Whether ``typed`` is the room password (compared in constant time)."""
    return has_password() and hmac.compare_digest((typed or "").encode(), os.environ["WUJI_PASSWORD"].encode())


def admitted() -> bool:
    """True unless the server has a room password ($WUJI_PASSWORD) this session has not given yet."""
    return not has_password() or bool(session.ADMITTED.get(False))


def login() -> None:
    """The only page before the room password is given (one per browser tab; no accounts)."""
    lg = lang()
    st.title(texts.t("app_title", lg))
    typed = st.text_input(texts.t("password", lg), type="password", key=session.PASSWORD.name)
    if not typed:
        st.info(texts.t("password_help", lg))
        return
    if right_password(typed):
        session.ADMITTED.set(True)
        session.PASSWORD.pop()
        st.rerun()
    st.error(texts.t("password_wrong", lg))
