"""The ordered list of named pipeline components, with spaCy v2's ways of editing it.

A component is anything callable as `component(doc) -> doc`. Trainable components also have
`update`, `predict`, `set_annotations`, `begin_training`, `to_disk` ..., but the pipeline does not
need to know: it only keeps names in order, and lets callers disable some for a while.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Pipeline:
    """Named components in the order they run."""

    def __init__(self) -> None:
        self._items: list[tuple[str, Any]] = []
        self._disabled: list[tuple[int, str, Any]] = []

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._items]

    def index(self, name: str) -> int:
        for i, (other, _) in enumerate(self._items):
            if other == name:
                return i
        raise KeyError(f"No component named '{name}' in the pipeline {self.names}")

    def get(self, name: str) -> Any:
        return self._items[self.index(name)][1]

    def has(self, name: str) -> bool:
        return name in self.names

    def add(
        self,
        component: Callable,
        name: str,
        before: str | None = None,
        after: str | None = None,
        first: bool = False,
        last: bool = False,
    ) -> None:
        """Insert a component; at most one of before/after/first/last may be given."""
        self._check_new(component, name)
        chosen = sum(bool(x) for x in (before, after, first, last))
        if chosen > 1:
            raise ValueError("Give only one of before=, after=, first=, last= when adding a component")
        if first:
            position = 0
        elif before is not None:
            position = self.index(before)
        elif after is not None:
            position = self.index(after) + 1
        else:
            position = len(self._items)
        self._items.insert(position, (name, component))

    def insert(self, index: int, name: str, component: Callable) -> None:
        """Put a component at position `index` (past the end: last), e.g. back where it was."""
        self._check_new(component, name)
        self._items.insert(min(index, len(self._items)), (name, component))

    def _check_new(self, component: Any, name: str) -> None:
        if not callable(component):
            raise ValueError(
                f"Pipeline component '{name}' is not callable (got {type(component).__name__}): "
                "a component must be a function or object taking a Doc and returning it."
            )
        if self.has(name):
            raise ValueError(f"A component named '{name}' is already in the pipeline {self.names}")

    def remove(self, name: str) -> tuple[str, Any]:
        return self._items.pop(self.index(name))

    def replace(self, name: str, component: Callable) -> None:
        if not callable(component):
            raise ValueError(f"Replacement for '{name}' is not callable")
        self._items[self.index(name)] = (name, component)

    def rename(self, old: str, new: str) -> None:
        if self.has(new):
            raise ValueError(f"A component named '{new}' is already in the pipeline {self.names}")
        i = self.index(old)
        self._items[i] = (new, self._items[i][1])

    def disable(self, names: list[str]) -> DisabledPipes:
        """Take the named components out until the returned object's `restore()` (or `with` exit)."""
        removed = []
        for name in names:
            i = self.index(name)
            removed.append((i, *self._items[i]))
        for _, name, _ in removed:
            self._items.pop(self.index(name))
        return DisabledPipes(self, removed)


class DisabledPipes(list):
    """The components taken out by `disable_pipes`; a context manager that puts them back."""

    def __init__(self, pipeline: Pipeline, removed: list[tuple[int, str, Any]]) -> None:
        super().__init__(name for _, name, _ in removed)
        self._pipeline = pipeline
        self._removed = removed
        self._restored = False

    def __enter__(self) -> DisabledPipes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.restore()

    def restore(self) -> None:
        """Put the disabled components back at their original positions."""
        if self._restored:
            return
        for index, name, component in sorted(self._removed, key=lambda item: item[0]):
            if self._pipeline.has(name):
                raise ValueError(f"Cannot restore '{name}': a component of that name was added meanwhile")
            self._pipeline.insert(index, name, component)
        self._restored = True
