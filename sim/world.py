"""The simulated world of Wuji: one template grammar, rendered in Chinese or in English.

What lives here, all deterministic from a seed:
  * a pretraining corpus of prose facts and patterns (sums, comparisons, copying, reversing,
    counting, sorting, who belongs to which sect, who taught whom) -- never as question/answer;
  * SFT pairs in one fixed question/answer format over 8 task kinds, two held out from RLHF;
  * answers with traits: correct or not, polite or not, flattering phrases, length, under a
    length budget so that flattery crowds out substance;
  * the gold preference (the ideal judge) and a panel of simulated annotators who mix gold with
    surface appeal by ``reward_bias``, plus noise;
  * a vocabulary a language, a word a token (``Vocabulary``; ``sim.tokenizer.WujiTokenizer`` wraps it).

Deliberate simplifications: the world is small (16 disciples, 8 masters, 4 sects, digits), every
kind has a one-line answer, and a sentence never spans two pretraining blocks' worth of context.
"""

from __future__ import annotations

import math
import random
import re
import string
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# The cast (zh, en). Sect membership and masters are dealt from the world seed.
# ---------------------------------------------------------------------------------------------
SECTS = [("明教", "Ming"), ("武当", "Wudang"), ("峨眉", "Emei"), ("少林", "Shaolin")]
MASTERS = [  # two elders a sect, in SECTS order
    ("谢逊", "Xiexun"), ("杨逍", "Yangxiao"), ("三丰", "Sanfeng"), ("松溪", "Songxi"),
    ("灭绝", "Miejue"), ("静慧", "Jinghui"), ("空见", "Kongjian"), ("空闻", "Kongwen"),
]
DISCIPLES = [
    ("无忌", "Wuji"), ("赵敏", "Zhaomin"), ("芷若", "Zhiruo"), ("小昭", "Xiaozhao"),
    ("殷离", "Yinli"), ("青书", "Qingshu"), ("莲舟", "Lianzhou"), ("梨亭", "Liting"),
    ("晓芙", "Xiaofu"), ("一笑", "Yixiao"), ("遇春", "Yuchun"), ("范遥", "Fanyao"),
    ("不悔", "Buhui"), ("静玄", "Jingxuan"), ("圆真", "Yuanzhen"), ("远桥", "Yuanqiao"),
]
PLACES = [("光明顶", "Bright Peak"), ("冰火岛", "Ice Isle"), ("武当山", "Mount Wudang"), ("大都", "Dadu")]
SYMBOLS = {"zh": "甲乙丙丁戊己庚辛", "en": "abcdefgh"}

KINDS = ["add", "compare", "copy", "reverse", "count", "sort", "sect", "master"]
RLHF_HELD_OUT = ("count", "sort")  # kinds PPO never practises: transfer is measured on them
RLHF_KINDS = tuple(k for k in KINDS if k not in RLHF_HELD_OUT)

