"""The UD side of the benchmark (bench/ud_raw.py, the UD tasks, their BENCHMARKS.md section):
documents and their raw text from a CoNLL-U file, system output cut into CoNLL-U sentences,
CoNLL 2018 scores, spaCy's features in UD's order, and the section's tables. spaCy itself is not
needed: the runners' conversions are tested on plain values."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import nlp_models
from nlp_gold import CONLL18_METRICS, doc_from_annotations
from nlp_gold.conllu import read_conllu_file
from nlp_gold.doc_conllu import fused_forms

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import run as bench_run  # noqa: E402
import spacy_runner  # noqa: E402
import ud_raw  # noqa: E402
from tasks import TASKS, Task, logged_scores, main_score  # noqa: E402

# Two documents: the first of two sentences (one with the multiword token "don't"), the second of one.
CONLLU = """# newdoc id = d1
# sent_id = 1
# text = I don't run.
1	I	I	PRON	PRP	Case=Nom|Number=Sing|Person=1	4	nsubj	_	_
2-3	don't	_	_	_	_	_	_	_	_
2	do	do	AUX	VBP	Mood=Ind|Tense=Pres	4	aux	_	_
3	n't	not	PART	RB	_	4	advmod	_	_
4	run	run	VERB	VB	VerbForm=Inf	0	root	_	SpaceAfter=No
5	.	.	PUNCT	.	_	4	punct	_	_

# sent_id = 2
# text = Dogs bark.
1	Dogs	dog	NOUN	NNS	Number=Plur	2	nsubj	_	_
2	bark	bark	VERB	VBP	Mood=Ind|Tense=Pres	0	root	_	SpaceAfter=No
3	.	.	PUNCT	.	_	2	punct	_	_

# newdoc id = d2
# sent_id = 3
# text = Cats sleep.
1	Cats	cat	NOUN	NNS	Number=Plur	2	nsubj	_	_
2	sleep	sleep	VERB	VBP	Mood=Ind|Tense=Pres	0	root	_	SpaceAfter=No
3	.	.	PUNCT	.	_	2	punct	_	_

"""


@pytest.fixture
def dev_task(tmp_path: Path) -> Task:
    """The ud-ewt task with its dev split replaced by CONLLU."""
    path = tmp_path / "dev.conllu"
    path.write_text(CONLLU, encoding="utf8")
    ud = TASKS["ud-ewt"]
    return Task(ud.name, ud.pipeline, ud.train, str(path), ud.fmt, ud.main_keys,
                spacy_pipeline=ud.spacy_pipeline, raw_text=True)


def gold_sentences() -> list[dict]:
    return list(read_conllu_file(io.StringIO(CONLLU), multiword_tokens=True))


def perfect_docs(texts: list[str], vocab, gold: list[dict] | None = None) -> list:
    """Our Docs of the two texts of CONLLU, carrying the annotation of `gold` (default: the gold)."""
    gold = gold or gold_sentences()
    assert texts == ["I don't run. Dogs bark.", "Cats sleep."]
    docs = []
    for sentences in (gold[:2], gold[2:]):
        annot: dict = {key: [] for key in ("words", "spaces", "tags", "pos", "morphs", "lemmas", "deps",
                                           "heads", "sent_starts")}
        for sent in sentences:
            offset = len(annot["words"])
            for key in ("words", "spaces", "tags", "pos", "morphs", "lemmas", "deps"):
                annot[key] += sent[key]
            annot["spaces"][-1] = True
            annot["heads"] += [h + offset for h in sent["heads"]]
            annot["sent_starts"] += [k == 0 for k in range(len(sent["words"]))]
        docs.append(doc_from_annotations(vocab, annot))
    return docs


def test_ud_tasks_name_both_pipelines_and_the_main_score() -> None:
    for name, lang in (("ud-ewt", "en"), ("ud-fi", "fi")):
        task = TASKS[name]
        assert task.pipeline == ("tagger", "morphologizer", "lemmatizer", "parser")
        assert task.spacy_components == ("tagger", "morphologizer", "trainable_lemmatizer", "parser")
        assert task.lang == lang and task.fmt == "conllu"
    assert TASKS["ud-ewt"].raw_text and not TASKS["ud-fi"].raw_text
    assert TASKS["ewt"].spacy_components == TASKS["ewt"].pipeline and TASKS["ewt"].lang == "en"
    scores = {"pos_acc": 96.0, "morph_acc": 95.0, "lemma_acc": 97.0, "las": 84.0, "tag_acc": 10.0}
    assert main_score(TASKS["ud-ewt"], scores) == pytest.approx(93.0)
    logged = logged_scores({**scores, "tag_confusions": [["NN", "NNP", 3]], "las_per_type": {}})
    assert logged == scores


def test_raw_text_scores_of_a_perfect_and_a_mislabelled_system(dev_task: Task) -> None:
    vocab = nlp_models.blank("en").vocab
    fused = {("do", "n't")}
    scores = ud_raw.raw_text_scores(dev_task, lambda texts: ud_raw.doc_sentences(perfect_docs(texts, vocab), fused))
    assert tuple(scores) == CONLL18_METRICS
    for metric, value in scores.items():
        assert value["f"] == pytest.approx(100.0), metric

    def mislabelled(texts: list[str]) -> list[dict]:
        wrong = gold_sentences()
        wrong[2]["deps"][0] = "obj"
        return ud_raw.doc_sentences(perfect_docs(texts, vocab, wrong), fused)

    worse = ud_raw.raw_text_scores(dev_task, mislabelled)
    assert worse["UAS"]["f"] == pytest.approx(100.0)
    assert worse["LAS"]["f"] == pytest.approx(100.0 * 10 / 11)


def test_raw_text_scores_of_our_tokenizer_alone(dev_task: Task) -> None:
    """Our tokenizer splits "don't" into a multiword token of two words; with no sentence
    splitter each text is one sentence (1 of the 2 system sentences is one of the 3 gold ones)."""
    nlp = nlp_models.blank("en")
    fused = fused_forms(nlp.tokenizer.exceptions)
    scores = ud_raw.raw_text_scores(dev_task, lambda texts: ud_raw.doc_sentences(map(nlp.make_doc, texts), fused))
    assert scores["Tokens"]["f"] == pytest.approx(100.0)
    assert scores["Words"]["f"] == pytest.approx(100.0)
    assert scores["Sentences"]["p"] == pytest.approx(50.0)
    assert scores["Sentences"]["r"] == pytest.approx(100.0 / 3)
    assert scores["UAS"]["f"] == pytest.approx(0.0)


def test_spacy_features_are_written_in_ud_order() -> None:
    assert spacy_runner.ud_feats("NumForm=Digit|NumType=Card|Number=Sing") == "Number=Sing|NumForm=Digit|NumType=Card"
    assert spacy_runner.ud_feats("Number=Sing|Number[psor]=Plur|Case=Gen") == "Case=Gen|Number=Sing|Number[psor]=Plur"
    assert spacy_runner.ud_feats("") == "_"


def results(scores: dict, conll18: dict | None) -> dict:
    """A system's train.json and annotate.json as the section reads them."""
    train = {"log": [{"seconds": 10.0, "scores": scores}], "train_seconds": 60.0, "train_wps": 1000.0,
             "peak_rss_mb": 300.0}
    annotate = {"scores": scores, "wps": 5000.0, "peak_rss_mb": 200.0, "model_mb": 5.0}
    if conll18 is not None:
        annotate["conll18"] = conll18
    return {"train": train, "annotate": annotate}


