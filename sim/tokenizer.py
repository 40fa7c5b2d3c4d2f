"""The world's tokenizer (one vocabulary a language, a word a token) as a transformers tokenizer.

It saves and loads like any other (``save_pretrained`` / ``from_pretrained``); the training code
uses the same vocabulary through ``World.encode`` / ``World.decode`` (``sim.world.Vocabulary``) for speed.
"""

from __future__ import annotations

import json
import os

try:
    from transformers import PythonBackend as TokenizerBase  # transformers >= 5
except ImportError:  # pragma: no cover - transformers 4.x
    from transformers import PreTrainedTokenizer as TokenizerBase

from sim.world import EOS, PAD, VOCABS


class WujiTokenizer(TokenizerBase):
    """The world's word-level tokenizer of one language; saves and loads like any transformers one."""

    vocab_files_names = {"vocab_file": "vocab.json"}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, vocab_file: str | None = None, lang: str = "zh", **kwargs):
        if lang not in VOCABS:
            raise ValueError(f"lang must be one of {', '.join(VOCABS)}; got {lang!r}")
        self._words = VOCABS[lang]
        if vocab_file is not None:
            with open(vocab_file, encoding="utf-8") as f:
                saved = tuple(json.load(f))
            if saved != self._words.tokens:
                raise ValueError(f"{vocab_file} is not the {lang} world's vocabulary (a tokenizer of another version?)")
        kwargs.setdefault("pad_token", PAD)
        kwargs.setdefault("eos_token", EOS)
        super().__init__(lang=lang, **kwargs)

    @property
    def vocab_size(self) -> int:
        return len(self._words)

    def get_vocab(self) -> dict:
        return dict(self._words.stoi)

    def _tokenize(self, text: str, **kwargs) -> list[str]:
        return [self._words.tokens[i] for i in self._words.encode(text)]

    def _convert_token_to_id(self, token: str) -> int:
        if token not in self._words.stoi:
            raise ValueError(f"{token!r} is not a token of the {self._words.lang} world")
        return self._words.stoi[token]

    def _convert_id_to_token(self, index: int) -> str:
        return self._words.tokens[index]

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return self._words.decode([self._words.stoi[t] for t in tokens])

    def save_vocabulary(self, save_directory: str, filename_prefix: str | None = None) -> tuple[str]:
        path = os.path.join(save_directory, (filename_prefix + "-" if filename_prefix else "") + "vocab.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(list(self._words.tokens), f, ensure_ascii=False)
        return (path,)
