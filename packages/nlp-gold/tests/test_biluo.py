import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_gold import (
    BiluoError,
    GoldError,
    MisalignedEntityWarning,
    biluo_tags_from_offsets,
    biluo_to_iob,
    iob_to_biluo,
    offsets_from_biluo_tags,
    spans_from_biluo_tags,
    tags_to_entities,
)
from nlp_gold.biluo import tag_entity
from nlp_vocab import Doc, Vocab


def make_doc(words, spaces=None):
    return Doc(Vocab("en"), words=words, spaces=spaces)


def test_offsets_to_biluo_on_doc():
    doc = make_doc(["I", "like", "London", "and", "New", "York", "City", "."], [True] * 7 + [False])
    tags = biluo_tags_from_offsets(doc, [(7, 13, "LOC"), (18, 31, "GPE")])
    assert tags == ["O", "O", "U-LOC", "O", "B-GPE", "I-GPE", "L-GPE", "O"]
    assert offsets_from_biluo_tags(doc, tags) == [(7, 13, "LOC"), (18, 31, "GPE")]
    spans = spans_from_biluo_tags(doc, tags)
    assert [(s.text, s.label_) for s in spans] == [("London", "LOC"), ("New York City", "GPE")]


def test_tag_entity_writes_one_entity_in_place():
    tags = ["O"] * 6
    tag_entity(tags, 1, 1, "PER")
    tag_entity(tags, 2, 4, "ORG")
    assert tags == ["O", "U-PER", "B-ORG", "I-ORG", "L-ORG", "O"]
    assert tags_to_entities(tags) == [("PER", 1, 2), ("ORG", 2, 5)]


def test_misaligned_entity_becomes_missing_with_warning():
    doc = make_doc(["Hello", "Londoner", "!"])
    with pytest.warns(MisalignedEntityWarning, match="LOC"):
        tags = biluo_tags_from_offsets(doc, [(6, 12, "LOC")])
    assert tags == ["O", "-", "O"]


def test_overlapping_entities_raise():
    with pytest.raises(GoldError, match="overlapping"):
        biluo_tags_from_offsets([(0, 3), (4, 7)], [(0, 7, "A"), (4, 7, "B")])


def test_missing_default_can_be_dash():
    assert biluo_tags_from_offsets([(0, 3), (4, 7)], [(4, 7, "B")], missing="-") == ["-", "U-B"]


@pytest.mark.parametrize(
    "tags,pos",
    [(["O", "I-PER"], 1), (["B-PER", "O"], 1), (["B-PER", "L-LOC"], 1), (["U-X", "L-X"], 1), (["B-X"], 0), (["Q-X"], 0)],
)
def test_invalid_biluo_raises_with_position(tags, pos):
    with pytest.raises(BiluoError, match=f"position {pos}"):
        tags_to_entities(tags)


def test_iob1_and_iob2_read_the_same():
    iob2 = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "O", "B-ORG"]
    iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "O", "I-ORG"]
    expected = ["B-PER", "L-PER", "O", "U-LOC", "B-LOC", "L-LOC", "O", "U-ORG"]
    assert iob_to_biluo(iob2) == expected
    assert iob_to_biluo(iob1) == expected
    assert biluo_to_iob(expected) == iob2


def test_invalid_iob_raises():
    with pytest.raises(BiluoError, match="position 1"):
        iob_to_biluo(["O", "X-PER"])


@st.composite
def tokens_and_entities(draw):
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=25))
    offsets = []
    pos = 0
    for n in lengths:
        offsets.append((pos, pos + n))
        pos += n + 1
    ents = []
    i = 0
    while i < len(offsets):
        if draw(st.booleans()):
            length = draw(st.integers(1, 3))
            j = min(len(offsets), i + length)
            ents.append((offsets[i][0], offsets[j - 1][1], draw(st.sampled_from(["PER", "LOC", "ORG"]))))
            i = j + draw(st.integers(0, 2))
        else:
            i += 1
    return offsets, ents


@given(tokens_and_entities())
def test_offsets_biluo_round_trip(data):
    offsets, ents = data
    tags = biluo_tags_from_offsets(offsets, ents)
    assert offsets_from_biluo_tags(offsets, tags) == sorted(ents)
    assert iob_to_biluo(biluo_to_iob(tags)) == tags
