"""Moving pretrained token-to-vector weights (from `nlp pretrain`) into components' models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly

from ._errors import fail


def _structure(model: Any) -> list[tuple[str, dict]]:
    return [(node.name, {k: (node.get_dim(k) if node.has_dim(k) else None) for k in node.dim_names})
            for node in model.walk()]


def describe(model: Any) -> str:
    """The width and number of layers of a tok2vec, for error messages."""
    width = model.get_dim("nO") if model.has_dim("nO") else "?"
    return f"width {width}, {len(list(model.walk()))} layers"


def check_compatible(tok2vec: Any, msg: dict, source: str, component: str) -> None:
    """A UserError naming both shapes when the saved weights do not fit `tok2vec`."""
    saved = msg.get("nodes")
    if not isinstance(saved, list):
        fail(f"{source}: not tok2vec weights written by `nlp pretrain`")
    ours = _structure(tok2vec)
    saved_width = next((n["dims"].get("nO") for n in saved if n.get("dims", {}).get("nO") is not None), None)
    mismatch = len(saved) != len(ours)
    if not mismatch:
        for (_name, dims), node in zip(ours, saved):
            for key, value in dims.items():
                other = node.get("dims", {}).get(key)
                if value is not None and other is not None and value != other:
                    mismatch = True
                    break
            if mismatch:
                break
    if mismatch:
        fail(f"{source}: pretrained tok2vec (width {saved_width}, {len(saved)} layers) does not fit the {component} "
             f"tok2vec ({describe(tok2vec)}): use the same -cw/-cd/-er (and no -v) as `nlp pretrain`")


def read_weights(path: str | Path) -> tuple[bytes, dict]:
    """The bytes of a saved tok2vec and their decoded message."""
    path = Path(path)
    data = path.read_bytes()
    try:
        msg = srsly.msgpack_loads(data)
    except Exception:
        fail(f"{path}: not tok2vec weights written by `nlp pretrain` (unreadable)")
    if not isinstance(msg, dict):
        fail(f"{path}: not tok2vec weights written by `nlp pretrain`")
    return data, msg


def load_into(components: list[tuple[str, Any]], path: str | Path) -> int:
    """Load the weights at `path` into the tok2vec of each (name, component); all are checked
    before any is changed. Returns how many components received them."""
    data, msg = read_weights(path)
    targets = []
    for name, proc in components:
        model = getattr(proc, "model", None)
        if model is None or getattr(proc, "listens_to", None):
            continue  # a listener has no weights of its own: its shared tok2vec gets them
        if model.has_ref("tok2vec"):
            tok2vec = model.get_ref("tok2vec")
        elif getattr(proc, "factory", None) == "tok2vec":
            tok2vec = model
        else:
            continue
        check_compatible(tok2vec, msg, str(path), name)
        targets.append(tok2vec)
    for tok2vec in targets:
        tok2vec.from_bytes(data)
    return len(targets)
