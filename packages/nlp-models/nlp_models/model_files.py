"""What a saved pipeline folder may hold: a model folder is data, so nothing read from it may
name a path outside it, and every malformed entry is one line naming the file.

Component names become folder names, so they are plain names (letters, digits, `_`, `.`, `-`;
no `..`; not a name the folder itself uses); meta.json is checked before anything is joined to
the folder's path; links that lead out of the folder are refused. config.json (the settings
that made the model, e.g. `nlp train`'s options) is optional and only read as data.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import srsly

META_FILE = "meta.json"
CONFIG_FILE = "config.json"
VOCAB_DIR = "vocab"
TOKENIZER_FILE = "tokenizer"
#: Names the folder uses itself: a component of that name would overwrite them.
RESERVED_NAMES = frozenset({META_FILE, CONFIG_FILE, VOCAB_DIR, TOKENIZER_FILE})
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


def read_json_file(path: Path, what: str = "JSON", exact: bool = False) -> Any:
    """The JSON in `path`; a ValueError naming the file if it is not readable JSON text.
    `exact`: parse with the standard library, whose numbers round-trip exactly (srsly's keep
    about 10 digits: fine for meta.json, not for the settings that reproduce a run)."""
    try:
        return json.loads(Path(path).read_bytes()) if exact else srsly.read_json(path)
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


def read_config(path: Path) -> dict:
    """config.json of a saved pipeline folder: {} if there is none, a ValueError naming the
    file if it is not a JSON object. Only data: nothing in it is run or followed."""
    config_path = Path(path) / CONFIG_FILE
    if not config_path.exists():
        return {}
    config = read_json_file(config_path, exact=True)
    check_config(config, str(config_path))
    return config


def write_config(path: Path, config: dict) -> None:
    """`config` as readable JSON in file `path`, every number exactly as it is."""
    text = json.dumps(config, indent=2, ensure_ascii=False, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf8")


def check_config(config: Any, where: str) -> None:
    """A pipeline's config is a JSON object (string keys; strings, numbers, booleans, null,
    lists and objects as values): a ValueError starting with `where` otherwise."""
    if not isinstance(config, dict):
        raise ValueError(f"{where}: expected a JSON object of settings, got {type(config).__name__}")
    bad = _non_json(config, "config")
    if bad is not None:
        raise ValueError(f"{where}: {bad}")


def _non_json(value: Any, at: str) -> str | None:
    """Where `value` holds something JSON cannot (a non-string key, a set, an object, nan), or None."""
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else f"{at} is {value!r}, not a JSON number"
    if isinstance(value, (list, tuple)):
        return next((bad for i, v in enumerate(value) if (bad := _non_json(v, f"{at}[{i}]"))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{at} has the key {key!r}, not a string"
            bad = _non_json(item, f"{at}[{key!r}]")
            if bad:
                return bad
        return None
    return f"{at} is a {type(value).__name__}, not a JSON value"


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
