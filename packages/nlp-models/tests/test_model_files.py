"""A saved pipeline folder is data: loading it reads only files inside it and runs no code, and
every corrupt, mistyped or tampered file is one ValueError/OSError line naming that file, raised
at load (not at the first call). Component names are plain names when saved and when loaded;
`load(NAME)` finds installed packages only, never a module in the working directory."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest
import srsly
from thinc.api import fix_random_seed

import nlp_models
from nlp_models import blank, load
from nlp_vocab import Vectors

SMALL = {"width": 16, "depth": 1, "embed_rows": 100}
TRAIN = [
    ("Ada lives in Oslo", {"tags": ["N", "V", "P", "N"], "entities": [(0, 3, "PER"), (13, 17, "LOC")]}),
    ("Bo sees Rome", {"tags": ["N", "V", "N"], "entities": [(0, 2, "PER"), (8, 12, "LOC")]}),
]


def _tiny_pipeline():
    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", SMALL))
    nlp.add_pipe(nlp.create_pipe("ner", dict(SMALL, hidden_width=16)))
    optimizer = nlp.begin_training(lambda: TRAIN)
    for _ in range(2):
        nlp.update([text for text, _ in TRAIN], [annot for _, annot in TRAIN], sgd=optimizer)
    return nlp


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A trained tagger + ner pipeline saved once; tests tamper with copies of it."""
    path = tmp_path_factory.mktemp("saved") / "model"
    _tiny_pipeline().to_disk(path)
    return path


@pytest.fixture
def model(saved, tmp_path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(saved, copy)
    return copy


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value), encoding="utf8")


def _edit_json(path: Path, **changes) -> None:
    _write_json(path, {**json.loads(path.read_text(encoding="utf8")), **changes})


def _tokenizer_with(rules: dict, exceptions=None):
    def tamper(model: Path) -> None:
        msg = srsly.msgpack_loads((model / "tokenizer").read_bytes())
        msg["rules"].update(rules)
        if exceptions is not None:
            msg["exceptions"] = exceptions
        (model / "tokenizer").write_bytes(srsly.msgpack_dumps(msg))
    return tamper


