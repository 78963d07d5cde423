"""Model-choice probes: dev scores after a fixed number of epochs (not a time budget).

    python bench/probe_epochs.py TASK NAME EPOCHS '{"shared": {...}, "own": {...}, "parser": "..."}'

TASK is one of the bench's (bench/tasks.py): `ewt` (tagger + a parser), `ud-ewt`/`ud-fi` (tagger,
morphologizer, lemmatizer, parser), `conll` (ner), `imdb` (textcat). Every component listens to
one shared `tok2vec` built with the JSON's "shared" cfg (default depth 2), except those whose
"own" cfg says `"own": true` and bags of words; the key of a component's name names its factory
("parser": `parser` or `biaffine_parser`, "ner": `ner` or `crf_ner`); "vectors" names a model
folder from `nlp init-vectors`, whose static vectors the shared tok2vec reads (cfg
`pretrained_vectors`; so do components with a tok2vec of their own); "init_tok2vec" names
tok2vec weights from `nlp pretrain` (a model{i}.bin built with the same settings as "shared"),
loaded into the shared tok2vec before the first update. The corpora and loop options are the
bench's (bench/ours_runner.py); "limit" reads only the first N documents of each split (smoke
tests); "train" overrides the bench's loop options (e.g. {"dropout_from": 0.3, "dropout_to": 0.3});
"optimizer" replaces the recipe's optimizer with `nlp_train.create_optimizer(**its cfg)` (e.g.
{"L2": 0.01, "L2_is_weight_decay": true}), where "learn_rate_half_life": N halves the learning rate
every N updates.
The scores per epoch go to bench/out/probes/TASK/NAME/probe.json, or to the folder
"out" names (bench/ablation.py reads them).
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

from ours_runner import TASK_CONFIG, TRAIN_OPTIONS, corpus, reads_vectors, start_model  # noqa: E402
from tasks import TASKS  # noqa: E402

KEYS = ("tag_acc", "pos_acc", "morph_acc", "ufeats_acc", "lemma_acc", "uas", "las", "ents_f", "textcat_acc")
PROBES = Path(__file__).resolve().parent / "out" / "probes"


def factory_cfgs(task: str, spec: dict) -> dict[str, dict]:
    """The factory and cfg of each component of the task's pipeline: a spec key of the
    component's name renames its factory ("parser": "biaffine_parser", "ner": "crf_ner"); it
    reads the shared tok2vec unless its "own" cfg says `"own": true` or it cannot (a bag of
    words), and then reads the static vectors itself where it has the option."""
    from nlp_models.presets import can_share

    cfgs = {}
    for name in TASKS[task].pipeline:
        factory = spec.get(name, name)
        cfg = {**TASK_CONFIG.get(name, {}), **spec.get("own", {}).get(factory, {})}
        if not cfg.pop("own", False) and can_share(factory, cfg):
            cfg["tok2vec"] = "tok2vec"
        elif spec.get("vectors") and reads_vectors(factory):
            cfg.setdefault("pretrained_vectors", True)
        cfgs[factory] = cfg
    return cfgs


def build(task: str, spec: dict):
    """The probe's pipeline: the shared tok2vec (if a component reads it), then the components."""
    shared = dict(spec.get("shared", {"depth": 2}))
    nlp = start_model(TASKS[task], Path(spec["vectors"]) if spec.get("vectors") else None)
    if spec.get("vectors"):
        shared["pretrained_vectors"] = True
    cfgs = factory_cfgs(task, spec)
    if any(cfg.get("tok2vec") for cfg in cfgs.values()):
        nlp.add_pipe(nlp.create_pipe("tok2vec", shared))
    for factory, cfg in cfgs.items():
        nlp.add_pipe(nlp.create_pipe(factory, cfg))
    return nlp


def probe_optimizer(cfg: dict):
    """The optimizer of a spec's "optimizer" cfg (see the module docstring)."""
    from nlp_train import compounding, create_optimizer
    from nlp_train.settings import resolve

    half_life = cfg.pop("learn_rate_half_life", None)
    if half_life:  # the recipe's (or NLP_LEARN_RATE's) rate, times 0.5 ** (1 / half_life) an update
        cfg["learn_rate"] = compounding(resolve("learn_rate", cfg.pop("learn_rate", None)), 0.0, 0.5 ** (1 / half_life))
    return create_optimizer(**cfg)


def main(task: str, name: str, epochs: int, spec: dict) -> list[dict]:
    """Train the probe, print its dev scores per epoch and write them to PROBES/TASK/NAME/probe.json;
    returns them (one dict of KEYS per epoch)."""
    from thinc.api import fix_random_seed

    from nlp_train import train

    seed = int(spec.get("seed", 0))
    fix_random_seed(seed)
    nlp = build(task, spec)
    limit = int(spec.get("limit", 0))
    train_examples = list(corpus(TASKS[task], "train", nlp, limit)(nlp.vocab))
    dev_examples = list(corpus(TASKS[task], "dev", nlp, limit)(nlp.vocab))
    optimizer = nlp.begin_training(lambda: train_examples)
    if spec.get("optimizer"):
        optimizer = probe_optimizer(dict(spec["optimizer"]))
    if spec.get("init_tok2vec"):
        nlp.get_pipe("tok2vec").model.from_bytes(Path(spec["init_tok2vec"]).read_bytes())
    start = time.time()
    out = Path(spec["out"]) if spec.get("out") else PROBES / task / name
    result = train(nlp, train_examples, dev_examples, out, optimizer=optimizer, seed=seed, n_epochs=epochs,
                   save_every_epoch=False, progress=False, quiet=True,
                   **{**TRAIN_OPTIONS[task], **spec.get("train", {})})
    history = [{key: round(row["scores"][key], 2) for key in KEYS if key in row["scores"]}
               for row in result.history]
    for row, scores in zip(result.history, history):
        print(task, name, row["epoch"], json.dumps(scores), flush=True)
    print(task, name, "seconds", round(time.time() - start))
    record = {"task": task, "name": name, "epochs": epochs, "spec": spec, "history": history}
    (out / "probe.json").write_text(json.dumps(record, indent=2), encoding="utf8")
    return history


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]))
