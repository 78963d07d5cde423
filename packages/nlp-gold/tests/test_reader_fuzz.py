"""Fuzz tests of every corpus reader: a small valid file of each format, mutated byte-wise (bad
UTF-8, a BOM, stray tabs, ids and tags) or, for the JSON formats, value-wise (any JSON value in
any place), must either read into Examples or raise one CorpusError naming the file and a line of
it; never another exception."""

from __future__ import annotations

import copy
import json
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp_gold import Corpus, CorpusError, CorpusWarning, Example, MisalignedEntityWarning
from nlp_vocab import Tokenizer, Vocab

VOCAB = Vocab("en")
TOKENIZER = Tokenizer.for_language(VOCAB)

CONLLU = (
    "# sent_id = s1\n# text = We can't go.\n"
    "1\tWe\twe\tPRON\tPRP\tCase=Nom\t4\tnsubj\t_\tNER=O\n"
    "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\tNER=B-X\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\tNER=L-X\n"
    "4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
    "4.1\tgone\tgo\tVERB\tVBN\t_\t_\t_\t4:conj\t_\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n\n"
    "1-2\tdu\t_\t_\t_\t_\t_\t_\t_\t_\n1\tde\tde\tADP\t_\t_\t3\tcase\t_\t_\n"
    "2\tle\tle\tDET\t_\t_\t3\tdet\t_\t_\n3\tchat\tchat\tNOUN\t_\t_\t0\troot\t_\t_\n\n"
)
COLUMNS = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
           "call NN I-NP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n")
WORD_TAG = "I|PRP|O like|VBP|O New|NNP|B-LOC York|NNP|I-LOC\nParis|I-LOC is|O\n"
JSONL_RECORDS = [
    {"text": "good film", "label": "pos"},
    {"text": "Ann met Bo", "entities": [[0, 3, "PER"], {"start": 8, "end": 10, "label": "PER"}]},
    {"text": "bad", "cats": {"pos": 0.0, "neg": 1.0}},
]
JSON_DOCS = [{"id": 0, "paragraphs": [{
    "raw": "Ann left. Go",
    "cats": [{"label": "A", "value": 1.0}, {"label": "B", "value": 0.0}],
    "sentences": [
        {"tokens": [{"id": 0, "orth": "Ann", "tag": "NNP", "pos": "PROPN", "head": 1, "dep": "nsubj", "ner": "U-PER"},
                    {"id": 1, "orth": "left", "tag": "VBD", "lemma": "leave", "head": 0, "dep": "ROOT", "ner": "O"},
                    {"id": 2, "orth": ".", "tag": ".", "head": -1, "dep": "punct", "ner": "O"}]},
        {"tokens": [{"id": 3, "orth": "Go", "morph": "Mood=Imp", "head": 0, "dep": "ROOT", "ner": "-"}]},
    ],
}]}]

SEEDS = {
    "conllu": ("seed.conllu", CONLLU.encode("utf8")),
    "columns": ("seed.txt", COLUMNS.encode("utf8")),
    "word_tag": ("seed.iob", WORD_TAG.encode("utf8")),
    "jsonl": ("seed.jsonl", "".join(json.dumps(r) + "\n" for r in JSONL_RECORDS).encode("utf8")),
    "json": ("seed.json", json.dumps(JSON_DOCS, indent=1).encode("utf8")),
}

#: Pieces that mean something to some reader, spliced in at random places.
PIECES = [b"\t", b"\n", b" ", b"\n\n", b"\r\n", b"-", b"_", b"0", b"1", b"9", b"2-3", b"1-2", b"1.1", b"B-X",
          b"I-X", b"L-Y", b"U-", b"E-X", b"O", b"|", b"=", b"#", b"{", b"}", b"[", b"]", b'"', b",", b":", b"null",
          b"true", b"NaN", b"-1", b"1e999", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\xe9", b"\x00", b"\x85",
          b"-DOCSTART-", b"NER=B-X", b"NER=U-Y", b"SpaceAfter=No", b"\xc2\xb2", b"3", b"5", b"3-4", b"1-3", b"2-2",
          b"", b"B-NP"]


