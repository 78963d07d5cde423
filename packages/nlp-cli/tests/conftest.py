"""Fixtures of the CLI tests. Small corpora the tests write: a seeded phrase grammar gives CoNLL-U sentences with tags,
a projective (or, on request, non-projective) tree and PER/LOC entities."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

NAMES = [("Ada", "Moss"), ("Ben", "Okafor"), ("Cleo", "Varga"), ("Dev", "Lind"), ("Ema", "Rusk")]
PLACES = ["Lisbon", "Tartu", "Quito", "Perth", "Oslo"]
NOUNS = ["report", "boat", "lamp", "garden", "letter", "song"]
ADJS = ["small", "green", "quiet", "old"]
VERBS = ["found", "painted", "sold", "wrote"]


def sentence(rng: random.Random) -> list[tuple[str, str, str, int, str, str]]:
    """Rows (word, UPOS, XPOS, head (1-based, 0 root), deprel, NER tag) of one sentence:
    FIRST LAST VERB the ADJ NOUN in PLACE ."""
    first, last = rng.choice(NAMES)
    rows = [
        (first, "PROPN", "NNP", 3, "nsubj", "B-PER"),
        (last, "PROPN", "NNP", 1, "flat", "I-PER"),
        (rng.choice(VERBS), "VERB", "VBD", 0, "root", "O"),
        ("the", "DET", "DT", 6, "det", "O"),
        (rng.choice(ADJS), "ADJ", "JJ", 6, "amod", "O"),
        (rng.choice(NOUNS), "NOUN", "NN", 3, "obj", "O"),
        ("in", "ADP", "IN", 8, "case", "O"),
        (rng.choice(PLACES), "PROPN", "NNP", 3, "obl", "B-LOC"),
        (".", "PUNCT", ".", 3, "punct", "O"),
    ]
    return rows


def write_conllu(path: Path, n: int, seed: int = 0, nonproj: int = 0) -> Path:
    """`n` sentences; the first `nonproj` get a crossing arc (the adjective attaches to the verb)."""
    rng = random.Random(seed)
    lines = []
    for k in range(n):
        rows = sentence(rng)
        if k < nonproj:  # "the" -> PLACE: the arc spans the object, whose head (the verb) is outside
            word, upos, xpos, _, dep, ner = rows[3]
            rows[3] = (word, upos, xpos, 8, dep, ner)
        text = " ".join(r[0] for r in rows[:-1]) + "."
        lines.append(f"# sent_id = s{k + 1}")
        lines.append(f"# text = {text}")
        for i, (word, upos, xpos, head, dep, ner) in enumerate(rows, 1):
            misc = [f"NER={ner}"]
            if i == len(rows) - 1:
                misc.append("SpaceAfter=No")
            lines.append("\t".join([str(i), word, "_", upos, xpos, "_", str(head), dep, "_", "|".join(misc)]))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def write_columns(path: Path, n: int, seed: int = 0, blank_lines: bool = True) -> Path:
    """CoNLL-2003-style columns (word POS CHUNK NER) with a -DOCSTART- every 3 sentences."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        if k % 3 == 0:
            out += (["", "-DOCSTART- -X- -X- O", ""] if k and not blank_lines else ["-DOCSTART- -X- -X- O", ""])
        for word, _, xpos, _, _, ner in sentence(rng):
            out.append(f"{word} {xpos} O {ner}")
        if blank_lines:
            out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf8")
    return path


