"""What a saved pipeline folder may hold: a model folder is data, so nothing read from it may
name a path outside it, and every malformed entry is one line naming the file.

Component names become folder names, so they are plain names (letters, digits, `_`, `.`, `-`;
no `..`; not a name the folder itself uses); meta.json is checked before anything is joined to
the folder's path; links that lead out of the folder are refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import srsly

META_FILE = "meta.json"
VOCAB_DIR = "vocab"
TOKENIZER_FILE = "tokenizer"
#: Names the folder uses itself: a component of that name would overwrite them.
RESERVED_NAMES = frozenset({META_FILE, VOCAB_DIR, TOKENIZER_FILE})
COMPONENT_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")


def check_component_name(name: Any, where: str) -> str:
    """`name` if a saved component may have it (it becomes a folder name); a ValueError
    starting with `where` otherwise."""
    if not isinstance(name, str) or not COMPONENT_NAME_RE.match(name) or ".." in name:
        raise ValueError(
            f"{where}: component name {name!r} is not a plain name (use letters, digits, '_', '.' "
            "and '-', at most 100, not starting with '.' or '-', without '..')"
        )
    if name in RESERVED_NAMES:
        raise ValueError(f"{where}: component name {name!r} is reserved ({', '.join(sorted(RESERVED_NAMES))})")
    return name


def read_json_file(path: Path, what: str = "JSON") -> Any:
    """The JSON in `path`; a ValueError naming the file if it is not readable JSON text."""
    try:
        return srsly.read_json(path)
    except ValueError as err:  # includes UnicodeDecodeError
        raise ValueError(f"{path}: invalid {what} ({' '.join(str(err).split())})") from None


def read_meta(path: Path) -> dict:
    """meta.json of a saved pipeline folder, checked: a clear error if it is missing or if an
    entry the loader uses has the wrong type or names a path."""
    meta_path = Path(path) / META_FILE
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path}: no such file (not a saved pipeline folder)")
    meta = read_json_file(meta_path)
    if not isinstance(meta, dict) or "lang" not in meta:
        raise ValueError(f"{meta_path}: expected a JSON object with a 'lang' entry")
    check_meta(meta, str(meta_path))
    return meta


def check_meta(meta: dict, where: str) -> None:
    """The entries of a pipeline's meta that loading uses: lang, pipeline, factories, untrained."""
    lang = meta["lang"]
    if not isinstance(lang, str) or not LANG_RE.match(lang):
        raise ValueError(f"{where}: 'lang' must be a language code of 2-3 lowercase letters, got {lang!r}")
    pipeline = meta.get("pipeline", [])
    if not isinstance(pipeline, list):
        raise ValueError(f"{where}: 'pipeline' must be a list of component names, got {type(pipeline).__name__}")
    for name in pipeline:
        check_component_name(name, where)
    if len(set(pipeline)) != len(pipeline):
        raise ValueError(f"{where}: 'pipeline' names a component twice: {pipeline}")
    for key in ("factories", "labels"):
        if not isinstance(meta.get(key, {}), dict):
            raise ValueError(f"{where}: {key!r} must be an object keyed by component name")
    factories = meta.get("factories", {})
    if not all(isinstance(v, str) for v in factories.values()):
        raise ValueError(f"{where}: 'factories' must map component names to factory names")
    untrained = meta.get("untrained", [])
    if not isinstance(untrained, list) or not all(isinstance(v, str) for v in untrained):
        raise ValueError(f"{where}: 'untrained' must be a list of component names")


def check_links(folder: Path) -> None:
    """A ValueError naming the first link under `folder` that leads outside it (reading a
    model folder must not read, nor saving one overwrite, files elsewhere)."""
    root = Path(folder).resolve()
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            entry = Path(base) / name
            if not entry.is_symlink():
                continue
            try:
                resolved = entry.resolve(strict=True)
            except (OSError, RuntimeError):  # a loop, or a link to nothing
                raise ValueError(f"{entry}: a broken or looping link ({os.readlink(entry)})") from None
            if not _inside(resolved, root):
                raise ValueError(f"{entry}: a link to outside the model folder ({os.readlink(entry)})")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
