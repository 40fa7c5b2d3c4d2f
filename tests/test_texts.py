"""The texts as data: one gettext catalogue a language (ui/locales/<lang>.po), read by ui/texts.py.

Every key is in every language and every lens; every placeholder a text uses is declared, and every declared one
is provided by its caller (literal call sites read statically; the panels from the functions that fill them);
every entry renders; no key is unused and none is put together at run time; a third language is one file plus
its entry in the language list. The PO files are read here with Babel directly, not through the loader's checks.
"""

import ast
import functools
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from sim.config import METHODS, STAGES
from sim.methods import FORM, VARIANTS
from sim.server import GUESS_CHOICES
from sim.world import KINDS as TASK_KINDS
from ui import charts, hands, labels, narrate, sidebar, state, states, story, texts, tradeoff

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
CAT = texts.catalogue()
NO_PLACEHOLDERS = ("trend", "step", "chapter", "question_metric", "label", "short", "unit", "task",
                   "stage", "method", "rubric", "home_story", "lens_title", "peak")  # their functions fill nothing


def po(lang: str, folder: Path = texts.LOCALES) -> dict:
    """(key, msgctxt) -> (its forms, extracted comments) of one catalogue, read with Babel: one form, or a plural
    text's (msgid_plural)."""
    with (folder / f"{lang}.po").open("rb") as f:
        return {(m.id[0] if m.pluralizable else m.id, m.context):
                (tuple(m.string) if m.pluralizable else (m.string,), m.auto_comments) for m in read_po(f) if m.id}


def declared(comments) -> set[str]:
    lines = [c for c in comments if c.startswith(texts.DECLARE)]
    return set(lines[0].removeprefix(texts.DECLARE).split()) if lines else set()


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def trees():
    for path in CODE:
        yield path, parsed(path)


def strings(paths) -> set[str]:
    """Every string constant in these files."""
    out = set()
    for path in paths:
        out |= {n.value for n in ast.walk(parsed(path)) if isinstance(n, ast.Constant)
                and isinstance(n.value, str)}
    return out


def calls(module: str, name: str | None = None):
    """(path, call) for every ``module.name(...)`` call in app.py, pages/ and ui/ (``texts.t``, ``labels.label``)."""
    for path, tree in trees():
        for node in ast.walk(tree):
            f = getattr(node, "func", None)
            if (isinstance(node, ast.Call) and isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                    and f.value.id == module and (name is None or f.attr == name)):
                yield path, node


def dummy(names) -> dict:
    return dict.fromkeys(names, 0.5)  # fits every format spec the catalogues use (.0%, .2f, g, ",", .1e ...)


# -- every key in every language and lens ----------------------------------------------------------------------
def test_every_key_exists_in_every_language_and_every_lens():
    cats = {lang: po(lang) for lang in texts.LANGS}
    first = cats[texts.LANGS[0]]
    for lang, cat in cats.items():
        assert cat.keys() == first.keys(), (lang, sorted(cat.keys() ^ first.keys(), key=str)[:5])
    lenses: dict[str, set] = {}
    for key, lens in first:
        lenses.setdefault(key, set()).add(lens)
    for key, got in lenses.items():
        assert got in ({None}, set(texts.LENSES)), (key, got)
    assert sum(got == set(texts.LENSES) for got in lenses.values()) > 50, "the panels, verdicts, steps ... by lens"
    assert all(all(forms) for cat in cats.values() for forms, _ in cat.values()), "no empty msgstr ('untranslated')"


def test_the_app_languages_and_lenses_are_the_catalogues():
    assert set(state.LANGS) <= set(texts.LANGS) and state.LENSES == texts.LENSES


# -- placeholders: declared, provided, rendered -----------------------------------------------------------------
def test_every_placeholder_a_text_uses_is_declared_alike_in_every_language():
    decl: dict[str, set] = {}
    for lang in texts.LANGS:
        for (key, lens), (forms, comments) in po(lang).items():
            names = declared(comments)
            for text in forms:
                assert texts.fields(text) <= names, (lang, key, lens, texts.fields(text) - names)
            assert decl.setdefault(key, names) == names, (lang, key, lens, "declared differently")


