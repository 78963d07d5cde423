"""The tokenizer on long chunks: linear time on runs of affixes, and the same tokens as the
plain prefix/suffix rules give on short ones."""

import time

import pytest

from nlp_vocab.tokenizer import Tokenizer
from nlp_vocab.vocab import Vocab


def _fresh():
    """A tokenizer with an empty cache (a cached chunk would cost nothing the second time)."""
    return Tokenizer.for_language(Vocab("en"))


def _seconds(text):
    best = float("inf")
    for _ in range(3):
        tokenizer = _fresh()
        start = time.perf_counter()
        doc = tokenizer(text)
        best = min(best, time.perf_counter() - start)
    assert doc.text == text
    return best


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n,
        lambda n: ")" * n,
        lambda n: "$" * n,
        lambda n: "'" * n,
        lambda n: '"' * n,
        lambda n: ",." * (n // 2),
        lambda n: "…" * n,
        lambda n: "(" * (n // 2) + "word" + ")" * (n // 2),
        lambda n: "a" + "'s" * (n // 2),
        lambda n: "a" * n,
        lambda n: "a-" * (n // 2),
        lambda n: "a" + "=" * n + "b",
        lambda n: "x" + "." * n + "y",
        lambda n: "a" + "!" * n + "b",
        lambda n: "a" + "*" * n + "b",
        lambda n: "a" + "?." * (n // 2) + "b",
        lambda n: "a" + "-" * n + "b",
    ],
    ids=["open", "close", "currency", "apostrophe", "quote", "comma-dot", "ellipsis", "wrapped",
         "clitics", "letters", "hyphens", "mid-equals", "mid-dots", "mid-bangs", "mid-stars",
         "mid-question-dots", "mid-dashes"],
)
def test_twenty_thousand_characters_in_linear_time(make):
    # The plain rules rescan the rest of the chunk for every affix: 20,000 "(" took 24 s,
    # 100 times the time of 2,000. Linear: about 10 times, and well under a second.
    small, large = _seconds(make(2_000)), _seconds(make(20_000))
    assert large < 1.0
    assert large < 30 * small + 0.05


def test_long_runs_split_like_short_ones():
    tokenizer = _fresh()
    for core in ("word", "U.S.", "don't", "http://example.com/page", "x@y.com", "3:30pm"):
        short = [t.text for t in tokenizer(core)]
        for n in (3, 5_000):
            doc = tokenizer("(" * n + core + ")" * n)
            assert [t.text for t in doc] == ["("] * n + short + [")"] * n
    assert [t.text for t in tokenizer("'" * 6_000)] == ["''"] * 3_000
    assert [t.text for t in tokenizer('"' * 3_000 + "no")] == ['"'] * 3_000 + ["no"]
    assert [t.text for t in tokenizer("ok" + "," * 4_000)] == ["ok"] + [","] * 4_000


def test_long_runs_of_one_rule_stay_one_token():
    tokenizer = _fresh()
    for text in ("=" * 30_000, "-" * 30_000, "!" * 30_000, "." * 30_000, "a" * 100_000):
        assert [t.text for t in tokenizer(text)] == [text]
    assert [t.text for t in tokenizer("word" + "!" * 30_000)] == ["word", "!" * 30_000]
    assert [t.text for t in tokenizer("—" * 30_000 + "x")] == ["—" * 30_000, "x"]


def test_runs_inside_a_chunk_split_like_short_ones():
    # A suffix search over the whole chunk tried every place of the run: 20,000 "=" between
    # two letters took seconds. The tokens are those of the same text with a short run.
    tokenizer = _fresh()
    for symbol in ("=", ".", "!", "*", "-"):
        for n in (3, 50_000):
            run = symbol * n
            short = [t.text.replace(symbol * 3, run) for t in tokenizer(f"a{symbol * 3}b")]
            start = time.perf_counter()
            assert [t.text for t in tokenizer(f"a{run}b")] == short
            assert time.perf_counter() - start < 1.0
    assert [t.text for t in tokenizer("x" + "." * 50_000 + "y")] == ["x", "." * 50_000, "y"]


def test_explain_names_the_rules_of_a_long_chunk():
    tokenizer = _fresh()
    assert tokenizer.explain("(" * 4_000 + "hi" + "." * 1) == (
        [("PREFIX", "(")] * 4_000 + [("TOKEN", "hi"), ("SUFFIX", ".")]
    )
