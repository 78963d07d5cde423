"""Compile this package's Cython modules; all metadata lives in pyproject.toml."""

from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = Path(__file__).resolve().parent
# The import package (not e.g. "nlp_vocab.egg-info", which also starts with "nlp_").
PACKAGE = next(p.name for p in HERE.iterdir() if p.name.startswith("nlp_") and (p / "__init__.py").is_file())


def extensions() -> list:
    """One extension per .pyx file found under the package folder."""
    found = []
    for pyx in sorted((HERE / PACKAGE).rglob("*.pyx")):
        rel = pyx.relative_to(HERE).with_suffix("")
        found.append(
            Extension(
                ".".join(rel.parts),
                [str(pyx.relative_to(HERE))],
                include_dirs=[numpy.get_include()],
                extra_compile_args=["-O3", "-Wno-unused-function", "-Wno-sign-compare"],
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            )
        )
    return found


setup(
    ext_modules=cythonize(
        extensions(),
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True},
    ),
)
