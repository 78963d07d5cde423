"""`nlp evaluate --raw`: run the whole pipeline on the raw text of a CoNLL-U treebank and score
its output with the CoNLL 2018 shared task's metrics (`nlp_gold.conll18`).

The raw text is the treebank's own: each sentence's `# text` (or the text its tokens spell, a
multiword token's surface form included), the sentences of a paragraph (from `# newpar` or
`# newdoc` to the next) joined by a space, as the shared task's raw text files hold them; a file
without those markers gives one text per sentence. Each text goes through our tokenizer and every
component; the sentences are the model's (its parser's, or any component's that sets sentence
starts). A model that sets none would make each text one sentence, so each gold sentence is then
a text of its own (and the Sentences score is the gold's segmentation: said when it happens).
The system's CoNLL-U (kept with `-o FILE.conllu`) is read back by nlp_gold's reader and scored
against the gold: Tokens, Sentences, Words, UPOS, XPOS, UFeats, AllTags, Lemmas, UAS, LAS, CLAS,
MLAS, BLEX, each as precision, recall and F1.
"""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly

from ._corpus import file_format, files_of
from ._errors import fail

#: -o suffixes: the system's CoNLL-U, an HTML page of the scores; any other is JSON.
CONLLU_SUFFIXES = (".conllu",)
HTML_SUFFIXES = (".html", ".htm")


@dataclass
class RawText:
    """One text to parse: its gold sentences and the document/paragraph markers of the first."""

    sentences: list[dict]
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        from nlp_gold.conllu import raw_text

        return " ".join(raw_text(sent) for sent in self.sentences)


def read_gold(data_path: str) -> list[list[dict]]:
    """The gold sentences (multiword tokens kept) of each CoNLL-U file at `data_path`; a
    UserError naming a file in another format."""
    from nlp_gold import read_conllu

    files = []
    for file in files_of(data_path, "evaluation data"):
        fmt = file_format(file)
        if fmt != "conllu":
            fail(f"--raw scores CoNLL-U data (gold tokens, words, sentences and their text), but "
                 f"{file} is {fmt}")
        files.append(list(read_conllu(file, multiword_tokens=True)))
    if not any(files):
        fail(f"evaluation data holds no sentences: {data_path}")
    return files


def raw_texts(sentences: Sequence[dict]) -> list[RawText]:
    """The texts of one file's sentences: a paragraph or document each where the file marks
    them, else a sentence each."""
    from nlp_gold.conllu import MARKERS

    marked = any(marker in sent for sent in sentences for marker in MARKERS)
    texts: list[RawText] = []
    for sent in sentences:
        markers = {marker: sent[marker] for marker in MARKERS if marker in sent}
        if not texts or not marked or markers:
            texts.append(RawText([], markers))
        texts[-1].sentences.append(sent)
    return texts


def _sentence_texts(texts: Sequence[RawText]) -> list[RawText]:
    """Each gold sentence of `texts` as a text of its own (the first keeps the markers)."""
    return [RawText([sent], text.markers if k == 0 else {}) for text in texts for k, sent in enumerate(text.sentences)]


def parse(nlp: Any, texts: list[RawText]) -> tuple[list[dict], bool, float]:
    """The system's sentence dicts for `texts`, whether the model set the sentence boundaries,
    and the words per second of the pipeline."""
    from nlp_gold.doc_conllu import doc_sentences, fused_forms, has_sentences

    segments = has_sentences(nlp(texts[0].text))
    if not segments:
        texts = _sentence_texts(texts)
    fused = fused_forms(nlp.tokenizer.exceptions)
    start = time.perf_counter()
    docs = list(nlp.pipe(text.text for text in texts))
    seconds = time.perf_counter() - start
    system = []
    for text, doc in zip(texts, docs):
        sentences = doc_sentences(doc, fused)
        if sentences:
            sentences[0].update(text.markers)
        system.extend(sentences)
    n_words = sum(len(doc) for doc in docs)
    return system, segments, n_words / seconds if seconds > 0 else 0.0


