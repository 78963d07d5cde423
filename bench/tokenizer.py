"""Tokenizer benchmark: nlp-vocab's Tokenizer vs spaCy 3.8's blank English tokenizer.

1. Token agreement on UD English EWT dev: each `# text =` sentence is tokenized by both; the
   tokens (whitespace tokens ignored) are compared with the gold syntactic words (multiword
   tokens expand to their words) as character spans; precision / recall / F1 of exact spans.
2. Speed on the texts of IMDB dev: words per second for both, side by side in this run, best of
   3 passes, one process.

    python bench/tokenizer.py [--data DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"

Spans = list[tuple[int, int]]


def read_gold(path: Path) -> Iterator[tuple[str, Spans]]:
    """(text, gold word spans) for each sentence of a CoNLL-U file with `# text =` comments."""
    text: str | None = None
    rows: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf8") as stream:
        for lineno, line in enumerate(stream, 1):
            line = line.rstrip("\n")
            if line.startswith("# text = "):
                text = line[len("# text = ") :]
            elif not line:
                if rows:
                    yield text or "", _gold_spans(path, text, rows)
                text, rows = None, []
            elif not line.startswith("#"):
                fields = line.split("\t")
                if len(fields) != 10:
                    raise ValueError(f"{path}:{lineno}: expected 10 tab-separated columns")
                rows.append((lineno, fields))
    if rows:
        yield text or "", _gold_spans(path, text, rows)


def _gold_spans(path: Path, text: str | None, rows: list[tuple[int, list[str]]]) -> Spans:
    if text is None:
        raise ValueError(f"{path}:{rows[0][0]}: sentence without a '# text =' comment")
    words = {int(f[0]): f[1] for _, f in rows if f[0].isdigit()}
    spans: Spans = []
    pos = 0
    covered = 0  # last word id inside a multiword token already placed

    def locate(form: str, lineno: int) -> int:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(form, pos):
            raise ValueError(f"{path}:{lineno}: form {form!r} not found at offset {pos} of text")
        return pos

    for lineno, fields in rows:
        tid, form = fields[0], fields[1]
        if "." in tid:  # empty nodes have no surface
            continue
        if "-" in tid:
            first, last = (int(x) for x in tid.split("-"))
            start = locate(form, lineno)
            parts = [words[i] for i in range(first, last + 1)]
            if "".join(parts).lower() == form.lower():
                for part in parts:
                    spans.append((start, start + len(part)))
                    start += len(part)
            else:  # the words do not spell the token: it counts as one gold token
                spans.append((start, start + len(form)))
            pos += len(form)
            covered = last
        elif int(tid) > covered:
            start = locate(form, lineno)
            spans.append((start, start + len(form)))
            pos += len(form)
    return spans


def token_spans(doc) -> Spans:
    """Character spans of a doc's non-whitespace tokens (works for ours and spaCy's)."""
    return [(t.idx, t.idx + len(t.text)) for t in doc if not t.text.isspace()]


def agreement(tokenize: Callable, data: list[tuple[str, Spans]]) -> dict:
    tp = n_pred = n_gold = 0
    for text, gold in data:
        pred = set(token_spans(tokenize(text)))
        gold_set = set(gold)
        tp += len(pred & gold_set)
        n_pred += len(pred)
        n_gold += len(gold_set)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "pred_tokens": n_pred, "gold_tokens": n_gold}


def speed(tokenize: Callable, texts: list[str], repeats: int = 3) -> dict:
    """Best words/s over `repeats` passes (words = non-whitespace tokens produced)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            tokenize(text)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
    n_words = sum(len(text.split()) for text in texts)
    return {"seconds": best, "words": n_words, "words_per_second": n_words / best}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)

    import spacy

    from nlp_vocab.tokenizer import Tokenizer
    from nlp_vocab.vocab import Vocab

    ewt = args.data / "ud-en-ewt" / "ewt-dev.conllu"
    imdb = args.data / "imdb" / "dev.jsonl"
    for path in (ewt, imdb):
        if not path.exists():
            sys.exit(f"missing {path} (give --data DIR)")

    ours = Tokenizer.for_language(Vocab("en"))
    theirs = spacy.blank("en").tokenizer

    gold = list(read_gold(ewt))
    texts = []
    with imdb.open(encoding="utf8") as stream:
        for lineno, line in enumerate(stream, 1):
            try:
                texts.append(json.loads(line)["text"])
            except (ValueError, KeyError) as err:
                sys.exit(f"{imdb}:{lineno}: bad JSON line ({err})")

    results = {"ewt_dev": {}, "imdb_dev": {}}
    for name, tok in (("ours", ours), ("spacy", theirs)):
        results["ewt_dev"][name] = agreement(tok, gold)
    # The first pass fills both caches (timed: the cold cost); then the steady-state passes.
    for name, tok in (("ours", Tokenizer.for_language(Vocab("en"))), ("spacy", theirs)):
        start = time.perf_counter()
        for text in texts:
            tok(text)
        results["imdb_dev"][f"{name}_first_pass_seconds"] = time.perf_counter() - start
    for text in texts:
        ours(text)
    for name, tok in (("ours", ours), ("spacy", theirs)):
        results["imdb_dev"][name] = speed(tok, texts)
    ratio = (
        results["imdb_dev"]["ours"]["words_per_second"]
        / results["imdb_dev"]["spacy"]["words_per_second"]
    )
    results["speed_ratio"] = ratio
    results["targets_met"] = {
        "f1_ge_spacy": results["ewt_dev"]["ours"]["f1"] >= results["ewt_dev"]["spacy"]["f1"],
        "speed_ge_spacy": ratio >= 1.0,
    }

    print(f"EWT dev: {len(gold)} sentences; IMDB dev: {len(texts)} texts\n")
    print("| tokenizer | EWT dev P | R | F1 | IMDB dev words/s |")
    print("|---|---|---|---|---|")
    for name, label in (("ours", "nlp-vocab"), ("spacy", f"spaCy {spacy.__version__} blank en")):
        a, s = results["ewt_dev"][name], results["imdb_dev"][name]
        print(
            f"| {label} | {a['precision']:.4f} | {a['recall']:.4f} | {a['f1']:.4f} "
            f"| {s['words_per_second']:,.0f} |"
        )
    print(f"\nspeed ratio (ours / spaCy): {ratio:.2f}x (best of 3 warm passes)")
    first = results["imdb_dev"]
    print(
        f"first (cold-cache) pass: ours {first['ours_first_pass_seconds']:.2f} s, "
        f"spaCy {first['spacy_first_pass_seconds']:.2f} s"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf8")
    return results


if __name__ == "__main__":
    main()
