"""Model-choice probes: dev scores after a fixed number of epochs (not a time budget).

    python bench/probe_epochs.py TASK NAME EPOCHS '{"shared": {...}, "own": {...}, "parser": "..."}'

TASK is `ewt` (tagger + a parser) or `ud-ewt`/`ud-fi` (tagger, morphologizer, lemmatizer,
parser). Every component listens to one shared `tok2vec` built with the JSON's "shared" cfg
(default depth 2), except those whose "own" cfg says `"own": true`; "parser" names the parser
factory (`parser` or `biaffine_parser`). The loop options are the bench's (bench/ours_runner.py).
Probes compare model choices by what they learn in the same number of epochs, so they stay
meaningful on a busy machine; their times are not measurements (the bench's are).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPLITS = {"ewt": ("ud-en-ewt/ewt-train.conllu", "ud-en-ewt/ewt-dev.conllu", "en", 1),
          "ud-ewt": ("ud-en-ewt/ewt-train.conllu", "ud-en-ewt/ewt-dev.conllu", "en", 10),
          "ud-fi": ("ud-fi-tdt/fi-train.conllu", "ud-fi-tdt/fi-dev.conllu", "fi", 10)}
KEYS = ("tag_acc", "pos_acc", "morph_acc", "lemma_acc", "uas", "las")


def build(task: str, spec: dict):
    import nlp_models

    nlp = nlp_models.blank(SPLITS[task][2])
    nlp.add_pipe(nlp.create_pipe("tok2vec", dict(spec.get("shared", {"depth": 2}))))
    parser = spec.get("parser", "parser")
    factories = ("tagger", parser) if task == "ewt" else ("tagger", "morphologizer", "lemmatizer", parser)
    for factory in factories:
        cfg = dict(spec.get("own", {}).get(factory, {}))
        if not cfg.pop("own", False):
            cfg["tok2vec"] = "tok2vec"
        nlp.add_pipe(nlp.create_pipe(factory, cfg))
    return nlp


def main(task: str, name: str, epochs: int, spec: dict) -> None:
    from thinc.api import fix_random_seed

    from nlp_gold import Corpus
    from nlp_train import train

    seed = int(spec.get("seed", 0))
    fix_random_seed(seed)
    nlp = build(task, spec)
    train_path, dev_path, _, n_sents = SPLITS[task]
    train_examples = list(Corpus(DATA / train_path, n_sents=n_sents)(nlp.vocab))
    dev_examples = list(Corpus(DATA / dev_path, n_sents=1)(nlp.vocab))
    optimizer = nlp.begin_training(lambda: train_examples)
    batch = {"batch_from": 4, "batch_to": 32} if n_sents == 1 else {"batch_from": 1, "batch_to": 4}
    start = time.time()
    result = train(nlp, train_examples, dev_examples, Path("bench/out/probes") / task / name, optimizer=optimizer,
                   seed=seed, n_epochs=epochs, save_every_epoch=False, progress=False, quiet=True,
                   dropout_from=0.2, dropout_to=0.2, **batch)
    for row in result.history:
        scores = {key: round(row["scores"][key], 2) for key in KEYS if key in row["scores"]}
        print(task, name, row["epoch"], json.dumps(scores), flush=True)
    print(task, name, "seconds", round(time.time() - start))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]))
