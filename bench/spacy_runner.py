"""The peer's side of the benchmark: spaCy 3.8 trained and timed as its own CLI would.

    python bench/spacy_runner.py train TASK OUT_DIR [--minutes M] [--seed S] [--preset P] [--vectors DIR]
    python bench/spacy_runner.py annotate TASK OUT_DIR
    python bench/spacy_runner.py speed TASK OUT_DIR

`train` builds spaCy's config with `init_config(optimize=...)` for the task's components
(`Task.spacy_components`: for the UD tasks tagger, morphologizer, trainable_lemmatizer, parser):
`--preset efficiency` (the default) gives `--optimize efficiency`, `--preset accuracy` gives
`--optimize accuracy` (a width-256 depth-8 tok2vec shared by every component, the ensemble text
classifier). Static vectors only with `--vectors DIR`, our `nlp init-vectors` folder, converted
by `spacy init vectors` (shared_vectors.py): the same vectors our side reads. It converts the
train split with spaCy's own converters, and runs spaCy's own training step iterator
(`train_while_improving`, what `spacy train` runs) for a wall-clock budget. At each of spaCy's
evaluation points the dev split is scored with OUR scorer (nlp_gold.Scorer; spaCy's predictions are
copied onto our Docs word by word), so both systems' learning curves use one scorer; evaluations
run every twelfth of the budget and their time is logged apart from training time. `annotate` loads model-best and measures words/sec on the
dev split's raw text (single process, batch 256, best of 3; the task's speed sample), peak RSS, and spaCy's own scorer's
figures beside ours, and for the tasks with `raw_text` the CoNLL 2018 scores on the dev split's
raw text (ud_raw.py). `speed` prints only the words/sec record, as one JSON line
(bench/speed_rounds.py). Each command runs in its own process so peak RSS is per phase.
"""

from __future__ import annotations

import time
from pathlib import Path

from shared_vectors import keep_key_attr, vectors_for_spacy
from tasks import (
    Task,
    dir_size_mb,
    inference_speed,
    logged_scores,
    main_score,
    n_words,
    peak_rss_mb,
    read_reference,
    runner_main,
    write_json,
    write_train_record,
)
from ud_raw import doc_sentences, raw_text_scores

# Our preset -> the `spacy init config --optimize` value trained against it.
PRESETS = ("efficiency", "accuracy")  # our preset names are spaCy's --optimize values


def spacy_docs(task: Task, nlp, split: str) -> list:
    """The split as spaCy Docs with gold annotation, read by spaCy's own converters."""
    from spacy.training.converters import conll_ner_to_docs, conllu_to_docs

    path = task.path(split)
    if task.fmt == "conllu":
        return list(conllu_to_docs(path.read_text(encoding="utf8"), n_sents=10, no_print=True))
    if task.fmt == "columns":
        return list(conll_ner_to_docs(path.read_text(encoding="utf8"), n_sents=10, no_print=True))
    import srsly

    docs = []
    for row in srsly.read_jsonl(path):
        doc = nlp.make_doc(row["text"])
        doc.cats = {"pos": float(row["label"] == "pos"), "neg": float(row["label"] == "neg")}
        docs.append(doc)
    return docs


def ud_feats(morph) -> str:
    """spaCy's morphological analysis as a CoNLL-U FEATS string: features in UD's order (by name,
    ignoring case; spaCy sorts them case-sensitively, "NumForm" before "Number"), "_" for none."""
    feats = str(morph).split("|") if str(morph) else []
    return "|".join(sorted(feats, key=lambda feat: feat.partition("=")[0].lower())) or "_"


