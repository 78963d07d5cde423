"""`nlp evaluate`: score a trained model on annotated data; print the metrics table and the
speed, and optionally write the scores as JSON (the scorer's keys) or, with an .html suffix, as a
standalone page with the summary and the per-label and confusion tables (those of the training
report, nlp_train.score_tables). With --raw, the whole pipeline parses CoNLL-U data's raw text
and the CoNLL 2018 shared task's metrics are printed (`_raw_eval`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plac
import srsly

from ._corpus import load_examples
from ._errors import fail
from ._models import CODE_HELP, import_code, load_model, registered_specs, use_device
from ._raw_eval import CONLLU_SUFFIXES, HTML_SUFFIXES, evaluate_raw

#: (scorer key, table label) of the rows printed first, whatever the pipeline: our tokens
#: against the gold words. Each component's rows follow (its registered `evaluate_rows`, in
#: pipeline order), then the speed.
TOKEN_ROWS = (("token_acc", "Token %"), ("token_p", "Token P"), ("token_r", "Token R"), ("token_f", "Token F"))
SPEED_ROWS = (("wps", "Words/s"),)
#: Rows printed as whole numbers: the speed, and the gold entities our tokens cannot align with
#: (left out of NER P/R/F, as the guide's note on tokenization says).
COUNTS = ("wps", "ents_excluded")
#: Rows left out when zero: no morphology, or every gold entity aligns with our tokens.
UNINFORMATIVE_ZERO = ("morph_acc", "ufeats_acc", "ents_excluded")


def score_rows(factories: Sequence[str]) -> list[tuple[str, str]]:
    """(scorer key, label) of the rows for a pipeline of these component factories, in the
    order printed: the token rows, each factory's registered rows once, the speed."""
    specs = registered_specs()
    rows = list(TOKEN_ROWS)
    for factory in dict.fromkeys(factories):
        if factory in specs:
            rows.extend(row for row in specs[factory].evaluate_rows if row not in rows)
    return rows + list(SPEED_ROWS)


def summary_rows(scores: Mapping[str, Any], factories: Sequence[str]) -> list[tuple[str, str]]:
    """(label, value) of the `score_rows` of the model's component factories (in pipeline
    order) that the scores have, formatted."""
    rows = []
    for key, label in score_rows(factories):
        value = scores.get(key)
        if key in UNINFORMATIVE_ZERO and not value:
            continue
        if isinstance(value, (int, float)):
            rows.append((label, f"{value:.0f}" if key in COUNTS else f"{value:.2f}"))
    return rows


def write_html(path: Path, title: str, rows: list[tuple[str, str]], scores: Mapping[str, Any],
               factories: set[str]) -> None:
    """The evaluation page: the summary table, then the per-label and confusion tables of the
    model's components (as ROWS leaves out the scores of components the model lacks)."""
    from nlp_train.score_tables import score_tables, summary_table, write_page

    specs = registered_specs()
    keys = {key for factory in factories if factory in specs for key in specs[factory].training.tables}
    tables = score_tables(scores, keys=keys) or '<p class="note">The model has no per-label scores on this data.</p>'
    write_page(path, title, f"<h2>Scores</h2>\n{summary_table(rows)}\n<h2>Per label</h2>\n{tables}")


def _check_raw_options(raw: bool, gold_words: bool, exclude_punct: bool, output: str | None) -> None:
    """A UserError for options that do not go with --raw, or need it."""
    if raw and gold_words:
        fail("--raw parses the raw text with our tokenizer: it does not go with -G/--gold-words")
    if raw and exclude_punct:
        fail("--raw scores with the CoNLL 2018 definitions, which count punctuation: leave out --exclude-punct")
    if not raw and output is not None and Path(output).suffix.lower() in CONLLU_SUFFIXES:
        fail(f"-o {output}: the system's CoNLL-U is written by --raw evaluation only")


@plac.annotations(
    model=("Model folder (or installed package name)", "positional", None, str),
    data_path=("Evaluation data: a file or folder in any format `nlp convert` reads", "positional", None, str),
    use_gpu=("GPU id, or -1 for the CPU", "option", "g", int),
    output=("Write the scores to this file: report.html (any .html) for a page with per-label and "
            "confusion tables, else JSON; with --raw, FILE.conllu keeps the system's CoNLL-U", "option", "o", str),
    exclude_punct=("Leave punctuation out of UAS/LAS (spaCy v2's convention)", "flag", None),
    gold_words=("Run the pipeline on the gold words, not on our tokenizer's tokens of the raw text", "flag", "G"),
    raw=("Parse the raw text of CoNLL-U data (tokens, sentences and all) and score it with the CoNLL "
         "2018 shared task's metrics", "flag", "r"),
    code=(CODE_HELP, "option", None, str),
)
def evaluate(model: str, data_path: str, use_gpu: int = -1, output: str | None = None, exclude_punct: bool = False,
             gold_words: bool = False, raw: bool = False, code: str | None = None) -> int:
    """Evaluate a model. Where the data has raw text, our tokenizer runs on it and Token % (and
    token P/R/F) compare its tokens with the gold words; -G/--gold-words uses the gold words;
    -r/--raw runs the whole pipeline on CoNLL-U data's raw text and prints the CoNLL 2018 metrics."""
    import_code(code)  # first: the model's components may be the file's
    device = use_device(use_gpu)
    if output is not None and Path(output).is_dir():
        fail(f"-o/--output is a folder, expected a file path (.json or .html): {output}")
    _check_raw_options(raw, gold_words, exclude_punct, output)
    nlp = load_model(model)
    if raw:
        return evaluate_raw(nlp, model, data_path, output)
    examples = load_examples(data_path, nlp.vocab, nlp.make_doc, "evaluation data", raw_text=not gold_words)
    n_words = sum(len(eg) for eg in examples)
    scores = nlp.evaluate(examples, exclude_punct=exclude_punct, details=True)
    print(f"ℹ {model}: {len(examples)} examples, {n_words} words ({data_path}); device: {device}")
    factories = [getattr(proc, "factory", name) for name, proc in nlp.pipeline]
    rows = summary_rows(scores, factories)
    width = max((len(label) for label, _ in rows), default=0)
    for label, text in rows:
        print(f"{label:<{width}}  {text:>10}")
    per_type = scores.get("ents_per_type")
    specs = registered_specs()
    if isinstance(per_type, dict) and per_type and any(specs[f].annotation == "entities" for f in factories if f in specs):
        print("\nNER per type      P        R        F")
        for label, prf in per_type.items():
            print(f"{label:<12} {prf.get('p', 0):>8.2f} {prf.get('r', 0):>8.2f} {prf.get('f', 0):>8.2f}")
    if output is not None:
        out = Path(output)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() in HTML_SUFFIXES:
            write_html(out, f"Evaluation: {model} on {data_path}", rows, scores, factories)
        else:
            srsly.write_json(out, scores)
        print(f"✔ Saved scores to {out}")
    return 0
