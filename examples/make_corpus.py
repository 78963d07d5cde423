"""Write the small demo corpus shipped in examples/data (our own sentences, from a grammar).

The corpus is generated from a small phrase grammar so every sentence carries complete, consistent
annotation: PTB tags, UPOS, a UD-style dependency tree and BIO entity tags in MISC (CoNLL-U). It is
deterministic (seeded), so `python examples/make_corpus.py` rewrites identical files.
"""

from __future__ import annotations

import random
from pathlib import Path

FIRST = ["Anna", "Marco", "Priya", "Tomas", "Lena", "Kofi", "Yuki", "Sara", "Ivan", "Nadia"]
LAST = ["Berg", "Rossi", "Shah", "Novak", "Okafor", "Tanaka", "Lind", "Moreau"]
ORG_HEAD = ["Labs", "Systems", "Bank", "Foods", "Motors", "Press"]
ORG_MOD = ["Northwind", "Bluefin", "Redwood", "Quartz", "Silverline", "Orbit"]
PLACES = ["Lisbon", "Oslo", "Nairobi", "Kyoto", "Lima", "Toronto", "Hanoi", "Dublin"]
NOUNS = [("engineer", "engineers"), ("teacher", "teachers"), ("box", "boxes"), ("report", "reports"),
         ("car", "cars"), ("garden", "gardens"), ("letter", "letters"), ("doctor", "doctors")]
THINGS = [("report", "reports"), ("car", "cars"), ("letter", "letters"), ("book", "books"),
          ("ticket", "tickets"), ("camera", "cameras")]
ADJS = ["old", "small", "red", "quiet", "new", "busy", "famous"]
TRANS = [("visited", "visits"), ("joined", "joins"), ("left", "leaves"), ("called", "calls"),
         ("praised", "praises")]
OBJ_VERBS = [("bought", "buys"), ("wrote", "writes"), ("sold", "sells"), ("found", "finds")]
MOVES = [("moved", "moves"), ("travelled", "travels"), ("returned", "returns")]
DAYS = ["Monday", "Friday", "Sunday"]


class Sentence:
    """Tokens with (form, xpos, upos, head index or None, deprel, entity tag)."""

    def __init__(self) -> None:
        self.rows: list[list] = []

    def add(self, form: str, xpos: str, upos: str, ent: str = "O") -> int:
        self.rows.append([form, xpos, upos, None, "", ent])
        return len(self.rows) - 1

    def attach(self, child: int, head: int, rel: str) -> None:
        self.rows[child][3] = head
        self.rows[child][4] = rel


def person(s: Sentence, rng: random.Random) -> int:
    first = s.add(rng.choice(FIRST), "NNP", "PROPN", "B-PER")
    if rng.random() < 0.6:
        s.attach(s.add(rng.choice(LAST), "NNP", "PROPN", "I-PER"), first, "flat")
    return first


def organisation(s: Sentence, rng: random.Random) -> int:
    mod = s.add(rng.choice(ORG_MOD), "NNP", "PROPN", "B-ORG")
    head = s.add(rng.choice(ORG_HEAD), "NNPS" if rng.random() < 0.3 else "NNP", "PROPN", "I-ORG")
    s.attach(mod, head, "compound")
    return head


def place(s: Sentence, rng: random.Random) -> int:
    return s.add(rng.choice(PLACES), "NNP", "PROPN", "B-LOC")


def noun_phrase(s: Sentence, rng: random.Random, nouns=NOUNS) -> int:
    plural = rng.random() < 0.4
    det = None
    if not plural or rng.random() < 0.5:
        det = s.add("the" if plural or rng.random() < 0.5 else "a", "DT", "DET")
    adjs = [s.add(rng.choice(ADJS), "JJ", "ADJ") for _ in range(rng.choice([0, 0, 1, 2]))]
    sing, plur = rng.choice(nouns)
    noun = s.add(plur if plural else sing, "NNS" if plural else "NN", "NOUN")
    if det is not None:
        s.attach(det, noun, "det")
    for adj in adjs:
        s.attach(adj, noun, "amod")
    return noun


