"""Matcher and PhraseMatcher as spaCy v2 users type them: add signatures (v2 and v3), operators,
every attribute family, overlapping matches, callbacks, phrase matching on ORTH/LOWER/TAG, one-line
errors, a random comparison with a brute-force reference, and a speed sanity check."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_vocab import Doc, Matcher, PhraseMatcher, Span, Vocab

VOCAB = Vocab("en")


def make(text, **annotation):
    return Doc(VOCAB, text.split(), **annotation)


def spans(matches, doc):
    """(key string, matched text) pairs, in the matcher's order."""
    return [(VOCAB.strings[key], doc[start:end].text) for key, start, end in matches]


# ---- the API -----------------------------------------------------------------------------------


def test_guide_example_v2_signature():
    matcher = Matcher(VOCAB)
    matcher.add("GoogleMaps", None, [{"ORTH": "Google"}, {"ORTH": "Maps"}])
    doc = make("Google Maps launches location sharing , says Google")
    matches = matcher(doc)
    assert matches == [(VOCAB.strings["GoogleMaps"], 0, 2)]
    match_id, start, end = matches[0]
    assert VOCAB.strings[match_id] == "GoogleMaps" and doc[start:end].text == "Google Maps"


def test_v3_signature_and_rule_bookkeeping():
    matcher = Matcher(VOCAB)
    pattern = [{"LOWER": "hello"}, {"IS_PUNCT": True, "OP": "?"}, {"LOWER": "world"}]
    matcher.add("HelloWorld", [pattern])
    matcher.add("Wave", None, [{"LOWER": "hi"}], [{"LOWER": "hey"}])
    assert len(matcher) == 2 and "HelloWorld" in matcher and "Nope" not in matcher
    assert matcher.get("HelloWorld") == (None, [pattern])
    assert matcher.get("Nope", "absent") == "absent"
    doc = make("hey Hello , world hi")
    assert spans(matcher(doc), doc) == [("Wave", "hey"), ("HelloWorld", "Hello , world"), ("Wave", "hi")]
    # adding to a key extends its patterns, as v2 did
    matcher.add("Wave", None, [{"LOWER": "world"}])
    assert len(matcher) == 2 and len(matcher.get("Wave")[1]) == 3
    matcher.remove("Wave")
    assert len(matcher) == 1 and "Wave" not in matcher
    assert spans(matcher(doc), doc) == [("HelloWorld", "Hello , world")]
    with pytest.raises(KeyError, match="Wave"):
        matcher.remove("Wave")


def test_int_keys_and_as_spans():
    matcher = Matcher(VOCAB)
    key = VOCAB.strings.add("CITY")
    matcher.add(key, [[{"ORTH": "Oslo"}]])
    doc = make("from Oslo to Rome")
    assert matcher(doc) == [(key, 1, 2)]
    assert matcher(doc, as_spans=True) == [Span(doc, 1, 2, label="CITY")]
    assert matcher(doc, as_spans=True)[0].label_ == "CITY"


def test_pipe_yields_docs_or_matches_with_context():
    matcher = Matcher(VOCAB)
    matcher.add("A", None, [{"LOWER": "a"}])
    docs = [make("a b"), make("b b a")]
    assert list(matcher.pipe(docs)) == docs
    pairs = list(matcher.pipe([(doc, i) for i, doc in enumerate(docs)], return_matches=True, as_tuples=True))
    assert [(matches, context) for (_doc, matches), context in pairs] == [
        ([(VOCAB.strings["A"], 0, 1)], 0), ([(VOCAB.strings["A"], 2, 3)], 1)
    ]


def test_on_match_callbacks_see_every_match_after_matching():
    seen = []

    def label_as_product(matcher, doc, i, matches):
        match_id, start, end = matches[i]
        seen.append((i, doc[start:end].text, len(matches)))
        doc.ents = [*doc.ents, Span(doc, start, end, label="PRODUCT")]

    matcher = Matcher(VOCAB)
    matcher.add("GoogleMaps", label_as_product, [{"ORTH": "Google"}, {"ORTH": "Maps"}])
    matcher.add("Plain", None, [{"ORTH": "uses"}])
    matcher.add("Pay", [[{"ORTH": "Android"}, {"ORTH": "Pay"}]], on_match=label_as_product)
    doc = make("she uses Google Maps and Android Pay")
    matches = matcher(doc)
    assert len(matches) == 3
    assert seen == [(1, "Google Maps", 3), (2, "Android Pay", 3)]
    assert [(e.text, e.label_) for e in doc.ents] == [("Google Maps", "PRODUCT"), ("Android Pay", "PRODUCT")]