# (tampering, the file the error must name, what it must say)
TAMPERED = {
    "meta not JSON": (lambda m: (m / "meta.json").write_text("{x"), "meta.json", "invalid JSON"),
    "meta not UTF-8": (lambda m: (m / "meta.json").write_bytes(b'{"lang": "\xff"}'), "meta.json", "invalid JSON"),
    "meta a list": (lambda m: _write_json(m / "meta.json", ["en"]), "meta.json", "JSON object"),
    "lang a number": (lambda m: _edit_json(m / "meta.json", lang=5), "meta.json", "'lang'"),
    "lang a path": (lambda m: _edit_json(m / "meta.json", lang="../x"), "meta.json", "'lang'"),
    "pipeline a string": (lambda m: _edit_json(m / "meta.json", pipeline="tagger"), "meta.json", "'pipeline'"),
    "pipeline relative": (lambda m: _edit_json(m / "meta.json", pipeline=["../other/tagger"]), "meta.json",
                          "not a plain name"),
    "pipeline absolute": (lambda m: _edit_json(m / "meta.json", pipeline=["/etc"]), "meta.json", "not a plain name"),
    "pipeline reserved": (lambda m: _edit_json(m / "meta.json", pipeline=["vocab"]), "meta.json", "reserved"),
    "pipeline twice": (lambda m: _edit_json(m / "meta.json", pipeline=["ner", "ner"]), "meta.json", "twice"),
    "factories a list": (lambda m: _edit_json(m / "meta.json", factories=["ner"]), "meta.json", "'factories'"),
    "factory unknown": (lambda m: _edit_json(m / "meta.json", factories={"tagger": "os.system", "ner": "ner"}),
                        "meta.json", "not available"),
    "cfg not JSON": (lambda m: (m / "tagger" / "cfg.json").write_text("{"), "tagger/cfg.json", "invalid JSON"),
    "cfg a list": (lambda m: _write_json(m / "tagger" / "cfg.json", []), "tagger/cfg.json", "JSON object"),
    "cfg width a string": (lambda m: _edit_json(m / "tagger" / "cfg.json", width="wide"), "tagger/cfg.json",
                           "'width' must be an integer"),
    "cfg width negative": (lambda m: _edit_json(m / "tagger" / "cfg.json", width=-4), "tagger/cfg.json",
                           "cannot build"),
    "cfg explore a list": (lambda m: _edit_json(m / "ner" / "cfg.json", explore=[1]), "ner/cfg.json",
                           "'explore' must be a number"),
    "cfg missing": (lambda m: (m / "tagger" / "cfg.json").unlink(), "tagger/cfg.json", "missing"),
    "labels not JSON": (lambda m: (m / "tagger" / "labels.json").write_text("[1,"), "tagger/labels.json",
                        "invalid JSON"),
    "labels an object": (lambda m: _write_json(m / "tagger" / "labels.json", {"N": 1}), "tagger/labels.json",
                         "list of non-empty label strings"),
    "labels numbers": (lambda m: _write_json(m / "ner" / "labels.json", ["PER", 5]), "ner/labels.json",
                       "list of non-empty label strings"),
    "labels twice": (lambda m: _write_json(m / "tagger" / "labels.json", ["N", "N", "V"]), "tagger/labels.json",
                     "twice"),
    "labels not the weights'": (lambda m: _write_json(m / "tagger" / "labels.json", ["N", "V", "P", "X"]),
                                "tagger/model.bin", "cannot load the weights"),
    "model.bin missing": (lambda m: (m / "tagger" / "model.bin").unlink(), "tagger/model.bin", "missing"),
    "model.bin truncated": (lambda m: (m / "ner" / "model.bin").write_bytes((m / "ner" / "model.bin").read_bytes()[:99]),
                            "ner/model.bin", "cannot load the weights"),
    "component folder missing": (lambda m: shutil.rmtree(m / "ner"), "ner/cfg.json", "missing"),
    "vocab not JSON": (lambda m: (m / "vocab" / "vocab.json").write_text("{"), "vocab/vocab.json", "invalid JSON"),
    "vocab strings numbers": (lambda m: _edit_json(m / "vocab" / "vocab.json", strings=[1, 2]), "vocab/vocab.json",
                              "'strings' must be a list of strings"),
    "vocab lexemes an object": (lambda m: _edit_json(m / "vocab" / "vocab.json", lexemes={"a": 1}),
                                "vocab/vocab.json", "'lexemes' must be a list of strings"),
    "tag map entry a number": (lambda m: _write_json(m / "vocab" / "tag_map" / "tag_map.json", {"N": 5}),
                               "vocab/tag_map/tag_map.json", "must be a dict"),
    "tokenizer garbage": (lambda m: (m / "tokenizer").write_bytes(b"\xc1\xff"), "tokenizer", "not a serialized"),
    "tokenizer catastrophic prefix": (_tokenizer_with({"prefixes": [r"(?:a+)+b"]}), "tokenizer",
                                      "'(?:a+)+b' is not allowed"),
    "tokenizer backreference": (_tokenizer_with({"token_match": r"(\w)\1"}), "tokenizer", "backreferences"),
    "tokenizer rules mistyped": (_tokenizer_with({"suffixes": "x"}), "tokenizer", "suffixes must be a list"),
    "tokenizer special case mistyped": (_tokenizer_with({}, {"ab": ["a", "b"]}), "tokenizer", "ORTH"),
    "link to a file outside": (lambda m: ((m / "tagger" / "labels.json").unlink(),
                                          os.symlink("/etc/hostname", m / "tagger" / "labels.json")),
                               "tagger/labels.json", "a link to outside the model folder"),
    "meta.json a link outside": (lambda m: ((m / "meta.json").rename(m.parent / "meta.json"),
                                            os.symlink(m.parent / "meta.json", m / "meta.json")),
                                 "meta.json", "a link to outside the model folder"),
    "link to a folder outside": (lambda m: (shutil.rmtree(m / "ner"), os.symlink(m.parent, m / "ner")),
                                 "ner", "a link to outside the model folder"),
    "link looping on itself": (lambda m: ((m / "tagger" / "labels.json").unlink(),
                                          os.symlink("labels.json", m / "tagger" / "labels.json")),
                               "tagger/labels.json", "a broken or looping link"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_folder_fails_at_load_naming_the_file(model, case):
    tamper, file, expect = TAMPERED[case]
    tamper(model)
    start = time.perf_counter()
    with pytest.raises((ValueError, OSError)) as caught:
        load(model)
    assert time.perf_counter() - start < 5.0
    message = str(caught.value)
    assert message.startswith(f"{model / file}:"), message
    assert expect in message and "\n" not in message, message


VECTORS = "vocab/vectors"
TAMPERED_VECTORS = {
    "strings not JSON": (lambda v: (v / "strings.json").write_text("{"), "strings.json", "invalid JSON"),
    "strings a list": (lambda v: (v / "strings.json").write_text("[1]"), "strings.json", "decimal key -> word"),
    "table not an array": (lambda v: (v / "vectors.npy").write_bytes(b"garbage"), "vectors.npy",
                           "not a NumPy array file"),
    "table of objects": (lambda v: numpy.save(v / "vectors.npy", numpy.array([{}], dtype=object)), "vectors.npy",
                         "not a NumPy array file"),
    "rows not integers": (lambda v: numpy.save(v / "rows.npy", numpy.array([0.5, 1.5])), "rows.npy",
                          "expected integers"),
}


@pytest.mark.parametrize("case", list(TAMPERED_VECTORS))
def test_tampered_vectors_fail_at_load_naming_the_file(tmp_path, case):
    nlp = blank("en")
    nlp.vocab.vectors = Vectors(shape=(3, 4))
    nlp.vocab.vectors.add("cat", vector=numpy.ones(4, dtype="f"))
    nlp.vocab.vectors.add("dog", vector=numpy.zeros(4, dtype="f"))
    nlp.to_disk(tmp_path / "m")
    assert load(tmp_path / "m").vocab.vectors.shape == (3, 4)
    tamper, file, expect = TAMPERED_VECTORS[case]
    tamper(tmp_path / "m" / VECTORS)
    with pytest.raises(ValueError) as caught:
        load(tmp_path / "m")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'm' / VECTORS / file}:") and expect in message, message


def test_links_inside_the_folder_are_fine(model):
    os.rename(model / "ner", model / "ner-data")
    os.symlink("ner-data", model / "ner")
    assert load(model).pipe_names == ["tagger", "ner"]


def test_the_loaded_pipeline_works_at_once(saved):
    nlp = load(saved)
    doc = nlp("Ada sees Oslo")
    assert len(doc) == 3 and all(token.tag_ for token in doc)


def test_an_untrained_component_is_saved_as_such(tmp_path):
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", dict(SMALL, labels=["N", "V"])))
    nlp.to_disk(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["untrained"] == ["tagger"]
    loaded = load(tmp_path / "m")
    assert loaded.get_pipe("tagger").model is None and "untrained" not in loaded.meta
    loaded.begin_training()
    loaded.to_disk(tmp_path / "m")
    assert "untrained" not in json.loads((tmp_path / "m" / "meta.json").read_text())


@pytest.mark.parametrize("name", ["../evil", "/tmp/evil", "a/b", "..", ".hidden", "-x", "a..b", "", "vocab",
                                  "meta.json", "x" * 101, 7])
def test_saved_components_get_plain_names_only(tmp_path, name):
    nlp = blank("en")
    tagger = nlp.create_pipe("tagger", SMALL)
    with pytest.raises(ValueError, match="add_pipe: component name"):
        nlp.add_pipe(tagger, name=name)
    nlp.add_pipe(tagger, name="tagger")
    with pytest.raises(ValueError, match="rename_pipe: component name"):
        nlp.rename_pipe("tagger", name)
    nlp.add_pipe(lambda doc: doc, name=name)  # a callable without to_disk is never saved: any name
    with pytest.raises(ValueError, match="replace_pipe: component name"):
        nlp.replace_pipe(name, nlp.create_pipe("ner"))
    assert nlp.pipe_names == ["tagger", name]


def test_custom_callables_keep_any_name_and_are_not_saved(tmp_path):
    nlp = blank("en")
    nlp.add_pipe(lambda doc: doc)  # named "<lambda>": it has no to_disk, so no folder
    nlp.to_disk(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["pipeline"] == []


def test_bytes_are_checked_like_folders(saved):
    data = srsly.msgpack_loads(load(saved).to_bytes())
    data["meta"]["pipeline"] = ["../tagger"]
    with pytest.raises(ValueError, match="Language.from_bytes: component name '../tagger'"):
        blank("en").from_bytes(srsly.msgpack_dumps(data))
    with pytest.raises(ValueError, match="not the bytes of a saved pipeline"):
        blank("en").from_bytes(b"\xc1garbage")


def test_to_disk_flushes_every_file_before_the_rename(saved, tmp_path, monkeypatch):
    import nlp_train.storage as storage

    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(storage.os, "fsync", lambda fd: (events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))),
                                                          real_fsync(fd))[1])
    monkeypatch.setattr(storage.os, "rename", lambda a, b: (events.append(("rename", str(a))), real_rename(a, b))[1])
    load(saved).to_disk(tmp_path / "out")
    renamed = [i for i, (kind, _) in enumerate(events) if kind == "rename"]
    assert renamed, events
    tmp_folder = events[renamed[-1]][1]  # the last rename puts the temporary folder in place
    flushed = {path for kind, path in events[: renamed[-1]] if kind == "fsync"}
    saved_files = {str(p).replace(str(tmp_path / "out"), tmp_folder) for p in (tmp_path / "out").rglob("*")}
    assert saved_files and saved_files <= flushed, sorted(saved_files - flushed)


