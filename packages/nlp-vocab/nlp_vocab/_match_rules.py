"""What Matcher and PhraseMatcher share: rule keys as string ids, the v2 and v3 `add` signatures,
the rules as given (for `get`, `remove`, `len`, `in`), the on_match callbacks, `as_spans`, `pipe`.
A subclass checks and compiles each rule (`_prepare`), indexes them all (`_build`, rerun after
`add` or `remove`) and finds matches (`_find`, a C loop)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .doc import Doc
from .span import Span


def split_add_args(owner: str, key: Any, args: tuple, on_match: Callable | None) -> tuple:
    """(on_match, items) from v2's `add(key, on_match, *items)` or v3's `add(key, [items], on_match=...)`.

    Whatever else is given is one ValueError line naming the owner and the key.
    """
    where = f"{owner}.add({key!r})"
    if args and isinstance(args[0], list | tuple):
        if len(args) > 1:
            raise ValueError(f"{where}: give the patterns as one list, add(key, [p1, p2], on_match=None), "
                             f"or v2-style as add(key, on_match, p1, p2)")
        items = list(args[0])
    elif args and (args[0] is None or callable(args[0])):
        if on_match is not None:
            raise ValueError(f"{where}: on_match given twice (positionally and as a keyword)")
        on_match, items = args[0], list(args[1:])
    elif args:
        raise ValueError(f"{where}: the second argument must be on_match (None or a callable, v2 style) "
                         f"or a list of patterns (v3 style), got {type(args[0]).__name__}")
    else:
        items = []
    if on_match is not None and not callable(on_match):
        raise ValueError(f"{where}: on_match must be None or a callable, got {type(on_match).__name__}")
    if not items:
        raise ValueError(f"{where}: no patterns given")
    return on_match, items


class RuleMatcher:
    """Rules by key id, kept in the order their keys were first added (the order of matches)."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self._items: dict[int, list] = {}
        self._prepared: dict[int, list] = {}
        self._callbacks: dict[int, Callable | None] = {}
        self._stale = True

    # ---- what a subclass provides ----------------------------------------------------------

    def _prepare(self, key: Any, items: list) -> list:
        """Check the items of one `add` call (one ValueError line if bad); one compiled form each."""
        raise NotImplementedError

    def _build(self, rules: list) -> None:
        """Index every rule: `rules` is [(key id, key order, [compiled forms])]."""
        raise NotImplementedError

    def _find(self, doc: Doc) -> list:
        """[(key id, start, end)] sorted by start, end, key order; one per key and span."""
        raise NotImplementedError

    # ---- the public API -------------------------------------------------------------------

    def add(self, key: Any, *args: Any, on_match: Callable | None = None) -> None:
        """v2: add(key, on_match, *items); v3: add(key, [items], on_match=None).

        Adding to a key again extends its items (as v2 did); on_match replaces the old one.
        Nothing is stored when any item is bad.
        """
        on_match, items = split_add_args(type(self).__name__, key, args, on_match)
        key_id = self._key_id(key)
        prepared = self._prepare(key, items)
        if isinstance(key, str):
            self.vocab.strings.add(key)
        self._items.setdefault(key_id, []).extend(items)
        self._prepared.setdefault(key_id, []).extend(prepared)
        self._callbacks[key_id] = on_match
        self._stale = True

    def remove(self, key: Any) -> None:
        """Forget a key's rules; KeyError naming it if it has none."""
        key_id = self._key_id(key)
        if key_id not in self._items:
            raise KeyError(f"{type(self).__name__}.remove: no rules for the key {key!r}")
        del self._items[key_id]
        del self._prepared[key_id]
        del self._callbacks[key_id]
        self._stale = True

    def get(self, key: Any, default: Any = None) -> Any:
        """(on_match, items) for a key, or `default` if it has no rules."""
        key_id = self._key_id(key)
        if key_id not in self._items:
            return default
        return self._callbacks[key_id], list(self._items[key_id])

    def __len__(self) -> int:
        """The number of keys (rules), not of patterns, as in v2."""
        return len(self._items)

    def __contains__(self, key: Any) -> bool:
        try:
            return self._key_id(key) in self._items
        except ValueError:
            return False

    def __call__(self, doc: Doc, *, as_spans: bool = False) -> list:
        """Every match in the doc; then on_match(matcher, doc, i, matches) for each match i of a
        key that has a callback. `as_spans=True` (v3) gives Spans labelled with their key."""
        if not isinstance(doc, Doc):
            raise TypeError(f"{type(self).__name__} expects a Doc, got {type(doc).__name__}")
        if self._stale:
            self._build([(key_id, order, rules) for order, (key_id, rules) in enumerate(self._prepared.items())])
            self._stale = False
        matches = self._find(doc)
        for i, (key_id, _start, _end) in enumerate(matches):
            callback = self._callbacks.get(key_id)
            if callback is not None:
                callback(self, doc, i, matches)
        if as_spans:
            return [Span(doc, start, end, label=key_id) for key_id, start, end in matches]
        return matches

    def pipe(self, docs: Any, batch_size: int = 1000, return_matches: bool = False,
             as_tuples: bool = False) -> Iterator:
        """v2's `pipe`: match each doc; yield it, or (doc, matches), keeping (doc, context) pairs."""
        for item in docs:
            doc, context = item if as_tuples else (item, None)
            matches = self(doc)
            result = (doc, matches) if return_matches else doc
            yield (result, context) if as_tuples else result

    def _key_id(self, key: Any) -> int:
        """A str key's string id (not interned here), or an int key itself."""
        if isinstance(key, str):
            return self.vocab.strings[key]
        if isinstance(key, bool) or not hasattr(key, "__index__"):
            raise ValueError(f"{type(self).__name__}: a rule key is a str or an int id, "
                             f"got {type(key).__name__}: {key!r}")
        return int(key)
