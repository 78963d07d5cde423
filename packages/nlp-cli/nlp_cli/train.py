"""`nlp train`: train a pipeline (tagger, parser, ner, textcat, or any registered component: a
user's is registered by a `--code` file or an installed entry point) from any format `convert` reads,
printing the per-epoch table and writing `model{i}`, `model-best`, `model-final` and, at the end (also
after an early stop), `report.html` (dev score curves, losses, per-label tables: see `nlp report`).

`--preset efficiency` (the default) or `--preset accuracy` chooses the components' settings
(nlp_models.presets); the options (-cw, -cd, -er, -ta, ...) override it. Under efficiency the
tagger, parser, morphologizer and lemmatizer read one shared `tok2vec` component when two or more
of them are trained; with `-st/--shared-tok2vec` (or `tok2vec` in `-p`) every new component that
can does, with `-nst/--no-shared-tok2vec` none (see _train_preset). Under accuracy `-p ner` is a
CRF entity recognizer (factory `crf_ner`, called "ner") that gives each entity a confidence.

The recipe's settings come from the environment (`NLP_DROPOUT_FROM`, ..., or spaCy v2's
`dropout_from`, `SPACY_learn_rate`, ...: see nlp_train.settings); `-d/--dropout` and
`-bs/--batch-size` set dropout and batch size over them.

Every option, the recipe values used and each component's cfg are recorded as config.json in
each model folder and in OUTPUT_DIR; `--config FILE` re-runs such a config (see _train_config)."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import plac
import srsly

from ._checks import DEFAULT_PIPELINE, annotated_components, check_data, check_sizes, count_labels
from ._corpus import load_examples, training_examples, word_count
from ._errors import fail, require_file, require_path
from ._models import (
    CODE_HELP,
    blank_model,
    import_code,
    load_model,
    registered_specs,
    require_language,
    use_device,
)
from ._multiword import learn_tokenizer_expansions
from ._tok2vec import load_into
from ._train_config import record_config, require_positionals, rerun
from ._train_preset import (
    SHARED,
    component_cfg,
    factory_of,
    listeners,
    pretrained_sizes,
    run_preset,
)
from ._train_workers import CorpusReader, Replica, check_workers

# spaCy v2's names ("cnn" is "simple_cnn"), then the NB-weighted n-grams alone and with the CNN
TEXTCAT_ARCHS = ("ensemble", "simple_cnn", "bow", "cnn", "nb_bow", "nb_ensemble")


class Trainee:
    """What nlp_train's loop trains: the pipeline, updating only the chosen components.

    The other components of a base model run (and are saved) but keep their weights.
    """

    def __init__(self, nlp: Any, names: Sequence[str]) -> None:
        self.nlp = nlp
        self.pipe_names = list(names)

    @property
    def pipeline(self) -> list[tuple[str, Any]]:
        return [(name, self.nlp.get_pipe(name)) for name in self.pipe_names]

    def update(self, examples: Sequence[Any], *, drop: float, sgd: Any, losses: dict[str, float],
               loss_normalizers: dict[str, float] | None = None) -> dict[str, float]:
        return self.nlp.update(examples, drop=drop, sgd=sgd, losses=losses, exclude=self._frozen(),
                               loss_normalizers=loss_normalizers)

    def loss_normalizers(self, examples: Sequence[Any]) -> dict[str, float]:
        """What the trained components with a mean loss divide it by on `examples` (the
        workers of `--workers` divide their shards' losses by the whole batch's)."""
        return self.nlp.loss_normalizers(examples, exclude=self._frozen())

    def labels_to_learn(self, examples: Sequence[Any]) -> dict[str, list[str]]:
        """The labels an update on `examples` would add to the trained components (the
        workers of `--workers` all learn those of every shard first)."""
        return self.nlp.labels_to_learn(examples, exclude=self._frozen())

    def learn_labels(self, labels: dict[str, list[str]]) -> None:
        self.nlp.learn_labels(labels)

    def _frozen(self) -> list[str]:
        return [name for name in self.nlp.pipe_names if name not in self.pipe_names]

    def rehearse(self, texts: Sequence[str], *, sgd: Any, losses: dict[str, float]) -> dict[str, float]:
        docs = [self.nlp.make_doc(t) for t in texts]
        for _, proc in self.pipeline:  # every trained component is a TrainableComponent
            proc.rehearse(docs, sgd=sgd, losses=losses)
        return losses

    def evaluate(self, examples: Sequence[Any]) -> dict[str, Any]:
        """The scores with their per-label tables and confusions: the log keeps them for
        report.html. They go into the model's meta too (accuracy, speed), saved with it."""
        scores = self.nlp.evaluate(examples, details=True)
        self.nlp.record_scores(scores)
        return scores

    def calibrate(self, examples: Sequence[Any]) -> dict[str, dict[str, float]]:
        """Fit the trained components' confidence on the dev examples (a crf_ner's temperature)."""
        return self.nlp.calibrate(examples, exclude=self._frozen())

    @contextlib.contextmanager
    def use_params(self, params: dict) -> Iterator[None]:
        with self.nlp.use_params(params):
            yield

    def to_disk(self, path: str | Path) -> None:
        self.nlp.to_disk(path)

    def from_disk(self, path: str | Path) -> Any:
        """Load a checkpoint's weights, keeping this run's recorded settings (nlp.config)."""
        config = self.nlp.config
        self.nlp.from_disk(path)
        self.nlp.config = config
        return self.nlp

    def component_info(self) -> list[Any]:
        """The registered table columns, score weights and batch maxima of the trained ones."""
        return self.nlp.component_info(self.pipe_names)

    def random_states(self) -> dict[str, Any]:
        return self.nlp.random_states()

    def set_random_states(self, states: dict[str, Any]) -> None:
        self.nlp.set_random_states(states)


