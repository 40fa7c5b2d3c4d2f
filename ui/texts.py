"""Every text the app shows, read from one gettext catalogue a language: ``ui/locales/<lang>.po``.

The conventions (docs/translating.md says them for translators):

- ``msgid`` is a stable key (``tour_next``); ``msgctxt``, where a text has lens variants, is the analogy lens
  (``wuxia``, ``work``, ``tech``), and then every lens is there.
- A text chosen by a value of the program has the key ``<family>.<member>``: ``panel.pretrain``,
  ``state.babbling``, ``step.inner.title``, ``label.val_loss``. The functions below take the member (a panel's
  name, a metric key, a tour step) as they always did; ``_member`` is the one place such a key is put together.
- An extracted comment ``#. placeholders: probe steps val_loss`` declares what the program fills in. Texts are
  Python format strings (``{probe:.0%}``; a literal brace is doubled).
- A text that counts something has gettext's plural forms: ``msgid_plural`` repeats the key, ``msgstr[0]``,
  ``msgstr[1]`` ... are the forms, and ``#. plural: n_seed`` names the placeholder that counts. Which form a count
  takes is the catalogue's own ``Plural-Forms`` rule, applied by the standard library's gettext (English: one form
  for 1, another for 0, 2, 3 ...; Chinese: one form for all).

The catalogues are read with Babel at first use and checked whole: the same entries in every language, every
lens of a lensed key, every placeholder a text uses declared, the same declaration in every language. A broken
catalogue raises ``CatalogueError`` listing every problem; filling a text whose placeholder the caller did not
give raises ``TextError``: a misspelt name never passes silently. The analogies are the project's own writing,
drawn from the meaning of the seed notes (张无忌's growth; a new employee's growth).
"""

from __future__ import annotations

import collections
import functools
import gettext
import io
import numbers
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

LOCALES = Path(__file__).with_name("locales")  # <lang>.po, one a language
LANGS = ("zh", "en")  # THE language list: a language is its catalogue plus its entry here
LENSES = ("wuxia", "work", "tech")  # the msgctxt of a text with lens variants
DECLARE = "placeholders:"  # the extracted comment that declares an entry's placeholders
COUNTS = "plural:"  # the extracted comment that names the placeholder whose count picks a plural form
ENTRY = re.compile(r'^(?:msgctxt "([^"]*)"\n)?msgid "([^"]+)"$', re.M)  # (lens, key) of an entry (keys: one line)
GUESSES = {"up": "guess_up", "flat": "guess_flat", "down": "guess_down"}  # a guess (ui.guesses) -> its text
URL_REASONS = {  # ui.state.UrlWarning.reason -> its text
    "text": "url_text",
    "range": "url_range",
    "long": "url_long",
    "choice": "url_choice",
    "snap": "url_snap",
}


class CatalogueError(ValueError):
    """A catalogue that breaks the conventions; the message lists every problem found."""


class TextError(LookupError):
    """An unknown key or language, or a text the caller's values cannot fill."""


def fields(text: str) -> set[str]:
    """The placeholder names a format string uses (``{cap:.0%}`` -> ``cap``)."""
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f is not None}


@dataclass(frozen=True)
class Entry:
    """One key: its declared placeholders and its forms per (language, lens); lens is None unless lensed. An
    ordinary text has one form; a plural one has its language's forms, picked by the count in ``plural``."""

    key: str
    placeholders: frozenset[str]
    forms: Mapping[tuple[str, str | None], tuple[str, ...]]
    plural: str | None = None  # the placeholder that counts, for a text with plural forms

    @property
    def lensed(self) -> bool:
        return any(lens is not None for _, lens in self.forms)

    @property
    def texts(self) -> dict[tuple[str, str | None], str]:
        """Each (language, lens)'s text: an ordinary text's only form, a plural text's last (the general) one."""
        return {where: forms[-1] for where, forms in self.forms.items()}

    def every_text(self):
        """Every form of every language and lens."""
        for forms in self.forms.values():
            yield from forms


