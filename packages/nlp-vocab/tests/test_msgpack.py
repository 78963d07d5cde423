"""nlp_vocab's msgpack (Doc, DocBin, Vocab, StringStore bytes) writes and reads what srsly does,
with srsly's numpy encoders, from any thread, and stays usable after a value it cannot pack."""

import threading

import numpy
import pytest
import srsly

from nlp_vocab import Doc, Vocab, _msgpack

MESSAGE = {"text": "naïve café 标签", "array": b"\x00\x01\xff", "n": [1, -2, 2**63 - 1], "x": 0.25,
           "nested": {"cats": {"A": 1.0}, "empty": [], "none": None}, "vector": numpy.arange(6.0).reshape(2, 3)}


def test_same_bytes_and_objects_as_srsly():
    data = _msgpack.dumps(MESSAGE)
    assert data == srsly.msgpack_dumps(MESSAGE)
    ours, theirs = _msgpack.loads(data), srsly.msgpack_loads(data)
    assert numpy.array_equal(ours.pop("vector"), theirs.pop("vector"))
    assert ours == theirs
    assert _msgpack.loads(_msgpack.dumps([1, [2]]), use_list=False) == srsly.msgpack_loads(
        srsly.msgpack_dumps([1, [2]]), use_list=False)


def test_doc_bytes_keep_numpy_user_data():
    vocab = Vocab("en")
    doc = Doc(vocab, ["Numbers", "here"])
    doc.user_data["vector"] = numpy.array([0.5, 1.5], dtype="float32")
    back = Doc(Vocab("en")).from_bytes(doc.to_bytes())
    assert back.user_data["vector"].dtype == numpy.float32
    assert numpy.array_equal(back.user_data["vector"], doc.user_data["vector"])


def test_threads_pack_their_own_messages():
    vocab = Vocab("en")
    docs = [Doc(vocab, [f"word{i}", "and", "more"] * (i + 1)) for i in range(4)]
    expected = [doc.to_bytes() for doc in docs]
    results: dict[int, set] = {}

    def pack(k: int) -> None:
        results[k] = {docs[k].to_bytes() for _ in range(200)}

    threads = [threading.Thread(target=pack, args=(k,)) for k in range(len(docs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[k] for k in range(len(docs))] == [{data} for data in expected]


def test_a_value_it_cannot_pack_leaves_it_usable():
    with pytest.raises(TypeError):
        _msgpack.dumps({"first": "half", "bad": object()})
    assert _msgpack.dumps({"a": 1}) == srsly.msgpack_dumps({"a": 1})
