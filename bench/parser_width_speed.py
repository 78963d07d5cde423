"""Rough annotation speed of the accuracy tagger and parser by the parser's state-layer width.

    python bench/parser_width_speed.py [WIDTH[xPIECES] ...]     (default: 128 256; 3 pieces)

Each width's pipeline (the accuracy preset's shared tok2vec, no vectors; the parser's state layer
WIDTH wide with PIECES maxout pieces) is initialised and updated once on 300 EWT train sentences, then annotates
the dev split's raw text (`ours_runner.time_pipe`: batch 256, best of 3). The widths are built
twice, alternating, in one process, so the ratio between them is what to read: the parsers are
barely trained, and the bench (`run.py`) measures trained models against spaCy.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from ours_runner import corpus  # noqa: E402
from probe_epochs import build  # noqa: E402
from tasks import TASKS, n_words, raw_texts, read_reference, time_pipe  # noqa: E402

TRAIN_SENTENCES = 300


def words_per_second(layer: str, texts: list[str], words: int) -> float:
    """Annotation words/s of a tagger and parser whose state layer is `layer` ("256" or "256x2")."""
    from nlp_models.presets import ACCURACY
    from nlp_train import minibatch

    task = TASKS["ewt"]
    width, _, pieces = layer.partition("x")
    parser = {"hidden_width": int(width), "maxout_pieces": int(pieces or 3)}
    nlp = build("ewt", {"shared": dict(ACCURACY.tok2vec), "own": {"parser": parser}})
    train = list(corpus(task, "train", nlp, TRAIN_SENTENCES)(nlp.vocab))
    optimizer = nlp.begin_training(lambda: train)
    for batch in minibatch(train, size=16):
        nlp.update(batch, sgd=optimizer, drop=0.2)
    return words / min(time_pipe(nlp, texts))


def main(widths: list[str]) -> dict[str, list[int]]:
    references = read_reference(TASKS["ewt"], "dev")
    texts, words = raw_texts(references), n_words(references)
    speeds: dict[str, list[int]] = {}
    for width in widths + widths:
        speeds.setdefault(width, []).append(round(words_per_second(width, texts, words)))
        print(width, speeds[width][-1], flush=True)
    print(json.dumps(speeds))
    return speeds


if __name__ == "__main__":
    main(sys.argv[1:] or ["128", "256"])
