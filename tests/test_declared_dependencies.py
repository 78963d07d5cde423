"""Each package's pyproject.toml declares exactly the distributions its source imports.

A missing declaration breaks `pip install packages/<pkg>` on a clean machine; an unused one pulls
in what nobody needs. Imports are read statically (ast for .py, import lines for .pyx/.pxd), so
the check needs no build and no installed package.
"""

import ast
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())
# Distributions whose import name is not their name lower-cased with "-" as "_".
IMPORT_NAMES = {"cython": "Cython", "pyyaml": "yaml", "scikit-learn": "sklearn", "pillow": "PIL"}
IMPORT_NAMES |= {f"cupy-cuda{v}": "cupy" for v in ("11x", "12x", "13x")}  # one cupy, per CUDA
# Top-level modules that ship inside another module's distribution.
MODULE_OWNERS = {"cupyx": "cupy"}
# The build backend itself: needed to build any package, imported by none.
BUILD_BACKEND = {"setuptools", "wheel"}
# Namespaces Cython ships its own .pxd files for: no distribution provides them.
CYTHON_BUILTINS = {"cython", "libc", "libcpp", "cpython", "posix", "openmp"}
_CYTHON_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\S+)[ \t]+(c?import)\b|(c?import)[ \t]+([^#\n]+))", re.M)
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class Imports:
    """Top-level third-party (or sibling) modules a package's source imports."""

    runtime: set[str] = field(default_factory=set)  # needed whenever the package is imported
    optional: set[str] = field(default_factory=set)  # only behind `except ImportError`
    build: set[str] = field(default_factory=set)  # setup.py and Cython cimports


@dataclass
class Declared:
    """Import name -> requirement string, for each kind of declaration in pyproject.toml."""

    runtime: dict[str, str]
    extras: dict[str, str]
    build: dict[str, str]


def import_name(requirement: str) -> str:
    """The top-level module a requirement such as ``nlp-vocab>=0.2,<0.3`` provides."""
    match = _REQUIREMENT_NAME.match(requirement.strip())
    assert match, f"unreadable requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(0)).lower()
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


class _PythonImports(ast.NodeVisitor):
    """Collects imports, leaving out `if TYPE_CHECKING:` blocks and noting guarded ones."""

    def __init__(self) -> None:
        self.required: set[str] = set()
        self.optional: set[str] = set()
        self._guarded = 0

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        if not any(_catches_import_error(handler.type) for handler in node.handlers):
            self.generic_visit(node)
            return
        self._guarded += 1
        for child in node.body:
            self.visit(child)
        self._guarded -= 1
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module)

    def _add(self, dotted: str) -> None:
        (self.optional if self._guarded else self.required).add(top_level(dotted))


def top_level(dotted: str) -> str:
    """The module whose distribution provides ``dotted`` (``cupyx.x`` -> ``cupy``)."""
    top = dotted.split(".")[0]
    return MODULE_OWNERS.get(top, top)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(kind: ast.expr | None) -> bool:
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"} for n in names)


def python_imports(path: Path) -> _PythonImports:
    """The imports of one .py file."""
    visitor = _PythonImports()
    visitor.visit(ast.parse(path.read_text(encoding="utf8"), filename=str(path)))
    return visitor


def cython_imports(path: Path) -> tuple[set[str], set[str]]:
    """(imported, cimported) top-level modules of one .pyx/.pxd file, relative ones left out."""
    imported: set[str] = set()
    cimported: set[str] = set()
    for match in _CYTHON_IMPORT.finditer(path.read_text(encoding="utf8")):
        if match.group(1):
            keyword, names = match.group(2), [match.group(1)]
        else:
            keyword = match.group(3)
            names = [part.split()[0] for part in match.group(4).split(",") if part.strip()]
        tops = {top_level(name) for name in names if not name.startswith(".")}
        (cimported if keyword == "cimport" else imported).update(tops)
    return imported, cimported


def package_imports(folder: Path) -> Imports:
    """Every non-standard-library import of the package in ``folder``, its own modules left out."""
    module = folder.name.replace("-", "_")
    found = Imports()
    for path in sorted((folder / module).rglob("*.py")):
        visitor = python_imports(path)
        found.runtime |= visitor.required
        found.optional |= visitor.optional
    for path in sorted([*(folder / module).rglob("*.pyx"), *(folder / module).rglob("*.pxd")]):
        imported, cimported = cython_imports(path)
        cimported -= CYTHON_BUILTINS
        found.runtime |= imported | cimported  # a compiled module links to what it cimports
        found.build |= cimported
    if (folder / "setup.py").is_file():
        found.build |= python_imports(folder / "setup.py").required
    ignored = set(sys.stdlib_module_names) | {module, "__future__"}
    found.runtime -= ignored
    found.optional -= ignored | found.runtime
    found.build -= ignored | {"setuptools"}
    return found


def declared(folder: Path) -> Declared:
    """What ``folder``/pyproject.toml declares, keyed by import name."""
    data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf8"))
    project = data.get("project", {})
    extras = [req for reqs in project.get("optional-dependencies", {}).values() for req in reqs]
    build = data.get("build-system", {}).get("requires", [])

    def keyed(requirements: list[str]) -> dict[str, str]:
        return {import_name(req): req for req in requirements}

    return Declared(
        runtime=keyed(project.get("dependencies", [])),
        extras=keyed(extras),
        build={k: v for k, v in keyed(build).items() if k not in BUILD_BACKEND},
    )


def mismatches(where: str, declaration: dict[str, str], imported: set[str], needed_for: str) -> list[str]:
    """One line per module imported but not declared, and per declaration nothing imports."""
    problems = [
        f"{where}: the source imports {name!r} ({needed_for}) but it is not declared"
        for name in sorted(imported - set(declaration))
    ]
    problems += [
        f"{where}: declares {declaration[name]!r} but no module of the package imports {name!r}"
        f" ({needed_for})"
        for name in sorted(set(declaration) - imported)
    ]
    return problems


def check_package(folder: Path) -> list[str]:
    """Every difference between what ``folder``'s source imports and what it declares.

    An import of a documented extra (e.g. cupy, reached only on a GPU) counts as optional.
    """
    found, declaration = package_imports(folder), declared(folder)
    found.optional |= found.runtime & set(declaration.extras)
    found.runtime -= set(declaration.extras)
    where = f"{folder.name}/pyproject.toml"
    return (
        mismatches(f"{where} [project].dependencies", declaration.runtime, found.runtime, "at runtime")
        + mismatches(
            f"{where} [project.optional-dependencies]", declaration.extras, found.optional,
            "only behind `except ImportError`",
        )
        + mismatches(
            f"{where} [build-system].requires", declaration.build, found.build,
            "by setup.py or a Cython cimport",
        )
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_exactly_what_it_imports(package):
    problems = check_package(ROOT / "packages" / package)
    assert not problems, "\n".join(problems)


def test_every_package_is_checked():
    assert len(PACKAGES) == 6


# The checker itself, on a small package written here.

PYPROJECT = """\
[build-system]
requires = ["setuptools>=65", "wheel", "cython>=3.0,<4", "numpy>=1.24", "cymem>=2.0.8,<2.1", "{extra_build}"]

[project]
name = "nlp-demo"
dependencies = ["nlp-vocab>=0.2,<0.3", "numpy>=1.24", "cymem>=2.0.8,<2.1", "{extra_runtime}"]

[project.optional-dependencies]
plot = ["matplotlib>=3.5"]
gpu = ["cupy-cuda12x>=13"]
"""

MODULE = """\
from typing import TYPE_CHECKING

import numpy
from nlp_vocab.doc import Doc

from . import helpers

if TYPE_CHECKING:
    import thinc

try:
    from matplotlib.figure import Figure
except ImportError:
    Figure = None


def on_gpu(table):
    import cupyx

    return cupyx.scatter_add
"""

PYX = """\
# cython: language_level=3
from libc.string cimport memset
cimport cython
from cymem.cymem cimport Pool
from .state cimport StateC
import numpy
"""


def write_demo(tmp_path: Path, extra_build: str = "preshed>=3.0.9", extra_runtime: str = "preshed>=3.0.9") -> Path:
    folder = tmp_path / "nlp-demo"
    (folder / "nlp_demo").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        PYPROJECT.format(extra_build=extra_build, extra_runtime=extra_runtime)
    )
    (folder / "setup.py").write_text("import numpy\nfrom Cython.Build import cythonize\nfrom setuptools import setup\n")
    (folder / "nlp_demo" / "__init__.py").write_text(MODULE)
    (folder / "nlp_demo" / "fast.pyx").write_text(PYX + "from preshed.maps cimport PreshMap\n")
    return folder


def test_checker_reads_every_kind_of_import(tmp_path):
    found = package_imports(write_demo(tmp_path))
    # not thinc (TYPE_CHECKING); cupyx is cupy's, an extra (see the next test)
    assert found.runtime == {"numpy", "nlp_vocab", "cymem", "preshed", "cupy"}
    assert found.optional == {"matplotlib"}
    assert found.build == {"Cython", "numpy", "cymem", "preshed"}


def test_checker_accepts_exact_declarations(tmp_path):
    assert check_package(write_demo(tmp_path)) == []


def test_checker_wants_an_import_outside_try_declared(tmp_path):
    folder = write_demo(tmp_path)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('gpu = ["cupy-cuda12x>=13"]\n', ""))
    assert check_package(folder) == [
        "nlp-demo/pyproject.toml [project].dependencies: the source imports 'cupy' (at runtime)"
        " but it is not declared"
    ]


