"""Morphologizer: UPOS and FEATS per word, as combined labels or per feature; learning a small
English-like set and a toy morphologically rich language, missing gold, save/load, a shared
tok2vec, long docs, CoNLL-U output and `nlp train -p morphologizer` (tiny hand-written data)."""

from __future__ import annotations

import importlib.util
import io
import random
import subprocess
import sys

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example, doc_to_annotations, read_conllu, write_conllu
from nlp_models import Morphologizer, blank, get_component_spec, load
from nlp_models.pipes import TrainablePipe
from nlp_vocab import Doc, Vocab

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
MODES = ("combined", "per_feature")
#: Updates that learn the small sets below by heart (one softmax per feature learns more slowly
#: on ten sentences: ~90 updates against ~10 for the combined labels).
UPDATES = {"combined": 40, "per_feature": 120}
PUNCT = ("PUNCT", "_")
FIN_PRES_3SG = "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin"
#: Ten English-like sentences: (text, [(UPOS, FEATS)] per word), FEATS in UD's order.
ENGLISH = [
    ("The cat sleeps .", [("DET", "Definite=Def|PronType=Art"), ("NOUN", "Number=Sing"), ("VERB", FIN_PRES_3SG), PUNCT]),
    ("Dogs bark loudly .", [("NOUN", "Number=Plur"), ("VERB", "Mood=Ind|Tense=Pres|VerbForm=Fin"), ("ADV", "_"), PUNCT]),
    ("She reads two books .", [("PRON", "Case=Nom|Gender=Fem|Number=Sing|Person=3|PronType=Prs"),
                               ("VERB", FIN_PRES_3SG), ("NUM", "NumForm=Word|NumType=Card"), ("NOUN", "Number=Plur"),
                               PUNCT]),
    ("We walked home yesterday .", [("PRON", "Case=Nom|Number=Plur|Person=1|PronType=Prs"),
                                    ("VERB", "Mood=Ind|Tense=Past|VerbForm=Fin"), ("ADV", "_"), ("NOUN", "Number=Sing"),
                                    PUNCT]),
    ("A small bird was singing .", [("DET", "Definite=Ind|PronType=Art"), ("ADJ", "Degree=Pos"), ("NOUN", "Number=Sing"),
                                    ("AUX", "Mood=Ind|Number=Sing|Person=3|Tense=Past|VerbForm=Fin"),
                                    ("VERB", "Tense=Pres|VerbForm=Part"), PUNCT]),
    ("They have bigger houses .", [("PRON", "Case=Nom|Number=Plur|Person=3|PronType=Prs"),
                                   ("VERB", "Mood=Ind|Tense=Pres|VerbForm=Fin"), ("ADJ", "Degree=Cmp"),
                                   ("NOUN", "Number=Plur"), PUNCT]),
    ("I saw him .", [("PRON", "Case=Nom|Number=Sing|Person=1|PronType=Prs"), ("VERB", "Mood=Ind|Tense=Past|VerbForm=Fin"),
                     ("PRON", "Case=Acc|Gender=Masc|Number=Sing|Person=3|PronType=Prs"), PUNCT]),
    ("The oldest tree fell .", [("DET", "Definite=Def|PronType=Art"), ("ADJ", "Degree=Sup"), ("NOUN", "Number=Sing"),
                                ("VERB", "Mood=Ind|Tense=Past|VerbForm=Fin"), PUNCT]),
    ("Cats are running .", [("NOUN", "Number=Plur"), ("AUX", "Mood=Ind|Tense=Pres|VerbForm=Fin"),
                            ("VERB", "Tense=Pres|VerbForm=Part"), PUNCT]),
    ("He will eat apples .", [("PRON", "Case=Nom|Gender=Masc|Number=Sing|Person=3|PronType=Prs"), ("AUX", "VerbForm=Fin"),
                              ("VERB", "VerbForm=Inf"), ("NOUN", "Number=Plur"), PUNCT]),
]

