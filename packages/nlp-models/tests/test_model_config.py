"""`Language.config`: the settings that made a pipeline (JSON data, empty by default), saved as
config.json by to_disk and in to_bytes, read back on load; a folder without one loads as before,
and a malformed one is one ValueError line naming the file. It is data only: nothing in it is
run, and a value that JSON cannot hold is refused before anything is written."""

import json
import os
from pathlib import Path

import pytest
import srsly

from nlp_models import blank, load

SETTINGS = {
    "command": "train",
    "options": {"n_iter": 2, "seed": 7, "train_path": "../corpus/train.conllu", "dropout": None},
    "recipe": {"learn_rate": 1 / 3, "batch_to": None},  # every digit kept
    "components": {"tagger": {"width": 16, "depth": 1, "attrs": ["NORM", "PREFIX"]}},
}


def _tagger_pipeline():
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {"width": 16, "depth": 1, "embed_rows": 100}))
    nlp.begin_training(lambda: [("Ada sees Bo", {"tags": ["N", "V", "N"]})])
    return nlp


@pytest.fixture
def saved(tmp_path) -> Path:
    nlp = _tagger_pipeline()
    nlp.config = SETTINGS
    nlp.to_disk(tmp_path / "model")
    return tmp_path / "model"


def test_the_config_is_empty_by_default_and_then_not_written(tmp_path):
    nlp = _tagger_pipeline()
    assert nlp.config == {}
    nlp.to_disk(tmp_path / "m")
    assert not (tmp_path / "m" / "config.json").exists()
    assert load(tmp_path / "m").config == {}


def test_the_config_is_saved_as_readable_json_and_loaded_back(saved):
    assert json.loads((saved / "config.json").read_text(encoding="utf8")) == SETTINGS
    nlp = load(saved)
    assert nlp.config == SETTINGS
    assert "config" not in nlp.meta  # a file of its own, not a meta entry
    assert [t.tag_ for t in nlp("Ada sees Bo")] != []  # the pipeline itself is unchanged


def test_the_config_travels_in_bytes(saved):
    nlp = load(saved)
    copy = blank("en").from_bytes(nlp.to_bytes())
    assert copy.config == SETTINGS
    old = srsly.msgpack_loads(nlp.to_bytes())
    del old["config"]  # bytes written before configs existed
    assert blank("en").from_bytes(srsly.msgpack_dumps(old)).config == {}
    old["config"] = ["not", "an", "object"]
    with pytest.raises(ValueError, match="^Language.from_bytes: config: expected a JSON object"):
        blank("en").from_bytes(srsly.msgpack_dumps(old))


def test_loading_a_folder_replaces_the_config(saved, tmp_path):
    nlp = _tagger_pipeline()
    nlp.to_disk(tmp_path / "plain")
    assert nlp.from_disk(saved).config == SETTINGS
    assert nlp.from_disk(tmp_path / "plain").config == {}


MALFORMED = {
    "not JSON": (lambda f: f.write_text('{"options": {', encoding="utf8"), "invalid JSON"),
    "not UTF-8": (lambda f: f.write_bytes(b'{"seed": "\xff"}'), "invalid JSON"),
    "a list": (lambda f: f.write_text("[1, 2]", encoding="utf8"), "expected a JSON object of settings, got list"),
    "a string": (lambda f: f.write_text('"train"', encoding="utf8"), "expected a JSON object of settings, got str"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_config_is_one_line_naming_the_file(saved, case):
    write, expect = MALFORMED[case]
    write(saved / "config.json")
    with pytest.raises(ValueError) as caught:
        load(saved)
    message = str(caught.value)
    assert message.startswith(f"{saved / 'config.json'}:") and expect in message, message
    assert "\n" not in message


def test_a_config_linking_outside_the_folder_is_refused(saved, tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}", encoding="utf8")
    (saved / "config.json").unlink()
    os.symlink(outside, saved / "config.json")
    with pytest.raises(ValueError, match="a link to outside the model folder"):
        load(saved)


def test_paths_in_the_config_are_never_followed(saved, tmp_path):
    """A config naming files (even missing or absolute ones) loads: it is only read as data."""
    settings = {"paths": {"train_path": str(tmp_path / "missing.conllu"), "code": "/etc/passwd"}}
    (saved / "config.json").write_text(json.dumps(settings), encoding="utf8")
    assert load(saved).config == settings


@pytest.mark.parametrize("value,expect", [
    ({"seeds": {1, 2}}, "config['seeds'] is a set"),
    ({"recipe": {"learn_rate": float("nan")}}, "config['recipe']['learn_rate'] is nan"),
    ({"options": {1: "x"}}, "config['options'] has the key 1"),
    ({"layers": [1, object()]}, "config['layers'][1] is a object"),
])
def test_a_config_json_cannot_hold_is_refused_before_writing(tmp_path, value, expect):
    nlp = _tagger_pipeline()
    nlp.config = value
    with pytest.raises(ValueError) as caught:
        nlp.to_disk(tmp_path / "m")
    assert str(caught.value).startswith("to_disk: nlp.config: ") and expect in str(caught.value)
    assert not (tmp_path / "m").exists()
    with pytest.raises(ValueError, match="^to_bytes: nlp.config: "):
        nlp.to_bytes()


def test_config_json_is_not_a_component_name():
    nlp = blank("en")
    with pytest.raises(ValueError, match="reserved"):
        nlp.add_pipe(nlp.create_pipe("tagger"), name="config.json")
