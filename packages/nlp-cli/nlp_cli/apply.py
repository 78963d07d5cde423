"""`nlp apply MODEL INPUT OUTPUT`: annotate many texts with a trained model, streaming.

INPUT is plain text (one text a line), JSONL (a .jsonl file: one object a line with a "text"; its
other fields are kept) or a folder of .txt files (one text a file, sorted; the file name is kept).
OUTPUT is JSONL or CoNLL-U (by its suffix, or -f), one record per text (`_apply_output`). The
input is read as the pipeline goes (`nlp.pipe_map`; with -n N, this process and N - 1 workers
annotate and render the records, so only finished records travel) and records are appended as
they come, so memory does not grow with the input. The run is restartable (`_apply_progress`):
the same command after an interruption goes on where the last saved batch ended, and after a
finished run does nothing; --overwrite starts over.

A unit of input that is not a text (a line that is not UTF-8 or not a JSON object with a "text"
string, a folder file that is not UTF-8) stops the run with one line naming the file and line,
after the texts before it are written: fix it and run the same command to go on. With --skip-bad
such units are set aside in OUTPUT.rejected as read (a folder file by its name), each named in a
warning, and the run goes on.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plac

from ._apply_input import Cursor, Item, input_format, input_size, read_items
from ._apply_output import OUTPUT_FORMATS, Renderer, format_of_suffix, renderer
from ._apply_progress import Progress, RecordWriter, prepare_files, read_run, rejected_path
from ._errors import fail, require_path
from ._models import CODE_HELP, import_code, load_model, use_device

#: Rejected units named one by one in a warning; the rest are counted in the summary.
WARN_REJECTED = 10


@plac.annotations(
    model=("Model folder (or installed package name)", "positional", None, str),
    input_path=("Texts: a plain-text file (one text a line), a .jsonl file ({\"text\": ...} a line) or a "
                "folder of .txt files", "positional", None, str),
    output=("Output file: .jsonl or .conllu (else give -f)", "positional", None, str),
    output_format=("Output format (default: from OUTPUT's suffix)", "option", "f", str, OUTPUT_FORMATS),
    n_process=("Worker processes annotating in parallel", "option", "n", int),
    batch_size=("Texts per batch", "option", "b", int),
    save_every=("Seconds between saves of the progress at most (a save flushes OUTPUT to disk; an "
                "interrupted run goes on from the last save)", "option", None, float),
    skip_bad=("Set unreadable input lines aside in OUTPUT.rejected and go on, instead of stopping",
              "flag", "S"),
    overwrite=("Start over, replacing OUTPUT (and its progress)", "flag", None),
    use_gpu=("GPU id, or -1 for the CPU", "option", "g", int),
    code=(CODE_HELP, "option", None, str),
)
def apply(model: str, input_path: str, output: str, output_format: str | None = None, n_process: int = 1,
          batch_size: int = 64, save_every: float = 2.0, skip_bad: bool = False, overwrite: bool = False,
          use_gpu: int = -1, code: str | None = None) -> int:
    """Annotate the texts of INPUT with MODEL and write them to OUTPUT (JSONL or CoNLL-U), going on
    where an interrupted run with the same settings stopped."""
    source, out = require_path(input_path, "input"), Path(output)
    fmt = _check_options(source, out, output_format, n_process, batch_size, save_every)
    settings = {"model": _absolute(model), "input": str(source.resolve()), "format": fmt}
    progress = read_run(out, settings, overwrite)
    if progress.finished:
        print(f"✔ Nothing to do: {out} holds all {progress.texts} texts of {source} (--overwrite to redo)")
        return 0
    import_code(code)
    use_device(use_gpu)
    nlp = load_model(model)
    in_fmt = input_format(source)
    prepare_files(out, progress)
    if progress.cursor != Cursor():
        print(f"ℹ Going on after {progress.cursor.count} {_units(in_fmt)} of {source} ({progress.texts} texts done)")
    items = read_items(source, in_fmt, progress.cursor)
    before = (progress.texts, progress.words)
    start = time.perf_counter()
    try:
        with RecordWriter(out, progress, save_every) as writer, _Bar(source, in_fmt, progress.cursor) as bar:
            stopped = annotate(nlp, items, writer, renderer(fmt, nlp), batch_size, n_process, skip_bad, bar)
    except ChildProcessError as err:  # a worker process was killed: the saved records stand
        fail(f"{err} (the texts up to the last save are in {out}; run the same command to go on)")
    seconds = time.perf_counter() - start
    if stopped is not None:
        fail(f"{stopped.where}: {stopped.error} (the texts before it are written to {out}; fix it and "
             "run the same command to go on, or use --skip-bad)")
    _summary(progress, before, out, seconds)
    return 0


def _check_options(source: Path, out: Path, fmt: str | None, n_process: int, batch_size: int,
                   save_every: float) -> str:
    """The output format; a UserError for options that cannot work."""
    fmt = fmt or format_of_suffix(out.suffix)
    if fmt is None:
        fail(f"cannot tell the output format from {out.name}: name it .jsonl or .conllu, or give "
             f"-f ({', '.join(OUTPUT_FORMATS)})")
    if n_process < 1 or batch_size < 1:
        fail(f"-n/--n-process and -b/--batch-size must be at least 1, got {n_process} and {batch_size}")
    if not save_every >= 0:
        fail(f"--save-every must be 0 or more seconds, got {save_every}")
    if out.is_dir():
        fail(f"output is a folder, expected a file path: {out}")
    if out.exists() and out.resolve() == source.resolve():
        fail(f"output is the input file: {out}")
    return fmt


def _absolute(model: str) -> str:
    """A model folder's absolute path (an installed package's name as given)."""
    return str(Path(model).resolve()) if Path(model).exists() else model


def annotate(nlp: Any, items: Iterator[Item], writer: RecordWriter, render: Renderer, batch_size: int,
             n_process: int, skip_bad: bool, bar: Any) -> Item | None:
    """Annotate the texts of `items` and write their records, saving the progress after a batch
    (at most every `writer.save_every` seconds) and at the end. Returns the unreadable item the
    run stopped at (None when it read all; with `skip_bad`, unreadable items are set aside).
    With `n_process` > 1 the worker processes render their records too (`nlp.pipe_map`): only
    finished records come back to this process, which writes them."""
    queue: deque[Item] = deque()  # the items read, in order, whose text the pipeline has taken
    stopped: list[Item] = []

    def texts() -> Iterator[tuple[str, Item]]:
        for item in items:
            if item.error is not None and not skip_bad:
                stopped.append(item)
                return
            queue.append(item)
            if item.error is None:
                yield item.text, item

    def record(doc: Any, item: Item) -> tuple[str, int]:
        return render(item, doc), len(doc)

    for text_record, words in nlp.pipe_map(texts(), record, batch_size=batch_size, n_process=n_process):
        _reject_leading(queue, writer, bar)
        item = queue.popleft()
        writer.write(item, text_record, words)
        bar.update(item.cursor)
        writer.commit_batch(batch_size)
    _reject_leading(queue, writer, bar)
    writer.commit(finished=not stopped)
    return stopped[0] if stopped else None


def _reject_leading(queue: deque[Item], writer: RecordWriter, bar: Any) -> None:
    """Set aside the unreadable items at the head of the queue (those read before the next text)."""
    while queue and queue[0].error is not None:
        item = queue.popleft()
        writer.reject(item)
        bar.update(item.cursor)
        if writer.progress.rejected <= WARN_REJECTED:
            more = " (further ones are counted at the end)" if writer.progress.rejected == WARN_REJECTED else ""
            print(f"⚠ {item.where}: {item.error}: set aside in {rejected_path(writer.output).name}{more}",
                  file=sys.stderr)


class _Bar:
    """tqdm's bar over the input (bytes of a file, or files of a folder), on a terminal only."""

    def __init__(self, source: Path, in_fmt: str, start: Cursor) -> None:
        from tqdm import tqdm

        from nlp_train.table import is_terminal

        self.folder = in_fmt == "folder"
        self.done = start.count if self.folder else start.offset
        self.tqdm = tqdm(total=input_size(source, in_fmt), initial=self.done, unit="file" if self.folder else "B",
                         unit_scale=not self.folder, dynamic_ncols=True, leave=False,
                         disable=not is_terminal(sys.stderr))

    def update(self, cursor: Cursor) -> None:
        position = cursor.count if self.folder else cursor.offset
        self.tqdm.update(position - self.done)
        self.done = position

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.tqdm.close()


def _units(in_fmt: str) -> str:
    return "files" if in_fmt == "folder" else "lines"


def _summary(progress: Progress, before: tuple[int, int], out: Path, seconds: float) -> None:
    """The one line at the end: the texts and words of this run, its words per second, and
    what OUTPUT holds when an earlier run began it."""
    texts, words = progress.texts - before[0], progress.words - before[1]
    wps = words / seconds if seconds > 0 else 0.0
    held = f" ({progress.texts} texts in all)" if before[0] else ""
    rejected = f"; {progress.rejected} set aside in {rejected_path(out).name}" if progress.rejected else ""
    print(f"✔ Annotated {texts} texts, {words} words ({wps:.0f} words/s) to {out}{held}{rejected}")
