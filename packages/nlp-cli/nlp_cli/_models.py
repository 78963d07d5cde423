"""Loading models, importing a user's component code and choosing the device for the commands,
with one-line errors."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import fail, require_file

#: The help text of the --code option the commands that build or load pipelines share.
CODE_HELP = ("Python file to import first, e.g. one registering components with "
             "nlp_models.register_component (as spaCy v3's --code)")


def registered_specs() -> Mapping[str, Any]:
    """The spec of every registered component factory (nlp_models' built-ins, the installed
    entry points and what a --code file registered), by factory name; a UserError naming the
    entry point whose module fails to import."""
    from nlp_models.component_registry import component_specs

    try:
        return component_specs()
    except ImportError as err:
        fail(" ".join(str(err).split()))


def import_code(path: str | Path | None) -> None:
    """Import the user's Python file `path` (the commands' --code) as the module named by its
    stem, so that its `register_component` decorators run before any data or model is read.
    A UserError naming the file (and the line, where the failure has one) if it is missing,
    is not a .py file or fails to import. None: nothing to import."""
    if path is None:
        return
    file = require_file(path, "--code file").resolve()
    if file.suffix != ".py":
        fail(f"--code file must be a Python file (.py): {path}")
    name = file.stem
    if not name.isidentifier():
        fail(f"--code {path}: {name!r} is not a Python module name (use letters, digits and _)")
    if name in sys.modules and _origin(sys.modules[name]) == file:
        return  # imported already (e.g. through its entry point)
    other = sys.modules.get(name) or importlib.util.find_spec(name)
    if other is not None and _origin(other) != file:
        fail(f"--code {path}: a module named {name!r} exists elsewhere ({_origin(other)}); rename the file")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None  # a .py file always has a source loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # decorators and dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 - anything the user's file raises is reported in one line
        del sys.modules[name]
        fail(f"--code {_failure_place(file, err)}: failed to import: {type(err).__name__}: "
             f"{' '.join(str(err).split())}")


def _origin(module: Any) -> Path | None:
    """The resolved source file of a module or module spec (None for a built-in one)."""
    where = getattr(module, "origin", None) or getattr(module, "__file__", None)
    return Path(where).resolve() if where and where not in ("built-in", "frozen") else None


def _failure_place(file: Path, err: BaseException) -> str:
    """"FILE:LINE" of the failure `err` of the user's file (its syntax error, or the last frame
    in the file), or "FILE" when it has none."""
    line = None
    if isinstance(err, SyntaxError) and err.filename and Path(err.filename).resolve() == file:
        line = err.lineno
    else:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename).resolve() == file]
        line = frames[-1].lineno if frames else None
    return f"{file}:{line}" if line else str(file)


def load_model(path: str | Path, what: str = "model") -> Any:
    """A saved pipeline from a folder (or an installed package name); UserError if unreadable."""
    import nlp_models
    from nlp_models.util import find_package

    folder = Path(path)
    if not folder.exists():
        if find_package(str(path)) is not None:
            return _load(nlp_models, str(path))  # an installed model package (`nlp package`)
        fail(f"{what} not found: {folder}")
    if folder.is_dir() and not (folder / "meta.json").exists():
        fail(f"{what} is not a saved model folder (no meta.json): {folder}")
    if not folder.is_dir():
        fail(f"{what} must be a model folder, not a file: {folder}")
    return _load(nlp_models, folder)


def _load(nlp_models: Any, where: str | Path) -> Any:
    """nlp_models.load, with a component entry point that fails to import as one line."""
    try:
        return nlp_models.load(where)
    except ImportError as err:
        fail(" ".join(str(err).split()))


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
