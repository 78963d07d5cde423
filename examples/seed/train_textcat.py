#!/usr/bin/env python
"""Train a text classifier (a convolutional network over the tokens, two mutually exclusive
classes) on movie-review-like texts: a JSONL file of `{"text": ..., "cats": {...}}` or
`{"text": ..., "label": ...}` lines, or else a small built-in sample. A fifth of the texts is
held back to report precision, recall and F-score after each pass. Then classify a new text,
save the pipeline, load it back and classify it again. spaCy v2.1's
examples/training/train_textcat.py, with our names (v2 downloaded IMDB through thinc's loader).

    python train_textcat.py -n 20 -o /tmp/textcat_model
    python train_textcat.py -d reviews.jsonl -t 2000 -n 10
    python train_textcat.py -t2v pretrained/model999.bin     # weights from `nlp pretrain`

Prints a table of the loss and the held-back texts' P, R and F after each pass, then (output
of a trained model; the scores vary):

    This movie sucked {'POSITIVE': 0.04..., 'NEGATIVE': 0.95...}
"""

import random
import sys
from pathlib import Path

import plac
from _common import MODEL, N_ITER, OUTPUT_DIR, others, pipe_of, save_and_reload, start, train

from nlp_gold import CorpusError, read_jsonl

TEST_TEXT = "This movie sucked"
#: The built-in sample: our own short reviews, 1 for positive and 0 for negative.
SAMPLE = [
    ("A wonderful film with a great cast", 1), ("I loved every minute of this movie", 1),
    ("Brilliant acting and a moving story", 1), ("The best film I have seen this year", 1),
    ("A delightful and funny movie", 1), ("Great music and beautiful pictures", 1),
    ("I enjoyed it and would watch it again", 1), ("A touching story, wonderfully told", 1),
    ("Superb, clever and great fun", 1), ("This movie was a real joy", 1),
    ("This movie sucked from start to end", 0), ("A boring film with a terrible plot", 0),
    ("I hated every minute of it", 0), ("The worst acting I have ever seen", 0),
    ("A dull and stupid movie", 0), ("The story sucked and the jokes were bad", 0),
    ("Awful music and ugly pictures", 0), ("I walked out, it was that bad", 0),
    ("Terrible, lazy and far too long", 0), ("This film sucked, avoid it", 0),
]


def load_data(path: Path | None, limit: int = 0, split: float = 0.8) -> tuple[tuple, tuple]:
    """((texts, cats) to train on, (texts, cats) held back), shuffled, from the JSONL file at
    `path` or the built-in sample; every text's cats name every class."""
    if path is None:
        data = [(text, {"POSITIVE": bool(y), "NEGATIVE": not bool(y)}) for text, y in SAMPLE]
    else:
        data = read_classes(path)
    random.shuffle(data)
    data = data[-limit:]
    texts, cats = zip(*data)
    split = int(len(data) * split)
    return (texts[:split], cats[:split]), (texts[split:], cats[split:])


def read_classes(path: Path) -> list[tuple[str, dict]]:
    """(text, cats) pairs of a JSONL file, a class a line does not mention scored 0.0."""
    records = list(read_jsonl(path))
    for record in records:
        if "cats" not in record:
            raise CorpusError(path, record["line"], 'no "cats" or "label": this script classifies texts')
    labels = sorted({label for record in records for label in record["cats"]})
    if len(labels) < 2:
        raise CorpusError(path, None, f"found the classes {labels}: two or more are needed")
    return [(r["text"], {label: r["cats"].get(label, 0.0) for label in labels}) for r in records]


def evaluate(tokenizer, textcat, texts, cats) -> dict[str, float]:
    """Precision, recall and F-score over every class, a score of 0.5 or more predicting it."""
    tp = fp = fn = 0
    docs = textcat.pipe(tokenizer(text) for text in texts)
    for doc, gold in zip(docs, cats):
        for label, score in doc.cats.items():
            predicted, wanted = score >= 0.5, gold[label] >= 0.5
            tp += predicted and wanted
            fp += predicted and not wanted
            fn += wanted and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f_score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"textcat_p": precision, "textcat_r": recall, "textcat_f": f_score}


@plac.annotations(
    model=MODEL,
    output_dir=OUTPUT_DIR,
    n_texts=("Number of texts to train from", "option", "t", int),
    n_iter=N_ITER,
    init_tok2vec=("Pretrained tok2vec weights", "option", "t2v", Path),
    data_path=("JSONL file of texts and classes (default: the built-in sample)", "option", "d", Path),
)
def main(model: str | None = None, output_dir: Path | None = None, n_iter: int = 20,
         n_texts: int = 2000, init_tok2vec: Path | None = None, data_path: Path | None = None) -> None:
    nlp = start(model)
    textcat = pipe_of(nlp, "textcat", config={"exclusive_classes": True, "architecture": "simple_cnn"}, last=True)
    print(f"Loading data from {data_path}..." if data_path else "Loading the built-in sample...")
    (train_texts, train_cats), (dev_texts, dev_cats) = load_data(data_path)
    for label in train_cats[0]:
        textcat.add_label(label)
    train_texts, train_cats = train_texts[:n_texts], train_cats[:n_texts]
    print(f"Using {len(train_texts) + len(dev_texts)} examples ({len(train_texts)} training, {len(dev_texts)} evaluation)")
    train_data = list(zip(train_texts, [{"cats": cats} for cats in train_cats]))
    with nlp.disable_pipes(*others(nlp, "textcat")):  # train only the text classifier
        optimizer = nlp.begin_training()
        if init_tok2vec is not None:
            textcat.model.tok2vec.from_bytes(init_tok2vec.read_bytes())
        print("Training the model...")
        print("{:^5}\t{:^5}\t{:^5}\t{:^5}".format("LOSS", "P", "R", "F"))

        def report(losses: dict[str, float]) -> None:
            with textcat.model.use_params(optimizer.averages):
                scores = evaluate(nlp.tokenizer, textcat, dev_texts, dev_cats)
            print("{:.3f}\t{:.3f}\t{:.3f}\t{:.3f}".format(
                losses["textcat"], scores["textcat_p"], scores["textcat_r"], scores["textcat_f"]))

        train(nlp, train_data, n_iter, sgd=optimizer, drop=0.2, report=report)
    with nlp.use_params(optimizer.averages):  # the averaged weights: what is saved
        print(TEST_TEXT, nlp(TEST_TEXT).cats)
        if output_dir is not None:
            nlp2 = save_and_reload(nlp, output_dir)
            print(TEST_TEXT, nlp2(TEST_TEXT).cats)


if __name__ == "__main__":
    try:
        plac.call(main)
    except (CorpusError, OSError) as err:
        sys.exit(f"train_textcat.py: {err}")
