"""The printable handout (issue 15): one A4 page a lens and language with the three stages, the two sliders, the
four scenarios (a QR code each) and three questions to discuss. Pure builders, no Streamlit.

A handout is one self-contained HTML file with print CSS (``@page`` A4): open it in a browser and print it.
Every text comes from the catalogues: the ``ho_*`` keys, and the app's own names for what the page shows
(``chapter.<n>`` for the stages, ``kl_slider`` / ``bias_slider``, ``sc_<name>`` for the scenarios). It cites no
measured number: a handout is printed before the run it talks about, so it explains and asks instead. A
scenario's QR code opens the tour's last step (the three gauges, side by side with the four scenario buttons)
on that scenario, in the handout's language and lens, at the app's public address (``ui.state.public_base``).

    python -m ui.handout --out DIR [--base URL]    # the six files wuji-handout-<lens>-<lang>.html

Without ``--base`` the address is ``WUJI_PUBLIC_URL``, else ``PLACEHOLDER`` (make run's address, which only
this machine can open: the command says so).
"""

from __future__ import annotations

import argparse
import html
import io
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import segno

from ui import state, story, texts

TOUR = "tour"  # the tour page's url path (ui.frame.PAGES)
PLACEHOLDER = "http://localhost:8501"  # make run's address: a stand-in until the facilitator gives the real one
LOCAL = ("localhost", "127.0.0.1", "::1")  # hosts a participant's phone cannot reach
STAGES = ("ho_stage_pretrain", "ho_stage_sft", "ho_stage_rlhf")  # what stage n (ui.story chapter n) does
SLIDERS = (("kl_slider", "ho_kl"), ("bias_slider", "ho_bias"))  # (the slider's label, what it means)
SCENES = {"balanced": "ho_sc_balanced", "hacking": "ho_sc_hacking", "leashed": "ho_sc_leashed", "weak": "ho_sc_weak"}
QUESTIONS = ("ho_q1", "ho_q2", "ho_q3")
VIEW = ("lang", "lens", "step")  # what a scenario link carries besides the scenario's own knobs

PAGE_CSS = """
@page { size: A4; margin: 10mm 12mm; }
* { box-sizing: border-box; }
html { background: #ffffff; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", Helvetica, Arial,
  sans-serif; color: #14110e; background: #ffffff; font-size: 9pt; line-height: 1.4; margin: 0; }
@media screen { body { width: 186mm; margin: 10mm auto; } }
html:lang(zh) body { font-size: 10pt; }  /* Chinese is denser: the same page holds it larger */
.kicker { color: #a1362b; font-weight: 700; letter-spacing: .03em; margin: 0; font-size: 9pt; }
h1 { font-size: 15pt; line-height: 1.2; margin: 1mm 0 1.5mm; }
.intro { margin: 0 0 1mm; }
h2 { font-size: 11pt; color: #a1362b; margin: 3mm 0 1.5mm; padding-bottom: .6mm;
  border-bottom: 1.5px solid #d6d0c7; }
h3 { font-size: 9.6pt; margin: 0 0 .8mm; }
p { margin: 0; }
.row { display: grid; gap: 3.5mm; }
.three { grid-template-columns: repeat(3, 1fr); }
.two { grid-template-columns: repeat(2, 1fr); }
.card { border: 1px solid #d6d0c7; border-radius: 2mm; padding: 2mm 2.5mm; background: #faf7f2; }
.scene { display: grid; grid-template-columns: 28mm 1fr; gap: 2.5mm; align-items: start; break-inside: avoid; }
.qr svg { width: 28mm; height: 28mm; display: block; }
.settings { color: #4a423b; font-size: 8.2pt; margin-top: .8mm; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 7pt; color: #4a423b;
  word-break: break-all; }
.scene code { display: block; margin-top: .8mm; }
ol { margin: 0; padding-left: 5.5mm; } li { margin-bottom: 1mm; }
footer { margin-top: 3mm; padding-top: 1.2mm; border-top: 1px solid #d6d0c7; font-size: 8pt; color: #4a423b; }
"""


def base_url(given: str | None = None) -> str:
    """The address the QR codes open: ``given`` (--base), else ``WUJI_PUBLIC_URL``, else ``PLACEHOLDER``."""
    return (given or state.public_base("") or PLACEHOLDER).rstrip("/")


def is_local(base: str) -> bool:
    """Whether only this machine can open the address (a phone in the room cannot)."""
    return urlsplit(base).hostname in LOCAL