def parse_pipeline(pipeline: str) -> list[str]:
    """Component names from "tagger,parser": registered component factories (a UserError naming
    them for an unknown name, and for a repeated name or no component that learns anything)."""
    names = [p.strip() for p in pipeline.split(",") if p.strip()]
    specs = registered_specs()
    unknown = [p for p in names if p not in specs]
    if unknown or not names:
        fail(f"-p/--pipeline: unknown component(s) {', '.join(unknown) or repr(pipeline)}: use some of "
             f"{', '.join(specs)} (a component of your own: register it, and name its file with --code)")
    if len(set(names)) != len(names):
        fail(f"-p/--pipeline: a component is named twice in {pipeline!r}")
    if all(specs[name].annotation is None for name in names):
        fail(f"-p/--pipeline: {', '.join(names)} alone has nothing to learn from: add the components that use it")
    return names


def with_upstreams(nlp: Any, names: list[str]) -> list[str]:
    """`names` plus the shared tok2vec components they listen to, in pipeline order; a UserError
    when a trained tok2vec has listeners that are not trained (their inputs would drift)."""
    from nlp_models import Upstream, implements

    chosen = set(names)
    for name in names:
        upstream = nlp.get_pipe(name).listens_to  # components named by -p are trainable ones
        if upstream:
            if not nlp.has_pipe(upstream):
                fail(f"{name} listens to the tok2vec component {upstream!r}, which the model does not have")
            chosen.add(upstream)
    for name in chosen:
        proc = nlp.get_pipe(name)
        for listener in proc.listeners if implements(proc, Upstream) else ():
            if listener.name not in chosen:
                fail(f"-p/--pipeline: training {name} changes the vectors {listener.name} reads: "
                     f"train {listener.name} too (add it to -p)")
    return [name for name in nlp.pipe_names if name in chosen]


def read_raw_texts(path: str) -> list[str]:
    """Texts for rehearsal: JSONL with "text" (or "tokens"), or plain text a line."""
    from .pretrain import iter_texts

    texts = [" ".join(t) if isinstance(t, list) else t for t in iter_texts(require_file(path, "raw text file"))]
    if not texts:
        fail(f"raw text file holds no texts: {path}")
    return texts


def _check_positive(value: int | float | None, option: str, minimum: float = 1) -> None:
    if value is not None and value < minimum:
        fail(f"{option} must be at least {minimum:g}, got {value}")


def parse_batch_size(text: str | None) -> tuple[int | None, int | None]:
    """(from, to) of `-bs`: "16" -> (None, 16), sizes compounding from the recipe's start (1) up
    to 16; "4,16" -> (4, 16); "8,8" fixes the size; None -> (None, None). A UserError otherwise."""
    if text is None:
        return None, None
    parts = [part.strip() for part in text.split(",")]
    sizes = [int(part) for part in parts if part.isdigit()]
    if len(parts) > 2 or len(sizes) != len(parts) or min(sizes) < 1:
        fail(f"-bs/--batch-size: expected N or FROM,TO (whole numbers >= 1), got {text!r}")
    if len(sizes) == 1:
        return None, sizes[0]
    if sizes[0] > sizes[1]:
        fail(f"-bs/--batch-size: FROM must not exceed TO, got {text!r}")
    return sizes[0], sizes[1]


