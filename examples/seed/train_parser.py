#!/usr/bin/env python
"""Train the dependency parser, from a blank English pipeline or in place of a saved pipeline's
parser, on a few sentences given as heads (the index of each word's head) and dependency
labels; then parse a new sentence, save the pipeline, load it back and parse it again. spaCy
v2.1's examples/training/train_parser.py, with our names.

    python train_parser.py -n 15 -o /tmp/parser_model

Prints the losses after each pass, then (output of a trained model):

    Dependencies [('I', 'nsubj', 'like'), ('like', 'ROOT', 'like'), ('bread', 'dobj', 'like'), ('.', 'punct', 'like')]
"""

from pathlib import Path

import plac
from _common import MODEL, N_ITER, OUTPUT_DIR, finish, start, train_alone

TRAIN_DATA = [
    ("They buy fresh bread.", {
        "heads": [1, 1, 3, 1, 1],
        "deps": ["nsubj", "ROOT", "amod", "dobj", "punct"],
    }),
    ("I like Paris and Rome.", {
        "heads": [1, 1, 1, 2, 2, 1],
        "deps": ["nsubj", "ROOT", "dobj", "cc", "conj", "punct"],
    }),
]
TEST_TEXT = "I like bread."


def show(nlp) -> None:
    print("Dependencies", [(t.text, t.dep_, t.head.text) for t in nlp(TEST_TEXT)])


@plac.annotations(model=MODEL, output_dir=OUTPUT_DIR, n_iter=N_ITER)
def main(model: str | None = None, output_dir: Path | None = None, n_iter: int = 15) -> None:
    nlp = start(model)
    if "parser" in nlp.pipe_names:  # a new parser replaces the saved one
        nlp.remove_pipe("parser")
    nlp.add_pipe(nlp.create_pipe("parser"), first=True)
    train_alone(nlp, "parser", TRAIN_DATA, n_iter, labels="deps")  # the labels: every dep given
    finish(nlp, show, output_dir)


if __name__ == "__main__":
    plac.call(main)
