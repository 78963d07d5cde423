"""`nlp init-vectors`: a blank model holding static word vectors from a word2vec/GloVe text file
(plain, .gz or .zip), or trained on raw text (`--train-from`, `_train_vectors.py`), for
`nlp train -v` and `nlp pretrain`."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy
import plac

from ._errors import fail, require_file
from ._models import blank_model

#: The token attributes a vectors table can be keyed by (what `--attr` accepts), each with the
#: Token property that gives a token's key.
KEY_ATTRS = {"NORM": "norm_", "ORTH": "orth_"}


def _open_vectors(path: Path) -> tuple[IO[str], str]:
    """A text stream over the vectors file (or the one text member of a .zip) and its name."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf8"), str(path)
    if path.suffix == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as err:
            fail(f"{path}: not a valid zip file ({err})")
        members = [m for m in archive.namelist() if not m.endswith("/")]
        if len(members) != 1:
            fail(f"{path}: expected one vectors file in the zip archive, found {len(members)}")
        return io.TextIOWrapper(archive.open(members[0]), encoding="utf8"), f"{path}!{members[0]}"
    return open(path, encoding="utf8"), str(path)


def read_vectors(path: Path, truncate: int = 0) -> tuple[list[str], numpy.ndarray]:
    """Words and float32 rows of a word2vec/GloVe text file (optional "N DIM" header), the first
    `truncate` only when it is > 0; errors name the file and line."""
    stream, name = _open_vectors(path)
    words: list[str] = []
    rows: list[numpy.ndarray] = []
    seen: set[str] = set()
    width = None
    with stream:
        lineno = 0
        lines: Iterator[str] = iter(stream)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError as err:
                fail(f"{name}:{lineno + 1}: not valid UTF-8 ({err.reason})")
            lineno += 1
            fields = line.rstrip("\r\n").rstrip(" ").split(" ")
            if not line.strip():
                continue
            if lineno == 1 and len(fields) == 2 and all(f.isdigit() for f in fields):
                width = int(fields[1])
                continue
            if width is None:
                width = len(fields) - 1
                if width < 1:
                    fail(f"{name}:{lineno}: expected a word followed by its vector values")
            if len(fields) < width + 1:
                fail(f"{name}:{lineno}: expected a word and {width} values, found {len(fields)} fields")
            word = " ".join(fields[: len(fields) - width])
            try:
                with numpy.errstate(over="ignore"):  # a value too large for float32 is inf: refused below
                    values = numpy.asarray(fields[len(fields) - width:], dtype=numpy.float32)
            except ValueError:
                fail(f"{name}:{lineno}: a vector value is not a number")
            if not numpy.isfinite(values).all():
                fail(f"{name}:{lineno}: the vector of {word!r} holds nan or inf values")
            if word in seen:
                continue
            seen.add(word)
            words.append(word)
            rows.append(values)
            if truncate and len(words) >= truncate:
                break
    if not words:
        fail(f"{name}: no vectors found")
    return words, numpy.vstack(rows)


def prune_rows(words: list[str], data: numpy.ndarray, n_rows: int) -> tuple[numpy.ndarray, list[int]]:
    """Keep the first `n_rows` rows; every other word maps to its most similar kept row (cosine).
    Returns the kept rows and each word's row."""
    if n_rows >= len(words):
        return data, list(range(len(words)))
    kept = data[:n_rows]
    norms = numpy.linalg.norm(kept, axis=1, keepdims=True)
    kept_unit = kept / numpy.where(norms == 0, 1.0, norms)
    rows = list(range(n_rows))
    for start in range(n_rows, len(words), 4096):
        block = data[start:start + 4096]
        bn = numpy.linalg.norm(block, axis=1, keepdims=True)
        sims = (block / numpy.where(bn == 0, 1.0, bn)) @ kept_unit.T
        rows.extend(int(r) for r in sims.argmax(axis=1))
    return numpy.ascontiguousarray(kept), rows


