"""`nlp train --preset`: which preset a run uses and which new components read a shared tok2vec.

The preset (nlp_models.presets) fills each new component's cfg under the explicit options
(-cw/-cd/-er/-v/-ta/-tm); with -v, a tok2vec looks the vectors up by the attribute their table
says its keys are (`nlp init-vectors --attr`: cfg `vectors_attr`). Sharing: under the preset, the factories it shares read one `tok2vec`
component when two or more of them are new in the run; `-st` (or `tok2vec` in `-p`) makes
every new component that can listen read it, `-nst` none. With `-b` only `-st` shares: a base
model's components keep what they read, and rehearsal (`-rt`) needs own tok2vecs.

A component named in -p is made with the factory the preset puts in its place (`factory_of`:
under accuracy `-p ner` is a `crf_ner` called "ner"); `-p crf_ner` names the factory itself.

`--resume` without `--preset` continues with the preset the checkpoint recorded. With `-t2v`,
the sizes recorded by `nlp pretrain` beside the weights stand in for -cw/-cd/-er not given, so
pretrained weights fit whatever the preset's sizes are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ._errors import fail
from ._models import registered_specs

SHARED = "tok2vec"  # the name (and factory) of the shared tok2vec component
#: -cw/-cd/-er: their run attribute and the tok2vec cfg key (and `nlp pretrain`'s config key) they set.
SIZE_OPTIONS = (("conv_width", "width"), ("conv_depth", "depth"), ("embed_rows", "embed_rows"))


def run_preset(given: str | None, resume: bool, output_dir: str) -> str:
    """The preset of the run: the one given, else (with --resume) the checkpoint's, else the
    default; a UserError when the given one is not the checkpoint's."""
    from nlp_models import DEFAULT_PRESET, get_preset

    if given is not None:
        try:
            get_preset(given)
        except ValueError as err:
            fail(f"--preset: {err}")
    recorded = _checkpoint_preset(Path(output_dir)) if resume else None
    if given is not None and recorded is not None and given != recorded:
        fail(f"--preset {given}: the checkpoint in {output_dir} was trained with --preset {recorded}; "
             "resume with that preset (or leave --preset out)")
    return given or recorded or DEFAULT_PRESET


def _checkpoint_preset(out: Path) -> str | None:
    """The preset the checkpoint's model recorded in its config.json (None: no checkpoint, or
    none recorded)."""
    from nlp_models.model_files import CONFIG_FILE, read_json_file
    from nlp_train.checkpoint import CHECKPOINT, has_checkpoint

    path = out / CHECKPOINT / "model" / CONFIG_FILE
    if not has_checkpoint(out) or not path.is_file():
        return None
    config = read_json_file(path)
    options = config.get("options") if isinstance(config, dict) else None
    preset = options.get("preset") if isinstance(options, dict) else None
    return preset if isinstance(preset, str) else None


def factory_of(name: str, run: SimpleNamespace) -> str:
    """The factory a new component named `name` in -p is made with: the one the run's preset
    puts in its place (the accuracy preset's `ner` is a `crf_ner`), else `name`'s own."""
    from nlp_models import get_preset

    return get_preset(run.preset).factory_for(name)


def listeners(new: Sequence[str], run: SimpleNamespace) -> list[str]:
    """The new components (names of -p) that read the shared tok2vec in this run."""
    from nlp_models import get_preset

    if run.no_shared_tok2vec:
        return []
    if run.shared:  # -st, or tok2vec named in -p
        return [name for name in new if name != SHARED and can_listen(name, run)]
    if run.base_model is not None:
        return []
    chosen = [name for name in get_preset(run.preset).listeners(new) if can_listen(name, run)]
    return chosen if len(chosen) >= 2 else []


def can_listen(name: str, run: SimpleNamespace) -> bool:
    """Whether a new component called `name`, made with this run's options, has a tok2vec
    that a shared one can stand in for."""
    from nlp_models.presets import can_share

    return can_share(factory_of(name, run), component_cfg(name, run))


def component_cfg(name: str, run: SimpleNamespace, listen: bool = False) -> dict[str, Any]:
    """The cfg of a new component called `name` (of `factory_of` it): the run's preset, and each
    option given only where the component's default cfg has it; `tok2vec` (read the shared one)
    if `listen`."""
    spec = registered_specs()[factory_of(name, run)]
    options = {"width": run.conv_width, "depth": run.conv_depth, "embed_rows": run.embed_rows,
               "pretrained_vectors": True if run.vectors is not None else None, "seed": run.seed,
               "exclusive_classes": not run.textcat_multilabel, "architecture": run.textcat_arch}
    for _, key in SIZE_OPTIONS:
        if options[key] is None:
            options[key] = run.pretrained_sizes.get(key)
    defaults = spec.default_cfg
    cfg: dict[str, Any] = {"preset": run.preset}
    cfg.update({key: value for key, value in options.items() if value is not None and key in defaults})
    if listen:
        cfg["tok2vec"] = SHARED  # the listener takes its width from the shared tok2vec
    elif cfg.get("pretrained_vectors") and getattr(run, "vectors_attr", None) and "vectors_attr" in defaults:
        cfg.update(_vectors_lookup(factory_of(name, run), cfg, run.vectors_attr))
    return cfg


def _vectors_lookup(factory: str, cfg: dict[str, Any], attr: str) -> dict[str, Any]:
    """The cfg entries that make a component of `factory` look the -v vectors up by `attr`,
    the attribute their table says its keys are (ORTH: an ORTH column joins its features)."""
    from nlp_models.pipes import vectors_lookup_cfg
    from nlp_models.presets import resolve_cfg

    spec = registered_specs()[factory]
    return vectors_lookup_cfg({**spec.default_cfg, **resolve_cfg(factory, spec.cls, cfg)}, attr)


def pretrained_sizes(init_tok2vec: str | None, run: SimpleNamespace) -> dict[str, Any]:
    """The tok2vec sizes `nlp pretrain` recorded in the config.json beside the -t2v weights (or
    one folder up, for model-best/tok2vec.bin), for the -cw/-cd/-er not given; {} otherwise."""
    from nlp_models.model_files import read_json_file

    if init_tok2vec is None or all(getattr(run, option) is not None for option, _ in SIZE_OPTIONS):
        return {}
    weights = Path(init_tok2vec).resolve()
    for folder in (weights.parent, weights.parent.parent):
        path = folder / "config.json"
        if not path.is_file():
            continue
        try:
            config = read_json_file(path)
        except ValueError:
            return {}  # not a pretraining config: the sizes are checked when the weights load
        if isinstance(config, dict) and "objective" in config:
            sizes = {key: config[key] for option, key in SIZE_OPTIONS
                     if getattr(run, option) is None and key in config}
            bad = next((key for key, value in sizes.items() if not _is_size(value)), None)
            if bad is not None:
                fail(f"{path}: {bad!r} must be a whole number or a list of them, got {sizes[bad]!r}")
            print(f"ℹ tok2vec sizes of the pretrained weights ({path}): "
                  + ", ".join(f"{key} {value}" for key, value in sizes.items()))
            return sizes
    return {}


def _is_size(value: Any) -> bool:
    """A whole number >= 0, or a non-empty list of whole numbers >= 1 (embedding rows)."""
    if isinstance(value, list):
        return bool(value) and all(_is_size(v) and v >= 1 for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
