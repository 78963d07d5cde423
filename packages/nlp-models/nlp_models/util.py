"""Entry points: blank pipelines, loading saved ones (folder or installed package), GPU choice."""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from typing import Any

from thinc.api import prefer_gpu as _thinc_prefer_gpu
from thinc.api import require_gpu as _thinc_require_gpu

from .language import META_FILE, Language, read_meta
from .ml import use_cpu_ops
from .model_files import check_links


def blank(lang: str, **kwargs: Any) -> Language:
    """An empty pipeline for language `lang` (its tokenizer and vocab; no components); a
    ValueError listing the known codes for an unknown one ("xx" is the generic language)."""
    from nlp_vocab import check_language

    return Language(lang=check_language(lang), **kwargs)


def load(name: str | Path, **kwargs: Any) -> Language:
    """A saved pipeline: from a folder written by `Language.to_disk`, or by the name of an
    installed package (see `find_package`: never a module in the working directory). A package
    that ships such a folder is loaded from it without running its code; one without calls its
    `load()`."""
    path = Path(name)
    if path.exists():
        return _load_folder(path, **kwargs)
    spec = find_package(name) if isinstance(name, str) else None
    if spec is None:
        raise OSError(f"Cannot load {str(name)!r}: not a folder and not an installed pipeline package")
    folder = _package_data_folder(spec)
    if folder is not None:
        return _load_folder(folder, **kwargs)
    loader = getattr(_import(spec), "load", None)
    if not callable(loader):
        raise ValueError(f"Package {name!r} has no load() function and no saved pipeline ({META_FILE}) inside")
    return loader(**kwargs)


def find_package(name: str) -> ModuleSpec | None:
    """The spec of the installed top-level package or module `name`, searched on sys.path
    without '' and without the working directory: a file that happens to be there, such as
    ./NAME.py, is never what `load(NAME)` runs."""
    if not name.isidentifier():
        return None
    here = Path.cwd().resolve()
    search = [entry for entry in sys.path if entry and Path(entry).is_absolute() and Path(entry).resolve() != here]
    return PathFinder.find_spec(name, search)


def _import(spec: ModuleSpec) -> Any:
    """The module of `spec` (imported from that spec, whatever else sys.path holds)."""
    module = sys.modules.get(spec.name)
    if module is not None and getattr(module.__spec__, "origin", None) == spec.origin:
        return module
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(spec.name, None)
        raise
    return module


def _load_folder(path: Path, **kwargs: Any) -> Language:
    check_links(path)  # before reading even meta.json
    meta = read_meta(path)
    nlp = Language(lang=meta["lang"], **kwargs)
    return nlp.from_disk(path)


def _package_data_folder(spec: ModuleSpec) -> Path | None:
    """The folder holding meta.json in a package: the package folder or one level below."""
    roots = [Path(p) for p in spec.submodule_search_locations or []]
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
