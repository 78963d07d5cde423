"""Entry point of the `nlp` command (also `python -m nlp_cli`): dispatch to a sub-command."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

#: command -> (module, function) of its implementation, imported only when run.
COMMANDS = {
    "convert": ("convert", "convert"),
    "train": ("train", "train"),
    "evaluate": ("evaluate", "evaluate"),
    "report": ("report", "report"),
    "visualize": ("visualize", "visualize"),
    "pretrain": ("pretrain", "pretrain"),
    "init-vectors": ("init_vectors", "init_vectors"),
    "package": ("package", "package"),
    "debug-data": ("debug_data", "debug_data"),
    "apply": ("apply", "apply"),
}

USAGE = """usage: nlp COMMAND [ARGS...]   (nlp COMMAND --help for its options)

commands:
  convert       convert CoNLL-U, IOB/CoNLL-2003 columns, word|POS|TAG lines or JSONL to training data
  train         train a tagger, parser, entity recognizer and/or text classifier
  evaluate      score a trained model on annotated data (-o report.html: per-label tables)
  report        rebuild a training run's report.html (score curves, losses, per-label tables)
  visualize     draw a model's dependency parses or entities for texts as an HTML page (or serve it)
  pretrain      pretrain the token-to-vector layer on raw text (vectors or characters objective)
  init-vectors  make a blank model holding static word vectors from a word2vec/GloVe file
                or trained on raw text (--train-from)
  package       make an installable Python package of a model
  debug-data    check training and development data for problems before training
  apply         annotate many texts (text lines, JSONL or .txt files) to JSONL or CoNLL-U; restartable
"""


def get_command(name: str) -> Callable[..., int]:
    """The function implementing command `name` ("convert", "init-vectors", ...)."""
    if name not in COMMANDS:
        raise KeyError(f"unknown command {name!r}: use one of {', '.join(COMMANDS)}")
    module_name, func_name = COMMANDS[name]
    return getattr(importlib.import_module(f"nlp_cli.{module_name}"), func_name)


def limit_blas_threads() -> None:
    """One BLAS thread unless the user chose otherwise: our matrices are small, and OpenBLAS's
    thread pool on a busy 2-core machine made training updates ~7x slower (measured)."""
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def main(argv: list[str] | None = None) -> None:
    """Run `nlp COMMAND ...`; exits with the command's status (1 for a user error)."""
    limit_blas_threads()
    from ._errors import run_command

    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        sys.exit(0 if args else 1)
    if args[0] in ("-v", "--version"):
        from .about import __version__

        print(__version__)
        sys.exit(0)
    name = args[0]
    if name not in COMMANDS:
        print(f"✘ unknown command {name!r}: use one of {', '.join(COMMANDS)} (nlp --help)", file=sys.stderr)
        sys.exit(1)
    sys.exit(run_command(get_command(name), args[1:], f"nlp {name}"))


if __name__ == "__main__":
    main()
