"""The commands take their component knowledge from nlp_models' registry: `-p` accepts the
registered factories, a new component's cfg holds only the options its default cfg has (and
listens to a shared tok2vec where the component says it can), `nlp evaluate` prints each
component's registered rows in pipeline order, and `--code` imports a user's file or says in one
line why it cannot. (A user's component trained end to end: tests/test_user_component.py.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nlp_cli._errors import UserError
from nlp_cli._models import import_code
from nlp_cli._train_preset import can_listen, component_cfg
from nlp_cli.debug_data import parse_components
from nlp_cli.evaluate import score_rows
from nlp_cli.train import parse_pipeline


def run(*, vectors: bool = False, arch: str | None = "ensemble", preset: str = "efficiency") -> SimpleNamespace:
    return SimpleNamespace(conv_width=32, conv_depth=2, embed_rows=500, vectors="vm" if vectors else None, seed=7,
                           textcat_multilabel=False, textcat_arch=arch, preset=preset, pretrained_sizes={})


def cfg(name: str, *, vectors: bool = False, arch: str | None = "ensemble", shared: bool = False) -> dict:
    options = run(vectors=vectors, arch=arch)
    listen = shared and can_listen(name, options)
    return {k: v for k, v in component_cfg(name, options, listen).items() if k != "preset"}


def test_pipeline_names_are_the_registered_factories():
    assert parse_pipeline("tagger, parser,ner") == ["tagger", "parser", "ner"]
    assert parse_pipeline("tok2vec,textcat") == ["tok2vec", "textcat"]
    with pytest.raises(UserError, match=r"unknown component\(s\) entity_linker: use some of ") as info:
        parse_pipeline("tagger,entity_linker")
    listed = str(info.value).split("use some of ")[1]
    assert all(name in listed for name in ("ner", "parser", "tagger", "textcat", "tok2vec"))
    assert "(a component of your own: register it, and name its file with --code)" in listed
    with pytest.raises(UserError, match="tok2vec alone has nothing to learn from"):
        parse_pipeline("tok2vec")
    with pytest.raises(UserError, match="named twice"):
        parse_pipeline("ner,ner")


def test_debug_data_checks_the_factories_that_learn_labels():
    assert parse_components("ner,tagger,ner") == ["ner", "tagger"]
    with pytest.raises(UserError, match=r"unknown component\(s\) tok2vec: use some of ") as info:
        parse_components("tok2vec")
    listed = str(info.value).split("use some of ")[1]
    assert all(name in listed for name in ("ner", "parser", "tagger", "textcat")) and "tok2vec" not in listed


def test_options_go_only_where_the_default_cfg_has_them():
    assert cfg("tagger") == {"width": 32, "depth": 2, "embed_rows": 500}
    assert cfg("tagger", vectors=True)["pretrained_vectors"] is True
    for name in ("parser", "ner"):
        assert cfg(name) == {"width": 32, "depth": 2, "embed_rows": 500, "seed": 7}
    assert cfg("textcat", arch="bow") == {"width": 32, "depth": 2, "embed_rows": 500, "exclusive_classes": True,
                                          "architecture": "bow"}
    assert "seed" not in cfg("tok2vec") and "architecture" not in cfg("tok2vec")
    assert "architecture" not in cfg("textcat", arch=None)  # -ta not given: the preset's
    assert component_cfg("tagger", run(preset="accuracy"))["preset"] == "accuracy"


def test_shared_tok2vec_listeners_are_the_components_that_can_listen():
    assert cfg("tagger", shared=True)["tok2vec"] == "tok2vec"
    assert cfg("ner", shared=True)["tok2vec"] == "tok2vec"
    assert cfg("textcat", arch="cnn", shared=True)["tok2vec"] == "tok2vec"  # "cnn" is "simple_cnn"
    assert "tok2vec" not in cfg("textcat", arch="bow", shared=True)  # a bag of words has no tok2vec
    assert "tok2vec" not in cfg("tok2vec", shared=True)  # the shared one itself
    assert "tok2vec" not in cfg("tagger")
    assert "tok2vec" not in cfg("textcat", arch=None, shared=True)  # efficiency's textcat is a bag of words


def test_evaluate_rows_follow_the_pipeline_order():
    keys = [key for key, _ in score_rows(["ner", "tagger", "tagger", "my_function"])]
    assert keys[:4] == ["token_acc", "token_p", "token_r", "token_f"] and keys[-1] == "wps"
    assert keys[4:-1] == ["ents_p", "ents_r", "ents_f", "ents_excluded", "tag_acc", "pos_acc", "morph_acc"]
    assert [key for key, _ in score_rows([])] == ["token_acc", "token_p", "token_r", "token_f", "wps"]


def code_error(path) -> str:
    with pytest.raises(UserError) as info:
        import_code(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_code_file_problems_are_one_line(tmp_path):
    import_code(None)  # no --code: nothing happens
    assert code_error(tmp_path / "absent.py") == f"--code file not found: {tmp_path / 'absent.py'}"
    text = tmp_path / "notes.txt"
    text.write_text("x = 1\n", encoding="utf8")
    assert "must be a Python file (.py)" in code_error(text)
    syntax = tmp_path / "user_syntax.py"
    syntax.write_text("x = 1\ndef broken(:\n", encoding="utf8")
    assert code_error(syntax).startswith(f"--code {syntax.resolve()}:2: failed to import: SyntaxError")
    raising = tmp_path / "user_raises.py"
    raising.write_text("import math\n\nvalue = math.sqrt(4)\nmissing_name + 1\n", encoding="utf8")
    assert code_error(raising) == (f"--code {raising.resolve()}:4: failed to import: NameError: name "
                                   "'missing_name' is not defined")
    clash = tmp_path / "json.py"
    clash.write_text("x = 1\n", encoding="utf8")
    assert "a module named 'json' exists elsewhere" in code_error(clash)


def test_a_failed_code_file_leaves_no_module_behind(tmp_path):
    import sys

    raising = tmp_path / "user_half_done.py"
    raising.write_text("raise RuntimeError('not today')\n", encoding="utf8")
    assert "RuntimeError: not today" in code_error(raising)
    assert "user_half_done" not in sys.modules
