"""Each command through the real entry point (`python -m nlp_cli`, and the `nlp` script), on
small data the tests write. Tiny networks (-cw 32 -cd 1 -er 500) keep every run to seconds."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus, nlp_cmd, cli) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("trained")
    proc = cli.run(nlp_cmd, "train", "en", out, corpus["train"], corpus["dev"], "-p", "tagger,parser,ner",
                   "-n", "2", *cli.tiny, "-V", "1.2.3")
    return out, proc.stdout


def test_usage_and_help(nlp_cmd, capsys, cli):
    from nlp_cli.__main__ import main

    proc = cli.run(nlp_cmd, "--help")
    assert "convert" in proc.stdout and "debug-data" in proc.stdout
    assert cli.run(nlp_cmd, "train", "--help").stdout.startswith("usage: nlp train")
    for command in ("convert", "train", "evaluate", "pretrain", "init-vectors", "package", "debug-data"):
        with pytest.raises(SystemExit) as info:  # in-process: the same main(), without the start-up cost
            main([command, "--help"])
        out = capsys.readouterr().out
        assert info.value.code == 0 and out.startswith(f"usage: nlp {command}"), out
    unknown = cli.run(nlp_cmd, "frobnicate", ok=False)
    assert unknown.returncode == 1 and "unknown command" in unknown.stderr


def test_console_script_runs(cli):
    script = Path(sys.executable).parent / "nlp"
    if not script.exists():
        pytest.skip(f"console script not installed beside {sys.executable}")
    proc = cli.run([str(script)], "convert", "--help")
    assert "-n N_SENTS" in proc.stdout or "--n-sents" in proc.stdout


def test_convert_conllu_to_json_and_docbin(tmp_path, corpus, nlp_cmd, data, cli):
    proc = cli.run(nlp_cmd, "convert", corpus["train"], tmp_path, "-n", "4")
    assert "40 sentences (360 words, 80 entities) in 10 documents" in proc.stdout
    docs = json.loads((tmp_path / "train.json").read_text())
    assert len(docs) == 10
    sents = [s for d in docs for p in d["paragraphs"] for s in p["sentences"]]
    first = sents[0]["tokens"][0]
    assert len(sents) == 40 and {k: first[k] for k in ("id", "tag", "pos", "head", "dep", "ner")} == {
        "id": 0, "tag": "NNP", "pos": "PROPN", "head": 2, "dep": "nsubj", "ner": "B-PER"}
    # columns (CoNLL-2003) -> DocBin, then DocBin -> JSONL back through convert: same counts
    columns = data.columns(tmp_path / "ner.iob", 7)
    proc = cli.run(nlp_cmd, "convert", columns, tmp_path / "bin", "-c", "ner", "-t", "docbin", "-n", "10")
    assert "7 sentences (63 words, 14 entities) in 3 documents" in proc.stdout  # -DOCSTART- splits
    proc = cli.run(nlp_cmd, "convert", tmp_path / "bin" / "ner.nlpdocs", "-", "-t", "jsonl")
    lines = proc.stdout.splitlines()
    assert len(lines) == 3 and "7 sentences" in proc.stderr
    assert json.loads(lines[0])["paragraphs"][0]["sentences"][0]["tokens"][1]["ner"] == "L-PER"


def test_convert_word_tags_jsonl_morphology_and_segmentation(tmp_path, nlp_cmd, data, cli):
    from nlp_gold import read_json

    proc = cli.run(nlp_cmd, "convert", data.word_tags(tmp_path / "wt.txt", 5), tmp_path, "-c", "iob", "-t", "jsonl")
    assert "5 sentences (45 words, 10 entities)" in proc.stdout
    proc = cli.run(nlp_cmd, "convert", data.ner_jsonl(tmp_path / "ents.jsonl", 4), tmp_path, "-l", "en")
    assert "4 sentences (24 words, 8 entities)" in proc.stdout
    annots = list(read_json(tmp_path / "ents.json"))
    assert annots[0]["words"][-2:] == ["today", "."] and annots[0]["entities"][:2] == ["B-PER", "L-PER"]
    # no blank lines between sentences: -s splits each document's one long "sentence" by rule
    flat = data.columns(tmp_path / "flat.txt", 6, blank_lines=False)
    proc = cli.run(nlp_cmd, "convert", flat, tmp_path, "-s")
    assert "6 sentences (54 words, 12 entities) in 2 documents" in proc.stdout
    conllu = tmp_path / "m.conllu"
    conllu.write_text("1\tdogs\tdog\tNOUN\tNNS\tNumber=Plur\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n\n")
    cli.run(nlp_cmd, "convert", conllu, tmp_path, "-m")
    tokens = json.loads((tmp_path / "m.json").read_text())[0]["paragraphs"][0]["sentences"][0]["tokens"]
    assert [t["tag"] for t in tokens] == ["NNS__Number=Plur", "VBP"]


def test_debug_data_reports_and_fails(tmp_path, corpus, nlp_cmd, cli):
    proc = cli.run(nlp_cmd, "debug-data", "en", corpus["train"], corpus["dev"], "-p", "tagger,parser,ner")
    assert "3 non-projective sentences in train" in proc.stdout
    assert "ner: 2 entity labels in train: PER (40), LOC (40)" in proc.stdout
    assert "40 documents, 40 sentences, 360 words" in proc.stdout
    bad = cli.run(nlp_cmd, "debug-data", "en", corpus["train"], corpus["dev"], "-p", "textcat", ok=False)
    assert bad.returncode == 1 and (f"✘ -p textcat: the training data ({corpus['train']}) has no text classes: "
                                    "nothing to train the textcat on") in bad.stdout


def test_train_writes_models_and_table(trained):
    out, stdout = trained
    for name in ("model1", "model2", "model-best", "model-final"):
        assert (out / name / "meta.json").exists(), name
    assert "UAS" in stdout and "NER F" in stdout and "Tag %" in stdout
    meta = json.loads((out / "model-final" / "meta.json").read_text())
    # the default (efficiency) preset: the tagger and parser read one shared tok2vec, ner has its own
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser", "ner"] and meta["version"] == "1.2.3"
    assert meta["preset"] == "efficiency"
    rows = [line.split() for line in stdout.splitlines() if line.strip().startswith(("1 ", "2 "))]
    assert len(rows) == 2


def test_train_from_base_keeps_other_components(tmp_path, trained, corpus, nlp_cmd, cli):
    import nlp_models

    base = trained[0] / "model-final"
    # the tagger and parser share the base's tok2vec: training one of them trains the other too
    cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "tagger,parser", "-n", "1",
            "-b", base)
    nlp = nlp_models.load(tmp_path / "model-final")
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    assert set(nlp.get_pipe("ner").labels) == set(nlp_models.load(base).get_pipe("ner").labels)


def test_evaluate_writes_scorer_keys(tmp_path, trained, corpus, nlp_cmd, cli):
    metrics = tmp_path / "m.json"
    proc = cli.run(nlp_cmd, "evaluate", trained[0] / "model-best", corpus["dev"], "-o", metrics)
    assert "UAS" in proc.stdout and "Words/s" in proc.stdout
    scores = json.loads(metrics.read_text())
    for key in ("token_acc", "tag_acc", "pos_acc", "uas", "las", "ents_p", "ents_r", "ents_f", "sents_f", "wps"):
        assert isinstance(scores[key], float), key
    assert scores["token_acc"] == 100.0


def test_package_loads_by_name(tmp_path, trained, nlp_cmd, cli):
    proc = cli.run(nlp_cmd, "package", trained[0] / "model-best", tmp_path, "--name", "en_tiny", "--version", "0.2.0")
    root = tmp_path / "en_tiny-0.2.0"
    assert (root / "pyproject.toml").exists() and "en_tiny" in proc.stdout
    import nlp_models

    major, minor = nlp_models.__version__.split(".")[:2]
    requirement = f'"nlp-models>={major}.{minor},<{major}.{int(minor) + 1}"'
    assert requirement in (root / "pyproject.toml").read_text(encoding="utf8")
    again = cli.run(nlp_cmd, "package", trained[0] / "model-best", tmp_path, "--name", "en_tiny", "--version", "0.2.0",
                    ok=False)
    assert again.returncode == 1 and "-f" in again.stderr
    cli.run(nlp_cmd, "package", trained[0] / "model-best", tmp_path, "--name", "en_tiny", "--version", "0.2.0", "-f")
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); import nlp_models; nlp = nlp_models.load('en_tiny'); "
            "doc = nlp('Ada Moss sold the old boat in Oslo.'); print(len(doc), doc[0].tag_, nlp.meta['version'])")
    proc = cli.run([sys.executable, "-c", code])
    assert proc.stdout.split()[0] == "9" and proc.stdout.split()[-1] == "0.2.0"


def test_init_vectors_then_train_with_vectors(tmp_path, corpus, nlp_cmd, cli):
    import nlp_models

    lines = ["5 3", "ada 1 0 0", "moss 0.9 0.1 0", "boat 0 1 0", "lamp 0 0.9 0.1", "oslo 0 0 1"]
    with zipfile.ZipFile(tmp_path / "vecs.zip", "w") as archive:
        archive.writestr("vecs.txt", "\n".join(lines) + "\n")
    proc = cli.run(nlp_cmd, "init-vectors", "en", tmp_path / "vm", tmp_path / "vecs.zip", "--prune", "3")
    assert "5 words, 3 vectors of width 3" in proc.stdout
    vectors = nlp_models.load(tmp_path / "vm").vocab.vectors
    assert vectors.shape == (3, 3) and list(vectors["lamp"]) == list(vectors["boat"])
    cli.run(nlp_cmd, "train", "en", tmp_path / "out", corpus["train"], corpus["dev"], "-p", "tagger", "-n", "1",
            "-v", tmp_path / "vm", *cli.tiny)
    assert nlp_models.load(tmp_path / "out" / "model-final").vocab.vectors.shape == (3, 3)


def test_pretrain_then_train_with_init_tok2vec(tmp_path, corpus, nlp_cmd, cli):
    blank = tmp_path / "blank"
    cli.run(nlp_cmd, "init-vectors", "en", blank, _vectors_file(tmp_path))
    proc = cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, tmp_path / "pt", "-o", "characters", "-i", "2", *cli.tiny,
                   "-bs", "200")
    assert (tmp_path / "pt" / "model1.bin").exists() and "Loss" in proc.stdout
    log = [json.loads(line) for line in (tmp_path / "pt" / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in log] == [0, 1] and log[1]["loss_per_word"] < log[0]["loss_per_word"]
    proc = cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, tmp_path / "pv", "-o", "vectors", "-L", "L2", "-i", "1",
                   *cli.tiny)
    assert (tmp_path / "pv" / "model0.bin").exists()
    cli.run(nlp_cmd, "pretrain", corpus["texts"], blank, tmp_path / "again", "-o", "characters", "-i", "1", *cli.tiny,
            "-t2v", tmp_path / "pt" / "model1.bin")  # continue from saved weights
    assert (tmp_path / "again" / "model0.bin").exists()
    weights = tmp_path / "pt" / "model1.bin"
    proc = cli.run(nlp_cmd, "train", "en", tmp_path / "t2v", corpus["train"], corpus["dev"], "-p", "ner", "-n", "1",
                   "-t2v", weights, *cli.tiny)
    assert "Loaded pretrained tok2vec weights into 1 component" in proc.stdout
    bad = cli.run(nlp_cmd, "train", "en", tmp_path / "bad", corpus["train"], corpus["dev"], "-p", "ner", "-n", "1",
                  "-t2v", weights, "-cw", "48", "-cd", "1", "-er", "500", ok=False)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "does not fit" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad" / "model1").exists()


def _vectors_file(tmp_path: Path) -> Path:
    path = tmp_path / "v.txt"
    path.write_text("the 0.1 0.2\nboat 0.3 0.4\n", encoding="utf8")
    return path


def test_train_resume_continues(tmp_path, corpus, nlp_cmd, cli):
    args = ["train", "en", tmp_path, corpus["train"], corpus["dev"], "-p", "tagger", *cli.tiny]
    cli.run(nlp_cmd, *args, "-n", "1")
    proc = cli.run(nlp_cmd, *args, "-n", "2", "--resume")
    assert "Resuming" in proc.stdout and (tmp_path / "model2").exists()


def test_textcat_from_jsonl(tmp_path, nlp_cmd, cli, data):
    data.reviews(tmp_path / "train.jsonl", 40)
    data.reviews(tmp_path / "dev.jsonl", 10, seed=1)
    proc = cli.run(nlp_cmd, "train", "en", tmp_path / "out", tmp_path / "train.jsonl", tmp_path / "dev.jsonl", "-p",
                   "textcat", "-n", "2", "-ta", "bow", "-tm")
    assert "Textcat" in proc.stdout
    meta = json.loads((tmp_path / "out" / "model-final" / "meta.json").read_text())
    assert sorted(meta["labels"]["textcat"]) == ["neg", "pos"]
    metrics = tmp_path / "m.json"
    cli.run(nlp_cmd, "evaluate", tmp_path / "out" / "model-final", tmp_path / "dev.jsonl", "-o", metrics)
    assert "textcat_macro_f" in json.loads(metrics.read_text())