def _check_dropout(dropout: float | None) -> None:
    if dropout is not None and not 0.0 <= dropout < 1.0:
        fail(f"-d/--dropout must be in [0, 1), got {dropout}")


@plac.annotations(
    lang=("Language code of the model", "positional", None, str),
    output_dir=("Folder for the models (model{i}, model-best, model-final)", "positional", None, str),
    train_path=("Training data: a file or folder in any format `nlp convert` reads", "positional", None, str),
    dev_path=("Development data: a file or folder", "positional", None, str),
    pipeline=("Components to train, comma-separated registered factories: tagger,parser,ner,textcat (with "
              "tok2vec: as -st) or a user's (registered by --code or an installed entry point). Default "
              f"{DEFAULT_PIPELINE}, skipping (with a warning) those the training data has no annotation for",
              "option", "p", str),
    n_iter=("Number of epochs", "option", "n", int),
    base_model=("Model to start from (its other components and labels are kept)", "option", "b", str),
    vectors=("Model holding static vectors (from `nlp init-vectors`)", "option", "v", str),
    init_tok2vec=("Pretrained tok2vec weights (model{i}.bin from `nlp pretrain`)", "option", "t2v", str),
    use_gpu=("GPU id, or -1 for the CPU", "option", "g", int),
    n_examples=("Train on the first N examples only (0: all)", "option", "ns", int),
    n_early_stopping=("Stop after this many epochs without improvement", "option", "ne", int),
    seed=("Random seed", "option", None, int),
    max_minutes=("Stop after the epoch during which this many minutes have passed", "option", None, float),
    conv_width=("Width of the token-to-vector layers", "option", "cw", int),
    conv_depth=("Depth of the token-to-vector CNN", "option", "cd", int),
    embed_rows=("Rows of each hashed embedding table", "option", "er", int),
    textcat_multilabel=("Text classes are not mutually exclusive", "flag", "tm"),
    textcat_arch=("Text classifier architecture: ensemble, simple_cnn (or cnn), bow, nb_bow, nb_ensemble "
                  "(default: the preset's)",
                  "option", "ta", str, TEXTCAT_ARCHS),
    raw_text=("Raw texts (JSONL or a text a line) to rehearse on; needs -b", "option", "rt", str),
    shared_tok2vec=("Share one tok2vec: add a 'tok2vec' component first and make all new components that can "
                    "read its vectors (one CNN pass per token; -cw/-cd/-er/-v/-t2v apply to it)", "flag", "st"),
    no_shared_tok2vec=("Give every new component its own tok2vec, whatever the preset shares", "flag", "nst"),
    preset=("Settings: efficiency (default: one shared depth-2 tok2vec for the tagger, parser, morphologizer "
            "and lemmatizer, depth-2 NER, bag-of-words textcat) or accuracy (wider, deeper, character "
            "features, a CRF ner with a confidence per entity, NB-weighted n-gram textcat); with --resume, "
            "default: the checkpoint's", "option", None, str),
    gold_words=("Score the dev data on its gold words, not on our tokenizer's tokens of its raw text", "flag", "G"),
    resume=("Resume from OUTPUT_DIR/checkpoint", "flag", None),
    version=("Model version, written to meta.json", "option", "V", str),
    meta_path=("JSON file of meta.json entries (name, description, author, ...)", "option", "m", str),
    dropout=("Dropout rate, the same for every update (default: 0.6 decaying to 0.2, or "
             "NLP_DROPOUT_FROM/_TO/_DECAY or v2's dropout_from/_to/_decay)", "option", "d", float),
    batch_size=("Examples a batch: N compounds from 1 up to N (x1.001 a batch), FROM,TO from FROM "
                "to TO, N,N fixes it (default: up to the components' maximum, or NLP_BATCH_* or "
                "v2's batch_from/_to/_compound)", "option", "bs", str),
    code=(CODE_HELP, "option", None, str),
    shuffle_buffer=("Read the training data afresh each epoch, a file at a time, shuffling through a buffer of N "
                    "examples, so memory does not grow with the corpus (default 0: load it all, shuffle it whole)",
                    "option", "sb", int),
    checkpoint_every=("Also write the resume checkpoint every N batches within an epoch, so --resume continues "
                      "there (default 0: after each epoch)", "option", None, int),
    workers=("Train data-parallel on N Ray workers, each on its share of every batch (needs Ray: pip install "
             "'nlp-train[ray]'); default 1: in this process", "option", "w", int),
    ray_address=("With --workers: join the Ray cluster at ADDR (from `ray start --head`) instead of starting "
                 "Ray on this machine", "option", None, str),
    config=("Re-run a recorded training: its config.json, or a model folder holding one; its options are "
            "the defaults (the positionals may be left out), options given here that differ from their "
            "defaults override them", "option", None, str),
)
def train(lang: str | None = None, output_dir: str | None = None, train_path: str | None = None,
          dev_path: str | None = None, pipeline: str | None = None,
          n_iter: int = 30, base_model: str | None = None, vectors: str | None = None, init_tok2vec: str | None = None,
          use_gpu: int = -1, n_examples: int = 0, n_early_stopping: int | None = None, seed: int = 0,
          max_minutes: float | None = None, conv_width: int | None = None, conv_depth: int | None = None,
          embed_rows: int | None = None, textcat_multilabel: bool = False, textcat_arch: str | None = None,
          raw_text: str | None = None, resume: bool = False, version: str = "0.0.0", meta_path: str | None = None,
          shared_tok2vec: bool = False, gold_words: bool = False, dropout: float | None = None,
          batch_size: str | None = None, code: str | None = None, config: str | None = None,
          preset: str | None = None, no_shared_tok2vec: bool = False, shuffle_buffer: int = 0,
          checkpoint_every: int = 0, workers: int = 1, ray_address: str | None = None) -> int:
    """Train a model."""
    options = dict(locals())  # every option as given: the run's config.json records them
    if config is not None:
        return rerun(train, options)
    require_positionals(train, options)
    import_code(code)  # first: its components join the registry -p names factories from
    from thinc.api import fix_random_seed

    run = SimpleNamespace(**options)
    names = _checked_options(run)
    options["preset"] = run.preset  # recorded as resolved (the default, or the checkpoint's)
    meta = _read_meta_file(meta_path)
    raw_texts = read_raw_texts(raw_text) if raw_text is not None else None
    device = use_device(use_gpu)
    fix_random_seed(seed)
    nlp = _start_model(lang, base_model, vectors)
    run.vectors_attr = nlp.vocab.vectors.attr if vectors is not None else None  # what -v's keys are
    nlp.meta.update(meta)
    nlp.meta["version"] = version
    nlp.meta["preset"] = run.preset
    nlp.meta.setdefault("name", "model")

    print(f"ℹ Loading data: {train_path} (train), {dev_path} (dev)")
    train_examples = training_examples(train_path, nlp.vocab, nlp.make_doc, n_examples, run.shuffle_buffer)
    learn_tokenizer_expansions(nlp, train_examples)  # before the dev texts are tokenized
    dev_examples = load_examples(dev_path, nlp.vocab, nlp.make_doc, "development data", raw_text=not gold_words)
    train_labels = count_labels(names, train_examples)  # one pass: a stream is counted on the way
    streamed = f" (streamed, shuffle buffer {run.shuffle_buffer})" if run.shuffle_buffer else ""
    print(f"ℹ {len(train_examples)} training examples{streamed} ({word_count(train_examples)} words), "
          f"{len(dev_examples)} dev examples; device: {device}")
    names = annotated_components(names, train_labels, train_path, named=pipeline is not None)
    names, new = _add_components(nlp, names, run)
    check_data(nlp, names, train_labels, dev_examples, train_path, dev_path)
    optimizer = _initialize(nlp, names, new, train_examples, run)
    record_config(nlp, options, dropout_from=dropout, dropout_to=dropout, batch_from=run.batch_from,
                  batch_to=run.batch_to)
    _run_loop(Trainee(nlp, names), train_examples, dev_examples, optimizer, raw_texts, run)
    return 0


