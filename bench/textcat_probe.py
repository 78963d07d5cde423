"""Text classifier probes on IMDB: dev accuracy after a fixed number of epochs.

    python bench/textcat_probe.py NAME EPOCHS '{"architecture": "nb_bow", "ngram_size": 3, ...}'

The JSON is the textcat cfg (a "preset" in it fills in the rest, as in `nlp train`; "seed"
sets the seed, default 0); the classes exclude each other, as in the bench. The corpus, the
loop and its options are the bench's (bench/ours_runner.py: train 20k, dev 5k, shuffled each
epoch). Probes compare model choices by what they learn in the same number of epochs, so they
stay meaningful on a busy machine; their times are not measurements.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from ours_runner import TASK_CONFIG, TRAIN_OPTIONS, corpus  # noqa: E402
from tasks import TASKS  # noqa: E402


def main(name: str, epochs: int, spec: dict) -> None:
    from thinc.api import fix_random_seed

    import nlp_models
    from nlp_train import train

    spec = dict(spec)
    seed = int(spec.pop("seed", 0))
    fix_random_seed(seed)
    task = TASKS["imdb"]
    nlp = nlp_models.blank(task.lang)
    nlp.add_pipe(nlp.create_pipe("textcat", {**TASK_CONFIG["textcat"], **spec}))
    train_examples = list(corpus(task, "train", nlp)(nlp.vocab))
    dev_examples = list(corpus(task, "dev", nlp)(nlp.vocab))
    start = time.time()
    optimizer = nlp.begin_training(lambda: train_examples)
    result = train(nlp, train_examples, dev_examples, Path("bench/out/probes/imdb") / name, optimizer=optimizer,
                   seed=seed, n_epochs=epochs, save_every_epoch=False, progress=False,
                   **TRAIN_OPTIONS["imdb"])
    for row in result.history:
        print("imdb", name, row["epoch"], json.dumps({"textcat_acc": round(row["scores"]["textcat_acc"], 2)}),
              flush=True)
    print("imdb", name, "seconds", round(time.time() - start))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
