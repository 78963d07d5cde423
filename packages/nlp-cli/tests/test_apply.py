"""`nlp apply`: every input format (text lines, JSONL, a folder of .txt files) to JSONL and
CoNLL-U, with a small pipeline of every kind of component trained here; restarts (a partial last
record, kill -9 mid-run, a finished run, --overwrite); malformed lines named by line number, or
set aside with --skip-bad; worker processes giving the same output as one process."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp_cli._errors import UserError, run_command
from nlp_cli.apply import apply

SMALL = {"width": 32, "depth": 1, "embed_rows": 500}
PEOPLE = ["Ada Moss", "Ben Okafor", "Cleo Varga"]
PLACES = ["Lisbon", "Tartu", "Quito"]
NOUNS = ["boat", "lamp", "song"]
VERBS = {"found": "find", "sold": "sell", "painted": "paint"}


def sentence(rng: random.Random) -> tuple[str, dict]:
    """A sentence of the grammar "FIRST LAST VERB the NOUN in PLACE ." and its full annotation."""
    person, verb, noun, place = rng.choice(PEOPLE), rng.choice(list(VERBS)), rng.choice(NOUNS), rng.choice(PLACES)
    text = f"{person} {verb} the {noun} in {place}."
    annot = {
        "tags": ["NNP", "NNP", "VBD", "DT", "NN", "IN", "NNP", "."],
        "pos": ["PROPN", "PROPN", "VERB", "DET", "NOUN", "ADP", "PROPN", "PUNCT"],
        "morphs": ["Number=Sing", "Number=Sing", "Tense=Past", "", "Number=Sing", "", "Number=Sing", ""],
        "lemmas": [*person.split(), VERBS[verb], "the", noun, "in", place, "."],
        "heads": [2, 0, 2, 4, 2, 6, 2, 2],
        "deps": ["nsubj", "flat", "ROOT", "det", "obj", "case", "obl", "punct"],
        "entities": [(0, len(person), "PER"), (text.index(place), text.index(place) + len(place), "LOC")],
        "cats": {"SELL": float(verb == "sold"), "OTHER": float(verb != "sold")},
    }
    return text, annot


def texts(n: int, seed: int) -> list[str]:
    """`n` texts of two sentences each (one with a contraction, a multiword token in CoNLL-U)."""
    rng = random.Random(seed)
    out = [f"{sentence(rng)[0]} {sentence(rng)[0]}" for _ in range(n)]
    out[0] = out[0].replace(" the ", " don't the ", 1)
    return out


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A tagger, morphologizer, lemmatizer, parser, entity recognizer and text classifier, trained
    for a few steps (the tests check what is written, not how well it is predicted)."""
    from thinc.api import fix_random_seed

    from nlp_models import blank

    fix_random_seed(0)
    rng = random.Random(0)
    train = [sentence(rng) for _ in range(12)]
    nlp = blank("en")
    for name in ("tagger", "morphologizer", "lemmatizer", "parser", "ner", "textcat"):
        config = {"architecture": "bow", "exclusive_classes": True} if name == "textcat" else SMALL
        nlp.add_pipe(nlp.create_pipe(name, config))
    optimizer = nlp.begin_training(lambda: train)
    for _ in range(4):
        nlp.update([t for t, _ in train], [a for _, a in train], sgd=optimizer)
    out = tmp_path_factory.mktemp("apply-model") / "model"
    nlp.to_disk(out)
    return out


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf8")
    return path


def jsonl_input(path: Path, items: list[str]) -> Path:
    return write_lines(path, [json.dumps({"id": f"d{k}", "meta": {"k": k}, "text": t}) for k, t in enumerate(items)])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def nlp_apply(*args: object) -> int:
    """`nlp apply ARGS` in this process, as the command runs it (one-line errors, exit status)."""
    return run_command(apply, [str(a) for a in args], "nlp apply")


