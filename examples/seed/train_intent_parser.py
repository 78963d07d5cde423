#!/usr/bin/env python
"""Train the parser to predict trees of meaning rather than syntax: the intents of chat messages
looking for local businesses, with the relations ROOT, PLACE, QUALITY, ATTRIBUTE, TIME and
LOCATION, and "-" for the words that take part in none. Then parse new messages, save the
pipeline, load it back and parse them again. spaCy v2.1's
examples/training/train_intent_parser.py, with our names.

    python train_intent_parser.py -n 15 -o /tmp/intent_model

Prints the losses after each pass, then for each test message its text and its relations
(output of a trained model):

    find a hotel with good wifi
    [('find', 'ROOT', 'find'), ('hotel', 'PLACE', 'find'), ('good', 'QUALITY', 'wifi'), ('wifi', 'ATTRIBUTE', 'hotel')]
    show me the cheapest bar open now
    [('show', 'ROOT', 'show'), ('cheapest', 'QUALITY', 'bar'), ('bar', 'PLACE', 'show'), ('now', 'TIME', 'open')]
    find a cafe near the station
    [('find', 'ROOT', 'find'), ('cafe', 'PLACE', 'find'), ('station', 'LOCATION', 'cafe')]
"""

from pathlib import Path

import plac
from _common import MODEL, N_ITER, OUTPUT_DIR, finish, pipe_of, start, train_alone

# Each word's head (the index of the word it attaches to) and its relation to the head.
TRAIN_DATA = [
    ("find a cafe with great wifi", {
        "heads": [0, 2, 0, 5, 5, 2],
        "deps": ["ROOT", "-", "PLACE", "-", "QUALITY", "ATTRIBUTE"],
    }),
    ("find a hotel near the beach", {
        "heads": [0, 2, 0, 5, 5, 2],
        "deps": ["ROOT", "-", "PLACE", "-", "-", "LOCATION"],
    }),
    ("show me the cheapest bar open tonight", {
        "heads": [0, 0, 4, 4, 0, 4, 5],
        "deps": ["ROOT", "-", "-", "QUALITY", "PLACE", "-", "TIME"],
    }),
    ("is there a gym with cheap prices near work", {
        "heads": [0, 0, 3, 0, 6, 6, 3, 8, 3],
        "deps": ["ROOT", "-", "-", "PLACE", "-", "QUALITY", "ATTRIBUTE", "-", "LOCATION"],
    }),
    ("where is a quiet bar open now", {
        "heads": [0, 0, 4, 4, 0, 4, 5],
        "deps": ["ROOT", "-", "-", "QUALITY", "PLACE", "-", "TIME"],
    }),
]
TEST_TEXTS = ["find a hotel with good wifi", "show me the cheapest bar open now", "find a cafe near the station"]


def show(nlp) -> None:
    for doc in nlp.pipe(TEST_TEXTS):
        print(doc.text)
        print([(t.text, t.dep_, t.head.text) for t in doc if t.dep_ != "-"])


@plac.annotations(model=MODEL, output_dir=OUTPUT_DIR, n_iter=N_ITER)
def main(model: str | None = None, output_dir: Path | None = None, n_iter: int = 15) -> None:
    nlp = start(model)
    pipe_of(nlp, "parser", first=True)
    # The relations as labels ("-" too: it is learned like the others).
    train_alone(nlp, "parser", TRAIN_DATA, n_iter, labels="deps")
    finish(nlp, show, output_dir)


if __name__ == "__main__":
    plac.call(main)