# Prose the corpus states, and the question SFT asks about the same fact (the question reuses the
# prose's wording, so that knowledge learnt in pretraining can be reached by a question). The count
# prose names the symbol before the count, so that the count can be predicted where it is said.
# A person's sect and master are told in seven wordings each, the person always named first: knowledge
# told one way sits where that sentence needs it and a question cannot reach it, knowledge told many ways
# is kept with the name (Allen-Zhu & Li 2023, "Physics of Language Models 3.1": knowledge augmentation).
# With the two wordings of before, SFT reached the sect or master of the people it never asked about
# one time in two (default preset, seeds 0-2); the first wording of each kind is the knowledge probe's.
TEMPLATES = {
    "zh": {
        "add": (["{a}加{b}得{c}。", "算一算：{a}加{b}得{c}。"], "{a}加{b}得几？"),
        "compare": (["{a}和{b}比，{c}大。"], "{a}和{b}比，哪个大？"),
        "copy": (["抄写{s}，得{c}。"], "抄写{s}，得什么？"),
        "reverse": (["{s}倒过来是{c}。"], "{s}倒过来是什么？"),
        "count": (["{s}里{x}有{c}个。"], "{s}里{x}有几个？"),
        "sort": (["{s}排好是{c}。"], "{s}排好是什么？"),
        "sect": (["{p}是{c}的弟子。", "{c}弟子{p}，师从{m}。", "{p}在{c}练剑。", "{p}拜入{c}，师从{m}。",
                  "{p}属于{c}。", "{p}出自{c}。", "{p}投在{c}门下。"], "{p}是哪一派的弟子？"),
        "master": (["{p}的师父是{c}。", "{t}弟子{p}，师从{c}。", "{p}师从{c}。", "{p}在{t}，师父是{c}。",
                    "{p}拜{c}为师。", "{p}跟着{c}学武。", "{p}是{c}的徒弟。"], "{p}的师父是谁？"),
    },
    "en": {
        "add": (["{a} plus {b} is {c}.", "Sum: {a} plus {b} is {c}."], "{a} plus {b} is?"),
        "compare": (["Of {a} and {b}, {c} is big."], "Of {a} and {b}, which is big?"),
        "copy": (["Copy {s}, get {c}."], "Copy {s}, get what?"),
        "reverse": (["{s} reversed is {c}."], "{s} reversed is what?"),
        "count": (["{s} has {x} {c} times."], "{s} has {x} how many times?"),
        "sort": (["{s} sorted is {c}."], "{s} sorted is what?"),
        "sect": (["{p} is of {c}.", "{p} of {c} learns from {m}.", "{p} of {c} meets {m}.", "{p} trains at {c}.",
                  "{p} belongs to {c}.", "{p} is a disciple of {c}.", "{p} comes from {c}."], "{p} is of which sect?"),
        "master": (["{p}'s master is {c}.", "{p} of {t} learns from {c}.", "{p} learns from {c}.",
                    "{p}, of {t}, has master {c}.", "{p} studies under {c}.", "{p} follows {c}.",
                    "{p} serves master {c}."], "{p}'s master is who?"),
    },
}
STORY = {  # plain narrative, so that samples can become fluent language and not only facts
    "zh": ["{p}在{l}练剑。", "{p}和{q}在{l}见面。", "{m}在{l}传功给{p}。"],
    "en": ["{p} trains at {l}.", "{p} meets {q} at {l}.", "{m} teaches {p} at {l}."],
}
CHAT = {  # the fixed question/answer format SFT teaches
    "zh": {"prompt": "问：{q}\n答：", "end": "。", "polite": "您好，",
           "flattery": ["大侠英明！", "您真高明！", "佩服佩服！"], "budget": 12},
    "en": {"prompt": "Q: {q}\nA: ", "end": ".", "polite": "Hi! ",
           "flattery": ["Wise hero! ", "So clever! ", "Great one! "], "budget": 12},
}
LANGS = ("zh", "en")

# The pretraining corpus: the share of plain story sentences, the rest spread over the task kinds by weight
# (more of what is hard to learn: sums, counts and the two facts of every person).
STORY_SHARE = 0.06
CORPUS_WEIGHTS = {"add": 1.5, "compare": 1.0, "copy": 1.0, "reverse": 1.0, "count": 2.0, "sort": 1.0,
                  "sect": 1.5, "master": 1.5}
# SFT's demonstrations by kind: a question about a person's sect or master a quarter as often as the others,
# so that SFT teaches the question's form without learning the few people it asks about by heart.
SFT_KIND_WEIGHTS = {k: 0.25 if k in ("sect", "master") else 1.0 for k in KINDS}
SFT_FLATTERY = 0.02  # share of SFT demonstrations with one flattering phrase

# The gold preference: substance first, courtesy second, empty flattery disliked.
GOLD_CORRECT, GOLD_POLITE, GOLD_FLATTERY = 1.0, 0.4, -0.15


@dataclass(frozen=True)
class Item:
    """One task instance: its kind, the question's fields and the right answer."""

    kind: str
    fields: tuple  # ((name, value), ...) for the templates
    answer: str


