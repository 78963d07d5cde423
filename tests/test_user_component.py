"""A user's component outside the packages (tests/user_component/shape_tagger.py) trains, saves,
loads and is checked by name, registered by `--code` or by an installed entry point, through the
registry alone. Each command runs as a user runs it: `python -m nlp_cli` in a fresh process."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlp_models.presets import ACCURACY

HERE = Path(__file__).resolve().parent
SHAPE = HERE / "user_component" / "shape_tagger.py"
TINY = ("-cw", "32", "-cd", "1", "-er", "500")
#: Words of each coarse POS: each word has one POS, so the tagger can learn it from a few sentences.
WORDS = {"DET": ["the", "a", "this", "every"], "ADJ": ["big", "small", "red", "old"],
         "NOUN": ["dog", "cat", "house", "tree", "car"], "VERB": ["runs", "sleeps", "stands", "waits"],
         "ADV": ["fast", "slowly", "here", "today"], "PUNCT": ["."]}
SHAPES = (("DET", "ADJ", "NOUN", "VERB", "ADV", "PUNCT"), ("DET", "NOUN", "VERB", "PUNCT"),
          ("DET", "NOUN", "VERB", "ADV", "PUNCT"))
LOAD_AND_TAG = ("import json, sys; import nlp_models; nlp = nlp_models.load(sys.argv[1]); "
                "print(json.dumps([t.pos_ for t in nlp('the big cat sleeps here .')]))")


def conllu_sentence(rng: random.Random, extra: tuple[str, str] | None = None) -> str:
    """One CoNLL-U sentence of a random shape (its words attached to the verb); `extra`: a
    (word, POS) put before the final full stop."""
    shape = rng.choice(SHAPES)
    words = [(rng.choice(WORDS[pos]), pos) for pos in shape]
    if extra is not None:
        words.insert(len(words) - 1, extra)
    verb = next(i for i, (_, pos) in enumerate(words) if pos == "VERB") + 1
    rows = [f"{i}\t{word}\t{word}\t{pos}\t{pos}\t_\t{0 if i == verb else verb}\t{'root' if i == verb else 'dep'}\t_\t_"
            for i, (word, pos) in enumerate(words, 1)]
    text = " ".join(word for word, _ in words[:-1]) + "."
    return f"# text = {text}\n" + "\n".join(rows) + "\n\n"


def write_corpus(path: Path, n: int, seed: int, extra: tuple[str, str] | None = None) -> Path:
    """`n` sentences; the first carries `extra` (a rare or unseen POS)."""
    rng = random.Random(seed)
    path.write_text("".join(conllu_sentence(rng, extra if i == 0 else None) for i in range(n)), encoding="utf8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shape_corpus")
    return {"train": write_corpus(root / "train.conllu", 60, seed=1, extra=("wow", "INTJ")),
            "dev": write_corpus(root / "dev.conllu", 15, seed=2, extra=("xyz", "X"))}


def run(*args: object, env: dict[str, str] | None = None, cwd: Path = HERE, code: int = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)
    assert proc.returncode == code, (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def nlp(*args: object, **kwargs) -> subprocess.CompletedProcess:
    return run("-m", "nlp_cli", *args, **kwargs)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("✘ ") and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def assert_tags_well(tags: list[str]) -> None:
    gold = ["DET", "ADJ", "NOUN", "VERB", "ADV", "PUNCT"]
    assert sum(t == g for t, g in zip(tags, gold)) >= 5, tags


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory) -> tuple[Path, str]:
    """`nlp train --code shape_tagger.py -p shape_tagger`: (output folder, stdout)."""
    out = tmp_path_factory.mktemp("shape_run") / "out"
    proc = nlp("train", "en", out, corpus["train"], corpus["dev"], "--code", SHAPE, "-p", "shape_tagger",
               "-n", "6", *TINY)
    return out, proc.stdout


def test_code_route_trains_with_its_own_column_score_and_batch_maximum(trained):
    out, stdout = trained
    header = next(line for line in stdout.splitlines() if "Itn" in line)
    assert "Shape %" in header and "Tag %" not in header and "UAS" not in header
    records = [json.loads(line) for line in (out / "training-log.jsonl").read_text().splitlines()]
    scores = [r["scores"]["shape_acc"] for r in records if "shape_acc" in r.get("scores", {})]
    assert len(scores) == 6 and scores[-1] > 80.0, scores
    described = next(r["components"] for r in reversed(records) if r.get("components"))
    assert described == [{"name": "shape_tagger", "loss_header": "Shape Loss",
                          "columns": [{"header": "Shape %", "keys": ["shape_acc"], "fmt": ".3f"}],
                          "score_weights": [{"keys": ["shape_acc"], "weight": 1.0}], "max_batch_size": 24,
                          "curves": [{"title": "Shape tagger", "keys": [["shape_acc", "Shape %"]]}],
                          "tables": [], "token_level": True}]
    meta = json.loads((out / "model-best" / "meta.json").read_text())
    assert meta["factories"] == {"shape_tagger": "shape_tagger"}


def test_a_preset_gives_the_users_component_its_tok2vec_settings(corpus, tmp_path):
    """`--preset accuracy` reaches a user's component through its tok2vec cfg (the default cfg it
    copies from TOK2VEC_DEFAULTS), under the options given; loading needs no flag."""
    out = tmp_path / "out"
    nlp("train", "en", out, corpus["train"], corpus["dev"], "--code", SHAPE, "-p", "shape_tagger", "-n", "1",
        "--preset", "accuracy", "-cw", "32", "-er", "500")
    cfg = json.loads((out / "model-final" / "shape_tagger" / "cfg.json").read_text(encoding="utf8"))
    chars = ACCURACY.tok2vec["chars"]
    assert (cfg["preset"], cfg["width"], cfg["depth"], cfg["embed_rows"], cfg["chars"]) == ("accuracy", 32, 6, 500, chars)
    tags = json.loads(run("-c", f"import shape_tagger; {LOAD_AND_TAG}", out / "model-final",
                          env={"PYTHONPATH": str(SHAPE.parent)}).stdout)
    assert len(tags) == 6


def test_the_saved_model_loads_by_name_in_a_fresh_process_that_imports_the_module(trained):
    out, _ = trained
    proc = run("-c", f"import sys; sys.path.insert(0, {str(SHAPE.parent)!r}); import shape_tagger; "
               + LOAD_AND_TAG, out / "model-final")
    assert_tags_well(json.loads(proc.stdout))


def test_evaluate_and_visualize_load_it_with_code_and_fail_in_one_line_without(trained, corpus, tmp_path):
    out, _ = trained
    scores = tmp_path / "scores.json"
    proc = nlp("evaluate", out / "model-final", corpus["dev"], "--code", SHAPE, "-o", scores)
    rows = {line.split("  ")[0].strip(): line.split()[-1] for line in proc.stdout.splitlines() if "  " in line}
    assert float(rows["Shape %"]) == pytest.approx(json.loads(scores.read_text())["shape_acc"], abs=0.01)
    assert list(rows)[:2] == ["Token %", "Token P"] and list(rows)[-1] == "Words/s"
    line = one_error_line(nlp("evaluate", out / "model-final", corpus["dev"], code=1))
    assert "component 'shape_tagger' needs factory 'shape_tagger', which is not available" in line
    texts = tmp_path / "texts.txt"
    texts.write_text("the big cat sleeps here .\n", encoding="utf8")
    nlp("visualize", out / "model-final", texts, "--code", SHAPE, "-o", tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf8").count("sleeps") >= 1


def test_a_model_needing_an_unregistered_factory_fails_to_load_with_one_line(trained, tmp_path):
    out, _ = trained
    proc = run("-c", "import sys, nlp_models\ntry:\n    nlp_models.load(sys.argv[1])\nexcept ValueError as err:\n"
               "    print(err)", out / "model-final")
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and "needs factory 'shape_tagger'" in lines[0] and "model-final" in lines[0], lines


def installed_as_entry_point(root: Path) -> Path:
    """A folder holding the module and the dist-info an installer writes for it, declaring the
    module under the group nlp_models.components: on PYTHONPATH, it is an installed package."""
    root.mkdir()
    shutil.copy(SHAPE, root / SHAPE.name)
    info = root / "shape_tagger-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shape_tagger\nVersion: 0.1\n", encoding="utf8")
    (info / "entry_points.txt").write_text("[nlp_models.components]\nshape_tagger = shape_tagger\n", encoding="utf8")
    return root


def test_entry_point_route_trains_and_loads_without_code(corpus, tmp_path):
    site = installed_as_entry_point(tmp_path / "site")
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    out = tmp_path / "out"
    proc = nlp("train", "en", out, corpus["train"], corpus["dev"], "-p", "shape_tagger", "-n", "6", *TINY,
               env=env, cwd=tmp_path)
    assert "Shape %" in proc.stdout
    tagged = run("-c", LOAD_AND_TAG, out / "model-final", env=env, cwd=tmp_path)
    assert_tags_well(json.loads(tagged.stdout))
    listed = one_error_line(nlp("train", "en", out, corpus["train"], corpus["dev"], "-p", "entity_linker", env=env,
                                cwd=tmp_path, code=1))
    assert "unknown component(s) entity_linker: use some of " in listed and "shape_tagger" in listed


def test_debug_data_reports_the_components_labels(corpus):
    proc = nlp("debug-data", "en", corpus["train"], corpus["dev"], "--code", SHAPE, "-p", "shape_tagger")
    out = proc.stdout
    assert "=== shape_tagger (coarse POS tags) ===" in out
    assert "ℹ shape_tagger: 7 POS tags in train: " in out and "INTJ (1)" in out
    assert "⚠ shape_tagger: 1 POS tags with fewer than 3 training examples: INTJ" in out
    assert "⚠ shape_tagger: 1 POS tags in dev never seen in train: X" in out


def test_data_without_its_annotation_is_the_same_one_line_error_in_train_and_debug_data(corpus, tmp_path):
    text = corpus["train"].read_text(encoding="utf8").splitlines()
    bare = tmp_path / "no_pos.conllu"
    bare.write_text("\n".join("\t".join(r.split("\t")[:3] + ["_"] + r.split("\t")[4:]) if "\t" in r else r
                              for r in text) + "\n", encoding="utf8")
    expect = (f"-p shape_tagger: the training data ({bare}) has no coarse POS tags: nothing to train the "
              "shape_tagger on")
    train = nlp("train", "en", tmp_path / "out", bare, corpus["dev"], "--code", SHAPE, "-p", "shape_tagger",
                *TINY, code=1)
    assert expect in one_error_line(train)
    debug = nlp("debug-data", "en", bare, corpus["dev"], "--code", SHAPE, "-p", "shape_tagger", code=1)
    assert any(expect in line for line in debug.stdout.splitlines() if line.startswith("✘"))
