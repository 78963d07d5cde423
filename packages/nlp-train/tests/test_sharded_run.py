"""The data-parallel pieces without Ray: batches cut into shards of about equal words, and a
one-worker ShardedRun (its gradients captured into the flat array, summed and applied by the
optimizer afterwards) training exactly the weights of the plain TrainingRun."""

from __future__ import annotations

from nlp_train_standin import build, make_corpus

from nlp_train import TrainConfig, TrainingRun
from nlp_train.data_parallel import ShardedRun
from nlp_train.gradients import split_batch


class OneWorker:
    """A Group of one: what it gathers is what it sent."""

    rank, size = 0, 1

    def allgather(self, kind, info, array=None):
        return [info], [array]


def test_shards_are_balanced_by_words_and_keep_the_batch_order():
    batch = make_corpus(13, 5)
    shards = split_batch(batch, 3)
    assert sorted(id(ex) for shard in shards for ex in shard) == sorted(id(ex) for ex in batch)
    for shard in shards:
        positions = [batch.index(ex) for ex in shard]
        assert positions == sorted(positions)
    words = [sum(len(ex) for ex in shard) for shard in shards]
    assert max(words) - min(words) <= max(len(ex) for ex in batch)
    assert split_batch(batch, 3) == shards  # the same cut in every worker
    assert split_batch(batch[:1], 2) == [batch[:1], []]


def test_one_worker_trains_the_weights_of_the_plain_loop(tmp_path):
    corpus, dev = make_corpus(30, 1), make_corpus(8, 2)
    cfg = TrainConfig(n_epochs=2, seed=4, batch_from=4, batch_to=8, dropout_from=0.2, dropout_to=0.2)
    plain = build(0)
    TrainingRun.prepare(plain, corpus, dev, tmp_path / "plain", cfg).run()
    sharded = build(0)
    run = ShardedRun.start(OneWorker(), sharded, corpus, dev, tmp_path / "sharded", cfg, optimizer=None,
                           count_words=None, console=None, resume=False, digest=None)
    result = run.run()
    assert result.epochs == 2 and result.history[-1]["n_batches"] > 4
    assert sharded.weights() == plain.weights() != build(0).weights()
    for name in ("model-final", "model-best", "model2"):
        assert (tmp_path / "sharded" / name / "tagger.bin").read_bytes() == \
            (tmp_path / "plain" / name / "tagger.bin").read_bytes()


class SecondWorker:
    """Worker 1 of 2, whose worker 0 sent `first[kind]` (its own info where `first` has none)."""

    rank, size = 1, 2

    def __init__(self, first):
        self.first = first

    def allgather(self, kind, info, array=None):
        return [self.first.get(kind, info), info], [array, array]


def test_a_worker_that_cannot_see_the_checkpoint_stops_the_resume_with_one_line(tmp_path):
    import pytest

    corpus, dev = make_corpus(12, 1), make_corpus(4, 2)
    cfg = TrainConfig(n_epochs=2, seed=4, batch_from=4, batch_to=4)
    worker0_resumed = {"resumed": (True, 1, 0, "worker 0's weights")}
    with pytest.raises(ValueError, match=r"worker 1 did not resume from worker 0's checkpoint .*every machine sees"):
        ShardedRun.start(SecondWorker(worker0_resumed), build(0), corpus, dev, tmp_path / "no-checkpoint-here",
                         cfg, optimizer=None, count_words=None, console=None, resume=True, digest=None)


class Learner:
    """A pipeline that says which labels a batch brings, notes those it is told to learn, and
    counts one per example."""

    def __init__(self, new):
        self.new, self.learned = new, []

    def labels_to_learn(self, batch):
        return self.new

    def learn_labels(self, labels):
        self.learned.append(labels)

    def loss_normalizers(self, batch):
        return {"tagger": float(len(batch))}


def test_a_worker_counts_the_whole_batch_after_learning_the_labels_it_brings():
    from nlp_train.gradients import loss_counts

    pipeline = Learner({"parser": ["obj", "nmod"], "ner": []})
    assert loss_counts(pipeline, ["a", "b", "c"]) == {"tagger": 3.0}
    assert pipeline.learned == [{"parser": ["obj", "nmod"], "ner": []}]
    quiet = Learner({"parser": []})
    assert loss_counts(quiet, ["a"]) == {"tagger": 1.0} and quiet.learned == []
