"""Multi-process annotation against one process (issue #19: >= 1.7x words/sec with 2 processes).

    OPENBLAS_NUM_THREADS=1 python bench/pipe_speed.py [--model DIR] [--words 100000] [--rounds 3]
        [--batch-size 64] [--n-process 2] [--skip-apply]

Measures `nlp.pipe(texts, n_process=1)` against `n_process=N`, then `nlp apply` (to JSONL and to
CoNLL-U) with `--n-process 1` against `--n-process N`, on the `# text` lines of UD English-EWT dev
(from ../shared/data, or $NLP_SHARED_DATA) repeated until they hold at least --words words (the
repetition is reported: it is the same 2,001 texts again). The two settings alternate, --rounds
times; a setting's figure is its best round (the least disturbed); words are our tokenizer's.
`nlp apply`'s figure is the words/s of its summary line (the annotation and the writing, not the
model's loading).

Without --model it first trains an EWT tagger+parser (`nlp train` on the first 2,000 training
sentences, 2 epochs, gold words: a minute or two) into a temporary folder. Run it on a machine
with nothing else running: the ratio is what it is for. Writes bench/out/pipe_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tasks import TASKS  # noqa: E402

OUT = HERE / "out"
TRAIN_SENTENCES, TRAIN_EPOCHS = 2000, 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a trained model folder (default: train an EWT tagger+parser)")
    parser.add_argument("--words", type=int, default=100_000, help="repeat the dev texts to at least this many words")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--skip-apply", action="store_true", help="measure nlp.pipe only")
    args = parser.parse_args()
    if args.n_process < 2:
        parser.error("--n-process must be at least 2 (it is compared with one process)")
    with tempfile.TemporaryDirectory(prefix="pipe_speed_") as tmp:
        model = Path(args.model) if args.model else train_model(Path(tmp))
        report = measure(model, Path(tmp), args)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipe_speed.json").write_text(json.dumps(report, indent=2))
    print_table(report)


def train_model(tmp: Path) -> Path:
    """An EWT tagger+parser trained briefly by `nlp train` (gold words), its model-final folder."""
    task = TASKS["ewt"]
    out = tmp / "model"
    command = [sys.executable, "-m", "nlp_cli", "train", "en", str(out), str(task.path("train")),
               str(task.path("dev")), "-p", "tagger,parser", "-n", str(TRAIN_EPOCHS), "-ns",
               str(TRAIN_SENTENCES), "-G"]
    print(f"training: {' '.join(command[2:])}", flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out / "model-final"


def dev_texts(nlp, min_words: int) -> tuple[list[str], int, int]:
    """EWT dev's texts repeated to at least `min_words` words: (texts, words, times repeated)."""
    path = TASKS["ewt"].path("dev")
    once = [line[len("# text = "):].strip() for line in path.open(encoding="utf8") if line.startswith("# text = ")]
    words_once = sum(len(nlp.make_doc(text)) for text in once)
    repeats = max(1, -(-min_words // words_once))
    return once * repeats, words_once * repeats, repeats


def measure(model: Path, tmp: Path, args: argparse.Namespace) -> dict:
    import nlp_models

    nlp = nlp_models.load(model)
    texts, words, repeats = dev_texts(nlp, args.words)
    print(f"{len(texts)} texts, {words} words (EWT dev's {len(texts) // repeats} texts x {repeats}); "
          f"model {model}", flush=True)
    settings = (1, args.n_process)
    pipe = {n: [] for n in settings}
    for _ in range(args.rounds):
        for n in settings:
            pipe[n].append(pipe_round(nlp, texts, n, args.batch_size))
            print(f"nlp.pipe n_process={n}: {pipe[n][-1]:,.0f} words/s", flush=True)
    report = {"texts": len(texts), "words": words, "repeats": repeats, "model": str(model),
              "batch_size": args.batch_size, "rounds": args.rounds, "cpus": os.cpu_count(),
              "pipe": pipe}
    if not args.skip_apply:
        source = tmp / "texts.txt"
        source.write_text("".join(text.replace("\n", " ") + "\n" for text in texts), encoding="utf8")
        for fmt in ("jsonl", "conllu"):
            runs = {n: [] for n in settings}
            for _ in range(args.rounds):
                for n in settings:
                    runs[n].append(apply_round(model, source, tmp / f"out.{fmt}", n, args.batch_size))
                    print(f"nlp apply -> {fmt} --n-process {n}: {runs[n][-1]:,.0f} words/s", flush=True)
            report[f"apply_{fmt}"] = runs
    return report


def pipe_round(nlp, texts: list[str], n_process: int, batch_size: int) -> float:
    """Words per second of one pass of `nlp.pipe` over `texts`, every Doc taken."""
    start = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
    return words / (time.perf_counter() - start)


def apply_round(model: Path, source: Path, output: Path, n_process: int, batch_size: int) -> float:
    """Words per second that `nlp apply` reports for one full run (a fresh OUTPUT)."""
    command = [sys.executable, "-m", "nlp_cli", "apply", str(model), str(source), str(output), "-n",
               str(n_process), "-b", str(batch_size), "--overwrite"]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    found = re.search(r"\(([\d.]+) words/s\)", result.stdout)
    if found is None:
        raise RuntimeError(f"no words/s in nlp apply's output: {result.stdout[-500:]}")
    return float(found.group(1))


def print_table(report: dict) -> None:
    """A markdown table: best and median words/s of each setting, and the ratio of the bests."""
    n = max(int(k) for k in report["pipe"])
    print(f"\n{report['texts']} texts, {report['words']} words (EWT dev x {report['repeats']}), "
          f"batch {report['batch_size']}, best of {report['rounds']} rounds, {report['cpus']} CPUs\n")
    print(f"| run | 1 process, words/s | {n} processes, words/s | ratio (best) |")
    print("|---|---|---|---|")
    for key, label in (("pipe", "nlp.pipe"), ("apply_jsonl", "nlp apply -> JSONL"),
                       ("apply_conllu", "nlp apply -> CoNLL-U")):
        if key not in report:
            continue
        one, many = report[key][1], report[key][n]
        print(f"| {label} | {max(one):,.0f} (median {sorted(one)[len(one) // 2]:,.0f}) | "
              f"{max(many):,.0f} (median {sorted(many)[len(many) // 2]:,.0f}) | {max(many) / max(one):.2f}x |")


if __name__ == "__main__":
    main()