def test_jsonl_to_jsonl_keeps_the_fields_and_writes_every_annotation(tmp_path, model):
    items = texts(6, seed=1)
    source = jsonl_input(tmp_path / "in.jsonl", items)
    with source.open("a") as file:
        file.write("\n   \n")  # blank lines are no texts
    assert apply(str(model), str(source), str(tmp_path / "out.jsonl")) == 0
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["text"] for r in records] == items
    assert [(r["id"], r["meta"]) for r in records] == [(f"d{k}", {"k": k}) for k in range(6)]
    for record in records:
        tokens = record["tokens"]
        assert all(record["text"][t["start"] : t["end"]] == t["text"] for t in tokens)
        assert all({"tag", "pos", "morph", "lemma", "head", "dep"} <= set(t) for t in tokens)
        assert all(0 <= t["head"] < len(tokens) for t in tokens)
        assert record["sents"][0][0] == 0 and record["sents"][-1][1] == len(tokens)
        assert all(record["text"][e["start"] : e["end"]] and e["label"] in ("PER", "LOC") for e in record["ents"])
        assert set(record["cats"]) == {"SELL", "OTHER"}
    import nlp_models

    doc = nlp_models.load(model)(items[1])
    assert [t["tag"] for t in records[1]["tokens"]] == [t.tag_ for t in doc]
    assert [[e["start"], e["end"], e["label"]] for e in records[1]["ents"]] == \
        [[e.start_char, e.end_char, e.label_] for e in doc.ents]


def test_plain_text_to_conllu_writes_every_column_and_reads_back(tmp_path, model):
    from nlp_gold import read_conllu

    items = texts(4, seed=2)
    source = write_lines(tmp_path / "in.txt", ["\ufeff" + items[0], "", *items[1:]])
    assert apply(str(model), str(source), str(tmp_path / "out.conllu")) == 0
    written = (tmp_path / "out.conllu").read_text(encoding="utf8")
    assert [line for line in written.splitlines() if line.startswith("# newdoc")] == \
        ["# newdoc id = 1", "# newdoc id = 3", "# newdoc id = 4", "# newdoc id = 5"]
    assert "# sent_id = 1-1" in written
    assert any(line.split("\t")[:2] == ["4-5", "don't"] for line in written.splitlines())  # a multiword token
    sentences = list(read_conllu(tmp_path / "out.conllu", multiword_tokens=True))
    assert " ".join(s["text"] for s in sentences) == " ".join(items)
    words = [row.split("\t") for row in written.splitlines() if row[:1].isdigit() and "-" not in row.split("\t")[0]]
    assert all(all(col != "_" for col in row[2:8]) or row[5] == "_" for row in words)  # FEATS may be empty
    assert all(row[3] != "_" and row[4] != "_" and row[6] != "_" and row[7] != "_" for row in words)


def test_folder_of_text_files_in_sorted_order_with_their_names(tmp_path, model):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    items = texts(3, seed=3)
    for name, text in zip(("b.txt", "a.txt", "sub/c.txt"), items):
        (folder / name).write_text(text + "\n", encoding="utf8")
    (folder / "notes.md").write_text("not a text to annotate", encoding="utf8")
    assert apply(str(model), str(folder), str(tmp_path / "out.jsonl")) == 0
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [(r["file"], r["text"].strip()) for r in records] == [("a.txt", items[1]), ("b.txt", items[0]),
                                                                 ("sub/c.txt", items[2])]
    assert apply(str(model), str(folder), str(tmp_path / "out.txt"), output_format="conllu") == 0
    written = (tmp_path / "out.txt").read_text(encoding="utf8")
    assert [line for line in written.splitlines() if line.startswith("# newdoc")] == \
        ["# newdoc id = a.txt", "# newdoc id = b.txt", "# newdoc id = sub/c.txt"]


@pytest.mark.parametrize("line, problem", [
    ('{"text": "Ada sold the lamp."', "not a JSON object"),
    ('{"id": 7}', 'no "text" string'),
    ('{"text": 7}', '"text" is not a string'),
    ('["Ada sold the lamp."]', "expected a JSON object"),
])
def test_a_malformed_line_stops_with_file_and_line_and_the_fixed_run_goes_on(tmp_path, model, capsys, line, problem):
    items = texts(5, seed=4)
    source = jsonl_input(tmp_path / "in.jsonl", items)
    good = source.read_text(encoding="utf8").splitlines()
    write_lines(source, good[:3] + [line] + good[3:])
    out = tmp_path / "out.jsonl"
    assert nlp_apply(model, source, out, "-b", "2", "--save-every", "0") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"✘ {source}:4: {problem}"), err
    assert [r["text"] for r in read_jsonl(out)] == items[:3]  # the texts before it are written
    write_lines(source, good)  # fixed: the same command goes on after them
    assert nlp_apply(model, source, out, "-b", "2") == 0
    assert [r["text"] for r in read_jsonl(out)] == items


