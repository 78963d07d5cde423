"""`nlp train`'s settings as one readable config, so a result can be reproduced from the model.

Before training, `nlp train` records everything the run depends on into `nlp.config`, which
`Language.to_disk` saves as config.json in every model folder (model{i}, model-best,
model-final, the checkpoint), and writes the same file as OUTPUT_DIR/config.json:

- "options": every option of `nlp train` as given (positionals included);
- "paths": the absolute path of each option naming an existing file or folder (and of
  OUTPUT_DIR);
- "recipe": the value of every nlp_train.SETTINGS entry the run used (after -d/-bs and the
  NLP_* or spaCy v2 environment variables; null: decided by the components, e.g. batch_to);
- "components": each component's cfg after creation (widths, depths, seed, ...);
- "versions": the versions of the toolkit's packages, thinc, numpy and Python.

`nlp train --config FILE` (a config.json, or a folder holding one) re-runs it. The rule:
the config's options are the defaults; an option on the command line overrides the config
when its value differs from the option's own default (so `-n 1` overrides, but `-n 30`, the
default, does not, and a flag the config turns on stays on: edit the config for those). The
positionals fill from the left as usual (`nlp train en OUT2 --config C` trains into OUT2 on the
config's corpora). A path option taken from the config is its recorded absolute path if that
still exists, else the path as given. A recipe value set in the environment now wins over the
config's; the others are set (as NLP_* variables) for the duration of the run.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import json
import os
import platform
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ._errors import fail, require_file

#: Options of `nlp train` that name a file or folder.
PATH_OPTIONS = ("output_dir", "train_path", "dev_path", "base_model", "vectors", "init_tok2vec", "raw_text",
                "meta_path", "code")
#: Distributions whose versions a config records (with Python's).
VERSIONED = ("nlp-vocab", "nlp-gold", "nlp-transitions", "nlp-models", "nlp-train", "nlp-cli", "thinc", "numpy")
#: How an option's type reads in an error.
TYPE_NAMES = {int: "a whole number", float: "a number", str: "a string"}
#: Sections a config may hold, with the type of each.
SECTIONS = {"command": str, "options": dict, "paths": dict, "recipe": dict, "components": dict, "versions": dict}


# ---- recording ---------------------------------------------------------------------------------

def record_config(nlp: Any, options: Mapping[str, Any], **recipe_args: float | None) -> dict[str, Any]:
    """The full settings of a run into `nlp.config` and OUTPUT_DIR/config.json (returned too).

    `options`: the train function's arguments as given; `recipe_args`: the recipe values the
    command line set explicitly (e.g. dropout_from=-d), resolved over the environment."""
    from nlp_models.component_protocol import TrainableComponent, implements
    from nlp_models.model_files import CONFIG_FILE, write_config
    from nlp_train.storage import atomic_write_file

    options = {key: value for key, value in options.items() if key != "config"}
    config = {
        "command": "train",
        "options": options,
        "paths": recorded_paths(options),
        "recipe": recipe_values(recipe_args),
        "components": {name: _json_ready(proc.cfg) for name, proc in nlp.pipeline
                       if implements(proc, TrainableComponent)},
        "versions": package_versions(),
    }
    nlp.config = config
    out = Path(options["output_dir"])
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_file(out / CONFIG_FILE, lambda tmp: write_config(tmp, config))
    return config


def recorded_paths(options: Mapping[str, Any]) -> dict[str, str]:
    """The absolute path of OUTPUT_DIR and of each path option naming something that exists
    (a base model may be an installed package's name instead)."""
    paths = {}
    for key in PATH_OPTIONS:
        value = options.get(key)
        if isinstance(value, str) and (key == "output_dir" or Path(value).exists()):
            paths[key] = os.path.abspath(value)
    return paths


def recipe_values(explicit: Mapping[str, float | None]) -> dict[str, float | None]:
    """Every recipe setting's value for this run: the explicit argument, else the environment,
    else the default; None where the default only means "decided elsewhere" (out of range)."""
    from nlp_train.settings import SETTINGS, resolve, resolve_optional

    values: dict[str, float | None] = {}
    with _quiet_settings():  # the run logs the values it takes from v2's variables itself
        for name, setting in SETTINGS.items():
            if setting.accepts(setting.default):
                values[name] = resolve(name, explicit.get(name))
            else:
                values[name] = resolve_optional(name, explicit.get(name))
    return values


@contextlib.contextmanager
def _quiet_settings() -> Iterator[None]:
    """nlp_train.settings' log off while the block looks the settings up."""
    from nlp_train.settings import log

    disabled, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = disabled


def package_versions() -> dict[str, str | None]:
    """{distribution: version (None if not installed)} of VERSIONED, and "python"."""
    versions: dict[str, str | None] = {}
    for dist in VERSIONED:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    versions["python"] = platform.python_version()
    return versions


def _json_ready(value: Any) -> Any:
    """`value` as JSON gives it back (tuples become lists; numbers exact)."""
    return json.loads(json.dumps(value))


# ---- reading and re-running --------------------------------------------------------------------

def read_train_config(path: str, train: Callable[..., Any]) -> tuple[Path, dict[str, Any]]:
    """(file, config) of `--config PATH`, a config.json or a folder holding one, checked against
    `train`'s options; a UserError naming the file otherwise."""
    from nlp_models.model_files import CONFIG_FILE, read_json_file

    source = Path(path)
    if source.is_dir():
        if not (source / CONFIG_FILE).exists():
            fail(f"--config {path}: the folder holds no {CONFIG_FILE} (a model trained before configs "
                 "were recorded, or not by `nlp train`)")
        source = source / CONFIG_FILE
    file = require_file(source, "--config file")
    config = read_json_file(file, exact=True)  # a ValueError naming the file: one line
    check_train_config(config, train, str(file))
    return file, config


def check_train_config(config: Any, train: Callable[..., Any], where: str) -> None:
    """A UserError starting with `where` unless `config` is an object of known sections whose
    options are `train`'s, each of its type, and whose recipe names known settings."""
    from nlp_train.settings import SETTINGS

    if not isinstance(config, dict):
        fail(f"{where}: expected a JSON object with an 'options' object (a config `nlp train` wrote)")
    for key, value in config.items():
        if key not in SECTIONS:
            fail(f"{where}: unknown section {key!r} (sections: {', '.join(SECTIONS)})")
        if not isinstance(value, SECTIONS[key]):
            fail(f"{where}: {key!r} must be a JSON {'object' if SECTIONS[key] is dict else 'string'}")
    if config.get("command", "train") != "train" or "options" not in config:
        fail(f"{where}: not a config of `nlp train` (it needs \"command\": \"train\" and an 'options' object)")
    for name, value in config["options"].items():
        check_option(train, name, value, where)
    for name, value in config.get("recipe", {}).items():
        if name not in SETTINGS:
            fail(f"{where}: unknown recipe setting {name!r} (settings: {', '.join(SETTINGS)})")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            fail(f"{where}: recipe setting {name!r} must be a number or null, got {value!r}")
    if not all(isinstance(v, str) for v in config.get("paths", {}).values()):
        fail(f"{where}: 'paths' must map option names to paths (strings)")


def check_option(train: Callable[..., Any], name: str, value: Any, where: str) -> None:
    """A UserError unless `name` is an option of `train` and `value` fits its plac annotation."""
    defaults = option_defaults(train)
    if name not in defaults:
        fail(f"{where}: unknown option {name!r} in 'options' (options: {', '.join(defaults)})")
    annotation = train.__annotations__.get(name, ())
    kind = annotation[1] if len(annotation) > 1 else "option"
    if kind == "flag":
        if not isinstance(value, bool):
            fail(f"{where}: option {name!r} is a flag: true or false, got {value!r}")
        return
    wanted = annotation[3] if len(annotation) > 3 and annotation[3] is not None else str
    fits = (value is None and defaults[name] is None) or (not isinstance(value, bool) and (
        isinstance(value, wanted) or (wanted is float and isinstance(value, int))))
    if not fits:
        kind = TYPE_NAMES.get(wanted, wanted.__name__) + (" or null" if defaults[name] is None else "")
        fail(f"{where}: option {name!r} must be {kind}, got {value!r}")
    choices = annotation[4] if len(annotation) > 4 else None
    if choices and value is not None and value not in choices:
        fail(f"{where}: option {name!r} must be one of {', '.join(choices)}, got {value!r}")


def option_defaults(train: Callable[..., Any]) -> dict[str, Any]:
    """{option: default} of the train function (a positional's default is None)."""
    return {name: param.default for name, param in inspect.signature(train).parameters.items()}


def require_positionals(train: Callable[..., Any], options: Mapping[str, Any]) -> None:
    """A UserError naming the positionals that are missing (they may be left out only with
    --config, which then supplies them)."""
    missing = [name.upper() for name, annotation in train.__annotations__.items()
               if annotation[1:2] == ("positional",) and options.get(name) is None]
    if missing:
        fail(f"missing {', '.join(missing)}: give them, or --config FILE (a config.json that `nlp train` "
             "wrote, or a model folder holding one) to re-run a recorded training")


def rerun(train: Callable[..., int], given: Mapping[str, Any]) -> int:
    """Run `train` with the options of the config `given["config"]` names, overridden by the
    options in `given` that differ from their defaults, under the config's recipe values."""
    file, config = read_train_config(given["config"], train)
    defaults = option_defaults(train)
    overrides = {k: v for k, v in given.items() if k != "config" and v != defaults[k]}
    options = {**defaults, **config_options(config), **overrides, "config": None}
    print(f"ℹ Re-running the training recorded in {file}"
          + (f" (from the command line: {', '.join(sorted(overrides))})" if overrides else ""))
    with recipe_environment(config.get("recipe", {})):
        return train(**options)


def config_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config's options, each path option as its recorded absolute path if that exists
    (the run may start from another folder), else as given."""
    options = dict(config["options"])
    for key, absolute in config.get("paths", {}).items():
        if options.get(key) is not None and Path(absolute).exists():
            options[key] = absolute
    return options


@contextlib.contextmanager
def recipe_environment(recipe: Mapping[str, float | None]) -> Iterator[None]:
    """Set each recorded recipe value as its NLP_* variable while the block runs, unless the
    environment sets that setting already (then it wins, with a note); restored after."""
    from nlp_train.settings import SETTINGS, resolve_optional

    added = []
    for name, value in recipe.items():
        if value is None:
            continue
        with _quiet_settings():
            current = resolve_optional(name)
        if current is None:
            os.environ[SETTINGS[name].env] = repr(float(value))
            added.append(SETTINGS[name].env)
        elif current != value:
            print(f"ℹ {name}={current:g} from the environment, not the config's {value:g}")
    try:
        yield
    finally:
        for var in added:
            os.environ.pop(var, None)
