"""`nlp init-vectors`: a blank model holding static word vectors from a word2vec/GloVe text file
(plain, .gz or .zip), for `nlp train -v` and `nlp pretrain`."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy
import plac

from ._errors import fail, require_file
from ._models import blank_model


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
    vectors_loc=("word2vec/GloVe text file: plain, .gz or .zip", "positional", None, str),
    prune=("Keep this many rows; map the other words to their nearest kept row", "option", "p", int),
    truncate=("Read only the first N vectors of the file", "option", "t", int),
)
def init_vectors(lang: str, output_dir: str, vectors_loc: str, prune: int = 0, truncate: int = 0) -> int:
    """Create a blank model with static vectors."""
    from nlp_vocab import Vectors

    source = require_file(vectors_loc, "vectors file")
    if prune < 0:
        fail(f"--prune must be >= 0, got {prune}")
    if truncate < 0:
        fail(f"--truncate must be >= 0, got {truncate}")
    nlp = blank_model(lang)
    words, data = read_vectors(source, truncate)
    n_words = len(words)
    if prune:
        table, rows = prune_rows(words, data, prune)
    else:
        table, rows = data, list(range(n_words))
    vectors = Vectors(data=table)
    for word, row in zip(words, rows):
        vectors.add(word, row=row)
        nlp.vocab.strings.add(word)
    nlp.vocab.vectors = vectors
    nlp.meta["vectors"] = {"width": int(table.shape[1]), "vectors": int(table.shape[0]), "keys": n_words,
                           "source": source.name}
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        fail(f"output folder is a file: {out}")
    nlp.to_disk(out)
    print(f"✔ Model with {n_words} words, {table.shape[0]} vectors of width {table.shape[1]} -> {out}")
    return 0
