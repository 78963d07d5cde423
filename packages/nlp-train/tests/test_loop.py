import importlib.util
import io
import itertools

import pytest
import srsly
from nlp_train_standin import ToyPipeline, build, make_corpus

from nlp_train import TrainablePipeline, decaying, read_log, train

HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
TRAIN = make_corpus(40, 1)
DEV = make_corpus(10, 2)
FAST = {"batch_from": 4, "batch_to": 4, "dropout_from": 0.2, "dropout_to": 0.1,
        "dropout_decay": 0.01}


def run(tmp_path, name="out", seed=0, nlp=None, **options):
    nlp = build(seed) if nlp is None else nlp
    opts = {**FAST, "n_epochs": 3, "seed": seed, **options}
    result = train(nlp, TRAIN, DEV, tmp_path / name, quiet=True, **opts)
    return nlp, result


def folder_bytes(path):
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_standin_implements_the_protocol():
    assert isinstance(ToyPipeline(), TrainablePipeline)


def test_calls_update_and_evaluate_per_batch_and_epoch(tmp_path):
    nlp, result = run(tmp_path)
    assert nlp.calls["update"] == 3 * 10  # 40 examples in batches of 4, 3 epochs
    assert nlp.calls["evaluate"] == 3
    assert nlp.calls["rehearse"] == 0
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir() if p.name != "training-scores.png")
    assert names == ["checkpoint", "model-best", "model-final", "model1", "model2", "model3",
                     "training-log.jsonl"]
    assert (out / "training-scores.png").exists() == HAVE_MATPLOTLIB
    assert result.epochs == 3 and result.stopped_by == "epochs"
    log = read_log(out)
    assert [r["epoch"] for r in log] == [1, 2, 3]
    assert all(r["n_words"] == sum(len(e) for e in TRAIN) and r["n_batches"] == 10 for r in log)
    assert log[result.best_epoch - 1]["best"] is True
    assert result.best_score == max(r["score"] for r in log)


def test_dropout_follows_the_schedule_across_epochs(tmp_path):
    nlp, _ = run(tmp_path)
    expected = list(itertools.islice(decaying(0.2, 0.1, 0.01), 30))
    assert nlp.drops == pytest.approx(expected)