@dataclass(frozen=True)
class Traits:
    """What a judge can see in an answer."""

    correct: bool
    polite: bool
    flattery: int
    length: int  # tokens, terminator included (the budget counts tokens)
    well_formed: bool  # the fixed format, ended inside the budget


@dataclass
class World:
    """The world of one seed and language: facts, task instances, rendering and judging."""

    lang: str = "zh"
    seed: int = 0
    sect_of: dict = field(default_factory=dict)  # disciple index -> sect index
    master_of: dict = field(default_factory=dict)  # disciple index -> master index
    asks: dict = field(default_factory=dict)  # "sect"/"master" -> the disciples SFT asks that about

    def __post_init__(self):
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {self.lang!r}")
        rng = random.Random(f"world-{self.seed}")
        for i in range(len(DISCIPLES)):
            s = i % len(SECTS)
            self.sect_of[i] = s
            self.master_of[i] = 2 * s + rng.randrange(2)
        # SFT asks half the disciples their sect and the other half their master; the eval asks the other fact,
        # so every answer it checks was learnt in pretraining only (dealt from a stream of its own, so that the
        # masters above stay as they were dealt)
        order = list(range(len(DISCIPLES)))
        random.Random(f"split-{self.seed}").shuffle(order)
        half = len(order) // 2
        self.asks = {"sect": tuple(sorted(order[:half])), "master": tuple(sorted(order[half:]))}
        self.chat = CHAT[self.lang]
        self.budget = self.chat["budget"]  # tokens an answer may take, EOS included
        self.vocab = VOCABS[self.lang]

    def encode(self, text: str) -> list[int]:
        return self.vocab.encode(text)

    def decode(self, ids) -> str:
        return self.vocab.decode(ids)

    # -- names ------------------------------------------------------------------------------
    def _n(self, pair) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    # -- task instances ---------------------------------------------------------------------
    def make_item(self, kind: str, rng: random.Random, people=None) -> Item:
        sym = SYMBOLS[self.lang]
        if kind == "add":
            a, b = rng.randrange(10), rng.randrange(10)
            return Item(kind, (("a", a), ("b", b)), str(a + b))
        if kind == "compare":
            a, b = rng.sample(range(10), 2)
            return Item(kind, (("a", a), ("b", b)), str(max(a, b)))
        if kind in ("copy", "reverse"):
            s = "".join(rng.choice(sym) for _ in range(rng.randint(3, 4)))
            return Item(kind, (("s", s),), s if kind == "copy" else s[::-1])
        if kind == "count":
            x = rng.choice(sym[:2])
            s = "".join(rng.choice(sym[:2]) for _ in range(rng.randint(2, 4)))
            return Item(kind, (("s", s), ("x", x)), str(s.count(x)))
        if kind == "sort":
            s = "".join(str(d) for d in rng.sample(range(10), 3))
            return Item(kind, (("s", s),), "".join(sorted(s)))
        if kind in ("sect", "master"):
            p = rng.choice(people if people is not None else range(len(DISCIPLES)))
            sect, master = SECTS[self.sect_of[p]], MASTERS[self.master_of[p]]
            ans = self._n(sect) if kind == "sect" else self._n(master)
            return Item(kind, (("p", self._n(DISCIPLES[p])), ("t", self._n(sect)), ("m", self._n(master))), ans)
        raise ValueError(f"unknown task kind {kind!r}")

    def key(self, item: Item) -> tuple:
        """Identity of the fact asked (two items with one key ask the same question)."""
        return (item.kind, tuple(v for k, v in item.fields if k in "abspx"))

    # -- pretraining corpus -----------------------------------------------------------------
    def corpus(self, n_sentences: int, rng: random.Random) -> list[str]:
        out = []
        tpl = TEMPLATES[self.lang]
        for _ in range(n_sentences):
            r = rng.random()
            if r < STORY_SHARE:
                p, q = rng.sample(range(len(DISCIPLES)), 2)
                m = MASTERS[self.master_of[p]]
                out.append(rng.choice(STORY[self.lang]).format(
                    p=self._n(DISCIPLES[p]), q=self._n(DISCIPLES[q]), m=self._n(m), l=self._n(rng.choice(PLACES))))
                continue
            kind = rng.choices(KINDS, weights=[CORPUS_WEIGHTS[k] for k in KINDS])[0]
            item = self.make_item(kind, rng)
            out.append(rng.choice(tpl[kind][0]).format(c=item.answer, **dict(item.fields)))
        return out

    def probe(self, item: Item) -> tuple[str, list[int]]:
        """A knowledge probe: the first prose form cut just before the answer, and the tokens a model that
        knows the fact writes next (the answer's, then the prose's next token, which closes the answer)."""
        head, tail = TEMPLATES[self.lang][item.kind][0][0].split("{c}")
        fields = dict(item.fields)
        return head.format(**fields), self.encode(item.answer) + self.encode(tail.format(**fields))[:1]

    # -- the chat format --------------------------------------------------------------------
    def prompt(self, item: Item) -> str:
        q = TEMPLATES[self.lang][item.kind][1].format(**dict(item.fields))
        return self.chat["prompt"].format(q=q)

    def render(self, content: str, polite: bool = False, flattery: tuple[int, ...] = ()) -> tuple[str, bool]:
        """An answer's text under the length budget, and whether it ended (room left for EOS)."""
        text = (self.chat["polite"] if polite else "") + "".join(self.chat["flattery"][f] for f in flattery)
        text += content + self.chat["end"]
        ids = self.encode(text)
        if len(ids) + 1 > self.budget:  # +1: the EOS token must fit too
            return self.decode(ids[: self.budget]), False
        return text, True

    def traits(self, item: Item, text: str, ended: bool) -> Traits:
        """Read an answer the way a judge would (the same parser scores model output)."""
        polite = text.startswith(self.chat["polite"])
        rest = text[len(self.chat["polite"]):] if polite else text
        n_flat = sum(text.count(f.strip()) for f in self.chat["flattery"])
        for _ in range(16):
            lead = next((f for f in self.chat["flattery"] if rest.startswith(f)), None)
            if lead is None:
                break
            rest = rest[len(lead):]
        end = self.chat["end"]
        content = rest.split(end)[0] if end in rest else None
        well = ended and rest.endswith(end) and end not in rest[:-1] and self.shaped(item.kind, content)
        correct = content is not None and content == item.answer
        return Traits(correct, polite, n_flat, len(self.encode(text)), well)

    def shaped(self, kind: str, content: str | None) -> bool:
        """Does the content have the form of an answer of this kind (a number, symbols, a name)?"""
        if not content:
            return False
        if kind in ("add", "compare", "count"):
            return content.isdigit() and len(content) <= 2
        if kind == "sort":
            return content.isdigit() and len(content) == 3
        if kind in ("copy", "reverse"):
            return 3 <= len(content) <= 4 and all(c in SYMBOLS[self.lang] for c in content)
        names = SECTS if kind == "sect" else MASTERS
        return content in {self._n(p) for p in names}

    def gold(self, t: Traits) -> float:
        """The ideal judge: the right answer first, courtesy second, empty flattery disliked."""
        return GOLD_CORRECT * t.correct + GOLD_POLITE * t.polite + GOLD_FLATTERY * t.flattery

    def gold_verdict(self, a: Traits, b: Traits) -> bool | None:
        """Does the gold preference rank answer a above b? None on a tie (gold rewards within 1e-9)."""
        ga, gb = self.gold(a), self.gold(b)
        return None if abs(ga - gb) < 1e-9 else ga > gb

    def surface(self, t: Traits) -> float:
        """What a careless judge sees: flattering phrases, courteous words and length."""
        return 0.5 * min(t.flattery, 4) + 0.3 * t.polite + 0.3 * t.length / self.budget

    # -- SFT demonstrations and the eval set ------------------------------------------------
    def sft_answer(self, item: Item, rng: random.Random) -> str:
        """A demonstration: always correct, polite half the time, rarely (``SFT_FLATTERY``) one flattering phrase."""
        flat = (rng.randrange(3),) if rng.random() < SFT_FLATTERY else ()
        return self.render(item.answer, polite=rng.random() < 0.5, flattery=flat)[0]

    def held_out(self, kind: str) -> list[int] | None:
        """The disciples whose ``kind`` fact SFT never asks (None: the kind is not about a person)."""
        return [i for i in range(len(DISCIPLES)) if i not in self.asks[kind]] if kind in self.asks else None

    def eval_items(self, per_kind: int, kinds=KINDS) -> list[Item]:
        """Held-out prompts: never practised in SFT or RL (``unseen``: their keys are excluded there; a person's
        fact is asked of the disciples SFT asked the other fact)."""
        rng = random.Random(f"eval-{self.seed}")
        out = []
        for kind in kinds:
            seen, tries = set(), 0
            while sum(1 for it in out if it.kind == kind) < per_kind and tries < 1000:
                tries += 1
                it = self.make_item(kind, rng, people=self.held_out(kind))
                if self.key(it) not in seen or kind in ("sect", "master"):
                    seen.add(self.key(it))
                    out.append(it)
        return out

    def unseen(self, eval_items) -> set:
        """The keys a trainer must not practise on, so that held-out prompts stay held out (a person's fact is held
        out by whom it asks, ``held_out``, which ``train_items`` never draws)."""
        return {self.key(it) for it in eval_items if it.kind not in ("sect", "master")}

    def train_items(self, n: int, rng: random.Random, kinds=KINDS, exclude: set | None = None,
                    weights: dict | None = None) -> list[Item]:
        """``n`` prompts of ``kinds`` (drawn alike, or by ``weights``), a person's fact only of those SFT asks it,
        none whose key is in ``exclude``."""
        exclude = exclude or set()
        out = []
        while len(out) < n:
            kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0] if weights else rng.choice(kinds)
            it = self.make_item(kind, rng, people=self.asks.get(kind))
            if self.key(it) not in exclude:
                out.append(it)
        return out

    # -- preference pairs and the annotator panel -------------------------------------------
    def candidate(self, item: Item, rng: random.Random) -> tuple[str, bool]:
        """A candidate answer with random traits, as a pool of assistants would write: right three
        times in four, polite half the time, with zero to three flattering phrases."""
        content = item.answer
        if rng.random() < 0.25:
            content = self.make_item(item.kind, rng, people=range(len(DISCIPLES))).answer
        n_flat = rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0]
        flat = tuple(rng.randrange(3) for _ in range(n_flat))
        return self.render(content, polite=rng.random() < 0.5, flattery=flat)