def test_skip_bad_sets_bad_lines_aside_and_goes_on(tmp_path, model, capsys):
    items = texts(4, seed=5)
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"text": t}) for t in items]
    source.write_bytes("\n".join([lines[0], "{oops", lines[1], lines[2], '{"txt": "x"}', lines[3]]).encode() +
                       b"\n\xff\xfe bad bytes\n")
    out = tmp_path / "out.jsonl"
    assert nlp_apply(model, source, out, "--skip-bad", "-b", "1") == 0
    captured = capsys.readouterr()
    assert [r["text"] for r in read_jsonl(out)] == items
    assert (tmp_path / "out.jsonl.rejected").read_bytes() == b'{oops\n{"txt": "x"}\n\xff\xfe bad bytes\n'
    warnings = [line for line in captured.err.splitlines() if line.startswith("⚠")]
    assert [w.split(": ")[0] for w in warnings] == [f"⚠ {source}:2", f"⚠ {source}:5", f"⚠ {source}:7"]
    assert "not UTF-8" in warnings[2]
    assert "4 texts" in captured.out and "3 set aside in out.jsonl.rejected" in captured.out


def test_finished_run_does_nothing_existing_output_needs_overwrite(tmp_path, model, capsys):
    source = write_lines(tmp_path / "in.txt", texts(3, seed=6))
    out = tmp_path / "out.jsonl"
    assert nlp_apply(model, source, out) == 0
    first = out.read_bytes()
    capsys.readouterr()
    assert nlp_apply(model, source, out) == 0
    assert "Nothing to do" in capsys.readouterr().out and out.read_bytes() == first
    assert nlp_apply(tmp_path / "no-model", source, out, "--overwrite") == 1  # the output stays
    assert "model not found" in capsys.readouterr().err and out.read_bytes() == first
    assert nlp_apply(model, source, out, "--overwrite") == 0 and out.read_bytes() == first
    other = write_lines(tmp_path / "other.txt", texts(2, seed=7))
    assert nlp_apply(model, other, out) == 1
    assert "was started with input" in capsys.readouterr().err
    (tmp_path / "out.jsonl.progress").unlink()
    assert nlp_apply(model, source, out) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "exists and is not an interrupted nlp apply run" in err
    assert nlp_apply(model, source, tmp_path / "out.csv") == 1
    assert "cannot tell the output format from out.csv" in capsys.readouterr().err


def test_restart_cuts_a_partial_record_and_writes_nothing_twice(tmp_path, model, monkeypatch):
    """Stopped after its second save, with two more records and half a third written: the
    restart removes what the progress file does not count and writes it once."""
    from nlp_cli._apply_progress import RecordWriter

    items = texts(9, seed=8)
    source = write_lines(tmp_path / "in.txt", items)
    apply(str(model), str(source), str(tmp_path / "reference.jsonl"), batch_size=2)
    commit = RecordWriter.commit
    calls = []

    def crash_on_third(self, finished=False):
        calls.append(self.pending)
        if len(calls) == 3:
            self.file.write(b'{"line": 7, "text": "half a rec')
            raise KeyboardInterrupt
        commit(self, finished)

    monkeypatch.setattr(RecordWriter, "commit", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        apply(str(model), str(source), str(tmp_path / "out.jsonl"), batch_size=2, save_every=0)
    monkeypatch.setattr(RecordWriter, "commit", commit)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf8").splitlines()
    assert len(lines) == 7 and lines[-1].endswith("half a rec")  # 4 saved, 2 not, half a record
    apply(str(model), str(source), str(tmp_path / "out.jsonl"), batch_size=2)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "reference.jsonl").read_bytes()