def test_environment_sets_the_schedules(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_DROPOUT_FROM", "0.5")
    monkeypatch.setenv("NLP_DROPOUT_DECAY", "0")
    monkeypatch.setenv("NLP_BATCH_FROM", "8")
    monkeypatch.setenv("NLP_BATCH_TO", "8")
    nlp = build(0)
    train(nlp, TRAIN, DEV, tmp_path / "o", n_epochs=1, quiet=True)
    assert nlp.calls["update"] == 5 and set(nlp.drops) == {0.5}
    monkeypatch.setenv("NLP_DROPOUT_TO", "2")
    with pytest.raises(ValueError, match="NLP_DROPOUT_TO='2' is out of range"):
        train(build(0), TRAIN, DEV, tmp_path / "o", n_epochs=1, quiet=True)


class Scripted(ToyPipeline):
    """Real training, but evaluate() reports scripted dev scores."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)

    def evaluate(self, examples):
        real = super().evaluate(examples)
        return {**real, "tag_acc": self.script[self.calls["evaluate"] - 1]}


def test_keeps_the_best_epoch_by_score_and_stops_on_patience(tmp_path):
    nlp = Scripted([50.0, 70.0, 60.0, 65.0, 90.0])
    _, result = run(tmp_path, nlp=nlp, n_epochs=5, patience=2)
    out = tmp_path / "out"
    assert result.best_epoch == 2 and result.best_score == 70.0
    assert result.stopped_by == "patience" and result.epochs == 4
    assert nlp.calls["evaluate"] == 4
    assert folder_bytes(out / "model-best") == folder_bytes(out / "model2")
    assert not (out / "model5").exists()
    assert [r["best"] for r in read_log(out)] == [True, True, False, False]


def test_score_weights_choose_the_metric(tmp_path):
    class TwoScores(Scripted):
        def evaluate(self, examples):
            scores = super().evaluate(examples)
            return {**scores, "pos_acc": 100.0 - scores["tag_acc"]}

    nlp = TwoScores([50.0, 70.0, 60.0])
    _, result = run(tmp_path, nlp=nlp, score_weights={"pos_acc": 1.0})
    assert result.best_epoch == 1 and result.best_score == 50.0
    with pytest.raises(ValueError, match="not among the scores"):
        run(tmp_path, name="bad", score_weights={"las": 1.0})


def test_same_seed_gives_identical_weights_and_other_seeds_differ(tmp_path):
    a, _ = run(tmp_path, "a", seed=3)
    b, _ = run(tmp_path, "b", seed=3)
    c, _ = run(tmp_path, "c", seed=4)
    assert a.weights() == b.weights()
    assert folder_bytes(tmp_path / "a" / "model-final") == folder_bytes(tmp_path / "b" / "model-final")
    assert a.weights() != c.weights()
    assert folder_bytes(tmp_path / "a" / "model-final") != folder_bytes(tmp_path / "c" / "model-final")


def test_averaged_weights_are_saved_not_the_current_ones(tmp_path):
    nlp, _ = run(tmp_path)
    out = tmp_path / "out"
    current = (out / "checkpoint" / "model" / "tagger.bin").read_bytes()
    assert current == nlp.weights()
    assert (out / "model-final" / "tagger.bin").read_bytes() != current
    assert (out / "model3" / "tagger.bin").read_bytes() == (out / "model-final" / "tagger.bin").read_bytes()


def test_resume_in_process_reaches_the_uninterrupted_weights(tmp_path):
    whole, _ = run(tmp_path, "whole", n_epochs=5)
    first, _ = run(tmp_path, "parts", n_epochs=2)
    # a new pipeline: its thinc models have other ids, so optimizer keys are remapped
    second = build(0)
    assert second.tagger.model.id != first.tagger.model.id
    _, result = run(tmp_path, "parts", nlp=second, n_epochs=5, resume=True)
    assert second.weights() == whole.weights()
    assert second.calls["update"] == 30 and result.epochs == 5
    for name in ("model-final", "model-best", "model5"):
        assert folder_bytes(tmp_path / "parts" / name) == folder_bytes(tmp_path / "whole" / name)
    log_whole, log_parts = read_log(tmp_path / "whole"), read_log(tmp_path / "parts")
    assert [r["scores"]["tag_acc"] for r in log_parts] == [r["scores"]["tag_acc"] for r in log_whole]
    assert [r["losses"] for r in log_parts] == [r["losses"] for r in log_whole]


def test_resume_without_checkpoint_starts_from_scratch(tmp_path):
    stream = io.StringIO()
    nlp = build(0)
    train(nlp, TRAIN, DEV, tmp_path / "o", n_epochs=1, resume=True, stream=stream, **FAST)
    assert "No checkpoint" in stream.getvalue() and nlp.calls["update"] == 10


def test_time_limit_stops_after_a_batch(tmp_path):
    nlp, result = run(tmp_path, max_minutes=1e-9, n_epochs=4)
    assert result.stopped_by == "time" and result.epochs == 1
    assert nlp.calls["update"] == 1 and nlp.calls["evaluate"] == 1
    assert (tmp_path / "out" / "model-final" / "meta.json").exists()


def test_rehearsal_with_raw_texts(tmp_path):
    nlp = build(0)
    train(nlp, TRAIN, DEV, tmp_path / "r", raw_texts=["the cat sees a dog", "a red bird"],
          n_epochs=2, quiet=True, **FAST)
    assert nlp.calls["rehearse"] == nlp.calls["update"] == 20

    class NoRehearse:
        pipe_names = ["tagger"]

    with pytest.raises(TypeError, match="no rehearse"):
        train(NoRehearse(), TRAIN, DEV, tmp_path / "x", raw_texts=["a b"], quiet=True)


def test_limit_and_callable_corpora(tmp_path):
    seen = []

    def corpus(nlp):
        seen.append(nlp)
        return iter(TRAIN)

    nlp = build(0)
    train(nlp, corpus, lambda: DEV, tmp_path / "o", n_epochs=1, limit=8, quiet=True, **FAST)
    assert seen == [nlp] and nlp.calls["update"] == 2
    assert read_log(tmp_path / "o")[0]["n_words"] == sum(len(e) for e in TRAIN[:8])


def test_table_has_the_columns_that_apply(tmp_path):
    stream = io.StringIO()
    nlp = build(0)
    train(nlp, TRAIN, DEV, tmp_path / "o", n_epochs=2, stream=stream, **FAST)
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == ["Itn", "Tag", "Loss", "Tag", "%", "Token", "%", "CPU", "WPS"]
    assert [line.split()[0] for line in lines[1:3]] == ["1", "2"]
    assert "\r" not in stream.getvalue()  # no progress bar when not a terminal
    assert lines[3].startswith("Best: epoch")


def test_progress_bar_when_forced(tmp_path):
    stream = io.StringIO()
    train(build(0), TRAIN, DEV, tmp_path / "o", n_epochs=2, stream=stream, progress=True, **FAST)
    text = stream.getvalue()
    assert text.count("0/40 [") == 2  # tqdm's bar over the 40 examples, once per epoch
    # erased when the epoch ends: what stays on each line is the table and the last message
    shown = [line.rsplit("\r", 1)[-1].strip() for line in text.rstrip("\n").split("\n")]
    assert shown[0].split()[0] == "Itn" and [line.split()[0] for line in shown[1:3]] == ["1", "2"]
    assert shown[3].startswith("Best: epoch") and len(shown) == 4


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="dev_corpus has no examples"):
        train(build(0), TRAIN, [], tmp_path / "o", quiet=True)
    with pytest.raises(TypeError, match="unknown option 'epochs'"):
        train(build(0), TRAIN, DEV, tmp_path / "o", epochs=3, quiet=True)
    with pytest.raises(TypeError, match="train_corpus example 1 .*count_words"):
        train(build(0), [TRAIN[0], object()], DEV, tmp_path / "o", quiet=True)
    with pytest.raises(ValueError, match="patience must be >= 1"):
        train(build(0), TRAIN, DEV, tmp_path / "o", patience=0, quiet=True)


def test_log_is_valid_jsonl(tmp_path):
    run(tmp_path)
    records = list(srsly.read_jsonl(tmp_path / "out" / "training-log.jsonl"))
    keys = {"epoch", "losses", "scores", "score", "best", "n_words", "train_wps", "train_seconds"}
    assert all(keys <= set(r) for r in records)
    assert all(r["train_wps"] > 0 and r["scores"]["wps"] > 0 for r in records)


def test_resume_refuses_a_changed_run(tmp_path):
    run(tmp_path, n_epochs=1)
    with pytest.raises(ValueError, match="the run changed .*n_train was 40, now 20"):
        run(tmp_path, n_epochs=2, resume=True, limit=20)


def test_errors_in_update_name_the_examples(tmp_path):
    class Failing(ToyPipeline):
        def update(self, examples, **kwargs):
            if any(len(ex) > 8 for ex in examples):
                raise ValueError("sentence too long")
            return super().update(examples, **kwargs)

    with pytest.raises(ValueError, match="sentence too long") as info:
        run(tmp_path, nlp=Failing())
    note = info.value.__notes__[0]
    assert note.startswith("in nlp.update, epoch 1, on train_corpus examples [")
    indices = [int(i) for i in note.split("[")[1].rstrip("]").split(",")]
    assert any(len(TRAIN[i]) > 8 for i in indices)


class CalibratedToy(ToyPipeline):
    """A stand-in whose `calibrate` notes what it saw: the examples and the weights in place."""

    def __init__(self) -> None:
        super().__init__()
        self.calibrations: list[tuple[int, bytes]] = []

    def calibrate(self, examples):
        self.calibrations.append((len(examples), self.weights()))
        return {"tagger": {"temperature": float(len(self.calibrations))}}


def test_calibrates_on_dev_with_the_weights_it_saves(tmp_path):
    nlp = CalibratedToy()
    nlp.tagger.model.from_bytes(build(0).weights())
    nlp, _ = run(tmp_path, nlp=nlp)
    assert [n for n, _ in nlp.calibrations] == [len(DEV)] * 3  # once per saved epoch, on dev
    for epoch, (_, weights) in enumerate(nlp.calibrations, start=1):
        assert (tmp_path / "out" / f"model{epoch}" / "tagger.bin").read_bytes() == weights  # averaged
    assert nlp.weights() != nlp.calibrations[-1][1]  # the loop's own weights were swapped back
    log = read_log(tmp_path / "out")
    assert [r["calibration"] for r in log] == [{"tagger": {"temperature": float(k)}} for k in (1, 2, 3)]


def test_calibrates_only_the_models_it_writes(tmp_path):
    """Without model{epoch}: an epoch that does not improve is not calibrated; model-final is
    (once, unless its weights were just calibrated for model-best)."""
    nlp = CalibratedToy()
    nlp.tagger.model.from_bytes(build(0).weights())
    nlp, _ = run(tmp_path, nlp=nlp, n_epochs=4, save_every_epoch=False)
    log = read_log(tmp_path / "out")
    best = [r["best"] for r in log]
    assert not all(best)  # an epoch that saves nothing
    assert [bool(r["calibration"]) for r in log] == best
    assert len(nlp.calibrations) == sum(best) + (not best[-1])
    out = tmp_path / "out"
    assert (out / "model-final" / "tagger.bin").read_bytes() == nlp.calibrations[-1][1]
    assert (out / "model-best" / "tagger.bin").read_bytes() in [w for _, w in nlp.calibrations]