def test_every_entry_renders_with_its_declared_placeholders():
    n = 0
    for key, entry in CAT.entries.items():
        for lang, lens in entry.forms:
            for count in (1, 2) if entry.plural else (None,):  # a plural text: one and more, each form it has
                values = {**dummy(entry.placeholders), **({entry.plural: count} if entry.plural else {})}
                out = CAT.fill(key, lang, lens, values)
                assert out and "{" not in out.replace("{{", ""), (key, lang, lens)
            n += 1
    assert n == len(po("zh")) * len(texts.LANGS)


def literal_kwargs(call: ast.Call) -> set[str] | None:
    """The keyword names a call passes, or None when it passes **something (not readable statically)."""
    if any(k.arg is None for k in call.keywords):
        return None
    return {k.arg for k in call.keywords}


def test_every_literal_call_of_t_provides_exactly_the_declared_placeholders():
    checked = 0
    for path, call in calls("texts", "t"):
        key = call.args[0]
        if not isinstance(key, ast.Constant):
            continue
        given = literal_kwargs(call)
        assert key.value in CAT.entries, f"{path.name}:{call.lineno}: no text {key.value!r}"
        if given is None:
            continue
        want = CAT.entry(key.value).placeholders
        assert want <= given, f"{path.name}:{call.lineno}: {key.value!r} needs {sorted(want - given)}"
        assert given <= want, f"{path.name}:{call.lineno}: {key.value!r} does not use {sorted(given - want)}"
        checked += 1
    assert checked > 200


def test_the_families_filled_by_their_functions_declare_what_those_provide():
    asked = [(path, call, literal_kwargs(call)) for path, call in calls("texts", "question")]
    assert asked
    for key, entry in CAT.entries.items():
        family = key.split(".")[0]
        if family in NO_PLACEHOLDERS:
            assert not entry.placeholders, key
        elif family == "leash":
            assert entry.placeholders <= {"kl_coef"}, key  # texts.leash gives kl_coef
        elif family == "question":
            for path, call, given in asked:
                assert entry.placeholders <= given, (key, path.name, call.lineno)


def full_doc() -> dict:
    """A whole run's result document, shaped as sim.pipeline writes it."""
    point = {"proxy_reward": 0.1, "gold_reward": 0.2, "capability": 0.7, "kl": 1.5, "flattery": 0.1,
             "per_task": {k: 0.5 for k in TASK_KINDS}}
    return {
        "config": {"pretrain": {"steps": 800, "batch_size": 16, "block": 64},
                   "reward": {"n_annotators": 5, "n_pairs": 600, "reward_bias": 0.5},
                   "ppo": {"iterations": 40, "batch_size": 32, "kl_coef": 0.1, "ptx_coef": 1.0}},
        "pretrain": {"val_loss": 1.2, "probe_accuracy": 0.6, "history": [{"step": 800}]},
        "sft": {"capability": 0.8, "format_rate": 1.0, "per_task": {"add": 0.9, "copy": 0.4},
                "answers": [{"base_correct": False, "sft_correct": True}]},
        "reward": {"pref_accuracy": 0.9, "gold_agreement": 0.8},
        "seconds": {"total": 40.0, "pretrain": 25.0},
        "rlhf": {"start": point, "final": {**point, "capability": 0.6}},
    }


def test_every_panel_of_narrate_gets_every_number_it_declares():
    values = {**state.defaults(), "ptx": 1}
    for lens in texts.LENSES:
        given = narrate.numbers(full_doc(), values, lens, "en")
        for name in narrate.REQUIRES:
            missing = texts.panel_placeholders(name) - given.keys()
            assert not missing, (name, missing)
            assert narrate.panel(name, full_doc(), values, lens, "zh")


