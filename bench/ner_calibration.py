"""Entity confidence on CoNLL-2003 dev: the greedy `ner` against `crf_ner` after the same number
of epochs, and how well crf_ner's scores are calibrated.

    python bench/ner_calibration.py OUT_DIR [--epochs 5] [--seed 0] [--factories ner,crf_ner]
    python bench/ner_calibration.py OUT_DIR --model MODEL_DIR   (a trained model instead)

Each factory trains on CoNLL-2003 train with the bench's loop and options (bench/ours_runner.py:
the efficiency preset's cfg, a compounding batch of 8 up to 64 sentences, dropout 0.2) for a fixed
number of epochs, and its dev F per epoch is logged (scored on the gold words, with the averaged
weights). For a factory that scores its entities (`span.score`), the final model's entities on
the second half of the dev sentences are binned by score: each bin's count and observed
precision (an entity is right when the gold has exactly that span with that label), and the
precision and recall of the entities at or above each threshold; twice, with the scores
uncalibrated (temperature 1) and calibrated on the first half (`nlp.calibrate`), so no table is
measured on the data its temperature was fitted on. With `--model` the tables are made for a
model trained elsewhere (e.g. a probe's model-final). Written to OUT_DIR/calibration.json and
printed as Markdown tables. Fixed epochs keep the figures meaningful on a busy machine; the
times are not measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from ours_runner import TRAIN_OPTIONS, build_pipeline, corpus  # noqa: E402
from tasks import TASKS  # noqa: E402

BINS = (0.0, 0.5, 0.7, 0.9, 0.97, 0.99, 1.0)
THRESHOLDS = (0.0, 0.5, 0.7, 0.9, 0.97, 0.99)


def train_factory(factory: str, out: Path, epochs: int, seed: int) -> dict:
    """Train `factory` alone on CoNLL; its dev F per epoch and, if it scores entities, the
    scored dev entities of the final model."""
    from thinc.api import fix_random_seed

    import nlp_models
    from nlp_train import train

    fix_random_seed(seed)
    task = replace(TASKS["conll"], pipeline=(factory,))
    nlp = nlp_models.blank(task.lang)
    build_pipeline(task, nlp, "efficiency")
    train_examples = list(corpus(task, "train", nlp)(nlp.vocab))
    dev_examples = list(corpus(task, "dev", nlp)(nlp.vocab))
    optimizer = nlp.begin_training(lambda: train_examples)
    result = train(nlp, train_examples, dev_examples, out / factory, optimizer=optimizer, seed=seed,
                   n_epochs=epochs, save_every_epoch=False, progress=False, **TRAIN_OPTIONS["conll"])
    record = {"factory": factory, "epochs": epochs, "seed": seed,
              "dev_f": [round(row["scores"]["ents_f"], 2) for row in result.history]}
    return {**record, **calibration_record(nlp_models.load(out / factory / "model-final"), dev_examples)}


def calibration_record(nlp, dev_examples: list) -> dict:
    """The reliability tables of `nlp`'s entity scores on the second half of the dev examples:
    "calibration" at temperature 1, "calibrated" at the temperature fitted on the first half
    ({} when the recognizer gives no scores)."""
    half = len(dev_examples) // 2
    fit_on, report_on = dev_examples[:half], dev_examples[half:]
    n_gold = sum(len(eg.reference.ents) for eg in report_on)
    uncalibrated = [name for name, proc in nlp.pipeline if "temperature" in getattr(proc, "cfg", {})]
    for name in uncalibrated:
        nlp.get_pipe(name).cfg["temperature"] = 1.0
    entities = scored_entities(nlp, report_on)
    if not entities:
        return {}
    record = {"calibration": calibration(entities, n_gold), "fitted": nlp.calibrate(fit_on)}
    record["calibrated"] = calibration(scored_entities(nlp, report_on), n_gold)
    return record


def scored_entities(nlp, examples) -> list[tuple[float, bool]]:
    """(score, right) of every entity `nlp` predicts on the examples' gold words; empty when its
    recognizer gives no scores."""
    docs = [eg.predicted.copy() for eg in examples]
    for doc in docs:
        doc.set_ents([], default="missing")
    out = []
    for doc, eg in zip(nlp.pipe(docs), examples):
        gold = {(e.start, e.end, e.label_) for e in eg.reference.ents}
        for ent in doc.ents:
            if ent.score is None:
                return []
            out.append((ent.score, (ent.start, ent.end, ent.label_) in gold))
    return out


def calibration(entities: list[tuple[float, bool]], n_gold: int) -> dict:
    """Per score bin: count, mean score, precision; per threshold: precision and recall."""
    bins = []
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [(s, ok) for s, ok in entities if lo <= s < hi or (hi == 1.0 and s == 1.0)]
        bins.append({"bin": f"[{lo:.2f}, {hi:.2f}{']' if hi == 1.0 else ')'}", "n": len(inside),
                     "mean_score": _mean([s for s, _ in inside]), "precision": _mean([ok for _, ok in inside])})
    thresholds = []
    for t in THRESHOLDS:
        kept = [ok for s, ok in entities if s >= t]
        thresholds.append({"threshold": t, "n": len(kept), "precision": _mean(kept),
                           "recall": round(100 * sum(kept) / max(1, n_gold), 2)})
    return {"bins": bins, "thresholds": thresholds}


def _mean(values) -> float | None:
    values = list(values)
    return round(100 * sum(values) / len(values), 2) if values else None


def markdown(records: list[dict]) -> str:
    lines = ["| factory | dev F per epoch |", "|---|---|"]
    lines += [f"| {r['factory']} | {' / '.join(map(str, r.get('dev_f', [])))} |" for r in records]
    for r in records:
        for key, what in (("calibration", "temperature 1"), ("calibrated", f"calibrated: {r.get('fitted')}")):
            if key in r:
                lines += tables(r[key], f"{r['factory']} (final model), second half of dev, {what}")
    return "\n".join(lines)


def tables(found: dict, title: str) -> list[str]:
    """The bins and thresholds of one `calibration` result as Markdown lines."""
    lines = ["", f"{title}, entities by score:", "",
             "| score | entities | mean score % | precision % |", "|---|---|---|---|"]
    lines += [f"| {b['bin']} | {b['n']} | {b['mean_score']} | {b['precision']} |" for b in found["bins"]]
    lines += ["", "| score >= | entities | precision % | recall % |", "|---|---|---|---|"]
    lines += [f"| {t['threshold']} | {t['n']} | {t['precision']} | {t['recall']} |" for t in found["thresholds"]]
    return lines


def trained_model_record(model: Path) -> dict:
    """The tables of a model trained elsewhere, on the CoNLL dev split."""
    import nlp_models

    nlp = nlp_models.load(model)
    dev_examples = list(corpus(TASKS["conll"], "dev", nlp)(nlp.vocab))
    return {"factory": str(model), **calibration_record(nlp, dev_examples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--factories", default="ner,crf_ner")
    parser.add_argument("--model", type=Path, help="a trained model's folder: its tables, no training")
    args = parser.parse_args()
    if args.model:
        records = [trained_model_record(args.model)]
    else:
        records = [train_factory(f, args.out, args.epochs, args.seed) for f in args.factories.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.json").write_text(json.dumps(records, indent=1), encoding="utf8")
    sys.stdout.write(markdown(records) + "\n")


if __name__ == "__main__":
    main()
