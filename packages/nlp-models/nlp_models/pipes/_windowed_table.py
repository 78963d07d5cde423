"""A transition component's scores on a long doc, from its lower layer over a moving window.

The parser and the entity recognizer precompute their lower layer for every token of a batch
(about 7 kB a token with the default widths, plus the tok2vec activations behind it): on a
long doc that, not the state, is what grows. So a long doc runs as one state, exactly as it
would at once, while the table holds the rows of a window of words [lo, hi) and of a few
earlier *pinned* words only.

A state reads the rows of the words its features name. When they reach past the window, the
window moves to the latest *slide point*: a step after which the state never reads a word
before some lo again, but the pinned ones (`TransitionPipe.slide_point`: for the parser, a
step with an empty stack, when only the first buffer word's two leftmost children lie behind
it; for the entity recognizer, any step: it reads the two words before the buffer and the
first word of an open entity). The window's token vectors are those of the whole doc (see
_chunks), so every score, every action and so the annotation equal those of the doc at once.

The window only moves when that gains at least half its size, which keeps the work linear.
When no slide point came for half a window (a parser's sentence longer than that, with a word
on the stack all along), the component takes `forced_action`s to reach one: the parser closes
the sentence there. That, and only that, makes the annotation differ from the unchunked one.
"""

from __future__ import annotations

from typing import Any

import numpy

from ..ml import predict_step

#: Smallest window: the features of a state reach two words past the first buffer word.
MIN_WINDOW = 32


class WindowedTable:
    """The lower-layer table of a moving window of `doc`'s words, for `pipe`'s one state."""

    def __init__(self, pipe: Any, doc: Any, size: int) -> None:
        self.pipe = pipe
        self.model = pipe.require_model()
        self.tok2vec = self.model.get_ref("tok2vec")
        self.doc = doc
        self.size = size
        self.source = pipe.row_source(doc)
        self.lo = self.hi = 0
        self.pinned: list[int] = []
        self.vectors: Any = None
        self.step: Any = None
        self.point: tuple[int, list[int]] = (0, [])
        self._load(0, [])

    def choose(self, live: Any, ids: numpy.ndarray, valid: numpy.ndarray) -> numpy.ndarray:
        """The action of the state (`TransitionPipe._run`'s on_step, for a batch of one)."""
        row = ids[0]
        point = self.pipe.slide_point(row)
        if point is not None:
            self.point = point
        if row.max() >= self.hi:
            forced = self._move(row)
            if forced is not None and valid[0, forced]:
                return numpy.asarray([forced], dtype="int32")
        return self.pipe._best_actions(self.step, self._local(row), valid)

    def _move(self, row: numpy.ndarray) -> int | None:
        """Move the window to the latest slide point if that gains half a window; else the
        component's forced action for the state (a component with none: the window then
        reaches the doc's end)."""
        lo, pinned = self.point
        if lo - self.lo >= self.size // 2:
            self._load(lo, pinned)
            return None
        forced = self.pipe.forced_action(row)
        if forced is None:
            self._load(self.lo, self.pinned, hi=len(self.doc))
        return forced

    def _load(self, lo: int, pinned: list[int], hi: int | None = None) -> None:
        """Compute the table of words [lo, hi) (a window from lo by default) and `pinned`."""
        hi = min(len(self.doc), lo + self.size) if hi is None else hi
        ops = self.model.ops
        kept = self.vectors[[self._local_of(word) for word in pinned]] if pinned else None
        self.step = self.vectors = None  # the old window's table goes before the new one comes
        vectors = ops.asarray2f(self.pipe.predict_rows(self.tok2vec, self.doc, self.source, lo, hi))
        if kept is not None:
            vectors = ops.xp.concatenate([vectors, kept])
        self.step = predict_step(self.model, vectors)
        self.vectors = vectors
        self.lo, self.hi, self.pinned = lo, hi, list(pinned)

    def _local_of(self, word: int) -> int:
        if self.lo <= word < self.hi:
            return word - self.lo
        return self.hi - self.lo + self.pinned.index(word)

    def _local(self, row: numpy.ndarray) -> numpy.ndarray:
        """The state's feature ids as rows of the window's table (-1 stays -1)."""
        local = row - self.lo
        local[row < 0] = -1
        for k, word in enumerate(self.pinned):
            local[row == word] = self.hi - self.lo + k
        if local.min() < -1:
            raise RuntimeError(
                f"{self.pipe.name}: a state read words {row.tolist()} outside its window "
                f"[{self.lo}, {self.hi}) + {self.pinned}"
            )
        return local[None, :]