def _checked_options(run: SimpleNamespace) -> list[str]:
    """The component names to train; a UserError for an option out of range or a missing file.
    Sets `run.shared`, `run.preset`, `run.pretrained_sizes`, `run.batch_from` and `run.batch_to`."""
    names = parse_pipeline(run.pipeline or DEFAULT_PIPELINE)
    run.shared = run.shared_tok2vec or SHARED in names
    if run.shared and run.no_shared_tok2vec:
        fail("-nst/--no-shared-tok2vec contradicts " + ("-st/--shared-tok2vec" if run.shared_tok2vec
                                                         else "tok2vec in -p/--pipeline"))
    _check_positive(run.n_iter, "-n/--n-iter")
    _check_positive(run.n_early_stopping, "-ne/--n-early-stopping")
    _check_positive(run.conv_width, "-cw/--conv-width")
    _check_positive(run.conv_depth, "-cd/--conv-depth")
    _check_positive(run.embed_rows, "-er/--embed-rows")
    _check_positive(run.n_examples, "-ns/--n-examples", 0)
    _check_positive(run.shuffle_buffer, "-sb/--shuffle-buffer", 0)
    _check_positive(run.checkpoint_every, "--checkpoint-every", 0)
    _check_dropout(run.dropout)
    run.batch_from, run.batch_to = parse_batch_size(run.batch_size)
    check_sizes({"-cw/--conv-width": run.conv_width, "-cd/--conv-depth": run.conv_depth,
                 "-er/--embed-rows": run.embed_rows})
    require_language(run.lang)
    if run.max_minutes is not None and not run.max_minutes > 0:
        fail(f"--max-minutes must be > 0, got {run.max_minutes}")
    require_path(run.train_path, "training data")
    require_path(run.dev_path, "development data")
    if run.init_tok2vec is not None:
        require_file(run.init_tok2vec, "pretrained tok2vec weights")
    run.preset = run_preset(run.preset, run.resume, run.output_dir)
    run.pretrained_sizes = pretrained_sizes(run.init_tok2vec, run)
    if run.raw_text is not None and run.base_model is None:
        fail("-rt/--raw-text needs -b/--base-model: rehearsal keeps the base model's predictions")
    check_workers(run.workers, run.ray_address, run.raw_text, run.use_gpu)
    return names