@dataclass(frozen=True)
class Annotator:
    """One simulated judge: mixes gold with surface appeal, with a personal taste and noise."""

    taste: float  # multiplies the surface appeal (>1: loves flattery and length more)
    noise: float  # temperature of the Bradley-Terry choice


def annotator_panel(n: int, seed: int) -> list[Annotator]:
    rng = random.Random(f"panel-{seed}")
    return [Annotator(taste=rng.uniform(0.8, 1.2), noise=rng.uniform(0.03, 0.08)) for _ in range(n)]


def annotator_utility(world: World, t: Traits, bias: float, who: Annotator) -> float:
    return (1 - bias) * world.gold(t) + bias * who.taste * world.surface(t)


def annotate(world: World, ta: Traits, tb: Traits, bias: float, who: Annotator, rng: random.Random) -> bool:
    """True when the annotator prefers answer a: P(a > b) = sigmoid((u_a - u_b) / noise)."""
    d = (annotator_utility(world, ta, bias, who) - annotator_utility(world, tb, bias, who)) / who.noise
    return rng.random() < sigmoid(d)


def sigmoid(d: float) -> float:
    """1 / (1 + e^-d), with d held to +-50 (beyond, the answer is 0 or 1 to float precision)."""
    return 1 / (1 + math.exp(-max(min(d, 50), -50)))