def tradeoff_numbers() -> dict:
    """Panel name -> the numbers ui/tradeoff gives it, from small inputs shaped like the real ones."""
    point = {"capability": 0.7, "gold_reward": 0.2, "proxy_reward": 0.3, "kl": 2.0, "flattery": 0.1,
             "checker_strict": 0.5, "checker_sloppy": 0.5, "entropy": 0.5, "distinct_answers": 0.5}
    rows = [{"kl_coef": 0.1, "reward_bias": 0.9, "seed": 0, "start": point, "final": point}]
    fit = {"alpha": 0.5, "beta": 0.2, "r2": 0.9, "d_peak": 1.0, "r_peak": 0.3}
    def ov(*gains):  # PPO's measured gold gains at d = 0, 1, 2, ...
        return {"ppo": {"gold": fit, "points": [{"d": float(d), "gold": g} for d, g in enumerate(gains)]}}

    peaked, flat, fell = ov(0.0, 0.2, -0.1), ov(0.0, 0.1, 0.2), ov(0.0, -0.1, -0.3)
    doc = {"start": point, "final": point, "history": [{**point, "step": 1, "n": 4}],
           "config": {"beta": 0.1, "k": 4, "conservative": "min"}, "kl_coef": 0.1,
           "members": [{"pref_accuracy": 0.9, "gold_agreement": 0.4}, {"pref_accuracy": 0.8, "gold_agreement": 0.9}]}
    hist = [{"per_task": {k: 0.5 for k in TASK_KINDS}, "per_task_gold": {k: 0.1 for k in TASK_KINDS}}] * 2
    out = {"frontier": tradeoff.frontier_numbers(rows, 0.1, 0.9),
           "overopt": tradeoff.overopt_panel(peaked)[1], "overopt_none": tradeoff.overopt_panel(flat)[1],
           "overopt_fall": tradeoff.overopt_panel(fell)[1],
           "challenge_bosses": tradeoff.bosses_numbers([[0.0, 0.3], [0.3, 0.0]], 0.2, 3, True, "work", "en"),
           "challenge_bias": tradeoff.bias_numbers({"config": {"reward": {"reward_bias": 0.9}},
                                                    "reward": {"gold_agreement": 0.4}},
                                                   {"err": 0.6, "err_votes": 0.6, "err_rubric": 0.3, "votes": 5},
                                                   "work", "en"),
           "challenge_flops": tradeoff.flops_numbers({"pretrain": 1e12, "sft": 1e11, "reward": 1e10, "rlhf": 1e11}),
           "challenge_ab": tradeoff.transfer_numbers(tradeoff.transfer_groups(hist))}
    assert [tradeoff.overopt_panel(o)[0] for o in (peaked, flat, fell)] == ["overopt", "overopt_none", "overopt_fall"]
    for m, name in tradeoff.METHOD_PANELS.items():
        out[name] = tradeoff.method_numbers(m, doc, "wuxia", "en")
    return out


def test_every_panel_of_the_explorer_and_challenges_gets_every_number_it_declares():
    for name, nums in tradeoff_numbers().items():
        missing = texts.panel_placeholders(name) - nums.keys()
        assert not missing, (name, missing)
        for lens in texts.LENSES:
            assert texts.panel(name, lens, "en", nums)


def test_every_panel_in_the_catalogues_is_one_the_app_fills():
    panels = {key.split(".", 1)[1] for key in CAT.entries if key.startswith("panel.")}
    assert panels == set(narrate.REQUIRES) | set(tradeoff_numbers())


# -- a misspelt or missing placeholder is an error, never a vanished panel --------------------------------------
def test_a_missing_placeholder_raises_a_clear_error():
    with pytest.raises(texts.TextError, match=r"'running' \(en\) needs sec; the caller gave stage"):
        texts.t("running", "en", stage="SFT")
    with pytest.raises(texts.TextError, match="no text 'runing'"):
        texts.t("runing", "en")
    with pytest.raises(texts.TextError, match="has lens variants"):
        texts.t("panel.pretrain", "en")
    with pytest.raises(texts.TextError, match="no catalogue for language 'fr'"):
        texts.t("app_title", "fr")


def test_narrate_panel_raises_on_a_missing_number_instead_of_hiding_the_panel(monkeypatch):
    real = narrate.numbers

    def without_probe(*a, **kw):
        nums = real(*a, **kw)
        del nums["probe"]
        return nums

    values = state.defaults()
    assert "80" in narrate.panel("pretrain", {"pretrain": {"val_loss": 1.2, "probe_accuracy": 0.8}}, values, "tech",
                                 "en")
    monkeypatch.setattr(narrate, "numbers", without_probe)
    with pytest.raises(texts.TextError, match="needs probe"):
        narrate.panel("pretrain", {"pretrain": {"val_loss": 1.2, "probe_accuracy": 0.8}}, values, "tech", "en")


