"""Map fine-grained tags (XPOS) to a Universal POS tag and morphological features.

The tagger predicts fine-grained tags; the tag map gives each one its coarse UPOS and its
features, so `Token.pos_` and `Token.morph_` follow from `Token.tag_`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import srsly

from . import _msgpack

UPOS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip
_UPOS = frozenset(UPOS_TAGS)

_FILE_NAME = "tag_map.json"


def _check_entry(tag: str, attrs: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(tag, str) or not tag:
        raise ValueError(f"TagMap: a tag must be a non-empty string, got {tag!r}")
    if not isinstance(attrs, Mapping):
        raise ValueError(f"TagMap: attributes of tag {tag!r} must be a dict, got {attrs!r}")
    out: dict[str, str] = {}
    for name, value in attrs.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(
                f"TagMap: tag {tag!r} has a non-string feature {name!r}={value!r}"
            )
        if name.lower() == "pos":
            if value not in _UPOS:
                raise ValueError(
                    f"TagMap: tag {tag!r} has unknown UPOS {value!r}; "
                    f"expected one of {', '.join(UPOS_TAGS)}"
                )
            out["pos"] = value
        else:
            if not name or "=" in name or "|" in name or "=" in value or "|" in value:
                raise ValueError(f"TagMap: tag {tag!r} has a malformed feature {name!r}={value!r}")
            out[name] = value
    if "pos" not in out:
        raise ValueError(f"TagMap: tag {tag!r} needs a 'pos' (one of the 17 UPOS tags)")
    return out


class TagMap:
    """Fine-grained tag -> {"pos": UPOS, feature: value, ...}."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._map: dict[str, dict[str, str]] = {}
        for tag, attrs in (entries or {}).items():
            self.add_label(tag, attrs)

    def add_label(self, tag: str, attrs: Mapping[str, str] | None = None) -> None:
        """Add (or replace) `tag`; `attrs` must hold "pos" (a UPOS tag), defaulting to X."""
        self._map[tag] = _check_entry(tag, attrs if attrs is not None else {"pos": "X"})

    def __getitem__(self, tag: str) -> dict[str, str]:
        try:
            return dict(self._map[tag])
        except KeyError:
            raise KeyError(f"tag {tag!r} is not in the tag map") from None

    def get(self, tag: str, default: dict[str, str] | None = None) -> dict[str, str] | None:
        """A copy of the entry of `tag` ({"pos": ..., features}), or `default` if unknown."""
        entry = self._map.get(tag)
        return dict(entry) if entry is not None else default

    def __contains__(self, tag: object) -> bool:
        return tag in self._map

    def __len__(self) -> int:
        return len(self._map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TagMap) and self._map == other._map

    def __repr__(self) -> str:
        return f"TagMap({len(self)} tags)"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._map)

    def pos_of(self, tag: str) -> str:
        """The UPOS tag of `tag`; KeyError if unknown."""
        return self[tag]["pos"]

    def morph_of(self, tag: str) -> str:
        """The features of `tag` as "Feat=Val|..." sorted by feature name ("" if none)."""
        entry = self[tag]
        feats = sorted((k, v) for k, v in entry.items() if k != "pos")
        return "|".join(f"{k}={v}" for k, v in feats)

    # -- serialization --------------------------------------------------------------------
    def to_dict(self) -> dict[str, dict[str, str]]:
        return {tag: dict(attrs) for tag, attrs in self._map.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, str]]) -> TagMap:
        return cls(data)

    def to_bytes(self) -> bytes:
        return _msgpack.dumps(self.to_dict())

    def from_bytes(self, data: bytes) -> TagMap:
        entries = _msgpack.loads(data)
        if not isinstance(entries, dict):
            raise ValueError("TagMap.from_bytes: expected a serialized dict of tags")
        new = TagMap(entries)
        self._map = new._map
        return self

    def to_disk(self, path: str | Path) -> None:
        """Write the map as JSON: to `path` if it ends in .json, else `path`/tag_map.json."""
        path = Path(path)
        if path.suffix != ".json":
            path.mkdir(parents=True, exist_ok=True)
            path = path / _FILE_NAME
        srsly.write_json(path, self.to_dict())

    def from_disk(self, path: str | Path) -> TagMap:
        path = Path(path)
        if path.is_dir():
            path = path / _FILE_NAME
        try:
            entries = srsly.read_json(path)
        except ValueError as err:
            raise ValueError(f"{path}: not a valid tag map JSON file ({err})") from None
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: a tag map must be a JSON object of tag -> attributes")
        for tag, attrs in entries.items():
            try:
                _check_entry(tag, attrs)
            except ValueError as err:
                raise ValueError(f"{path}: {err}") from None
        self._map = TagMap(entries)._map
        return self


