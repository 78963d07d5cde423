#!/usr/bin/env python
"""Bootstrap entity annotations with the rule-based matcher, then train an entity recognizer on
them: the seed guide's "How do I get training data?". A PhraseMatcher finds company names in any
case (attr="LOWER"), a Matcher finds "Google Maps" and amounts of money ("$", a number, an
optional "million"/"billion"); overlapping matches keep the longest; each text becomes
(text, {"entities": [(start_char, end_char, label)]}). A blank English pipeline's NER is trained
on those examples, then shows what it finds in the texts and in one it has never seen.

    python bootstrap_ner_with_matcher.py -n 30

Prints the bootstrapped examples, as in the guide's table (text, entity, start, end, label):

    Uber blew through $1 million a week | Uber | 0 | 4 | ORG
    Uber blew through $1 million a week | $1 million | 18 | 28 | MONEY
    Google Maps launches location sharing | Google Maps | 0 | 11 | PRODUCT
    ...

then the training examples (`TRAIN_DATA = [...]`), the losses after each pass, and the entities
the trained model finds:

    Entities in 'Uber blew through $1 million a week': [('Uber', 'ORG'), ('$1 million', 'MONEY')]
"""

from __future__ import annotations

import plac
from _common import pipe_of, start, train

from nlp_vocab import Matcher, PhraseMatcher

# Raw texts to annotate (our own sentences); the matcher finds the candidates in them.
TEXTS = [
    "Uber blew through $1 million a week",
    "Google Maps launches location sharing",
    "Google rebrands its business apps",
    "look what i found on google!",
    "Spotify steps up its expansion in Asia",
    "I paid $20 for Spotify last year",
    "Uber and Lyft drivers met in the city",
    "The new Google Maps update costs nothing",
    "Analysts expect Uber to spend $2 billion",
    "She searched google for cheap flights",
]
COMPANIES = ["Google", "Uber", "Spotify", "Lyft"]
UNSEEN = "Lyft paid $5 million for a Google Maps licence"


def build_matchers(nlp) -> list:
    """The rules: company names in any case, the product "Google Maps", amounts of money."""
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    phrases.add("ORG", None, *[nlp.make_doc(name) for name in COMPANIES])  # v2's add(key, on_match, *docs)
    tokens = Matcher(nlp.vocab)
    tokens.add("PRODUCT", None, [{"ORTH": "Google"}, {"ORTH": "Maps"}])
    tokens.add("MONEY", [[{"ORTH": "$"}, {"LIKE_NUM": True, "OP": "+"},  # v3's add(key, [patterns])
                          {"LOWER": {"IN": ["million", "billion"]}, "OP": "?"}]])
    return [phrases, tokens]


def longest_first(spans: list) -> list:
    """Non-overlapping spans: longer ones win, then earlier ones; returned in text order."""
    taken: set[int] = set()
    kept = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


def bootstrap(nlp, texts: list[str]) -> list:
    """One training example per text: the matched spans as character-offset entities."""
    matchers = build_matchers(nlp)
    train_data = []
    for text in texts:
        doc = nlp.make_doc(text)
        spans = longest_first([span for matcher in matchers for span in matcher(doc, as_spans=True)])
        entities = [(span.start_char, span.end_char, span.label_) for span in spans]
        for start_char, end_char, label in entities:
            print(f"{text} | {text[start_char:end_char]} | {start_char} | {end_char} | {label}")
        train_data.append((text, {"entities": entities}))
    return train_data


@plac.annotations(n_iter=("Number of training iterations", "option", "n", int))
def main(n_iter: int = 30) -> None:
    nlp = start(None)
    train_data = bootstrap(nlp, TEXTS)
    print("TRAIN_DATA =", train_data)
    ner = pipe_of(nlp, "ner", last=True)
    for _text, gold in train_data:
        for _start, _end, label in gold["entities"]:
            ner.add_label(label)
    optimizer = nlp.begin_training()
    train(nlp, list(train_data), n_iter, sgd=optimizer, drop=0.2)
    for text in [*TEXTS, UNSEEN]:
        print(f"Entities in {text!r}:", [(ent.text, ent.label_) for ent in nlp(text).ents])


if __name__ == "__main__":
    plac.call(main)
