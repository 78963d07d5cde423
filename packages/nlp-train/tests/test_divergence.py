"""A run whose loss or weights become nan stops with one clear error and keeps the last good model."""

import itertools
import warnings

import numpy
import pytest
from nlp_train_standin import ToyPipeline, build, make_corpus

from nlp_train import TrainingDiverged, create_optimizer, train

TRAIN = make_corpus(40, 1)  # 10 batches of 4 an epoch
DEV = make_corpus(10, 2)
FAST = {"batch_from": 4, "batch_to": 4, "dropout_from": 0.2, "dropout_to": 0.1, "dropout_decay": 0.01}


def blow_up_after(n_steps):
    """An optimizer whose learning rate jumps to 1e38 after `n_steps` updates: real divergence."""
    return create_optimizer(itertools.chain(itertools.repeat(0.001, n_steps), itertools.repeat(1e38)))


def run(out, nlp=None, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warnings on the way to nan
        return train(build(0) if nlp is None else nlp, TRAIN, DEV, out, quiet=True,
                     **{**FAST, "n_epochs": 3, **options})


def all_finite(nlp):
    return all(numpy.isfinite(node.get_param(name)).all()
               for node in nlp.tagger.model.walk() for name in node.param_names)


def test_nan_loss_stops_the_run_and_keeps_the_last_good_model(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(TrainingDiverged) as info:
        run(out, optimizer=blow_up_after(10))  # epoch 1 trains normally, epoch 2 explodes
    message = str(info.value)
    assert message.startswith("training diverged: the tagger loss became nan at batch 2 in epoch 2;")
    assert f"the last good model is {out / 'model-best'} (epoch 1)" in message
    assert "\n" not in message and info.value.epoch == 2 and info.value.last_good == out / "model-best"
    # the plot is there only with the optional matplotlib (test_loop checks it)
    assert sorted(p.name for p in out.iterdir() if p.name != "training-scores.png") == [
        "checkpoint", "model-best", "model1", "training-log.jsonl"]
    assert (out / "model-best" / "tagger.bin").read_bytes() == (out / "model1" / "tagger.bin").read_bytes()
    best = ToyPipeline().from_disk(out / "model-best")
    assert all_finite(best) and best.evaluate(DEV)["tag_acc"] > 0
    calm = create_optimizer(itertools.repeat(0.001))
    resumed = run(out, resume=True, optimizer=calm)  # the checkpoint of epoch 1 is intact: go on
    assert resumed.epochs == 3 and (out / "model-final").is_dir()


def test_divergence_in_the_first_epoch_saves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(TrainingDiverged, match="in epoch 1; .*no epoch had finished, so no model was saved"):
        run(out, optimizer=blow_up_after(0))
    assert sorted(p.name for p in out.iterdir()) == ["training-log.jsonl"]


class NanGradientAt(ToyPipeline):
    """Its `at`-th update gets a nan gradient: that batch's loss is fine, the weights after it
    are not."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def update(self, examples, *, drop, sgd, losses):
        if self.calls["update"] + 1 == self.at:
            real = sgd

            def sgd(key, param, grad):
                return real(key, param, grad * numpy.float32("nan"))

        return super().update(examples, drop=drop, sgd=sgd, losses=losses)


def test_nan_weights_after_the_last_update_of_an_epoch_are_not_saved(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(TrainingDiverged, match="a weight became nan or inf in epoch 2; "
                                               r".*model-best \(epoch 1\)"):
        run(out, nlp=NanGradientAt(20))  # the last batch of epoch 2
    assert not (out / "model2").exists() and not (out / "model-final").exists()
    assert all_finite(ToyPipeline().from_disk(out / "model-best"))


def test_nan_weights_are_not_saved_without_parameter_averaging(tmp_path):
    out = tmp_path / "out"
    plain = create_optimizer(itertools.repeat(0.001), use_averages=False)
    with pytest.raises(TrainingDiverged, match="a weight became nan or inf in epoch 2; "):
        run(out, nlp=NanGradientAt(20), optimizer=plain)  # the current weights are what is saved
    assert not (out / "model2").exists() and not (out / "model-final").exists()
    assert all_finite(ToyPipeline().from_disk(out / "model-best"))
