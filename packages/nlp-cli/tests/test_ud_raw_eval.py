"""`nlp evaluate --raw`: the whole pipeline on a treebank's raw text, scored with the CoNLL 2018
metrics; the system's CoNLL-U (-o FILE.conllu) carries every column and its multiword tokens
and reads back with nlp_gold."""

from __future__ import annotations

import json

import pytest

from nlp_gold import CONLL18_METRICS, conll18_score_files, read_conllu

TEXT_LINE = "parsed as"


@pytest.fixture(scope="module")
def treebanks(tmp_path_factory, ud_toy) -> dict:
    root = tmp_path_factory.mktemp("ud")
    return {
        "en_train": ud_toy.write_treebank(root / "en-train.conllu", ud_toy.english, 60, seed=1),
        "en_dev": ud_toy.write_treebank(root / "en-dev.conllu", ud_toy.english, 12, seed=2),
        "fi_train": ud_toy.write_treebank(root / "fi-train.conllu", ud_toy.finnish, 60, seed=3),
        "fi_dev": ud_toy.write_treebank(root / "fi-dev.conllu", ud_toy.finnish, 12, seed=4),
    }


@pytest.fixture(scope="module")
def parser_model(tmp_path_factory, treebanks, nlp_cmd, cli):
    out = tmp_path_factory.mktemp("parser")
    cli.run(nlp_cmd, "train", "en", out, treebanks["en_train"], treebanks["en_dev"], "-p", "tagger,parser",
            "-n", "2", *cli.tiny)
    return out / "model-final"


def metrics_table(stdout: str) -> dict[str, tuple[float, float, float]]:
    """The printed CoNLL 2018 table as {metric: (P, R, F1)}."""
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) == 4 and cells[0] in CONLL18_METRICS:
            rows[cells[0]] = tuple(float(c) for c in cells[1:])
    return rows


def test_raw_prints_every_metric_and_writes_the_system_conllu(tmp_path, treebanks, parser_model, nlp_cmd, cli):
    system = tmp_path / "system.conllu"
    proc = cli.run(nlp_cmd, "evaluate", parser_model, treebanks["en_dev"], "--raw", "-o", system)
    table = metrics_table(proc.stdout)
    assert list(table) == list(CONLL18_METRICS)
    # 12 sentences in 6 paragraphs; our tokenizer splits "don't" and "can't" as the treebank does,
    # and the writer gives them their range lines: every token and every word is right
    assert "raw text of 12 sentences" in proc.stdout and f"{TEXT_LINE} 6 texts" in proc.stdout
    assert table["Tokens"] == table["Words"] == (100.0, 100.0, 100.0)
    gold = list(read_conllu(treebanks["en_dev"], multiword_tokens=True))
    predicted = list(read_conllu(system, multiword_tokens=True))
    assert [w for s in predicted for w in s["words"]] == [w for s in gold for w in s["words"]]
    ranges = [r[2] for s in predicted for r in s["multiword_tokens"]]
    assert ranges == [r[2] for s in gold for r in s["multiword_tokens"]] and set(ranges) == {"don't", "can't"}
    for sent in predicted:  # the tagger's tags, their UPOS and the parser's tree, for every word
        assert None not in sent["tags"] and None not in sent["pos"] and None not in sent["heads"]
        assert None not in sent["deps"]
    assert predicted[0]["newdoc"] == "doc1" and predicted[0]["newpar"] == "par1"
    scores = conll18_score_files(treebanks["en_dev"], system)
    assert {name: tuple(round(scores[name][k], 2) for k in "prf") for name in CONLL18_METRICS} == table


def test_raw_json_scores(tmp_path, treebanks, parser_model, nlp_cmd, cli):
    out = tmp_path / "scores.json"
    proc = cli.run(nlp_cmd, "evaluate", parser_model, treebanks["en_dev"], "-r", "-o", out)
    scores = json.loads(out.read_text(encoding="utf8"))
    table = metrics_table(proc.stdout)
    for name in CONLL18_METRICS:
        assert round(scores[name]["f"], 2) == table[name][2] == round(scores[f"conll18_{name.lower()}"], 2)
    assert scores["wps"] > 0