class Catalogue:
    """The texts of every language, checked; ``fill`` formats one of them."""

    def __init__(self, entries: Mapping[str, Entry], langs: tuple[str, ...],
                 plurals: Mapping[str, gettext.GNUTranslations] | None = None):
        self.entries, self.langs = dict(entries), tuple(langs)
        self.plurals = dict(plurals or {})  # lang -> its catalogue compiled, to pick plural forms by its rule

    @classmethod
    def read(cls, folder: Path, langs: tuple[str, ...]) -> Catalogue:
        """Read ``<folder>/<lang>.po`` for every language and check them together."""
        problems: list[str] = []
        raw: dict[str, dict] = {}
        plurals = {}
        for lang in langs:
            raw[lang], plurals[lang] = _read_po(folder / f"{lang}.po", problems)
        every = set().union(*(r.keys() for r in raw.values()))
        for lang, r in raw.items():
            for key, lens in sorted(every - r.keys(), key=str):
                problems.append(f"{lang}.po: missing {key!r}" + (f" (msgctxt {lens!r})" if lens else ""))
        by_key: dict[str, dict] = {}
        for lang, r in raw.items():
            for (key, lens), value in r.items():
                by_key.setdefault(key, {})[lang, lens] = value
        entries = {}
        for key, got in by_key.items():
            entries[key] = _entry(key, got, problems)
        if problems:
            raise CatalogueError(f"the catalogues in {folder} break the conventions (docs/translating.md):\n  "
                                 + "\n  ".join(problems))
        return cls(entries, langs, plurals)

    def entry(self, key: str) -> Entry:
        if key not in self.entries:
            raise TextError(f"no text {key!r} in the catalogues (ui/locales/<lang>.po)")
        return self.entries[key]

    def fill(self, key: str, lang: str, lens: str | None, values: Mapping[str, object]) -> str:
        """The text of ``key`` in ``lang`` (and ``lens``, for a lensed key) with ``values`` filled in."""
        entry = self.entry(key)
        where = f"{key!r} ({lang}{', ' + lens if lens else ''})"
        if lang not in self.langs:
            raise TextError(f"no catalogue for language {lang!r}; the languages are {', '.join(self.langs)}")
        if entry.lensed and lens not in LENSES:
            raise TextError(f"{where} has lens variants: pass one of {', '.join(LENSES)}")
        if not entry.lensed and lens is not None:
            raise TextError(f"{where} has no lens variants")
        text = self._form(entry, where, lang, lens, values)
        missing = fields(text) - values.keys()
        if missing:
            raise TextError(f"{where} needs {', '.join(sorted(missing))}; the caller gave "
                            f"{', '.join(sorted(values)) or 'nothing'}")
        try:
            return text.format(**values)
        except (ValueError, TypeError) as e:
            raise TextError(f"{where} cannot be filled with {dict(values)}: {e}") from e

    def _form(self, entry: Entry, where: str, lang: str, lens: str | None, values: Mapping[str, object]) -> str:
        """The form of the text that this count takes, by the language's ``Plural-Forms`` rule (gettext's
        ``npgettext`` reads it from the compiled catalogue); an ordinary text's only form."""
        if entry.plural is None:
            return entry.forms[lang, lens][0]
        n = values.get(entry.plural)
        if not isinstance(n, numbers.Integral) or isinstance(n, bool):
            raise TextError(f"{where} counts {entry.plural}: give it a whole number, not {n!r}")
        n, trans = int(n), self.plurals[lang]
        return trans.npgettext(lens, entry.key, entry.key, n) if lens else trans.ngettext(entry.key, entry.key, n)


