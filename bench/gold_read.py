"""Corpus reading benchmark: nlp-gold reading UD English EWT train into aligned Examples vs
spaCy 3.8's `spacy convert -c conllu` of the same file.

Timed side by side in this run, once each (the machine is small and shared):
1. ours, in-process: stream ewt-train.conllu into Examples (reference + predicted Doc with the
   gold words), compute every alignment and the aligned tags, parse (projectivized) and entities.
2. ours, as a subprocess (interpreter start and imports included).
3. spaCy, in-process: its CoNLL-U converter function (`conllu_to_docs`, n_sents=1) over the file's
   text, then the DocBin written to disk, as `spacy convert` does.
4. spaCy, as a subprocess: `python -m spacy convert ewt-train.conllu OUT -c conllu`.

    python bench/gold_read.py [--data DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def ours(path: Path) -> dict:
    """Read and align every sentence; returns the timing and counts."""
    from nlp_gold import Corpus
    from nlp_vocab import Vocab

    start = time.perf_counter()
    vocab = Vocab("en")
    n_examples = n_words = 0
    for eg in Corpus(path)(vocab):
        eg.alignment  # noqa: B018
        eg.get_aligned("TAG")
        eg.get_aligned_parse(projectivize=True)
        eg.get_aligned_ner()
        n_examples += 1
        n_words += len(eg)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "examples": n_examples, "words": n_words}


def spacy_in_process(path: Path, out_dir: Path) -> dict:
    """spaCy's converter function plus the DocBin write, as `spacy convert` runs them."""
    from spacy.tokens import DocBin
    from spacy.training.converters import conllu_to_docs

    start = time.perf_counter()
    text = path.read_text(encoding="utf8")
    docs = list(conllu_to_docs(text, n_sents=1, no_print=True))
    DocBin(docs=docs, store_user_data=False).to_disk(out_dir / "inproc.spacy")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "docs": len(docs), "words": sum(len(d) for d in docs)}


def timed_subprocess(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--ours-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours_only:
        print(json.dumps(ours(args.ours_only)))
        return
    path = args.data / "ud-en-ewt" / "ewt-train.conllu"
    if not path.exists():
        sys.exit(f"missing {path}; pass --data")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp)
        ours_in = ours(path)
        spacy_in = spacy_in_process(path, out_dir)
        ours_sub = timed_subprocess([sys.executable, __file__, "--ours-only", str(path)])
        spacy_sub = timed_subprocess([sys.executable, "-m", "spacy", "convert", str(path), str(out_dir), "-c", "conllu"])
    result = {
        "file": str(path),
        "ours_in_process_s": round(ours_in["seconds"], 3),
        "ours_examples": ours_in["examples"],
        "ours_words": ours_in["words"],
        "spacy_converter_in_process_s": round(spacy_in["seconds"], 3),
        "spacy_docs": spacy_in["docs"],
        "spacy_words": spacy_in["words"],
        "ours_subprocess_s": round(ours_sub, 3),
        "spacy_convert_subprocess_s": round(spacy_sub, 3),
        "speedup_in_process": round(spacy_in["seconds"] / ours_in["seconds"], 2),
        "speedup_subprocess": round(spacy_sub / ours_sub, 2),
    }
    for key, value in result.items():
        print(f"{key:32s} {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