# ---- operators -----------------------------------------------------------------------------------

OPERATOR_CASES = [
    ([{"ORTH": "b"}], {(1, 2), (2, 3), (4, 5)}),
    ([{"ORTH": "a"}, {"ORTH": "b", "OP": "1"}], {(0, 2), (3, 5)}),
    ([{"ORTH": "a"}, {"ORTH": "b", "OP": "?"}], {(0, 1), (0, 2), (3, 4), (3, 5)}),
    ([{"ORTH": "a"}, {"ORTH": "b", "OP": "*"}], {(0, 1), (0, 2), (0, 3), (3, 4), (3, 5)}),
    ([{"ORTH": "a"}, {"ORTH": "b", "OP": "+"}], {(0, 2), (0, 3), (3, 5)}),
    ([{"ORTH": "a"}, {"ORTH": "b", "OP": "!"}], set()),
    ([{"ORTH": "b"}, {"ORTH": "b", "OP": "!"}], {(2, 4)}),
    ([{"ORTH": "b", "OP": "+"}], {(1, 2), (1, 3), (2, 3), (4, 5)}),
    ([{"ORTH": "a", "OP": "?"}, {"ORTH": "b"}], {(0, 2), (1, 2), (2, 3), (3, 5), (4, 5)}),
    ([{"ORTH": "a"}, {"OP": "*"}, {"ORTH": "b"}], {(0, 2), (0, 3), (0, 5), (3, 5)}),
    ([{"ORTH": "a"}, {}, {"ORTH": "a"}], set()),
    ([{"ORTH": "x", "OP": "?"}, {"ORTH": "x", "OP": "*"}], set()),  # never an empty match
]


@pytest.mark.parametrize("pattern,expected", OPERATOR_CASES)
def test_operators(pattern, expected):
    matcher = Matcher(VOCAB)
    matcher.add("P", [pattern])
    doc = make("a b b a b")
    matches = matcher(doc)
    assert {(start, end) for _key, start, end in matches} == expected
    assert matches == sorted(matches, key=lambda m: (m[1], m[2]))


def test_overlapping_matches_are_all_returned_once_per_key():
    matcher = Matcher(VOCAB)
    matcher.add("NP", None, [{"TAG": "J", "OP": "*"}, {"TAG": "N", "OP": "+"}], [{"TAG": "N"}])
    matcher.add("NOUN", None, [{"TAG": "N"}])
    doc = make("big red fire truck", tags=["J", "J", "N", "N"])
    found = [(VOCAB.strings[k], s, e) for k, s, e in matcher(doc)]
    assert found == [
        ("NP", 0, 3), ("NP", 0, 4), ("NP", 1, 3), ("NP", 1, 4),
        ("NP", 2, 3), ("NOUN", 2, 3), ("NP", 2, 4), ("NP", 3, 4), ("NOUN", 3, 4),
    ]


# ---- attribute families --------------------------------------------------------------------------

