"""Entry points: blank pipelines, loading saved ones (folder or installed package), GPU choice."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from thinc.api import prefer_gpu as _thinc_prefer_gpu
from thinc.api import require_gpu as _thinc_require_gpu

from .language import META_FILE, Language, read_meta
from .ml import use_cpu_ops


def blank(lang: str, **kwargs: Any) -> Language:
    """An empty pipeline for language `lang` (its tokenizer and vocab; no components)."""
    return Language(lang=lang, **kwargs)


def load(name: str | Path, **kwargs: Any) -> Language:
    """A saved pipeline: from a folder written by `Language.to_disk`, or from an installed
    package that exposes `load()` or ships such a folder (found with importlib)."""
    path = Path(name)
    if path.exists():
        return _load_folder(path, **kwargs)
    if isinstance(name, str) and name.replace(".", "").replace("_", "").isalnum():
        spec = importlib.util.find_spec(name)
        if spec is not None:
            module = importlib.import_module(name)
            loader = getattr(module, "load", None)
            if callable(loader):
                return loader(**kwargs)
            folder = _package_data_folder(module)
            if folder is not None:
                return _load_folder(folder, **kwargs)
            raise ValueError(
                f"Package {name!r} has no load() function and no saved pipeline ({META_FILE}) inside"
            )
    raise OSError(f"Cannot load {str(name)!r}: not a folder and not an installed pipeline package")


def _load_folder(path: Path, **kwargs: Any) -> Language:
    meta = read_meta(path)
    nlp = Language(lang=meta["lang"], **kwargs)
    return nlp.from_disk(path)


def _package_data_folder(module: Any) -> Path | None:
    """The folder holding meta.json in a package: the package folder or one level below."""
    roots = [Path(p) for p in getattr(module, "__path__", [])]
    if not roots and getattr(module, "__file__", None):
        roots = [Path(module.__file__).parent]
    for root in roots:
        if (root / META_FILE).exists():
            return root
        for child in sorted(root.iterdir()):
            if child.is_dir() and (child / META_FILE).exists():
                return child
    return None


def prefer_gpu(gpu_id: int = 0) -> bool:
    """Use the GPU (thinc's CupyOps) for new models if one is available; True if it is.
    Otherwise models run on the fastest CPU ops (nlp_models.ml.get_cpu_ops)."""
    on_gpu = bool(_thinc_prefer_gpu(gpu_id))
    if not on_gpu:
        use_cpu_ops()
    return on_gpu


def require_gpu(gpu_id: int = 0) -> bool:
    """Use the GPU for new models; raises (from thinc) if none is available."""
    return bool(_thinc_require_gpu(gpu_id))