def progress_texts(path: Path) -> int:
    try:
        return json.loads(path.read_text(encoding="utf8"))["texts"]
    except (OSError, ValueError):
        return 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_mid_run_then_the_same_command_loses_and_repeats_nothing(tmp_path, model):
    """Killed twice (the second time while going on from the first) at whatever point of
    writing a CoNLL-U record it was, then run to the end: the bytes of an uninterrupted run."""
    source = write_lines(tmp_path / "in.txt", texts(240, seed=9))
    reference, out = tmp_path / "reference.conllu", tmp_path / "out.conllu"
    apply(str(model), str(source), str(reference), batch_size=4)
    command = [sys.executable, "-m", "nlp_cli", "apply", str(model), str(source), str(out), "-b", "4",
               "--save-every", "0"]
    for at_least in (20, 100):
        with (tmp_path / "stderr.txt").open("w") as stderr:
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
            deadline = time.monotonic() + 120
            while progress_texts(out.with_name(out.name + ".progress")) < at_least and proc.poll() is None:
                assert time.monotonic() < deadline, "the run saved no progress"
                time.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
        assert 0 < out.stat().st_size < reference.stat().st_size, "the run ended before it was killed"
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    assert out.read_bytes() == reference.read_bytes()


def test_worker_processes_write_what_one_process_writes(tmp_path, model):
    source = write_lines(tmp_path / "in.txt", texts(30, seed=10))
    for fmt in ("jsonl", "conllu"):
        apply(str(model), str(source), str(tmp_path / f"one.{fmt}"), batch_size=4)
        apply(str(model), str(source), str(tmp_path / f"two.{fmt}"), batch_size=4, n_process=2)
        assert (tmp_path / f"two.{fmt}").read_bytes() == (tmp_path / f"one.{fmt}").read_bytes()


PARENT = os.getpid()
WORKER_DOCS = [0]  # docs a forked worker has annotated (its own copy of the count)


def die_in_a_worker(doc):
    """A component that kills a worker process (never this one) on the 5th doc it annotates: the
    first of its second batch of 4 (the first two batches always go to the worker)."""
    if os.getpid() != PARENT:
        WORKER_DOCS[0] += 1
        if WORKER_DOCS[0] == 5:
            os.kill(os.getpid(), signal.SIGKILL)
    return doc


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")
def test_a_killed_worker_is_one_line_and_the_same_command_goes_on(tmp_path, model, monkeypatch, capsys):
    import nlp_cli.apply as command
    from nlp_cli._models import load_model

    source = write_lines(tmp_path / "in.txt", texts(24, seed=12))
    reference, out = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"
    apply(str(model), str(source), str(reference), batch_size=4)

    def load_with_killer(name: str):
        nlp = load_model(name)
        nlp.add_pipe(die_in_a_worker, name="die")
        return nlp

    monkeypatch.setattr(command, "load_model", load_with_killer)
    assert nlp_apply(model, source, out, "-n", "2", "-b", "4", "--save-every", "0") == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "worker process stopped abruptly" in err and "run the same command" in err, err
    assert 0 < out.stat().st_size < reference.stat().st_size  # the first batch is saved, the second never came
    monkeypatch.undo()
    assert nlp_apply(model, source, out, "-n", "2", "-b", "4") == 0
    assert out.read_bytes() == reference.read_bytes()


def test_option_errors_are_one_line(tmp_path, model, capsys):
    source = write_lines(tmp_path / "in.txt", texts(1, seed=11))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("no text file here", encoding="utf8")
    for args, message in [((model, tmp_path / "missing.txt", tmp_path / "o.jsonl"), "input not found"),
                          ((model, source, tmp_path / "o.jsonl", "-n", "0"), "must be at least 1"),
                          ((tmp_path / "no-model", source, tmp_path / "o.jsonl"), "model not found"),
                          ((model, tmp_path / "empty", tmp_path / "o.jsonl"), "holds no .txt files")]:
        assert nlp_apply(*args) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
    with pytest.raises(UserError, match="output is the input file"):
        apply(str(model), str(source), str(source), output_format="jsonl")