def _read_po(path: Path, problems: list[str]) -> tuple[dict, gettext.GNUTranslations | None]:
    """(key, lens) -> (forms, declared placeholders, the counting placeholder) of one file, and the file compiled
    for gettext's plural rule; what breaks the conventions goes to problems."""
    if not path.is_file():
        problems.append(f"{path.name}: missing (every language in ui/texts.LANGS needs its catalogue)")
        return {}, None
    try:
        with path.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
        seen = collections.Counter(ENTRY.findall(path.read_text(encoding="utf-8")))
    except (PoFileError, UnicodeDecodeError) as e:
        problems.append(f"{path.name}: not a valid PO file: {e}")
        return {}, None
    for (lens, key), n in sorted(seen.items()):
        if n > 1:  # Babel keeps the first of them, silently
            problems.append(f"{path.name}: {key!r}" + (f" (msgctxt {lens!r})" if lens else "") + f" appears {n} times")
    out = {}
    for m in catalog:
        if not m.id:  # the header
            continue
        key = m.id[0] if m.pluralizable else m.id
        where = f"{path.name}: {key!r}" + (f" (msgctxt {m.context!r})" if m.context else "")
        if m.context is not None and m.context not in LENSES:
            problems.append(f"{where}: msgctxt must be a lens ({', '.join(LENSES)})")
        forms = tuple(f for f in m.string if f) if m.pluralizable else (m.string,)
        declared = [c.removeprefix(DECLARE).split() for c in m.auto_comments if c.startswith(DECLARE)]
        counts = [c.removeprefix(COUNTS).strip() for c in m.auto_comments if c.startswith(COUNTS)]
        if m.pluralizable and (m.id[1] != key or len(forms) != catalog.num_plurals or not counts):
            problems.append(f"{where}: a plural text repeats its key as msgid_plural, has this language's "
                            f"{catalog.num_plurals} forms (Plural-Forms; it has {len(forms)}) and names its count "
                            f"(#. {COUNTS} ...)")
            continue
        if not all(isinstance(f, str) and f for f in forms):
            problems.append(f"{where}: no text (msgstr is empty)")
            continue
        if counts and not m.pluralizable:
            problems.append(f"{where}: names a count (#. {COUNTS} ...) but has no plural forms (msgid_plural)")
        out[key, m.context] = (forms, frozenset(declared[0] if declared else ()), counts[0] if counts else None)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return out, gettext.GNUTranslations(mo)


def _entry(key: str, got: dict, problems: list[str]) -> Entry:
    """One key's texts, checked: lens variants complete, placeholders declared alike and all used."""
    lenses = {lens for _, lens in got}
    if lenses != {None} and lenses != set(LENSES):
        problems.append(f"{key!r}: a key has no msgctxt, or every lens ({', '.join(LENSES)}); it has "
                        f"{', '.join(sorted(str(x) for x in lenses))}")
    declarations = {declared for _, declared, _ in got.values()}
    if len(declarations) > 1:
        problems.append(f"{key!r}: the placeholders line differs between entries: "
                        + " / ".join(" ".join(sorted(d)) or "(none)" for d in declarations))
    declared = frozenset().union(*declarations)
    counts = {count for _, _, count in got.values()}
    if len(counts) > 1:
        problems.append(f"{key!r}: plural forms in one entry and not in another, or counted by different "
                        f"placeholders: {' / '.join(sorted(str(c) for c in counts))}")
    count = next(iter(counts))
    if count is not None and count not in declared:
        problems.append(f"{key!r}: counts {count}, which it does not declare (#. {DECLARE} ...)")
    used: set[str] = set()
    for (lang, lens), (forms, _, _) in sorted(got.items(), key=str):
        for text in forms:
            try:
                names = fields(text)
            except ValueError as e:
                problems.append(f"{lang}.po: {key!r} ({lens or 'no lens'}): not a valid format string: {e}")
                continue
            used |= names
            if names - declared:
                problems.append(f"{lang}.po: {key!r} ({lens or 'no lens'}) uses undeclared "
                                f"{', '.join(sorted(names - declared))} (declare: #. {DECLARE} ...)")
    if declared - used:
        problems.append(f"{key!r}: declares {', '.join(sorted(declared - used))}, which no text uses")
    return Entry(key, declared, {where: forms for where, (forms, _, _) in got.items()}, count)


@functools.cache
def _read(folder: Path, langs: tuple[str, ...]) -> Catalogue:
    return Catalogue.read(folder, langs)


def catalogue() -> Catalogue:
    """The app's catalogues (``LOCALES``, ``LANGS``), read and checked once a process."""
    return _read(LOCALES, LANGS)


def _member(family: str, *member) -> str:
    """The key of a family's member: ``panel.pretrain``, ``step.inner.title`` (docs/translating.md)."""
    return ".".join((family, *(str(m) for m in member)))


def member(family: str, name, lang: str, default: str | None = None) -> str | None:
    """A family's text for ``name`` (no lens, no placeholders), or ``default`` when the family has none."""
    key = _member(family, name)
    if key not in catalogue().entries:
        return default
    return catalogue().fill(key, lang, None, {})


def t(key: str, lang: str, **kw) -> str:
    return catalogue().fill(key, lang, None, kw)


