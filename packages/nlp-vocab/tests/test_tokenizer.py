import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_vocab.tokenizer import Tokenizer
from nlp_vocab.vocab import Vocab


@pytest.fixture(scope="module")
def en():
    return Tokenizer.for_language(Vocab("en"))


def words(tokenizer, text):
    return [t.text for t in tokenizer(text) if not t.text.isspace()]


def reproduces(doc, text):
    return "".join(t.text_with_ws for t in doc) == text and doc.text == text


# -- whitespace and exact reproduction ---------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("", []),
        ("a", [("a", "")]),
        ("a b", [("a", " "), ("b", "")]),
        ("a  b", [("a", " "), (" ", ""), ("b", "")]),
        ("a \n b", [("a", " "), ("\n ", ""), ("b", "")]),
        ("a\nb", [("a", ""), ("\n", ""), ("b", "")]),
        ("  a", [("  ", ""), ("a", "")]),
        ("a ", [("a", " ")]),
        ("a  ", [("a", " "), (" ", "")]),
        (" ", [(" ", "")]),
        ("a\t b", [("a", ""), ("\t ", ""), ("b", "")]),
    ],
)
def test_whitespace_convention(en, text, expected):
    doc = en(text)
    assert [(t.text, t.whitespace_) for t in doc] == expected
    assert reproduces(doc, text)


def test_token_offsets(en):
    text = "Hello,  world! (It's 3:30pm.)"
    for token in en(text):
        assert text[token.idx : token.idx + len(token.text)] == token.text


_PIECES = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "don't", "U.S.", "(", ")", "...", "-",
     "http://a.b/c?d=e", "x@y.com", "😀", "👍🏽", "e\u0301", "\u0915\u094d", "'s", "n't", "!!",
     "Mr.", "10,000", ":-)", "a-b", "a/b", "\"", "’"]
)  # fmt: skip


@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=25))
def test_reproduces_any_text(en, parts):
    text = "".join(parts)
    doc = en(text)
    assert reproduces(doc, text)
    assert all(t.text for t in doc)
    # a second call hits the cache and must give the same tokens
    assert [t.text for t in en(text)] == [t.text for t in doc]


@given(st.text())
def test_reproduces_arbitrary_unicode(en, text):
    assert reproduces(en(text), text)


def test_imdb_train_reproduced_exactly(shared_data):
    tokenizer = Tokenizer.for_language(Vocab("en"))
    n = 0
    with (shared_data / "imdb" / "train.jsonl").open(encoding="utf8") as stream:
        for lineno, line in enumerate(stream, 1):
            text = json.loads(line)["text"]
            doc = tokenizer(text)
            assert doc.text == text, f"imdb/train.jsonl:{lineno} not reproduced"
            n += 1
    assert n == 20000


# -- special cases ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("don't", ["do", "n't"]),
        ("Don't", ["Do", "n't"]),
        ("DON'T", ["DO", "N'T"]),
        ("don’t", ["do", "n’t"]),
        ("can't", ["ca", "n't"]),
        ("won't", ["wo", "n't"]),
        ("Won't", ["Wo", "n't"]),
        ("shouldn't", ["should", "n't"]),
        ("dont", ["do", "nt"]),
        ("gonna", ["gon", "na"]),
        ("Gotta", ["Got", "ta"]),
        ("wanna", ["wan", "na"]),
        ("cannot", ["can", "not"]),
        ("CANNOT", ["CAN", "NOT"]),
        ("he's", ["he", "'s"]),
        ("they're", ["they", "'re"]),
        ("We'll", ["We", "'ll"]),
        ("I've", ["I", "'ve"]),
        ("I'm", ["I", "'m"]),
        ("I’m", ["I", "’m"]),
        ("she'd", ["she", "'d"]),
        ("THEY'RE", ["THEY", "'RE"]),
        ("Bush's", ["Bush", "'s"]),
        ("Kerry’s", ["Kerry", "’s"]),
        ("the 1960's", ["the", "1960's"]),
        ("Mr. Smith", ["Mr.", "Smith"]),
        ("Dr. Who", ["Dr.", "Who"]),
        ("e.g. this", ["e.g.", "this"]),
        ("the U.S. army", ["the", "U.S.", "army"]),
        ("in Sept. 2001", ["in", "Sept.", "2001"]),
        ("at 5 p.m.", ["at", "5", "p.m."]),
        ("J. Smith", ["J.", "Smith"]),
        ("so :-) ok", ["so", ":-)", "ok"]),
        ("<3 you", ["<3", "you"]),
        ("(don't)", ["(", "do", "n't", ")"]),
        ("\"Mr.\"", ["\"", "Mr.", "\""]),
    ],
)
def test_special_cases(en, text, expected):
    assert words(en, text) == expected


