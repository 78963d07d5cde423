import pickle

import pytest

from nlp_vocab import Lexeme, Vocab, attrs, check_language, get_lang_data, known_languages


def test_attrs_names_and_ids():
    assert attrs.IDS["NORM"] == attrs.NORM
    assert attrs.NAMES[attrs.NORM] == "NORM"
    assert attrs.intify_attr("norm") == attrs.NORM
    assert attrs.intify_attrs(["TAG", attrs.DEP]) == [attrs.TAG, attrs.DEP]
    assert len(set(attrs.IDS.values())) == len(attrs.IDS)
    with pytest.raises(ValueError, match="BOGUS"):
        attrs.intify_attr("BOGUS")


def test_lexemes_created_lazily_with_attributes():
    vocab = Vocab("en")
    assert len(vocab) == 0 and "Apple" not in vocab
    lex = vocab["Apple"]
    assert isinstance(lex, Lexeme)
    assert "Apple" in vocab and len(vocab) == 1
    assert lex.text == lex.orth_ == "Apple"
    assert (lex.lower_, lex.norm_, lex.shape_, lex.prefix_, lex.suffix_) == ("apple", "apple", "Xxxxx", "A", "ple")
    assert lex.length == 5 and lex.is_alpha and lex.is_title and not lex.is_lower and lex.is_ascii
    assert vocab.strings[lex.norm] == "apple"
    assert vocab[lex.orth] == lex


@pytest.mark.parametrize(
    "text,flag",
    [
        ("1,000.5", "like_num"), ("ten", "like_num"), ("3/4", "like_num"), ("21st", "like_num"),
        ("https://example.org/x", "like_url"), ("www.foo.com", "like_url"),
        ("someone@mail.co.uk", "like_email"), ("(", "is_bracket"), ("(", "is_left_punct"),
        ("»", "is_quote"), ("—", "is_punct"), ("€", "is_currency"), ("  ", "is_space"),
        ("1234", "is_digit"), ("USA", "is_upper"),
    ],
)
def test_flags_true(text, flag):
    assert getattr(Vocab()[text], flag)


@pytest.mark.parametrize(
    "text,flag",
    [("apple", "like_num"), ("1.2.3x", "like_num"), ("hello", "like_url"), ("a@b", "like_email"),
     ("$", "is_punct"), ("a", "is_punct"), ("Straße", "is_ascii")],
)
def test_flags_false(text, flag):
    assert not getattr(Vocab()[text], flag)


def test_shapes():
    vocab = Vocab()
    assert vocab["12345"].shape_ == "dddd"
    assert vocab["C3PO-x"].shape_ == "XdXX-x"
    assert vocab["Ünïcode"].shape_ == "Xxxxx"
    assert vocab["x" * 120].shape_ == "LONG"


def test_english_stop_words_and_norms():
    vocab = Vocab("en")
    assert vocab["the"].is_stop and vocab["The"].is_stop and vocab["n't"].is_stop
    assert not vocab["apple"].is_stop
    assert vocab["n't"].norm_ == "not"
    assert vocab["'ve"].norm_ == "have"
    assert vocab["cause"].norm_ == "because"
    assert vocab["Colour"].norm_ == "color"
    assert vocab["“"].norm_ == '"'
    generic = Vocab("de")
    assert not generic["the"].is_stop and generic["n't"].norm_ == "n't"


def test_lang_data():
    en = get_lang_data("en")
    assert en.lang == "en" and "the" in en.stop_words and en.norm_exceptions["n't"] == "not"
    xx = get_lang_data("zz")
    assert xx.lang == "zz" and not xx.stop_words and not xx.norm_exceptions
    assert isinstance(xx.prefixes, list) and isinstance(en.tokenizer_exceptions, dict)
    with pytest.raises(ValueError, match="language code"):
        get_lang_data("English!")


def test_known_language_codes():
    assert {"en", "xx"} <= set(known_languages())
    assert check_language("en") == "en" and check_language("xx") == "xx"
    assert check_language("fi") == "fi"  # a real language without its own data: generic rules
    with pytest.raises(ValueError, match=r"unknown language code 'zz': known codes are .*en.*xx"):
        check_language("zz")


def test_lookup_by_unknown_id_and_bad_key():
    vocab = Vocab()
    with pytest.raises(KeyError, match="99"):
        vocab[99]
    with pytest.raises(TypeError):
        vocab[1.5]


def test_serialization_round_trips(tmp_path):
    vocab = Vocab("en")
    for word in ["Hello", "world", "n't", "ünïcode", "🙂"]:
        vocab[word]
    vocab.strings.add("EXTRA")
    for loaded in (
        Vocab("en").from_bytes(vocab.to_bytes()),
        pickle.loads(pickle.dumps(vocab)),
        _via_disk(vocab, tmp_path),
    ):
        assert loaded.lang == "en"
        assert [lex.text for lex in loaded] == [lex.text for lex in vocab]
        assert "EXTRA" in loaded.strings
        assert loaded["n't"].norm_ == "not"
    with pytest.raises(ValueError, match="'en'"):
        Vocab("de").from_bytes(vocab.to_bytes())
    with pytest.raises(FileNotFoundError, match="vocab.json"):
        Vocab().from_disk(tmp_path / "missing")


def _via_disk(vocab, tmp_path):
    vocab.to_disk(tmp_path / "vocab")
    return Vocab("en").from_disk(tmp_path / "vocab")
