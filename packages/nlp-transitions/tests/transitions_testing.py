"""Small, self-contained helpers for the tests and bench/oracle.py: corpus readers (CoNLL-U,
CoNLL-2003 columns), a lifting projectivizer, random projective trees, and loss functions.

Kept here, not in the package: nlp-transitions never reads files or projectivizes trees
(nlp-gold does); these exist only to feed it plain arrays in tests and benchmarks.
"""

from __future__ import annotations

import random
from pathlib import Path

# ---- readers ---------------------------------------------------------------------------------

def read_conllu(path: Path) -> list[tuple[list[int], list[str]]]:
    """Sentences of a CoNLL-U file as (heads, labels): absolute heads, the root its own head.
    Multiword token lines and empty nodes are skipped."""
    sents = []
    heads: list[int] = []
    labels: list[str] = []
    with open(path, encoding="utf8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                if heads:
                    sents.append((heads, labels))
                heads, labels = [], []
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                raise ValueError(f"{path}:{line_no}: expected 10 tab-separated columns, got {len(cols)}")
            if "-" in cols[0] or "." in cols[0]:
                continue
            try:
                word_id, head = int(cols[0]), int(cols[6])
            except ValueError:
                raise ValueError(f"{path}:{line_no}: bad ID or HEAD column: {cols[0]!r}, {cols[6]!r}") from None
            if word_id != len(heads) + 1:
                raise ValueError(f"{path}:{line_no}: word id {word_id} out of sequence")
            heads.append(word_id - 1 if head == 0 else head - 1)
            labels.append(cols[7])
    if heads:
        sents.append((heads, labels))
    return sents


def read_conll2003(path: Path) -> list[list[str]]:
    """Sentences of a CoNLL-2003 file as BILUO tag lists (the file's NER column is IOB2)."""
    sents = []
    tags: list[str] = []
    with open(path, encoding="utf8") as f:
        for line_no, line in enumerate(f, 1):
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if tags:
                    sents.append(iob2_to_biluo(tags, f"{path}:{line_no}"))
                tags = []
                continue
            if len(cols) != 4:
                raise ValueError(f"{path}:{line_no}: expected 4 columns, got {len(cols)}")
            tags.append(cols[3])
    if tags:
        sents.append(iob2_to_biluo(tags, str(path)))
    return sents


def iob2_to_biluo(iob: list[str], where: str) -> list[str]:
    out = []
    for i, tag in enumerate(iob):
        nxt = iob[i + 1] if i + 1 < len(iob) else "O"
        if tag == "O":
            out.append("O")
            continue
        prefix, _, label = tag.partition("-")
        if prefix not in ("B", "I") or not label:
            raise ValueError(f"{where}: bad IOB2 tag {tag!r}")
        continues = nxt == f"I-{label}"
        if prefix == "B":
            out.append(("B-" if continues else "U-") + label)
        else:
            out.append(("I-" if continues else "L-") + label)
    return out


def biluo_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans = []
    start = None
    for i, tag in enumerate(tags):
        if tag.startswith("U-"):
            spans.append((i, i + 1, tag[2:]))
        elif tag.startswith("B-"):
            start = i
        elif tag.startswith("L-"):
            spans.append((start, i + 1, tag[2:]))
    return spans


# ---- projectivity ----------------------------------------------------------------------------

def _is_ancestor(heads: list[int], anc: int, word: int) -> bool:
    seen = 0
    while heads[word] != word:
        word = heads[word]
        if word == anc:
            return True
        seen += 1
        if seen > len(heads):
            raise ValueError("cycle in the tree")
    return False


def nonprojective_arcs(heads: list[int]) -> list[int]:
    """Words whose arc to their head covers a word its head does not dominate."""
    bad = []
    for d, h in enumerate(heads):
        if h == d or h < 0:
            continue
        lo, hi = min(h, d), max(h, d)
        if any(not _is_ancestor(heads, h, k) for k in range(lo + 1, hi)):
            bad.append(d)
    return bad


def projectivize(heads: list[int], labels: list[str]) -> tuple[list[int], list[str]]:
    """Lift the shortest non-projective arc to the grandparent until none is left, decorating
    a lifted word's label with its original head's label ("label||headlabel")."""
    heads, labels = list(heads), list(labels)
    lifted = set()
    while True:
        bad = nonprojective_arcs(heads)
        if not bad:
            return heads, labels
        d = min(bad, key=lambda w: abs(heads[w] - w))
        if d not in lifted:
            labels[d] = f"{labels[d]}||{labels[heads[d]]}"
            lifted.add(d)
        heads[d] = heads[heads[d]]


# ---- random trees ----------------------------------------------------------------------------

def random_projective_tree(rng: random.Random, n: int) -> list[int]:
    """A random projective tree over n words (absolute heads, the root its own head)."""
    heads = [0] * n

    def build(lo: int, hi: int) -> int:
        root = rng.randrange(lo, hi)
        for a, b in ((lo, root), (root + 1, hi)):
            start = a
            while start < b:
                end = rng.randint(start + 1, b)
                heads[build(start, end)] = root
                start = end
        return root

    if n:
        r = build(0, n)
        heads[r] = r
    return heads


def random_gold(rng: random.Random, sizes: list[int], labels: list[str], p_unknown: float):
    """Concatenated random trees (one per size) with random labels, each head and label
    hidden (None) with probability p_unknown."""
    heads: list = []
    labs: list = []
    for n in sizes:
        offset = len(heads)
        tree = random_projective_tree(rng, n)
        heads.extend(h + offset for h in tree)
        labs.extend(rng.choice(labels) for _ in tree)
    heads = [None if rng.random() < p_unknown else h for h in heads]
    labs = [None if rng.random() < p_unknown else lab for lab in labs]
    return heads, labs


def parse_loss(heads, labels, gold_heads, gold_labels, root_label) -> int:
    """Head errors plus labelled-arc errors over words with a known gold head (the loss the
    parser's costs count; a root's label is never learned)."""
    loss = 0
    for w, g in enumerate(gold_heads):
        if g is None or g < 0:
            continue
        head_wrong = heads[w] != g
        label_wrong = (
            g != w and gold_labels[w] is not None and labels[w] != gold_labels[w]
        )
        loss += head_wrong + (head_wrong or label_wrong)
    return loss
