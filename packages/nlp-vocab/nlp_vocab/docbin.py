"""DocBin: many Docs serialized together (one attribute array, one string table), losslessly."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy

from . import _msgpack
from ._string_keys import distinct_keys
from .attrs import IDS, NAMES, ORTH, SPACY, intify_attr
from .doc import ANNOTATION_ATTRS, STRING_ATTRS, Doc, storable_arrays
from .vocab import Vocab

_FORMAT = "nlp_vocab.DocBin/1"


class DocBin:
    """Collects Docs for compact storage: `DocBin().add(doc)`, then `to_bytes()` / `to_disk()`.

    Every token-level annotation round-trips (text, spaces, lemma, tag, pos, morph, heads, deps,
    entities with unknown vs "O", sentence starts, the words of expanded multiword tokens) plus
    cats, and user_data if asked for."""

    def __init__(self, attrs: Iterable | None = None, store_user_data: bool = False, docs: Iterable[Doc] = ()) -> None:
        chosen = ANNOTATION_ATTRS if attrs is None else [intify_attr(a) for a in attrs]
        self.attrs = [ORTH, SPACY] + [a for a in chosen if a not in (ORTH, SPACY)]
        self.store_user_data = store_user_data
        self.tokens: list[numpy.ndarray] = []
        self.strings: set[str] = set()
        self._seen_keys: set[int] = set()  # string ids already looked up (add() speed)
        self.cats: list[dict] = []
        self.user_data: list[dict] = []
        self.extend(docs)

    def __len__(self) -> int:
        return len(self.tokens)

    def add(self, doc: Doc) -> None:
        """Store one doc's attribute array, the strings it uses, its cats (and user data)."""
        self.extend([doc])

    def extend(self, docs: Iterable[Doc]) -> None:
        """`add` each doc; the strings of all are looked up at once (a batch costs less than the
        docs one by one: `nlp.pipe`'s worker processes send their batches so)."""
        docs = list(docs)
        if not docs:
            return
        if any(doc.vocab is not docs[0].vocab for doc in docs):  # strings from several vocabs
            for doc in docs:
                self.extend([doc])
            return
        stacked, lengths = storable_arrays(docs, self.attrs)
        string_cols = [col for col, attr in enumerate(self.attrs) if attr in STRING_ATTRS]
        new_keys = set(distinct_keys(stacked[:, string_cols]).tolist())
        new_keys -= self._seen_keys
        if new_keys:
            strings = docs[0].vocab.strings
            self.strings.update(strings[k] for k in new_keys if k != 0)
            self._seen_keys.update(new_keys)
        self.tokens.extend(_split(stacked, lengths))
        self.cats.extend(dict(doc.cats) for doc in docs)
        self.user_data.extend(dict(doc.user_data) if self.store_user_data else {} for doc in docs)

    def get_docs(self, vocab: Vocab) -> Iterator[Doc]:
        """Rebuild the docs with `vocab` (its strings receive the stored strings)."""
        for string in sorted(self.strings):
            vocab.strings.add(string)
        for array, cats, user_data in zip(self.tokens, self.cats, self.user_data):
            doc = Doc(vocab, user_data=user_data)
            doc._set_words_and_annotation(self.attrs, array)
            doc.cats = dict(cats)
            yield doc

    def merge(self, other: DocBin) -> None:
        """Append another DocBin's docs (same attributes required)."""
        if other.attrs != self.attrs:
            raise ValueError("DocBin.merge: the two DocBins store different attributes")
        self.tokens.extend(other.tokens)
        self.strings.update(other.strings)
        self.cats.extend(other.cats)
        self.user_data.extend(other.user_data)

    def __getstate__(self) -> dict:
        """What pickle sends (`nlp.pipe`'s workers send their batches so): every doc's array in
        one, only the columns that hold anything (a tagger+parser sets no lemma, entity, form or
        multiword column: about 40% fewer bytes), and not the cache of string ids looked up."""
        tokens = self._stacked()
        kept = numpy.flatnonzero(tokens.any(axis=0))
        return {"attrs": self.attrs, "kept": kept, "columns": tokens[:, kept],
                "lengths": [len(a) for a in self.tokens], "strings": self.strings, "cats": self.cats,
                "user_data": self.user_data, "store_user_data": self.store_user_data}

    def __setstate__(self, state: dict) -> None:
        self.attrs, self.strings, self.cats = state["attrs"], state["strings"], state["cats"]
        self.user_data, self.store_user_data = state["user_data"], state["store_user_data"]
        tokens = numpy.zeros((sum(state["lengths"]), len(self.attrs)), dtype=numpy.uint64)
        tokens[:, state["kept"]] = state["columns"]
        self.tokens = _split(tokens, state["lengths"])
        self._seen_keys = set()

    def _stacked(self) -> numpy.ndarray:
        """The token arrays of all docs, one under the other."""
        if not self.tokens:
            return numpy.zeros((0, len(self.attrs)), dtype=numpy.uint64)
        return numpy.ascontiguousarray(numpy.vstack(self.tokens), dtype=numpy.uint64)

    def to_bytes(self) -> bytes:
        """zlib-compressed msgpack of all docs."""
        lengths = [len(a) for a in self.tokens]
        tokens = self._stacked()
        msg = {
            "format": _FORMAT,
            "attrs": [NAMES[a] for a in self.attrs],
            "tokens": tokens.tobytes(),
            "lengths": lengths,
            "strings": sorted(self.strings),
            "cats": self.cats,
        }
        if self.store_user_data:
            msg["user_data"] = self.user_data
        return zlib.compress(_msgpack.dumps(msg), 1)  # hash ids barely compress: favour speed

    def from_bytes(self, data: bytes, source: str = "DocBin.from_bytes") -> DocBin:
        """Load what to_bytes wrote (replacing the current content); errors name `source`."""
        try:
            msg = _msgpack.loads(zlib.decompress(data))
        except (zlib.error, ValueError) as err:
            raise ValueError(f"{source}: not DocBin data ({err})") from None
        if not isinstance(msg, dict) or msg.get("format") != _FORMAT:
            raise ValueError(f"{source}: not DocBin data (format {msg.get('format') if isinstance(msg, dict) else None!r})")
        self.attrs = [IDS[name] for name in msg["attrs"]]
        lengths = msg["lengths"]
        flat = numpy.frombuffer(msg["tokens"], dtype=numpy.uint64)
        if flat.size != sum(lengths) * len(self.attrs):
            raise ValueError(f"{source}: token array size does not match the stored lengths (corrupt data)")
        self.tokens = _split(flat.reshape((-1, len(self.attrs))), lengths)
        self.strings = set(msg["strings"])
        self._seen_keys = set()
        self.cats = list(msg["cats"])
        self.store_user_data = "user_data" in msg
        self.user_data = list(msg["user_data"]) if self.store_user_data else [{} for _ in lengths]
        return self

    def to_disk(self, path: str | Path) -> None:
        """Write to_bytes() to a file (conventionally `*.nlpdocs`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path) -> DocBin:
        path = Path(path)
        return self.from_bytes(path.read_bytes(), source=str(path))


def _split(tokens: numpy.ndarray, lengths: list[int]) -> list[numpy.ndarray]:
    """The docs' arrays (views) of the stacked token array, by their lengths."""
    offsets = numpy.cumsum([0] + lengths).tolist()
    return [tokens[start:end] for start, end in zip(offsets, offsets[1:])]
