"""Batching: by number of items, by number of words, and the seed's heuristic."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from .components import ComponentInfo, lookup_infos
from .schedules import compounding
from .settings import check_environment, resolve, resolve_optional

T = TypeVar("T")
Size = int | float | Iterator[float] | Iterator[int]
#: What the batch heuristic is asked about: a component name (its registered info), an info,
#: or several of them.
Components = str | ComponentInfo | Sequence[str | ComponentInfo]


def _sizes(size: Size, func: str) -> Iterator[float]:
    if isinstance(size, bool):
        raise TypeError(f"{func}: size must be a number or an iterator, got {size!r}")
    if isinstance(size, numbers.Real):
        if size < 1:
            raise ValueError(f"{func}: size must be >= 1, got {size!r}")
        return itertools.repeat(size)
    if isinstance(size, Iterator):
        return size
    raise TypeError(f"{func}: size must be a number or an iterator, got {size!r}")


def _next_size(sizes: Iterator[float], func: str) -> float:
    try:
        value = next(sizes)
    except StopIteration:
        raise ValueError(f"{func}: the size schedule ran out of values") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: the size schedule yielded {value!r}, not a number")
    return value


def minibatch(items: Iterable[T], size: Size) -> Iterator[list[T]]:
    """Split ``items`` into lists of ``int(size)`` items (at least 1).

    ``size`` is a number, or an iterator drawn once per batch (e.g.
    ``compounding(1, 32, 1.001)``), so the batch size can grow.  The last
    batch may be shorter.
    """
    sizes = _sizes(size, "minibatch")
    stream = iter(items)
    for head in stream:  # a size is drawn only when there is a batch to fill
        n = max(1, int(_next_size(sizes, "minibatch")))
        yield [head, *itertools.islice(stream, n - 1)]


def minibatch_by_words(
    examples: Iterable[T],
    size: Size,
    tolerance: float = 0.2,
    *,
    count_words: Callable[[T], int] | None = None,
    discard_oversize: bool = False,
) -> Iterator[list[T]]:
    """Split ``examples`` into batches of about ``size`` words, keeping order.

    A batch is closed once it holds at least ``size`` words; an example that
    would push it over ``size * (1 + tolerance)`` starts the next batch
    instead.  So no batch exceeds that limit, except a batch made of one
    example that alone is longer (dropped if ``discard_oversize``).  Words
    are counted with ``count_words(example)``, by default ``len(example)``.
    ``size`` may be an iterator, drawn once per batch.
    """
    if tolerance < 0:
        raise ValueError(f"minibatch_by_words: tolerance must be >= 0, got {tolerance!r}")
    counter = len if count_words is None else count_words
    sizes = _sizes(size, "minibatch_by_words")
    target = limit = 0.0
    batch: list[T] = []
    n_words = 0
    for index, example in enumerate(examples):
        try:
            n = counter(example)
        except TypeError as err:
            raise TypeError(
                f"minibatch_by_words: cannot count the words of example {index} "
                f"({type(example).__name__}): {err}; pass count_words="
            ) from None
        if n < 0:
            raise ValueError(f"minibatch_by_words: example {index} has a negative word count {n}")
        if batch and n_words + n > limit:
            yield batch
            batch, n_words = [], 0
        if not batch:  # a size is drawn only when a batch starts
            target = _next_size(sizes, "minibatch_by_words")
            limit = target * (1.0 + tolerance)
            if n > limit:
                if not discard_oversize:
                    yield [example]
                continue
        batch.append(example)
        n_words += n
        if n_words >= target:
            yield batch
            batch, n_words = [], 0
    if batch:
        yield batch


def max_batch_size(components: Components, n_examples: int,
                   sizes: Mapping[str, int] | None = None) -> float:
    """The seed's heuristic maximum batch size for a pipeline and data size.

    The smallest ``max_batch_size`` among the components' infos (names are looked up with
    `known_info`; ``sizes`` maps names to maxima instead), halved below 1,000 examples and
    again below 500. Components without a maximum do not limit it.
    """
    limits = _batch_limits(components, sizes)
    if not limits:
        raise ValueError(f"max_batch_size: no component in {_names(components)!r} has a "
                         "batch-size maximum; set batch_to (NLP_BATCH_TO)")
    size: float = min(limits)
    if n_examples < 1000:
        size /= 2
    if n_examples < 500:
        size /= 2
    return size


def _names(components: Components) -> list[str]:
    items = [components] if isinstance(components, (str, ComponentInfo)) else list(components)
    return [item.name if isinstance(item, ComponentInfo) else str(item) for item in items]


def _batch_limits(components: Components, sizes: Mapping[str, int] | None) -> list[int]:
    """The batch maxima the components declare (None: no limit, left out)."""
    if sizes is not None:
        return [sizes[name] for name in _names(components) if name in sizes]
    infos = lookup_infos(components, "max_batch_size")
    return [info.max_batch_size for info in infos if info.max_batch_size is not None]


def batch_size_schedule(
    components: Components,
    n_examples: int,
    *,
    start: float | None = None,
    stop: float | None = None,
    compound: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[float]:
    """The batch-size schedule of the recipe: ``compounding(1, max, 1.001)``.

    ``max`` is :func:`max_batch_size` unless ``stop`` or ``NLP_BATCH_TO`` is
    set; ``start`` / ``NLP_BATCH_FROM`` and ``compound`` /
    ``NLP_BATCH_COMPOUND`` override 1 and 1.001 (spaCy v2's ``batch_from``,
    ``batch_to``, ``batch_compound`` are read too; see :mod:`nlp_train.settings`).
    """
    check_environment(env)
    top = resolve_optional("batch_to", stop, env)
    if top is None:
        top = max_batch_size(components, n_examples)
    return compounding(
        resolve("batch_from", start, env), top, resolve("batch_compound", compound, env)
    )


def get_batches(train_data: Sequence[T], model_type: Components,
                env: Mapping[str, str] | None = None) -> Iterator[list[T]]:
    """The seed's batch heuristic: batch sizes compounding from 1 at 1.001 up
    to the component's declared maximum (its ``ComponentInfo.max_batch_size``),
    halved below 1,000 and again below 500 examples.  ``model_type`` is a
    registered component name, an info, or a list of them (the smallest maximum wins)."""
    sizes = batch_size_schedule(model_type, len(train_data), env=env)
    return minibatch(train_data, size=sizes)
