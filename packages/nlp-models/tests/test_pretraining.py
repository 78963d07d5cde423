"""The pretraining pipeline (nlp_models.pretraining.Pretrainer) and its objectives
(nlp_models.ml.pretrain): trained by nlp_train's own loop, model-best chosen on the held-out
loss, saved and loaded exactly, the weights fitting a tok2vec of the same sizes."""

import numpy
import pytest
from thinc.api import fix_random_seed

import nlp_train
from nlp_models import blank
from nlp_models.ml import (
    CharactersObjective,
    VectorsObjective,
    featurize_docs,
    featurize_for,
    make_objective,
    mask_tokens,
    pretrain_loss,
)
from nlp_models.pretraining import (
    CONFIG_FILE,
    TOK2VEC_FILE,
    Pretrainer,
    build_pretrain_tok2vec,
)
from nlp_vocab.vectors import Vectors

SIZES = {"width": 16, "depth": 1, "embed_rows": 100}
WORDS = "the boat found a small green lamp in the quiet garden".split()
TEXTS = [" ".join(WORDS[i:] + WORDS[:i]) for i in range(len(WORDS))]


def docs_of(nlp, texts=TEXTS):
    return [nlp.make_doc(text) for text in texts]


def pretrainer(objective=None, docs=None, seed=0, mask_rate=0.0, **sizes):
    fix_random_seed(seed)
    nlp = blank("en")
    tok2vec, _ = build_pretrain_tok2vec(**{**SIZES, **sizes})
    made = Pretrainer(tok2vec, objective or CharactersObjective(n_characters=2, hidden_width=32),
                      mask_rate=mask_rate)
    made.initialize(docs or docs_of(nlp))
    return made, nlp


def weights(model):
    return model.to_bytes()


def test_is_a_trainable_pipeline_of_one_component():
    made, _ = pretrainer()
    assert isinstance(made, nlp_train.TrainablePipeline)
    assert made.pipe_names == ["pretrain"]
    (info,) = made.component_info()
    assert info.name == "pretrain" and info.loss_header == "Loss"
    assert [w.keys for w in info.score_weights] == [("pretrain_score",)]


def test_updates_lower_the_loss_and_evaluate_changes_nothing():
    made, nlp = pretrainer()
    docs = docs_of(nlp)
    optimizer = nlp_train.create_optimizer()
    before = made.evaluate(docs)
    assert set(before) == {"pretrain_loss", "pretrain_score", "wps"}
    assert before["pretrain_score"] == -before["pretrain_loss"] < 0
    for _ in range(30):
        losses = made.update(docs, drop=0.1, sgd=optimizer, losses={})
        assert losses["pretrain"] > 0
    snapshot = weights(made.model)
    after = made.evaluate(docs)
    assert weights(made.model) == snapshot  # no side effect on the weights
    assert after["pretrain_loss"] < 0.8 * before["pretrain_loss"]
    with pytest.raises(ValueError, match="drop"):
        made.update(docs, drop=1.0, sgd=optimizer, losses={})


def test_vectors_objective_scores_only_words_with_a_vector():
    nlp = blank("en")
    rng = numpy.random.default_rng(0)
    nlp.vocab.vectors = Vectors(data=rng.normal(size=(3, 5)).astype("f"), keys=["boat", "lamp", "garden"])
    objective = make_objective("vectors", nlp.vocab.vectors, "L2")
    assert isinstance(objective, VectorsObjective) and objective.cfg["vector_width"] == 5
    made, _ = pretrainer(objective, docs_of(nlp))
    assert made.evaluate(docs_of(nlp, ["the small quiet a"]))["pretrain_loss"] == 0.0
    with_vectors = docs_of(nlp, ["the boat and the lamp"])
    assert made.evaluate(with_vectors)["pretrain_loss"] > 0.0


def test_pretrain_loss_splits_the_gradient_per_doc():
    made, nlp = pretrainer()
    docs = docs_of(nlp, TEXTS[:3] + ["lamp"])
    features = featurize_docs(docs)
    outputs = made.model.predict(features)
    grads, loss = pretrain_loss(made.objective, docs, features, outputs, made.model.ops)
    assert [g.shape for g in grads] == [o.shape for o in outputs] and loss > 0
    alone = pretrain_loss(made.objective, docs[3:], features[3:], outputs[3:], made.model.ops)
    numpy.testing.assert_allclose(alone[0][0], grads[3], rtol=1e-5)


