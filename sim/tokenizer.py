"""The char-level tokenizer over the world's alphabet, as a transformers tokenizer.

It saves and loads like any other (``save_pretrained`` / ``from_pretrained``); the training code
uses the same vocabulary through the plain ``sim.world.encode`` / ``decode`` for speed.
"""

from __future__ import annotations

import json
import os

try:
    from transformers import PythonBackend as TokenizerBase  # transformers >= 5
except ImportError:  # pragma: no cover - transformers 4.x
    from transformers import PreTrainedTokenizer as TokenizerBase

from sim.world import EOS, PAD, VOCAB


class WujiTokenizer(TokenizerBase):
    """Char-level tokenizer over the world's alphabet; saves and loads like any transformers one."""

    vocab_files_names = {"vocab_file": "vocab.json"}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, vocab_file: str | None = None, **kwargs):
        vocab = VOCAB
        if vocab_file is not None:
            with open(vocab_file, encoding="utf-8") as f:
                vocab = json.load(f)
        self._vocab = list(vocab)
        self._stoi = {c: i for i, c in enumerate(self._vocab)}
        kwargs.setdefault("pad_token", PAD)
        kwargs.setdefault("eos_token", EOS)
        super().__init__(**kwargs)

    @property
    def vocab_size(self) -> int:
        return len(self._vocab)

    def get_vocab(self) -> dict:
        return dict(self._stoi)

    def _tokenize(self, text: str, **kwargs) -> list[str]:
        return list(text)

    def _convert_token_to_id(self, token: str) -> int:
        if token not in self._stoi:
            raise ValueError(f"character {token!r} is not in the world's alphabet")
        return self._stoi[token]

    def _convert_id_to_token(self, index: int) -> str:
        return self._vocab[index]

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return "".join(t for t in tokens if t not in (PAD, EOS))

    def save_vocabulary(self, save_directory: str, filename_prefix: str | None = None) -> tuple[str]:
        path = os.path.join(save_directory, (filename_prefix + "-" if filename_prefix else "") + "vocab.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self._vocab, f, ensure_ascii=False)
        return (path,)
