"""Automation: `nox -s tests`, `nox -s demo`, `nox -s lint`, `nox -s bench`.

Every session builds the packages from source into its own fresh virtual environment, in
dependency order, so a session proves that the monorepo installs on a machine that has only
Python 3.11 and pip.
"""

import os
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

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = False


def install_packages(session: nox.Session) -> None:
    """Install every package from its source folder, compiling the Cython modules."""
    session.install(*BUILD_REQUIRES)
    paths = [str(ROOT / "packages" / name) for name in PACKAGES]
    session.install("--no-build-isolation", *paths)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Build every package into a fresh environment and run every test."""
    install_packages(session)
    session.install(*TEST_REQUIRES)
    args = session.posargs or [str(p) for p in sorted(ROOT.glob("packages/*/tests"))] + [
        str(ROOT / "tests")
    ]
    # Run from a folder outside the source tree so the installed packages are imported.
    session.chdir(str(ROOT / "tests"))
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)


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