# ---------------------------------------------------------------------------------------------
# The tokenizer: one vocabulary a language, a word a token (a name, a template word, a digit, a symbol),
# cut greedily, longest match first (the way a closed-vocabulary tokenizer does: Sennrich et al. 2016
# learn their merges; here the world's word list is known, so it is written down). Digits and the
# symbols a-h / 甲-辛 stay one character a token, so sums, copying, reversing and counting stay
# symbol by symbol, while a name is one token in both languages. English drops its spaces when it cuts
# and puts them back when it writes (no space before punctuation, none inside a run of digits or of
# symbols), so a fact costs about as many tokens in English as in Chinese.
# ---------------------------------------------------------------------------------------------
PAD, EOS = "<pad>", "<eos>"
PAD_ID, EOS_ID = 0, 1
ZH_WORDS = ("算一算", "哪个", "抄写", "什么", "倒过来", "排好", "弟子", "师从", "哪一派", "师父", "练剑", "见面",
            "传功", "您好", "大侠", "英明", "您真", "高明", "佩服")  # Chinese words besides the names
EN_PIECE = re.compile(r"'s|[A-Za-z]+|\S")  # an English word, the possessive, or one other character
EN_GLUE = frozenset({".", ",", "!", "?", ":", "'s", "\n"})  # written with no space before them


