"""`tok2vec_settings`: the settings a tok2vec was built with, read off its layers, the same from
a live model and from its saved bytes (what lets `nlp train -t2v` name what does not fit)."""

import numpy
import pytest
import srsly
from thinc.api import fix_random_seed

import nlp_models
from nlp_models.ml import VectorTable, build_hash_embed_cnn_tok2vec, featurize_for, tok2vec_settings


def layers(model) -> list:
    return [(node.name, {k: node.get_dim(k) if node.has_dim(k) else None for k in node.dim_names})
            for node in model.walk()]


def saved_layers(model) -> list:
    return [(node["name"], node["dims"]) for node in srsly.msgpack_loads(model.to_bytes())["nodes"]]


@pytest.mark.parametrize(("options", "expected"), [
    ({}, {"width": 96, "depth": 4, "encoder": "cnn", "embed_rows": [5000, 2500, 2500, 2500], "chars": 0,
          "char_len": 0, "char_dim": 0, "char_edges": False, "char_window": 0, "pieces": 3, "vectors": 0}),
    ({"width": 64, "depth": 2, "rows": [300, 200, 200, 100], "chars": 24, "char_len": 8, "char_dim": 16,
      "encoder": "bilstm", "pieces": 2},
     {"width": 64, "depth": 2, "encoder": "bilstm", "embed_rows": [300, 200, 200, 100], "chars": 24,
      "char_len": 8, "char_dim": 16, "char_edges": False, "char_window": 3, "pieces": 2, "vectors": 0}),
    ({"width": 32, "depth": 1, "rows": 50, "chars": 16, "char_len": 6, "char_dim": 8, "char_edges": True,
      "char_window": 5},
     {"width": 32, "depth": 1, "encoder": "cnn", "embed_rows": [50] * 4, "chars": 16, "char_len": 6,
      "char_dim": 8, "char_edges": True, "char_window": 5, "pieces": 3, "vectors": 0}),
    ({"width": 32, "depth": 1, "rows": 50, "dropout": 0.1, "vectors": "table"},
     {"width": 32, "depth": 1, "encoder": "cnn", "embed_rows": [50] * 4, "chars": 0, "char_len": 0,
      "char_dim": 0, "char_edges": False, "char_window": 0, "pieces": 3, "vectors": 3}),
    ({"width": 16, "depth": 0, "rows": 40},
     {"width": 16, "depth": 0, "encoder": "cnn", "embed_rows": [40] * 4, "chars": 0, "char_len": 0,
      "char_dim": 0, "char_edges": False, "char_window": 0, "pieces": 3, "vectors": 0}),
])
def test_settings_of_a_live_model_and_of_its_bytes(options, expected):
    fix_random_seed(0)
    if options.get("vectors") == "table":
        table = VectorTable(numpy.zeros((2, 3), dtype="float32"), {1: 0, 2: 1})
        options = {**options, "vectors": table}
    model = build_hash_embed_cnn_tok2vec(**options)
    model.initialize(X=featurize_for(model, [nlp_models.blank("en").make_doc("A small test text .")]))
    assert tok2vec_settings(layers(model)) == expected
    assert tok2vec_settings(saved_layers(model)) == expected


def test_no_layers_no_settings():
    assert tok2vec_settings([]) == {}