ATTRIBUTE_CASES = [
    ({"TEXT": "Colour"}, ["Colour"]),
    ({"ORTH": "colour"}, []),
    ({"LOWER": "colour"}, ["Colour"]),
    ({"NORM": "color"}, ["Colour", "color"]),
    ({"SHAPE": "dddd"}, ["2019"]),
    ({"PREFIX": "c", "SUFFIX": "lor"}, ["color"]),
    ({"LENGTH": 4}, ["2019", "info"]),
    ({"LENGTH": {">=": 6}}, ["Colour", "a@b.org", "example.com"]),
    ({"LENGTH": {">": 1, "<": 4, "!=": 3}}, ["IS", "in"]),
    ({"LENGTH": {"==": 1}}, ["!"]),
    ({"LENGTH": {"<=": 1}}, ["!"]),
    ({"IS_DIGIT": True}, ["2019"]),
    ({"IS_ALPHA": True, "IS_LOWER": True}, ["color", "in", "info"]),
    ({"IS_UPPER": True}, ["IS"]),
    ({"IS_TITLE": True}, ["Colour"]),
    ({"IS_PUNCT": True}, ["!"]),
    ({"IS_STOP": True}, ["IS", "in"]),
    ({"IS_ASCII": False}, []),
    ({"IS_SPACE": True}, []),
    ({"LIKE_NUM": True}, ["2019"]),
    ({"LIKE_EMAIL": True}, ["a@b.org"]),
    ({"LIKE_URL": True}, ["example.com"]),
    ({"LOWER": {"IN": ["colour", "info"]}}, ["Colour", "info"]),
    ({"LOWER": {"NOT_IN": ["colour", "color", "info"]}, "IS_ALPHA": True}, ["IS", "in"]),
    ({"TAG": "NN"}, ["Colour", "color", "info", "a@b.org", "example.com"]),
    ({"POS": "NOUN", "ORTH": "color"}, ["color"]),
    ({"DEP": "ROOT"}, ["IS"]),
    ({"LEMMA": "be"}, ["IS"]),
    ({"ENT_TYPE": "DATE"}, ["in", "2019"]),
    ({"ENT_TYPE": ""}, ["Colour", "color", "IS", "info", "a@b.org", "example.com", "!"]),
]
ATTRIBUTE_DOC = dict(
    tags=["NN", "NN", "VBZ", "IN", "CD", "NN", "NN", "NN", "."],
    pos=["NOUN", "NOUN", "AUX", "ADP", "NUM", "NOUN", "PROPN", "PROPN", "PUNCT"],
    deps=["nsubj", "conj", "ROOT", "prep", "pobj", "attr", "appos", "appos", "punct"],
    heads=[2, 0, 2, 2, 3, 2, 5, 5, 2],
    lemmas=["colour", "color", "be", "in", "2019", "info", "a@b.org", "example.com", "!"],
    ents=["O", "O", "O", "B-DATE", "I-DATE", "O", "O", "O", "O"],
)


@pytest.mark.parametrize("spec,expected", ATTRIBUTE_CASES)
def test_attribute_families(spec, expected):
    doc = make("Colour color IS in 2019 info a@b.org example.com !", **ATTRIBUTE_DOC)
    matcher = Matcher(VOCAB)
    matcher.add("A", [[spec]])
    assert [doc[start].text for _key, start, _end in matcher(doc)] == expected


def test_attribute_names_are_case_insensitive():
    matcher = Matcher(VOCAB)
    matcher.add("A", [[{"lower": "hi", "op": "+"}]])
    assert [(s, e) for _k, s, e in matcher(make("Hi hi"))] == [(0, 1), (0, 2), (1, 2)]


# ---- PhraseMatcher -------------------------------------------------------------------------------


def test_phrase_matcher_orth_and_lower():
    doc = make("Google Maps and google maps and GOOGLE")
    terms = ["Google Maps", "google", "Google"]
    exact = PhraseMatcher(VOCAB)
    exact.add("ORG", None, *[make(t) for t in terms])
    assert spans(exact(doc), doc) == [("ORG", "Google"), ("ORG", "Google Maps"), ("ORG", "google")]
    lower = PhraseMatcher(VOCAB, attr="LOWER")
    lower.add("ORG", [make(t) for t in terms])
    lower.add("MAPS", [make("maps")])
    assert spans(lower(doc), doc) == [
        ("ORG", "Google"), ("ORG", "Google Maps"), ("MAPS", "Maps"),
        ("ORG", "google"), ("ORG", "google maps"), ("MAPS", "maps"), ("ORG", "GOOGLE"),
    ]
    assert len(lower) == 2 and "MAPS" in lower
    lower.remove("MAPS")
    assert [VOCAB.strings[k] for k, _s, _e in lower(doc)] == ["ORG"] * 5


