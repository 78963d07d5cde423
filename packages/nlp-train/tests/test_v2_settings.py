"""spaCy v2's settings under our names: its environment variables as aliases of ours, v2's
optimizer attribute names, and a warning for an NLP_* variable nothing reads."""

import logging
import re
import warnings
from pathlib import Path

import pytest
from nlp_train_standin import build, make_corpus

from nlp_train import (
    SETTINGS,
    RecipeOptimizer,
    check_environment,
    create_optimizer,
    get_batches,
    train,
)
from nlp_train.checkpoint import optimizer_from_bytes, optimizer_to_bytes

#: v2's variable -> (our setting, the optimizer attribute it sets, a value to set).
V2_OPTIMIZER = {
    "learn_rate": ("learn_rate", "learn_rate", 0.002),
    "optimizer_B1": ("beta1", "b1", 0.8),
    "optimizer_B2": ("beta2", "b2", 0.99),
    "optimizer_eps": ("eps", "eps", 1e-6),
    "L2_penalty": ("L2", "L2", 1e-4),
    "grad_norm_clip": ("grad_clip", "grad_clip", 5.0),
}
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def info_log(caplog):
    caplog.set_level(logging.INFO, logger="nlp_train")
    return caplog


def train_once(tmp_path, monkeypatch, variables):
    """One epoch of the loop on the stand-in pipeline with `variables` in os.environ."""
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    nlp = build(0)
    train(nlp, make_corpus(40, 1), make_corpus(10, 2), tmp_path / "out", n_epochs=1, quiet=True)
    return nlp


# ---- environment variables ---------------------------------------------------------------------


@pytest.mark.parametrize("form", ["bare", "SPACY_name", "SPACY_NAME"])
@pytest.mark.parametrize("v2_name", sorted(V2_OPTIMIZER))
def test_v2_optimizer_variables_set_the_optimizer_and_are_logged(v2_name, form, info_log):
    setting, attr, value = V2_OPTIMIZER[v2_name]
    var = {"bare": v2_name, "SPACY_name": f"SPACY_{v2_name}",
           "SPACY_NAME": f"SPACY_{v2_name.upper()}"}[form]
    opt = create_optimizer(env={var: str(value)})
    assert getattr(opt, attr) == value
    assert info_log.messages == [f"{setting}={value:g} (from {var})"]


def test_every_v2_variable_is_an_alias():
    assert {s.v2 for s in SETTINGS.values()} == {
        *V2_OPTIMIZER, "dropout_from", "dropout_to", "dropout_decay",
        "batch_from", "batch_to", "batch_compound"}
    assert SETTINGS["L2"].aliases == ("SPACY_L2_PENALTY", "SPACY_L2_penalty", "L2_penalty")


def test_our_variable_wins_and_the_ignored_aliases_are_named(info_log):
    env = {"NLP_LEARN_RATE": "0.005", "SPACY_learn_rate": "0.002", "learn_rate": "0.003"}
    assert create_optimizer(env=env).learn_rate == 0.005
    assert info_log.messages == [
        "learn_rate=0.005 (from NLP_LEARN_RATE; SPACY_learn_rate, learn_rate ignored)"]


def test_spacy_prefix_wins_over_the_bare_name_as_in_v2(info_log):
    env = {"SPACY_grad_norm_clip": "3", "grad_norm_clip": "7"}
    assert create_optimizer(env=env).grad_clip == 3.0
    assert info_log.messages == ["grad_clip=3 (from SPACY_grad_norm_clip; grad_norm_clip ignored)"]


def test_our_variables_alone_and_arguments_log_nothing(info_log):
    assert create_optimizer(env={"NLP_L2": "0"}).L2 == 0.0
    assert create_optimizer(0.01, env={"learn_rate": "0.5"}).learn_rate == 0.01
    assert info_log.messages == []


def test_v2_batch_variables_set_the_batch_schedule():
    env = {"batch_from": "4", "SPACY_BATCH_TO": "6", "SPACY_batch_compound": "1.5"}
    sizes = [len(b) for b in get_batches(list(range(30)), "tagger", env=env)]
    assert sizes == [4, 6, 6, 6, 6, 2]


def test_v2_dropout_variables_set_the_loop_schedule(tmp_path, monkeypatch, info_log):
    nlp = train_once(tmp_path, monkeypatch, {"dropout_from": "0.3", "SPACY_DROPOUT_TO": "0.3",
                                             "batch_to": "8", "batch_from": "8"})
    assert nlp.calls["update"] == 5 and set(nlp.drops) == {0.3}
    assert "dropout_from=0.3 (from dropout_from)" in info_log.messages
    assert "dropout_to=0.3 (from SPACY_DROPOUT_TO)" in info_log.messages


