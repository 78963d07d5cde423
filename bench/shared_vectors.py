"""Our static vectors, given to spaCy: the bench's `--vectors MODEL_DIR` for both sides.

Our side reads the vectors of a model folder written by `nlp init-vectors` (the vocab's
`Vectors`, looked up by each token's NORM: the tok2vec's `vectors_attr`). spaCy 3.8 reads static
vectors from a pipeline folder made by `spacy init vectors LANG FILE OUT`, so the same table is
written out as a word2vec text file (one line per key, the row it maps to; keys that share a
row after `nlp init-vectors --prune` share it again, as spaCy de-duplicates equal rows) and
handed to `spacy init vectors ... --attr NORM`, so spaCy looks them up by the same attribute.
spaCy 3.8.18 keeps that attribute in memory but writes it to `vocab/vectors.cfg` only for floret
tables, so a folder it saves (the converted vectors, each `model-best`) would load looking
vectors up by ORTH again: `keep_key_attr` writes it back (the setting spaCy itself reads there).
Within one bench run (bench/run.py sets NLP_BENCH_VECTORS_CACHE to a folder of its own) a
vectors folder is converted once per language, and every task's spaCy side reads that one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The attribute our tok2vec looks static vectors up by (nlp_models.ml.tok2vec's default
# `vectors_attr`), and so the one spaCy is told to use.
KEY_ATTR = "NORM"
#: The folder of one bench run's converted vectors (unset: each call converts).
CACHE_ENV = "NLP_BENCH_VECTORS_CACHE"


def load_vectors(model_dir: Path):
    """The vocab of our model folder `model_dir` and its `Vectors`; SystemExit (one line) when
    it holds none."""
    import nlp_models

    nlp = nlp_models.load(model_dir)
    vectors = nlp.vocab.vectors
    if vectors is None or not vectors.shape[0]:
        raise SystemExit(f"--vectors {model_dir}: the model holds no vectors (make one with `nlp init-vectors`)")
    return nlp, vectors


def write_word2vec(model_dir: Path, path: Path) -> tuple[int, int]:
    """Write the vectors of our model folder `model_dir` as a word2vec text file ("N WIDTH" header,
    then `word v1 ... vN` a line). A key holding a line break cannot be a line of that format and
    is left out. Returns (keys written, keys left out)."""
    nlp, vectors = load_vectors(model_dir)
    lines, skipped = [], 0
    for key in vectors.keys():
        word = nlp.vocab.strings[key]
        if not word or "\n" in word or "\r" in word:
            skipped += 1
            continue
        values = " ".join(map("{:.9g}".format, vectors[key].tolist()))  # float32 exactly
        lines.append(f"{word} {values}\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf8") as f:
        f.write(f"{len(lines)} {vectors.shape[1]}\n")
        f.writelines(lines)
    return len(lines), skipped


def vectors_for_spacy(model_dir: Path, lang: str, out: Path) -> Path:
    """A spaCy pipeline folder holding the vectors of our model folder `model_dir`: under `out`,
    or where CACHE_ENV names a folder, the one converted for `model_dir` and `lang` earlier in
    this bench run (converted there now if none was); its path."""
    cache = os.environ.get(CACHE_ENV)
    if not cache:
        return convert_for_spacy(model_dir, lang, out)
    digest = hashlib.sha1(str(Path(model_dir).resolve()).encode("utf8")).hexdigest()[:12]
    home = Path(cache) / f"{lang}-{digest}"
    if (home / "spacy-vectors").is_dir():
        print(f"vectors: {model_dir} ({lang}) converted earlier in this run: {home / 'spacy-vectors'}", flush=True)
        return home / "spacy-vectors"
    partial = home.with_name(home.name + ".partial")  # renamed into place once complete
    shutil.rmtree(partial, ignore_errors=True)
    convert_for_spacy(model_dir, lang, partial)
    partial.rename(home)
    return home / "spacy-vectors"


def convert_for_spacy(model_dir: Path, lang: str, out: Path) -> Path:
    """A spaCy pipeline folder under `out` holding the vectors of our model folder `model_dir`
    (through `spacy init vectors`, run as spaCy's own CLI in this environment); its path."""
    text = out / "vectors.txt"
    written, skipped = write_word2vec(model_dir, text)
    folder = out / "spacy-vectors"
    note = f" ({skipped} keys holding line breaks left out)" if skipped else ""
    print(f"vectors: {written} keys of {model_dir} -> {text}{note}", flush=True)
    cmd = [sys.executable, "-m", "spacy", "init", "vectors", lang, str(text), str(folder), "--attr", KEY_ATTR]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    text.unlink()  # as large as the table: the pipeline folder holds it now
    keep_key_attr(folder)
    return folder


def keep_key_attr(folder: Path) -> None:
    """Record in the spaCy pipeline folder `folder` that its vectors are looked up by KEY_ATTR
    (its `vocab/vectors.cfg` "attr", which spaCy 3.8 reads on load but leaves out on save)."""
    from spacy.attrs import IDS

    path = Path(folder) / "vocab" / "vectors.cfg"
    cfg = json.loads(path.read_text(encoding="utf8")) if path.is_file() else {}
    cfg["attr"] = IDS[KEY_ATTR]
    path.write_text(json.dumps(cfg, indent=2), encoding="utf8")
