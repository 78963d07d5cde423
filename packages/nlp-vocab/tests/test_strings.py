import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_vocab import StringStore, hash_string

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


def test_hash_string_is_stable_murmurhash64():
    assert hash_string("") == 0
    # Fixed values: ids must not change across processes, machines or releases.
    assert hash_string("apple") == 8566208034543834098
    assert hash_string("Straße") == 982213701778560299
    assert hash_string("apple") != hash_string("Apple")


def test_hash_string_rejects_non_str():
    with pytest.raises(TypeError):
        hash_string(b"apple")


def test_add_lookup_both_ways():
    ss = StringStore()
    key = ss.add("hello")
    assert key == hash_string("hello") == ss["hello"]
    assert ss[key] == "hello"
    assert "hello" in ss and key in ss
    assert "other" not in ss and hash_string("other") not in ss
    assert len(ss) == 1
    assert ss.add("hello") == key and len(ss) == 1
    assert ss[0] == "" and "" in ss


def test_unknown_id_error_names_the_id():
    ss = StringStore(["a"])
    with pytest.raises(KeyError, match="12345"):
        ss[12345]


def test_bad_key_types():
    ss = StringStore()
    with pytest.raises(TypeError):
        ss.add(3)
    with pytest.raises(TypeError):
        ss[1.5]


def test_iteration_keeps_insertion_order():
    ss = StringStore(["b", "a", "c", "a"])
    assert list(ss) == ["b", "a", "c"]


@given(st.lists(TEXT))
def test_bytes_round_trip(strings):
    ss = StringStore(strings)
    loaded = StringStore().from_bytes(ss.to_bytes())
    assert list(loaded) == list(ss)
    for s in strings:
        assert loaded[loaded[s]] == s
    assert list(pickle.loads(pickle.dumps(ss))) == list(ss)


def test_disk_round_trip_and_bad_file(tmp_path):
    ss = StringStore(["α", "βγ", "emoji 🙂"])
    ss.to_disk(tmp_path / "strings.json")
    assert list(StringStore().from_disk(tmp_path / "strings.json")) == list(ss)
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(ValueError, match="bad.json"):
        StringStore().from_disk(bad)