def test_a_bad_alias_value_is_an_error_naming_the_alias(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="variable SPACY_learn_rate='fast' is not a number"):
        create_optimizer(env={"SPACY_learn_rate": "fast"})
    with pytest.raises(ValueError, match=r"variable dropout_to='1.5' is out of range: must be in \[0, 1\)"):
        train_once(tmp_path, monkeypatch, {"dropout_to": "1.5"})


# ---- unknown NLP_* variables -------------------------------------------------------------------


# Each unknown (variable, value) is warned about once a process: the values below are used by no
# other test.


def test_an_unknown_nlp_variable_warns_with_the_closest_name():
    with pytest.warns(UserWarning, match=r"^environment variable NLP_LEARNRATE is not one nlp reads "
                                         r"\(did you mean NLP_LEARN_RATE\?\)$"):
        opt = create_optimizer(env={"NLP_LEARNRATE": "0.1"})
    assert opt.learn_rate == 0.001  # the misspelt variable is ignored, but not silently
    with pytest.warns(UserWarning, match="NLP_ZZZ is not one nlp reads .see nlp_train.SETTINGS"):
        assert check_environment({"NLP_ZZZ": "1", "NLP_BATCH_TO": "4"}) == ["NLP_ZZZ"]


def test_a_run_warns_once_though_each_entry_point_checks(tmp_path, monkeypatch):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")  # no help from Python's once-per-location filter
        train_once(tmp_path, monkeypatch, {"NLP_DROPOUT_FORM": "0.3"})  # optimizer, batches, loop
        assert check_environment() == ["NLP_DROPOUT_FORM"]  # still unknown, not warned again
    messages = [str(w.message) for w in record if "NLP_DROPOUT_FORM" in str(w.message)]
    assert messages == ["environment variable NLP_DROPOUT_FORM is not one nlp reads "
                        "(did you mean NLP_DROPOUT_FROM?)"]


def test_variables_the_toolkit_reads_elsewhere_do_not_warn():
    env = {"NLP_DEBUG": "1", "NLP_SHARED_DATA": "/data", "NLP_CPU_BLAS": "numpy",
           "NLP_BENCH_SHARED_TOK2VEC": "0", "SPACY_learn_rate": "0.002", "OTHER": "x"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_environment(env) == []


def test_every_nlp_variable_named_in_the_repository_is_known():
    """A variable read anywhere in our code (or documented) must not be reported as unknown."""
    if not (REPO / "packages").is_dir():
        pytest.skip("not run from the monorepo")
    sources = [p for top in ("packages", "bench", "examples", "tests") for p in (REPO / top).rglob("*.py")
               if ".venv" not in p.parts and "build" not in p.parts]
    sources += [*REPO.glob("*.py"), *REPO.glob("*.md"), *(REPO / "packages").rglob("README.md")]
    named = {m for p in sources for m in re.findall(r"\bNLP_[A-Z0-9_]*[A-Z0-9]\b", p.read_text())}
    named -= {"NLP_ZZZ", "NLP_LEARNRATE", "NLP_DROPOUT_FORM"}  # this file's misspellings
    assert len(named) >= 15
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_environment(dict.fromkeys(named, "1")) == []


# ---- v2's optimizer attribute names ------------------------------------------------------------


def test_optimizer_answers_to_v2_attribute_names():
    opt = create_optimizer(env={})
    assert isinstance(opt, RecipeOptimizer)
    assert (opt.alpha, opt.max_grad_norm, opt.b1, opt.b2, opt.L2, opt.eps) == \
        (0.001, 1.0, 0.9, 0.999, 1e-6, 1e-8)
    opt.alpha = 0.02
    opt.max_grad_norm = 3.0
    opt.b1, opt.L2 = 0.5, 0.0
    assert (opt.learn_rate, opt.grad_clip, opt.b1, opt.L2) == (0.02, 3.0, 0.5, 0.0)
    with pytest.raises(AttributeError):
        opt.alhpa = 0.1  # thinc's slots still catch a misspelt attribute


def test_v2_names_survive_a_checkpoint_round_trip():
    opt = create_optimizer(env={})
    opt.alpha, opt.max_grad_norm = 0.004, 2.5
    fresh = optimizer_from_bytes(create_optimizer(env={}), optimizer_to_bytes(opt, None, 0), None, "x")
    assert (fresh.alpha, fresh.max_grad_norm, fresh.learn_rate) == (0.004, 2.5, 0.004)