def test_phrase_matcher_on_tags_callbacks_and_spans():
    calls = []
    matcher = PhraseMatcher(VOCAB, attr="TAG")
    matcher.add("ADJ_NOUN", [make("big dog", tags=["JJ", "NN"])], on_match=lambda m, d, i, ms: calls.append(i))
    doc = make("a red car and a dog", tags=["DT", "JJ", "NN", "CC", "DT", "NN"])
    assert matcher(doc, as_spans=True) == [Span(doc, 1, 3, label="ADJ_NOUN")]
    assert calls == [0]


def test_phrase_matcher_text_alias_and_empty_doc():
    matcher = PhraseMatcher(VOCAB, attr="TEXT")
    matcher.add("X", None, make("x y"))
    assert matcher(Doc(VOCAB, [])) == []
    assert matcher(make("x y x y")) == [(VOCAB.strings["X"], 0, 2), (VOCAB.strings["X"], 2, 4)]


# ---- errors: one line naming the key, the pattern and the token ---------------------------------

MATCHER_ERRORS = [
    (("K", None, [{"ORTH": "a"}, {"FOO": "b"}]), "Matcher.add('K'): pattern 0, token 1: unknown attribute 'FOO'"),
    (("K", None, [{"ORTH": "a"}], [{"OP": "%"}]), "pattern 1, token 0: unknown operator '%'"),
    (("K", None, []), "pattern 0 is empty"),
    (("K", [[]]), "pattern 0 is empty"),
    (("K", None), "no patterns given"),
    (("K", [{"ORTH": "a"}]), "pattern 0 is a dict, not a list of token dicts"),
    (("K", None, "abc"), "pattern 0 must be a list of token dicts, got str"),
    (("K", None, ["ORTH"]), "pattern 0, token 0: must be a dict"),
    (("K", None, [{"ORTH": 3}]), "pattern 0, token 0: ORTH expects a str, got int"),
    (("K", None, [{"IS_DIGIT": "yes"}]), "token 0: IS_DIGIT expects True or False, got str"),
    (("K", None, [{"LENGTH": "4"}]), "token 0: LENGTH expects an int from 0 to 2**31 - 1"),
    (("K", None, [{"LENGTH": 2**64}]), "token 0: LENGTH expects an int from 0 to 2**31 - 1"),
    (("K", None, [{"LENGTH": {"<": 2**63}}]), "token 0: LENGTH expects an int from 0 to 2**31 - 1"),
    (("K", None, [{"LOWER": {"IN": "abc"}}]), "token 0: LOWER IN expects a list"),
    (("K", None, [{"LOWER": {"REGEX": "^a"}}]), "unknown predicate 'REGEX'"),
    (("K", None, [{"LOWER": {">=": 3}}]), "comparison '>=' applies to LENGTH, not LOWER"),
    (("K", None, [{"LOWER": {}}]), "LOWER has an empty predicate dict"),
    (("K", 42), "second argument must be on_match"),
    (("K", [[{"ORTH": "a"}]], [[{"ORTH": "b"}]]), "give the patterns as one list"),
    ((3.5, None, [{"ORTH": "a"}]), "a rule key is a str or an int id, got float"),
]


@pytest.mark.parametrize("args,message", MATCHER_ERRORS)
def test_matcher_errors_are_one_line(args, message):
    matcher = Matcher(VOCAB)
    with pytest.raises(ValueError) as error:
        matcher.add(*args)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert len(matcher) == 0


def test_matcher_error_leaves_earlier_rules_alone():
    matcher = Matcher(VOCAB)
    matcher.add("K", None, [{"ORTH": "a"}])
    with pytest.raises(ValueError, match="pattern 1, token 0"):
        matcher.add("K", None, [{"ORTH": "b"}], [{"ORTH": "c", "OP": "++"}])
    assert matcher.get("K") == (None, [[{"ORTH": "a"}]])
    with pytest.raises(ValueError, match="on_match must be None or a callable"):
        matcher.add("K", [[{"ORTH": "a"}]], on_match="print")
    with pytest.raises(ValueError, match="on_match given twice"):
        matcher.add("K", None, [{"ORTH": "a"}], on_match=print)