# A toy agglutinative language: a word is a stem and a suffix, and the suffix gives the features
# (nouns and adjectives agree in case and number; "t" ends a plural noun and a 2nd person verb).
NOUNS = ["kalo", "miru", "seta", "poku", "nira"]
ADJS = ["suri", "peni", "lamo"]
VERBS = ["luke", "kirjo", "mene"]
CASES = {"": "Case=Nom|Number=Sing", "n": "Case=Gen|Number=Sing", "ssa": "Case=Ine|Number=Sing",
         "lle": "Case=All|Number=Sing", "t": "Case=Nom|Number=Plur", "jen": "Case=Gen|Number=Plur",
         "issa": "Case=Ine|Number=Plur"}
PERSONS = {"n": "Number=Sing|Person=1", "t": "Number=Sing|Person=2", "vat": "Number=Plur|Person=3"}


def toy_sentence(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """ADJ NOUN VERB NOUN . with random cases (the adjective agrees) and a random person."""
    case, obj_case = rng.choice(sorted(CASES)), rng.choice(sorted(CASES))
    person = rng.choice(sorted(PERSONS))
    words = [rng.choice(ADJS) + case, rng.choice(NOUNS) + case, rng.choice(VERBS) + person,
             rng.choice(NOUNS) + obj_case, "."]
    tags = [("ADJ", f"{CASES[case]}|Degree=Pos"), ("NOUN", CASES[case]),
            ("VERB", f"Mood=Ind|{PERSONS[person]}|Tense=Pres|VerbForm=Fin"), ("NOUN", CASES[obj_case]), PUNCT]
    # "Case|Degree" is not UD's order: sort the adjective's features as a treebank writes them.
    tags[0] = ("ADJ", "|".join(sorted(tags[0][1].split("|"), key=str.lower)))
    return " ".join(words), tags


TOY = [toy_sentence(random.Random(seed)) for seed in range(12)]


def example(vocab, text, tags, pos=True, morphs=True):
    words = text.split()
    gold = {"words": words}
    if pos:
        gold["pos"] = [p for p, _ in tags]
    if morphs:
        gold["morphs"] = [m for _, m in tags]
    return Example.from_dict(Doc(vocab, words=words), gold)


def fresh(nlp, examples):
    """The same gold with new predicted docs (a training loop's batches)."""
    return [Example(Doc(nlp.vocab, words=eg.predicted.words), eg.reference) for eg in examples]


def train(data, n_iter=None, shared=False, **cfg):
    """A pipeline with a morphologizer (after a tok2vec it listens to, with `shared`) trained
    on `data` for `n_iter` updates of the whole set."""
    fix_random_seed(0)
    nlp = blank("xx")
    if shared:
        nlp.add_pipe(nlp.create_pipe("tok2vec", SMALL))
        cfg = {**cfg, "tok2vec": "tok2vec"}
    nlp.add_pipe(nlp.create_pipe("morphologizer", {**SMALL, **cfg}))
    examples = [example(nlp.vocab, text, tags) for text, tags in data]
    optimizer = nlp.begin_training(lambda: examples)
    for _ in range(n_iter or UPDATES[cfg.get("label_mode", "combined")]):
        nlp.update(fresh(nlp, examples), sgd=optimizer, drop=0.1)
    return nlp, examples


def annotations(docs):
    return [[(t.pos_, t.morph_) for t in doc] for doc in docs]


@pytest.fixture(scope="module", params=MODES)
def english(request):
    return train(ENGLISH, label_mode=request.param)


def test_registered_with_its_columns_weights_and_rows():
    spec = get_component_spec("morphologizer")
    assert spec.cls is Morphologizer and issubclass(Morphologizer, TrainablePipe)
    assert spec.annotation == "morphology (UPOS and features)"
    info = spec.info_for("morph")
    assert info.name == "morph" and info.max_batch_size == 32 and info.token_level
    assert [(c.header, c.keys) for c in info.columns] == [("POS %", ("pos_acc",)), ("Morph %", ("morph_acc",))]
    assert [(w.keys, w.weight) for w in info.score_weights] == [(("pos_acc",), 0.5), (("morph_acc",), 0.5)]
    assert spec.evaluate_rows == (("pos_acc", "POS %"), ("morph_acc", "Morph %"), ("ufeats_acc", "UFeats %"))
    assert info.curves and info.curves[0].keys == (("pos_acc", "POS %"), ("morph_acc", "Morph %"),
                                                   ("ufeats_acc", "UFeats %"))


def test_combined_labels_put_the_upos_first_and_features_in_ud_order():
    vocab = Vocab("xx")
    eg = example(vocab, "kalon Peni x .", [("NOUN", "Number=Sing|Case=Gen"), ("PROPN", "Number[psor]=Sing|NumType=Ord"),
                                           ("X", None), PUNCT])
    assert list(get_component_spec("morphologizer").gold_labels(eg)) == [
        "POS=NOUN|Case=Gen|Number=Sing", "POS=PROPN|Number[psor]=Sing|NumType=Ord", "POS=PUNCT"]
    morph = Morphologizer(vocab, **SMALL)
    morph.begin_training(lambda: [eg])
    assert morph.labels == ("POS=NOUN|Case=Gen|Number=Sing", "POS=PROPN|Number[psor]=Sing|NumType=Ord", "POS=PUNCT")
    per_feature = Morphologizer(vocab, label_mode="per_feature", **SMALL)
    per_feature.begin_training(lambda: [eg])
    assert per_feature.labels == ("POS=NOUN", "Case=_", "Case=Gen", "Number=_", "Number=Sing", "POS=PROPN",
                                  "Number[psor]=_", "Number[psor]=Sing", "NumType=_", "NumType=Ord", "POS=X",
                                  "POS=PUNCT")


def test_learns_english_upos_and_features(english):
    nlp, examples = english
    scores = nlp.evaluate(examples)
    assert scores["pos_acc"] == 100.0 and scores["morph_acc"] == 100.0
    doc = nlp(Doc(nlp.vocab, words="She reads two books .".split()))
    assert [t.pos_ for t in doc] == ["PRON", "VERB", "NUM", "NOUN", "PUNCT"]
    assert doc[1].morph_ == FIN_PRES_3SG
    assert doc[4].morph_ == "_"  # no features: CoNLL-U's empty FEATS, as the gold reads it


@pytest.mark.parametrize("mode", MODES)
def test_learns_a_morphologically_rich_toy_language(mode):
    nlp, examples = train(TOY, label_mode=mode)
    scores = nlp.evaluate(examples)
    assert scores["pos_acc"] == 100.0 and scores["morph_acc"] == 100.0
    assert annotations(nlp.pipe(Doc(nlp.vocab, words=eg.predicted.words) for eg in examples)) == [
        list(tags) for _, tags in TOY]


@pytest.mark.parametrize("mode", MODES)
def test_missing_gold_costs_nothing(mode):
    vocab = Vocab("xx")
    morph = Morphologizer(vocab, label_mode=mode, **SMALL)
    full = example(vocab, "kalo lukevat .", [("NOUN", "Case=Nom|Number=Sing"), ("VERB", "Number=Plur|Person=3"), PUNCT])
    morph.begin_training(lambda: [full])
    partial = Example.from_dict(Doc(vocab, words=["kalo", "lukevat", "."]),
                                {"pos": ["NOUN", None, "PUNCT"], "morphs": ["Case=Nom|Number=Sing", "_", None]})
    scores = morph.model.predict(morph.model_input([partial.predicted]))
    loss, d_scores = morph.get_loss([partial], scores)
    grad = numpy.asarray(d_scores[0])
    assert loss > 0 and numpy.any(grad[0] != 0.0)
    pos_columns = [i for i, label in enumerate(morph.labels) if label.startswith("POS=")]
    feature_columns = [i for i in range(len(morph.labels)) if i not in pos_columns]
    if mode == "combined":  # a word needs both UPOS and FEATS to have a label
        assert numpy.all(grad[1] == 0.0) and numpy.all(grad[2] == 0.0)
    else:  # UPOS and each feature learn on their own
        assert numpy.all(grad[1][pos_columns] == 0.0) and numpy.any(grad[1][feature_columns] != 0.0)
        assert numpy.any(grad[2][pos_columns] != 0.0) and numpy.all(grad[2][feature_columns] == 0.0)
    nothing = example(vocab, "kalo .", [], pos=False, morphs=False)
    loss, d_scores = morph.get_loss([nothing], morph.model.predict(morph.model_input([nothing.predicted])))
    assert loss == 0.0 and not numpy.any(numpy.asarray(d_scores[0]))


@pytest.mark.parametrize("mode", MODES)
def test_unknown_words_and_combinations_never_crash(mode):
    nlp, _ = train(TOY[:4], n_iter=5, label_mode=mode)
    unseen = [("VERB", "Mood=Imp|VerbForm=Fin"), ("INTJ", "_"), ("NOUN", "Case=Abl|Number=Dual"), PUNCT]
    dev = [example(nlp.vocab, "zzz qqq kalostaan .", unseen), example(nlp.vocab, "", [])]
    scores = nlp.evaluate(dev)
    assert 0.0 <= scores["pos_acc"] < 100.0 and 0.0 <= scores["morph_acc"] < 100.0
    doc = nlp(Doc(nlp.vocab, words="zzz qqq kalostaan .".split()))
    for token in doc:
        feats = token.morph_
        assert token.pos_ and feats  # every word gets both, "_" for no features
        items = [] if feats == "_" else feats.split("|")
        assert items == sorted(items, key=lambda item: item.split("=")[0].lower())
    with pytest.raises(ValueError, match=r"example 0 .* has morphology label .*Mood=Imp.* not a label"):
        nlp.update([dev[0]], sgd=None)


def test_per_feature_joins_each_feature_s_best_value_even_into_an_unseen_combination():
    vocab = Vocab("xx")
    seen = [example(vocab, "kalossa kalot", [("NOUN", "Case=Ine|Number=Sing"), ("NOUN", "Case=Nom|Number=Plur")])]
    morph = Morphologizer(vocab, label_mode="per_feature", **SMALL)
    morph.begin_training(lambda: seen)
    linear = morph.model.get_ref("output_layer").layers[0]  # zero weights: the scores are the biases

    def predict_with_best(*labels):
        bias = numpy.zeros(len(morph.labels), dtype="float32")
        bias[[morph.labels.index(label) for label in labels]] = 5.0
        linear.set_param("b", bias)
        return [(t.pos_, t.morph_) for t in morph(Doc(vocab, words=["miru", "x"]))]

    assert predict_with_best("POS=NOUN", "Case=Ine", "Number=Plur") == [("NOUN", "Case=Ine|Number=Plur")] * 2
    assert predict_with_best("POS=NOUN", "Case=_", "Number=Plur") == [("NOUN", "Number=Plur")] * 2
    assert predict_with_best("POS=NOUN", "Case=_", "Number=_") == [("NOUN", "_")] * 2


@pytest.mark.parametrize("mode", MODES)
def test_save_and_load_round_trip(tmp_path, mode):
    nlp, examples = train(ENGLISH[:4], n_iter=10, label_mode=mode)
    texts = [eg.predicted.words for eg in examples] + [["unseen", "words", "here"]]
    before = annotations(nlp.pipe(Doc(nlp.vocab, words=w) for w in texts))
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    morph = loaded.get_pipe("morphologizer")
    assert isinstance(morph, Morphologizer) and morph.cfg["label_mode"] == mode
    assert morph.labels == nlp.get_pipe("morphologizer").labels
    assert annotations(loaded.pipe(Doc(loaded.vocab, words=w) for w in texts)) == before
    restored = Morphologizer(Vocab("xx")).from_bytes(nlp.get_pipe("morphologizer").to_bytes())
    assert restored.labels == morph.labels and restored.cfg["label_mode"] == mode


def test_a_saved_folder_with_bad_labels_or_mode_is_refused_in_one_line(tmp_path):
    nlp, _ = train(ENGLISH[:2], n_iter=1)
    nlp.to_disk(tmp_path / "model")
    labels = tmp_path / "model" / "morphologizer" / "labels.json"
    labels.write_text('["NOUN", "POS=VERB"]', encoding="utf8")
    with pytest.raises(ValueError, match=r"labels\.json: .*'NOUN' is not a morphology label") as err:
        load(tmp_path / "model")
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="label_mode must be one of"):
        Morphologizer(Vocab("xx"), label_mode="per_word")
    with pytest.raises(ValueError, match="is not a morphology label"):
        Morphologizer(Vocab("xx")).add_label("NOUN")