def panel(name: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """An analogy panel's text in this lens and language, with the live numbers filled in."""
    return catalogue().fill(_member("panel", name), lang, lens, nums)


def panel_placeholders(name: str) -> frozenset[str]:
    """The numbers a panel's texts may cite (its declared placeholders)."""
    return catalogue().entry(_member("panel", name)).placeholders


def leash(kl_coef: float, lens: str, lang: str) -> str:
    return catalogue().fill("leash.some" if kl_coef > 0 else "leash.none", lang, lens, {"kl_coef": kl_coef})


def state(name: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """The sentence of a run's measured state (ui/states.py), with its numbers."""
    return catalogue().fill(_member("state", name), lang, lens, nums)


def duration(secs: float | None, lang: str) -> str:
    """A measured time as the page says it ("about 40 s", "about 3.5 min"), or that it is not measured yet."""
    if secs is None:
        return t("eta_unmeasured", lang)
    if secs < 90:
        return t("eta_seconds", lang, sec=max(1, round(secs)))
    return t("eta_minutes", lang, min=round(secs / 60, 1))


def drift(name: str, kl: float, lens: str, lang: str) -> str:
    """How far he drifted from his old self, in the lens's words: ``drift.<name>`` (``ui.states.drift`` picks
    the name from the measured KL ``kl``)."""
    return catalogue().fill(_member("drift", name), lang, lens, {"kl": kl})


def skill(name: str, lens: str, lang: str) -> str:
    """What SFT's capability amounts to, in the lens's words: ``skill.<name>`` (``ui.states.skill`` picks it)."""
    return catalogue().fill(_member("skill", name), lang, lens, {})


def moved(name: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """What flattery did over a run, in the lens's words: ``moved.<name>`` (``ui.states.moved`` picks the name
    from the measured shares; the rollback panel cites it)."""
    return catalogue().fill(_member("moved", name), lang, lens, nums)


def ptx_kept(name: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """What PPO-ptx's practice did against plain PPO: ``ptx_kept.<name>`` (``ui.narrate.ptx_kept`` picks it)."""
    return catalogue().fill(_member("ptx_kept", name), lang, lens, nums)


def mend(name: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """What more votes a pair and a rubric would do to the judges' labels: ``mend.<name>`` (``ui.tradeoff.bias_numbers``
    picks the name from the measured shares of wrong labels)."""
    return catalogue().fill(_member("mend", name), lang, lens, nums)


def heading(key: str, lens: str, lang: str) -> str:
    """A heading or column title that follows the lens (``green_grey``, ``side_by_side``, ``base``, ``sft``)."""
    return catalogue().fill(key, lang, lens, {})


def trend(key: str, lang: str) -> str:
    return catalogue().fill(_member("trend", key), lang, None, {})


def story(lens: str, lang: str) -> str:
    return catalogue().fill("home_story", lang, lens, {})


def lensed(key: str, lens: str, lang: str) -> str:
    """A lensed text with no placeholders, named by its key (the handout's texts, ui/handout.py)."""
    return catalogue().fill(key, lang, lens, {})


def lens_title(lens: str, lang: str) -> str:
    return catalogue().fill("lens_title", lang, lens, {})


def url_warning(w, lang: str) -> str:
    """A ui.state.UrlWarning as a sentence."""
    return t(URL_REASONS[w.reason], lang, name=w.name, raw=w.raw, allowed=w.allowed, used=w.used)


def peak(lens: str, lang: str) -> str:
    return catalogue().fill("peak", lang, lens, {})


def rubric_word(on: bool, lens: str, lang: str) -> str:
    return catalogue().fill("rubric.on" if on else "rubric.off", lang, lens, {})


def step_text(key: str, part: str, lens: str, lang: str) -> str:
    """A tour step's "title" or "do" (the thing to try) in this lens and language."""
    return catalogue().fill(_member("step", key, part), lang, lens, {})


def chapter(stage: int, lens: str, lang: str) -> str:
    return catalogue().fill(_member("chapter", stage), lang, lens, {})


def question(metric: str, lens: str, lang: str, **kw) -> str:
    return catalogue().fill(_member("question", metric), lang, lens, kw)


def story_metric(metric: str, lens: str, lang: str) -> str:
    return catalogue().fill(_member("question_metric", metric), lang, lens, {})


def sentence(key: str, lens: str, lang: str, nums: Mapping[str, object]) -> str:
    """A lensed sentence a program picks from measured numbers (``ui.tradeoff.EXAMS``, ``ui.narrate.VARIETY``),
    named by its whole key, with those numbers filled in."""
    return catalogue().fill(key, lang, lens, nums)
