"""Tokenizer rules read from a model folder are data: a pattern that could backtrack without
bound (nested repeats, backreferences, several repeats over the same characters) is refused
at load with one line, fast; shipped rules and patterns in the safe subset load and still work."""

import re
import time

import pytest
import srsly
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_vocab import Tokenizer, Vocab
from nlp_vocab.safe_patterns import builtin_patterns, check_infix_pattern, check_pattern

SAFE = [
    r"\$", r"[\[\(]", r"-+", r"\d+\.\d+", r"\d+(?:\.\d+)?", r"[A-Z][a-z]+", r"(?i:ab|cd)", r"(?<=\d)\.",
    r"x(?=\d)", r"\d+$", r"a{2,3}b", r"(?:ab){3}", r"\w+\b", r"\d+(?=\.)", r"(?>a+)b",
]
UNSAFE = {
    r"(?:a+)+b": "a group repeats",
    r"(a|a)*b": "a group repeats",
    r"(a*)*": "a group repeats",
    r"(?:ab)+": "a group repeats",
    r"(\w)\1": "backreferences",
    r"(?P<x>a)(?P=x)": "backreferences",
    r"(a)?(?(1)b|c)": "backreferences and conditional groups",
    r"\w*\w*x": "characters it can match too",
    r"\d+\d+\d+$": "characters it can match too",
    r"\w+(?=\w+x)": "characters it can match too",
    r"\w+\w": "characters it can match too",
    r"\w*\w+?": "characters it can match too",
    r"(?m)(?:\s*$){40}x": "characters it can match too",  # with (?m), $ matches before each \n
    r"(?:(?m:\s*$)){40}x": "characters it can match too",
    r"(?:a?){40}a": "combinations",
    r"(?:ab|cd|ef|gh|ij){5}": "combinations",
    "(": "not a valid regular expression",
    "a" * 1001: "longer than 1000",
}


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_subset_is_accepted(pattern):
    check_pattern(pattern)


