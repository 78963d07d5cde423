"""`nlp train`'s tokenizer expansions: the multiword tokens of the training treebank whose words
do not spell them (Spanish "al" = "a" + "el", Finnish "ettei" = "että" + "ei"), learned before
the development data is tokenized and saved with the model's tokenizer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SHOWN = 5  # expansions named in the message


def learn_tokenizer_expansions(nlp: Any, train_examples: Iterable[Any]) -> dict[str, list[str]]:
    """Add to `nlp.tokenizer` the expansions its training Examples' gold teaches (every multiword
    token that stands for its words in most of its occurrences: `nlp_gold.multiword.
    learn_expansions`), say so in one line, and return them. A tokenizer without expansions (a
    custom callable) is left alone."""
    from nlp_gold.multiword import learn_expansions

    tokenizer = nlp.tokenizer
    if not hasattr(tokenizer, "expansions"):
        return {}
    learned = learn_expansions(eg.reference for eg in train_examples)
    if learned:
        tokenizer.expansions = {**tokenizer.expansions, **learned}
        shown = ", ".join(f"{surface} = {' + '.join(words)}" for surface, words in list(learned.items())[:SHOWN])
        more = f" and {len(learned) - SHOWN} more" if len(learned) > SHOWN else ""
        print(f"ℹ Tokenizer: {len(learned)} multiword token{'s' if len(learned) != 1 else ''} learned from the "
              f"training data ({shown}{more})")
    return learned
