"""Token % as the guide describes it: `nlp train` and `nlp evaluate` run our tokenizer on dev data
that has raw text and score it against the gold words; `-G/--gold-words` scores on the gold words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

#: Gold words that our tokenizer splits differently: "don't" and "New York-based" are one gold
#: word each (our tokens: do n't, New York - based); "IBMers" is two gold words, "IBM" an ORG
#: entity that ends inside our token "IBMers".
DEV = """\
# text = I don't like New York-based firms.
1	I	I	PRON	PRP	_	3	nsubj	_	_
2	don't	do	AUX	VBP	_	3	aux	_	_
3	like	like	VERB	VB	_	0	root	_	_
4	New York-based	New York-based	ADJ	JJ	_	5	amod	_	_
5	firms	firm	NOUN	NNS	_	3	obj	_	SpaceAfter=No
6	.	.	PUNCT	.	_	3	punct	_	_

# text = He joined IBMers in Oslo.
1	He	he	PRON	PRP	_	2	nsubj	_	NER=O
2	joined	join	VERB	VBD	_	0	root	_	NER=O
3	IBM	IBM	PROPN	NNP	_	2	obj	_	SpaceAfter=No|NER=U-ORG
4	ers	er	NOUN	NNS	_	3	flat	_	NER=O
5	in	in	ADP	IN	_	6	case	_	NER=O
6	Oslo	Oslo	PROPN	NNP	_	2	obl	_	SpaceAfter=No|NER=U-LOC
7	.	.	PUNCT	.	_	2	punct	_	NER=O

"""
#: By hand: our 10 + 6 tokens, 6 + 7 gold words; one-to-one: I like firms . / He joined in Oslo .
N_TOKENS, N_WORDS, N_MATCHED = 16, 13, 9
TOKEN_P = 100 * N_MATCHED / N_TOKENS  # 56.25
TOKEN_R = 100 * N_MATCHED / N_WORDS
TOKEN_F = 100 * 2 * N_MATCHED / (N_TOKENS + N_WORDS)


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dev") / "dev.conllu"
    path.write_text(DEV, encoding="utf8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus, dev, nlp_cmd, cli) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("model")
    proc = cli.run(nlp_cmd, "train", "en", out, corpus["train"], dev, "-p", "tagger,parser,ner", "-n", "2", *cli.tiny)
    return out / "model-final", proc.stdout


def table_column(stdout: str, header: str) -> list[str]:
    """The cells of one column of the per-epoch table (right-aligned under their header)."""
    lines = stdout.splitlines()
    top = next(i for i, line in enumerate(lines) if line.split()[:1] == ["Itn"])
    end = lines[top].index(header) + len(header)
    return [line[:end].split()[-1] for line in lines[top + 1:] if line.split() and line.split()[0].isdigit()]


def metric_rows(stdout: str) -> dict[str, str]:
    """`nlp evaluate`'s table as {label: value}."""
    rows = {}
    for line in stdout.splitlines():
        label, _, value = line.rpartition("  ")
        if label.strip() and not label.startswith(("ℹ", "✔", " ")) and " " not in value.strip():
            rows[label.strip()] = value.strip()
    return rows


def test_train_reports_token_accuracy_of_our_tokenizer(trained):
    _, stdout = trained
    assert "development data: our tokenizer runs on the raw text" in stdout
    assert "Token % 56.25; 1 gold entity off our token boundaries, left out of the NER scores" in stdout
    assert table_column(stdout, "Token %") == [f"{TOKEN_P:.3f}"] * 2


def test_train_gold_words_gives_100(tmp_path, corpus, dev, nlp_cmd, cli):
    proc = cli.run(nlp_cmd, "train", "en", tmp_path, corpus["train"], dev, "-p", "tagger", "-n", "1", *cli.tiny,
                   "--gold-words")
    assert table_column(proc.stdout, "Token %") == ["100.000"]
    assert "raw text" not in proc.stdout
    log = [json.loads(line) for line in (tmp_path / "training-log.jsonl").read_text().splitlines()]
    assert log[0]["scores"]["token_r"] == 100.0


def test_evaluate_scores_through_the_alignment(tmp_path, trained, dev, nlp_cmd, cli):
    metrics = tmp_path / "m.json"
    proc = cli.run(nlp_cmd, "evaluate", trained[0], dev, "-o", metrics)
    rows = metric_rows(proc.stdout)
    assert rows["Token %"] == f"{TOKEN_P:.2f}" and rows["Token P"] == f"{TOKEN_P:.2f}"
    assert rows["Token R"] == f"{TOKEN_R:.2f}" and rows["Token F"] == f"{TOKEN_F:.2f}"
    assert rows["NER excluded"] == "1"
    scores = json.loads(metrics.read_text())
    assert scores["token_p"] == pytest.approx(TOKEN_P) and scores["token_r"] == pytest.approx(TOKEN_R)
    assert scores["token_f"] == pytest.approx(TOKEN_F) and scores["ents_excluded"] == 1
    # Tags and arcs are counted per gold word; the 4 words without a token of their own are wrong.
    for key in ("tag_acc", "uas"):
        correct = scores[key] * N_WORDS / 100
        assert correct == pytest.approx(round(correct)) and round(correct) <= N_MATCHED, key


def test_evaluate_gold_words_gives_100(tmp_path, trained, dev, nlp_cmd, cli):
    metrics = tmp_path / "m.json"
    proc = cli.run(nlp_cmd, "evaluate", trained[0], dev, "-G", "-o", metrics)
    assert "Token %" in proc.stdout and "raw text" not in proc.stdout
    scores = json.loads(metrics.read_text())
    assert scores["token_acc"] == scores["token_f"] == 100.0 and scores["ents_excluded"] == 0


def test_json_raw_is_tokenized_too(tmp_path, trained, dev, nlp_cmd, cli):
    """The JSON training format's `raw` is the raw text (here from `nlp convert` of the CoNLL-U)."""
    cli.run(nlp_cmd, "convert", dev, tmp_path)
    metrics = tmp_path / "m.json"
    cli.run(nlp_cmd, "evaluate", trained[0], tmp_path / "dev.json", "-o", metrics)
    assert json.loads(metrics.read_text())["token_acc"] == pytest.approx(TOKEN_P)


def test_data_without_raw_text_says_so_once(tmp_path, trained, data, nlp_cmd, cli):
    columns = data.columns(tmp_path / "dev.txt", 6, seed=4)
    metrics = tmp_path / "m.json"
    proc = cli.run(nlp_cmd, "evaluate", trained[0], columns, "-o", metrics)
    assert proc.stdout.count("no raw text") == 1
    assert "evaluation data: no raw text: scoring on the gold words (Token % is 100)" in proc.stdout
    assert json.loads(metrics.read_text())["token_acc"] == 100.0
    mixed = tmp_path / "mixed.conllu"  # one sentence without `# text`: all are scored on the gold words
    mixed.write_text(DEV.replace("# text = He joined IBMers in Oslo.\n", ""), encoding="utf8")
    proc = cli.run(nlp_cmd, "evaluate", trained[0], mixed, "-o", metrics)
    assert "evaluation data: 1 of 2 examples have no raw text: scoring on the gold words" in proc.stdout
    assert json.loads(metrics.read_text())["token_acc"] == 100.0
