"""The lemmatizer: edit trees as labels (the frequent ones), learned until it fits a small set,
the lookup table and the form itself as fallbacks, long docs, save/load, a shared tok2vec,
and its registration (annotation, columns, weights, batch maximum)."""

import json

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import Lemmatizer, blank, get_component_spec, load
from nlp_models.lemma_lexicon import LemmaLexicon
from nlp_models.lemma_rules import build_rule, rule_key
from nlp_vocab import Doc, Vocab

SMALL = {"width": 32, "depth": 2, "embed_rows": 500}
# (words, lemmas, UPOS): capitalized words keep or lose their case as UD lemmas do.
TRAIN = [
    ("She walked the dogs .", "she walk the dog .", "PRON VERB DET NOUN PUNCT"),
    ("They talked to cats .", "they talk to cat .", "PRON VERB ADP NOUN PUNCT"),
    ("He jumped over boxes .", "he jump over box .", "PRON VERB ADP NOUN PUNCT"),
    ("We went home .", "we go home .", "PRON VERB NOUN PUNCT"),
    ("I saw the saw .", "I see the saw .", "PRON VERB DET NOUN PUNCT"),
    ("Ada visited Paris .", "Ada visit Paris .", "PROPN VERB PROPN PUNCT"),
]
# For the fallbacks: only the "-ed" tree is seen 3 times.
FALLBACK = [
    ("walked talked jumped", "walk talk jump", "VERB VERB VERB"),
    ("went", "go", "VERB"),
    ("saw saw", "see saw", "VERB NOUN"),
]


def examples(vocab, data=TRAIN):
    return [Example.from_dict(Doc(vocab, words=words.split()), {"lemmas": lemmas.split(), "pos": pos.split()})
            for words, lemmas, pos in data]


def fits(lemmatizer, egs):
    """Whether the model's best tree is the gold tree of every word."""
    docs = [eg.predicted for eg in egs]
    if lemmatizer.upstream is not None:  # a listener reads the vectors its tok2vec stores
        docs = list(lemmatizer.upstream.pipe(docs))
    predicted = lemmatizer.predict(docs)
    best = numpy.concatenate([lemmatizer.model.ops.to_numpy(p).argmax(axis=1) for p in predicted])
    return best.tolist() == lemmatizer.gold_ids(egs)


def trained(names=("lemmatizer",), shared=False, max_iter=150):
    """A pipeline whose lemmatizer (top_k 1: its best tree only, every tree a label) fits TRAIN."""
    fix_random_seed(0)
    nlp = blank("en")
    if shared:
        nlp.add_pipe(nlp.create_pipe("tok2vec", SMALL), first=True)
    cfg = {**SMALL, "top_k": 1, "min_tree_freq": 1, **({"tok2vec": "tok2vec"} if shared else {})}
    nlp.add_pipe(nlp.create_pipe("lemmatizer", cfg))
    sgd = nlp.begin_training(lambda: examples(nlp.vocab))
    lemmatizer = nlp.get_pipe("lemmatizer")
    for _ in range(max_iter):
        nlp.update(examples(nlp.vocab), sgd=sgd, drop=0.0)
        if fits(lemmatizer, examples(nlp.vocab)):
            break
    return nlp


@pytest.fixture(scope="module")
def nlp():
    return trained()


def lemmas_of(nlp, words, pos=None):
    return [t.lemma_ for t in nlp(Doc(nlp.vocab, words=words, pos=pos))]


def test_it_fits_a_small_set_and_scores_lemma_accuracy_100(nlp):
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert fits(lemmatizer, examples(nlp.vocab))
    assert nlp.evaluate(examples(nlp.vocab))["lemma_acc"] == 100.0
    assert lemmas_of(nlp, "I saw the saw .".split()) == "I see the saw .".split()  # told apart by context
    assert rule_key(build_rule("walked", "walk")) in lemmatizer.labels


