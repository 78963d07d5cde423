"""`nlp train` on treebanks whose multiword tokens do not spell their words (Spanish-like "al" =
a + el, "del" = de + el; Finnish-like "ettei" = että + ei): the tokenizer learns them, the model
saves them, a loaded model expands them in raw text, and `nlp evaluate --raw` gets every token
and word right, writing CoNLL-U that reads back unchanged."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from nlp_gold import conll18_score_files, read_conllu, write_conllu


def trained(tmp_path_factory, ud_toy, nlp_cmd, cli, grammar, lang: str, pipeline: str) -> SimpleNamespace:
    root = tmp_path_factory.mktemp(grammar.__name__)
    train = ud_toy.write_treebank(root / "train.conllu", grammar, 40, seed=1)
    dev = ud_toy.write_treebank(root / "dev.conllu", grammar, 12, seed=2)
    proc = cli.run(nlp_cmd, "train", lang, root / "out", train, dev, "-p", pipeline, "-n", "2", *cli.tiny)
    return SimpleNamespace(root=root, train=train, dev=dev, model=root / "out" / "model-final", stdout=proc.stdout)


@pytest.fixture(scope="module")
def spanish(tmp_path_factory, ud_toy, nlp_cmd, cli):
    return trained(tmp_path_factory, ud_toy, nlp_cmd, cli, ud_toy.spanish, "es", "tagger,parser")


@pytest.fixture(scope="module")
def finnish(tmp_path_factory, ud_toy, nlp_cmd, cli):
    return trained(tmp_path_factory, ud_toy, nlp_cmd, cli, ud_toy.finnish, "xx", "tagger,morphologizer,lemmatizer")


def test_train_learns_the_expansions_and_the_model_applies_them(spanish):
    import nlp_models

    assert "ℹ Tokenizer: 2 multiword tokens learned from the training data (al = a + el, del = de + el)" in spanish.stdout
    nlp = nlp_models.load(spanish.model)
    assert nlp.tokenizer.expansions == {"al": ["a", "el"], "del": ["de", "el"]}
    text = "Al final Ada va al puerto del museo."
    doc = nlp(text)
    assert doc.text == text and all(text[t.idx : t.idx + len(t)] == t.text for t in doc)
    assert doc.forms == ["A", "el", "final", "Ada", "va", "a", "el", "puerto", "de", "el", "museo", "."]
    assert [(m.text, m.start_char, m.end_char) for m in doc.multiword_tokens] == [("Al", 0, 2), ("al", 16, 18), ("del", 26, 29)]
    assert doc[1].multiword.text == "Al" and doc[6].form_ == "el" and doc[6].text == "l"
    assert all(t.tag_ for t in doc) and len(list(doc.sents)) == 1


@pytest.mark.parametrize("treebank", ["spanish", "finnish"])
def test_raw_text_gets_every_token_and_word_and_reads_back_unchanged(request, treebank, nlp_cmd, cli):
    run = request.getfixturevalue(treebank)
    system = run.root / "system.conllu"
    cli.run(nlp_cmd, "evaluate", run.model, run.dev, "--raw", "-o", system)
    scores = conll18_score_files(run.dev, system)
    assert scores["Tokens"]["f"] == scores["Words"]["f"] == 100.0  # the tiny parser's sentences may be off
    gold = list(read_conllu(run.dev, multiword_tokens=True))
    predicted = list(read_conllu(system, multiword_tokens=True))
    assert [w for s in predicted for w in s["words"]] == [w for s in gold for w in s["words"]]
    assert [r[2] for s in predicted for r in s["multiword_tokens"]] == [r[2] for s in gold for r in s["multiword_tokens"]]
    assert any(s["multiword_tokens"] for s in gold) and all(None not in s["tags"] for s in predicted)
    buffer = io.StringIO()
    write_conllu(predicted, buffer)
    assert buffer.getvalue() == system.read_text(encoding="utf8")


def test_finnish_clitics_are_learned_and_the_lemmatizer_reads_the_word_forms(finnish):
    import nlp_models

    assert "ℹ Tokenizer: 1 multiword token learned from the training data (ettei = että + ei)" in finnish.stdout
    nlp = nlp_models.load(finnish.model)
    doc = nlp("Ada sanoi ettei kissa tule.")
    assert doc.words[2:4] == ["ett", "ei"] and doc.forms[2:4] == ["että", "ei"]
    assert doc[3].norm_ == "ei" and doc[2].norm_ == "että"  # the models' features are the word's
    assert all(t.lemma_ for t in doc) and all(t.pos_ for t in doc)
