"""Model folders are data and outputs are whole: `nlp package` generates no code from meta.json
values and refuses folders that name paths outside themselves; commands given a tampered model
print one line naming the file; a model name is never imported from the working directory;
`nlp convert` that runs out of space leaves no truncated output."""

from __future__ import annotations

import ast
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nlp_cli.__main__ import get_command
from nlp_cli._errors import run_command

PAYLOAD = '"""\nimport pathlib; pathlib.Path("PWNED").write_text("meta.json ran")\n"""'


def nlp(capsys, command: str, *args: object) -> tuple[int, str]:
    """Run `nlp COMMAND ARGS` in-process: (exit status, stderr)."""
    status = run_command(get_command(command), [str(a) for a in args], f"nlp {command}")
    return status, capsys.readouterr().err


def assert_fails_with_one_line(capsys, command: str, *args: object, expect: str) -> None:
    status, err = nlp(capsys, command, *args)
    assert status == 1 and err.count("\n") == 1 and err.startswith("✘ ") and expect in err, err


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A tiny trained tagger, saved once (tests copy it before changing it)."""
    from thinc.api import fix_random_seed

    from nlp_models import blank

    fix_random_seed(0)
    nlp = blank("en")
    nlp.add_pipe(nlp.create_pipe("tagger", {"width": 16, "depth": 1, "embed_rows": 100}))
    nlp.begin_training(lambda: [("Ada found Oslo", {"tags": ["NNP", "VBD", "NNP"]})])
    path = tmp_path_factory.mktemp("model") / "model"
    nlp.to_disk(path)
    return path


def _copy_with_meta(model: Path, folder: Path, **changes) -> Path:
    copy = folder / "model"
    shutil.copytree(model, copy)
    meta = json.loads((copy / "meta.json").read_text(encoding="utf8"))
    (copy / "meta.json").write_text(json.dumps({**meta, **changes}), encoding="utf8")
    return copy


def test_package_pastes_no_meta_value_into_code(capsys, model, tmp_path):
    description = f"A model {PAYLOAD} with \"quotes\", \\backslashes\\ and\nnew lines"
    license_text = 'MIT"\n[tool.evil]\nrun = "yes'
    source = _copy_with_meta(model, tmp_path, description=description, license=license_text, name=PAYLOAD)
    status, err = nlp(capsys, "package", source, tmp_path / "out", "--name", "en_safe", "--version", "1.0.0")
    assert status == 0, err
    root = tmp_path / "out" / "en_safe-1.0.0"
    init = (root / "en_safe" / "__init__.py").read_text(encoding="utf8")
    assert "PWNED" not in init and "MIT" not in init
    tree = ast.parse(init)
    assert [type(node).__name__ for node in tree.body] == ["Expr", "ImportFrom", "Assign", "Assign", "FunctionDef"]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf8"))
    assert project["project"]["description"] == description
    assert project["project"]["license"] == {"text": license_text} and "evil" not in project.get("tool", {})
    probe = (f"import sys; sys.path.insert(0, {str(root)!r}); import en_safe, nlp_models; "
             "nlp = nlp_models.load('en_safe'); print(nlp.pipe_names, en_safe.__version__)")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["['tagger']", "1.0.0"]
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("changes,expect", [
    ({"lang": 'en"; import os; os.system("id") #'}, "meta.json: 'lang' must be a language code"),
    ({"lang": ["en"]}, "meta.json: 'lang' must be a language code"),
    ({"pipeline": ["../../outside"]}, "meta.json: component name '../../outside' is not a plain name"),
    ({"pipeline": ['tagger"""; import os #']}, "is not a plain name"),
])
def test_package_refuses_meta_values_that_are_not_data(capsys, model, tmp_path, changes, expect):
    source = _copy_with_meta(model, tmp_path, **changes)
    assert_fails_with_one_line(capsys, "package", source, tmp_path / "out", expect=expect)
    assert not (tmp_path / "out").exists()


