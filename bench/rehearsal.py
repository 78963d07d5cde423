"""Catastrophic forgetting with and without pseudo-rehearsal, and a full CoNLL-2003 NER run.

1. Train an EntityRecognizer on the first half of CoNLL-2003 train (PER/ORG/LOC/MISC) for a
   bounded time; score it on dev.
2. A new label: in the second half of train, MISC entities that name a nationality or group
   (single-token MISC entities whose word ends like a demonym: -an, -ian, -ese, -ish, -i, -ch;
   e.g. German, Iraqi, Chinese, British, Dutch) become "NORP". 200 sentences holding such an
   entity are the update set; there every other entity is marked missing ("-"), so they only
   teach NORP (and "O" for plain words). Dev gets the same relabelling.
3. Two copies of the trained model are updated on those 200 sentences for a fixed number of
   epochs: one plain, one that after every update calls `rehearse` on the batch's sentences
   and `--ratio` times as many raw sentences from the first half (no gold; targets from a
   frozen copy of the model, made before NORP was added).
4. Old-label F: micro F over PER/ORG/LOC/MISC on dev, with the NORP-relabelled spans left out
   of both gold and predictions (so learning NORP is not counted as forgetting MISC).
5. (unless --skip-full) A run on the full train set for a bounded time; dev ents_f.

6. (--speed alone) words/sec of parser and NER against spaCy 3.8's default components.
7. (with --parser-minutes M) The parser's figures alongside: a DependencyParser trained on UD
   English-EWT train for M minutes; dev UAS/LAS and parse speed (batch 256).

Usage: OPENBLAS_NUM_THREADS=1 python bench/rehearsal.py [--minutes 8] [--full-minutes 10]
Results go to bench/out/rehearsal.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from thinc.api import fix_random_seed  # noqa: E402

from nlp_gold import Example, Scorer, read_columns, read_conllu  # noqa: E402
from nlp_models.pipes import DependencyParser, EntityRecognizer  # noqa: E402
from nlp_train import compounding, create_optimizer  # noqa: E402
from nlp_vocab import Doc, Vocab  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DATA = SHARED / "conll2003"
OLD = ("PER", "ORG", "LOC", "MISC")
DEMONYM_ENDS = ("an", "ian", "ese", "ish", "i", "ch")


def load(path: Path, vocab: Vocab) -> list[dict]:
    return [a for a in read_columns(path) if a["words"]]


def is_norp(words: list[str], start: int, end: int) -> bool:
    word = words[start]
    return end - start == 1 and word[:1].isupper() and word.lower().endswith(DEMONYM_ENDS)


def spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of a BILUO tag list."""
    out, start = [], None
    for i, tag in enumerate(tags):
        if tag[:2] == "U-":
            out.append((i, i + 1, tag[2:]))
        elif tag[:2] == "B-":
            start = i
        elif tag[:2] == "L-" and start is not None:
            out.append((start, i + 1, tag[2:]))
            start = None
    return out


def relabel(annot: dict, only_new: bool) -> dict | None:
    """NORP for demonym MISC entities; with `only_new`, other entities become missing ("-").
    None when `only_new` and the sentence has no NORP entity."""
    tags = list(annot["entities"])
    words = annot["words"]
    found = False
    for start, end, label in spans(tags):
        if label == "MISC" and is_norp(words, start, end):
            tags[start] = "U-NORP"
            found = True
        elif only_new:
            for i in range(start, end):
                tags[i] = "-"
    if only_new and not found:
        return None
    return {**annot, "entities": tags}


def examples(vocab: Vocab, annots: list[dict]) -> list[Example]:
    return [Example.from_annotations(vocab, a, where=f"line {a.get('line', '?')}") for a in annots]


def train(ner: Any, train_set: list[Example], seconds: float, dropout: float = 0.2) -> dict:
    fix_random_seed(0)
    optimizer = create_optimizer()
    sizes = compounding(8.0, 64.0, 1.001)
    start = time.time()
    n_words = n_updates = epochs = 0
    rng = random.Random(0)
    while time.time() - start < seconds:
        order = list(train_set)
        rng.shuffle(order)
        i = 0
        while i < len(order) and time.time() - start < seconds:
            size = int(next(sizes))
            batch = order[i : i + size]
            i += size
            ner.update(batch, drop=dropout, sgd=optimizer)
            n_words += sum(len(eg.predicted) for eg in batch)
            n_updates += 1
        epochs += i / len(order)
    elapsed = time.time() - start
    return {"optimizer": optimizer, "seconds": elapsed, "epochs": round(epochs, 2), "updates": n_updates,
            "train_words_per_sec": round(n_words / elapsed)}


def annotate(ner: EntityRecognizer, dev: list[Example]) -> float:
    docs = [eg.predicted for eg in dev]
    for doc in docs:
        doc.set_ents([], default="missing")
    start = time.time()
    for _ in ner.pipe(docs, batch_size=256):
        pass
    return sum(len(d) for d in docs) / (time.time() - start)


