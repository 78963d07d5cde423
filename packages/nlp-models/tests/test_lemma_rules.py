"""Lemma rules: a lowercase edit tree plus the case the lemma takes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_models.edit_trees import build_tree, tree_key
from nlp_models.lemma_rules import apply_rule, build_rule, recase, rule_from_key, rule_key


def test_a_lowercased_lemma_shares_its_tree_with_every_casing_of_the_form():
    rule = build_rule("Laughter", "laughter")
    assert rule == build_rule("laughter", "laughter") == build_rule("LAUGHTER", "laughter")
    assert apply_rule(rule, "Lightning") == "lightning"
    assert apply_rule(build_rule("Free", "free"), "FREE") == "free"  # not "fREE"
    assert apply_rule(build_rule("Walked", "walk"), "TALKED") == "talk"


def test_a_lemma_keeping_the_forms_case_takes_it_place_by_place():
    rule = build_rule("Marines", "Marine")
    assert rule[0] == "form"
    assert apply_rule(rule, "Dogs") == "Dog" and apply_rule(rule, "NATOs") == "NATO"
    assert apply_rule(build_rule("Abbas", "Abbas"), "HANO") == "HANO"
    assert recase("McDonalds", "mcdonald") == "McDonald"


def test_a_pair_neither_casing_explains_gets_a_raw_tree():
    rule = build_rule("us", "US")  # the lemma is upper-cased where the form is not
    assert rule == ("", build_tree("us", "US")) and apply_rule(rule, "us") == "US"
    assert rule_key(rule) == tree_key(build_tree("us", "US"))  # keys saved before rules read as raw


@pytest.mark.parametrize("form,lemma", [("walked", "walk"), ("Abbas", "Abbas"), ("İstanbul", "istanbul"),
                                        ("went", "go"), ("us", "US")])
def test_keys_round_trip(form, lemma):
    rule = build_rule(form, lemma)
    assert rule_from_key(rule_key(rule)) == rule
    assert apply_rule(rule, form) == lemma


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_every_rule_gives_back_its_own_lemma(form, lemma):
    assert apply_rule(build_rule(form, lemma), form) == lemma


def test_a_bad_key_is_one_clear_error():
    with pytest.raises(ValueError, match="not an edit tree"):
        rule_from_key("lower:{}")
