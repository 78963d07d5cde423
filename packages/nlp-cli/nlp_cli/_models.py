"""Loading models and choosing the device for the commands, with one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._errors import fail


def load_model(path: str | Path, what: str = "model") -> Any:
    """A saved pipeline from a folder (or an installed package name); UserError if unreadable."""
    import nlp_models
    from nlp_models.util import find_package

    folder = Path(path)
    if not folder.exists():
        if find_package(str(path)) is not None:
            return nlp_models.load(str(path))  # an installed model package (`nlp package`)
        fail(f"{what} not found: {folder}")
    if folder.is_dir() and not (folder / "meta.json").exists():
        fail(f"{what} is not a saved model folder (no meta.json): {folder}")
    if not folder.is_dir():
        fail(f"{what} must be a model folder, not a file: {folder}")
    return nlp_models.load(folder)


def require_language(lang: str) -> str:
    """`lang` if it is a known language code; a UserError listing the known codes otherwise."""
    from nlp_vocab import check_language

    try:
        return check_language(lang)
    except ValueError as err:
        fail(str(err))


def blank_model(lang: str) -> Any:
    """An empty pipeline for a known language code (a UserError for an unknown one)."""
    import nlp_models

    return nlp_models.blank(require_language(lang))


def use_device(gpu_id: int) -> str:
    """Run on GPU `gpu_id` (a UserError if it cannot be used), or on the CPU when it is < 0."""
    from nlp_models.ml import use_cpu_ops

    if gpu_id < 0:
        use_cpu_ops()
        return "cpu"
    import nlp_models

    try:
        nlp_models.require_gpu(gpu_id)
    except Exception as err:  # thinc raises ValueError/ImportError/CUDA errors alike
        fail(f"-g/--gpu-id {gpu_id}: cannot use the GPU ({' '.join(str(err).split()) or type(err).__name__})")
    return f"gpu {gpu_id}"