def test_the_ud_section_shows_every_column_and_the_raw_text_table() -> None:
    ours = {"tag_acc": 94.0, "pos_acc": 95.5, "morph_acc": 96.0, "lemma_acc": 97.5, "uas": 86.0, "las": 83.0}
    theirs = {"tag_acc": 93.0, "pos_acc": 94.0, "morph_acc": 95.0, "lemma_acc": 96.0, "uas": 84.0, "las": 80.0}
    raw = {"Tokens": {"p": 99.0, "r": 99.0, "f": 99.0}, "LAS": {"p": 80.0, "r": 80.0, "f": 80.0}}
    raw_sp = {"Tokens": {"p": 98.0, "r": 98.0, "f": 98.0}, "LAS": {"p": 78.5, "r": 78.5, "f": 78.5}}
    section = bench_run.task_section(TASKS["ud-ewt"], {"ours": results(ours, raw), "spacy": results(theirs, raw_sp)},
                                     "nox -s bench -- ud-ewt", head="Measured today.\n")
    assert section.startswith("## ud-ewt: tagger, morphologizer, lemmatizer, parser")
    assert "spaCy's pipeline: tagger, morphologizer, trainable_lemmatizer, parser." in section
    for key, o, s in (("pos_acc", "95.50", "94.00"), ("morph_acc", "96.00", "95.00"), ("lemma_acc", "97.50", "96.00")):
        assert f"| dev {key} (our scorer) | {o} | {s} |" in section
    assert "| main score (mean of pos_acc, morph_acc, lemma_acc, las) | 93.00 | 91.25 |" in section
    assert "| Tokens | 99.00 | 98.00 | +1.00 |" in section
    assert "| LAS | 80.00 | 78.50 | +1.50 |" in section
    plain = bench_run.task_section(TASKS["ewt"], {"ours": results(ours, None), "spacy": results(theirs, None)},
                                   "nox -s bench -- ewt", head="Measured today.\n")
    assert "CoNLL 2018" not in plain and "spaCy's pipeline" not in plain


def test_a_new_section_goes_after_the_last_bench_section(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "BENCHMARKS.md").write_text("# Benchmarks\n\n<!-- bench:ewt -->\nold\n<!-- /bench:ewt -->\n\n## Notes\n")
    monkeypatch.setattr(bench_run, "ROOT", tmp_path)
    bench_run.replace_section("ud-ewt", "## ud-ewt\nnew")
    text = (tmp_path / "BENCHMARKS.md").read_text()
    assert text.index("<!-- /bench:ewt -->") < text.index("<!-- bench:ud-ewt -->") < text.index("## Notes")
    bench_run.replace_section("ud-ewt", "## ud-ewt\nnewer")
    text = (tmp_path / "BENCHMARKS.md").read_text()
    assert "newer" in text and "\nnew\n" not in text and text.count("<!-- bench:ud-ewt -->") == 1
