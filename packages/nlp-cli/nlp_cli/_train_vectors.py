"""Static vectors trained from raw text with floret (the `vectors` extra of nlp-cli), for
`nlp init-vectors --train-from`.

The text is tokenized by the model's own tokenizer and each token written as its NORM (or, with
`attr="ORTH"`, its exact text), the attribute the tok2vec looks static vectors up by (its cfg
`vectors_attr`), so every key of the table is a word the model will look up. floret trains fastText skipgram vectors with character n-grams (its `fasttext`
mode), so a word seen fewer than `min_count` times still gets a vector, built from its n-grams:
every word of the text has a row, the most frequent first (what `--prune` and `--truncate` keep).
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy

from ._errors import fail
from .init_vectors import KEY_ATTRS

INSTALL_HINT = "pip install 'nlp-cli[vectors]' (or pip install floret)"
#: floret splits its input on these; a key holding one could never be looked up whole.
_SEPARATOR = re.compile(r"[\s\x00]")
#: floret's end-of-line word: not a token of ours.
_EOS = "</s>"


@dataclass(frozen=True)
class TrainSettings:
    """How to train: vector width, epochs, the count below which a word is not trained on
    itself (its vector comes from its n-grams), n-gram hash buckets and threads."""

    dim: int = 100
    epochs: int = 5
    min_count: int = 3
    buckets: int = 1_000_000
    threads: int = 2

    def check(self) -> None:
        """A UserError naming the first option out of range."""
        for option, value, low in (("--dim", self.dim, 1), ("--epochs", self.epochs, 1),
                                   ("--min-count", self.min_count, 1), ("--buckets", self.buckets, 1),
                                   ("--threads", self.threads, 1)):
            if value < low:
                fail(f"{option} must be >= {low}, got {value}")


def require_floret() -> ModuleType:
    """The floret module; a UserError saying what to install when it is missing."""
    try:
        import floret
    except ImportError:
        fail(f"--train-from needs the floret library: {INSTALL_HINT}")
    return floret


def write_keys(nlp: Any, source: Path, target: Path, attr: str = "NORM") -> Counter:
    """Write each text of `source` (read as `nlp pretrain` reads it: a text a line, or JSONL
    texts or token lists) to `target` as its tokens' `attr` (NORM or ORTH), one text a line
    (keys floret would split are left out); returns how often each key occurs."""
    from nlp_vocab import Doc

    from .pretrain import iter_texts

    name = KEY_ATTRS[attr]
    counts: Counter = Counter()
    with open(target, "w", encoding="utf8") as out:
        for text in iter_texts(source):
            doc = Doc(nlp.vocab, words=text) if isinstance(text, list) else nlp.tokenizer(text)
            keys = [key for key in (getattr(token, name) for token in doc) if key and not _SEPARATOR.search(key)]
            if keys:
                counts.update(keys)
                out.write(" ".join(keys) + "\n")
    counts.pop(_EOS, None)
    return counts


def _train(floret: ModuleType, token_file: Path, settings: TrainSettings) -> Any:
    """A floret skipgram model (fastText mode: one row per word plus hashed n-grams)."""
    return floret.train_unsupervised(
        str(token_file), model="skipgram", mode="fasttext", dim=settings.dim, epoch=settings.epochs,
        minCount=settings.min_count, bucket=settings.buckets, minn=3, maxn=6, thread=settings.threads,
        verbose=2 if sys.stderr.isatty() else 0,
    )


def vectors_from_text(nlp: Any, source: Path, settings: TrainSettings, truncate: int = 0, attr: str = "NORM"
                      ) -> tuple[list[str], numpy.ndarray]:
    """Words (the `attr`, NORM or ORTH, of `nlp`'s tokens of `source`, most frequent first; the
    first `truncate` when > 0) and their float32 trained vectors."""
    settings.check()
    floret = require_floret()
    with tempfile.TemporaryDirectory(prefix="nlp-vectors-") as tmp:
        token_file = Path(tmp) / "keys.txt"
        counts = write_keys(nlp, source, token_file, attr)
        if not counts:
            fail(f"{source}: no words found (expected raw text, one text a line)")
        if counts.most_common(1)[0][1] < settings.min_count:
            fail(f"{source}: no word occurs --min-count {settings.min_count} times; lower --min-count")
        model = _train(floret, token_file, settings)
    words = [word for word, _ in counts.most_common(truncate or None)]
    data = numpy.empty((len(words), settings.dim), dtype="float32")
    for row, word in enumerate(words):
        data[row] = model.get_word_vector(word)
    if not numpy.isfinite(data).all():
        fail(f"{source}: training diverged (nan or inf vectors); try fewer --epochs or a larger --min-count")
    return words, data