def predicted_annotations(doc, task: Task) -> dict:
    """What spaCy predicted, as an nlp_gold annotation dict over spaCy's tokens."""
    annot = {"words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc]}
    if task.has("tagger"):
        annot["tags"] = [t.tag_ for t in doc]
    if task.has("morphologizer"):
        annot["pos"] = [t.pos_ for t in doc]
        annot["morphs"] = [ud_feats(t.morph) for t in doc]
    if task.has("lemmatizer"):
        annot["lemmas"] = [t.lemma_ for t in doc]
    if task.has("parser"):
        annot["heads"] = [t.head.i for t in doc]
        annot["deps"] = [t.dep_ for t in doc]
        annot["sent_starts"] = [bool(t.is_sent_start) for t in doc]
    if task.has("ner"):
        annot["entities"] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    if task.has("textcat"):
        annot["cats"] = dict(doc.cats)
    return annot


def our_scores(nlp, task: Task, references: list[dict]) -> dict:
    """Run spaCy over the dev split (gold words, or raw text for imdb) and score it with nlp_gold."""
    from spacy.tokens import Doc

    from nlp_gold import Example, Scorer, doc_from_annotations
    from nlp_vocab import Tokenizer, Vocab

    vocab = Vocab(task.lang)
    tokenizer = Tokenizer.for_language(vocab)
    if task.fmt == "jsonl":
        inputs = [ref["text"] for ref in references]
    else:
        inputs = [Doc(nlp.vocab, words=ref["words"], spaces=ref["spaces"]) for ref in references]
    examples = []
    for ref, doc in zip(references, nlp.pipe(inputs, batch_size=256)):
        predicted = doc_from_annotations(vocab, predicted_annotations(doc, task))
        gold = dict(ref)
        if task.fmt == "jsonl":
            reference = Example.from_annotations(vocab, gold, tokenizer).reference
            examples.append(Example(predicted, reference))
        else:
            examples.append(Example(predicted, doc_from_annotations(vocab, gold)))
    return Scorer().score(examples)


def spacy_fused_forms(nlp) -> frozenset[tuple[str, ...]]:
    """The fused forms of spaCy's tokenizer (its special cases of several pieces, "don't" -> do
    n't), as nlp_gold.doc_conllu.fused_forms reads ours: their words make one multiword token."""
    from spacy.attrs import ORTH

    from nlp_gold.doc_conllu import fused_forms

    rules = nlp.tokenizer.rules or {}
    return fused_forms({key: [{"ORTH": piece.get(ORTH, piece.get("ORTH"))} for piece in pieces]
                        for key, pieces in rules.items()})


def raw_sentences(nlp, task: Task, texts: list[str]) -> list[dict]:
    """spaCy's CoNLL-U sentences for raw texts: each Doc copied onto one of ours word by word (as
    our_scores does), then cut into sentences as our own Docs are (ud_raw.doc_sentences)."""
    from nlp_gold import doc_from_annotations
    from nlp_vocab import Vocab

    vocab = Vocab(task.lang)
    docs = (doc_from_annotations(vocab, predicted_annotations(doc, task))
            for doc in nlp.pipe(texts, batch_size=256))
    return doc_sentences(docs, spacy_fused_forms(nlp))


def set_everywhere(config, name: str, value) -> int:
    """Set every `name` setting of `config` (a nested mapping, e.g. each embedding layer's
    `include_static_vectors`) to `value`; how many were set."""
    count = 0
    for key, inner in config.items():
        if key == name:
            config[key] = value
            count += 1
        elif hasattr(inner, "items"):
            count += set_everywhere(inner, name, value)
    return count


def build_config(task: Task, train_path: Path, dev_path: Path, seed: int, optimize: str = "efficiency",
                 vectors: Path | None = None):
    """spaCy's config for the task: what `spacy init config --optimize OPTIMIZE` gives for its
    components, reading the static vectors of the spaCy pipeline folder `vectors` (none: no
    static vectors, though `--optimize accuracy` asks for a package of them), trained with no
    step or epoch limit (the runner stops at the budget)."""
    from spacy.cli.init_config import init_config

    config = init_config(lang=task.lang, pipeline=list(task.spacy_components), optimize=optimize, gpu=False)
    missing = [name for name in task.spacy_components if name not in config["components"]]
    if missing:
        raise SystemExit(f"spaCy's init_config gave no {', '.join(missing)} component for {task.name}")
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    config["paths"]["vectors"] = str(vectors) if vectors is not None else None
    set_everywhere(config["components"], "include_static_vectors", vectors is not None)
    config["training"]["seed"] = seed
    config["training"]["max_epochs"] = 0
    config["training"]["max_steps"] = 0
    config["training"]["patience"] = 0
    if "textcat" in task.pipeline:  # in the bag of words, alone or in the accuracy config's ensemble
        set_everywhere(config["components"]["textcat"], "exclusive_classes", True)
    return config


def train(task: Task, out: Path, minutes: float, seed: int, preset: str = "efficiency",
          vectors: Path | None = None) -> None:
    import spacy
    from spacy.schemas import ConfigSchemaTraining
    from spacy.tokens import DocBin
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import create_train_batches, train_while_improving
    from spacy.util import registry, resolve_dot_names
    from thinc.api import fix_random_seed

    out.mkdir(parents=True, exist_ok=True)
    blank = spacy.blank(task.lang)
    for split in ("train", "dev"):
        DocBin(docs=spacy_docs(task, blank, split)).to_disk(out / f"{split}.spacy")
    their_vectors = vectors_for_spacy(vectors, task.lang, out) if vectors is not None else None
    config = build_config(task, out / "train.spacy", out / "dev.spacy", seed, preset, their_vectors)
    fix_random_seed(seed)
    start = time.perf_counter()
    nlp = init_nlp(config)
    T = registry.resolve(nlp.config.interpolate()["training"], schema=ConfigSchemaTraining)
    train_corpus, _ = resolve_dot_names(nlp.config.interpolate(), [T["train_corpus"], T["dev_corpus"]])
    optimizer = T["optimizer"]
    references = task.selection(read_reference(task, "dev"))
    budget = minutes * 60.0
    # Evaluate every twelfth of the budget of training time (at least 15 s apart), not every
    # `eval_frequency` steps: a step of the bag-of-words classifier takes milliseconds, so step-based
    # evaluation would spend hours scoring. Evaluation and saving are timed apart from training.
    interval = max(budget / 12.0, 15.0)
    eval_seconds = 0.0
    log: list[dict] = []
    best_score = None

    def checkpoint(info: dict) -> None:
        nonlocal eval_seconds, best_score
        t0 = time.perf_counter()
        with nlp.use_params(optimizer.averages):
            scores = our_scores(nlp, task, references)
            score = main_score(task, scores)
            if best_score is None or score > best_score:
                best_score = score
                nlp.to_disk(out / "model-best")
                if vectors is not None:
                    keep_key_attr(out / "model-best")
        eval_seconds += time.perf_counter() - t0
        elapsed = time.perf_counter() - start
        log.append({"seconds": elapsed - eval_seconds, "wall": elapsed, "epoch": info["epoch"],
                    "step": info["step"], "words": info["words"], "score": score,
                    "scores": logged_scores(scores)})
        print(f"spacy {task.name} step {info['step']} train {log[-1]['seconds']:.0f}s score {score:.2f}",
              flush=True)

    steps = train_while_improving(
        nlp, optimizer, create_train_batches(nlp, train_corpus, T["batcher"], T["max_epochs"]),
        lambda: (0.0, {}), dropout=T["dropout"], accumulate_gradient=T["accumulate_gradient"],
        patience=0, max_steps=0, eval_frequency=10**12, exclude=T["frozen_components"],
        annotating_components=T["annotating_components"], before_update=T["before_update"],
    )
    words = 0
    last_eval = None
    for _batch, info, _is_best in steps:
        words = info["words"]
        trained = time.perf_counter() - start - eval_seconds
        if last_eval is None or trained - last_eval >= interval or trained >= budget:
            checkpoint(info)
            last_eval = trained
        if trained >= budget:
            break
    train_seconds = time.perf_counter() - start - eval_seconds
    write_train_record(out, "spacy", spacy.__version__, task, log, train_seconds, words)


def load_model(out: Path):
    """The run's model-best, as annotate and `speed` read it."""
    import spacy

    return spacy.load(out / "model-best")


def annotate(task: Task, out: Path) -> None:
    from spacy.tokens import Doc, DocBin
    from spacy.training import Example as SpacyExample

    nlp = load_model(out)
    references = read_reference(task, "dev")
    words = n_words(references)
    speed = inference_speed(nlp, task, references)
    scores = our_scores(nlp, task, references)
    gold_docs = list(DocBin().from_disk(out / "dev.spacy").get_docs(nlp.vocab))
    def unannotated(gold):
        if task.fmt == "jsonl":
            return nlp.make_doc(gold.text)
        return Doc(nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold])

    own = nlp.evaluate([SpacyExample(unannotated(d), d) for d in gold_docs])
    record = {
        "system": "spacy", "task": task.name, **speed, "words": words,
        "scores": scores, "spacy_scores": {k: v for k, v in own.items() if not isinstance(v, dict)},
        "peak_rss_mb": peak_rss_mb(), "model_mb": dir_size_mb(out / "model-best"),
    }
    if task.raw_text:
        record["conll18"] = raw_text_scores(task, lambda texts: raw_sentences(nlp, task, texts))
    write_json(out / "annotate.json", record)


if __name__ == "__main__":
    runner_main(__doc__, train, annotate, load_model, presets=list(PRESETS))
