"""`nlp train -st/--shared-tok2vec` (and `-p tok2vec,...`): one tok2vec the other components
listen to, saved and loaded as such; pretrained weights go into it; the clear errors."""

from __future__ import annotations

import json


def test_shared_tok2vec_flag_trains_one_tok2vec(tmp_path, corpus, nlp_cmd, cli):
    import nlp_models

    proc = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "tagger,parser", "-n", "2",
                   "-st", *cli.tiny)
    assert "UAS" in proc.stdout and "Tag %" in proc.stdout
    meta = json.loads((tmp_path / "model-final" / "meta.json").read_text())
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser"]
    assert meta["factories"]["tok2vec"] == "tok2vec"
    nlp = nlp_models.load(tmp_path / "model-final")
    tok2vec = nlp.get_pipe("tok2vec")
    assert [c.name for c in tok2vec.listeners] == ["tagger", "parser"]
    assert tok2vec.cfg["width"] == 32 and nlp.get_pipe("parser").cfg["tok2vec"] == "tok2vec"
    doc = nlp("Ada Moss found the old boat in Oslo.")
    assert doc.tensor.shape == (len(doc), 32)
    assert [t.tag_ for t in doc][:3] == ["NNP", "NNP", "VBD"]
    assert doc[2].head.i == 2  # the verb is the root


def test_tok2vec_in_the_pipeline_option_and_pretrained_weights(tmp_path, corpus, nlp_cmd, cli):
    import nlp_models

    blank = tmp_path / "blank"
    (tmp_path / "v.txt").write_text("the 0.1 0.2\nboat 0.3 0.4\n", encoding="utf8")
    cli.run(nlp_cmd, "init-vectors", "en", blank, tmp_path / "v.txt")
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, tmp_path / "pt", "-o", "characters", "-i", "1", *cli.tiny)
    proc = cli.run(nlp_cmd, "train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p", "ner,tok2vec",
                   "-n", "1", "-t2v", tmp_path / "pt" / "model0.bin", *cli.tiny)
    assert "Loaded pretrained tok2vec weights into 1 component" in proc.stdout
    nlp = nlp_models.load(tmp_path / "out" / "model-final")
    assert nlp.pipe_names == ["tok2vec", "ner"] and nlp.get_pipe("ner").upstream is nlp.get_pipe("tok2vec")


def test_shared_tok2vec_errors(tmp_path, corpus, nlp_cmd, cli):
    alone = cli.run(nlp_cmd, "train", "en", tmp_path / "a", corpus["train"], corpus["dev"], "-p", "tok2vec", ok=False)
    assert alone.returncode == 1 and "tok2vec alone has nothing to learn" in alone.stderr
    cli.run(nlp_cmd, "train", "en", tmp_path / "base", corpus["train"], corpus["dev"], "-p", "tagger,parser", "-n", "1",
            "-st", *cli.tiny)
    base = tmp_path / "base" / "model-final"
    partial = cli.run(nlp_cmd, "train", "en", tmp_path / "b", corpus["train"], corpus["dev"], "-p", "tagger", "-n", "1",
                      "-b", base, ok=False)
    assert partial.returncode == 1 and "training tok2vec changes the vectors parser reads" in partial.stderr
    rehearse = cli.run(nlp_cmd, "train", "en", tmp_path / "c", corpus["train"], corpus["dev"], "-p", "tagger,parser",
                       "-n", "1", "-b", base, "-rt", corpus["texts"], ok=False)
    assert rehearse.returncode == 1 and "rehearsal does not support a shared tok2vec" in rehearse.stderr
    assert "Traceback" not in partial.stderr + rehearse.stderr
