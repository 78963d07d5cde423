"""`nlp init-vectors --train-from`: static vectors trained on raw text with floret (the `vectors`
extra), keyed by our tokenizer's NORMs or, with `--attr ORTH`, their exact texts, which `nlp train
-v` then looks up by ORTH; one-line errors for bad input and a missing extra."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

SUBJECTS = ["Ada", "the old dog", "my sister", "Ben"]
VERBS = ["doesn't like", "saw", "painted", "found"]
OBJECTS = ["a red barn", "the quiet garden", "U.S. boats", "her letter"]
FAST = ("--dim", "8", "--epochs", "2", "--buckets", "2000", "--threads", "1")


def write_raw(path: Path, n: int = 150, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}." for _ in range(n)]
    lines.insert(3, "")  # blank lines are skipped
    lines.append("Zanzibar, once.")  # words under --min-count still get a vector
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def our_norms(lines: list[str]) -> Counter:
    import nlp_models

    nlp = nlp_models.blank("en")
    return Counter(token.norm_ for line in lines if line.strip() for token in nlp.make_doc(line))


def test_trained_vectors_are_keyed_by_our_tokens(tmp_path, in_process):
    pytest.importorskip("floret")
    import nlp_models
    from nlp_models.ml import VectorTable, featurize_docs

    raw = write_raw(tmp_path / "raw.txt")
    code, out, _ = in_process.run("init-vectors", "en", tmp_path / "vm", "--train-from", raw, *FAST,
                            "--min-count", "3")
    assert code == 0 and "vectors of width 8" in out
    nlp = nlp_models.load(tmp_path / "vm")
    vectors = nlp.vocab.vectors
    lines = raw.read_text(encoding="utf8").splitlines()
    norms = our_norms(lines)
    assert vectors.shape == (len(norms), 8) and vectors.n_keys == len(norms)
    assert "n't" in [t.text for t in nlp.make_doc("doesn't")]  # our tokenizer splits it ...
    assert all(norm in vectors for norm in norms) and "Ada" not in vectors  # ... and keys are NORMs
    assert abs(vectors["zanzibar"]).sum() > 0 and norms["zanzibar"] == 1
    assert nlp.meta["vectors"]["trained_with"] == "floret" and nlp.meta["vectors"]["source"] == "raw.txt"
    table = VectorTable.from_vectors(vectors)  # what the tok2vec reads: every token of the text is found
    features = featurize_docs([nlp.make_doc(line) for line in lines if line], ("NORM",))
    assert all((table.find(X[:, 0]) >= 0).all() for X in features)


def test_trained_vectors_truncate_and_prune(tmp_path, in_process):
    pytest.importorskip("floret")
    import nlp_models

    raw = write_raw(tmp_path / "raw.txt")
    norms = our_norms(raw.read_text(encoding="utf8").splitlines())
    assert in_process.run("init-vectors", "en", tmp_path / "t", "--train-from", raw, *FAST, "-t", "5")[0] == 0
    vectors = nlp_models.load(tmp_path / "t").vocab.vectors
    assert vectors.shape == (5, 8) and all(word in vectors for word, _ in norms.most_common(5))
    assert in_process.run("init-vectors", "en", tmp_path / "p", "--train-from", raw, *FAST, "-p", "4")[0] == 0
    vectors = nlp_models.load(tmp_path / "p").vocab.vectors
    assert vectors.shape == (4, 8) and vectors.n_keys == len(norms)


def test_missing_extra_is_one_line(tmp_path, in_process, monkeypatch):
    monkeypatch.setitem(sys.modules, "floret", None)  # `import floret` raises ImportError
    line = in_process.error("init-vectors", "en", tmp_path / "vm", "--train-from", write_raw(tmp_path / "r.txt"))
    assert "floret" in line and "pip install 'nlp-cli[vectors]'" in line
    assert not (tmp_path / "vm").exists()


def test_bad_raw_text_is_one_line(tmp_path, in_process):
    pytest.importorskip("floret")
    bad_utf8 = tmp_path / "bad.txt"
    bad_utf8.write_bytes(b"fine text here\nbroken \xff byte\n")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n", encoding="utf8")
    out = tmp_path / "vm"
    cases = [((bad_utf8,), "bad.txt:2: not UTF-8: byte 0xff at column 8"),
             ((tmp_path / "missing.txt",), "raw text file not found"),
             ((blank,), "blank.txt: no words found"),
             ((write_raw(tmp_path / "r.txt"), "--min-count", "1000"), "r.txt: no word occurs --min-count 1000 times"),
             ((tmp_path / "r.txt", "--dim", "0"), "--dim must be >= 1")]
    for (raw, *options), expect in cases:
        assert expect in in_process.error("init-vectors", "en", out, "--train-from", raw, *options)
    assert not out.exists()


def test_keys_are_read_as_pretrain_reads_text(tmp_path):
    """A byte-order mark is not part of the first word; a gzipped file and JSONL texts or token
    lists are read too."""
    import gzip

    import nlp_models
    from nlp_cli._train_vectors import write_keys

    nlp = nlp_models.blank("en")
    plain = tmp_path / "bom.txt"
    plain.write_bytes("\ufeffAda saw Ben.\n\nBen saw Ada.\n".encode("utf8"))
    zipped = tmp_path / "texts.jsonl.gz"
    zipped.write_bytes(gzip.compress(b'{"text": "Ada saw Ben."}\n{"tokens": ["Ben", "saw", "Ada."]}\n'))
    for source, last in ((plain, ["ben", "saw", "ada", "."]), (zipped, ["ben", "saw", "ada."])):
        counts = write_keys(nlp, source, tmp_path / "keys.txt")
        lines = (tmp_path / "keys.txt").read_text(encoding="utf8").splitlines()
        assert [line.split() for line in lines] == [["ada", "saw", "ben", "."], last]
        assert counts == Counter(key for line in lines for key in line.split())


def test_vectors_file_or_train_from_not_both(tmp_path, in_process):
    raw = write_raw(tmp_path / "raw.txt")
    assert "not both" in in_process.error("init-vectors", "en", tmp_path / "vm", raw, "--train-from", raw)
    assert "--train-from" in in_process.error("init-vectors", "en", tmp_path / "vm")


def test_orth_keyed_vectors_keep_the_casing(tmp_path, in_process):
    pytest.importorskip("floret")
    import nlp_models

    raw = write_raw(tmp_path / "raw.txt")
    code, _, _ = in_process.run("init-vectors", "en", tmp_path / "vm", "--train-from", raw, *FAST, "--attr", "orth")
    assert code == 0
    nlp = nlp_models.load(tmp_path / "vm")
    vectors = nlp.vocab.vectors
    texts = Counter(t.text for line in raw.read_text(encoding="utf8").splitlines() for t in nlp.make_doc(line))
    assert vectors.n_keys == len(texts) and all(text in vectors for text in texts)
    assert "Ada" in vectors and "ada" not in vectors and "Zanzibar" in vectors
    assert vectors.attr == "ORTH" and nlp.meta["vectors"]["keys_attr"] == "ORTH"
    assert in_process.run("init-vectors", "en", tmp_path / "norm", "--train-from", raw, *FAST)[0] == 0
    assert nlp_models.load(tmp_path / "norm").vocab.vectors.attr == "NORM"  # the default


def test_train_looks_vectors_up_by_the_attribute_of_their_keys(tmp_path, in_process, corpus):
    import nlp_models

    (tmp_path / "vecs.txt").write_text("Ada 1 0\nOslo 0 1\nada 1 1\n", encoding="utf8")
    assert "--attr must be one of NORM, ORTH, got 'WORD'" in in_process.error(
        "init-vectors", "en", tmp_path / "bad", tmp_path / "vecs.txt", "--attr", "WORD")
    assert in_process.run("init-vectors", "en", tmp_path / "plain", tmp_path / "vecs.txt")[0] == 0
    assert nlp_models.load(tmp_path / "plain").vocab.vectors.attr is None  # a file's keys: not stated
    assert in_process.run("init-vectors", "en", tmp_path / "vm", tmp_path / "vecs.txt", "--attr", "ORTH")[0] == 0
    code, _, err = in_process.run("train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p", "tagger,parser",
                                  "-n", "1", "-v", tmp_path / "vm", "-cw", "32", "-cd", "1", "-er", "500")
    assert code == 0, err
    nlp = nlp_models.load(tmp_path / "out" / "model-final")
    cfg = nlp.get_pipe("tok2vec").cfg  # the shared tok2vec reads the vectors, by ORTH
    assert cfg["vectors_attr"] == "ORTH" and cfg["attrs"][-1] == "ORTH" and cfg["embed_rows"][-1] == 0
    assert nlp.vocab.vectors.attr == "ORTH" and nlp("Ada Moss sold the old boat in Oslo.")[0].tag_