def test_a_panel_waits_while_its_numbers_are_not_measured_yet():
    live = {"pretrain": {"val_loss": None, "probe_accuracy": None, "history": []}}  # narrate.partial_doc, step 0
    assert narrate.panel("pretrain", live, state.defaults(), "wuxia", "zh") is None


# -- no key unused, none put together at run time ----------------------------------------------------------------
def built(node: ast.expr) -> bool:
    """A key made at run time: an f-string, a + or %, or a .format() / .join() call."""
    return isinstance(node, ast.JoinedStr | ast.BinOp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"))


def test_no_key_is_built_at_run_time():
    sites = [*calls("texts"), *calls("labels"), *calls("narrate", "panel"), *calls("x", "analogy"),
             *calls("w", "analogy")]
    assert len(sites) > 300
    for path, call in sites:
        if call.args:
            assert not built(call.args[0]), f"{path.name}:{call.lineno}: {ast.unparse(call.args[0])}"


FAMILIES = {  # family -> the members the app can ask for (the fixed tuples they come from)
    "step": {f"{s.key}.{part}" for s in story.STEPS for part in ("title", "do")},
    "chapter": {str(s.stage) for s in story.STEPS},
    "question": {s.question for s in story.STEPS if s.question},
    "question_metric": {s.question for s in story.STEPS if s.question},
    "task": set(TASK_KINDS),
    "stage": {*STAGES, "done"},
    "method": {"ppo", *METHODS, *VARIANTS},
    "state": set(states.NAMES),
    "drift": set(states.DRIFTS),
    "skill": set(states.SKILLS),
    "moved": set(states.MOVES),
    "mend": set(tradeoff.MENDS),
    "ptx_kept": set(narrate.PTX_KEPT),
    "plotly": set(charts.PLOTLY_WORDS.values()),
}
USED_AS_DATA = ("panel", "trend", "label", "short", "unit")  # members named in the code (ui, sim)


def test_no_key_is_unused():
    in_ui = strings(CODE)
    in_code = in_ui | strings(sorted((ROOT / "sim").glob("*.py")))
    unused = []
    for key in CAT.entries:
        family, _, name = key.partition(".")
        if key in in_ui:
            continue
        if family in FAMILIES:
            ok = name in FAMILIES[family]
        else:
            ok = family in USED_AS_DATA and name in in_code
        if not ok:
            unused.append(key)
    assert not unused, unused
    for family, members in FAMILIES.items():
        for name in members:
            assert f"{family}.{name}" in CAT.entries, f"{family}.{name}"


def test_every_key_table_of_the_code_names_real_texts_for_every_value():
    tables = {
        "GUESSES": (texts.GUESSES, set(GUESS_CHOICES)),
        "URL_REASONS": (texts.URL_REASONS, {"text", "range", "long", "choice", "snap"}),
        "SCENARIO_TITLES": (story.SCENARIO_TITLES, set(story.SCENARIOS)),
        "METHOD_PANELS": (tradeoff.METHOD_PANELS, set(tradeoff.METHODS)),
        "FORMS": (tradeoff.FORMS, {"rl", *FORM.values()}),
        "WHY_NOT": (hands.WHY_NOT, {"finished", "needs_judges", *(f"needs_{s}" for s in STAGES[:3])}),
        "START_FROM": (hands.START_FROM, {"pretrain", "reward"}),
        "OPTIONS lens": (sidebar.OPTIONS["lens"], set(state.LENSES)),
        "OPTIONS theme": (sidebar.OPTIONS["theme"], set(state.THEMES)),
    }
    for name, (table, domain) in tables.items():
        assert set(table) == domain, name
        keys = [("panel." + v) if name == "METHOD_PANELS" else v for v in table.values()]
        assert all(k in CAT.entries for k in keys), (name, [k for k in keys if k not in CAT.entries])
    reasons = {n.args[-1].value for n in ast.walk(ast.parse((ROOT / "ui" / "state.py").read_text()))
               if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "UrlWarning"}
    assert reasons == set(texts.URL_REASONS)
    pages = next(n.value for n in ast.walk(ast.parse((ROOT / "ui" / "frame.py").read_text()))
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    titles = [row.elts[1].value for row in pages.elts]
    assert len(titles) == 9 and all(t in CAT.entries for t in titles)


def test_friendly_names_fall_back_to_the_technical_key():
    assert labels.label("val_loss", "en") == "Guessing error (lower is better)"
    assert labels.label("no_such_metric", "zh") == "no_such_metric" and labels.unit("no_such_metric", "en") == ""
    assert labels.short("length", "en") == labels.label("length", "en") == "Answer length"
    assert labels.axis("kl", "zh") == "偏离原来的自己（KL） · 每个回答 nats"


# -- a third language is one file plus its entry in the language list -------------------------------------------
def stub(folder: Path, drop: tuple | None = None, edit: tuple | None = None, everywhere: bool = False) -> None:
    """zh.po, en.po, and fr.po copied from English; one entry dropped or one text changed in fr.po (or in all)."""
    folder.mkdir()
    for lang, source in (("zh", "zh"), ("en", "en"), ("fr", "en")):
        with (texts.LOCALES / f"{source}.po").open("rb") as f:
            cat = read_po(f, locale=lang)
        if drop and (lang == "fr" or everywhere):
            cat.delete(*drop)
        if edit and (lang == "fr" or everywhere):
            cat.get(edit[0], context=edit[1]).string = edit[2]
        buf = io.BytesIO()
        write_po(buf, cat, width=100, no_location=True)
        (folder / f"{lang}.po").write_bytes(buf.getvalue())


def test_a_third_language_is_one_file_plus_its_entry_in_the_language_list(tmp_path, monkeypatch):
    stub(tmp_path / "ok")
    monkeypatch.setattr(texts, "LOCALES", tmp_path / "ok")
    monkeypatch.setattr(texts, "LANGS", ("zh", "en", "fr"))
    assert texts.t("tour_next", "fr") == texts.t("tour_next", "en") == "Next →"
    assert texts.t("running", "fr", stage="SFT", sec=3) == "Training: SFT (3 s so far)"
    assert texts.panel("pretrain", "wuxia", "fr", {"steps": 800, "val_loss": 1.2, "probe": 0.6}).startswith(
        "In the valley")
    assert labels.task("add", "fr") == "Addition"


@pytest.mark.parametrize("broken, message", [
    ({"drop": ("tour_next", None)}, "fr.po: missing 'tour_next'"),
    ({"drop": ("panel.kl", "tech")}, r"fr.po: missing 'panel.kl' \(msgctxt 'tech'\)"),
    ({"drop": ("panel.kl", "tech"), "everywhere": True}, r"'panel.kl': a key has no msgctxt, or every lens"),
    ({"edit": ("tour_next", None, "Suivant {page} →")}, "fr.po: 'tour_next' .* uses undeclared page"),
    ({"edit": ("running", None, "En cours : {stage}")}, None),  # a text may leave a number out
    ({"edit": ("tour_next", None, "")}, "fr.po: 'tour_next': no text"),
    ({"edit": ("tour_next", None, "Suivant {")}, "fr.po: 'tour_next' .*not a valid format string"),
])
def test_the_completeness_check_catches_a_broken_third_catalogue(tmp_path, broken, message):
    stub(tmp_path / "fr", **broken)
    if message is None:
        assert texts.Catalogue.read(tmp_path / "fr", ("zh", "en", "fr")).fill("running", "fr", None, {"stage": "x",
                                                                                                       "sec": 1})
        return
    with pytest.raises(texts.CatalogueError, match=message):
        texts.Catalogue.read(tmp_path / "fr", ("zh", "en", "fr"))


def test_a_language_in_the_list_without_its_catalogue_is_named(tmp_path):
    stub(tmp_path / "x")
    with pytest.raises(texts.CatalogueError, match="de.po: missing"):
        texts.Catalogue.read(tmp_path / "x", ("zh", "en", "de"))


def test_a_key_written_twice_is_named(tmp_path):
    stub(tmp_path / "x")
    fr = tmp_path / "x" / "fr.po"
    fr.write_text(fr.read_text(encoding="utf-8") + '\nmsgid "tour_next"\nmsgstr "Suivant →"\n', encoding="utf-8")
    with pytest.raises(texts.CatalogueError, match="fr.po: 'tour_next' appears 2 times"):
        texts.Catalogue.read(tmp_path / "x", ("zh", "en", "fr"))


# -- counted texts: gettext's plural forms, picked by each catalogue's own rule ----------------------------------
def test_a_counted_text_takes_the_form_its_count_needs_in_each_language():
    assert texts.t("watching_together", "en", n=1).startswith("1 other participant asked")
    assert texts.t("watching_together", "en", n=3).startswith("3 other participants asked")
    assert texts.t("watching_together", "en", n=0).startswith("0 other participants")
    assert texts.t("watching_together", "zh", n=1) == texts.t("watching_together", "zh", n=3).replace("3", "1")
    nums = {"bias": 0.9, "kl_coef": 0.1, "cap0": 0.8, "cap": 0.5, "gold0": 1.0, "gold": 0.5, "proxy": 2.0,
            "best": "", "state": ""}
    one, three = (texts.panel("frontier", "work", "en", {**nums, "n_seed": n}) for n in (1, 3))
    assert "1 company (one seed)" in one and "averaged over 3 companies (seeds)" in three
    with pytest.raises(texts.TextError, match="counts n_seed: give it a whole number, not 1.5"):
        texts.panel("frontier", "tech", "en", {**nums, "n_seed": 1.5})


def test_no_english_text_hedges_a_plural_with_brackets():
    hedged = re.compile(r"\w\((?:s|es|ies)\)")
    found = [(key, lens) for (key, lens), (forms, _) in po("en").items() if any(hedged.search(f) for f in forms)]
    assert not found, f"give these plural forms (msgid_plural, docs/translating.md): {found}"


def stub_text(folder: Path, change) -> None:
    """The stub catalogues with fr.po's text changed by ``change`` (a function of the file's text)."""
    stub(folder)
    fr = folder / "fr.po"
    fr.write_text(change(fr.read_text(encoding="utf-8")), encoding="utf-8")


def test_the_plural_rule_is_the_catalogues_own(tmp_path, monkeypatch):
    """French counts 0 as one (Plural-Forms: plural=(n > 1)); English does not. The rule is read from each
    catalogue's header, never written in the code."""
    stub_text(tmp_path / "fr", lambda s: s.replace("plural=(n != 1)", "plural=(n > 1)"))
    cat = texts.Catalogue.read(tmp_path / "fr", ("zh", "en", "fr"))
    assert cat.fill("fac_done", "fr", None, {"n": 0}) == "The room is empty: 0 record deleted."
    assert cat.fill("fac_done", "en", None, {"n": 0}) == "The room is empty: 0 records deleted."
    assert cat.fill("fac_done", "fr", None, {"n": 2}) == cat.fill("fac_done", "en", None, {"n": 2})


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace("#. plural: n\nmsgid \"fac_done\"", "msgid \"fac_done\""),
     r"fr.po: 'fac_done': a plural text .* names its count"),
    (lambda s: s.replace('msgid_plural "fac_done"', 'msgid_plural "fac_gone"'),
     r"fr.po: 'fac_done': a plural text repeats its key"),
    (lambda s: s.replace("nplurals=2; plural=(n != 1)", "nplurals=3; plural=(n > 1 ? 2 : n)"),
     r"fr.po: 'fac_done': a plural text .* has this language's 3 forms"),
    (lambda s: s.replace("#. plural: n\nmsgid \"fac_done\"", "#. plural: k\nmsgid \"fac_done\""),
     r"'fac_done': plural forms in one entry and not in another, or counted by different placeholders"),
    (lambda s: s.replace('msgid "fac_reset"', '#. plural: n\nmsgid "fac_reset"'),
     r"fr.po: 'fac_reset': names a count .* but has no plural forms"),
])
def test_a_broken_plural_text_is_named(tmp_path, change, message):
    stub_text(tmp_path / "fr", change)
    with pytest.raises(texts.CatalogueError, match=message):
        texts.Catalogue.read(tmp_path / "fr", ("zh", "en", "fr"))
