"""Smoke runs of the Python API on the real corpora: train for a bounded time, score dev.

Tasks (data under ../shared/data, read with nlp_gold's readers; trained with nlp_train.train,
which evaluates on dev with the averaged weights after each epoch and keeps model-best):
  ewt    tagger (+ parser with --components tagger,parser) on UD English EWT; tag_acc, uas, las
  conll  ner on CoNLL-2003; ents_f
  imdb   textcat on IMDB (exclusive pos/neg); textcat_acc

Targets from the issue: EWT dev tag_acc >= 93 and UAS >= 82; CoNLL dev ents_f >= 80; IMDB dev
accuracy >= 85.

Usage: OPENBLAS_NUM_THREADS=1 python bench/smoke_models.py imdb [--minutes 10]
           [--components tagger] [--architecture ensemble] [--ngram-size 2] [--limit N]
Writes bench/out/smoke_<task>.json (scores per epoch and the best) and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import nlp_models  # noqa: E402
from nlp_gold import Corpus  # noqa: E402
from nlp_train import train  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("NLP_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "out"

TASKS = {
    "ewt": {
        "train": "ud-en-ewt/ewt-train.conllu",
        "dev": "ud-en-ewt/ewt-dev.conllu",
        "components": ("tagger", "parser"),
        "keys": ("tag_acc", "pos_acc", "uas", "las", "sents_f"),
        "targets": {"tag_acc": 93.0, "uas": 82.0},
    },
    "conll": {
        "train": "conll2003/train.txt",
        "dev": "conll2003/dev.txt",
        "components": ("ner",),
        "keys": ("ents_p", "ents_r", "ents_f"),
        "targets": {"ents_f": 80.0},
    },
    "imdb": {
        "train": "imdb/train.jsonl",
        "dev": "imdb/dev.jsonl",
        "components": ("textcat",),
        "keys": ("textcat_acc", "textcat_macro_f", "textcat_macro_auc"),
        "targets": {"textcat_acc": 85.0},
    },
}


def build_pipeline(task: str, components: list[str], args: argparse.Namespace) -> nlp_models.Language:
    nlp = nlp_models.blank("en")
    for name in components:
        config: dict = {}
        if name == "textcat":
            config = {"architecture": args.architecture, "ngram_size": args.ngram_size,
                      "exclusive_classes": True}
        config.update(json.loads(args.config).get(name, {}))
        nlp.add_pipe(nlp.create_pipe(name, config))
    return nlp


def read_examples(task: str, split: str, nlp: nlp_models.Language, limit: int, n_sents: int = 1) -> list:
    """Examples of one split (shuffled with a fixed seed when limited: the files are sorted)."""
    spec = TASKS[task]
    path = DATA / spec[split]
    if not path.exists():
        sys.exit(f"{path}: corpus not found (set NLP_SHARED_DATA)")
    if task == "imdb":
        corpus = Corpus(path, labels=["pos", "neg"], make_doc=nlp.make_doc, limit=limit, shuffle=True)
    elif task == "conll":
        corpus = Corpus(path, format="columns", n_sents=n_sents, limit=limit, shuffle=bool(limit))
    else:
        corpus = Corpus(path, n_sents=n_sents, limit=limit, shuffle=bool(limit))
    return list(corpus(nlp.vocab))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--minutes", type=float, default=10.0, help="training time limit (default 10)")
    parser.add_argument("--components", default=None, help="comma-separated, e.g. tagger or tagger,parser")
    parser.add_argument("--architecture", default="ensemble", choices=["ensemble", "bow", "cnn"])
    parser.add_argument("--ngram-size", type=int, default=2)
    parser.add_argument("--config", default="{}", help='per-component cfg as JSON, e.g. {"tagger": {"width": 128}}')
    parser.add_argument("--n-sents", type=int, default=1, help="sentences per training doc (default 1)")
    parser.add_argument("--limit", type=int, default=0, help="train examples (0: all)")
    parser.add_argument("--dev-limit", type=int, default=0, help="dev examples (0: all)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-by", default="examples", choices=["examples", "words"])
    parser.add_argument("--batch-from", type=float, default=None)
    parser.add_argument("--batch-to", type=float, default=None)
    parser.add_argument("--batch-compound", type=float, default=None)
    parser.add_argument("--output", default=None, help="training output folder (default: a temp folder)")
    args = parser.parse_args()

    components = args.components.split(",") if args.components else list(TASKS[args.task]["components"])
    unknown = [c for c in components if c not in nlp_models.component_factories()]
    if unknown:
        sys.exit(f"components {unknown} are not available (factories: {nlp_models.component_factories()})")
    nlp = build_pipeline(args.task, components, args)
    start = time.perf_counter()
    train_examples = read_examples(args.task, "train", nlp, args.limit, args.n_sents)
    dev_examples = read_examples(args.task, "dev", nlp, args.dev_limit)
    read_seconds = time.perf_counter() - start
    print(f"{args.task}: {len(train_examples)} train / {len(dev_examples)} dev examples "
          f"read in {read_seconds:.1f}s; pipeline {nlp.pipe_names}", flush=True)
    optimizer = nlp.begin_training(lambda: train_examples)
    output = Path(args.output) if args.output else Path(tempfile.mkdtemp(prefix=f"smoke_{args.task}_"))
    options = {k: v for k, v in (("batch_from", args.batch_from), ("batch_to", args.batch_to),
                                 ("batch_compound", args.batch_compound)) if v is not None}
    result = train(nlp, train_examples, dev_examples, output, optimizer=optimizer,
                   n_epochs=args.epochs, max_minutes=args.minutes, save_every_epoch=False,
                   progress=False, batch_by=args.batch_by, **options)
    keys = TASKS[args.task]["keys"]
    history = [{"epoch": r["epoch"], "train_seconds": round(r["train_seconds"], 1),
                "train_wps": round(r["train_wps"]), "losses": r["losses"],
                **{k: r["scores"].get(k) for k in (*keys, "wps")}} for r in result.history]
    best = next((r for r in history if r["epoch"] == result.best_epoch), history[-1] if history else {})
    measured = {"tag_acc": "tagger", "uas": "parser", "ents_f": "ner", "textcat_acc": "textcat"}
    targets = {k: {"target": v, "reached": (best.get(k) or 0.0) >= v}
               for k, v in TASKS[args.task]["targets"].items()
               if measured[k] in components and best.get(k) is not None}
    report = {
        "task": args.task,
        "pipeline": nlp.pipe_names,
        "minutes": args.minutes,
        "n_train": len(train_examples),
        "n_dev": len(dev_examples),
        "textcat": {"architecture": args.architecture, "ngram_size": args.ngram_size}
        if "textcat" in components else None,
        "stopped_by": result.stopped_by,
        "best_epoch": result.best_epoch,
        "best": best,
        "targets": targets,
        "history": history,
        "model_best": str(output / "model-best"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "_" + "_".join(components) if args.components else ""
    out_file = OUT / f"smoke_{args.task}{suffix}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print(json.dumps({"best": best, "targets": targets}, indent=2))
    print(f"-> {out_file}")


if __name__ == "__main__":
    main()
