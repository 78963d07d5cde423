"""msgpack as srsly writes and reads it, without srsly's cost per call.

`srsly.msgpack_dumps` / `msgpack_loads` build a new packer or unpacker on every call, and each
build asks catalogue for the encoders and decoders that installed packages register through
entry points: about 0.1-0.3 ms a call, more than packing a Doc takes (`Doc.to_bytes` spent most
of its time there, `nlp.pipe` and `nlp apply` call it per text). Here the encoder and decoder
chains (srsly's numpy ones and any registered ones) are looked up once, at the first call, and
each thread keeps one packer, so the bytes and the objects read back are srsly's own.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import Any

import srsly

_local = threading.local()


@functools.cache
def _map_hook() -> Callable[[list], Any]:
    """A map's (key, value) pairs -> the dict, through the registered decoders, chained as
    srsly chains them."""
    decode = None
    for function in srsly.msgpack_decoders.get_all().values():
        decode = functools.partial(function, chain=decode)
    if decode is None:
        return dict
    return lambda pairs: decode(dict(pairs))


def dumps(data: Any) -> bytes:
    """`srsly.msgpack_dumps(data)`: the same bytes."""
    packer = getattr(_local, "packer", None)
    if packer is None:
        packer = _local.packer = srsly.msgpack.Packer(use_bin_type=True)
    return packer.pack(data)  # the packer empties its buffer after each call, also on an error


def loads(data: bytes, use_list: bool = True) -> Any:
    """`srsly.msgpack_loads(data)`: the same objects (maps decoded by the registered decoders).
    The collector is paused meanwhile, as srsly does: a large message makes many objects."""
    hook = _map_hook()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return srsly.msgpack.unpackb(data, raw=False, use_list=use_list, object_pairs_hook=hook)
    finally:
        if enabled:
            gc.enable()
