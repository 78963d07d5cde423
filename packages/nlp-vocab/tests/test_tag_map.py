import pytest

from nlp_vocab.tag_map import UPOS_TAGS, TagMap, default_tag_map, english_tag_map


def test_seed_example():
    tag_map = TagMap()
    tag_map.add_label("N", {"pos": "NOUN"})
    assert "N" in tag_map and len(tag_map) == 1
    assert tag_map["N"] == {"pos": "NOUN"}
    assert tag_map.pos_of("N") == "NOUN" and tag_map.morph_of("N") == ""


def test_features_and_morph_string_sorted():
    tag_map = TagMap({"VBZ": {"pos": "VERB", "VerbForm": "Fin", "Person": "3", "Number": "Sing"}})
    assert tag_map.morph_of("VBZ") == "Number=Sing|Person=3|VerbForm=Fin"
    assert list(tag_map) == ["VBZ"]


def test_unknown_upos_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown UPOS 'NOUNISH'"):
        TagMap().add_label("NN", {"pos": "NOUNISH"})
    with pytest.raises(ValueError, match="needs a 'pos'"):
        TagMap().add_label("NN", {"Number": "Sing"})
    with pytest.raises(KeyError, match="'ZZ'"):
        TagMap()["ZZ"]


def test_english_defaults_cover_ptb():
    tag_map = english_tag_map()
    assert tag_map.pos_of("NN") == "NOUN" and tag_map.morph_of("NN") == "Number=Sing"
    assert tag_map.pos_of("VBZ") == "VERB"
    assert tag_map.pos_of("-LRB-") == "PUNCT" and tag_map.pos_of(",") == "PUNCT"
    assert tag_map.pos_of("PRP$") == "PRON" and "Poss=Yes" in tag_map.morph_of("PRP$")
    assert all(tag_map.pos_of(tag) in UPOS_TAGS for tag in tag_map)
    assert len(UPOS_TAGS) == 17


def test_default_tag_map_is_ptb_for_english_and_none_elsewhere():
    assert default_tag_map("en") == english_tag_map()
    assert default_tag_map("fi") is None and default_tag_map("xx") is None


def test_round_trips(tmp_path):
    tag_map = english_tag_map()
    assert TagMap.from_dict(tag_map.to_dict()) == tag_map
    assert TagMap().from_bytes(tag_map.to_bytes()) == tag_map
    tag_map.to_disk(tmp_path / "model")
    assert TagMap().from_disk(tmp_path / "model") == tag_map
    tag_map.to_disk(tmp_path / "tags.json")
    assert TagMap().from_disk(tmp_path / "tags.json") == tag_map


def test_bad_file_names_file(tmp_path):
    path = tmp_path / "tags.json"
    path.write_text('{"NN": {"pos": "NOPE"}}', encoding="utf8")
    with pytest.raises(ValueError, match=r"tags\.json: .*unknown UPOS"):
        TagMap().from_disk(path)
