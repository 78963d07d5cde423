"""The benchmark tasks: which corpora, which components, which score decides.

Both systems' runners import this, so they read the same splits, score with the same scorer
(nlp_gold.Scorer) and pick their best checkpoint by the same main score.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("NLP_SHARED_DATA", ROOT.parent / "shared" / "data"))


@dataclass(frozen=True)
class Task:
    """One benchmark: `pipeline` names our components, `spacy_pipeline` spaCy's where they
    differ; `raw_text` tasks are also scored on the dev split's raw text (CoNLL 2018)."""

    name: str
    pipeline: tuple[str, ...]
    train: str
    dev: str
    fmt: str
    main_keys: tuple[str, ...]  # the main score is their mean
    lang: str = "en"
    spacy_pipeline: tuple[str, ...] | None = None
    raw_text: bool = False
    # Model selection during training scores every k-th dev document, the same ones for both
    # systems (a large dev split scored a dozen times by a slow pipeline would take hours); the
    # reported dev scores come from the annotate phase, on the whole split.
    selection_stride: int = 1
    # Inference speed is timed on every k-th dev document (best of 3 passes); the dev scores
    # still come from one pass over the whole split.
    speed_stride: int = 1

    def selection(self, dev: list) -> list:
        """The dev documents that model selection scores during training."""
        return dev[:: self.selection_stride]

    def path(self, split: str) -> Path:
        return DATA / (self.train if split == "train" else self.dev)

    @property
    def spacy_components(self) -> tuple[str, ...]:
        """The components spaCy's config gets (its factory names for the same jobs)."""
        return self.spacy_pipeline or self.pipeline

    def has(self, component: str) -> bool:
        """Whether our pipeline for the task includes `component`."""
        return component in self.pipeline


TASKS = {
    "ewt": Task("ewt", ("tagger", "parser"), "ud-en-ewt/ewt-train.conllu", "ud-en-ewt/ewt-dev.conllu",
                "conllu", ("tag_acc", "las")),
    "conll": Task("conll", ("ner",), "conll2003/train.txt", "conll2003/dev.txt", "columns", ("ents_f",)),
    "imdb": Task("imdb", ("textcat",), "imdb/train.jsonl", "imdb/dev.jsonl", "jsonl", ("textcat_acc",),
                 selection_stride=25,  # 200 reviews: spaCy's accuracy classifier took 2 min per 1,000
                 speed_stride=5),  # 1,000 reviews: 3 passes over all 5,000 took spaCy's over 15 min
}

# The Universal Dependencies tasks of issue #17: every CoNLL-U column. Ours runs a tagger (XPOS),
# the morphologizer (UPOS + FEATS), the edit-tree lemmatizer and the parser; spaCy the same jobs
# under its own factory names.
UD_PIPELINE = ("tagger", "morphologizer", "lemmatizer", "parser")
UD_SPACY_PIPELINE = ("tagger", "morphologizer", "trainable_lemmatizer", "parser")
UD_MAIN_KEYS = ("pos_acc", "morph_acc", "lemma_acc", "las")
TASKS["ud-ewt"] = Task("ud-ewt", UD_PIPELINE, "ud-en-ewt/ewt-train.conllu", "ud-en-ewt/ewt-dev.conllu",
                       "conllu", UD_MAIN_KEYS, spacy_pipeline=UD_SPACY_PIPELINE, raw_text=True)
TASKS["ud-fi"] = Task("ud-fi", UD_PIPELINE, "ud-fi-tdt/fi-train.conllu", "ud-fi-tdt/fi-dev.conllu",
                      "conllu", UD_MAIN_KEYS, lang="fi", spacy_pipeline=UD_SPACY_PIPELINE)

# The flat scores each evaluation of a learning curve keeps (the runners' train.json logs).
SCORE_KEYS = ("token_acc", "tag_acc", "pos_acc", "morph_acc", "ufeats_acc", "lemma_acc", "uas", "las", "sents_f",
              "ents_p", "ents_r", "ents_f", "textcat_acc", "textcat_macro_f")


def logged_scores(scores: dict) -> dict:
    """The SCORE_KEYS of one evaluation's scores (per-label tables and confusions left out)."""
    return {key: scores[key] for key in SCORE_KEYS if key in scores}


def main_score(task: Task, scores: dict) -> float:
    """The mean of the task's main metrics (percentages); 0 for a metric that is absent."""
    return sum(float(scores.get(key) or 0.0) for key in task.main_keys) / len(task.main_keys)