@pytest.mark.parametrize("make_matcher,args,message", [
    (lambda: PhraseMatcher(VOCAB), ("K", None, "google"), "PhraseMatcher.add('K'): phrase 0 must be a Doc"),
    (lambda: PhraseMatcher(VOCAB), ("K", [make("a"), Doc(VOCAB, [])]), "phrase 1 is an empty Doc"),
    (lambda: PhraseMatcher(VOCAB, attr="TAG"), ("K", [make("a b", tags=["N", None])]), "phrase 0: token 1 has no TAG"),
])
def test_phrase_matcher_errors(make_matcher, args, message):
    with pytest.raises(ValueError) as error:
        make_matcher().add(*args)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_matchers_take_a_doc():
    for matcher in (Matcher(VOCAB), PhraseMatcher(VOCAB)):
        with pytest.raises(TypeError, match="expects a Doc, got str"):
            matcher("Google Maps")
    with pytest.raises(TypeError):
        Matcher(None)


def test_phrase_matcher_rejects_unknown_attr():
    with pytest.raises(ValueError, match="attr 'IS_ALPHA' is not supported"):
        PhraseMatcher(VOCAB, attr="IS_ALPHA")


# ---- the C matcher against a brute-force reference -----------------------------------------------

WORDS = ["a", "A", "b", "bb", "1", "22", "."]
GETTERS = {
    "ORTH": lambda t: t.text,
    "LOWER": lambda t: t.lower_,
    "TAG": lambda t: t.tag_,
    "IS_DIGIT": lambda t: t.is_digit,
    "LENGTH": lambda t: len(t.text),
}
COMPARE = {"IN": lambda v, a: v in a, "NOT_IN": lambda v, a: v not in a, ">=": lambda v, a: v >= a,
           "<": lambda v, a: v < a, "==": lambda v, a: v == a}


def _accepts(spec, token):
    for attr, want in spec.items():
        if attr == "OP":
            continue
        have = GETTERS[attr](token)
        predicates = want if isinstance(want, dict) else {"==": want}
        if not all(COMPARE[p](have, arg) for p, arg in predicates.items()):
            return False
    return True


def _full_match(pattern, tokens):
    """Whether the whole token list matches the pattern: a direct recursive reading of the operators."""
    def go(q, i):
        if q == len(pattern):
            return i == len(tokens)
        spec, op = pattern[q], pattern[q].get("OP", "1")
        here = i < len(tokens) and _accepts(spec, tokens[i])
        if op == "1":
            return here and go(q + 1, i + 1)
        if op == "!":
            return i < len(tokens) and not here and go(q + 1, i + 1)
        if op == "?":
            return go(q + 1, i) or (here and go(q + 1, i + 1))
        if op == "*":
            return go(q + 1, i) or (here and go(q, i + 1))
        return here and (go(q + 1, i + 1) or go(q, i + 1))  # "+"
    return go(0, 0)


def _reference(rules, doc):
    tokens = list(doc)
    found = set()
    for order, (_key, patterns) in enumerate(rules):
        for start in range(len(tokens)):
            for end in range(start + 1, len(tokens) + 1):
                if any(_full_match(p, tokens[start:end]) for p in patterns):
                    found.add((start, end, order))
    return sorted(found)


value_for = {
    "ORTH": st.sampled_from(WORDS),
    "LOWER": st.sampled_from(["a", "b", "bb"]),
    "TAG": st.sampled_from(["N", "V"]),
    "IS_DIGIT": st.booleans(),
    "LENGTH": st.integers(0, 3),
}
plain_specs = st.sampled_from(sorted(value_for)).flatmap(lambda a: value_for[a].map(lambda v: {a: v}))
predicate_specs = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=3).flatmap(
        lambda vs: st.sampled_from(["IN", "NOT_IN"]).map(lambda p: {"LOWER": {p: vs}})),
    st.tuples(st.sampled_from([">=", "<", "=="]), st.integers(0, 3)).map(lambda pa: {"LENGTH": {pa[0]: pa[1]}}),
)
token_specs = st.tuples(
    st.lists(st.one_of(plain_specs, predicate_specs), max_size=2),
    st.sampled_from(["1", "!", "?", "*", "+"]),
).map(lambda t: {**{k: v for d in t[0] for k, v in d.items()}, "OP": t[1]})
patterns = st.lists(token_specs, min_size=1, max_size=4)
rules = st.lists(st.lists(patterns, min_size=1, max_size=2), min_size=1, max_size=3)
docs = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(["N", "V"])), max_size=9)