def scenario_url(base: str, name: str, lens: str, lang: str) -> str:
    """The link to scenario ``name`` on the tour's last step: its own knobs and the view, every other knob left to
    the server's defaults (so the link stays short and its QR code coarse, and it names the scenario exactly as
    ``ui.story.scenario`` defines it)."""
    values = story.scenario(name, {"lang": lang, "lens": lens, "step": len(story.STEPS)})
    keep = (*story.SCENARIOS[name], *VIEW)
    query = {k: v for k, v in state.serialize(values).items() if k in keep}
    return f"{base.rstrip('/')}/{TOUR}?{urlencode(query)}"


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (black on white, the quiet zone included), sized by the page's CSS."""
    return segno.make(url, error="m").svg_inline(scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True,
                                                 svgclass="qr-code")


def _e(text: str) -> str:
    return html.escape(text)


def _scene(name: str, base: str, lens: str, lang: str) -> str:
    url = scenario_url(base, name, lens, lang)
    knobs = story.SCENARIOS[name]
    return (
        f'<div class="card scene" data-scenario="{name}" data-url="{_e(url)}">'
        f'<div class="qr">{qr_svg(url)}</div><div>'
        f"<h3>{_e(texts.t(story.SCENARIO_TITLES[name], lang))}</h3>"
        f"<p>{_e(texts.lensed(SCENES[name], lens, lang))}</p>"
        f'<p class="settings">{_e(texts.t("ho_settings", lang, kl=knobs["kl"], bias=knobs["bias"]))}</p>'
        f"<code>{_e(url)}</code></div></div>"
    )


def build(lens: str, lang: str, base: str) -> str:
    """The handout of one lens and language, its QR codes opening the app at ``base``: one HTML document."""
    stages = "".join(
        f'<div class="card"><h3>{_e(texts.chapter(i, lens, lang))}</h3><p>{_e(texts.lensed(key, lens, lang))}</p></div>'
        for i, key in enumerate(STAGES)
    )
    sliders = "".join(
        f'<div class="card"><h3>{_e(texts.t(label, lang))}</h3><p>{_e(texts.lensed(key, lens, lang))}</p></div>'
        for label, key in SLIDERS
    )
    scenes = "".join(_scene(name, base, lens, lang) for name in SCENES)  # the four printed (of story.SCENARIOS)
    questions = "".join(f"<li>{_e(texts.lensed(key, lens, lang))}</li>" for key in QUESTIONS)
    title = texts.lensed("ho_title", lens, lang)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head><meta charset="utf-8"><title>{_e(title)}</title><style>{PAGE_CSS}</style></head>
<body><main>
<p class="kicker">{_e(texts.t("ho_kicker", lang, lens=texts.lens_title(lens, lang)))}</p>
<h1>{_e(title)}</h1>
<p class="intro">{_e(texts.lensed("ho_intro", lens, lang))}</p>
<h2>{_e(texts.t("ho_h_stages", lang))}</h2><div class="row three">{stages}</div>
<h2>{_e(texts.t("ho_h_sliders", lang))}</h2><div class="row two">{sliders}</div>
<h2>{_e(texts.t("ho_h_scenarios", lang))}</h2><div class="row two">{scenes}</div>
<h2>{_e(texts.t("ho_h_questions", lang))}</h2><ol>{questions}</ol>
<footer>{_e(texts.t("ho_footer", lang))} <code>{_e(base)}</code></footer>
</main></body>
</html>
"""


def filename(lens: str, lang: str) -> str:
    return f"wuji-handout-{lens}-{lang}.html"


def every(base: str) -> dict[str, str]:
    """Every handout, file name -> HTML: one a lens and language."""
    return {filename(lens, lang): build(lens, lang, base) for lang in state.LANGS for lens in state.LENSES}


def zipped(base: str) -> bytes:
    """Every handout in one ZIP file (the app's download of all of them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, doc in every(base).items():
            z.writestr(name, doc)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ui.handout", description="Write the printable handouts, one an "
                                "analogy lens and language (A4, one page each; open in a browser and print).")
    p.add_argument("--out", type=Path, required=True, help="the folder to write them into (made if missing)")
    p.add_argument("--base", help=f"the app's address the QR codes open, e.g. http://192.168.1.20:8501 "
                   f"(default: ${state.PUBLIC_URL}, else {PLACEHOLDER})")
    args = p.parse_args(argv)
    base = base_url(args.base)
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        p.error(f"the address (--base or ${state.PUBLIC_URL}) must be one such as http://192.168.1.20:8501, "
                f"not {base!r}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, doc in every(base).items():
            (args.out / name).write_text(doc, encoding="utf-8")
            print(args.out / name)
    except OSError as e:
        p.error(f"cannot write the handouts into {args.out}: {e}")
    if is_local(base):
        print(f"note: the QR codes open {base}, which only this machine can reach; pass --base with the address "
              f"the room's phones can open, or set {state.PUBLIC_URL}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