def test_labels_are_the_trees_seen_min_tree_freq_times_and_the_lookup_keeps_what_matters():
    vocab = Vocab("en")
    lemmatizer = Lemmatizer(vocab, **SMALL)  # min_tree_freq 3
    lemmatizer.begin_training(lambda: examples(vocab, FALLBACK))
    assert lemmatizer.labels == (rule_key(build_rule("walked", "walk")),)
    assert lemmatizer.lookup.forms == {"walked": "walk", "talked": "talk", "jumped": "jump", "went": "go"}
    assert lemmatizer.lookup.tagged == {("saw", "VERB"): "see"}  # "saw"/NOUN agrees with its form
    with pytest.raises(ValueError, match=r"has no edit trees: .* min_tree_freq \(4\)"):
        Lemmatizer(vocab, **SMALL, min_tree_freq=4).begin_training(lambda: examples(vocab, FALLBACK))


def test_no_fitting_tree_falls_back_to_the_lookup_then_to_the_form():
    vocab = Vocab("en")
    lemmatizer = Lemmatizer(vocab, **SMALL)
    lemmatizer.begin_training(lambda: examples(vocab, FALLBACK))
    words = ["kissed", "went", "saw", "saw", "saw", "blorp"]
    doc = lemmatizer(Doc(vocab, words=words, pos=["VERB", "VERB", "VERB", "NOUN", None, "X"]))
    # the tree; the lookup by form; by (form, UPOS); by form (a tie: the first); the form itself
    assert [t.lemma_ for t in doc] == ["kiss", "go", "see", "saw", "saw", "blorp"]


# For the lexicon's rules: "-ed" and "-d" trees; "red" always its own lemma; "'s" two lemmas as AUX.
LEXICON = [
    ("walked talked staged baked", "walk talk stage bake", "VERB VERB VERB VERB"),
    ("red hope 's 's", "red hope be have", "ADJ NOUN AUX AUX"),
]


def lexicon_lemmatizer(**cfg):
    vocab = Vocab("en")
    lemmatizer = Lemmatizer(vocab, **SMALL, min_tree_freq=1, **cfg)
    lemmatizer.begin_training(lambda: examples(vocab, LEXICON))
    trees = {lemma: lemmatizer.labels.index(rule_key(build_rule(form, lemma))) for form, lemma in
             (("walked", "walk"), ("staged", "stage"))}
    return lemmatizer, trees["walk"], trees["stage"]


def test_a_form_and_upos_training_always_gave_one_lemma_get_it_before_any_tree():
    lemmatizer, ed, _ = lexicon_lemmatizer()
    assert lemmatizer.lexicon.exact[("red", "ADJ")] == "red" and ("'s", "AUX") not in lemmatizer.lexicon.exact
    assert lemmatizer.lemmatize("red", "ADJ", [ed]) == "red"  # not the "-ed" tree's "r"
    assert lemmatizer.lemmatize("red", "NOUN", [ed]) == "r"  # never seen as a NOUN: the tree
    assert lemmatizer.lemmatize("red", "", [ed]) == "r"  # UPOS unknown
    off, ed, _ = lexicon_lemmatizer(exact_lookup=False)
    assert off.lemmatize("red", "ADJ", [ed]) == "r"


def test_of_the_trees_that_fit_the_first_giving_a_known_lemma_wins():
    lemmatizer, ed, d = lexicon_lemmatizer()
    assert lemmatizer.lexicon.knows("Hope") and not lemmatizer.lexicon.knows("hop")
    assert lemmatizer.lemmatize("hoped", "VERB", [ed, d]) == "hope"  # "hop" is no lemma it saw
    assert lemmatizer.lemmatize("Hoped", "VERB", [ed, d]) == "hope"  # known in any casing
    assert lemmatizer.lemmatize("zapped", "VERB", [ed, d]) == "zapp"  # none known: the best tree
    off, ed, d = lexicon_lemmatizer(prefer_known=False)
    assert off.lemmatize("hoped", "VERB", [ed, d]) == "hop"