def write_word_tags(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = [" ".join(f"{w}|{x}|{e}" for w, _, x, _, _, e in sentence(rng)) for _ in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def write_ner_jsonl(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf8") as file:
        for _ in range(n):
            first, last = rng.choice(NAMES)
            place = rng.choice(PLACES)
            text = f"{first} {last} visited {place} today."
            start = text.index(place)
            ents = [[0, len(first) + 1 + len(last), "PER"], [start, start + len(place), "LOC"]]
            file.write(json.dumps({"text": text, "entities": ents}) + "\n")
    return path


def write_texts(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf8") as file:
        for _ in range(n):
            rows = sentence(rng) + sentence(rng)
            file.write(json.dumps({"text": " ".join(r[0] for r in rows)}) + "\n")
    return path


def write_reviews(path: Path, n: int, seed: int = 0) -> Path:
    """JSONL texts with a "label" (pos or neg), told apart by one word."""
    rng = random.Random(seed)
    words = {"pos": ["great", "superb", "fun"], "neg": ["awful", "dull", "bad"]}
    with path.open("w", encoding="utf8") as file:
        for _ in range(n):
            label = rng.choice(["pos", "neg"])
            file.write(json.dumps({"text": f"a {rng.choice(words[label])} film .", "label": label}) + "\n")
    return path


def _biluo(tags: list[str]) -> list[str]:
    """BIO entity tags as BILUO (an entity ends where the next tag does not continue it)."""
    out = []
    for i, tag in enumerate(tags):
        inside = i + 1 < len(tags) and tags[i + 1].startswith("I-")
        if tag.startswith("B-"):
            out.append(("B-" if inside else "U-") + tag[2:])
        elif tag.startswith("I-"):
            out.append(("I-" if inside else "L-") + tag[2:])
        else:
            out.append(tag)
    return out


#: The text classes of `write_json`: what the sentence's verb does.
VERB_CLASS = {"found": "GET", "sold": "GIVE", "painted": "MAKE", "wrote": "MAKE"}


def write_json(path: Path, n: int, seed: int = 0, per_doc: int = 3) -> Path:
    """The JSON training format with every annotation at once: tags, trees, entities (BILUO) and
    exclusive text classes (one paragraph a sentence, `per_doc` paragraphs a document)."""
    rng = random.Random(seed)
    classes = sorted(set(VERB_CLASS.values()))
    docs: list[dict] = []
    for k in range(n):
        rows = sentence(rng)
        ner = _biluo([r[5] for r in rows])
        tokens = [{"id": i, "orth": w, "tag": x, "pos": u, "head": h - 1 - i if h else 0, "dep": d, "ner": e}
                  for i, ((w, u, x, h, d, _), e) in enumerate(zip(rows, ner))]
        raw = " ".join(r[0] for r in rows[:-1]) + "."
        cats = [{"label": c, "value": float(VERB_CLASS[rows[2][0]] == c)} for c in classes]
        if k % per_doc == 0:
            docs.append({"id": len(docs), "paragraphs": []})
        docs[-1]["paragraphs"].append({"raw": raw, "cats": cats, "sentences": [{"tokens": tokens}]})
    path.write_text(json.dumps(docs), encoding="utf8")
    return path


@pytest.fixture(scope="session")
def data() -> SimpleNamespace:
    """The corpus writers above."""
    return SimpleNamespace(conllu=write_conllu, columns=write_columns, word_tags=write_word_tags,
                           ner_jsonl=write_ner_jsonl, texts=write_texts, json=write_json, reviews=write_reviews)


@pytest.fixture(scope="session")
def nlp_cmd() -> list[str]:
    """The real entry point: `python -m nlp_cli` of the running interpreter."""
    return [sys.executable, "-m", "nlp_cli"]


#: Tiny networks (-cw 32 -cd 1 -er 500): every training run of the tests takes seconds.
TINY = ("-cw", "32", "-cd", "1", "-er", "500")


def run_command(cmd: list[str], *args: object, ok: bool = True) -> subprocess.CompletedProcess:
    """Run `cmd` with `args` (as strings); with `ok`, assert it exited 0 (showing its output if not)."""
    proc = subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="session")
def cli() -> SimpleNamespace:
    """`cli.run(cmd, *args, ok=True)` runs a command line; `cli.tiny` are the tiny-network options."""
    return SimpleNamespace(run=run_command, tiny=TINY)


@pytest.fixture()
def in_process(capsys) -> SimpleNamespace:
    """`nlp` run through `main` in this process: `in_process.run(*args)` gives (exit code, stdout,
    stderr); `in_process.error(*args)` the one line of a command that must fail (exit 1, "✘ ",
    no traceback)."""
    from nlp_cli.__main__ import main

    def run(*args: object) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return info.value.code, captured.out, captured.err

    def error(*args: object) -> str:
        code, _, err = run(*args)
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 1 and lines[0].startswith("✘ ") and "Traceback" not in err, err
        return lines[0]

    return SimpleNamespace(run=run, error=error)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, data) -> dict[str, Path]:
    """A module's training corpus: train and dev CoNLL-U (3 non-projective trees in train), raw texts."""
    root = tmp_path_factory.mktemp("corpus")
    return {
        "train": data.conllu(root / "train.conllu", 40, seed=1, nonproj=3),
        "dev": data.conllu(root / "dev.conllu", 12, seed=2),
        "texts": data.texts(root / "texts.jsonl", 30, seed=3),
    }


@pytest.fixture(scope="session")
def ud_toy() -> Any:
    """The UD treebank writers of ud_toy.py (the tests run in importlib mode: a test module
    cannot import its sibling by name)."""
    spec = importlib.util.spec_from_file_location("nlp_cli_tests_ud_toy", Path(__file__).with_name("ud_toy.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