@plac.annotations(
    lang=("Language code of the blank model", "positional", None, str),
    output_dir=("Folder to write the model to", "positional", None, str),
    vectors_loc=("word2vec/GloVe text file: plain, .gz or .zip (leave out with --train-from)", "positional", None,
                 str),
    prune=("Keep this many rows; map the other words to their nearest kept row", "option", "p", int),
    truncate=("Keep only the first N vectors of the file (the N most frequent words with --train-from)", "option",
              "t", int),
    train_from=("Train the vectors on this raw text (UTF-8, one text a line) with floret, keyed by our "
                "tokenizer's NORMs, or ORTHs with --attr ORTH (needs `pip install 'nlp-cli[vectors]'`)", "option",
                "tf", str),
    attr=("The token attribute the keys are: NORM or ORTH (--train-from: what the text's tokens are written as, "
          "default NORM; a file's words: recorded as said, not stated when left out); a tok2vec whose cfg "
          "vectors_attr differs refuses the table", "option", "a", str),
    dim=("--train-from: width of the vectors", "option", "d", int),
    epochs=("--train-from: passes over the text", "option", "e", int),
    min_count=("--train-from: words seen fewer times are not trained on themselves (their vectors come from "
               "their character n-grams)", "option", "mc", int),
    buckets=("--train-from: hash buckets of the character n-grams", "option", "b", int),
    threads=("--train-from: training threads", "option", "j", int),
)
def init_vectors(lang: str, output_dir: str, vectors_loc: str | None = None, prune: int = 0, truncate: int = 0,
                 train_from: str | None = None, dim: int = 100, epochs: int = 5, min_count: int = 3,
                 buckets: int = 1_000_000, threads: int = 2, attr: str | None = None) -> int:
    """Create a blank model with static vectors, read from a file or trained on raw text."""
    if prune < 0:
        fail(f"--prune must be >= 0, got {prune}")
    if truncate < 0:
        fail(f"--truncate must be >= 0, got {truncate}")
    if (vectors_loc is None) == (train_from is None):
        fail("give a vectors file or --train-from RAW_TEXT, not both" if vectors_loc else
             "give a vectors file, or --train-from RAW_TEXT to train vectors")
    nlp = blank_model(lang)
    if train_from is not None:
        from ._train_vectors import TrainSettings, vectors_from_text

        source = require_file(train_from, "raw text file")
        attr = _keys_attr(attr or "NORM")
        settings = TrainSettings(dim=dim, epochs=epochs, min_count=min_count, buckets=buckets, threads=threads)
        words, data = vectors_from_text(nlp, source, settings, truncate, attr)
        about = {"source": source.name, "trained_with": "floret", "epochs": epochs, "min_count": min_count}
    else:
        attr = _keys_attr(attr) if attr is not None else None
        source = require_file(vectors_loc, "vectors file")
        words, data = read_vectors(source, truncate)
        about = {"source": source.name}
    return _save_model(nlp, words, data, prune, Path(output_dir), about, attr)


def _keys_attr(attr: str) -> str:
    """`attr` upper-cased if vectors can be keyed by it; a UserError otherwise."""
    if attr.upper() not in KEY_ATTRS:
        fail(f"--attr must be one of {', '.join(KEY_ATTRS)}, got {attr!r}")
    return attr.upper()


def _save_model(nlp: Any, words: list[str], data: numpy.ndarray, prune: int, out: Path, about: dict,
                attr: str | None = None) -> int:
    """Put the (pruned) vectors, keyed by token attribute `attr` (None: not stated), in `nlp`'s
    vocab, note them in its meta (`keys_attr`) and save it to `out`."""
    from nlp_vocab import Vectors

    n_words = len(words)
    if prune:
        table, rows = prune_rows(words, data, prune)
    else:
        table, rows = data, list(range(n_words))
    vectors = Vectors(data=table, attr=attr)
    for word, row in zip(words, rows):
        vectors.add(word, row=row)
        nlp.vocab.strings.add(word)
    nlp.vocab.vectors = vectors
    nlp.meta["vectors"] = {"width": int(table.shape[1]), "vectors": int(table.shape[0]), "keys": n_words, **about}
    if attr is not None:
        nlp.meta["vectors"]["keys_attr"] = attr
    if out.exists() and not out.is_dir():
        fail(f"output folder is a file: {out}")
    nlp.to_disk(out)
    print(f"✔ Model with {n_words} words, {table.shape[0]} vectors of width {table.shape[1]} -> {out}")
    return 0
