"""The README's main job: train a tagger, parser and entity recognizer on the small corpus in
examples/data (our own sentences, written by examples/make_corpus.py), evaluate it, and use it.

It goes through the `nlp` command exactly as a user would (`nlp debug-data`, `nlp train`,
`nlp evaluate`), then loads model-best from Python and annotates a sentence it has never seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRAIN = HERE / "data" / "train.conllu"
DEV = HERE / "data" / "dev.conllu"


def nlp(*args: str) -> None:
    """Run one `nlp` sub-command, echoing it; stop the demo if it fails."""
    cmd = [sys.executable, "-m", "nlp_cli", *args]
    print("\n$ nlp " + " ".join(args), flush=True)
    if subprocess.run(cmd).returncode != 0:
        sys.exit(f"demo: `nlp {args[0]}` failed")


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="nlp-demo-"))
    nlp("debug-data", "en", str(TRAIN), str(DEV), "-p", "tagger,parser,ner")
    nlp("train", "en", str(out), str(TRAIN), str(DEV), "-p", "tagger,parser,ner", "-n", "6",
        "--seed", "0")
    metrics = out / "metrics.json"
    nlp("evaluate", str(out / "model-best"), str(DEV), "-o", str(metrics))
    scores = json.loads(metrics.read_text())

    import nlp_models

    model = nlp_models.load(out / "model-best")
    doc = model("Lena Okafor said that Northwind Labs moved to Hanoi on Friday.")
    print("\nA new sentence, annotated by model-best:")
    for token in doc:
        print(f"  {token.text:<10} {token.tag_:<5} {token.dep_:<8} -> {token.head.text:<10} "
              f"{token.ent_iob_}{'-' + token.ent_type_ if token.ent_type_ else ''}")
    print("  entities:", [(ent.text, ent.label_) for ent in doc.ents])
    wanted = {"tag_acc": 90.0, "las": 80.0, "ents_f": 80.0}
    missed = {k: scores.get(k) for k, v in wanted.items() if (scores.get(k) or 0.0) < v}
    print(f"\nDev scores: tag_acc {scores['tag_acc']:.1f}, uas {scores['uas']:.1f}, "
          f"las {scores['las']:.1f}, ents_f {scores['ents_f']:.1f} (model in {out})")
    if missed:
        sys.exit(f"demo: scores below what this corpus should give: {missed}")


if __name__ == "__main__":
    main()
