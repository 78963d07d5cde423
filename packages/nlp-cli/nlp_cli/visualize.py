"""`nlp visualize`: run a model over texts and draw what it finds, dependency parses (SVG) or
entities (marked in the text), as one standalone HTML page: written to a file, to stdout, or
served on 127.0.0.1 from the standard library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import plac

from ._errors import fail, require_file
from ._models import CODE_HELP, import_code, load_model
from ._serve import check_port, serve_page

STYLES = ("dep", "ent")
WHAT = {"dep": "dependency parses", "ent": "entities"}


def read_docs(nlp: Any, source: Path) -> list[Any]:
    """The model's Docs of the texts of `source` (a text a line, or JSONL with "text" or
    "tokens"); a bad line or text is one UserError naming the file and where."""
    from nlp_vocab import Doc

    from .pretrain import iter_texts

    docs = []
    for k, text in enumerate(iter_texts(source), 1):
        try:
            docs.append(Doc(nlp.vocab, words=text) if isinstance(text, list) else nlp.make_doc(text))
        except (ValueError, TypeError) as err:
            fail(f"{source}: text {k}: {' '.join(str(err).split())}")
    if not docs:
        fail(f"input file holds no texts: {source}")
    return list(nlp.pipe(docs))


def warn_if_unannotated(docs: list[Any], style: str, model: str) -> None:
    """A one-line warning on stderr (stdout may carry the page) when the model set nothing
    that `style` draws."""
    if style == "dep" and not any(doc.has_annotation("DEP") or doc.has_annotation("HEAD") for doc in docs):
        print(f"⚠ {model} sets no dependency parse: no arcs are drawn", file=sys.stderr)
    if style == "ent" and not any(doc.has_annotation("ENT_IOB") for doc in docs):
        print(f"⚠ {model} recognizes no entities: the text is shown without marks", file=sys.stderr)


def write_stdout(page: str) -> None:
    """The page on stdout as UTF-8 (the charset it declares), whatever the terminal's encoding."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(page)
    else:
        buffer.write(page.encode("utf8"))
        buffer.flush()


@plac.annotations(
    model=("Model folder (or installed package name)", "positional", None, str),
    input_path=('Texts: a text a line, or JSONL with a "text" (or "tokens") per line', "positional", None, str),
    output=("Write the page to this HTML file (default: stdout)", "option", "o", str, None, "OUT.html"),
    style=("What to draw: dep (dependency parses) or ent (entities)", "option", "s", str, STYLES),
    serve=("Serve the page at http://127.0.0.1:PORT/ until Ctrl-C (0: any free port)", "option", None, int, None, "PORT"),
    code=(CODE_HELP, "option", None, str),
)
def visualize(model: str, input_path: str, output: str | None = None, style: str = "dep",
              serve: int | None = None, code: str | None = None) -> int:
    """Draw a model's dependency parses or entities for texts as one HTML page (no JavaScript,
    no external resources): to -o OUT.html, to stdout, or served with --serve PORT."""
    import_code(code)  # first: the model's components may be the file's
    from nlp_train.storage import atomic_write_file
    from nlp_vocab import render

    if serve is not None:
        check_port(serve)
    if output is not None and Path(output).is_dir():
        fail(f"-o/--output is a folder, expected an HTML file path: {output}")
    source = require_file(input_path, "input file")
    nlp = load_model(model)
    docs = read_docs(nlp, source)
    warn_if_unannotated(docs, style, model)
    title = f"{WHAT[style].capitalize()}: {Path(model).name}, {source.name}"
    page = render(docs, style=style, page=True, options={"title": title})
    if output is not None:
        atomic_write_file(Path(output), lambda tmp: tmp.write_text(page, encoding="utf8"))
        print(f"✔ Saved the {WHAT[style]} of {len(docs)} texts to {output}", flush=True)
    elif serve is None:
        write_stdout(page)
    if serve is not None:
        serve_page(page, serve, f"the {WHAT[style]} of {len(docs)} texts")
    return 0
