"""nlp-cli: The nlp command: train, convert, pretrain, evaluate, report, init-vectors, package, debug-data,
visualize.

`main(argv)` runs a command line; `get_command(name)` gives a command's plain (plac-annotated)
function, e.g. `get_command("convert")`; `UserError` is what a command raises for bad input.
They are imported lazily so that `nlp` starts without loading numpy before it has chosen the
BLAS thread count. (The command functions are not package attributes: their modules, e.g.
`nlp_cli.convert`, have the same names.)
"""

from importlib import import_module
from typing import Any

from .about import __version__

_LAZY = {
    "main": "__main__",
    "get_command": "__main__",
    "COMMANDS": "__main__",
    "UserError": "_errors",
    "run_command": "_errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp_cli' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