def old_label_f(dev: list[Example]) -> dict:
    """Micro P/R/F over the old labels with NORP-relabelled spans left out of both sides."""
    tp = fp = fn = 0
    for eg in dev:
        gold_tags = eg.get_aligned_ner()
        gold = set(spans(gold_tags))
        norp = {(s, e) for s, e, lab in gold if lab == "NORP"}
        gold = {g for g in gold if g[2] in OLD}
        pred = {(e.start, e.end, e.label_) for e in eg.predicted.ents}
        pred = {p for p in pred if p[2] in OLD and (p[0], p[1]) not in norp}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": 100 * p, "r": 100 * r, "f": 100 * (2 * p * r / (p + r) if p + r else 0.0)}


def evaluate(ner: EntityRecognizer, dev: list[Example], averages: dict | None) -> dict:
    if averages is not None:
        with ner.use_params(averages):
            wps = annotate(ner, dev)
    else:
        wps = annotate(ner, dev)
    scores = Scorer().score(dev)
    per_type = {k: round(v["f"], 2) for k, v in (scores["ents_per_type"] or {}).items()}
    return {"ents_f": round(scores["ents_f"], 2), "per_type_f": per_type,
            "old_label_f": round(old_label_f(dev)["f"], 2), "dev_words_per_sec": round(wps)}


def update_new_label(
    ner: EntityRecognizer, new_set: list[Example], raw: list, epochs: int, rehearse: bool, ratio: int
) -> None:
    fix_random_seed(1)
    optimizer = create_optimizer()
    if rehearse:
        ner.snapshot_for_rehearsal()
    else:
        ner.drop_rehearsal_snapshot()
    rng = random.Random(1)
    raw_iter = itertools.cycle(rng.sample(raw, len(raw)))
    for _ in range(epochs):
        order = list(new_set)
        rng.shuffle(order)
        for i in range(0, len(order), 8):
            batch = order[i : i + 8]
            ner.update(batch, drop=0.2, sgd=optimizer)
            if rehearse:
                # The batch's own docs too: their old-type entities are unannotated there.
                docs = [eg.predicted for eg in batch] + [next(raw_iter) for _ in range(ratio * len(batch))]
                ner.rehearse(docs, drop=0.2, sgd=optimizer)
    # Keep the latest weights (a few hundred updates: averages would mostly hold the old model).
    ner.drop_rehearsal_snapshot()


def parser_run(minutes: float, explore: float | None = None) -> dict:
    """Train a parser on EWT train for `minutes`; dev UAS/LAS and words/sec (batch 256)."""
    vocab = Vocab()
    ewt = SHARED / "ud-en-ewt"
    train_ex = examples(vocab, [a for a in read_conllu(ewt / "ewt-train.conllu") if a["words"]])
    dev = examples(vocab, [a for a in read_conllu(ewt / "ewt-dev.conllu") if a["words"]])
    parser = DependencyParser(vocab, **({} if explore is None else {"explore": explore}))
    parser.begin_training(lambda: train_ex)
    stats = train(parser, train_ex, minutes * 60)
    optimizer = stats.pop("optimizer")
    docs = [eg.predicted for eg in dev]
    with parser.use_params(optimizer.averages):
        start = time.time()
        for _ in parser.pipe(docs, batch_size=256):
            pass
        wps = sum(len(d) for d in docs) / (time.time() - start)
    scores = Scorer().score(dev)
    return {**stats, "explore": parser.cfg["explore"], "n_labels": len(parser.labels), "uas": round(scores["uas"], 2), "las": round(scores["las"], 2),
            "sents_f": round(scores["sents_f"] or 0.0, 2), "dev_words_per_sec": round(wps)}


def _best_wps(run: Any, docs_factory: Any, repeats: int = 3) -> int:
    best = 0.0
    for _ in range(repeats):
        docs = docs_factory()
        n = sum(len(d) for d in docs)
        start = time.time()
        run(docs)
        best = max(best, n / (time.time() - start))
    return round(best)


def _speed_one(kind: str, annots: list[dict]) -> dict:
    import spacy  # only for this comparison
    from spacy.tokens import Doc as SpacyDoc
    from spacy.training import Example as SpacyExample

    vocab = Vocab()
    if kind == "parser":
        ours: Any = DependencyParser(vocab, root_label="root")
        labels = sorted({d for a in annots for d in a["deps"] if d and d != "root"})
    else:
        ours = EntityRecognizer(vocab)
        labels = list(OLD)
    for label in labels:
        ours.add_label(label)
    ours.begin_training()
    words = [a["words"] for a in annots]
    out = {"ours": _best_wps(lambda docs: list(ours.pipe(docs, batch_size=256)),
                             lambda: [Doc(vocab, words=w) for w in words])}
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe(kind)
    for label in labels:
        pipe.add_label(label)
    sample = [SpacyExample(SpacyDoc(nlp.vocab, words=w), SpacyDoc(nlp.vocab, words=w)) for w in words[:50]]
    nlp.initialize(lambda: sample)
    out["spacy"] = _best_wps(lambda docs: list(pipe.pipe(docs, batch_size=256)),
                             lambda: [SpacyDoc(nlp.vocab, words=w) for w in words])
    out["ratio"] = round(out["ours"] / out["spacy"], 2)
    return out