# For the casing rule: 20 capitalised PROPN keep their casing, capitalised NOUNs are lowercased.
CASED = [
    (" ".join(["Ada", "Paris", "Oslo", "Bob"] * 5), " ".join(["Ada", "Paris", "Oslo", "Bob"] * 5), " ".join(["PROPN"] * 20)),
    ("Dogs Cats dogs Boxes", "dog cat dog box", "NOUN NOUN NOUN NOUN"),
]


def test_a_word_of_a_upos_whose_lemmas_keep_their_casing_keeps_it():
    vocab = Vocab("en")
    lemmatizer = Lemmatizer(vocab, **SMALL, min_tree_freq=1)
    lemmatizer.begin_training(lambda: examples(vocab, CASED))
    assert lemmatizer.lexicon.cased == {"PROPN"}  # NOUN: lowered; too few of the others
    lower = lemmatizer.labels.index(rule_key(build_rule("Dogs", "dog")))  # lowercase, cut the "s"
    assert lemmatizer.lemmatize("Holocausts", "PROPN", [lower]) == "Holocaust"
    assert lemmatizer.lemmatize("HOLOCAUSTS", "PROPN", [lower]) == "HOLOCAUST"
    assert lemmatizer.lemmatize("Holocausts", "NOUN", [lower]) == "holocaust"
    assert lemmatizer.lemmatize("Holocausts", "", [lower]) == "holocaust"  # UPOS unknown
    lemmatizer.cfg["pos_casing"] = False
    assert lemmatizer.lemmatize("Holocausts", "PROPN", [lower]) == "holocaust"
    restored = LemmaLexicon.from_msg(json.loads(json.dumps(lemmatizer.lexicon.to_msg())))
    assert restored.cased == {"PROPN"}
    before = {k: v for k, v in lemmatizer.lexicon.to_msg().items() if k != "cased"}  # saved before the rule
    assert LemmaLexicon.from_msg(before).cased == frozenset()


def test_rare_and_unknown_trees_are_missing_gold():
    vocab = Vocab("en")
    lemmatizer = Lemmatizer(vocab, **SMALL)
    lemmatizer.begin_training(lambda: examples(vocab, FALLBACK))
    egs = examples(vocab, FALLBACK)
    egs.append(Example.from_dict(Doc(vocab, words=["kissed", "it"]), {"lemmas": ["kiss", None]}))
    assert lemmatizer.gold_ids(egs) == [0, 0, 0, -1, -1, -1, 0, -1]
    scores = lemmatizer.predict([egs[1].predicted])
    loss, d_scores = lemmatizer.get_loss([egs[1]], scores)
    assert loss == 0.0 and not numpy.any(d_scores[0])


def test_a_label_must_be_an_edit_tree_key():
    lemmatizer = Lemmatizer(Vocab("en"))
    key = rule_key(build_rule("dogs", "dog"))
    assert lemmatizer.add_label(key) == 1 and lemmatizer.add_label(key) == 0
    assert lemmatizer.add_label('lower:[0, 1, ["", ""], ["s", ""]]') == 0  # the same rule, spaced
    with pytest.raises(ValueError, match=r"lemmatizer: 'NOUN' is not an edit tree"):
        lemmatizer.add_label("NOUN")


def test_a_long_doc_gets_the_lemmas_the_whole_doc_gets(nlp):
    words = " ".join(words for words, _, _ in TRAIN).split()
    whole = lemmas_of(nlp, words)
    lemmatizer = nlp.get_pipe("lemmatizer")
    lemmatizer.chunk_tokens = 4
    try:
        assert lemmas_of(nlp, words) == whole
    finally:
        lemmatizer.chunk_tokens = Lemmatizer.chunk_tokens
    assert whole[:5] == ["she", "walk", "the", "dog", "."]


