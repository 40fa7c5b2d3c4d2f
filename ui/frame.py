"""The app's frame: what every page run has around the page (page config, URL state, sidebar or presenter
menu, the page list), drawn by ONE function, ``draw``, that app.py runs before it routes.

Why a page may route itself. Streamlit treats an app whose main script sits beside a ``pages/`` folder as a
v1 multipage app until some session calls ``st.navigation``: then it runs a page script directly, without
app.py (``_mpa_v1`` in streamlit/runtime/scriptrunner/script_runner.py, called at line 934 of Streamlit 1.67
when ``PagesManager.uses_pages_directory``). That happens on the first deep link (e.g. /rlhf) to a fresh
server, and on every AppTest run (AppTest resets the flag before each run: streamlit/testing/v1/app_test.py,
line 666). Streamlit documents the way out: "as soon as any session of your app executes the st.navigation
command, your app will ignore the pages/ directory (across all sessions)"
(docs.streamlit.io/develop/api-reference/navigation/st.navigation).

So a page that finds it was not routed by app.py (``ensure``) does what app.py does, ``route``: the frame
(which calls ``st.navigation``), then the page picked for the URL, which is this very page, run inside; then
the outer run stops. No rerun, so no click is lost, and every button is a plain ``st.button``. Why not
simply draw the frame and go on: ``st.navigation`` sets the run's active script hash to the main script's
(``ScriptRunContext.set_mpa_v2_page``, streamlit/runtime/scriptrunner_utils/script_run_context.py, line 291),
and every widget id includes the active script hash (``compute_and_register_element_id``,
streamlit/elements/lib/utils.py, line 306): the page's widgets would get other ids than in a routed run
(``Page.run`` sets the page's hash), and a click made on them would be lost on the next run.
tests/test_app_pages.py names this Streamlit behaviour and fails loudly when an upgrade changes it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ui import present, session, sidebar, texts, theme

PAGES = (  # (script and url path in pages/, its title's text, icon)
    ("home", "page_home", ":material/home:"),
    ("tour", "page_tour", ":material/slideshow:"),
    ("pretrain", "page_pretrain", ":material/wb_sunny:"),
    ("sft", "page_sft", ":material/sports_martial_arts:"),
    ("rlhf", "page_rlhf", ":material/balance:"),
    ("playground", "page_playground", ":material/play_circle:"),
    ("timeline", "page_timeline", ":material/timeline:"),
    ("explorer", "page_explorer", ":material/explore:"),
    ("challenges", "page_challenges", ":material/landscape:"),
)


JOIN = "join"  # the phone page (ui/join.py): in no menu, reached by the presenter's QR code and link


def pages(lang: str) -> list:
    return [
        st.Page(f"pages/{name}.py", title=texts.t(title, lang), icon=icon, url_path=name, default=name == "home")
        for name, title, icon in PAGES
    ] + [st.Page(f"pages/{JOIN}.py", title=texts.t("page_join", lang), url_path=JOIN, visibility="hidden")]


def joining() -> bool:
    """Whether this run is the phone page, read from the browser's address (it decides the frame before
    ``st.navigation`` picks the page: ``st.context.url`` holds the page's path)."""
    return urlsplit(st.context.url or "").path.rstrip("/").endswith(f"/{JOIN}")


def draw():
    """The frame of every page run; returns the page ``st.navigation`` picked (app.py runs it). Before the room
    password is given (when the server has one) the frame is the password box alone and the run ends here."""
    st.set_page_config(page_title="Wuji · 无忌", page_icon="☯", layout="wide")
    session.remember()
    lang = sidebar.init()["lang"]
    listed = pages(lang)
    if not sidebar.admitted():
        st.navigation([st.Page(sidebar.login, title=texts.t("password", lang), url_path="login")]).run()
        st.stop()
    phone = joining()
    nav = st.navigation(listed, position="hidden" if present.on() or phone else "sidebar")
    if phone:  # the phone page: no sidebar, no menu; large touch targets
        st.html(theme.PLAIN_CSS + theme.PHONE_CSS)
        return nav
    if present.on():  # presenter mode: no sidebar; its controls sit in one menu on the page
        present.menu(listed)
        sidebar.warnings()
    else:
        sidebar.draw()
        present.switch()
    present.style()
    return nav


def route() -> None:
    """app.py: draw the frame, mark the run as routed, run the page."""
    nav = draw()
    session.ROUTED.set(True)
    nav.run()


def ensure() -> None:
    """Every page's first call. A page run that did not come through app.py (Streamlit's v1 ``pages/`` mode, see
    above) routes itself as app.py does, the page running inside, and then ends."""
    if session.ROUTED.pop(False):
        return
    route()
    st.stop()
