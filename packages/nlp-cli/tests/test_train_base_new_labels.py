"""`nlp train -b BASE` on a corpus with labels the base model's components do not have: their
output layers grow, training goes on, and the saved models load with every label."""

from __future__ import annotations

import json
import random
from pathlib import Path

import nlp_models


def _with_new_tag(path: Path, out: Path) -> Path:
    """The CoNLL-U corpus at `path` with the determiner's tag DT renamed to PDT (a new tag)."""
    text = path.read_text(encoding="utf8")
    assert "\tDET\tDT\t" in text
    out.write_text(text.replace("\tDET\tDT\t", "\tDET\tPDT\t"), encoding="utf8")
    return out


def test_training_on_from_a_base_tagger_learns_a_new_tag(tmp_path, data, nlp_cmd, cli):
    train = data.conllu(tmp_path / "train.conllu", 24, seed=1)
    dev = data.conllu(tmp_path / "dev.conllu", 6, seed=2)
    cli.run(nlp_cmd, "train", "en", tmp_path / "base", train, dev, "-p", "tagger", "-n", "1", *cli.tiny)
    base = tmp_path / "base" / "model-final"
    assert "PDT" not in nlp_models.load(base).get_pipe("tagger").labels

    new_train = _with_new_tag(train, tmp_path / "train-pdt.conllu")
    new_dev = _with_new_tag(dev, tmp_path / "dev-pdt.conllu")
    cli.run(nlp_cmd, "train", "en", tmp_path / "out", new_train, new_dev, "-p", "tagger", "-n", "3", "-b", base)
    for name in ("model1", "model-best", "model-final"):
        nlp = nlp_models.load(tmp_path / "out" / name)
        labels = nlp.get_pipe("tagger").labels
        assert "PDT" in labels and set(nlp_models.load(base).get_pipe("tagger").labels) <= set(labels)
    doc = nlp("Ada Moss found the old boat in Oslo.")
    assert [t.tag_ for t in doc] == ["NNP", "NNP", "VBD", "PDT", "JJ", "NN", "IN", "NNP", "."]


def _write_jsonl(path: Path, labels: list[str], n: int, seed: int) -> Path:
    words = {"pos": ["great", "superb", "fun"], "neg": ["awful", "dull", "bad"], "mixed": ["uneven", "patchy"]}
    rng = random.Random(seed)
    with path.open("w", encoding="utf8") as file:
        for _ in range(n):
            label = rng.choice(labels)
            file.write(json.dumps({"text": f"a {rng.choice(words[label])} film .", "label": label}) + "\n")
    return path


def test_training_on_from_a_base_textcat_learns_a_new_class(tmp_path, nlp_cmd, cli):
    old, new = ["pos", "neg"], ["pos", "neg", "mixed"]
    cli.run(nlp_cmd, "train", "en", tmp_path / "base", _write_jsonl(tmp_path / "t1.jsonl", old, 30, 0),
            _write_jsonl(tmp_path / "d1.jsonl", old, 8, 1), "-p", "textcat", "-n", "1", "-ta", "bow")
    base = tmp_path / "base" / "model-final"
    cli.run(nlp_cmd, "train", "en", tmp_path / "out", _write_jsonl(tmp_path / "t2.jsonl", new, 45, 2),
            _write_jsonl(tmp_path / "d2.jsonl", new, 9, 3), "-p", "textcat", "-n", "6", "-b", base)
    nlp = nlp_models.load(tmp_path / "out" / "model-final")
    assert sorted(nlp.get_pipe("textcat").labels) == ["mixed", "neg", "pos"]
    cats = nlp("a patchy film .").cats
    assert max(cats, key=cats.get) == "mixed"
