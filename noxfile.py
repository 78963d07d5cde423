"""Automation: `nox -s tests`, `nox -s demo`, `nox -s lint`, `nox -s bench`, `nox -s alone`.

Every session builds the packages from source into its own fresh virtual environment, in
dependency order, so a session proves that the monorepo installs on a machine that has only
Python 3.11 and pip.
"""

import atexit
import os
import re
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
PYTHON = "3.11"
# Dependency order: a package comes after every sibling it imports.
PACKAGES = ["nlp-vocab", "nlp-gold", "nlp-transitions", "nlp-train", "nlp-models", "nlp-cli"]
# What the Cython builds need; installed once so each package builds without isolation.
BUILD_REQUIRES = [
    "setuptools>=65",
    "wheel",
    "cython>=3.0,<4",
    "numpy>=1.24",
    "cymem>=2.0.8,<2.1",
    "preshed>=3.0.9,<3.1",
    "murmurhash>=1.0.10,<1.1",
]
TEST_REQUIRES = ["pytest>=8", "hypothesis>=6.100"]
SPACY = "spacy==3.8.18"
# Imports a package's public API (every name in __all__) and every one of its modules.
IMPORT_API = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
missing = [name for name in package.__all__ if not hasattr(package, name)]
assert not missing, f"{sys.argv[1]}.__all__ names what it lacks: {missing}"
modules = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in modules:
    importlib.import_module(name)
print(f"{sys.argv[1]}: {len(package.__all__)} names and {len(modules)} modules import")
"""

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = False


def build_wheels(session: nox.Session) -> Path:
    """Build a wheel of every package from its source folder (compiling the Cython modules once)
    into a folder of the session's, and return that folder."""
    session.install(*BUILD_REQUIRES)
    wheelhouse = scratch_dir("nlp-wheels-")
    paths = [str(ROOT / "packages" / name) for name in PACKAGES]
    session.run("python", "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
                "-w", str(wheelhouse), *paths)
    return wheelhouse


def scratch_dir(prefix: str) -> Path:
    """A new folder outside the repository, removed when nox exits. (Not `session.create_tmp`:
    it points TMPDIR into .nox/, inside the repository, for every later command of the session,
    and tests refuse to write their output inside the repository.)"""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def wheel_files(wheelhouse: Path, names: list[str]) -> list[str]:
    """The wheel files of ``names`` (by path, so pip never takes a same-named index package)."""
    return [str(next(wheelhouse.glob(f"{name.replace('-', '_')}-*.whl"))) for name in names]


def install_packages(session: nox.Session) -> Path:
    """Install every package, built from source, into the session's environment; return the
    folder of the wheels (for `check_alone`)."""
    wheelhouse = build_wheels(session)
    session.install(*wheel_files(wheelhouse, PACKAGES))
    return wheelhouse


def check_alone(session: nox.Session, wheelhouse: Path, package: str) -> None:
    """A fresh virtual environment gets ``package``'s wheel, the wheels of the siblings it
    declares and, from the index, only what the declarations name; `pip check` passes and the
    whole API imports. Proves the pyproject.toml declarations are complete on their own."""
    venv = scratch_dir(f"nlp-alone-{package}-")
    session.run(sys.executable, "-m", "venv", "--clear", str(venv), external=True, silent=True)
    python = str(venv / "bin" / "python")
    session.run(python, "-m", "pip", "install", "-q",
                *wheel_files(wheelhouse, _with_siblings(package)), external=True)
    session.run(python, "-m", "pip", "check", external=True, silent=True)
    session.run(python, "-c", IMPORT_API, package.replace("-", "_"), external=True)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Build every package into a fresh environment and run every test; then install each
    package alone into an environment of its own and import its API (`check_alone`)."""
    wheelhouse = install_packages(session)
    # the Ray tests (data-parallel training) run too: nlp-train with its `ray` extra; so do the
    # tests of vectors trained on raw text: nlp-cli with its `vectors` extra (floret)
    train_wheel, cli_wheel = wheel_files(wheelhouse, ["nlp-train", "nlp-cli"])
    session.install(f"{train_wheel}[ray]", f"{cli_wheel}[vectors]", *TEST_REQUIRES)
    args = session.posargs or [str(p) for p in sorted(ROOT.glob("packages/*/tests"))] + [
        str(ROOT / "tests")
    ]
    # Run from a folder outside the source tree so the installed packages are imported.
    session.chdir(str(ROOT / "tests"))
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)
    if not session.posargs:
        for package in PACKAGES:
            check_alone(session, wheelhouse, package)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Train and evaluate a small model on the corpus the project ships (examples/)."""
    install_packages(session)
    session.run("python", str(ROOT / "examples" / "demo.py"))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Static checks with ruff."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", str(ROOT))


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks against spaCy 3.8; rewrites BENCHMARKS.md."""
    install_packages(session)
    session.install(SPACY, "psutil>=5.9")
    env = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    session.run("python", str(ROOT / "bench" / "run.py"), *(session.posargs or ["all"]), env=env)


def _pyproject(name: str) -> dict:
    """The parsed pyproject.toml of packages/<name>."""
    return tomllib.loads((ROOT / "packages" / name / "pyproject.toml").read_text(encoding="utf8"))


def _with_siblings(name: str) -> list[str]:
    """``name`` and the siblings it declares, directly or through another one, in dependency order."""
    needed, todo = set(), [name]
    while todo:
        current = todo.pop()
        needed.add(current)
        for requirement in _pyproject(current)["project"].get("dependencies", []):
            sibling = re.match(r"[\w.-]+", requirement).group(0)
            if sibling in PACKAGES and sibling not in needed:
                todo.append(sibling)
    return [p for p in PACKAGES if p in needed]


@nox.session(python=PYTHON)
@nox.parametrize("package", PACKAGES)
def alone(session: nox.Session, package: str) -> None:
    """Install one package with only the siblings it declares and import all of it (what
    `nox -s tests` checks for every package after the tests)."""
    check_alone(session, build_wheels(session), package)