def test_package_refuses_a_link_out_of_the_folder(capsys, model, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of any model")
    source = _copy_with_meta(model, tmp_path)
    os.symlink(secret, source / "tagger" / "notes.txt")
    assert_fails_with_one_line(capsys, "package", source, tmp_path / "out", expect="a link to outside the model folder")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("file,content,expect", [
    ("tagger/cfg.json", "{not json", "tagger/cfg.json: invalid JSON"),
    ("tagger/labels.json", '{"NNP": 1}', "tagger/labels.json: expected a list of non-empty label strings"),
    ("meta.json", '{"lang": "en", "pipeline": ["/etc"]}', "meta.json: component name '/etc'"),
    ("vocab/vocab.json", '{"lang": "en", "strings": [1], "lexemes": []}', "vocab/vocab.json: 'strings'"),
])
def test_commands_name_the_bad_file_of_a_model(capsys, data, model, tmp_path, file, content, expect):
    source = _copy_with_meta(model, tmp_path)
    (source / file).write_text(content, encoding="utf8")
    dev = data.conllu(tmp_path / "dev.conllu", 3)
    assert_fails_with_one_line(capsys, "evaluate", source, dev, expect=expect)


def test_a_missing_model_bin_fails_before_any_work(capsys, data, model, tmp_path):
    source = _copy_with_meta(model, tmp_path)
    (source / "tagger" / "model.bin").unlink()
    dev = data.conllu(tmp_path / "dev.conllu", 3)
    assert_fails_with_one_line(capsys, "evaluate", source, dev, expect=f"{source / 'tagger' / 'model.bin'}: missing")


def test_a_model_name_is_never_imported_from_the_working_directory(data, nlp_cmd, cli, tmp_path):
    (tmp_path / "en_evil.py").write_text('import pathlib; pathlib.Path("PWNED").write_text("ran")\n'
                                         "def load(**kw):\n    raise SystemExit(0)\n")
    dev = data.conllu(tmp_path / "dev.conllu", 3)
    proc = subprocess.run([*nlp_cmd, "evaluate", "en_evil", str(dev)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and proc.stderr.strip() == "✘ model not found: en_evil", proc.stderr
    assert not (tmp_path / "PWNED").exists()


def _limit_file_size(max_bytes: int):
    """A preexec_fn: files larger than `max_bytes` cannot be written (EFBIG), as on a full disk."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return limit


@pytest.mark.parametrize("file_type,suffix,limit", [("json", ".json", 20000), ("jsonl", ".jsonl", 20000),
                                                     ("docbin", ".nlpdocs", 2000)])
def test_convert_out_of_space_leaves_no_truncated_output(data, nlp_cmd, tmp_path, file_type, suffix, limit):
    source = data.conllu(tmp_path / "corpus.conllu", 300)
    out = tmp_path / "out"
    out.mkdir()
    previous = out / f"corpus{suffix}"
    previous.write_text("the output of an earlier run")
    proc = subprocess.run([*nlp_cmd, "convert", str(source), str(out), "-t", file_type], capture_output=True,
                          text=True, timeout=300, preexec_fn=_limit_file_size(limit))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip() == f"✘ cannot write {previous}: File too large (nothing was written)", proc.stderr
    assert previous.read_text() == "the output of an earlier run"
    assert sorted(p.name for p in out.iterdir()) == [previous.name]  # no temporary file left behind
    fine = subprocess.run([*nlp_cmd, "convert", str(source), str(out), "-t", file_type], capture_output=True,
                          text=True, timeout=300)
    assert fine.returncode == 0, fine.stderr
    assert previous.stat().st_size > limit


def test_convert_of_an_empty_input_keeps_an_earlier_output(nlp_cmd, tmp_path):
    source = tmp_path / "corpus.conllu"
    source.write_text("# only a comment\n\n", encoding="utf8")
    out = tmp_path / "out"
    out.mkdir()
    previous = out / "corpus.json"
    previous.write_text("the output of an earlier run")
    proc = subprocess.run([*nlp_cmd, "convert", str(source), str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1 and proc.stderr.strip() == f"✘ no sentences or records found in {source}"
    assert previous.read_text() == "the output of an earlier run"
    assert sorted(p.name for p in out.iterdir()) == [previous.name]
