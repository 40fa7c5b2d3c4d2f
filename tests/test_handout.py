"""The printable handout (ui/handout.py, issue 15) as pure functions: every lens and language builds with every
text of its lens filled; each QR code is the code of the link printed under it, coarse enough to print, and that
link opens its scenario on the tour in the handout's language and lens; the address comes from --base, then
WUJI_PUBLIC_URL, then a placeholder; the command writes the six files and refuses bad input clearly; the tour's
facilitator section offers the downloads. Printing to one A4 page is tests/test_browser_handout.py."""

from __future__ import annotations

import html
import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from test_handson import open_page

from ui import frame, handout, state, story, texts

BASE = "http://192.168.1.20:8501"
VARIANTS = [(lens, lang) for lang in state.LANGS for lens in state.LENSES]
QR_MM = 28  # the printed size of a code (ui/handout.py PAGE_CSS: .qr svg)


def lens_keys() -> list[str]:
    return ["ho_title", "ho_intro", *handout.STAGES, *(key for _, key in handout.SLIDERS), *handout.SCENES.values(),
            *handout.QUESTIONS]


def cards(doc: str) -> dict[str, tuple[str, str]]:
    """Scenario -> (the link its card names, the card's HTML)."""
    parts = re.split(r'(?=<div class="card scene")', doc)[1:]
    out = {}
    for part in parts:
        m = re.match(r'<div class="card scene" data-scenario="(\w+)" data-url="([^"]+)"', part)
        out[m[1]] = (html.unescape(m[2]), part)
    return out


