#!/usr/bin/env python
"""Train the entity recognizer, from a blank English pipeline or on top of a saved one, on a
few sentences with character-offset entities; then show what it finds in them, save it, load
it back and show the same. spaCy v2.1's examples/training/train_ner.py, with our names.

    python train_ner.py -n 30 -o /tmp/ner_model
    python train_ner.py -m /tmp/ner_model -n 5      # keep training a saved pipeline

Prints the losses after each pass, then for each training text (output of a trained model):

    Entities [('Ada Lovelace', 'PERSON')]
    Tokens [('Who', '', 2), ('is', '', 2), ('Ada', 'PERSON', 3), ('Lovelace', 'PERSON', 1), ('?', '', 2)]
    Entities [('Paris', 'LOC'), ('Rome', 'LOC')]
    Tokens [('I', '', 2), ('like', '', 2), ('Paris', 'LOC', 3), ('and', '', 2), ('Rome', 'LOC', 3), ('.', '', 2)]

(ent_iob: 3 begins an entity, 1 is inside one, 2 is outside.)
"""

from pathlib import Path

import plac
from _common import MODEL, N_ITER, OUTPUT_DIR, finish, pipe_of, start, train_alone

TRAIN_DATA = [
    ("Who is Ada Lovelace?", {"entities": [(7, 19, "PERSON")]}),
    ("I like Paris and Rome.", {"entities": [(7, 12, "LOC"), (17, 21, "LOC")]}),
]


def show(nlp) -> None:
    """The entities and the tokens' entity annotation of every training text."""
    for text, _ in TRAIN_DATA:
        doc = nlp(text)
        print("Entities", [(ent.text, ent.label_) for ent in doc.ents])
        print("Tokens", [(t.text, t.ent_type_, t.ent_iob) for t in doc])


@plac.annotations(model=MODEL, output_dir=OUTPUT_DIR, n_iter=N_ITER)
def main(model: str | None = None, output_dir: Path | None = None, n_iter: int = 100) -> None:
    nlp = start(model)
    pipe_of(nlp, "ner", last=True)
    # The entity types as labels; a new model begins training, a saved one goes on.
    train_alone(nlp, "ner", TRAIN_DATA, n_iter, labels="entities", begin=model is None, drop=0.5)
    finish(nlp, show, output_dir)


if __name__ == "__main__":
    plac.call(main)