def _edit_line(draw: st.DrawFn, data: bytes) -> bytes:
    """Drop or repeat a line, or replace one of its cells (tab- or space-separated) by a piece."""
    lines = data.split(b"\n")
    k = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["drop", "repeat", "cell"]))
    if action == "cell":
        sep = b"\t" if b"\t" in lines[k] else b" "
        cells = lines[k].split(sep)
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(PIECES))
        lines[k] = sep.join(cells)
    else:
        lines[k:k + 1] = [] if action == "drop" else [lines[k], lines[k]]
    return b"\n".join(lines)


@st.composite
def mutated_bytes(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with a few slices replaced by format pieces or random bytes, a cell replaced, or
    lines dropped or repeated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            data = bytearray(_edit_line(draw, bytes(data)))
            continue
        pos = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 6))
        data[pos:pos + cut] = draw(st.one_of(st.sampled_from(PIECES), st.binary(min_size=1, max_size=3)))
    return bytes(data)


KEYS = ["text", "label", "labels", "cats", "entities", "start", "end", "paragraphs", "raw", "sentences", "tokens",
        "orth", "tag", "head", "dep", "ner", "value"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.floats() | st.text(max_size=3)
    | st.sampled_from(["B-X", "L-X", "U-X", "I-Y", "O", "-", "", " ", "Ann", "pos"]),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=2), kids, max_size=3),
    max_leaves=6,
)


def _slots(value: object) -> list[tuple[object, object]]:
    """(container, key) of every value nested in `value`."""
    out = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        out.append((value, key))
        out.extend(_slots(child))
    return out


@st.composite
def mutated_json(draw: st.DrawFn, seed: list) -> list:
    """A deep copy of `seed` with a few nested values replaced by any JSON value, or removed."""
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(data)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        if draw(st.integers(0, 3)) == 0:
            del container[key]  # type: ignore[attr-defined]
        else:
            container[key] = draw(JSON_VALUES)  # type: ignore[index]
    return data


def read_or_name_the_line(data: bytes, name: str, fmt: str | None, n_sents: int) -> None:
    """The property: Examples, or a one-line CorpusError with this file and one of its lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)
                warnings.simplefilter("ignore", MisalignedEntityWarning)
                examples = list(Corpus(path, format=fmt, n_sents=n_sents, make_doc=TOKENIZER)(VOCAB))
        except CorpusError as err:
            assert err.path == str(path)
            n_lines = data.count(b"\n") + data.count(b"\r") + 1  # at most; a lone \r ends a line too
            assert isinstance(err.line, int) and 1 <= err.line <= n_lines, err
            assert str(err).startswith(f"{path}:{err.line}: ") and "\n" not in str(err)
            return
    assert all(isinstance(eg, Example) for eg in examples)


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fuzz_bytes(fmt: str) -> None:
    name, seed = SEEDS[fmt]

    @FUZZ
    @given(data=mutated_bytes(seed), detect=st.booleans(), n_sents=st.integers(1, 3))
    def run(data: bytes, detect: bool, n_sents: int) -> None:
        read_or_name_the_line(data, name, None if detect else fmt, n_sents)

    run()


def test_seeds_read_cleanly():
    for fmt, (name, seed) in SEEDS.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(seed)
            assert list(Corpus(path, format=fmt, make_doc=TOKENIZER)(VOCAB)), fmt


def test_fuzz_conllu_bytes():
    _fuzz_bytes("conllu")


def test_fuzz_columns_bytes():
    _fuzz_bytes("columns")


def test_fuzz_word_tag_bytes():
    _fuzz_bytes("word_tag")


def test_fuzz_jsonl_bytes():
    _fuzz_bytes("jsonl")


def test_fuzz_json_bytes():
    _fuzz_bytes("json")


@FUZZ
@given(records=mutated_json(JSONL_RECORDS))
def test_fuzz_jsonl_values(records):
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf8")
    read_or_name_the_line(data, "values.jsonl", "jsonl", 1)


@FUZZ
@given(docs=mutated_json(JSON_DOCS), n_sents=st.integers(1, 2))
def test_fuzz_json_training_format_values(docs, n_sents):
    read_or_name_the_line(json.dumps(docs, indent=1).encode("utf8"), "values.json", "json", n_sents)