def system_conllu(system: list[dict]) -> tuple[str, list[dict]]:
    """The system's CoNLL-U text and the sentences nlp_gold's reader reads from it (what is
    scored is what is written). Sentences with several roots are counted, not warned one by one."""
    from nlp_gold.conllu import read_conllu_file, write_conllu
    from nlp_gold.errors import CorpusWarning

    buffer = io.StringIO()
    write_conllu(system, buffer)
    text = buffer.getvalue()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        read = list(read_conllu_file(io.StringIO(text), "system output", multiword_tokens=True))
    roots = sum(1 for w in caught if issubclass(w.category, CorpusWarning))
    if roots:
        print(f"ℹ {roots} of the system's {len(read)} sentences have several roots (the parser's "
              "sentences are scored as they are)")
    return text, read


def metric_rows(scores: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(metric, P, R, F1) of each CoNLL 2018 metric, formatted."""
    from nlp_gold import CONLL18_METRICS

    return [(name, *(f"{scores[name][key]:.2f}" for key in ("p", "r", "f"))) for name in CONLL18_METRICS]


def print_scores(rows: list[tuple[str, str, str, str]], wps: float) -> None:
    """The table of the metrics, then the speed."""
    print(f"{'Metric':<10}{'Precision':>11}{'Recall':>11}{'F1':>11}")
    for name, p, r, f in rows:
        print(f"{name:<10}{p:>11}{r:>11}{f:>11}")
    print(f"{'Words/s':<10}{wps:>33.0f}")


def save(output: Path, title: str, conllu: str, scores: dict, rows: list[tuple[str, str, str, str]]) -> None:
    """-o: the system's CoNLL-U (.conllu), an HTML page of the table (.html) or the scores as JSON."""
    from nlp_train.score_tables import html_table, write_page
    from nlp_train.storage import atomic_write_file

    suffix = output.suffix.lower()
    if suffix in CONLLU_SUFFIXES:
        atomic_write_file(output, lambda tmp: tmp.write_text(conllu, encoding="utf8"))
        print(f"✔ Saved the system's CoNLL-U to {output}")
        return
    if suffix in HTML_SUFFIXES:
        table = html_table(("Metric", "Precision", "Recall", "F1"), rows, (False, True, True, True), "summary")
        write_page(output, title, f"<h2>CoNLL 2018 scores (raw text)</h2>\n{table}")
    else:
        atomic_write_file(output, lambda tmp: srsly.write_json(tmp, scores))
    print(f"✔ Saved scores to {output}")


def evaluate_raw(nlp: Any, model: str, data_path: str, output: str | None) -> int:
    """Parse the raw text of the CoNLL-U data at `data_path` with `nlp`, print the CoNLL 2018
    scores and save what -o asks for (see the module docstring)."""
    from nlp_gold import conll18_scores

    files = read_gold(data_path)
    gold = [sent for sentences in files for sent in sentences]
    texts = [text for sentences in files for text in raw_texts(sentences)]
    system, segments, wps = parse(nlp, texts)
    n_words = sum(len(sent["words"]) for sent in gold)
    print(f"ℹ {model}: raw text of {len(gold)} sentences, {n_words} words ({data_path}), parsed "
          f"as {len(texts) if segments else len(gold)} texts; CoNLL 2018 metrics")
    if not segments:
        print("ℹ the model sets no sentence boundaries: each gold sentence was parsed as a text of "
              "its own, so Sentences is the gold segmentation")
    conllu, read = system_conllu(system)
    scores = conll18_scores(gold, read, names=(str(data_path), "the system output"))
    scores["wps"] = wps
    rows = metric_rows(scores)
    print_scores(rows, wps)
    if output is not None:
        save(Path(output), f"Raw-text evaluation: {model} on {data_path}", conllu, scores, rows)
    return 0