def read_reference(task: Task, split: str) -> list[dict]:
    """The split as nlp_gold annotation dicts, one sentence (or review) per item."""
    from nlp_gold import read_annotations

    return list(read_annotations(task.path(split)))


def raw_texts(annotations: list[dict]) -> list[str]:
    """The raw text of each item, as an annotator would get it."""
    texts = []
    for annot in annotations:
        if annot.get("text"):
            texts.append(annot["text"])
        else:
            words, spaces = annot["words"], annot.get("spaces") or [True] * len(annot["words"])
            texts.append("".join(w + (" " if s else "") for w, s in zip(words, spaces)).strip())
    return texts


def n_words(annotations: list[dict]) -> int:
    """Gold words (or whitespace tokens for raw-text items): the common numerator of words/sec."""
    total = 0
    for annot in annotations:
        total += len(annot["words"]) if annot.get("words") else len(annot.get("text", "").split())
    return total


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def inference_speed(nlp, task: Task, references: list[dict]) -> dict:
    """Words/sec of `nlp.pipe` on the raw text of the task's speed sample of `references`, with
    each pass's seconds and the words timed: the annotate record's speed fields."""
    timed = references[:: task.speed_stride]
    timings = time_pipe(nlp, raw_texts(timed))
    words = n_words(timed)
    return {"wps": words / min(timings), "timings": timings, "timed_words": words}


def time_pipe(nlp, texts: list[str], repeats: int = 3) -> list[float]:
    """Seconds of each of `repeats` passes of `nlp.pipe(texts, batch_size=256)` (single process)."""
    import time

    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=256):
            pass
        timings.append(time.perf_counter() - start)
    return timings


# Each system's runner script (bench/), spaCy's first: the order run.py trains them in.
RUNNER_SCRIPTS = {"spacy": "spacy_runner.py", "ours": "ours_runner.py"}


def runner_main(doc: str, train, annotate, load, presets: Sequence[str] = (), pretrained: bool = False) -> None:
    """The command line both runners share: `train TASK OUT [--minutes M] [--seed S] [--vectors DIR]`,
    `annotate TASK OUT`, and `speed TASK OUT` (the annotate phase's speed record of OUT's
    model-best, read with `load`, printed as one JSON line: speed_rounds.py's timing); with
    `presets` (the first is the default), `train` takes `--preset NAME` too, passed on as
    `preset=`. `--vectors` (a model folder of `nlp init-vectors`) goes on as `vectors=`; with
    `pretrained`, `--init-tok2vec FILE` (weights of `nlp pretrain`) as `init_tok2vec=`."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("command", choices=["train", "annotate", "speed"])
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("out", type=Path)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vectors", type=Path, default=None,
                        help="static vectors: a model folder written by `nlp init-vectors`")
    if presets:
        parser.add_argument("--preset", choices=list(presets), default=presets[0])
    if pretrained:
        parser.add_argument("--init-tok2vec", type=Path, default=None,
                            help="start the shared tok2vec from these weights (model{i}.bin of `nlp pretrain`)")
    args = parser.parse_args()
    task = TASKS[args.task]
    if args.command == "train":
        if args.vectors is not None and not (args.vectors / "meta.json").is_file():
            parser.error(f"--vectors {args.vectors}: not a model folder (no meta.json); make one with "
                         "`nlp init-vectors`")
        train(task, args.out, args.minutes, args.seed, vectors=args.vectors,
              **({"preset": args.preset} if presets else {}),
              **({"init_tok2vec": args.init_tok2vec} if pretrained else {}))
    elif args.command == "speed":
        print(json.dumps(inference_speed(load(args.out), task, read_reference(task, "dev"))))
    else:
        annotate(task, args.out)


def write_train_record(out: Path, system: str, version: str, task: Task, log: list[dict],
                       seconds: float, words: int) -> None:
    """train.json, the same schema for both runners: the per-evaluation log and the totals."""
    write_json(out / "train.json", {
        "system": system, "version": version, "task": task.name, "log": log,
        "train_seconds": seconds, "train_words": words, "train_wps": words / max(seconds, 1e-9),
        "best": max(log, key=lambda row: row["score"]) if log else None, "peak_rss_mb": peak_rss_mb(),
    })


def write_json(path: Path, data: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2))
