"""Growing an output layer when labels are added, keeping the trained rows."""

from thinc.api import Model
from thinc.layers.resizable import resize_model


def resize_output(model: Model, n_out: int) -> Model:
    """Resize every `output_layer*` ref of `model` to `n_out` outputs (old rows are kept)."""
    names = [name for name in model.ref_names if name.startswith("output_layer")]
    if not names:
        raise ValueError(f"resize_output: model {model.name!r} has no output_layer to resize")
    for name in names:
        layer = model.get_ref(name)
        if layer.has_dim("nO") and layer.get_dim("nO") and n_out < layer.get_dim("nO"):
            raise ValueError(f"resize_output: cannot shrink {model.name} from {layer.get_dim('nO')} to {n_out}")
        resize_model(layer, n_out)
        layer.set_dim("nO", n_out, force=True)
    model.set_dim("nO", n_out, force=True)
    return model
