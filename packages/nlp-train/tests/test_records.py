"""Atomic folders, crash recovery, scoring weights, table columns, the plot."""

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from nlp_train import ComponentInfo, ScoreWeight, default_score_weights, known_info, weighted_score
from nlp_train.report import plot_scores, read_log, write_log
from nlp_train.storage import atomic_write_dir, recover
from nlp_train.table import table_columns


def write_files(*names):
    def write(path):
        for name in names:
            (path / name).write_text(name)
    return write


def test_atomic_write_replaces_a_folder_whole(tmp_path):
    target = tmp_path / "model-best"
    atomic_write_dir(target, write_files("a", "b"))
    atomic_write_dir(target, write_files("c"))
    assert sorted(p.name for p in target.iterdir()) == ["c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-best"]


def test_a_failed_write_leaves_the_old_folder(tmp_path):
    target = tmp_path / "model1"
    atomic_write_dir(target, write_files("a"))

    def broken(path):
        (path / "half").write_text("x")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_dir(target, broken)
    assert sorted(p.name for p in target.iterdir()) == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model1"]


def test_recover_puts_back_a_folder_moved_aside(tmp_path):
    # killed between moving the old folder aside and renaming the new one in
    (tmp_path / ".checkpoint.old-99").mkdir()
    (tmp_path / ".checkpoint.old-99" / "state").write_text("old")
    (tmp_path / ".checkpoint.tmp-99").mkdir()
    (tmp_path / ".model-best.old-98").mkdir()
    (tmp_path / "model-best").mkdir()
    (tmp_path / ".unrelated").mkdir()
    actions = recover(tmp_path)
    assert len(actions) == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".unrelated", "checkpoint", "model-best"]
    assert (tmp_path / "checkpoint" / "state").read_text() == "old"


def _dead_pid():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    return int(child.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is not probed on Windows")
def test_recover_removes_temp_files_of_dead_writers_only(tmp_path):
    # a kill -9 inside atomic_write_file leaves .NAME.tmp-PID behind
    dead = _dead_pid()
    (tmp_path / f".training-log.jsonl.tmp-{dead}").write_text('{"epoch": 1')
    (tmp_path / f".training-log.jsonl.tmp-{os.getpid()}").write_text("being written")  # a live writer
    (tmp_path / f".notes.old-{dead}").write_text("not a temp file")
    (tmp_path / f"notes.tmp-{dead}").write_text("not hidden: not ours")
    (tmp_path / "training-log.jsonl").write_text('{"epoch": 0}\n')
    actions = recover(tmp_path)
    assert actions == [f"removed the interrupted write .training-log.jsonl.tmp-{dead}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f".training-log.jsonl.tmp-{os.getpid()}", f".notes.old-{dead}", f"notes.tmp-{dead}", "training-log.jsonl"])


def test_log_is_replaced_whole_or_not_at_all(tmp_path):
    write_log(tmp_path, [{"epoch": 1, "scores": {"las": 0.1 + 0.2}}])

    def broken():
        yield {"epoch": 1}
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_log(tmp_path, broken())
    assert read_log(tmp_path) == [{"epoch": 1, "scores": {"las": 0.1 + 0.2}}]
    assert [p.name for p in tmp_path.iterdir()] == ["training-log.jsonl"]


def test_default_score_weights_of_a_component_count_as_one():
    heavy = ComponentInfo("heavy", score_weights=(ScoreWeight(("a",), 3.0), ScoreWeight(("b",), 1.0)))
    light = ComponentInfo("light", score_weights=(ScoreWeight(("c", "d"), 0.5),))
    weights = default_score_weights([heavy, light], {"a": 1.0, "b": 2.0, "d": 3.0})
    assert weights == {"a": 0.75, "b": 0.25, "d": 1.0}
    with pytest.raises(ValueError, match=r"pipeline \['light'\] expects \['c', 'd'\]"):
        default_score_weights([light], {"a": 1.0})


def test_default_score_weights():
    scores = {"tag_acc": 90.0, "uas": 80.0, "las": 70.0, "ents_f": 60.0, "textcat_acc": 50.0,
              "token_acc": 100.0, "wps": 1e4}
    weights = default_score_weights(["tagger", "parser", "ner", "textcat"], scores)
    assert weights == {"tag_acc": 1.0, "las": 0.75, "uas": 0.25, "ents_f": 1.0, "textcat_acc": 1.0}
    assert weighted_score(scores, weights) == pytest.approx((90 + 0.75 * 70 + 0.25 * 80 + 60 + 50) / 4)
    macro = default_score_weights(["textcat"], {"textcat_acc": 1.0, "textcat_macro_f": 2.0})
    assert macro == {"textcat_macro_f": 1.0}
    with pytest.raises(ValueError, match="no main metric"):
        default_score_weights(["parser"], {"tag_acc": 1.0})
    with pytest.raises(ValueError, match="returned no such score"):
        weighted_score({"uas": 1.0}, {"las": 1.0})


def test_table_columns_come_from_the_infos():
    """Losses, then scores in pipeline order; Token % after the last token-level component."""
    infos = [known_info(name) for name in ("tagger", "parser", "ner", "textcat")]
    full = [c.header for c in table_columns(infos)]
    assert full == ["Itn", "Tag Loss", "Dep Loss", "NER Loss", "Textcat Loss", "Tag %", "UAS",
                    "LAS", "NER P", "NER R", "NER F", "Token %", "Textcat", "CPU WPS"]
    assert [c.header for c in table_columns([known_info("textcat")], on_gpu=True)] == \
        ["Itn", "Textcat Loss", "Textcat", "GPU WPS"]
    shared = ComponentInfo("shared")  # no loss header, no columns: shows nothing of its own
    second = replace(known_info("ner"), name="ner2")  # a second one of a kind shares the scores
    headers = [c.header for c in table_columns([shared, known_info("ner"), second])]
    assert headers == ["Itn", "NER Loss", "NER Loss", "NER P", "NER R", "NER F", "Token %", "CPU WPS"]


def test_plot_is_written_when_matplotlib_is_installed(tmp_path):
    pytest.importorskip("matplotlib")
    records = [{"epoch": i, "scores": {"tag_acc": 50.0 + i, "las": 40.0 + 2 * i}, "best": i == 3}
               for i in (1, 2, 3)]
    assert plot_scores(tmp_path, records) is True
    data = (tmp_path / "training-scores.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["training-scores.png"]


def test_plot_is_skipped_quietly_without_matplotlib(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    records = [{"epoch": 1, "scores": {"tag_acc": 50.0}, "best": True}]
    assert plot_scores(tmp_path, records) is False
    assert list(tmp_path.iterdir()) == []
