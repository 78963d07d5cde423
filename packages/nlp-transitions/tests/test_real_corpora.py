"""The oracles over the real corpora: every sentence comes back exactly."""

import sys
from pathlib import Path

import numpy
import pytest

from nlp_transitions import ArcEager, BiluoPushDown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transitions_testing import (  # noqa: E402
    biluo_spans,
    nonprojective_arcs,
    projectivize,
    read_conll2003,
    read_conllu,
)


@pytest.fixture(scope="module")
def ewt(shared_data):
    path = shared_data / "ud-en-ewt" / "ewt-train.conllu"
    if not path.exists():
        pytest.skip(f"{path} not found")
    sents = [projectivize(h, lab) for h, lab in read_conllu(path)]
    parser = ArcEager(root_label="root")
    for _, labels in sents:
        for label in labels:
            if label != "root":
                parser.add_label(label)
    return parser, sents


def test_projectivizer_output_is_projective(ewt):
    _, sents = ewt
    assert len(sents) == 12544
    assert all(not nonprojective_arcs(heads) for heads, _ in sents[:2000])


def test_static_oracle_reproduces_every_ewt_sentence(ewt):
    parser, sents = ewt
    golds = [parser.make_gold(h, lab) for h, lab in sents]
    states = parser.init_batch([len(h) for h, _ in sents])
    n_transitions = parser.follow_oracle(states, golds)
    assert n_transitions == 2 * sum(len(h) for h, _ in sents)
    exact = 0
    for (heads, labels), (got_heads, got_labels, starts) in zip(sents, parser.get_arcs(states)):
        exact += got_heads.tolist() == heads and got_labels == labels and starts.sum() == 1
    assert exact == len(sents) == 12544


def test_static_oracle_reproduces_ten_sentence_documents(ewt):
    parser, sents = ewt
    docs = []
    for i in range(0, len(sents), 10):
        heads, labels, starts = [], [], []
        for h, lab in sents[i:i + 10]:
            offset = len(heads)
            heads.extend(x + offset for x in h)
            labels.extend(lab)
            starts.extend([True] + [False] * (len(h) - 1))
        docs.append((heads, labels, starts))
    golds = [parser.make_gold(h, lab) for h, lab, _ in docs]
    states = parser.init_batch([len(h) for h, _, _ in docs])
    parser.follow_oracle(states, golds)
    exact = 0
    for (heads, labels, starts), (got_heads, got_labels, got_starts) in zip(docs, parser.get_arcs(states)):
        exact += got_heads.tolist() == heads and got_labels == labels and got_starts.tolist() == starts
    assert exact == len(docs) == 1255


def test_entity_oracle_reproduces_every_conll_sentence(shared_data):
    path = shared_data / "conll2003" / "train.txt"
    if not path.exists():
        pytest.skip(f"{path} not found")
    sents = read_conll2003(path)
    ner = BiluoPushDown()
    for tags in sents:
        for tag in tags:
            if tag != "O":
                ner.add_label(tag[2:])
    assert sorted(ner.labels) == ["LOC", "MISC", "ORG", "PER"]
    golds = [ner.make_gold(tags) for tags in sents]
    states = ner.init_batch([len(tags) for tags in sents])
    assert ner.follow_oracle(states, golds) == sum(len(tags) for tags in sents)
    gold_spans = [biluo_spans(tags) for tags in sents]
    got = ner.get_entities(states)
    assert sum(len(spans) for spans in gold_spans) == 23499
    assert sum(g == s for g, s in zip(got, gold_spans)) == len(sents) == 14041
    assert numpy.all(states.is_final())
