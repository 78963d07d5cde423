"""`nlp train -p lemmatizer` on a small CoNLL-U file with lemmas: the table shows its column, the
saved model lemmatizes, `nlp evaluate` prints its row and `nlp debug-data` counts its edit trees."""

from __future__ import annotations

import json
import random
from pathlib import Path

VERBS = [("walked", "walk"), ("painted", "paint"), ("jumped", "jump"), ("visited", "visit"), ("went", "go")]
NOUNS = [("boats", "boat"), ("lamps", "lamp"), ("gardens", "garden"), ("letters", "letter"), ("boxes", "box")]
NAMES = ["Ada", "Ben", "Cleo", "Dev"]


def write_lemmas(path: Path, n: int, seed: int) -> Path:
    """`n` sentences "NAME VERB the NOUN ." with UPOS, XPOS, lemmas and a tree."""
    rng = random.Random(seed)
    lines = []
    for k in range(n):
        name, (verb, verb_lemma), (noun, noun_lemma) = rng.choice(NAMES), rng.choice(VERBS), rng.choice(NOUNS)
        rows = [(name, name, "PROPN", "NNP", 2, "nsubj"), (verb, verb_lemma, "VERB", "VBD", 0, "root"),
                ("the", "the", "DET", "DT", 4, "det"), (noun, noun_lemma, "NOUN", "NNS", 2, "obj"),
                (".", ".", "PUNCT", ".", 2, "punct")]
        lines += [f"# sent_id = s{k + 1}", f"# text = {name} {verb} the {noun}."]
        for i, (word, lemma, upos, xpos, head, dep) in enumerate(rows, 1):
            misc = "SpaceAfter=No" if i == 4 else "_"
            lines.append("\t".join([str(i), word, lemma, upos, xpos, "_", str(head), dep, "_", misc]))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def test_train_evaluate_and_debug_data_with_a_lemmatizer(tmp_path, nlp_cmd, cli):
    import nlp_models

    train = write_lemmas(tmp_path / "train.conllu", 40, seed=1)
    dev = write_lemmas(tmp_path / "dev.conllu", 12, seed=2)
    proc = cli.run(nlp_cmd, "train", "en", tmp_path / "out", train, dev, "-p", "lemmatizer", "-n", "6", *cli.tiny)
    assert "Lemma %" in proc.stdout and "Lemma Loss" in proc.stdout
    nlp = nlp_models.load(tmp_path / "out" / "model-best")
    assert nlp.pipe_names == ["lemmatizer"]
    assert [t.lemma_ for t in nlp("Ben painted the letters.")] == ["Ben", "paint", "the", "letter", "."]
    metrics = tmp_path / "m.json"
    proc = cli.run(nlp_cmd, "evaluate", tmp_path / "out" / "model-best", dev, "-o", metrics)
    assert "Lemma %" in proc.stdout
    assert json.loads(metrics.read_text())["lemma_acc"] == 100.0
    proc = cli.run(nlp_cmd, "debug-data", "en", train, dev, "-p", "lemmatizer")
    # identity lowercased, identity keeping the name's case, -ed, -s, -es, went -> go: the rules, by frequency
    assert ('lemmatizer: 6 edit trees in train: lower:[0,0,["",""],["",""]] (80), form:[0,0,["",""],["",""]] (40), '
            'lower:[0,2,["",""],["ed",""]] (29)') in proc.stdout