def test_save_and_load_keep_trees_lookup_and_lemmas(nlp, tmp_path):
    nlp.to_disk(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "lemmatizer" / "labels.json").read_text(encoding="utf8"))
    assert set(saved) == {"trees", "lookup", "lexicon"} and saved["trees"] == list(nlp.get_pipe("lemmatizer").labels)
    loaded = load(tmp_path / "model")
    assert loaded.evaluate(examples(loaded.vocab))["lemma_acc"] == 100.0
    assert loaded.get_pipe("lemmatizer").lookup.forms == nlp.get_pipe("lemmatizer").lookup.forms
    assert loaded.get_pipe("lemmatizer").lexicon.exact == nlp.get_pipe("lemmatizer").lexicon.exact
    assert loaded.get_pipe("lemmatizer").lexicon.known == nlp.get_pipe("lemmatizer").lexicon.known
    assert loaded.get_pipe("lemmatizer").lexicon.cased == nlp.get_pipe("lemmatizer").lexicon.cased
    other = Lemmatizer(Vocab("en")).from_bytes(nlp.get_pipe("lemmatizer").to_bytes())
    words = "They walked the cats .".split()
    assert [t.lemma_ for t in other(Doc(other.vocab, words=words))] == lemmas_of(nlp, words)


@pytest.mark.parametrize("labels,message", [
    ({"trees": ["oops"], "lookup": {"forms": {}, "tagged": []}}, "'oops' is not an edit tree"),
    (["[\"a\",\"b\"]"], 'expected an object with "trees"'),
    ({"trees": [], "lookup": {"forms": {"a": 1}, "tagged": []}}, 'lookup "forms" must map'),
    ({"trees": [], "lookup": {"forms": {}, "tagged": []}, "lexicon": {"exact": [["a", "X"]], "known": []}},
     'lexicon "exact" must be a list'),
    ({"trees": [], "lookup": {"forms": {}, "tagged": []}, "lexicon": {"exact": [], "known": [], "cased": [3]}},
     'lexicon "cased" must be a list'),
])
def test_a_bad_labels_file_is_named(nlp, tmp_path, labels, message):
    nlp.to_disk(tmp_path / "model")
    path = tmp_path / "model" / "lemmatizer" / "labels.json"
    path.write_text(json.dumps(labels), encoding="utf8")
    with pytest.raises(ValueError) as info:
        load(tmp_path / "model")
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_model_saved_before_the_lexicon_loads_without_one(nlp, tmp_path):
    nlp.to_disk(tmp_path / "model")
    path = tmp_path / "model" / "lemmatizer" / "labels.json"
    saved = json.loads(path.read_text(encoding="utf8"))
    del saved["lexicon"]
    path.write_text(json.dumps(saved), encoding="utf8")
    loaded = load(tmp_path / "model")
    assert len(loaded.get_pipe("lemmatizer").lexicon) == 0
    assert loaded.evaluate(examples(loaded.vocab))["lemma_acc"] == 100.0


def test_a_shared_tok2vec_works():
    nlp = trained(shared=True)
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert lemmatizer.upstream is nlp.get_pipe("tok2vec")
    assert fits(lemmatizer, examples(nlp.vocab))
    assert nlp.evaluate(examples(nlp.vocab))["lemma_acc"] == 100.0


def test_it_is_registered_with_its_columns_weights_and_batch_maximum():
    spec = get_component_spec("lemmatizer")
    assert spec.cls is Lemmatizer and spec.annotation == "lemmas"
    info = spec.info_for("lemma")
    assert [c.header for c in info.columns] == ["Lemma %"] and info.columns[0].keys == ("lemma_acc",)
    assert [(w.keys, w.weight) for w in info.score_weights] == [(("lemma_acc",), 1.0)]
    assert info.max_batch_size == 32 and spec.evaluate_rows == (("lemma_acc", "Lemma %"),)
    eg = examples(Vocab("en"))[0]
    assert spec.gold_labels(eg)[1] == 'lower:[0,2,["",""],["ed",""]]'