def test_mask_tokens_hides_every_feature_of_the_drawn_tokens():
    nlp = blank("en")
    docs = docs_of(nlp) * 20
    features = featurize_docs(docs, char_len=4)
    kept = [f.copy() for f in features]
    masked, weights = mask_tokens(features, 0.25, numpy.random.RandomState(3))
    hidden = weights.astype(bool)
    assert len(weights) == sum(len(doc) for doc in docs) and 0.2 < hidden.mean() < 0.3
    joined, original = numpy.concatenate(masked), numpy.concatenate(kept)
    assert (joined[hidden] == 0).all() and (joined[~hidden] == original[~hidden]).all()
    assert all((a == b).all() for a, b in zip(features, kept))  # the input is left as it was
    with pytest.raises(ValueError, match="between 0 and 1"):
        mask_tokens(features, 1.0, numpy.random.RandomState(3))


def test_masked_objective_is_scored_on_the_hidden_words_alone_and_learns():
    made, nlp = pretrainer(mask_rate=0.3, chars=8, char_len=4)
    docs = docs_of(nlp) * 4
    features = featurize_for(made.tok2vec, docs)
    inputs, weights = mask_tokens(features, 0.3, numpy.random.RandomState(0))
    outputs = made.model.predict(inputs)
    grads, loss = pretrain_loss(made.objective, docs, features, outputs, made.model.ops, weights)
    rows = numpy.concatenate(grads)
    assert loss > 0 and weights.sum() > 0
    assert (rows[weights == 0] == 0).all() and (numpy.abs(rows[weights == 1]).sum(axis=1) > 0).all()
    before = made.evaluate(docs)
    assert made.evaluate(docs)["pretrain_loss"] == before["pretrain_loss"]  # the same words are hidden
    optimizer = nlp_train.create_optimizer()
    for _ in range(20):
        made.update(docs, drop=0.0, sgd=optimizer, losses={})
    assert made.evaluate(docs)["pretrain_loss"] < before["pretrain_loss"]
    with pytest.raises(ValueError, match="mask_rate"):
        Pretrainer(made.tok2vec, made.objective, mask_rate=1.0)


def test_make_objective_errors():
    with pytest.raises(ValueError, match="unknown pretraining objective 'shapes'"):
        make_objective("shapes")
    with pytest.raises(ValueError, match="needs static vectors"):
        make_objective("vectors", None)
    with pytest.raises(ValueError, match="needs static vectors"):
        make_objective("vectors", Vectors(shape=(0, 3)))
    table = make_objective("vectors", Vectors(data=numpy.ones((1, 2), "f"), keys=["a"])).table
    with pytest.raises(ValueError, match="loss must be one of"):
        VectorsObjective(table, loss="L1")


def test_to_disk_from_disk_round_trip(tmp_path):
    made, nlp = pretrainer()
    made.update(docs_of(nlp), drop=0.0, sgd=nlp_train.create_optimizer(), losses={})
    made.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / TOK2VEC_FILE).read_bytes() == made.tok2vec.to_bytes()
    other, _ = pretrainer(seed=5)
    assert weights(other.model) != weights(made.model)
    other.from_disk(tmp_path / "p")
    assert weights(other.model) == weights(made.model)
    wrong, _ = pretrainer(CharactersObjective(n_characters=3, hidden_width=32))
    with pytest.raises(ValueError, match=CONFIG_FILE):
        wrong.from_disk(tmp_path / "p")


def test_nlp_train_trains_it_and_keeps_the_best_held_out_epoch(tmp_path):
    made, nlp = pretrainer()
    docs = docs_of(nlp)
    result = nlp_train.train(made, docs[2:], docs[:2], tmp_path, n_epochs=3, batch_by="words", batch_from=20,
                             batch_to=20, quiet=True)
    history = result.history
    assert [r["epoch"] for r in history] == [1, 2, 3] and all(r["losses"]["pretrain"] > 0 for r in history)
    assert all(r["score"] == r["scores"]["pretrain_score"] for r in history)  # the info's score weights
    best = max(history, key=lambda r: r["scores"]["pretrain_score"])
    assert result.best_epoch == best["epoch"]
    saved = (tmp_path / "model-best" / TOK2VEC_FILE).read_bytes()
    assert saved == (tmp_path / f"model{best['epoch']}" / TOK2VEC_FILE).read_bytes()
    fitting, _ = build_pretrain_tok2vec(**SIZES)
    fitting.initialize(X=featurize_docs(docs[:2]))
    assert fitting.from_bytes(saved).to_bytes() == saved


def test_default_sizes_are_the_components():
    _, sizes = build_pretrain_tok2vec()
    tok2vec, small = build_pretrain_tok2vec(width=24, depth=2, embed_rows=50)
    assert (small["width"], small["depth"], small["embed_rows"]) == (24, 2, 50)
    assert tok2vec.get_dim("nO") == 24 and sizes["width"] == 96 and sizes["depth"] == 4
