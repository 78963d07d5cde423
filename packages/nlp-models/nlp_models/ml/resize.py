"""Growing an output layer when labels are added, keeping the trained rows."""

from thinc.api import Model
from thinc.layers.resizable import resize_model


def resize_output(model: Model, n_out: int) -> Model:
    """Resize every `output_layer*` ref of `model` to `n_out` outputs (old rows are kept).

    The layers that contain an output layer (chains, with_array, ...) record its width as
    their own nO too; they follow it, or a model built afresh for `n_out` labels would not
    take the saved weights."""
    names = [name for name in model.ref_names if name.startswith("output_layer")]
    if not names:
        raise ValueError(f"resize_output: model {model.name!r} has no output_layer to resize")
    for name in names:
        layer = model.get_ref(name)
        old = layer.get_dim("nO") if layer.has_dim("nO") else None
        if old and n_out < old:
            raise ValueError(f"resize_output: cannot shrink {model.name} from {old} to {n_out}")
        resize_model(layer, n_out)
        layer.set_dim("nO", n_out, force=True)
        for node in _containers_of(model, layer) or []:
            if old is not None and node.has_dim("nO") and node.get_dim("nO") == old:
                node.set_dim("nO", n_out, force=True)
    model.set_dim("nO", n_out, force=True)
    return model


def _containers_of(model: Model, target: Model) -> list[Model] | None:
    """The nodes from `model` down to `target`'s parent that hold `target` (None if none do)."""
    if model is target:
        return []
    for layer in model.layers:
        path = _containers_of(layer, target)
        if path is not None:
            return [model, *path]
    return None
