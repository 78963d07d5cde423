"""`nlp train --shuffle-buffer N`: the training corpus (a file or a folder) read afresh each epoch,
a file at a time, through a bounded shuffle buffer; bad records are still one line; memory does
not grow with the corpus. (Resuming such a run in the middle of an epoch: test_resume.py.)"""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest
import srsly

from nlp_cli.__main__ import main
from nlp_cli._corpus import ExampleStream
from nlp_cli._models import blank_model
from nlp_gold import CorpusError, read_annotations
from nlp_train import ShuffleBuffer

TINY = ("-cw", "32", "-cd", "1", "-er", "500")


def run_main(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


@pytest.fixture(scope="module")
def folder(tmp_path_factory, data) -> dict[str, Path]:
    """A training folder of two CoNLL-U files (30 and 20 sentences) and a dev file."""
    root = tmp_path_factory.mktemp("streamed")
    train = root / "train"
    train.mkdir()
    data.conllu(train / "a.conllu", 30, seed=1)
    data.conllu(train / "b.conllu", 20, seed=2)
    return {"train": train, "dev": data.conllu(root / "dev.conllu", 10, seed=3)}


def train_log(capsys, out: Path, folder: dict[str, Path], *options) -> tuple[list[dict], str]:
    code, stdout, stderr = run_main(capsys, "train", "en", out, folder["train"], folder["dev"],
                                    "-p", "tagger,parser", "-n", 2, *TINY, *options)
    assert code == 0, stderr
    return list(srsly.read_jsonl(out / "training-log.jsonl")), stdout


def test_a_folder_is_streamed_and_trains_as_the_loaded_one_does(tmp_path, capsys, folder):
    streamed, stdout = train_log(capsys, tmp_path / "s", folder, "--shuffle-buffer", 8)
    assert "50 training examples (streamed, shuffle buffer 8) (450 words)" in stdout
    loaded, stdout = train_log(capsys, tmp_path / "l", folder)
    assert "50 training examples (450 words)" in stdout
    assert [r["n_words"] for r in streamed] == [r["n_words"] for r in loaded] == [450, 450]
    assert streamed[-1]["scores"]["tag_acc"] > 80.0  # it learns from the stream
    limited, stdout = train_log(capsys, tmp_path / "n", folder, "--shuffle-buffer", 8, "-ns", 35)
    assert "35 training examples (streamed" in stdout and limited[0]["n_words"] == 35 * 9


def test_a_bad_record_in_a_streamed_folder_is_one_line(tmp_path, capsys, folder, data):
    train = tmp_path / "train"
    train.mkdir()
    data.conllu(train / "a.conllu", 12, seed=1)
    bad = data.conllu(train / "b.conllu", 6, seed=2)
    lines = bad.read_text(encoding="utf8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("4\t") and i > 30)
    cells = lines[row].split("\t")
    lines[row] = "\t".join([*cells[:6], "x", *cells[7:]])  # HEAD is not a number
    bad.write_text("\n".join(lines) + "\n", encoding="utf8")
    with pytest.raises(CorpusError) as info:
        list(read_annotations(bad))
    assert str(info.value).startswith(f"{bad}:{row + 1}: ")
    code, _, err = run_main(capsys, "train", "en", tmp_path / "o", train, folder["dev"],
                            "-p", "tagger", "--shuffle-buffer", 4, *TINY)
    assert (code, err.strip()) == (1, f"✘ {info.value}")
    code, _, err = run_main(capsys, "train", "en", tmp_path / "o", folder["train"], folder["dev"],
                            "--shuffle-buffer", -1)
    assert (code, err.strip()) == (1, "✘ -sb/--shuffle-buffer must be at least 0, got -1")


def peak_bytes(stream: ExampleStream, size: int) -> int:
    """The most memory Python held at once (tracemalloc) during a shuffled pass over `stream`."""
    tracemalloc.start()
    try:
        for _ in ShuffleBuffer(size, random.Random(0)).shuffle(stream):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_streamed_pass_holds_the_buffer_not_the_corpus(tmp_path, data):
    nlp = blank_model("en")
    small = data.conllu(tmp_path / "1x.conllu", 60, seed=1)
    large = data.conllu(tmp_path / "10x.conllu", 600, seed=1)

    def stream(path: Path) -> ExampleStream:
        return ExampleStream(path, nlp.vocab, nlp.make_doc, "training data")

    peak_bytes(stream(small), 16)  # first-use caches: the strings of the grammar, the readers
    one, ten = peak_bytes(stream(small), 16), peak_bytes(stream(large), 16)
    held = peak_bytes(stream(large), 600)  # a buffer as large as the corpus holds all of it
    assert ten < one * 1.15, (one, ten)
    assert held > 3 * ten, (held, ten)
