"""The text classifier as spaCy v2 users train it (issue #16, point 3): cats written as JSON
true/false, v2's architecture names on the command line, and `nlp pretrain` weights (default
options) fitting v2's default textcat's tok2vec, from `nlp train -t2v` and from v2's example
`textcat.model.tok2vec.from_bytes(file_.read())`, with no width/depth options anywhere."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

WORDS = {True: ["great", "superb", "fun"], False: ["awful", "dull", "bad"]}


def write_reviews(path: Path, n: int, seed: int) -> Path:
    """JSONL reviews whose cats are JSON booleans, as v2's train_textcat built them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf8") as file:
        for i in range(n):
            positive = i % 2 == 0
            cats = {"POSITIVE": positive, "NEGATIVE": not positive}
            file.write(json.dumps({"text": f"a {rng.choice(WORDS[positive])} film .", "cats": cats}) + "\n")
    return path


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory, data, nlp_cmd, cli) -> Path:
    """`nlp pretrain` output written with its default sizes (no -cw/-cd/-er)."""
    root = tmp_path_factory.mktemp("pretrain")
    (root / "v.txt").write_text("the 0.1 0.2\nfilm 0.3 0.4\n", encoding="utf8")
    cli.run(nlp_cmd, "init-vectors", "en", root / "blank", root / "v.txt")
    cli.run(nlp_cmd, "pretrain", data.texts(root / "texts.jsonl", 12, seed=3), root / "blank", root / "pt",
            "-o", "characters", "-i", "1")
    return root / "pt"


def test_pretrain_records_the_default_sizes(pretrained):
    config = json.loads((pretrained / "config.json").read_text())
    assert (config["width"], config["depth"], config["embed_rows"]) == (96, 4, [5000, 2500, 2500, 2500])


def test_train_t2v_fits_v2s_default_textcat_without_size_options(tmp_path, pretrained, nlp_cmd, cli):
    """v2's default architecture (ensemble) takes the sizes `nlp pretrain` recorded beside the
    weights, whatever the preset's; the efficiency preset's bag of words has no tok2vec: one line."""
    import nlp_models

    train = write_reviews(tmp_path / "train.jsonl", 16, 0)
    dev = write_reviews(tmp_path / "dev.jsonl", 6, 1)
    proc = cli.run(nlp_cmd, "train", "en", tmp_path / "out", train, dev, "-p", "textcat", "-n", "1",
                   "-ta", "ensemble", "-t2v", pretrained / "model0.bin")
    assert "Loaded pretrained tok2vec weights into 1 component" in proc.stdout
    assert f"tok2vec sizes of the pretrained weights ({pretrained / 'config.json'}): width 96, depth 4" in proc.stdout
    textcat = nlp_models.load(tmp_path / "out" / "model-final").get_pipe("textcat")
    assert textcat.cfg["architecture"] == "ensemble" and textcat.cfg["exclusive_classes"] is True
    assert sorted(textcat.labels) == ["NEGATIVE", "POSITIVE"]
    bow = cli.run(nlp_cmd, "train", "en", tmp_path / "bow", train, dev, "-p", "textcat", "-n", "1",
                  "-t2v", pretrained / "model0.bin", ok=False)
    assert bow.returncode == 1 and len(bow.stderr.strip().splitlines()) == 1
    assert "no new component has a tok2vec of its own to load the weights into (new: textcat;" in bow.stderr


@pytest.mark.parametrize("config", [{"exclusive_classes": True, "architecture": "simple_cnn"}, {}])
def test_v2_pretrained_weights_example(pretrained, config):
    """v2's train_textcat.py: `textcat.model.tok2vec.from_bytes(file_.read())` after begin_training,
    for its simple_cnn and for the default textcat."""
    import nlp_models

    nlp = nlp_models.blank("en")
    textcat = nlp.create_pipe("textcat", config=config)
    nlp.add_pipe(textcat, last=True)
    textcat.add_label("POSITIVE")
    textcat.add_label("NEGATIVE")
    nlp.begin_training()
    weights = pretrained / "model0.bin"
    with weights.open("rb") as file_:
        textcat.model.tok2vec.from_bytes(file_.read())
    assert textcat.model.tok2vec.to_bytes() == weights.read_bytes()
    assert set(nlp("a great film .").cats) == {"POSITIVE", "NEGATIVE"}


def test_v2_architecture_names_on_the_command_line(tmp_path, nlp_cmd, cli):
    import nlp_models

    train = write_reviews(tmp_path / "train.jsonl", 16, 0)
    cli.run(nlp_cmd, "train", "en", tmp_path / "out", train, train, "-p", "textcat", "-n", "1", "-ta", "simple_cnn",
            "-cw", "32", "-cd", "1", "-er", "500")
    assert nlp_models.load(tmp_path / "out" / "model-final").get_pipe("textcat").cfg["architecture"] == "simple_cnn"
    bad = cli.run(nlp_cmd, "train", "en", tmp_path / "bad", train, train, "-p", "textcat", "-ta", "lstm", ok=False)
    assert bad.returncode != 0 and "invalid choice: 'lstm'" in bad.stderr and "simple_cnn" in bad.stderr
