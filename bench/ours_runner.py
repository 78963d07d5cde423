"""Our side of the benchmark: the same phases and outputs as spacy_runner.py.

    python bench/ours_runner.py train TASK OUT_DIR [--minutes M] [--seed S] [--preset NAME] [--vectors DIR]
                                    [--init-tok2vec FILE]
    python bench/ours_runner.py annotate TASK OUT_DIR
    python bench/ours_runner.py speed TASK OUT_DIR

`train` builds a blank pipeline of the task's language with the task's components in the preset's
settings and factories (nlp_models.presets, `efficiency` by default: what `nlp train` gives a user
who names no preset; under `accuracy` the "ner" is a `crf_ner`, as `nlp train -p ner` makes it; static vectors only with `--vectors DIR`, a folder of `nlp init-vectors`, as `nlp train
-v DIR` reads them), with a `tok2vec` component first that the components the preset shares
listen to, as `nlp train` plans it (NLP_BENCH_SHARED_TOK2VEC=1 makes every component that can
listen, 0 none), reads the splits with nlp_gold (one sentence per training Doc) and runs
nlp_train.train with the wall-clock budget. The per-epoch log gives the learning curve
(evaluation time excluded from its time axis). `annotate` loads model-best and measures words/sec
on raw text (single process, batch 256, best of 3; the task's speed sample), peak RSS and the dev scores (on the gold
words; for the tasks with `raw_text`, also the CoNLL 2018 scores of the pipeline run on the dev
split's raw text: ud_raw.py). `speed` prints only the words/sec record, as one JSON line
(bench/speed_rounds.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tasks import (  # noqa: E402
    Task,
    dir_size_mb,
    inference_speed,
    logged_scores,
    n_words,
    peak_rss_mb,
    raw_texts,
    read_reference,
    runner_main,
    write_json,
    write_train_record,
)
from ud_raw import doc_sentences, raw_text_scores  # noqa: E402

# Loop options per task (nlp_train.TrainConfig fields), from the smoke runs of the components:
# single sentences, a compounding batch of 4-8 up to 32-64 sentences, constant dropout 0.2 for the
# tagger/parser/NER; the recipe's defaults (0.6 -> 0.2 dropout, get_batches) for the classifier.
TRAIN_OPTIONS = {
    "ewt": {"batch_from": 4, "batch_to": 32, "dropout_from": 0.2, "dropout_to": 0.2},
    "conll": {"batch_from": 8, "batch_to": 64, "dropout_from": 0.2, "dropout_to": 0.2},
    "imdb": {},
}
# The UD tasks train on documents of 10 sentences, as spaCy's side does (its converter's n_sents=10),
# so the parser sees sentence boundaries inside a text (what raw-text scoring needs); a compounding
# batch of 1 up to 4 such documents holds as many words as ewt's 4 up to 32 sentences.
TRAIN_DOC_SENTS = {"ud-ewt": 10, "ud-fi": 10}
TRAIN_OPTIONS["ud-ewt"] = TRAIN_OPTIONS["ud-fi"] = {"batch_from": 1, "batch_to": 4, "dropout_from": 0.2,
                                                   "dropout_to": 0.2}


# The component settings are the preset's (nlp_models.presets, one table for `nlp train` and this
# bench). The efficiency preset holds what was measured here against spaCy's `--optimize efficiency`:
# - textcat: spaCy's efficiency classifier is a unigram bag of words; ours is the bag of uni- and
#   bigrams (`bow`), no CNN.
# - tok2vec (shared by the tagger and parser) and ner: a depth-2 CNN instead of depth 4. In 4-minute
#   trials it annotated EWT at 39.2k words/s instead of 33.7k (LAS 81.9 vs 82.9, tag_acc 93.6 vs 93.9)
#   and CoNLL at 68.4k instead of 44.7k (ents_f 89.2 vs 89.7).
# - one shared tok2vec (one CNN pass per token instead of one per component) for the tagger and
#   parser (and the UD tasks' morphologizer and lemmatizer, as spaCy's efficiency config shares
#   one). EWT, 4-minute runs (same session, rough timing): shared tag_acc 93.85, LAS 82.82,
#   annotate 29.0k words/s, 9 epochs; own tok2vecs 93.89, 82.00, 21.9k words/s, 5 epochs.
# What is the task's, not the preset's: the IMDB classes exclude each other.
TASK_CONFIG = {"textcat": {"exclusive_classes": True}}
SHARED_ENV = "NLP_BENCH_SHARED_TOK2VEC"


def listeners(task: Task, preset) -> list[str]:
    """The task's components that read the shared tok2vec: the preset's plan (as `nlp train`
    makes it), or with NLP_BENCH_SHARED_TOK2VEC=1 all that can, with 0 none."""
    value = os.environ.get(SHARED_ENV, "").strip()
    if value not in ("", "0", "1"):
        raise SystemExit(f"{SHARED_ENV}={value!r}: expected 0 or 1")
    if value == "0":
        return []
    if value == "1":
        from nlp_models.presets import can_share

        return [name for name in task.pipeline
                if can_share(preset.factory_for(name), component_cfg(name, preset))]
    return preset.listeners(task.pipeline)


def reads_vectors(factory: str) -> bool:
    """Whether a component of `factory` has the option to read the vocab's static vectors (cfg
    `pretrained_vectors`)."""
    from nlp_models import get_component_spec

    return "pretrained_vectors" in get_component_spec(factory).default_cfg


def component_cfg(name: str, preset, vectors: bool = False) -> dict:
    """The cfg of the task's component `name` (of the factory `preset` gives it) under `preset`
    (what the task adds: TASK_CONFIG); with `vectors`, its tok2vec reads the vocab's static
    vectors where it has the option (as `nlp train -v` sets it)."""
    cfg = {"preset": preset.name, **TASK_CONFIG.get(name, {})}
    if vectors and reads_vectors(preset.factory_for(name)):
        cfg["pretrained_vectors"] = True
    return cfg


def build_pipeline(task: Task, nlp, preset_name: str, vectors: bool = False) -> None:
    """Add the task's components to `nlp` in the preset's settings and factories, as `nlp train
    -p` makes them (the accuracy preset's "ner" is a `crf_ner`), behind a shared tok2vec for those
    that read one; with `vectors`, every tok2vec reads the vocab's static vectors."""
    from nlp_models import get_preset

    preset = get_preset(preset_name)
    listening = listeners(task, preset)
    if listening:
        nlp.add_pipe(nlp.create_pipe("tok2vec", component_cfg("tok2vec", preset, vectors)))
    for name in task.pipeline:
        cfg = component_cfg(name, preset, vectors)
        if name in listening:
            cfg["tok2vec"] = "tok2vec"
        nlp.add_pipe(nlp.create_pipe(preset.factory_for(name), cfg), name=name)


def corpus(task: Task, split: str, nlp, limit: int = 0):
    from nlp_gold import Corpus

    if task.fmt == "jsonl":
        return Corpus(task.path(split), labels=["pos", "neg"], make_doc=nlp.make_doc, limit=limit)
    # No make_doc: dev is scored on the gold words (what `nlp train -G/--gold-words` does), so the
    # tag and LAS figures compare with spaCy's, which the spaCy runner scores on gold tokens too.
    n_sents = TRAIN_DOC_SENTS.get(task.name, 1) if split == "train" else 1
    return Corpus(task.path(split), n_sents=n_sents, limit=limit)


def start_model(task: Task, vectors: Path | None):
    """A blank pipeline of the task's language; with `vectors` (a model folder from `nlp
    init-vectors`), that folder's, holding its static vectors (as `nlp train -v` starts)."""
    from shared_vectors import load_vectors

    import nlp_models

    if vectors is None:
        return nlp_models.blank(task.lang)
    nlp, _ = load_vectors(vectors)
    if nlp.lang != task.lang or nlp.pipe_names:
        raise SystemExit(f"--vectors {vectors}: expected a {task.lang} model of vectors only "
                         f"(language {nlp.lang!r}, components {nlp.pipe_names})")
    return nlp


def train(task: Task, out: Path, minutes: float, seed: int, preset: str = "efficiency",
          vectors: Path | None = None, init_tok2vec: Path | None = None) -> None:
    from thinc.api import fix_random_seed

    from nlp_train import train as train_loop

    fix_random_seed(seed)
    start = time.perf_counter()
    nlp = start_model(task, vectors)
    build_pipeline(task, nlp, preset, vectors is not None)
    train_examples = list(corpus(task, "train", nlp)(nlp.vocab))
    dev_examples = task.selection(list(corpus(task, "dev", nlp)(nlp.vocab)))
    optimizer = nlp.begin_training(lambda: train_examples)
    if init_tok2vec is not None:
        load_pretrained(nlp, init_tok2vec)
    setup_seconds = time.perf_counter() - start
    result = train_loop(nlp, train_examples, dev_examples, out, optimizer=optimizer, seed=seed,
                        n_epochs=1000, max_minutes=minutes, save_every_epoch=False, progress=False,
                        **TRAIN_OPTIONS[task.name])
    log, seconds, words = [], setup_seconds, 0
    for row in result.history:
        seconds += row["train_seconds"]
        words += row["n_words"]
        log.append({"seconds": seconds, "epoch": row["epoch"], "words": words, "score": row["score"],
                    "scores": logged_scores(row["scores"])})
    from importlib.metadata import version

    write_train_record(out, "ours", version("nlp-models"), task, log, seconds, words)


def load_pretrained(nlp, weights: Path) -> None:
    """Load `nlp pretrain`'s tok2vec weights into the pipeline's tok2vecs with `nlp train -t2v`'s
    own loader; one line when they do not fit (naming the settings) or no component takes them."""
    from nlp_cli._errors import UserError
    from nlp_cli._tok2vec import load_into

    try:
        loaded = load_into(nlp.pipeline, weights)
    except UserError as err:
        raise SystemExit(f"--init-tok2vec: {err}") from None
    if not loaded:
        raise SystemExit(f"--init-tok2vec {weights}: no component of this task's pipeline has a tok2vec")


def load_model(out: Path):
    """The run's model-best, as annotate and `speed` read it."""
    import nlp_models

    return nlp_models.load(out / "model-best")


def annotate(task: Task, out: Path) -> None:
    from nlp_gold import Example, Scorer, doc_from_annotations
    from nlp_gold.doc_conllu import fused_forms
    from nlp_vocab import Doc

    nlp = load_model(out)
    references = read_reference(task, "dev")
    texts = raw_texts(references)
    words = n_words(references)
    speed = inference_speed(nlp, task, references)
    if task.fmt == "jsonl":
        inputs = texts
    else:
        inputs = [Doc(nlp.vocab, words=ref["words"], spaces=ref["spaces"]) for ref in references]
    examples = []
    for ref, doc in zip(references, nlp.pipe(inputs, batch_size=256)):
        if task.fmt == "jsonl":
            examples.append(Example(doc, Example.from_annotations(nlp.vocab, dict(ref), nlp.make_doc).reference))
        else:
            examples.append(Example(doc, doc_from_annotations(nlp.vocab, dict(ref))))
    record = {
        "system": "ours", "task": task.name, **speed, "words": words,
        "scores": Scorer().score(examples), "peak_rss_mb": peak_rss_mb(),
        "model_mb": dir_size_mb(out / "model-best"),
    }
    if task.raw_text:
        fused = fused_forms(nlp.tokenizer.exceptions)
        record["conll18"] = raw_text_scores(
            task, lambda texts: doc_sentences(nlp.pipe(texts, batch_size=256), fused))
    write_json(out / "annotate.json", record)


if __name__ == "__main__":
    from nlp_models import preset_names

    runner_main(__doc__, train, annotate, load_model, presets=preset_names(), pretrained=True)
