"""Small UD treebanks the UD tests write, with every CoNLL-U column: an English-like one with
multiword tokens our tokenizer splits the same way ("don't" = do + n't, "can't" = ca + n't), and
a Finnish-like one with case and number on its nouns, lemmas, and a conjunction fused with the
negation verb ("ettei" = että + ei) that no tokenizer rule of ours splits; a Spanish-like one
whose articles fuse with prepositions ("al" = a + el, "del" = de + el, "Al" = A + el), which do
not spell their words either. A seeded grammar makes the sentences; `# newdoc` and `# newpar`
group them."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

#: A word: form, lemma, UPOS, XPOS, FEATS, head (1-based, 0 for the root), relation.
Row = tuple[str, str, str, str, str, int, str]
#: A multiword token: first and last word (1-based) and its surface form.
Range = tuple[int, int, str]
Sentence = tuple[list[Row], list[Range]]

NAMES = ["Ada", "Ben", "Cleo", "Dev"]
VERBS = [("painted", "paint"), ("sold", "sell"), ("found", "find"), ("wrote", "write")]
NOUNS = [("boat", "boats"), ("lamp", "lamps"), ("letter", "letters"), ("song", "songs")]
ADJS = ["small", "green", "old", "quiet"]
PAST = "Mood=Ind|Tense=Past|VerbForm=Fin"


def _punct(head: int, xpos: str = ".") -> Row:
    return (".", ".", "PUNCT", xpos, "_", head, "punct")


def english(rng: random.Random) -> Sentence:
    """NAME VERBed the ADJ NOUN. | NAME don't/can't VERB NOUNs."""
    name = rng.choice(NAMES)
    (past, lemma), (noun, plural), adj = rng.choice(VERBS), rng.choice(NOUNS), rng.choice(ADJS)
    subject: Row = (name, name, "PROPN", "NNP", "Number=Sing", 2, "nsubj")
    if rng.random() < 0.5:
        return [subject, (past, lemma, "VERB", "VBD", PAST, 0, "root"),
                ("the", "the", "DET", "DT", "Definite=Def|PronType=Art", 5, "det"),
                (adj, adj, "ADJ", "JJ", "Degree=Pos", 5, "amod"),
                (noun, noun, "NOUN", "NN", "Number=Sing", 2, "obj"), _punct(2)], []
    host, host_lemma, xpos, form = rng.choice([("do", "do", "VBP", "don't"), ("ca", "can", "MD", "can't")])
    return [subject[:5] + (4, "nsubj"),
            (host, host_lemma, "AUX", xpos, "VerbForm=Fin", 4, "aux"),
            ("n't", "not", "PART", "RB", "Polarity=Neg", 4, "advmod"),
            (lemma, lemma, "VERB", "VB", "VerbForm=Inf", 0, "root"),
            (plural, noun, "NOUN", "NNS", "Number=Plur", 4, "obj"), _punct(4)], [(2, 3, form)]


#: Finnish-like nouns: lemma -> {(case, number): form}.
CASES = {
    "talo": {("Ine", "Sing"): "talossa", ("Ine", "Plur"): "taloissa", ("Ela", "Sing"): "talosta",
             ("Ela", "Plur"): "taloista", ("Ill", "Sing"): "taloon", ("Ill", "Plur"): "taloihin"},
    "metsä": {("Ine", "Sing"): "metsässä", ("Ine", "Plur"): "metsissä", ("Ela", "Sing"): "metsästä",
              ("Ela", "Plur"): "metsistä", ("Ill", "Sing"): "metsään", ("Ill", "Plur"): "metsiin"},
}
ANIMALS = {"kissa": "kissan", "koira": "koiran"}  # nominative -> genitive


def finnish(rng: random.Random) -> Sentence:
    """NAME näki ANIMAL-gen PLACE-case. | NAME sanoi ettei ANIMAL tule."""
    name = rng.choice(NAMES)
    animal = rng.choice(sorted(ANIMALS))
    subject: Row = (name, name, "PROPN", "N", "Case=Nom|Number=Sing", 2, "nsubj")
    if rng.random() < 0.6:
        place = rng.choice(sorted(CASES))
        (case, number), form = rng.choice(sorted(CASES[place].items()))
        return [subject, ("näki", "nähdä", "VERB", "V", PAST, 0, "root"),
                (ANIMALS[animal], animal, "NOUN", "N", "Case=Gen|Number=Sing", 2, "obj"),
                (form, place, "NOUN", "N", f"Case={case}|Number={number}", 2, "obl"), _punct(2, "Punct")], []
    return [subject, ("sanoi", "sanoa", "VERB", "V", PAST, 0, "root"),
            ("että", "että", "SCONJ", "C", "_", 6, "mark"),
            ("ei", "ei", "AUX", "V", "Polarity=Neg|VerbForm=Fin", 6, "aux"),
            (animal, animal, "NOUN", "N", "Case=Nom|Number=Sing", 6, "nsubj"),
            ("tule", "tulla", "VERB", "V", "Connegative=Yes|VerbForm=Fin", 2, "ccomp"),
            _punct(2, "Punct")], [(3, 4, "ettei")]


#: Spanish-like places (masculine: "a el" is written "al") and verbs of motion.
LUGARES = ["mercado", "parque", "puerto", "museo"]
PRESENT = "Mood=Ind|Number=Sing|Person=3|Tense=Pres"


def spanish(rng: random.Random) -> Sentence:
    """NAME va al PLACE. | NAME viene del PLACE. | Al final NAME canta."""
    name, place = rng.choice(NAMES), rng.choice(LUGARES)
    subject: Row = (name, name, "PROPN", "_", "Number=Sing", 2, "nsubj")
    article: Row = ("el", "el", "DET", "_", "Definite=Def|Gender=Masc", 5, "det")
    choice = rng.random()
    if choice < 0.7:
        (verb, lemma), (prep, fused) = (("va", "ir"), ("a", "al")) if choice < 0.4 else (("viene", "venir"), ("de", "del"))
        return [subject, (verb, lemma, "VERB", "_", PRESENT, 0, "root"), (prep, prep, "ADP", "_", "_", 5, "case"),
                article, (place, place, "NOUN", "_", "Gender=Masc|Number=Sing", 2, "obl"), _punct(2, "_")], [(3, 4, fused)]
    return [("A", "a", "ADP", "_", "_", 3, "case"), article[:5] + (3, "det"),
            ("final", "final", "NOUN", "_", "Number=Sing", 5, "obl"), subject[:5] + (5, "nsubj"),
            ("canta", "cantar", "VERB", "_", PRESENT, 0, "root"), _punct(5, "_")], [(1, 2, "Al")]


def sentence_lines(rows: list[Row], ranges: list[Range]) -> list[str]:
    """`# text` and the word and range lines of one sentence (the word before "." unspaced)."""
    starts = {first: (last, form) for first, last, form in ranges}
    lines, text = [], []
    i = 1
    while i <= len(rows):
        last, form = starts.get(i, (i, rows[i - 1][0]))
        glued = last < len(rows) and rows[last][0] == "."
        text.append(form + ("" if glued or last == len(rows) else " "))
        if last > i:
            lines.append("\t".join([f"{i}-{last}", form] + ["_"] * 8))
        for k in range(i, last + 1):
            form_k, lemma, upos, xpos, feats, head, dep = rows[k - 1]
            misc = "SpaceAfter=No" if glued and k == last else "_"
            lines.append("\t".join([str(k), form_k, lemma, upos, xpos, feats, str(head), dep, "_", misc]))
        i = last + 1
    return [f"# text = {''.join(text)}"] + lines


def write_treebank(path: Path, grammar: Callable[[random.Random], Sentence], n: int, seed: int = 0,
                   per_par: int = 2, per_doc: int = 4) -> Path:
    """`n` sentences of `grammar`; a paragraph every `per_par` sentences, a document every `per_doc`."""
    rng = random.Random(seed)
    lines = []
    for k in range(n):
        if k % per_doc == 0:
            lines.append(f"# newdoc id = doc{k // per_doc + 1}")
        if k % per_par == 0:
            lines.append(f"# newpar id = par{k // per_par + 1}")
        lines.append(f"# sent_id = s{k + 1}")
        lines.extend(sentence_lines(*grammar(rng)))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path
