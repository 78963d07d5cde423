"""`nlp package`: an installable Python package (pyproject-based) holding a saved model; after
`pip install`, `nlp_models.load(NAME)` (or `import NAME; NAME.load()`) returns the pipeline."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import plac
import srsly

from ._errors import fail
from .about import __version__

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
VERSION_RE = re.compile(r"^\d+(\.\d+)*([a-z]+\d+)?$")

# The generated code is fixed: its only inserted values are the package name and version, both
# matched by NAME_RE / VERSION_RE above. What the model is (lang, pipeline) stays in meta.json.
INIT_PY = '''"""{name} {version}: a trained nlp_models pipeline (see meta.json in its model folder)."""

from pathlib import Path

__version__ = {version!r}
MODEL_DIR = Path(__file__).parent / {data_dir!r}


def load(**overrides):
    """The pipeline, loaded from the model folder inside this package."""
    import nlp_models

    return nlp_models.load(MODEL_DIR, **overrides)
'''

PYPROJECT = '''[build-system]
requires = ["setuptools>=65", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist_name}"
version = "{version}"
description = {description}
readme = "README.md"
requires-python = ">=3.11"
license = {{ text = {license} }}
dependencies = ["{models_requirement}"]

[tool.setuptools]
packages = ["{name}"]
include-package-data = true

[tool.setuptools.package-data]
"{name}" = ["{data_dir}/*", "{data_dir}/**/*"]
'''


def models_requirement() -> str:
    """The nlp-models range a packaged pipeline needs: the installed release's minor series."""
    from nlp_models import __version__ as models_version

    major, minor = (int(part) for part in models_version.split(".")[:2])
    return f"nlp-models>={major}.{minor},<{major}.{minor + 1}"


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped, so
    no value from meta.json can end the string or add a line."""
    escaped = "".join(
        "\\" + ch if ch in '"\\' else f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch
        for ch in text
    )
    return f'"{escaped}"'


def _read_model_meta(source: Path) -> dict:
    """The checked meta.json of the model folder `source` (a UserError if it is not one, or
    if it holds a link to outside itself: packaging copies the folder)."""
    from nlp_models.model_files import check_links, read_meta

    if not source.exists():
        fail(f"model folder not found: {source}")
    if not source.is_dir():
        fail(f"model must be a folder, not a file: {source}")
    if not (source / "meta.json").exists():
        fail(f"not a saved model folder (no meta.json): {source}")
    check_links(source)
    return read_meta(source)


def _default_name(meta: dict) -> str:
    lang = meta["lang"]
    base = re.sub(r"[^a-z0-9_]+", "_", str(meta.get("name", "model")).lower()).strip("_") or "model"
    return base if base.startswith(lang + "_") else f"{lang}_{base}"


def _readme(name: str, version: str, description: str, meta: dict, package_root: Path) -> str:
    lang, pipeline = meta["lang"], ", ".join(meta.get("pipeline", [])) or "no components"
    lines = [f"# {name} {version}", "", description, "", f"Language: `{lang}`. Components: {pipeline}.", "",
             "```", f"pip install {package_root}", f"python -c \"import nlp_models; nlp = nlp_models.load('{name}')\"", "```"]
    accuracy = meta.get("accuracy") if isinstance(meta.get("accuracy"), dict) else {}
    if accuracy:
        lines += ["", "| metric | score |", "|---|---|"] + [
            f"| {k} | {v:.2f} |" for k, v in accuracy.items() if isinstance(v, (int, float))]
    lines += ["", f"Packaged by nlp-cli {__version__}."]
    return "\n".join(lines) + "\n"


@plac.annotations(
    input_dir=("Model folder (model-best, model-final, ...)", "positional", None, str),
    output_dir=("Folder to write the package folder into", "positional", None, str),
    name=("Package (import) name, e.g. en_ewt_tagger; default LANG_NAME from meta.json", "option", None, str),
    version=("Package version; default the version in meta.json", "option", None, str),
    force=("Overwrite an existing package folder", "flag", "f"),
)
def package(input_dir: str, output_dir: str, name: str | None = None, version: str | None = None, force: bool = False) -> int:
    """Make an installable Python package of a model."""
    source = Path(input_dir)
    meta = _read_model_meta(source)
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        fail(f"output folder is a file: {out}")
    name = name or _default_name(meta)
    if not NAME_RE.match(name):
        fail(f"--name {name!r}: use lower-case letters, digits and underscores, starting with a letter")
    version = version or str(meta.get("version") or "0.0.0")
    if not VERSION_RE.match(version):
        fail(f"--version {version!r}: expected a version like 1.0.0")
    data_dir = f"{name}-{version}"
    package_root = out / data_dir
    if package_root.exists():
        if not force:
            fail(f"package folder exists: {package_root} (use -f to overwrite)")
        shutil.rmtree(package_root)
    module_dir = package_root / name
    module_dir.mkdir(parents=True)
    shutil.copytree(source, module_dir / data_dir, ignore=shutil.ignore_patterns("checkpoint", "__pycache__"))
    meta = dict(meta, name=name, version=version)
    srsly.write_json(module_dir / data_dir / "meta.json", meta)
    srsly.write_json(package_root / "meta.json", meta)
    (module_dir / "__init__.py").write_text(INIT_PY.format(name=name, version=version, data_dir=data_dir), encoding="utf8")
    pipeline = ", ".join(meta.get("pipeline", [])) or "no components"
    description = str(meta.get("description") or f"nlp_models pipeline for {meta['lang']}: {pipeline}")
    (package_root / "pyproject.toml").write_text(PYPROJECT.format(
        dist_name=name.replace("_", "-"), name=name, version=version, description=toml_string(description),
        license=toml_string(str(meta.get("license") or "unknown")), data_dir=data_dir,
        models_requirement=models_requirement()), encoding="utf8")
    (package_root / "README.md").write_text(_readme(name, version, description, meta, package_root), encoding="utf8")
    print(f"✔ Package {name} {version} -> {package_root} (install with: pip install {package_root})")
    return 0
