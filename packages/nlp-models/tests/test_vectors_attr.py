"""cfg `vectors_attr`: the attribute a tok2vec looks static vectors up by (NORM, or ORTH for
case-keyed vectors), checked against the attribute the vectors table says its keys are, saved
with the model and honoured by a component's own tok2vec and by the shared one."""

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_gold import Example
from nlp_models import blank, load
from nlp_models.ml import make_objective
from nlp_models.pipes import vectors_lookup_cfg
from nlp_vocab import Vectors

WORDS = ["Paris", "London", "paris"]
TRAIN = [("Paris is big", ["PROPN", "AUX", "ADJ"]), ("my paris hat", ["PRON", "NOUN", "NOUN"]),
         ("London is old", ["PROPN", "AUX", "ADJ"])]
SMALL = {"width": 16, "depth": 1, "embed_rows": 100, "pretrained_vectors": True}
ORTH = {**SMALL, **vectors_lookup_cfg(SMALL, "ORTH")}


def pipeline(attr, cfg, shared=False):
    """A blank English pipeline whose vocab holds 2-wide vectors for "Paris" and "London" only,
    keyed by `attr`, and a tagger reading them with `cfg` (through a shared tok2vec if asked)."""
    nlp = blank("en")
    nlp.vocab.vectors = Vectors(data=numpy.array([[1.0, 2.0], [3.0, 4.0]], dtype="f"), keys=WORDS[:2], attr=attr)
    if shared:
        nlp.add_pipe(nlp.create_pipe("tok2vec", cfg))
        nlp.add_pipe(nlp.create_pipe("tagger", {"tok2vec": "tok2vec"}))
    else:
        nlp.add_pipe(nlp.create_pipe("tagger", cfg))
    return nlp


def begin(nlp):
    fix_random_seed(0)
    examples = [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in TRAIN]
    nlp.begin_training(lambda: examples)
    return nlp


def looked_up(nlp, words):
    """The static vectors the tok2vec (the shared one, else the tagger's own) reads for `words`."""
    component = nlp.get_pipe("tok2vec" if nlp.has_pipe("tok2vec") else "tagger")
    layer = next(node for node in component.model.walk() if node.name == "static_vectors")
    features = component.model_input([nlp.make_doc(" ".join(words))])
    return layer.predict(features[0])


@pytest.mark.parametrize("shared", [False, True])
def test_orth_keyed_vectors_are_found_for_the_exact_casing_only(shared):
    nlp = begin(pipeline("ORTH", ORTH, shared))
    vectors = looked_up(nlp, WORDS)
    numpy.testing.assert_array_equal(vectors, [[1, 2], [3, 4], [0, 0]])  # "paris" has no vector


def test_norm_lookup_finds_only_lowercase_keys():
    nlp = blank("en")
    nlp.vocab.vectors = Vectors(data=numpy.array([[1.0, 2.0]], dtype="f"), keys=["paris"], attr="NORM")
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    vectors = looked_up(begin(nlp), ["Paris", "paris", "PARIS"])
    numpy.testing.assert_array_equal(vectors, [[1, 2]] * 3)  # NORM folds the case


def test_vectors_attr_is_saved_with_the_model(tmp_path):
    nlp = begin(pipeline("ORTH", ORTH))
    texts = ["Paris is old", "my paris hat"]
    before = [[token.tag_ for token in doc] for doc in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "model")
    loaded = load(tmp_path / "model")
    cfg = loaded.get_pipe("tagger").cfg
    assert cfg["vectors_attr"] == "ORTH" and cfg["attrs"] == ["NORM", "PREFIX", "SUFFIX", "SHAPE", "ORTH"]
    assert cfg["embed_rows"] == [100, 100, 100, 100, 0] and loaded.vocab.vectors.attr == "ORTH"
    numpy.testing.assert_array_equal(looked_up(loaded, WORDS), [[1, 2], [3, 4], [0, 0]])
    assert [[token.tag_ for token in doc] for doc in loaded.pipe(texts)] == before


def test_a_table_keyed_by_another_attribute_is_refused():
    with pytest.raises(ValueError, match="tagger: the vocab's static vectors are keyed by ORTH, but cfg "
                                         "vectors_attr is 'NORM': set cfg vectors_attr to 'ORTH'"):
        begin(pipeline("ORTH", SMALL))
    with pytest.raises(ValueError, match="tok2vec: the vocab's static vectors are keyed by NORM, but cfg "
                                         "vectors_attr is 'ORTH'"):
        begin(pipeline("NORM", ORTH, shared=True))
    nlp = begin(pipeline(None, SMALL))  # a table that does not say is looked up by cfg vectors_attr
    numpy.testing.assert_array_equal(looked_up(nlp, ["Paris"]), [[0, 0]])  # NORM "paris": no such key


def test_vectors_attr_must_be_one_of_the_attrs():
    with pytest.raises(ValueError, match=r"tagger: vectors_attr 'ORTH' is not one of attrs \['NORM', "
                                         r"'PREFIX', 'SUFFIX', 'SHAPE'\]: add it to attrs"):
        begin(pipeline("ORTH", {**SMALL, "vectors_attr": "ORTH"}))
    with pytest.raises(ValueError, match="'vectors_attr' must be a string, got 3"):
        pipeline("ORTH", {**SMALL, "vectors_attr": 3})


def test_vectors_lookup_cfg_adds_a_lookup_only_column():
    assert vectors_lookup_cfg({}, "NORM") == {"vectors_attr": "NORM"}
    assert vectors_lookup_cfg({"embed_rows": [8, 4, 4, 4]}, "ORTH") == {
        "vectors_attr": "ORTH", "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "ORTH"], "embed_rows": [8, 4, 4, 4, 0]}
    assert vectors_lookup_cfg({"attrs": ["ORTH", "SHAPE"], "embed_rows": 9}, "ORTH") == {"vectors_attr": "ORTH"}


def test_pretraining_refuses_vectors_not_keyed_by_norm():
    table = Vectors(data=numpy.ones((1, 2), dtype="f"), keys=["Paris"], attr="ORTH")
    with pytest.raises(ValueError, match="looks vectors up by NORM, but these are keyed by ORTH"):
        make_objective("vectors", table)
    table.attr = None
    assert make_objective("vectors", table).name == "vectors"