def _ptb_entries() -> dict[str, dict[str, str]]:
    """Penn Treebank tags (as in UD English EWT's XPOS column) with their UPOS and features."""
    v = "VerbForm"
    return {
        "NN": {"pos": "NOUN", "Number": "Sing"},
        "NNS": {"pos": "NOUN", "Number": "Plur"},
        "NNP": {"pos": "PROPN", "Number": "Sing"},
        "NNPS": {"pos": "PROPN", "Number": "Plur"},
        "VB": {"pos": "VERB", v: "Inf"},
        "VBD": {"pos": "VERB", v: "Fin", "Tense": "Past", "Mood": "Ind"},
        "VBG": {"pos": "VERB", v: "Ger"},
        "VBN": {"pos": "VERB", v: "Part", "Tense": "Past"},
        "VBP": {"pos": "VERB", v: "Fin", "Tense": "Pres", "Mood": "Ind"},
        "VBZ": {
            "pos": "VERB", v: "Fin", "Tense": "Pres", "Mood": "Ind", "Number": "Sing", "Person": "3",
        },
        "MD": {"pos": "AUX", v: "Fin"},
        "JJ": {"pos": "ADJ", "Degree": "Pos"},
        "JJR": {"pos": "ADJ", "Degree": "Cmp"},
        "JJS": {"pos": "ADJ", "Degree": "Sup"},
        "RB": {"pos": "ADV"},
        "RBR": {"pos": "ADV", "Degree": "Cmp"},
        "RBS": {"pos": "ADV", "Degree": "Sup"},
        "WRB": {"pos": "ADV", "PronType": "Int"},
        "DT": {"pos": "DET"},
        "PDT": {"pos": "DET"},
        "WDT": {"pos": "DET", "PronType": "Rel"},
        "PRP": {"pos": "PRON", "PronType": "Prs"},
        "PRP$": {"pos": "PRON", "PronType": "Prs", "Poss": "Yes"},
        "WP": {"pos": "PRON", "PronType": "Int"},
        "WP$": {"pos": "PRON", "PronType": "Int", "Poss": "Yes"},
        "EX": {"pos": "PRON", "PronType": "Dem"},
        "IN": {"pos": "ADP"},
        "RP": {"pos": "ADP"},
        "TO": {"pos": "PART"},
        "POS": {"pos": "PART"},
        "CC": {"pos": "CCONJ"},
        "CD": {"pos": "NUM", "NumType": "Card"},
        "UH": {"pos": "INTJ"},
        "FW": {"pos": "X", "Foreign": "Yes"},
        "LS": {"pos": "X", "NumType": "Ord"},
        "SYM": {"pos": "SYM"},
        "ADD": {"pos": "X"},
        "AFX": {"pos": "ADJ", "Hyph": "Yes"},
        "GW": {"pos": "X"},
        "XX": {"pos": "X"},
        "NIL": {"pos": "X"},
        "HYPH": {"pos": "PUNCT", "PunctType": "Dash"},
        "NFP": {"pos": "PUNCT"},
        ",": {"pos": "PUNCT", "PunctType": "Comm"},
        ".": {"pos": "PUNCT", "PunctType": "Peri"},
        ":": {"pos": "PUNCT"},
        "``": {"pos": "PUNCT", "PunctType": "Quot", "PunctSide": "Ini"},
        "''": {"pos": "PUNCT", "PunctType": "Quot", "PunctSide": "Fin"},
        '"': {"pos": "PUNCT", "PunctType": "Quot"},
        "-LRB-": {"pos": "PUNCT", "PunctType": "Brck", "PunctSide": "Ini"},
        "-RRB-": {"pos": "PUNCT", "PunctType": "Brck", "PunctSide": "Fin"},
        "$": {"pos": "SYM"},
        "#": {"pos": "SYM"},
        "_SP": {"pos": "X"},
    }


def english_tag_map() -> TagMap:
    """The default English tag map over the Penn Treebank tag set."""
    return TagMap(_ptb_entries())


def default_tag_map(lang: str) -> TagMap | None:
    """The default tag map of language `lang`: PTB for English, None where there is none (a
    tagger then builds one from its labels)."""
    return english_tag_map() if lang == "en" else None
