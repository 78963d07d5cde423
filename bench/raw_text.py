"""The raw text available here, one text a line, for `nlp init-vectors --train-from`.

    python bench/raw_text.py en /tmp/raw-en.txt   # EWT train `# text`, IMDB train reviews, CoNLL-2003 train
    python bench/raw_text.py fi /tmp/raw-fi.txt   # Finnish-TDT train `# text`

Train splits only (never dev text, which the probes score on). The corpora are not ours to
commit, so the output must lie outside the repository.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from tasks import DATA, ROOT

_BREAK = re.compile(r"<br\s*/?>", re.I)


def conllu_texts(path: Path) -> Iterator[str]:
    """The `# text = ...` lines of a CoNLL-U file."""
    with open(path, encoding="utf8") as lines:
        for line in lines:
            if line.startswith("# text ="):
                yield line[len("# text ="):].strip()


def imdb_texts(path: Path) -> Iterator[str]:
    """The reviews of a JSONL file, `<br />` markup turned into spaces."""
    with open(path, encoding="utf8") as lines:
        for line in lines:
            if line.strip():
                yield _BREAK.sub(" ", json.loads(line)["text"])


def conll2003_texts(path: Path) -> Iterator[str]:
    """The sentences of a CoNLL-2003 column file, their tokens joined by spaces."""
    words: list[str] = []
    with open(path, encoding="utf8") as lines:
        for line in lines:
            fields = line.split()
            if fields and fields[0] != "-DOCSTART-":
                words.append(fields[0])
            elif words:
                yield " ".join(words)
                words = []
    if words:
        yield " ".join(words)


SOURCES: dict[str, list[tuple[Callable[[Path], Iterator[str]], str]]] = {
    "en": [(conllu_texts, "ud-en-ewt/ewt-train.conllu"), (imdb_texts, "imdb/train.jsonl"),
           (conll2003_texts, "conll2003/train.txt")],
    "fi": [(conllu_texts, "ud-fi-tdt/fi-train.conllu")],
}


def main(lang: str, output: str) -> None:
    target = Path(output).resolve()
    if target.is_relative_to(ROOT):
        raise SystemExit(f"{target}: write the corpora's text outside the repository (e.g. /tmp)")
    n_texts = n_chars = 0
    with open(target, "w", encoding="utf8") as out:
        for read, name in SOURCES[lang]:
            for text in read(DATA / name):
                text = " ".join(text.split())  # one text a line, whatever whitespace it held
                if text:
                    out.write(text + "\n")
                    n_texts += 1
                    n_chars += len(text)
    print(f"{lang}: {n_texts} texts, {n_chars} characters -> {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in SOURCES:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
