"""Every random state training reads is saved in the checkpoint and restored on resume: python's,
numpy's, the shuffling's, the pipeline's own generators (through ``random_states()``), and a
GPU's generator reseeded per epoch."""

import json
import random
import sys
from types import SimpleNamespace

import numpy
import pytest
from nlp_train_standin import ToyPipeline, build, make_corpus

from nlp_train import train
from nlp_train.randomness import capture_random, restore_random, seed_device

TRAIN = make_corpus(40, 1)
DEV = make_corpus(10, 2)
OPTIONS = {"batch_from": 4, "batch_to": 4, "dropout_from": 0.3, "dropout_to": 0.1,
           "dropout_decay": 0.01, "quiet": True}


class ExploringPipeline(ToyPipeline):
    """The stand-in with a generator of its own, as the parser's exploration: each update's
    dropout rate is scaled by a draw from it."""

    def __init__(self) -> None:
        super().__init__()
        self.rng = numpy.random.default_rng(7)

    def update(self, examples, *, drop, sgd, losses):
        super().update(examples, drop=drop * float(self.rng.random()), sgd=sgd, losses=losses)

    def random_states(self):
        return {"tagger": json.dumps(self.rng.bit_generator.state)}

    def set_random_states(self, states):
        if set(states) != {"tagger"}:
            raise ValueError(f"no generator for {sorted(set(states) - {'tagger'})}")
        self.rng.bit_generator.state = json.loads(states["tagger"])


class ForgetfulPipeline(ExploringPipeline):
    """Saves its generator's state but does not restore it."""

    def set_random_states(self, states):
        pass


def build_with(cls):
    build(0)  # seeds the initial weights
    return cls()


def resumed_weights(tmp_path, cls):
    """(weights after 4 epochs, after 2 epochs + resume to 4, checkpoint files of both)."""
    whole = build_with(cls)
    train(whole, TRAIN, DEV, tmp_path / "whole", n_epochs=4, **OPTIONS)
    train(build_with(cls), TRAIN, DEV, tmp_path / "parts", n_epochs=2, **OPTIONS)
    parts = build_with(cls)  # other model ids than the first half's
    train(parts, TRAIN, DEV, tmp_path / "parts", n_epochs=4, resume=True, **OPTIONS)
    saved = [(tmp_path / run / "checkpoint" / "optimizer.msgpack").read_bytes() for run in ("whole", "parts")]
    return whole.weights(), parts.weights(), saved


def test_resume_restores_the_pipelines_own_generator(tmp_path):
    whole, parts, (whole_opt, parts_opt) = resumed_weights(tmp_path / "restored", ExploringPipeline)
    assert parts == whole
    assert parts_opt == whole_opt  # saved by parameter position, not by the process's model ids
    whole, parts, _ = resumed_weights(tmp_path / "forgotten", ForgetfulPipeline)
    assert parts != whole


def test_capture_and_restore_repeat_every_draw():
    shuffle = random.Random(3)
    pipeline = ExploringPipeline()
    states = capture_random(shuffle, pipeline)

    def draws():
        return (random.random(), numpy.random.uniform(), shuffle.random(), pipeline.rng.random())

    first = draws()
    assert draws() != first
    restore_random(states, shuffle, pipeline)
    assert draws() == first


def test_states_that_do_not_fit_name_the_checkpoint():
    states = capture_random(random.Random(0), ExploringPipeline())
    with pytest.raises(ValueError, match=r"^ck/state.msgpack: random states saved for components "
                                         r"\['tagger'\], but the pipeline has no set_random_states"):
        restore_random(states, random.Random(0), ToyPipeline(), "ck/state.msgpack")
    states["pipeline"] = {"parser": "{}"}
    with pytest.raises(ValueError, match=r"^ck/state.msgpack: no generator for \['parser'\]"):
        restore_random(states, random.Random(0), ExploringPipeline(), "ck/state.msgpack")


def test_seed_device_reseeds_cupy_by_seed_and_epoch(monkeypatch):
    seeds = []
    fake = SimpleNamespace(random=SimpleNamespace(seed=seeds.append))
    seed_device(0, 1)  # no cupy loaded: nothing to do
    monkeypatch.setitem(sys.modules, "cupy", fake)
    for seed, epoch in ((0, 1), (0, 1), (0, 2), (1, 1)):
        seed_device(seed, epoch)
    assert seeds[0] == seeds[1] and len(set(seeds)) == 3
