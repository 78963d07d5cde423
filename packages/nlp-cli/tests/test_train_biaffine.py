"""`nlp train -p biaffine_parser` (the graph-based parser, found through the component registry
alone): its table columns, model-best, `nlp evaluate`, a shared tok2vec beside the tagger, and
the trees of the loaded model (the train corpus holds non-projective trees)."""

from __future__ import annotations

import json


def test_train_and_evaluate_the_biaffine_parser(tmp_path, corpus, nlp_cmd, cli):
    import nlp_models

    proc = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "biaffine_parser",
                   "-n", "6", *cli.tiny)
    assert "UAS" in proc.stdout and "LAS" in proc.stdout and "Dep Loss" in proc.stdout
    meta = json.loads((tmp_path / "model-best" / "meta.json").read_text())
    assert meta["pipeline"] == ["biaffine_parser"] and meta["factories"]["biaffine_parser"] == "biaffine_parser"
    metrics = tmp_path / "metrics.json"
    proc = cli.run(nlp_cmd, "evaluate", tmp_path / "model-best", corpus["dev"], "-o", metrics)
    assert "UAS" in proc.stdout and "Sent F" in proc.stdout
    scores = json.loads(metrics.read_text())
    assert scores["uas"] >= 95.0 and scores["las"] >= 95.0 and scores["sents_f"] == 100.0
    nlp = nlp_models.load(tmp_path / "model-best")
    doc = nlp("Ben Okafor sold the old lamp in Quito. Ema Rusk wrote the green letter in Perth.")
    assert [s.start for s in doc.sents] == [0, 9]
    assert [t.i for t in doc if t.head.i == t.i] == [2, 11]


def test_biaffine_parser_listens_to_a_shared_tok2vec(tmp_path, corpus, nlp_cmd, cli):
    import nlp_models

    proc = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "tagger,biaffine_parser",
                   "-n", "2", "-st", *cli.tiny)
    assert "UAS" in proc.stdout and "Tag %" in proc.stdout
    nlp = nlp_models.load(tmp_path / "model-final")
    assert nlp.pipe_names == ["tok2vec", "tagger", "biaffine_parser"]
    tok2vec = nlp.get_pipe("tok2vec")
    assert [c.name for c in tok2vec.listeners] == ["tagger", "biaffine_parser"]
    doc = nlp("Ada Moss found the old boat in Oslo.")
    assert sum(t.head.i == t.i for t in doc) == 1 and doc[0].tag_ == "NNP"