@pytest.mark.parametrize("pattern,reason", list(UNSAFE.items()))
def test_unbounded_patterns_are_refused(pattern, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        check_pattern(pattern)


def test_characters_decide_whether_a_repeat_is_pinned_down():
    check_pattern(r"[a-z]+\.[a-z]+")  # "." stops the first repeat
    with pytest.raises(ValueError, match="can match too"):
        check_pattern(r"[a-z.]+\.[a-z]+")  # "." can be in the first repeat too
    check_pattern(r"[a-z]+K")
    with pytest.raises(ValueError, match="can match too"):
        check_pattern(r"(?i:[a-z]+)K")  # case-insensitively, K is a letter of the repeat
    check_pattern(r"\d+[\u0590-\u05ff]")  # no digit is a Hebrew letter
    with pytest.raises(ValueError, match="can match too"):
        check_pattern(r"\d+[\u0600-\u06ff]")  # Arabic-Indic digits are \d, and in that block


def test_accepted_patterns_stay_fast_on_hostile_text():
    hostile = "a" * 20000 + "!"
    for pattern in SAFE:
        compiled = re.compile(f"(?:{pattern})$")
        start = time.perf_counter()
        compiled.match(hostile)
        compiled.search(hostile[:2000])
        assert time.perf_counter() - start < 1.0, pattern


_ATOMS = ["a", "b", r"\w", r"\d", "[ab]", ".", r"\.", "x", "[^b]", r"\b", "$", "(?=a)", "(?<=a)"]
_QUANTIFIERS = ["", "", "+", "*", "?", "{2}", "{1,3}", "+?", "*?"]


def _patterns() -> st.SearchStrategy[str]:
    """Random patterns: atoms, groups and alternations, each with a random quantifier."""
    def quantified(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(inner, st.sampled_from(_QUANTIFIERS)).map("".join)

    def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = children.map(lambda p: f"(?:{p})")
        either = st.tuples(children, children).map(lambda ps: f"(?:{ps[0]}|{ps[1]})")
        return st.lists(quantified(st.one_of(group, either, children)), min_size=1, max_size=4).map("".join)

    return st.recursive(quantified(st.sampled_from(_ATOMS)), combine, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_patterns())
def test_every_accepted_pattern_matches_in_linear_time(pattern):
    """Either the check refuses the pattern, or one match attempt on 20,000 hostile characters
    takes milliseconds (a quadratic attempt would take seconds, an exponential one forever)."""
    try:
        check_pattern(pattern)
    except ValueError:
        return
    compiled = re.compile(f"(?:{pattern})$")
    start = time.perf_counter()
    for hostile in ("a" * 20000 + "!", "ab" * 10000 + "!", "1" * 20000 + "!", "a." * 10000 + "!"):
        compiled.match(hostile)
    assert time.perf_counter() - start < 0.5, pattern


def test_shipped_rules_are_trusted_as_they_are():
    shipped = builtin_patterns()
    en = Tokenizer.for_language(Vocab("en"))
    assert set(en.prefixes) | set(en.suffixes) | set(en.infixes) <= shipped
    assert en.url_match in shipped and en.token_match in shipped
    with pytest.raises(ValueError, match="a group repeats"):  # trusted, not because they pass
        check_pattern(en.url_match)


def _serialized(rules: dict, exceptions: object = None) -> bytes:
    return srsly.msgpack_dumps({"rules": rules, "exceptions": {} if exceptions is None else exceptions})


def test_a_catastrophic_rule_fails_fast_at_load(tmp_path):
    path = tmp_path / "tokenizer"
    path.write_bytes(_serialized({"prefixes": [r"\(", r"(?:a+)+b"], "suffixes": [], "infixes": []}))
    start = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        Tokenizer(Vocab("en")).from_disk(path)
    assert time.perf_counter() - start < 2.0
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "'(?:a+)+b'" in message and "\n" not in message


@pytest.mark.parametrize("rules,exceptions,expect", [
    ({"prefixes": "x"}, {}, "prefixes must be a list"),
    ({"prefixes": [5]}, {}, "a rule must be a string"),
    ({"token_match": r"(a)\1"}, {}, "token_match rule"),
    ({"shell": "rm"}, {}, "unknown rule fields"),
    ({"infixes": [f"x{i}" * 300 for i in range(9)]}, {}, "more than 5000"),
    ({}, [], "special cases must be an object"),
    ({}, {"ab": ["a", "b"]}, "each piece must be a dict"),
    ({}, {"ab": [{"ORTH": "b"}]}, "do not spell the key"),
])
def test_malformed_rules_name_the_file(tmp_path, rules, exceptions, expect):
    path = tmp_path / "tokenizer"
    path.write_bytes(_serialized(rules, exceptions))
    with pytest.raises(ValueError, match=re.escape(expect)) as caught:
        Tokenizer(Vocab("en")).from_disk(path)
    assert str(caught.value).startswith(str(path))


def test_safe_custom_rules_round_trip_and_unsafe_ones_are_not_saved(tmp_path):
    tok = Tokenizer(Vocab("xx"), prefixes=[r"\$"], suffixes=[r"\d+(?:\.\d+)?%"], infixes=[r"~"])
    tok.to_disk(tmp_path / "tokenizer")
    loaded = Tokenizer(Vocab("xx")).from_disk(tmp_path / "tokenizer")
    assert [t.text for t in loaded("$5 12.5% a~b")] == ["$", "5", "12.5%", "a", "~", "b"]
    tok.infixes = [r"(?:~+)+"]  # in memory it is the caller's code; saved it would not load
    with pytest.raises(ValueError, match=r"infixes rule '\(\?:~\+\)\+' is not allowed"):
        tok.to_bytes()


def test_end_anchor_pins_a_repeat_only_at_the_end_of_the_text():
    check_pattern(r"(?:\s*$){40}x")  # $ only at the end (or before a final newline)
    check_pattern(r"(?m)\d+$")  # no digit is a newline
    start = time.perf_counter()
    re.compile(r"(?:\s*$){40}x").match(" \n" * 10_000)
    assert time.perf_counter() - start < 1.0


SAFE_INFIXES = [r"~", r"x\d+y", r"(?<=\d)[+*^](?=\d)", r"x(?=\d+y)", r"\d{1,3}x", r"-(?<=[a-z]-)(?=[a-z])"]
UNSAFE_INFIXES = {
    r"\d+x": "a repeat can match a character the infix starts with",
    r"[x\d]\d+y": "a repeat can match a character the infix starts with",
    r"x?\d+y": "a repeat can match a character the infix starts with",
    r"(?:ab|\d+c)": "a repeat can match a character the infix starts with",
    r"(?=\d+x)y": "look-around that repeats",
    r"\b": "must start with a character",
}


@pytest.mark.parametrize("pattern,reason", list(UNSAFE_INFIXES.items()))
def test_infixes_whose_search_is_quadratic_are_refused_at_load(pattern, reason):
    check_pattern(pattern)  # one match attempt is bounded; a search makes one at every place
    with pytest.raises(ValueError, match=re.escape(reason)):
        Tokenizer(Vocab("xx")).from_bytes(_serialized({"infixes": [pattern]}))


@pytest.mark.parametrize("pattern", SAFE_INFIXES)
def test_accepted_infixes_split_long_chunks_in_linear_time(pattern):
    check_infix_pattern(pattern)
    tokenizer = Tokenizer(Vocab("xx")).from_bytes(_serialized({"infixes": [pattern]}))
    for hostile in ("a" + "1" * 20000 + "b", "ax" + "1" * 20000, "a" + "x1" * 10000, "a-" * 10000):
        start = time.perf_counter()
        assert tokenizer(hostile).text == hostile
        assert time.perf_counter() - start < 0.5, hostile[:4]
    assert [t.text for t in Tokenizer(Vocab("xx"), infixes=[r"x\d+y"])("ax12yb")] == ["a", "x12y", "b"]
