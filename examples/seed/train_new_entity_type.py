#!/usr/bin/env python
"""Teach the entity recognizer a new entity type, ANIMAL, from a handful of sentences, starting
from a blank English pipeline or a saved one; then show what it finds in a new sentence, save
the pipeline under a new name, load it back and show the same. spaCy v2.1's
examples/training/train_new_entity_type.py, with our names.

    python train_new_entity_type.py -n 30 -o /tmp/animal_model
    python train_new_entity_type.py -m /tmp/animal_model -nm zoo -n 5

Prints the losses after each pass, then (output of a trained model):

    Entities in 'Do you like otters?'
    ANIMAL otters

With a saved pipeline, mix in sentences of the entity types it already knows, or it may forget
them while it learns the new one (the guide's "catastrophic forgetting").
"""

from pathlib import Path

import plac
from _common import MODEL, N_ITER, OUTPUT_DIR, others, pipe_of, save_and_reload, start, train

from nlp_train import compounding

LABEL = "ANIMAL"
TRAIN_DATA = [
    ("Otters are playful and they hold hands while they sleep", {"entities": [(0, 6, LABEL)]}),
    ("Do they swim?", {"entities": []}),
    ("otters are playful and they hold hands while they sleep", {"entities": [(0, 6, LABEL)]}),
    ("otters hold hands while they sleep", {"entities": [(0, 6, LABEL)]}),
    ("they hold hands while they sleep, those otters", {"entities": [(40, 46, LABEL)]}),
    ("otters?", {"entities": [(0, 6, LABEL)]}),
]
TEST_TEXT = "Do you like otters?"


def show(nlp) -> None:
    print(f"Entities in '{TEST_TEXT}'")
    for ent in nlp(TEST_TEXT).ents:
        print(ent.label_, ent.text)


@plac.annotations(
    model=MODEL,
    new_model_name=("New model name for model meta.", "option", "nm", str),
    output_dir=OUTPUT_DIR,
    n_iter=N_ITER,
)
def main(model: str | None = None, new_model_name: str = "animal", output_dir: Path | None = None,
         n_iter: int = 30) -> None:
    nlp = start(model)
    ner = pipe_of(nlp, "ner")
    ner.add_label(LABEL)
    if model is None:
        optimizer = nlp.begin_training()
    else:
        optimizer = nlp.resume_training()  # keeps the weights the saved pipeline learned
    move_names = list(ner.move_names)
    with nlp.disable_pipes(*others(nlp, "ner")):  # train only the entity recognizer
        train(nlp, TRAIN_DATA, n_iter, sgd=optimizer, drop=0.35, sizes=compounding(1.0, 4.0, 1.001))
    show(nlp)
    if output_dir is not None:
        nlp.meta["name"] = new_model_name
        nlp2 = save_and_reload(nlp, output_dir)
        assert nlp2.get_pipe("ner").move_names == move_names  # the same actions, in the same order
        show(nlp2)


if __name__ == "__main__":
    plac.call(main)
