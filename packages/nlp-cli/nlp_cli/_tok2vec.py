"""Moving pretrained token-to-vector weights (from `nlp pretrain`) into components' models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly

from ._errors import fail


def _structure(model: Any) -> list[tuple[str, dict]]:
    return [(node.name, {k: (node.get_dim(k) if node.has_dim(k) else None) for k in node.dim_names})
            for node in model.walk()]


def _fits(ours: list[tuple[str, dict]], saved: list[tuple[str, dict]]) -> bool:
    """Whether the saved layers have our layers' names and every dimension both know."""
    if len(saved) != len(ours):
        return False
    for (name, dims), (saved_name, saved_dims) in zip(ours, saved):
        if name != saved_name:
            return False
        for key, value in dims.items():
            other = saved_dims.get(key)
            if value is not None and other is not None and value != other:
                return False
    return True


def differences(ours: list[tuple[str, dict]], saved: list[tuple[str, dict]]) -> str:
    """The tok2vec settings in which the saved weights differ from our model, e.g.
    "chars 0 (pretrained) vs 64, encoder cnn vs bilstm"; by width and layer count if none do."""
    from nlp_models.ml import tok2vec_settings

    mine, theirs = tok2vec_settings(ours), tok2vec_settings(saved)
    changed = [key for key in mine if mine[key] != theirs.get(key)]
    if not changed:
        return f"width {theirs.get('width')} (pretrained) vs {mine.get('width')}, {len(saved)} layers vs {len(ours)}"
    first, *rest = changed
    return ", ".join([f"{first} {_show(theirs.get(first))} (pretrained) vs {_show(mine[first])}"]
                     + [f"{key} {_show(theirs.get(key))} vs {_show(mine[key])}" for key in rest])


def _show(value: Any) -> str:
    return "/".join(map(str, value)) if isinstance(value, list) else str(value)


def check_compatible(tok2vec: Any, msg: dict, source: str, component: str) -> None:
    """A UserError naming the settings that differ (width, depth, encoder, rows, character
    features, ...) when the saved weights do not fit `tok2vec`."""
    from nlp_models.ml import saved_tok2vec_layers

    saved = msg.get("nodes")
    if not isinstance(saved, list):
        fail(f"{source}: not tok2vec weights written by `nlp pretrain`")
    ours, theirs = _structure(tok2vec), saved_tok2vec_layers(saved)
    if not _fits(ours, theirs):
        fail(f"{source}: pretrained tok2vec does not fit the {component} tok2vec: {differences(ours, theirs)}; "
             "use the same --preset and -cw/-cd/-er in `nlp pretrain` and `nlp train`, and -v only with weights "
             "of `nlp pretrain -iv` on the same vectors")


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
        check_compatible(tok2vec, msg, str(path), "shared" if tok2vec is model else name)
        targets.append(tok2vec)
    for tok2vec in targets:
        tok2vec.from_bytes(data)
    return len(targets)
