"""spaCy v2's training names on the pipeline: `ner.move_names` / `parser.move_names`, the
optimizer's v2 attributes, and `rehearse` refused until `resume_training` took its snapshot."""

import numpy
import pytest
from thinc.api import fix_random_seed

from nlp_models import blank

SMALL = {"width": 32, "depth": 1, "embed_rows": 500, "hidden_width": 32}
TRAIN = [
    ("Ada Moss flew to Oslo", {"entities": [(0, 8, "PERSON"), (17, 21, "GPE")]}),
    ("Ben lives in Perth", {"entities": [(0, 3, "PERSON"), (13, 18, "GPE")]}),
]


def ner_pipeline():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("ner", SMALL))
    return nlp


def weights(nlp):
    model = nlp.get_pipe("ner").model
    return [numpy.array(node.get_param(n)).copy() for node in model.walk() for n in node.param_names]


def test_ner_move_names_are_its_actions_as_in_v2():
    nlp = ner_pipeline()
    ner = nlp.get_pipe("ner")
    ner.add_label("ORG")
    assert ner.move_names == ["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG"]
    nlp.begin_training(lambda: TRAIN)
    assert {"B-PERSON", "L-GPE", "U-ORG"} <= set(ner.move_names)
    ner.add_label("ANIMAL")  # v2's train_new_entity_type: a new type after training began
    assert ner.move_names[-4:] == ["B-ANIMAL", "I-ANIMAL", "L-ANIMAL", "U-ANIMAL"]
    assert len(ner.move_names) == ner.n_actions == 1 + 4 * len(ner.labels)
    copy = blank("en").from_bytes(nlp.to_bytes()).get_pipe("ner")
    assert copy.move_names == ner.move_names


def test_parser_move_names_name_its_arcs():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("parser", SMALL))
    parser = nlp.get_pipe("parser")
    parser.add_label("nsubj")
    assert {"L-nsubj", "R-nsubj"} <= set(parser.move_names)
    assert len(parser.move_names) == parser.n_actions


def test_language_optimizers_answer_to_v2_attribute_names():
    nlp = ner_pipeline()
    optimizer = nlp.begin_training(lambda: TRAIN)
    assert (optimizer.alpha, optimizer.max_grad_norm, optimizer.b1, optimizer.b2, optimizer.L2) == \
        (0.001, 1.0, 0.9, 0.999, 1e-6)
    optimizer.alpha = 0.01  # v2 code tunes the learning rate so
    assert nlp.resume_training(sgd=optimizer).learn_rate == 0.01


def test_rehearse_before_resume_training_is_an_error():
    nlp = ner_pipeline()
    optimizer = nlp.begin_training(lambda: TRAIN)
    before = weights(nlp)
    message = r"^rehearse: no component has a snapshot .*: call nlp.resume_training\(\) before rehearse$"
    with pytest.raises(ValueError, match=message):
        nlp.rehearse(["Cleo flew to Quito"], sgd=optimizer)
    with pytest.raises(ValueError, match=message):
        nlp.rehearse([])  # the call order is wrong whatever the batch
    assert all(numpy.array_equal(a, b) for a, b in zip(before, weights(nlp)))
    nlp.resume_training(sgd=optimizer)
    losses = nlp.rehearse(["Cleo flew to Quito"], sgd=optimizer)
    assert losses["ner"] == pytest.approx(0.0, abs=1e-8)  # the snapshot equals the weights