def modules(svg: str) -> list[list[bool]]:
    """The black modules an SVG of segno's draws over its white square (the black path: 'M x y', then 'h n' runs
    and 'm dx dy' moves; a row's line is drawn at y + 0.5), as a square matrix the size of its viewBox."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])
    assert f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>' in svg, "white under the whole code"
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", re.search(r'stroke="#000" d="([^"]+)"', svg)[1]):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(a)):
                grid[int(y)][int(x) + i] = True
            x += int(a)
    return grid


@pytest.mark.parametrize(("lens", "lang"), VARIANTS)
def test_every_handout_builds_with_the_texts_of_its_own_lens_all_filled(lens, lang):
    doc = handout.build(lens, lang, BASE)
    shown = html.unescape(doc)
    want = [texts.lensed(key, lens, lang) for key in lens_keys()]
    want += [texts.chapter(i, lens, lang) for i in range(3)]
    want += [texts.t(key, lang) for key in (*(story.SCENARIO_TITLES[name] for name in handout.SCENES),
                                             *(label for label, _ in handout.SLIDERS))]
    assert [w for w in want if w not in shown] == []
    others = [texts.lensed(key, other, lang) for other in texts.LENSES if other != lens for key in lens_keys()]
    assert [o for o in others if o in shown] == [], "another lens's text"
    assert "{" not in re.sub(r"<style>.*?</style>", "", doc, flags=re.S), "a placeholder left unfilled"
    assert shown.count("<li>") == 3 and f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in doc


def test_the_six_handouts_differ_and_the_zip_holds_them_all():
    docs = handout.every(BASE)
    assert sorted(docs) == sorted(f"wuji-handout-{lens}-{lang}.html" for lens, lang in VARIANTS)
    assert len(set(docs.values())) == 6
    with zipfile.ZipFile(io.BytesIO(handout.zipped(BASE))) as z:
        assert {name: z.read(name).decode() for name in z.namelist()} == docs


@pytest.mark.parametrize(("lens", "lang"), VARIANTS)
def test_each_qr_code_opens_its_scenario_on_the_tours_last_step_in_the_handouts_language_and_lens(lens, lang):
    found = cards(handout.build(lens, lang, BASE))
    assert list(found) == list(handout.SCENES) and set(handout.SCENES) <= set(story.SCENARIOS)
    assert handout.TOUR in [name for name, _, _ in frame.PAGES]
    for name, (url, card) in found.items():
        parts = urlsplit(url)
        assert (f"{parts.scheme}://{parts.netloc}", parts.path) == (BASE, f"/{handout.TOUR}")
        values, warnings = state.parse(parse_qs(parts.query))
        assert warnings == [], warnings
        assert story.scenario_of(values) == name, (name, url)
        assert (values["lang"], values["lens"], values["step"]) == (lang, lens, len(story.STEPS))
        assert f"<code>{html.escape(url)}</code>" in card, "the link is printed under its code"
        code = segno.make(url, error="m")
        drawn = modules(re.search(r"<svg.*?</svg>", card, re.S)[0])
        border = (len(drawn) - len(code.matrix)) // 2
        assert border >= 4, "the quiet zone a scanner needs"
        assert [row[border:border + len(code.matrix)] for row in drawn[border:-border]] == \
            [[bool(m) for m in row] for row in code.matrix], f"{name}: the code drawn is not its link's"
        assert not any(any(row) for row in drawn[:border] + drawn[-border:]), "the quiet zone is blank"
        assert QR_MM / len(drawn) >= 0.5, f"{name}: modules of {QR_MM / len(drawn):.2f} mm are too fine to scan"


def test_the_address_comes_from_base_then_the_public_url_then_a_placeholder(monkeypatch):
    monkeypatch.delenv(state.PUBLIC_URL, raising=False)
    assert handout.base_url() == handout.PLACEHOLDER and handout.is_local(handout.PLACEHOLDER)
    assert state.public_base("") == "" and state.public_base("https://example.org/wuji/tour") == \
        "https://example.org/wuji"
    monkeypatch.setenv(state.PUBLIC_URL, "http://10.0.0.5:8501/")
    assert handout.base_url() == "http://10.0.0.5:8501" and not handout.is_local(handout.base_url())
    assert state.public_base("http://localhost:8501/tour") == "http://10.0.0.5:8501"
    assert handout.base_url("https://wuji.example.org/") == "https://wuji.example.org"
    url = cards(handout.build("work", "en", handout.base_url()))["weak"][0]
    assert url.startswith("http://10.0.0.5:8501/tour?") and "steps=0" in url


def test_the_command_writes_the_six_handouts(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(state.PUBLIC_URL, raising=False)
    assert handout.main(["--out", str(tmp_path / "new"), "--base", BASE]) == 0
    written = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert written == sorted(handout.every(BASE))
    assert (tmp_path / "new" / "wuji-handout-tech-zh.html").read_text(encoding="utf-8") == \
        handout.build("tech", "zh", BASE)
    assert "only this machine" not in capsys.readouterr().err
    assert handout.main(["--out", str(tmp_path / "local")]) == 0
    assert "only this machine can reach" in capsys.readouterr().err, "the placeholder address is said"


@pytest.mark.parametrize(("args", "message"), [
    (["--base", "192.168.1.20"], "must be one such as http://"),
    (["--base", "ftp://host/"], "must be one such as http://"),
])
def test_the_command_refuses_a_bad_address_and_writes_nothing(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as e:
        handout.main(["--out", str(tmp_path / "out"), *args])
    assert e.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_command_says_when_it_cannot_write(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(SystemExit) as e:
        handout.main(["--out", str(blocker), "--base", BASE])
    assert e.value.code == 2 and f"cannot write the handouts into {blocker}" in capsys.readouterr().err
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("public", ["http://10.0.0.5:8501", None])
def test_the_tours_facilitator_section_offers_the_handouts_at_the_public_address(wuji_cache, monkeypatch, public):
    if public:
        monkeypatch.setenv(state.PUBLIC_URL, public)
    else:
        monkeypatch.delenv(state.PUBLIC_URL, raising=False)
    at = open_page("tour", lens="work")
    assert {"ho_download", "ho_download_all"} <= {e.key for e in at.get("download_button")}
    captions = [c.value for c in at.caption]
    assert texts.t("ho_help", "en", address=public or handout.PLACEHOLDER) in captions
    assert (texts.t("join_local", "en", var=state.PUBLIC_URL) in captions) == (public is None), "warned: local only"
