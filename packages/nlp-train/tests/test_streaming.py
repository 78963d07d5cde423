"""Training on a corpus read as a stream: the bounded shuffle buffer, streamed passes, resuming in
the middle of a pass, and memory that does not grow with the corpus."""

import io
import random
import tracemalloc

import pytest
from nlp_train_standin import LEXICON, ToyExample, ToyPipeline, ToyTagger, build, make_corpus
from thinc.api import fix_random_seed

from nlp_train import ShuffleBuffer, read_log, train

TRAIN = make_corpus(40, 1)
DEV = make_corpus(10, 2)
FAST = {"batch_from": 4, "batch_to": 4, "dropout_from": 0.2, "dropout_to": 0.1,
        "dropout_decay": 0.01}
TIMINGS = ("train_seconds", "train_wps", "eval_seconds")


class Stream:
    """A re-iterable corpus without len(): each pass generates its examples afresh, in order,
    and counts how many passes were opened. An example is a sentence of the stand-in's
    grammar, its words and tags lists (Python keeps thousands of freed small tuples for reuse,
    which would blur the memory measurements)."""

    def __init__(self, n: int, seed: int = 1) -> None:
        self.n, self.seed, self.passes = n, seed, 0

    def __iter__(self):
        self.passes += 1
        rng = random.Random(self.seed)
        for _ in range(self.n):
            tags = ["DET", "ADJ", "NOUN", "VERB", "DET", "NOUN", "ADV"][: rng.randint(6, 7)]
            yield ToyExample([rng.choice(LEXICON[tag]) for tag in tags], tags)


def untimed(records):
    return [{**{k: v for k, v in r.items() if k not in TIMINGS},
             "scores": {k: v for k, v in r["scores"].items() if k != "wps"}} for r in records]


def folder_bytes(path):
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


# ---- the buffer --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 3, 16, 100])
def test_buffer_holds_at_most_its_size_and_emits_each_item_once(size):
    pulled = []

    def source():
        for i in range(50):
            pulled.append(i)
            yield i

    buffer = ShuffleBuffer(size, random.Random(7))
    out = []
    for item in buffer.shuffle(source()):
        out.append(item)
        assert len(buffer) <= size
        assert len(pulled) - len(out) <= size  # what was read and not yet emitted is held
    assert sorted(out) == list(range(50)) and len(buffer) == 0
    if size == 1:
        assert out == list(range(50))  # a buffer of one cannot reorder
    else:
        assert out != list(range(50))


def test_buffer_order_depends_on_the_seed_alone():
    def order(seed):
        return list(ShuffleBuffer(8, random.Random(seed)).shuffle(range(200)))

    assert order(3) == order(3)
    assert order(3) != order(4)
    # bounded: an item comes out at most `size` places earlier than it went in
    assert all(position >= item - 8 for position, item in enumerate(order(3)))
    with pytest.raises(ValueError, match="size must be a whole number >= 1"):
        ShuffleBuffer(0, random.Random(0))


# ---- training on a stream ----------------------------------------------------------------------

def test_each_epoch_reads_the_stream_afresh(tmp_path):
    stream = Stream(40)
    nlp = build(0)
    train(nlp, stream, DEV, tmp_path / "o", n_epochs=3, shuffle_buffer=8, quiet=True, **FAST)
    assert stream.passes == 1 + 3  # one to count (no len()), then one per epoch
    log = read_log(tmp_path / "o")
    words = sum(len(e) for e in Stream(40))
    assert [r["n_words"] for r in log] == [words] * 3 and nlp.calls["update"] == 30

    calls = []

    def corpus(pipeline):  # a callable: called for each pass
        calls.append(pipeline)
        return iter(TRAIN)

    again = build(0)
    train(again, corpus, DEV, tmp_path / "c", n_epochs=2, shuffle_buffer=8, limit=20, quiet=True,
          **FAST)
    assert calls == [again] * 3 and again.calls["update"] == 2 * 5
    assert read_log(tmp_path / "c")[0]["n_words"] == sum(len(e) for e in TRAIN[:20])


def test_a_sized_stream_is_not_counted_and_seeds_decide_the_weights(tmp_path):
    a, b, c = build(0), build(0), build(0)
    train(a, TRAIN, DEV, tmp_path / "a", n_epochs=2, seed=5, shuffle_buffer=8, quiet=True, **FAST)
    train(b, TRAIN, DEV, tmp_path / "b", n_epochs=2, seed=5, shuffle_buffer=8, quiet=True, **FAST)
    train(c, TRAIN, DEV, tmp_path / "c", n_epochs=2, seed=6, shuffle_buffer=8, quiet=True, **FAST)
    assert a.weights() == b.weights() and a.weights() != c.weights()
    full = build(0)
    train(full, TRAIN, DEV, tmp_path / "f", n_epochs=2, seed=5, quiet=True, **FAST)
    assert full.weights() != a.weights()  # another order than the whole-corpus shuffle