def agent(s: Sentence, rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.45:
        return person(s, rng)
    if roll < 0.65:
        return organisation(s, rng)
    return noun_phrase(s, rng)


def prep_phrase(s: Sentence, rng: random.Random, head: int) -> None:
    roll = rng.random()
    if roll < 0.5:
        case = s.add(rng.choice(["in", "near", "from"]), "IN", "ADP")
        obj = place(s, rng)
    elif roll < 0.75:
        case = s.add("on", "IN", "ADP")
        obj = s.add(rng.choice(DAYS), "NNP", "PROPN", "B-DATE")
    else:
        case = s.add("with", "IN", "ADP")
        obj = noun_phrase(s, rng)
    s.attach(case, obj, "case")
    s.attach(obj, head, "obl")


def verb(s: Sentence, rng: random.Random, pairs) -> int:
    past, present = rng.choice(pairs)
    if rng.random() < 0.7:
        return s.add(past, "VBD", "VERB")
    return s.add(present, "VBZ", "VERB")


def clause(s: Sentence, rng: random.Random) -> int:
    kind = rng.random()
    subj = agent(s, rng)
    if rng.random() < 0.2:
        cc = s.add("and", "CC", "CCONJ")
        other = person(s, rng)
        s.attach(cc, other, "cc")
        s.attach(other, subj, "conj")
    if kind < 0.35:
        root = verb(s, rng, TRANS)
        s.attach(organisation(s, rng) if rng.random() < 0.5 else place(s, rng), root, "obj")
    elif kind < 0.7:
        root = verb(s, rng, OBJ_VERBS)
        s.attach(noun_phrase(s, rng, THINGS), root, "obj")
    else:
        root = verb(s, rng, MOVES)
        case = s.add("to", "IN", "ADP")
        obj = place(s, rng)
        s.attach(case, obj, "case")
        s.attach(obj, root, "obl")
    s.attach(subj, root, "nsubj")
    if rng.random() < 0.5:
        prep_phrase(s, rng, root)
    return root


def sentence(rng: random.Random) -> Sentence:
    s = Sentence()
    if rng.random() < 0.25:
        speaker = person(s, rng)
        said = s.add(rng.choice(["said", "wrote"]), "VBD", "VERB")
        s.attach(speaker, said, "nsubj")
        mark = s.add("that", "IN", "SCONJ")
        inner = clause(s, rng)
        s.attach(mark, inner, "mark")
        s.attach(inner, said, "ccomp")
        root = said
    else:
        root = clause(s, rng)
    s.attach(s.add(".", ".", "PUNCT"), root, "punct")
    s.rows[root][4] = "root"
    return s


def to_conllu(s: Sentence, sent_id: str) -> str:
    s.rows[0][0] = s.rows[0][0][:1].upper() + s.rows[0][0][1:]
    forms = [row[0] for row in s.rows]
    text = " ".join(forms[:-1]) + forms[-1]
    lines = [f"# sent_id = {sent_id}", f"# text = {text}"]
    for i, (form, xpos, upos, head, rel, ent) in enumerate(s.rows):
        misc = [f"NER={ent}"]
        if i == len(s.rows) - 2:
            misc.append("SpaceAfter=No")
        head_id = 0 if head is None else head + 1
        cols = [str(i + 1), form, "_", upos, xpos, "_", str(head_id), rel, "_", "|".join(misc)]
        lines.append("\t".join(cols))
    return "\n".join(lines) + "\n\n"


def main() -> None:
    out = Path(__file__).resolve().parent / "data"
    out.mkdir(exist_ok=True)
    for split, n, seed in (("train", 600, 1), ("dev", 150, 2)):
        rng = random.Random(seed)
        with open(out / f"{split}.conllu", "w", encoding="utf8") as f:
            for i in range(n):
                f.write(to_conllu(sentence(rng), f"{split}-{i + 1}"))


if __name__ == "__main__":
    main()