def _read_meta_file(meta_path: str | None) -> dict:
    """The meta.json entries of -m (a UserError naming the file if it is not a JSON object)."""
    if meta_path is None:
        return {}
    try:
        meta = srsly.read_json(require_file(meta_path, "meta file"))
    except ValueError as err:
        fail(f"{meta_path}: invalid JSON ({' '.join(str(err).split())})")
    if not isinstance(meta, dict):
        fail(f"{meta_path}: expected a JSON object of meta.json entries")
    return meta


def _start_model(lang: str, base_model: str | None, vectors: str | None) -> Any:
    """The pipeline training starts from: the base model, else the vectors model emptied of its
    components, else a blank one; with -v, it holds the vectors."""
    if base_model is not None:
        nlp = load_model(base_model, "base model")
        if nlp.lang != lang:
            fail(f"base model {base_model} is for language {nlp.lang!r}, not {lang!r}")
    elif vectors is not None:
        nlp = load_model(vectors, "vectors model")
        if nlp.lang != lang:
            fail(f"vectors model {vectors} is for language {nlp.lang!r}, not {lang!r}")
        for name in list(nlp.pipe_names):
            nlp.remove_pipe(name)
    else:
        nlp = blank_model(lang)
    if vectors is not None and base_model is not None:
        nlp.vocab.vectors = load_model(vectors, "vectors model").vocab.vectors
    if vectors is not None and (nlp.vocab.vectors is None or not nlp.vocab.vectors.shape[0]):
        fail(f"-v/--vectors {vectors}: the model holds no vectors (make one with `nlp init-vectors`)")
    return nlp


def _add_components(nlp: Any, names: list[str], run: SimpleNamespace) -> tuple[list[str], list[str]]:
    """(the components to train, the new ones among them), both in pipeline order: the named
    components the model lacks are created with the run's preset and options (and the factory
    it gives each name: `factory_of`), and the shared tok2vec the new ones listen to (see
    _train_preset) joins them."""
    new = []
    listening = listeners([name for name in names if not nlp.has_pipe(name)], run)
    if (listening or run.shared) and SHARED not in names:
        names = [SHARED, *names]
    for name in names:
        if nlp.has_pipe(name):
            continue
        cfg = component_cfg(name, run, listen=name in listening)
        nlp.add_pipe(nlp.create_pipe(factory_of(name, run), cfg), name=name, first=name == SHARED)
        new.append(name)
    names = with_upstreams(nlp, names)
    if run.raw_text is not None and any(nlp.get_pipe(n).listens_to for n in names):
        fail("-rt/--raw-text: rehearsal does not support a shared tok2vec; train without -rt (or a base "
             "model trained with -nst/--no-shared-tok2vec)")
    return names, [name for name in names if name in new]  # a shared tok2vec first