def test_checker_names_a_missing_and_an_unused_declaration(tmp_path):
    folder = write_demo(tmp_path, extra_runtime="srsly>=2.4,<3")
    assert check_package(folder) == [
        "nlp-demo/pyproject.toml [project].dependencies: the source imports 'preshed' (at runtime)"
        " but it is not declared",
        "nlp-demo/pyproject.toml [project].dependencies: declares 'srsly>=2.4,<3' but no module of"
        " the package imports 'srsly' (at runtime)",
    ]


def test_checker_requires_cimported_headers_at_build_time(tmp_path):
    problems = check_package(write_demo(tmp_path, extra_build="murmurhash>=1.0.10"))
    assert problems == [
        "nlp-demo/pyproject.toml [build-system].requires: the source imports 'preshed' (by setup.py"
        " or a Cython cimport) but it is not declared",
        "nlp-demo/pyproject.toml [build-system].requires: declares 'murmurhash>=1.0.10' but no"
        " module of the package imports 'murmurhash' (by setup.py or a Cython cimport)",
    ]


def test_import_names_of_distributions():
    assert import_name("nlp-vocab>=0.2,<0.3") == "nlp_vocab"
    assert import_name("cython>=3.0,<4") == "Cython"
    assert import_name("srsly[extra] >=2.4") == "srsly"