def test_raw_scores_a_token_our_tokenizer_keeps_whole(treebanks, parser_model, nlp_cmd, cli):
    """Finnish "ettei" = että + ei: our tokenizer keeps the token whole, so the token is right and
    its two words are not (the words inside a multiword token align by their forms)."""
    gold = list(read_conllu(treebanks["fi_dev"], multiword_tokens=True))
    n_gold = sum(len(s["words"]) for s in gold)
    fused = sum(len(s["multiword_tokens"]) for s in gold)
    assert fused > 0
    n_system = n_gold - fused
    aligned = n_gold - 2 * fused
    proc = cli.run(nlp_cmd, "evaluate", parser_model, treebanks["fi_dev"], "--raw")
    table = metrics_table(proc.stdout)
    assert table["Tokens"] == (100.0, 100.0, 100.0)
    expected = (100 * aligned / n_system, 100 * aligned / n_gold, 200 * aligned / (n_gold + n_system))
    assert table["Words"] == tuple(round(v, 2) for v in expected)


def test_raw_without_sentence_boundaries_parses_each_gold_sentence(tmp_path, treebanks, nlp_cmd, cli):
    out = tmp_path / "tagger"
    cli.run(nlp_cmd, "train", "en", out, treebanks["en_train"], treebanks["en_dev"], "-p", "tagger", "-n", "1", *cli.tiny)
    proc = cli.run(nlp_cmd, "evaluate", out / "model-final", treebanks["en_dev"], "--raw")
    assert "the model sets no sentence boundaries" in proc.stdout and f"{TEXT_LINE} 12 texts" in proc.stdout
    table = metrics_table(proc.stdout)
    assert table["Sentences"] == table["Tokens"] == (100.0, 100.0, 100.0)
    assert table["UAS"] == (0.0, 0.0, 0.0) and table["XPOS"][2] > 0


def test_ud_pipeline_fills_every_column(tmp_path, treebanks, nlp_cmd, cli):
    """tagger, morphologizer, lemmatizer and parser trained on the Finnish-like treebank: gold-word
    evaluation shows their accuracies, and the raw-text output has UPOS, FEATS and LEMMA."""
    out = tmp_path / "ud"
    cli.run(nlp_cmd, "train", "xx", out, treebanks["fi_train"], treebanks["fi_dev"],
            "-p", "tagger,morphologizer,lemmatizer,parser", "-n", "3", *cli.tiny)
    model = out / "model-final"
    gold_words = cli.run(nlp_cmd, "evaluate", model, treebanks["fi_dev"], "-G").stdout
    for label in ("Tag %", "POS %", "Morph %", "Lemma %", "UAS", "LAS"):
        assert any(line.startswith(label) for line in gold_words.splitlines()), (label, gold_words)
    system = tmp_path / "fi-system.conllu"
    table = metrics_table(cli.run(nlp_cmd, "evaluate", model, treebanks["fi_dev"], "--raw", "-o", system).stdout)
    predicted = list(read_conllu(system, multiword_tokens=True))
    for sent in predicted:
        assert None not in sent["pos"] and None not in sent["lemmas"] and None not in sent["heads"]
    assert any(m != "_" for sent in predicted for m in sent["morphs"])
    for name in ("UPOS", "UFeats", "Lemmas"):
        assert table[name][2] > 0


@pytest.mark.parametrize("args,message", [
    (["--raw", "-G"], "--raw parses the raw text with our tokenizer: it does not go with -G/--gold-words"),
    (["--raw", "--exclude-punct"], "which count punctuation: leave out --exclude-punct"),
    (["-o", "x.conllu"], "the system's CoNLL-U is written by --raw evaluation only"),
])
def test_raw_option_errors(tmp_path, treebanks, parser_model, nlp_cmd, cli, args, message):
    proc = cli.run(nlp_cmd, "evaluate", parser_model, treebanks["en_dev"], *args, ok=False)
    assert proc.returncode == 1 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_raw_needs_conllu(tmp_path, parser_model, nlp_cmd, cli):
    data = tmp_path / "texts.jsonl"
    data.write_text('{"text": "Ada sold the boat."}\n', encoding="utf8")
    proc = cli.run(nlp_cmd, "evaluate", parser_model, data, "--raw", ok=False)
    assert proc.returncode == 1 and "--raw scores CoNLL-U data" in proc.stderr and str(data) in proc.stderr
