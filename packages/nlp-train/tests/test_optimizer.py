import numpy
import pytest
from thinc.api import Linear, Optimizer

from nlp_train import SETTINGS, create_optimizer


def test_recipe_defaults():
    opt = create_optimizer(env={})
    assert isinstance(opt, Optimizer)
    assert (opt.learn_rate, opt.b1, opt.b2, opt.eps) == (0.001, 0.9, 0.999, 1e-8)
    assert (opt.L2, opt.grad_clip) == (1e-6, 1.0)
    assert opt.averages == {} and opt.L2_is_weight_decay is False and opt.use_radam is False


def test_environment_overrides_defaults_and_arguments_override_both():
    env = {"NLP_LEARN_RATE": "0.005", "NLP_L2": "0", "NLP_GRAD_CLIP": "5",
           "NLP_BETA1": "0.8", "NLP_BETA2": "0.99", "NLP_EPS": "1e-6"}
    opt = create_optimizer(env=env)
    assert (opt.learn_rate, opt.L2, opt.grad_clip, opt.b1, opt.b2, opt.eps) == \
        (0.005, 0.0, 5.0, 0.8, 0.99, 1e-6)
    opt = create_optimizer(0.02, L2=1e-4, beta1=0.5, env=env)
    assert (opt.learn_rate, opt.L2, opt.b1, opt.b2) == (0.02, 1e-4, 0.5, 0.99)


def test_os_environ_is_read_by_default(monkeypatch):
    monkeypatch.setenv("NLP_LEARN_RATE", "0.003")
    assert create_optimizer().learn_rate == 0.003


@pytest.mark.parametrize("var,value,message", [
    ("NLP_LEARN_RATE", "fast", "NLP_LEARN_RATE='fast' is not a number"),
    ("NLP_LEARN_RATE", "-1", "NLP_LEARN_RATE='-1' is out of range"),
    ("NLP_BETA1", "1.0", r"NLP_BETA1='1.0' is out of range: must be in \(0, 1\)"),
    ("NLP_BETA2", "nan", "NLP_BETA2='nan' is out of range"),
    ("NLP_L2", "-0.1", "NLP_L2='-0.1' is out of range"),
    ("NLP_GRAD_CLIP", "1,0", "NLP_GRAD_CLIP='1,0' is not a number"),
])
def test_bad_environment_values_name_the_variable(var, value, message):
    with pytest.raises(ValueError, match=message):
        create_optimizer(env={var: value})


def test_bad_argument_is_named():
    with pytest.raises(ValueError, match="argument grad_clip is out of range"):
        create_optimizer(grad_clip=-1, env={})


def test_every_documented_variable_is_a_setting():
    names = {s.env for s in SETTINGS.values()}
    for var in ("NLP_LEARN_RATE", "NLP_L2", "NLP_GRAD_CLIP", "NLP_BETA1", "NLP_BETA2",
                "NLP_DROPOUT_FROM", "NLP_DROPOUT_TO", "NLP_DROPOUT_DECAY", "NLP_BATCH_FROM",
                "NLP_BATCH_TO", "NLP_BATCH_COMPOUND"):
        assert var in names


def test_learn_rate_schedule_steps():
    opt = create_optimizer(iter([0.1, 0.05, 0.01]), env={})
    assert opt.learn_rate == 0.1
    opt.step_schedules()
    assert opt.learn_rate == 0.05


def test_averages_work_with_use_params():
    model = Linear(2, 3).initialize(X=numpy.zeros((4, 3), dtype="f"))
    opt = create_optimizer(0.1, env={})
    X = numpy.ones((4, 3), dtype="f")
    for _ in range(5):
        Y, backprop = model.begin_update(X)
        backprop(Y - 1.0)
        model.finish_update(opt)
    key = (model.id, "W")
    assert set(opt.averages) == {(model.id, "W"), (model.id, "b")}
    current = model.get_param("W").copy()
    assert not numpy.array_equal(current, opt.averages[key])
    with model.use_params(opt.averages):
        numpy.testing.assert_array_equal(model.get_param("W"), opt.averages[key])
    numpy.testing.assert_array_equal(model.get_param("W"), current)
