"""Presenter mode's two projector themes: colours, the CSS of the page, contrast (no Streamlit here).

Streamlit's own theme is set once for the whole server (.streamlit/config.toml), so a visitor's light
or dark choice is done here instead: CSS over the page, and ``ui.charts.for_room`` over each figure.
"""

from __future__ import annotations

THEMES = {
    "light": {
        "bg": "#ffffff",
        "text": "#14110e",
        "muted": "#3f3831",
        "panel": "#f3eee6",
        "border": "#8c8279",
        "accent": "#a1362b",
        "on_accent": "#ffffff",
        "grid": "#d6d0c7",
        "alert": {"Info": "#2f5d9e", "Success": "#2f7d4f", "Warning": "#9a6400", "Error": "#a1362b"},
    },
    "dark": {
        "bg": "#111317",
        "text": "#f4f1ea",
        "muted": "#cfc8bc",
        "panel": "#1e2127",
        "border": "#7a808a",
        "accent": "#ff8f80",
        "on_accent": "#111317",
        "grid": "#3b4048",
        "alert": {"Info": "#86b6ff", "Success": "#6fd49a", "Warning": "#ffcc55", "Error": "#ff8f80"},
    },
}

# The dark theme redraws the charts' series in lighter tones (the light ones are the charts' own).
TRACE_COLORS = {
    "dark": {
        "#b5473a": "#ff8f80",
        "#2f7d4f": "#6fd49a",
        "#2f5d9e": "#86b6ff",
        "#d49a1f": "#ffcc55",
        "#555555": "#d4d4d4",
        "#9aa9c4": "#b8c8ea",
        "#c9c3b8": "#e2ddd4",
    },
    "light": {"#d49a1f": "#9a6400", "#9aa9c4": "#5f77a3", "#c9c3b8": "#8d857a"},
}

SCALE = 1.5  # presenter mode: every font this much larger


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (#rrggbb): 1 (none) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# Help icons and switches at 3:1 against the page at least (WCAG 1.4.11), in every view: Streamlit draws the "?"
# beside a label in its light theme's text colour at 60% and a switch's track at 20% (1.5:1 on the sidebar; all but
# invisible on presenter mode's dark page), and presenter mode's button rule would paint a square under the "?".
# A format string: the track off, the track on, the icon's outline.
CONTROL_CSS = """.stApp [data-testid="stTooltipIcon"] button {{
  background: transparent !important; border: none !important; }}
.stApp [data-testid="stTooltipIcon"] svg {{ stroke: {icon} !important; }}
.stApp [data-testid="stCheckbox"] label:has(input[role="switch"]) > div:first-of-type {{
  background: {off} !important; }}
.stApp [data-testid="stCheckbox"] label:has(input[role="switch"]:checked) > div:first-of-type {{
  background: {on} !important; }}"""


def css(theme: str, scale: float = SCALE) -> str:
    """The page's CSS in presenter mode: larger type everywhere, and the theme's colours (a slider's value on
    the page's background: at this size it reaches down onto the thumb, 3.5:1 in the light theme)."""
    c = THEMES[theme]
    alerts = "\n".join(  # Streamlit's pale alert backgrounds give way to the panel colour, the kind marked by a bar
        f'.stApp [data-testid="stAlertContainer"]:has([data-testid="stAlertContent{kind}"]) '
        f"{{ box-shadow: inset 5px 0 0 {colour} !important; }}"
        for kind, colour in c["alert"].items()
    )
    return f"""<style>
html {{ font-size: {16 * scale:.0f}px !important; }}
.stApp, [data-testid="stHeader"], [data-testid="stBottomBlockContainer"] {{ background: {c["bg"]} !important; }}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding: 4rem 2.5rem 2rem; }}
.stApp h1 {{ font-size: 2.2rem; padding-top: .5rem; }}
.stApp, .stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp li, .stApp label, .stApp td, .stApp th,
.stApp [data-testid="stMarkdownContainer"], .stApp [data-testid="stWidgetLabel"],
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricLabel"], .stApp [data-testid="stText"],
[data-testid="stPopoverBody"], [data-testid="stPopoverBody"] p {{ color: {c["text"]} !important; }}
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] p {{
  color: {c["muted"]} !important; opacity: 1; }}
.stApp button, .stApp [data-testid="stDownloadButton"] button, [data-testid="stPopoverBody"] {{
  background: {c["panel"]} !important; color: {c["text"]} !important; border-color: {c["border"]} !important; }}
.stApp button[kind="primary"], .stApp button[data-testid="stBaseButton-primary"] {{
  background: {c["accent"]} !important; color: {c["on_accent"]} !important; }}
.stApp button [data-testid="stMarkdownContainer"], .stApp button p, .stApp button kbd {{
  color: inherit !important; opacity: 1 !important; }}
.stApp [data-testid="stVerticalBlockBorderWrapper"], .stApp [data-testid="stExpander"] details {{
  border-color: {c["border"]} !important; }}
.stApp [data-testid="stExpander"] summary {{ background: {c["bg"]} !important; color: {c["text"]} !important; }}
.stApp [data-testid="stExpander"] summary:hover {{ background: {c["panel"]} !important; }}
.stApp code, .stApp pre {{ background: {c["panel"]} !important; color: {c["text"]} !important; }}
.stApp [data-testid="stAlertContainer"] {{ background: {c["panel"]} !important; }}
.stApp [data-testid="stAlertContainer"] * {{ color: {c["text"]} !important; }}
.stApp [data-testid="stText"] * {{ color: {c["text"]} !important; }}
.stApp [data-testid="stMetricDelta"] {{ background: transparent !important; }}
.stApp [data-testid="stSliderThumbValue"] {{ background: {c["bg"]}; padding: 0 .25rem; border-radius: .25rem; }}
{CONTROL_CSS.format(off=c["border"], on=c["accent"], icon=c["muted"])}
{alerts}
</style>"""


# Outside presenter mode (Streamlit's own light theme, .streamlit/config.toml): its captions are the text colour
# at 60% (3.9:1 on the sidebar), and a primary button's key hint is white at 60% (2.9:1).
PLAIN_CSS = """<style>
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] p {
  color: #5c544b !important; opacity: 1 !important; }
.stApp button kbd { color: inherit !important; opacity: 1 !important; }
""" + CONTROL_CSS.format(off="#8c8279", on="#b5473a", icon="#5c544b") + """
</style>"""

TOUCH_PX = 48  # the phone page: the least height of a control (WCAG 2.5.5 asks for 44 px)
# The phone page (ui/join.py): tall buttons, answers that wrap, and no heading anchors (16 px links a touch screen
# shows without a hover to reveal them).
PHONE_CSS = f"""<style>
.stApp button {{ min-height: {TOUCH_PX}px; font-size: 1.05rem; }}
[data-testid="stMainBlockContainer"] {{ padding: 3.5rem 1rem 2rem; }}
.stApp [data-testid="stText"] {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.stApp [data-testid="stHeaderActionElements"] {{ display: none; }}
</style>"""