def test_a_one_shot_iterator_cannot_be_streamed(tmp_path):
    with pytest.raises(TypeError, match="read once per epoch: .*not a one-shot generator"):
        train(build(0), (e for e in TRAIN), DEV, tmp_path / "o", shuffle_buffer=8, quiet=True)
    with pytest.raises(ValueError, match="shuffle_buffer must be an int >= 0"):
        train(build(0), TRAIN, DEV, tmp_path / "o", shuffle_buffer=-1, quiet=True)
    with pytest.raises(ValueError, match="train_corpus has no examples"):
        train(build(0), Stream(0), DEV, tmp_path / "o", shuffle_buffer=8, quiet=True)


def test_a_bad_record_mid_stream_keeps_its_message(tmp_path):
    def corpus():
        yield from TRAIN[:25]
        raise ValueError("train.conllu:123: HEAD 'x' is not a number")

    with pytest.raises(ValueError, match=r"^train.conllu:123: HEAD 'x' is not a number$"):
        train(build(0), corpus, DEV, tmp_path / "o", shuffle_buffer=8, quiet=True)


# ---- resuming in the middle of a pass ----------------------------------------------------------

class Crash(Exception):
    pass


class Steady(ToyPipeline):
    """The stand-in, rehearsing towards its initial weights (not towards the weights of its
    first rehearsal, which a resumed run would see later)."""

    def __init__(self) -> None:
        super().__init__()
        self._teacher = ToyTagger().model.from_bytes(self.tagger.model.to_bytes())


class CrashAt(Steady):
    """Real training that stops for good (an exception) before its n-th update."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    def update(self, examples, **kwargs):
        if self.calls["update"] + 1 == self.at:
            raise Crash
        return super().update(examples, **kwargs)


def steady(crash_at: int = 0) -> Steady:
    fix_random_seed(0)  # the initial weights of build(0)
    return CrashAt(crash_at) if crash_at else Steady()


RESUMABLE = {
    "stream": {"shuffle_buffer": 8},
    "in-memory": {},
    "stream-words-rehearsal": {"shuffle_buffer": 5, "batch_by": "words", "batch_from": 20,
                               "batch_to": 30, "raw_texts": ["the cat sees a dog", "a red bird"]},
}


@pytest.mark.parametrize("setup", sorted(RESUMABLE))
def test_resume_in_the_middle_of_a_pass_is_exact(tmp_path, setup):
    options = {**FAST, "n_epochs": 3, "seed": 2, "checkpoint_every": 3, "quiet": True,
               **RESUMABLE[setup]}
    reference = steady()
    train(reference, Stream(40), DEV, tmp_path / "ref", **options)
    updates = reference.calls["update"]
    first = steady(crash_at=updates // 3 + 5)  # in the second epoch, after a checkpoint in it
    with pytest.raises(Crash):
        train(first, Stream(40), DEV, tmp_path / "run", **options)
    stream = io.StringIO()
    resumed = steady()
    train(resumed, Stream(40), DEV, tmp_path / "run", resume=True, stream=stream,
          **{**options, "quiet": False})
    assert "after epoch 1 at example" in stream.getvalue()
    assert resumed.weights() == reference.weights()
    assert first.calls["update"] + resumed.calls["update"] > updates  # some were done twice
    for name in ("model-final", "model-best", "model3", "checkpoint/model"):
        assert folder_bytes(tmp_path / "run" / name) == folder_bytes(tmp_path / "ref" / name)
    optimizer = "checkpoint/optimizer.msgpack"
    assert (tmp_path / "run" / optimizer).read_bytes() == (tmp_path / "ref" / optimizer).read_bytes()
    assert untimed(read_log(tmp_path / "run")) == untimed(read_log(tmp_path / "ref"))


def test_checkpoints_inside_an_epoch_change_nothing(tmp_path):
    a, b = build(0), build(0)
    train(a, TRAIN, DEV, tmp_path / "a", n_epochs=2, shuffle_buffer=8, quiet=True, **FAST)
    train(b, TRAIN, DEV, tmp_path / "b", n_epochs=2, shuffle_buffer=8, checkpoint_every=2,
          quiet=True, **FAST)
    assert a.weights() == b.weights()


def test_resume_refuses_another_buffer(tmp_path):
    train(build(0), TRAIN, DEV, tmp_path / "o", n_epochs=1, shuffle_buffer=8, quiet=True, **FAST)
    with pytest.raises(ValueError, match="the run changed .*shuffle_buffer was 8, now None"):
        train(build(0), TRAIN, DEV, tmp_path / "o", n_epochs=2, resume=True, quiet=True, **FAST)


# ---- memory ------------------------------------------------------------------------------------

def peak_bytes(tmp_path, name, corpus, **options):
    """The most memory Python held at once (tracemalloc) while training one epoch."""
    tracemalloc.start()
    try:
        train(build(0), corpus, DEV[:2], tmp_path / name, n_epochs=1, quiet=True,
              save_every_epoch=False, **FAST, **options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_corpus(tmp_path):
    peak_bytes(tmp_path, "warm", Stream(100), shuffle_buffer=16)  # imports, first-use caches
    small = peak_bytes(tmp_path, "1x", Stream(100), shuffle_buffer=16)
    large = peak_bytes(tmp_path, "10x", Stream(1000), shuffle_buffer=16)
    held = peak_bytes(tmp_path, "held", Stream(1000))  # the whole corpus in memory, for scale
    assert large < small * 1.1, (small, large)
    assert held > large + 200_000, (held, large)  # holding the 1,000 examples shows plainly
