"""Edit trees: every tree turns its own form into its lemma, trees generalize to forms of the same
shape and refuse others, keys round-trip and bad keys are named, tables intern by structure."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_models.edit_trees import (
    MAX_DEPTH,
    TreeTable,
    apply_tree,
    build_tree,
    longest_common_substring,
    tree_from_key,
    tree_key,
)

# Few letters, so forms and lemmas share substrings often; any text as well.
SHORT = st.text(alphabet="aeinst", max_size=12)
ANY = st.text(max_size=16)


@given(st.one_of(SHORT, ANY), st.one_of(SHORT, ANY))
def test_a_tree_turns_its_own_form_into_its_lemma(form, lemma):
    assert apply_tree(build_tree(form, lemma), form) == lemma


@given(st.one_of(SHORT, ANY), st.one_of(SHORT, ANY))
def test_a_key_reads_back_as_the_same_tree(form, lemma):
    tree = build_tree(form, lemma)
    key = tree_key(tree)
    assert tree_from_key(key) == tree
    assert tree_key(tree_from_key(key)) == key


@pytest.mark.parametrize("pair,other,expected", [
    (("walked", "walk"), "talked", "talk"),
    (("dogs", "dog"), "cats", "cat"),
    (("gemacht", "machen"), "gesagt", "sagen"),  # a prefix and a suffix at once
    (("taloissa", "talo"), "autoissa", "auto"),
    (("Paris", "Paris"), "London", "London"),  # identity keeps the case
    (("better", "good"), "better", "good"),  # nothing shared: a whole-word replacement
])
def test_trees_generalize_to_forms_of_the_same_shape(pair, other, expected):
    assert apply_tree(build_tree(*pair), other) == expected


@pytest.mark.parametrize("pair,other", [
    (("walked", "walk"), "walks"),  # the suffix must be "ed"
    (("walked", "walk"), "ed"),  # the kept middle may not be empty
    (("gemacht", "machen"), "macht"),  # no "ge" prefix
    (("better", "good"), "bitter"),
    (("", ""), "a"),
])
def test_a_tree_fails_on_a_form_it_does_not_fit(pair, other):
    assert apply_tree(build_tree(*pair), other) is None


def test_the_tree_of_walked_keeps_lengths_not_the_stem():
    tree = build_tree("walked", "walk")
    assert tree == (0, 2, ("", ""), ("ed", ""))
    assert tree_key(tree) == '[0,2,["",""],["ed",""]]'
    assert build_tree("talked", "talk") == tree


def test_longest_common_substring_takes_the_earliest_of_equal_ones():
    assert longest_common_substring("walked", "walk") == (4, 0, 0)
    assert longest_common_substring("abxab", "ab") == (2, 0, 0)
    assert longest_common_substring("abc", "xyz") == (0, 0, 0)
    assert longest_common_substring("", "abc") == (0, 0, 0)


def test_a_very_long_pair_is_one_leaf_that_still_round_trips():
    form, lemma = "x" * 300 + "ing", "x" * 300
    tree = build_tree(form, lemma)
    assert tree == (form, lemma)
    assert apply_tree(tree, form) == lemma and apply_tree(tree, "xing") is None


@pytest.mark.parametrize("key,message", [
    ("walk", "is not an edit tree (not JSON)"),
    ("[1, 2]", "is not an edit tree: expected [old, new] strings"),
    ('[-1,0,["",""],["",""]]', "lengths >= 0"),
    ('[true,0,["",""],["",""]]', "lengths >= 0"),
    ('[0,0,["",""],["",1]]', "is not an edit tree"),
    ('{"a": 1}', "is not an edit tree"),
])
def test_a_bad_key_is_named(key, message):
    with pytest.raises(ValueError) as info:
        tree_from_key(key)
    assert message in str(info.value) and repr(key) in str(info.value)


def test_too_deep_a_key_is_refused_without_a_recursion_error():
    key = '["",""]'
    for _ in range(MAX_DEPTH + 2):
        key = f'[0,0,{key},["",""]]'
    with pytest.raises(ValueError, match=f"deeper than {MAX_DEPTH}"):
        tree_from_key(key)
    with pytest.raises(ValueError, match="not JSON"):
        tree_from_key("[" * 100_000)


def test_a_table_interns_trees_by_structure_and_applies_them_by_id():
    table = TreeTable()
    walked = table.add(build_tree("walked", "walk"))
    assert table.add(build_tree("jumped", "jump")) == walked == 0
    dogs = table.add(build_tree("dogs", "dog"))
    assert dogs == 1 and len(table) == 2 and table[dogs] == (0, 1, ("", ""), ("s", ""))
    assert table.id_of(build_tree("went", "go")) is None
    for _ in range(2):  # the second time from the cache
        assert table.apply(walked, "talked") == "talk"
        assert table.apply(walked, "talks") is None
        assert table.apply(dogs, "cats") == "cat"