# ---- loading by name -----------------------------------------------------------------------------

EVIL = "import pathlib; pathlib.Path('RAN').write_text('code from the working directory ran')\n"


def _run_in(folder: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("layout,expect", [
    ("module", "Cannot load 'evil_pipeline': not a folder and not an installed pipeline package"),
    ("package", "evil_pipeline/meta.json: no such file"),  # a folder there is read as a model folder: data
])
def test_load_by_name_never_imports_from_the_working_directory(tmp_path, layout, expect):
    if layout == "module":
        (tmp_path / "evil_pipeline.py").write_text(EVIL + "def load(**kw):\n    return None\n")
    else:
        (tmp_path / "evil_pipeline").mkdir()
        (tmp_path / "evil_pipeline" / "__init__.py").write_text(EVIL)
    proc = _run_in(tmp_path, "import nlp_models\ntry:\n    nlp_models.load('evil_pipeline')\n"
                             "except OSError as err:\n    print('refused:', err)\n")
    assert proc.returncode == 0, proc.stderr
    assert f"refused: {expect}" in proc.stdout
    assert not (tmp_path / "RAN").exists()


def test_an_installed_package_loads_from_its_data_without_running_it(saved, tmp_path, monkeypatch):
    package = tmp_path / "site" / "data_only_pipeline"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(EVIL.replace("'RAN'", repr(str(tmp_path / "RAN"))))
    shutil.copytree(saved, package / "data_only_pipeline-0.0.1")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    nlp = load("data_only_pipeline")
    assert nlp.pipe_names == ["tagger", "ner"]
    assert not (tmp_path / "RAN").exists() and "data_only_pipeline" not in sys.modules
    assert nlp_models.util.find_package("data_only_pipeline") is not None
    assert nlp_models.util.find_package("data_only_pipeline.sub") is None  # top-level names only
