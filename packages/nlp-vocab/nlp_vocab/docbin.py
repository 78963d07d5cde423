"""DocBin: many Docs serialized together (one attribute array, one string table), losslessly."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy
import srsly

from .attrs import IDS, NAMES, ORTH, SPACY, intify_attr
from .doc import ANNOTATION_ATTRS, STRING_ATTRS, Doc, storable_array
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
        arrays = [storable_array(doc, self.attrs) for doc in docs]
        string_cols = [col for col, attr in enumerate(self.attrs) if attr in STRING_ATTRS]
        new_keys = set(numpy.unique(numpy.concatenate(arrays)[:, string_cols]).tolist())
        new_keys -= self._seen_keys
        if new_keys:
            strings = docs[0].vocab.strings
            self.strings.update(strings[k] for k in new_keys if k != 0)
            self._seen_keys.update(new_keys)
        self.tokens.extend(arrays)
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

    def to_bytes(self) -> bytes:
        """zlib-compressed msgpack of all docs."""
        lengths = [len(a) for a in self.tokens]
        tokens = numpy.vstack(self.tokens) if self.tokens else numpy.zeros((0, len(self.attrs)), dtype=numpy.uint64)
        msg = {
            "format": _FORMAT,
            "attrs": [NAMES[a] for a in self.attrs],
            "tokens": numpy.ascontiguousarray(tokens, dtype=numpy.uint64).tobytes(),
            "lengths": lengths,
            "strings": sorted(self.strings),
            "cats": self.cats,
        }
        if self.store_user_data:
            msg["user_data"] = self.user_data
        return zlib.compress(srsly.msgpack_dumps(msg), 1)  # hash ids barely compress: favour speed

    def from_bytes(self, data: bytes, source: str = "DocBin.from_bytes") -> DocBin:
        """Load what to_bytes wrote (replacing the current content); errors name `source`."""
        try:
            msg = srsly.msgpack_loads(zlib.decompress(data))
        except (zlib.error, ValueError) as err:
            raise ValueError(f"{source}: not DocBin data ({err})") from None
        if not isinstance(msg, dict) or msg.get("format") != _FORMAT:
            raise ValueError(f"{source}: not DocBin data (format {msg.get('format') if isinstance(msg, dict) else None!r})")
        self.attrs = [IDS[name] for name in msg["attrs"]]
        lengths = msg["lengths"]
        flat = numpy.frombuffer(msg["tokens"], dtype=numpy.uint64)
        if flat.size != sum(lengths) * len(self.attrs):
            raise ValueError(f"{source}: token array size does not match the stored lengths (corrupt data)")
        flat = flat.reshape((-1, len(self.attrs)))
        offsets = numpy.cumsum([0] + lengths)
        self.tokens = [flat[offsets[i]:offsets[i + 1]] for i in range(len(lengths))]
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