def _initialize(nlp: Any, names: list[str], new: list[str], train_examples: Iterable[Any],
                run: SimpleNamespace) -> Any:
    """Labels for every trained component (a base model's components gain the new ones), the new
    components' models built, pretrained tok2vec weights loaded (-t2v); returns the optimizer."""
    import nlp_train

    for name in names:
        if name in new or name == SHARED:
            continue  # begin_training infers the labels of new components; a tok2vec has none
        proc = nlp.get_pipe(name)
        for eg in train_examples:
            for label in proc.labels_of_example(eg):
                if label and label not in proc.labels:
                    proc.add_label(label)
        if not proc.labels:
            fail(f"{name}: the training data has no {name} annotation (no labels found): nothing to train")
    for name in new:
        nlp.get_pipe(name).begin_training(lambda: train_examples, pipeline=nlp.pipeline)
    optimizer = nlp.resume_training() if run.base_model is not None else nlp_train.create_optimizer()
    if run.init_tok2vec is not None:
        loaded = load_into([(n, nlp.get_pipe(n)) for n in new], run.init_tok2vec)
        if not loaded:
            fail(f"-t2v/--init-tok2vec: no new component has a tok2vec of its own to load the weights into "
                 f"(new: {', '.join(new) or 'none'}; a bag-of-words textcat has none: use -ta ensemble or simple_cnn)")
        print(f"ℹ Loaded pretrained tok2vec weights into {loaded} component(s): {run.init_tok2vec}")
    return optimizer


def _run_loop(trainee: Trainee, train_examples: Iterable[Any], dev_examples: list, optimizer: Any,
              raw_texts: list[str] | None, run: SimpleNamespace) -> None:
    """nlp_train's loop over the examples, then report.html; a divergence is one line."""
    import nlp_train

    try:
        with warnings.catch_warnings():  # numpy's overflow warnings: a divergence is reported below
            warnings.filterwarnings("ignore", "(overflow|invalid value) encountered", RuntimeWarning)
            train_corpus, dev_corpus = _corpora(train_examples, dev_examples, run)
            result = nlp_train.train(trainee, train_corpus, dev_corpus, run.output_dir, n_epochs=run.n_iter, patience=run.n_early_stopping,
                                     max_minutes=run.max_minutes, seed=run.seed, optimizer=optimizer,
                                     raw_texts=raw_texts, resume=run.resume,
                                     dropout_from=run.dropout, dropout_to=run.dropout,
                                     batch_from=run.batch_from, batch_to=run.batch_to,
                                     shuffle_buffer=run.shuffle_buffer, checkpoint_every=run.checkpoint_every,
                                     **_on_workers(trainee, run))
    except (nlp_train.TrainingDiverged, nlp_train.WorkerLost) as err:
        if nlp_train.read_log(run.output_dir):  # the good epochs' curves help to see what went wrong
            _write_report(run.output_dir, announce=False)
        fail(str(err))
    out = Path(run.output_dir)
    print(f"✔ Trained {result.epochs} epochs (stopped by {result.stopped_by}); saved {out / 'model-final'}"
          + (f" and {out / 'model-best'} (epoch {result.best_epoch})" if result.best_epoch is not None else ""))
    if result.history:
        _write_report(out)


def _corpora(train_examples: Iterable[Any], dev_examples: list, run: SimpleNamespace) -> tuple[Any, Any]:
    """The training and dev corpora for nlp_train.train: the examples read here, or with
    --workers readers that each worker runs with its own replica."""
    if run.workers < 2:
        return train_examples, dev_examples
    return (CorpusReader(str(run.train_path), limit=run.n_examples, shuffle_buffer=run.shuffle_buffer),
            CorpusReader(str(run.dev_path), dev=True, gold_words=run.gold_words))


def _on_workers(trainee: Trainee, run: SimpleNamespace) -> dict[str, Any]:
    """nlp_train.train's options for --workers: the workers, the cluster, the replica factory."""
    if run.workers < 2:
        return {}
    return {"workers": run.workers, "ray_address": run.ray_address, "replica": Replica.of(trainee, run.code)}


def _write_report(output_dir: Path, announce: bool = True) -> None:
    """report.html beside the models; a failure to write it is a warning, never the run's
    result (the models are saved either way)."""
    import nlp_train

    try:
        path = nlp_train.write_report(output_dir)
    except (OSError, ValueError) as err:
        print(f"⚠ could not write the training report: {err}", file=sys.stderr)
        return
    if announce:
        print(f"✔ Report: {path}")