# -- punctuation, infixes, whole-token matches ---------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Hello, world!", ["Hello", ",", "world", "!"]),
        ("end.", ["end", "."]),
        ("Wow!!!", ["Wow", "!!!"]),
        ("(hi)", ["(", "hi", ")"]),
        ("\"quoted\"", ["\"", "quoted", "\""]),
        ("“curly”", ["“", "curly", "”"]),
        ("$100", ["$", "100"]),
        ("50%", ["50", "%"]),
        ("$170m.", ["$", "170", "m", "."]),
        ("7:30pm", ["7:30", "pm"]),
        ("10,000 3.14 12:30", ["10,000", "3.14", "12:30"]),
        ("well-known", ["well", "-", "known"]),
        ("co-workers e-mail non-stop", ["co-workers", "e-mail", "non-stop"]),
        ("15-year", ["15", "-", "year"]),
        ("1990-2000", ["1990", "-", "2000"]),
        ("call 713-853-3989", ["call", "713-853-3989"]),
        ("and/or", ["and", "/", "or"]),
        ("on 04/30/2001", ["on", "04/30/2001"]),
        ("wait...what", ["wait", "...", "what"]),
        ("yes--no", ["yes", "--", "no"]),
        ("a,b", ["a", ",", "b"]),
        ("<<File>>", ["<<", "File", ">>"]),
        ("'72", ["'72"]),
        ("'hi'", ["'", "hi", "'"]),
    ],
)
def test_punctuation(en, text, expected):
    assert words(en, text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("see http://example.com/a?b=1&c=2.", ["see", "http://example.com/a?b=1&c=2", "."]),
        ("(https://x.org/path)", ["(", "https://x.org/path", ")"]),
        ("www.example.co.uk, ok", ["www.example.co.uk", ",", "ok"]),
        ("visit google.com!", ["visit", "google.com", "!"]),
        ("mail jane.doe@example.com.", ["mail", "jane.doe@example.com", "."]),
        ("<bob@x.org>", ["<", "bob@x.org", ">"]),
    ],
)
def test_urls_and_emails(en, text, expected):
    assert words(en, text) == expected


def test_explain_names_rules(en):
    trace = en.explain("(Don't) visit http://x.com.")
    assert trace == [
        ("PREFIX", "("),
        ("SPECIAL", "Do"),
        ("SPECIAL", "n't"),
        ("SUFFIX", ")"),
        ("TOKEN", "visit"),
        ("URL_MATCH", "http://x.com"),
        ("SUFFIX", "."),
    ]
    assert [w for _, w in trace] == words(en, "(Don't) visit http://x.com.")


# -- construction, other languages, serialization -----------------------------------------------
def test_no_rules_splits_on_whitespace_only():
    tok = Tokenizer(Vocab("en"))
    assert words(tok, "(Don't) stop, U.S.!") == ["(Don't)", "stop,", "U.S.!"]


def test_custom_rules_and_special_case():
    tok = Tokenizer(Vocab("xx"), prefixes=[r"\("], suffixes=[r"\)", r","], infixes=[r"_"])
    assert words(tok, "(a_b), c") == ["(", "a", "_", "b", ")", ",", "c"]
    tok.add_special_case("a_b", [{"ORTH": "a_b"}])
    assert words(tok, "(a_b), c") == ["(", "a_b", ")", ",", "c"]


def test_generic_language_defaults():
    tok = Tokenizer.for_language(Vocab("fr"))
    assert words(tok, "Bonjour, le monde :-)") == ["Bonjour", ",", "le", "monde", ":-)"]
    assert words(tok, "Mr. X") == ["Mr", ".", "X"]  # English abbreviations are English only
    assert words(tok, "gonna") == ["gonna"]


def test_special_case_must_spell_its_key():
    with pytest.raises(ValueError, match="do not spell"):
        Tokenizer(Vocab("en"), exceptions={"dont": [{"ORTH": "do"}, {"ORTH": "n't"}]})
    with pytest.raises(ValueError, match="ORTH"):
        Tokenizer(Vocab("en"), exceptions={"dont": [{"TEXT": "dont"}]})


def test_bad_regex_is_named():
    with pytest.raises(ValueError, match=r"bad regular expression '\(unclosed'"):
        Tokenizer(Vocab("en"), prefixes=["(unclosed"])


def test_rule_change_clears_cache(en):
    tok = Tokenizer(Vocab("en"), suffixes=[r"!"])
    assert words(tok, "hi!") == ["hi", "!"]
    assert tok.cache_size > 0
    tok.suffixes = []
    assert tok.cache_size == 0
    assert words(tok, "hi!") == ["hi!"]


def test_bytes_and_disk_round_trip(en, tmp_path):
    text = "(Don't) e-mail bob@x.org at 5 p.m. about U.S. co-workers' 15-year plan!!!"
    copy = Tokenizer(Vocab("en")).from_bytes(en.to_bytes())
    assert words(copy, text) == words(en, text)
    assert copy.prefixes == en.prefixes and copy.exceptions == en.exceptions
    en.to_disk(tmp_path / "tokenizer")
    loaded = Tokenizer(Vocab("en")).from_disk(tmp_path / "tokenizer")
    assert words(loaded, text) == words(en, text)


def test_from_bytes_rejects_garbage(tmp_path):
    path = tmp_path / "tok"
    path.write_bytes(b"\x81\xa1x\x01")
    with pytest.raises(ValueError, match="not a serialized tokenizer"):
        Tokenizer(Vocab("en")).from_disk(path)


def test_pipe_keeps_order(en):
    texts = ["one two", "", "three, four", "five"]
    docs = list(en.pipe(texts, batch_size=2))
    assert [d.text for d in docs] == texts
    with pytest.raises(ValueError, match="batch_size"):
        list(en.pipe(texts, batch_size=0))


def test_tokens_share_vocab_lexemes(en):
    doc = en("don't stop")
    assert doc.vocab is en.vocab
    assert doc[1].norm_ == "not"
    assert doc[0].lower_ == "do"