@settings(max_examples=300, deadline=None)
@given(rules=rules, words=docs)
def test_matcher_agrees_with_brute_force(rules, words):
    doc = Doc(VOCAB, [w for w, _t in words], tags=[t for _w, t in words]) if words else Doc(VOCAB, [])
    matcher = Matcher(VOCAB)
    named = [(f"R{i}", patterns_) for i, patterns_ in enumerate(rules)]
    for key, patterns_ in named:
        matcher.add(key, patterns_)
    order = {VOCAB.strings[key]: i for i, (key, _p) in enumerate(named)}
    assert [(s, e, order[k]) for k, s, e in matcher(doc)] == _reference(named, doc)


@settings(max_examples=150, deadline=None)
@given(phrases=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), min_size=1, max_size=5),
       words=st.lists(st.sampled_from(WORDS), max_size=12))
def test_phrase_matcher_agrees_with_brute_force(phrases, words):
    doc = Doc(VOCAB, words)
    matcher = PhraseMatcher(VOCAB, attr="LOWER")
    matcher.add("P", [Doc(VOCAB, p) for p in phrases])
    lowered = [w.lower() for w in words]
    expected = sorted({(s, s + len(p)) for p in phrases for s in range(len(words))
                       if lowered[s:s + len(p)] == [w.lower() for w in p]})
    assert [(s, e) for _k, s, e in matcher(doc)] == expected


# ---- speed sanity: 100k tokens, 10 patterns --------------------------------------------------------


def test_matching_a_long_doc_is_fast():
    words = ("Google Maps team met 3 people in New York on 12 May , said google .".split()) * 6250
    doc = Doc(VOCAB, words)
    assert len(doc) == 100_000
    matcher = Matcher(VOCAB)
    matcher.add("PRODUCT", None, [{"ORTH": "Google"}, {"ORTH": "Maps"}])
    matcher.add("ORG", None, [{"LOWER": "google"}])
    matcher.add("GPE", None, [{"ORTH": "New"}, {"IS_TITLE": True, "OP": "+"}])
    matcher.add("DATE", None, [{"LIKE_NUM": True}, {"LOWER": {"IN": ["may", "june"]}}])
    matcher.add("COUNT", None, [{"IS_DIGIT": True}, {"LOWER": "people"}])
    matcher.add("PUNCT", None, [{"IS_PUNCT": True}])
    matcher.add("LONG", None, [{"LENGTH": {">=": 6}}])
    matcher.add("STOPS", None, [{"IS_STOP": True, "OP": "+"}, {"ORTH": "Google"}])
    matcher.add("NOT", None, [{"ORTH": "said"}, {"ORTH": "x", "OP": "!"}])
    matcher.add("OPT", None, [{"ORTH": "met"}, {"LIKE_NUM": True, "OP": "?"}, {"LOWER": "people"}])
    start = time.perf_counter()
    matches = matcher(doc)
    elapsed = time.perf_counter() - start
    counts = {}
    for key, _s, _e in matches:
        counts[VOCAB.strings[key]] = counts.get(VOCAB.strings[key], 0) + 1
    assert counts["PRODUCT"] == 6250 and counts["ORG"] == 12500 and counts["DATE"] == 6250
    assert counts["PUNCT"] == 12500 and counts["OPT"] == 6250 and counts["NOT"] == 6250
    assert elapsed < 1.0, f"100k tokens, 10 patterns took {elapsed:.2f}s"
    phrases = PhraseMatcher(VOCAB, attr="LOWER")
    phrases.add("ORG", [Doc(VOCAB, ["google"]), Doc(VOCAB, ["new", "york"]), Doc(VOCAB, ["google", "maps", "team"])])
    start = time.perf_counter()
    assert len(phrases(doc)) == 4 * 6250
    assert time.perf_counter() - start < 1.0