@pytest.mark.parametrize("mode", MODES)
def test_shares_a_tok2vec(tmp_path, mode):
    nlp, examples = train(ENGLISH, shared=True, label_mode=mode)
    morph = nlp.get_pipe("morphologizer")
    assert morph.upstream is nlp.get_pipe("tok2vec") and morph.cfg["width"] == 32
    assert not [n for n in morph.model.walk() if n.name.startswith("hashembed")]  # the tok2vec's CNN only
    scores = nlp.evaluate(examples)
    assert scores["pos_acc"] == 100.0 and scores["morph_acc"] == 100.0
    nlp.to_disk(tmp_path / "shared")
    loaded = load(tmp_path / "shared")
    assert loaded.pipe_names == ["tok2vec", "morphologizer"]
    assert loaded.get_pipe("morphologizer").upstream is loaded.get_pipe("tok2vec")
    assert loaded.evaluate(examples)["morph_acc"] == 100.0


@pytest.mark.parametrize("mode", MODES)
def test_a_long_doc_is_annotated_window_by_window_as_a_whole(mode):
    nlp, _ = train(TOY, n_iter=10, label_mode=mode)
    words = [w for text, _ in TOY for w in text.split()]
    whole = annotations([nlp(Doc(nlp.vocab, words=words))])
    nlp.get_pipe("morphologizer").chunk_tokens = 7
    assert annotations([nlp(Doc(nlp.vocab, words=words))]) == whole


