"""Every CoNLL-U column through `nlp convert` and into training: UPOS, XPOS, FEATS, LEMMA, HEAD
and DEPREL survive each output format (JSON, JSONL, DocBin), reach the training Examples' gold
(what the morphologizer and the lemmatizer learn from) and show in `nlp train`'s table."""

from __future__ import annotations

import pytest

from nlp_cli._corpus import load_examples
from nlp_gold import read_conllu
from nlp_vocab import Tokenizer, Vocab

SUFFIXES = {"json": ".json", "jsonl": ".jsonl", "docbin": ".nlpdocs"}


@pytest.fixture(scope="module")
def treebank(tmp_path_factory, ud_toy):
    return ud_toy.write_treebank(tmp_path_factory.mktemp("ud") / "fi.conllu", ud_toy.finnish, 16, seed=5)


@pytest.mark.parametrize("file_type", sorted(SUFFIXES))
def test_convert_keeps_every_column_for_training(tmp_path, treebank, nlp_cmd, cli, file_type):
    cli.run(nlp_cmd, "convert", treebank, tmp_path, "-t", file_type)
    converted = tmp_path / f"fi{SUFFIXES[file_type]}"
    vocab = Vocab("xx")
    examples = load_examples(converted, vocab, Tokenizer.for_language(vocab), "training data")
    gold = list(read_conllu(treebank))
    assert len(examples) == len(gold) == 16
    assert any(len(s["words"]) == 7 for s in gold)  # sentences with "ettei", read as että + ei
    for eg, sent in zip(examples, gold):
        ref = eg.reference
        assert ref.forms == sent["words"]  # "ettei" is one token of two words (nlp_gold.multiword)
        assert [t.tag_ for t in ref] == sent["tags"] and [t.pos_ for t in ref] == sent["pos"]
        assert [t.morph_ for t in ref] == sent["morphs"] and [t.lemma_ for t in ref] == sent["lemmas"]
        assert [t.head.i for t in ref] == sent["heads"] and [t.dep_ for t in ref] == sent["deps"]
        # the training gold, per predicted word
        assert eg.get_aligned("POS") == sent["pos"] and eg.get_aligned("MORPH") == sent["morphs"]
        assert eg.get_aligned("LEMMA") == sent["lemmas"] and eg.get_aligned("TAG") == sent["tags"]


def test_train_from_a_converted_docbin_learns_morphology_and_lemmas(tmp_path, treebank, nlp_cmd, cli):
    cli.run(nlp_cmd, "convert", treebank, tmp_path, "-t", "docbin")
    proc = cli.run(nlp_cmd, "train", "xx", tmp_path / "model", tmp_path / "fi.nlpdocs", treebank,
                   "-p", "morphologizer,lemmatizer", "-n", "1", *cli.tiny)
    header = next(line for line in proc.stdout.splitlines() if line.split()[:1] == ["Itn"])
    for column in ("POS %", "Morph %", "Lemma %"):
        assert column in header