def speed_vs_spacy() -> dict:
    """Words/sec of our parser (EWT dev) and NER (CoNLL dev) against spaCy 3.8's default
    components of the same kind, both freshly initialised with the same labels, on the same
    pre-tokenized docs, batch 256, best of 3 passes (speed does not depend on the weights)."""
    ewt = [a for a in read_conllu(SHARED / "ud-en-ewt" / "ewt-dev.conllu") if a["words"]]
    conll = load(DATA / "dev.txt", Vocab())
    out = {}
    for kind, annots in (("parser", ewt), ("ner", conll)):
        out[kind] = _speed_one(kind, annots)
        print(kind, json.dumps(out[kind]), flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=8.0, help="training time on half of train")
    parser.add_argument("--full-minutes", type=float, default=10.0, help="training time on all of train")
    parser.add_argument("--epochs", type=int, default=10, help="epochs over the 200 NORP sentences")
    parser.add_argument("--ratio", type=int, default=4, help="raw sentences rehearsed per new-label sentence")
    parser.add_argument("--base", default="", help="cache of the phase-1 model: loaded if present, else written")
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--parser-minutes", type=float, default=0.0, help="also train/time a parser on EWT")
    parser.add_argument("--parser-only", action="store_true", help="only the parser run")
    parser.add_argument("--parser-explore", type=float, default=None, help="override the parser's cfg explore")
    parser.add_argument("--speed", action="store_true", help="only: words/sec against spaCy 3.8 (parser, NER)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "out" / "rehearsal.json"))
    args = parser.parse_args()
    if not (DATA / "train.txt").exists():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return 0
    if args.speed:
        print(json.dumps(speed_vs_spacy()))
        return 0
    if args.parser_only:
        result = {"parser": parser_run(args.parser_minutes, args.parser_explore)}
        print(json.dumps(result))
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))
        return 0
    vocab = Vocab()
    train_annots = load(DATA / "train.txt", vocab)
    dev_annots = load(DATA / "dev.txt", vocab)
    half = len(train_annots) // 2
    first, second = train_annots[:half], train_annots[half:]
    results: dict = {"train_sentences_half": len(first)}

    first_ex = examples(vocab, first)
    dev_plain = examples(vocab, dev_annots)
    cache = Path(args.base) if args.base else None
    if cache is not None and cache.exists():
        base_bytes = cache.read_bytes()
        results["phase1"] = json.loads(cache.with_suffix(".json").read_text())
    else:
        ner = EntityRecognizer(vocab)
        ner.begin_training(lambda: first_ex[:2000])
        stats = train(ner, first_ex, args.minutes * 60)
        optimizer = stats.pop("optimizer")
        results["phase1"] = {**stats, **evaluate(ner, dev_plain, optimizer.averages)}
        # Continue from the averaged weights (what one would save and load).
        with ner.use_params(optimizer.averages):
            base_bytes = ner.to_bytes()
        if cache is not None:
            cache.write_bytes(base_bytes)
            cache.with_suffix(".json").write_text(json.dumps(results["phase1"]))
    print("phase1", json.dumps(results["phase1"]), flush=True)

    new_annots = [r for r in (relabel(a, only_new=True) for a in second) if r is not None][:200]
    new_set = examples(vocab, new_annots)
    dev_norp = examples(vocab, [relabel(a, only_new=False) for a in dev_annots])
    raw = [eg.predicted for eg in first_ex]
    base = EntityRecognizer(vocab).from_bytes(base_bytes)
    results["new_label"] = {"sentences": len(new_set), "norp_entities": sum(
        t == "U-NORP" for a in new_annots for t in a["entities"]), "epochs": args.epochs,
                            "rehearse_ratio": args.ratio}
    results["before"] = evaluate(base, dev_norp, None)
    print("before", json.dumps(results["before"]), flush=True)
    for rehearse in (False, True):
        ner2 = EntityRecognizer(vocab).from_bytes(base_bytes)
        ner2.add_label("NORP")
        start = time.time()
        update_new_label(ner2, new_set, raw, args.epochs, rehearse, args.ratio)
        key = "with_rehearse" if rehearse else "without_rehearse"
        results[key] = {**evaluate(ner2, dev_norp, None), "seconds": round(time.time() - start, 1)}
        results[key]["old_label_f_drop"] = round(results["before"]["old_label_f"] - results[key]["old_label_f"], 2)
        print(key, json.dumps(results[key]), flush=True)

    if not args.skip_full:
        full = EntityRecognizer(vocab)
        all_ex = examples(vocab, train_annots)
        full.begin_training(lambda: all_ex[:2000])
        stats = train(full, all_ex, args.full_minutes * 60)
        optimizer = stats.pop("optimizer")
        results["full"] = {**stats, **evaluate(full, examples(vocab, dev_annots), optimizer.averages)}
        print("full", json.dumps(results["full"]), flush=True)
    if args.parser_minutes:
        results["parser"] = parser_run(args.parser_minutes, args.parser_explore)
        print("parser", json.dumps(results["parser"]), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
