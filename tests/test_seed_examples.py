"""The v2.1 example scripts of the seed guide, ours in examples/seed/, run as a user runs them
(a subprocess, few iterations, their built-in data) and checked for the output each documents:
what the trained pipeline predicts, then "Saved model to", and the same from the reloaded one."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parent.parent / "examples" / "seed"


def run(script: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(SEED / script), *map(str, args)], capture_output=True,
                          text=True, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def lines(proc: subprocess.CompletedProcess) -> list[str]:
    return proc.stdout.splitlines()


def check_losses_fall(out: list[str], name: str, n_iter: int) -> None:
    losses = [ast.literal_eval(line[len("Losses "):])[name] for line in out if line.startswith("Losses ")]
    assert len(losses) == n_iter and losses[-1] < losses[0] / 2


def check_saved_and_reloaded(out: list[str], output_dir: Path, shown: list[str]) -> None:
    """After the predictions `shown`: the save, the reload, and the same predictions again."""
    assert out[-2 * len(shown) - 2:] == [*shown, f"Saved model to {output_dir}", f"Loading from {output_dir}", *shown]
    assert (output_dir / "meta.json").is_file()


def test_train_ner_then_keep_training_the_saved_model(tmp_path):
    out = lines(run("train_ner.py", "-n", 20, "-o", tmp_path / "ner"))
    assert out[0] == "Created blank 'en' model"
    check_losses_fall(out, "ner", 20)
    shown = [
        "Entities [('Ada Lovelace', 'PERSON')]",
        "Tokens [('Who', '', 2), ('is', '', 2), ('Ada', 'PERSON', 3), ('Lovelace', 'PERSON', 1), ('?', '', 2)]",
        "Entities [('Paris', 'LOC'), ('Rome', 'LOC')]",
        "Tokens [('I', '', 2), ('like', '', 2), ('Paris', 'LOC', 3), ('and', '', 2), ('Rome', 'LOC', 3), ('.', '', 2)]",
    ]
    check_saved_and_reloaded(out, tmp_path / "ner", shown)
    again = lines(run("train_ner.py", "-m", tmp_path / "ner", "-n", 2))
    assert again[0] == f"Loaded model '{tmp_path / 'ner'}'"
    assert again[-4:] == shown


def test_train_new_entity_type(tmp_path):
    out = lines(run("train_new_entity_type.py", "-n", 10, "-nm", "zoo", "-o", tmp_path / "animal"))
    check_losses_fall(out, "ner", 10)
    shown = ["Entities in 'Do you like otters?'", "ANIMAL otters"]
    check_saved_and_reloaded(out, tmp_path / "animal", shown)
    meta = json.loads((tmp_path / "animal" / "meta.json").read_text())
    assert meta["name"] == "zoo" and meta["labels"]["ner"] == ["ANIMAL"]


def test_train_parser(tmp_path):
    out = lines(run("train_parser.py", "-n", 15, "-o", tmp_path / "parser"))
    check_losses_fall(out, "parser", 15)
    shown = ["Dependencies [('I', 'nsubj', 'like'), ('like', 'ROOT', 'like'), ('bread', 'dobj', 'like'), ('.', 'punct', 'like')]"]
    check_saved_and_reloaded(out, tmp_path / "parser", shown)


def test_train_tagger(tmp_path):
    out = lines(run("train_tagger.py", "-l", "en", "-n", 10, "-o", tmp_path / "tagger"))
    check_losses_fall(out, "tagger", 10)
    shown = ["Tags [('We', 'N', 'NOUN'), ('eat', 'V', 'VERB'), ('fresh', 'J', 'ADJ'), ('apples', 'N', 'NOUN')]"]
    check_saved_and_reloaded(out, tmp_path / "tagger", shown)


def test_train_intent_parser(tmp_path):
    out = lines(run("train_intent_parser.py", "-n", 15, "-o", tmp_path / "intent"))
    check_losses_fall(out, "parser", 15)
    shown = [
        "find a hotel with good wifi",
        "[('find', 'ROOT', 'find'), ('hotel', 'PLACE', 'find'), ('good', 'QUALITY', 'wifi'), ('wifi', 'ATTRIBUTE', 'hotel')]",
        "show me the cheapest bar open now",
        "[('show', 'ROOT', 'show'), ('cheapest', 'QUALITY', 'bar'), ('bar', 'PLACE', 'show'), ('now', 'TIME', 'open')]",
        "find a cafe near the station",
        "[('find', 'ROOT', 'find'), ('cafe', 'PLACE', 'find'), ('station', 'LOCATION', 'cafe')]",
    ]
    check_saved_and_reloaded(out, tmp_path / "intent", shown)


def textcat_scores(out: list[str]) -> dict[str, float]:
    """The cats printed for the test text, checked to be the two classes' scores."""
    (line,) = {line for line in out if line.startswith("This movie sucked ")}
    cats = ast.literal_eval(line[len("This movie sucked "):])
    assert set(cats) == {"POSITIVE", "NEGATIVE"} and sum(cats.values()) == pytest.approx(1.0, abs=1e-5)
    return cats


def test_train_textcat_on_the_built_in_sample(tmp_path):
    out = lines(run("train_textcat.py", "-n", 10, "-o", tmp_path / "textcat"))
    assert out[1:5] == ["Loading the built-in sample...", "Using 20 examples (16 training, 4 evaluation)",
                        "Training the model...", "LOSS \t  P  \t  R  \t  F  "]
    rows = [[float(x) for x in line.split("\t")] for line in out[5:15]]
    assert all(len(row) == 4 and all(0.0 <= x for x in row) for row in rows)
    assert rows[-1][0] < rows[0][0] / 2  # the loss falls
    cats = textcat_scores(out)  # printed twice, the same: before the save and after the reload
    assert cats["NEGATIVE"] > 0.5 > cats["POSITIVE"]
    assert out[-3:-1] == [f"Saved model to {tmp_path / 'textcat'}", f"Loading from {tmp_path / 'textcat'}"]

    import nlp_models

    weights = tmp_path / "tok2vec.bin"  # what `nlp pretrain` writes: the tok2vec's bytes
    weights.write_bytes(nlp_models.load(tmp_path / "textcat").get_pipe("textcat").model.tok2vec.to_bytes())
    again = lines(run("train_textcat.py", "-t2v", weights, "-n", 1))
    textcat_scores(again)


def test_train_textcat_on_a_jsonl_file(tmp_path):
    data = tmp_path / "reviews.jsonl"
    records = [{"text": f"{word} film number {i}", "label": label}
               for i in range(5) for word, label in (("great", "GOOD"), ("awful", "BAD"), ("so-so", "MEH"))]
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = lines(run("train_textcat.py", "-d", data, "-t", 8, "-n", 2))
    assert out[1:3] == [f"Loading data from {data}...", "Using 11 examples (8 training, 3 evaluation)"]
    assert len([line for line in out if line.count("\t") == 3]) == 3  # the header and two passes
    data.write_text(json.dumps(records[0]) + "\n" + '{"text": "no class here", "entities": []}\n')
    proc = run("train_textcat.py", "-d", data, "-n", 1, ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f'train_textcat.py: {data}:2: no "cats" or "label": this script classifies texts'
