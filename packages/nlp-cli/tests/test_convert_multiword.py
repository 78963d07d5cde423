"""`nlp convert` keeps CoNLL-U's multiword tokens in every output format (JSON, JSONL, DocBin):
the Spanish-like "al" = a + el, whose words do not spell it, and the English-like "don't" = do +
n't, whose words do. Training data read from the converted file teaches the tokenizer the same
expansions as the treebank, and its Docs written as CoNLL-U give back the treebank's lines."""

from __future__ import annotations

import io

import pytest

from nlp_cli._corpus import load_examples
from nlp_gold import read_conllu, write_conllu
from nlp_gold.conllu import raw_text
from nlp_gold.doc_conllu import doc_sentences
from nlp_gold.multiword import learn_expansions
from nlp_vocab import Tokenizer, Vocab

SUFFIXES = {"json": ".json", "jsonl": ".jsonl", "docbin": ".nlpdocs"}
EXPANSIONS = {"es": {"al": ["a", "el"], "del": ["de", "el"]}, "en": {}}  # "don't" is left to the rules


@pytest.fixture(scope="module")
def treebanks(tmp_path_factory, ud_toy):
    root = tmp_path_factory.mktemp("mwt")
    return {"es": ud_toy.write_treebank(root / "es.conllu", ud_toy.spanish, 12, seed=3),
            "en": ud_toy.write_treebank(root / "en.conllu", ud_toy.english, 12, seed=3)}


def converted_examples(tmp_path, treebank, lang, nlp_cmd, cli, file_type, *options):
    cli.run(nlp_cmd, "convert", treebank, tmp_path, "-t", file_type, "-l", lang, *options)
    vocab = Vocab(lang)
    return load_examples(tmp_path / f"{lang}{SUFFIXES[file_type]}", vocab, Tokenizer.for_language(vocab), "training data")


def columns(text: str) -> list[tuple[str, ...]]:
    """The `# text` lines and the columns of each word and range line of CoNLL-U, XPOS aside (the
    reader puts UPOS in the tags where XPOS is "_")."""
    lines = [line for line in text.splitlines() if line and (not line.startswith("#") or line.startswith("# text"))]
    return [(line,) if line.startswith("#") else tuple(line.split("\t")[i] for i in (0, 1, 2, 3, 5, 6, 7, 8, 9)) for line in lines]


@pytest.mark.parametrize("lang", sorted(EXPANSIONS))
@pytest.mark.parametrize("file_type", sorted(SUFFIXES))
def test_convert_keeps_the_multiword_tokens(tmp_path, treebanks, nlp_cmd, cli, file_type, lang):
    examples = converted_examples(tmp_path, treebanks[lang], lang, nlp_cmd, cli, file_type)
    gold = list(read_conllu(treebanks[lang], multiword_tokens=True))
    assert len(examples) == len(gold) and any(s["multiword_tokens"] for s in gold)
    for eg, sent in zip(examples, gold):
        ref = eg.reference
        assert ref.text == raw_text(sent) and ref.forms == sent["words"]
        assert [(m.start, m.end - 1, m.text) for m in ref.multiword_tokens] == sent["multiword_tokens"]
    assert learn_expansions(eg.reference for eg in examples) == EXPANSIONS[lang]
    buffer = io.StringIO()
    write_conllu([s for eg in examples for s in doc_sentences(eg.reference)], buffer)
    assert columns(buffer.getvalue()) == columns(treebanks[lang].read_text(encoding="utf8"))


def test_documents_of_several_sentences_keep_them_in_place(tmp_path, treebanks, nlp_cmd, cli):
    (doc, *_) = [eg.reference for eg in converted_examples(tmp_path, treebanks["es"], "es", nlp_cmd, cli, "json", "-n", "4")]
    gold = list(read_conllu(treebanks["es"], multiword_tokens=True))[:4]
    assert doc.text == " ".join(raw_text(s) for s in gold)
    assert [m.text for m in doc.multiword_tokens] == [r[2] for s in gold for r in s["multiword_tokens"]]
    assert doc.forms == [w for s in gold for w in s["words"]]


def test_training_on_the_converted_file_learns_the_expansions(tmp_path, treebanks, nlp_cmd, cli):
    cli.run(nlp_cmd, "convert", treebanks["es"], tmp_path, "-t", "jsonl")
    proc = cli.run(nlp_cmd, "train", "es", tmp_path / "model", tmp_path / "es.jsonl", treebanks["es"],
                   "-p", "tagger", "-n", "1", *cli.tiny)
    assert "ℹ Tokenizer: 2 multiword tokens learned from the training data (al = a + el, del = de + el)" in proc.stdout
