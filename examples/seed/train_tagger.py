#!/usr/bin/env python
"""Train a part-of-speech tagger with a custom tag map on a blank pipeline: each tag of our own
scheme maps to a Universal Dependencies coarse tag, so tokens get both `tag_` and `pos_`. Then
tag a new sentence, save the pipeline, load it back and tag it again. spaCy v2.1's
examples/training/train_tagger.py, with our names.

    python train_tagger.py -l en -n 25 -o /tmp/tagger_model

Prints the losses after each pass, then (output of a trained model):

    Tags [('We', 'N', 'NOUN'), ('eat', 'V', 'VERB'), ('fresh', 'J', 'ADJ'), ('apples', 'N', 'NOUN')]
"""

from pathlib import Path

import plac
from _common import N_ITER, OUTPUT_DIR, finish, start, train

# Our tags, each mapped to a Universal Dependencies part of speech.
TAG_MAP = {"N": {"pos": "NOUN"}, "V": {"pos": "VERB"}, "J": {"pos": "ADJ"}}
TRAIN_DATA = [
    ("We eat red apples", {"tags": ["N", "V", "J", "N"]}),
    ("Buy fresh bread", {"tags": ["V", "J", "N"]}),
]
TEST_TEXT = "We eat fresh apples"


def show(nlp) -> None:
    print("Tags", [(t.text, t.tag_, t.pos_) for t in nlp(TEST_TEXT)])


@plac.annotations(
    lang=("ISO Code of language to use", "option", "l", str),
    output_dir=OUTPUT_DIR,
    n_iter=N_ITER,
)
def main(lang: str = "en", output_dir: Path | None = None, n_iter: int = 25) -> None:
    nlp = start(None, lang)
    tagger = nlp.create_pipe("tagger")
    for tag, values in TAG_MAP.items():  # the tag and its Universal Dependencies mapping
        tagger.add_label(tag, values)
    nlp.add_pipe(tagger)
    optimizer = nlp.begin_training()
    train(nlp, TRAIN_DATA, n_iter, sgd=optimizer)
    finish(nlp, show, output_dir)


if __name__ == "__main__":
    plac.call(main)
