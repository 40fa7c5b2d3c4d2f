"""Friendly names for the technical keys of the core (metric keys stay technical in sim/; design.md).

The names live in the catalogues (ui/locales/<lang>.po) as families: ``label.<metric>`` (what a chart or a
table shows), ``short.<metric>`` (a metric tile), ``unit.<metric>`` (an axis), ``task.<kind>``,
``stage.<stage>``, ``method.<method>``. A key without a friendly name shows as itself (and has no unit).
"""

from __future__ import annotations

from ui import texts


def label(key: str, lang: str) -> str:
    return texts.member("label", key, lang, default=key)


def short(key: str, lang: str) -> str:
    return texts.member("short", key, lang) or label(key, lang)


def unit(key: str, lang: str) -> str:
    return texts.member("unit", key, lang, default="")


def axis(key: str, lang: str) -> str:
    """An axis title: the friendly name and, when there is one, its unit."""
    u = unit(key, lang)
    return f"{label(key, lang)} · {u}" if u else label(key, lang)


# The axis titles the lay lenses (wuxia, work) give in plain words: no units of information (nats) and no
# symbols (d = √KL); the technical lens keeps them (issue 12 item 7).
PLAIN_AXES = {"val_loss": "axis_plain.val_loss", "kl": "axis_plain.kl", "d": "axis_plain.d"}


def lens_axis(key: str, lang: str, lens: str, tech: str) -> str:
    """An axis title that follows the lens: ``tech`` in the technical lens, plain words in the lay ones."""
    return tech if lens == "tech" else texts.t(PLAIN_AXES[key], lang)


def task(kind: str, lang: str) -> str:
    return texts.member("task", kind, lang, default=kind)


def stage(name: str, lang: str) -> str:
    return texts.member("stage", name, lang, default=name)


def method(name: str, lang: str) -> str:
    return texts.member("method", name, lang, default=name)


def verdict(correct: bool | None) -> str:
    """The mark beside an answer: ✓ right, ✗ wrong against the world's true answer, nothing when not judged."""
    return "" if correct is None else "✓" if correct else "✗"


def width(text: str) -> int:
    """How wide a text runs, in columns: a Chinese character takes two, a Latin letter one."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def wrap(text: str, cols: int) -> str:
    """Chart text broken into lines (plotly's ``<br>``) of at most ``cols`` columns (see ``width``): at spaces
    in English, anywhere in Chinese, so that a title fits a narrow column instead of running out of the chart."""
    lines, line = [], ""
    for piece in text.split(" ") if " " in text else list(text):
        joined = f"{line} {piece}" if line and " " in text else line + piece
        if line and width(joined) > cols:
            lines.append(line)
            joined = piece
        line = joined
    return "<br>".join([*lines, line])


def rewrap(text: str, cols: int) -> str:
    """Text ``wrap`` broke into lines, broken again at ``cols``: its lines join as ``wrap`` split them (at spaces
    when the text has any, else anywhere)."""
    return wrap(text.replace("<br>", " " if " " in text else ""), cols)
