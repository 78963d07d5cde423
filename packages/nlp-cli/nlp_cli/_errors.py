"""User errors of the `nlp` command and the one-line printer.

A user error (a missing file, an unknown converter, a bad option value, bad data) is reported as
one line on stderr naming what is wrong, and the command exits with status 1, without a
traceback. Set NLP_DEBUG=1 to see the traceback of such an error anyway.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import plac

from ._log import info_lines


class UserError(Exception):
    """A problem with the command's input or options, not with the program."""


def fail(message: str) -> NoReturn:
    """Raise a UserError with `message` (one line, naming the file or option)."""
    raise UserError(message)


def require_file(path: str | Path, what: str = "input file") -> Path:
    """`path` as a Path if it names an existing, non-empty file; a UserError otherwise."""
    path = Path(path)
    if not path.exists():
        fail(f"{what} not found: {path}")
    if path.is_dir():
        fail(f"{what} is a folder, expected a file: {path}")
    if path.stat().st_size == 0:
        fail(f"{what} is empty: {path}")
    return path


def require_path(path: str | Path, what: str = "input") -> Path:
    """`path` as a Path if it names an existing file or folder; a UserError otherwise."""
    path = Path(path)
    if not path.exists():
        fail(f"{what} not found: {path}")
    if path.is_file() and path.stat().st_size == 0:
        fail(f"{what} is empty: {path}")
    return path


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.filename and err.strerror:
        text = f"{err.strerror}: {err.filename}"
    return " ".join(text.split())


#: Exceptions that mean "the input is bad" when they escape a command (readers raise ValueError
#: subclasses naming file and line; OSError names the file).
USER_EXCEPTIONS: tuple[type[BaseException], ...] = (UserError, OSError, ValueError, UnicodeError)


@contextmanager
def one_line_warnings() -> Iterator[None]:
    """Show our warnings (UserWarning and its kinds, e.g. a corpus line that reads but looks
    wrong) as one line "⚠ message" on stderr, without the source line; others as Python does.
    NLP_DEBUG=1 keeps Python's format for all."""
    python_show = warnings.showwarning

    def show(message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        if issubclass(category, UserWarning) and not os.environ.get("NLP_DEBUG"):
            print(f"⚠ {' '.join(str(message).split())}", file=file or sys.stderr)
        else:
            python_show(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _tidy_options(parser: Any) -> None:
    """plac gives an option without an abbreviation only the form `-max-minutes`: add
    `--max-minutes` too; and show OPTION_NAME instead of a default of None in the help."""
    for action in parser._actions:
        strings = action.option_strings
        if len(strings) == 1 and not strings[0].startswith("--") and len(strings[0]) > 2:
            long = "-" + strings[0]
            if long not in parser._option_string_actions:
                strings.append(long)
                parser._option_string_actions[long] = action
        if action.metavar == "None":
            action.metavar = action.dest.upper()


def run_command(func: Callable[..., Any], argv: list[str], prog: str) -> int:
    """Parse `argv` with plac from `func`'s annotations, call it, and turn user errors into one
    line on stderr and exit status 1. Returns the exit status."""
    parser = plac.parser_from(func)
    parser.prog = prog

    def error(message: str) -> NoReturn:
        raise UserError(f"{prog}: {message} (see {prog} --help)")

    parser.error = error  # argparse's default prints the usage and exits 2
    _tidy_options(parser)
    try:
        with one_line_warnings(), info_lines():
            _, result = parser.consume(argv)
    except BrokenPipeError:  # `nlp convert ... - | head`: the reader left; not an error to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except USER_EXCEPTIONS as err:
        if os.environ.get("NLP_DEBUG"):
            raise
        sys.stdout.flush()
        print(f"✘ {_one_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("✘ interrupted", file=sys.stderr)
        return 130
    return int(result) if isinstance(result, int) and not isinstance(result, bool) else 0