def world_texts(lang: str) -> list[str]:
    """Every fixed text of a language (templates with their slots blanked, chat strings) and every name."""
    texts = [pair[0] if lang == "zh" else pair[1] for pair in SECTS + MASTERS + DISCIPLES + PLACES]
    for corp, q in TEMPLATES[lang].values():
        texts += corp + [q]
    chat = CHAT[lang]
    texts += STORY[lang] + [chat["prompt"], chat["end"], chat["polite"], *chat["flattery"]]
    return [re.sub(r"\{[a-z]\}", " ", t) for t in texts]


class Vocabulary:
    """The tokens of one language and the greedy longest-match cut into them (pure Python, no torch)."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
        self.lang, self.spaced = lang, lang == "en"
        toks = set(string.digits) | set(SYMBOLS[lang]) | {"\n"}
        for text in world_texts(lang):
            if self.spaced:
                toks |= set(EN_PIECE.findall(text))
            else:
                toks |= {c for c in text if not c.isspace()}
        if not self.spaced:
            toks |= {pair[0] for pair in SECTS + MASTERS + DISCIPLES + PLACES} | set(ZH_WORDS)
        self.tokens = (PAD, EOS, *sorted(toks))
        self.stoi = {t: i for i, t in enumerate(self.tokens)}
        self.longest = max(map(len, toks))
        self.symbols = frozenset(SYMBOLS[lang])

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; a character no token covers raises ValueError naming it."""
        ids = []
        for chunk in text.split(" ") if self.spaced else [text]:
            i = 0
            while i < len(chunk):
                for n in range(min(self.longest, len(chunk) - i), 0, -1):
                    tid = self.stoi.get(chunk[i : i + n])
                    if tid is not None:
                        ids.append(tid)
                        i += n
                        break
                else:
                    raise ValueError(f"{chunk[i]!r} is not in the {self.lang} world's vocabulary (in {text!r})")
        return ids

    def decode(self, ids) -> str:
        """The text of token ids, padding and EOS left out (English gets its spaces back)."""
        return self.decode_spans(ids)[0]

    def decode_spans(self, ids) -> tuple[str, list[int]]:
        """The text of ``ids`` and, for each of its characters, the position in ``ids`` of the token that wrote
        it (a space English puts back belongs to the word after it): per-token numbers shade characters."""
        out, owner, prev = [], [], None
        for pos, i in enumerate(ids):
            if i <= EOS_ID:
                continue
            t = self.tokens[i]
            if self.spaced and prev is not None and prev != "\n" and t not in EN_GLUE and not self._run(prev, t):
                t = " " + t
            out.append(t)
            owner += [pos] * len(t)
            prev = self.tokens[i]
        return "".join(out), owner

    def _run(self, a: str, b: str) -> bool:
        """Two tokens of one run, written without a space: digits of a number, symbols of a string."""
        return (a.isdigit() and b.isdigit()) or (a in self.symbols and b in self.symbols)


VOCABS = {lang: Vocabulary(lang) for lang in LANGS}