def test_predictions_write_and_read_back_as_conllu(tmp_path, english):
    nlp, examples = english
    docs = list(nlp.pipe(Doc(nlp.vocab, words=eg.predicted.words, spaces=eg.predicted.spaces) for eg in examples))
    out = io.StringIO()
    write_conllu([doc_to_annotations(doc) for doc in docs], out)
    assert "\tPUNCT\t_\t_\t" in out.getvalue()  # no features: an empty FEATS field
    path = tmp_path / "pred.conllu"
    path.write_text(out.getvalue(), encoding="utf8")
    read = list(read_conllu(path))
    assert [list(zip(s["pos"], s["morphs"])) for s in read] == [tags for _, tags in ENGLISH]


def conllu(data) -> str:
    """CoNLL-U of (text, tags) sentences: every word spaced, attached to the first word."""
    blocks = []
    for text, tags in data:
        rows = [f"# text = {text}"]
        for i, (word, (pos, feats)) in enumerate(zip(text.split(), tags), 1):
            rows.append("\t".join([str(i), word, "_", pos, "_", feats, "0" if i == 1 else "1",
                                   "root" if i == 1 else "dep", "_", "_"]))
        blocks.append("\n".join(rows) + "\n")
    return "\n".join(blocks) + "\n"


@pytest.mark.skipif(importlib.util.find_spec("nlp_cli") is None, reason="needs the nlp command (nlp-cli)")
def test_nlp_train_and_evaluate_a_morphologizer(tmp_path):
    (tmp_path / "train.conllu").write_text(conllu(TOY + ENGLISH), encoding="utf8")
    (tmp_path / "dev.conllu").write_text(conllu(TOY[:4] + ENGLISH[:3]), encoding="utf8")
    nlp_cmd = [sys.executable, "-m", "nlp_cli"]
    tiny = ["-cw", "32", "-cd", "1", "-er", "500"]
    trained = subprocess.run([*nlp_cmd, "train", "xx", str(tmp_path / "out"), str(tmp_path / "train.conllu"),
                              str(tmp_path / "dev.conllu"), "-p", "morphologizer", "-n", "2", *tiny],
                             capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "POS %" in trained.stdout and "Morph %" in trained.stdout and "Morph Loss" in trained.stdout
    nlp = load(tmp_path / "out" / "model-final")
    assert nlp.pipe_names == ["morphologizer"]
    evaluated = subprocess.run([*nlp_cmd, "evaluate", str(tmp_path / "out" / "model-final"),
                                str(tmp_path / "dev.conllu")], capture_output=True, text=True, timeout=300)
    assert evaluated.returncode == 0, evaluated.stdout + evaluated.stderr
    assert "POS %" in evaluated.stdout and "Morph %" in evaluated.stdout
