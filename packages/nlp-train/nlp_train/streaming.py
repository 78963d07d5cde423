"""The training examples, pass by pass: held in memory and shuffled whole each epoch, or read
afresh each epoch from a stream through a bounded shuffle buffer, so that memory does not grow
with the corpus.

A pass is an iterator of ``(index, example)``, ``index`` being the example's place in the corpus
(for error messages). Each pass draws its order from the loop's shuffle generator at the pass's
start and from nothing else, so a run stopped in the middle of a pass replays the pass from that
generator state and skips the examples it had consumed (see :class:`~nlp_train.TrainingRun`).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .protocol import Corpus, corpus_items, read_corpus

T = TypeVar("T")
Pass = Iterator[tuple[int, Any]]


class ShuffleBuffer(Generic[T]):
    """A seeded shuffle of a stream that never holds more than ``size`` items.

    It fills up with the first ``size`` items; then each incoming item takes the place of a
    randomly chosen held one, which is emitted; at the end of the stream the items still held
    come out in random order. Every item comes out exactly once; the order depends on ``rng``
    alone. ``len(buffer)`` is how many items it holds.
    """

    def __init__(self, size: int, rng: random.Random) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"ShuffleBuffer: size must be a whole number >= 1, got {size!r}")
        self.size = size
        self.rng = rng
        self._held: list[T] = []

    def __len__(self) -> int:
        return len(self._held)

    def shuffle(self, items: Iterable[T]) -> Iterator[T]:
        """``items`` in the buffer's random order."""
        held = self._held
        for item in items:
            if len(held) < self.size:
                held.append(item)
                continue
            slot = self.rng.randrange(self.size)
            emitted, held[slot] = held[slot], item
            yield emitted
        while held:  # drain: swap a random one to the end and pop it
            slot = self.rng.randrange(len(held))
            held[slot], held[-1] = held[-1], held[slot]
            yield held.pop()


@dataclass
class HeldCorpus:
    """The whole training corpus in memory; each pass is a fresh permutation of it."""

    examples: list[Any]

    def __len__(self) -> int:
        return len(self.examples)

    def order(self, rng: random.Random) -> Pass:
        """A permutation drawn from ``rng`` (the same draws as ``rng.shuffle`` of the list)."""
        index = list(range(len(self.examples)))
        rng.shuffle(index)
        return ((i, self.examples[i]) for i in index)


@dataclass
class StreamedCorpus:
    """A training corpus read afresh each pass, in its own order (file order), through a
    :class:`ShuffleBuffer` of ``buffer`` examples; ``limit`` reads the first ones only."""

    open: Callable[[], Iterable[Any]]
    n_examples: int
    buffer: int
    limit: int = 0

    def __len__(self) -> int:
        return self.n_examples

    def order(self, rng: random.Random) -> Pass:
        """The stream through a buffer seeded from one draw of ``rng``."""
        shuffler: ShuffleBuffer[tuple[int, Any]] = ShuffleBuffer(
            self.buffer, random.Random(rng.getrandbits(64)))
        return shuffler.shuffle(enumerate(self.examples_of()))

    def examples_of(self) -> Iterator[Any]:
        """One pass over the stream in its own order (the first ``limit`` examples)."""
        items = iter(self.open())
        return itertools.islice(items, self.limit) if self.limit else items


TrainingData = HeldCorpus | StreamedCorpus


def training_data(corpus: Corpus, nlp: Any, shuffle_buffer: int, limit: int) -> TrainingData:
    """The training examples as the loop reads them: all read now (``shuffle_buffer`` 0), or a
    :class:`StreamedCorpus` over ``corpus`` (a list, a re-iterable object, or a callable returning
    a fresh iterable per call, with or without the pipeline as argument). A stream without
    ``len()`` is counted by one pass."""
    if not shuffle_buffer:
        examples = read_corpus(corpus, nlp, "train_corpus")
        return HeldCorpus(examples[:limit] if limit else examples)
    opener = stream_opener(corpus, nlp)
    if isinstance(corpus, Iterable) and isinstance(corpus, Sized):
        n = len(corpus)
    else:
        n = sum(1 for _ in opener())
    return StreamedCorpus(opener, min(n, limit) if limit else n, shuffle_buffer, limit)


def stream_opener(corpus: Corpus, nlp: Any) -> Callable[[], Iterable[Any]]:
    """A function giving a fresh pass over ``corpus``; a TypeError for a one-shot iterator,
    which a second epoch could not read again."""
    if isinstance(corpus, Iterator):
        raise TypeError(
            "train_corpus: with shuffle_buffer the corpus is read once per epoch: give a list, a "
            "re-iterable object or a callable returning a fresh iterable, not a one-shot "
            f"{type(corpus).__name__}")
    if not callable(corpus):
        corpus_items(corpus, nlp, "train_corpus")  # a TypeError now for what is not iterable
    return lambda: corpus_items(corpus, nlp, "train_corpus")


def replay(data: TrainingData, rng_state: tuple[Any, ...], skip: int) -> Pass:
    """The pass that started at shuffle generator state ``rng_state``, less its first ``skip``
    examples: where a pass stopped in the middle continues."""
    rng = random.Random()
    rng.setstate(rng_state)
    return itertools.islice(data.order(rng), skip, None)
