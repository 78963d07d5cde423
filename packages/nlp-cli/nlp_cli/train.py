"""`nlp train`: train a pipeline (tagger, parser, ner, textcat) from any format `convert` reads,
printing the per-epoch table and writing `model{i}`, `model-best`, `model-final` and, at the end (also
after an early stop), `report.html` (dev score curves, losses, per-label tables: see `nlp report`).

With `-st/--shared-tok2vec` (or `tok2vec` in `-p`) a `tok2vec` component comes first and the
new components listen to it, so each token is encoded once for all of them.

The recipe's settings come from the environment (`NLP_DROPOUT_FROM`, ..., or spaCy v2's
`dropout_from`, `SPACY_learn_rate`, ...: see nlp_train.settings); `-d/--dropout` and
`-bs/--batch-size` set dropout and batch size over them."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import plac
import srsly

from ._checks import DEFAULT_PIPELINE, annotated_components, check_data, check_sizes
from ._corpus import load_examples
from ._errors import fail, require_file, require_path
from ._models import blank_model, load_model, require_language, use_device
from ._tok2vec import load_into

COMPONENTS = ("tok2vec", "tagger", "parser", "ner", "textcat")
SHARED = "tok2vec"  # the name of the shared tok2vec component
TEXTCAT_ARCHS = ("ensemble", "simple_cnn", "bow", "cnn")  # spaCy v2's names; "cnn" is "simple_cnn"


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

    def update(self, examples: Sequence[Any], *, drop: float, sgd: Any, losses: dict[str, float]) -> dict[str, float]:
        frozen = [name for name in self.nlp.pipe_names if name not in self.pipe_names]
        return self.nlp.update(examples, drop=drop, sgd=sgd, losses=losses, exclude=frozen)

    def rehearse(self, texts: Sequence[str], *, sgd: Any, losses: dict[str, float]) -> dict[str, float]:
        docs = [self.nlp.make_doc(t) for t in texts]
        for _, proc in self.pipeline:
            if callable(getattr(proc, "rehearse", None)):
                proc.rehearse(docs, sgd=sgd, losses=losses)
        return losses

    def evaluate(self, examples: Sequence[Any]) -> dict[str, Any]:
        """The scores with their per-label tables and confusions: the log keeps them for
        report.html."""
        return self.nlp.evaluate(examples, details=True)

    @contextlib.contextmanager
    def use_params(self, params: dict) -> Iterator[None]:
        with self.nlp.use_params(params):
            yield

    def to_disk(self, path: str | Path) -> None:
        self.nlp.to_disk(path)

    def from_disk(self, path: str | Path) -> Any:
        return self.nlp.from_disk(path)

    def component_info(self) -> list[Any]:
        """The registered table columns, score weights and batch maxima of the trained ones."""
        return self.nlp.component_info(self.pipe_names)

    def random_states(self) -> dict[str, Any]:
        return self.nlp.random_states()

    def set_random_states(self, states: dict[str, Any]) -> None:
        self.nlp.set_random_states(states)


def parse_pipeline(pipeline: str) -> list[str]:
    """Component names from "tagger,parser" (a UserError for unknown or repeated names)."""
    names = [p.strip() for p in pipeline.split(",") if p.strip()]
    unknown = [p for p in names if p not in COMPONENTS]
    if unknown or not names:
        fail(f"-p/--pipeline: unknown component(s) {', '.join(unknown) or repr(pipeline)}: use some of {', '.join(COMPONENTS)}")
    if len(set(names)) != len(names):
        fail(f"-p/--pipeline: a component is named twice in {pipeline!r}")
    if names == [SHARED]:
        fail(f"-p/--pipeline: {SHARED} alone has nothing to learn from: add the components that use it")
    return names


def with_upstreams(nlp: Any, names: list[str]) -> list[str]:
    """`names` plus the shared tok2vec components they listen to, in pipeline order; a UserError
    when a trained tok2vec has listeners that are not trained (their inputs would drift)."""
    chosen = set(names)
    for name in names:
        upstream = getattr(nlp.get_pipe(name), "listens_to", None)
        if upstream:
            if not nlp.has_pipe(upstream):
                fail(f"{name} listens to the tok2vec component {upstream!r}, which the model does not have")
            chosen.add(upstream)
    for name in chosen:
        for listener in getattr(nlp.get_pipe(name), "listeners", ()):
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


def _component_cfg(name: str, width: int | None, depth: int | None, embed_rows: int | None, vectors: bool,
                   multilabel: bool, arch: str, seed: int, shared: bool = False) -> dict:
    cfg: dict[str, Any] = {}
    if shared and name != SHARED and not (name == "textcat" and arch == "bow"):
        cfg["tok2vec"] = SHARED  # the listener takes its width from the shared tok2vec
    if width is not None:
        cfg["width"] = width
    if depth is not None:
        cfg["depth"] = depth
    if embed_rows is not None:
        cfg["embed_rows"] = embed_rows
    if vectors:
        cfg["pretrained_vectors"] = True
    if name in ("parser", "ner"):
        cfg["seed"] = seed
    if name == "textcat":
        cfg["exclusive_classes"] = not multilabel
        cfg["architecture"] = arch
    return cfg


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
    pipeline=("Components to train, comma-separated: tagger,parser,ner,textcat (with tok2vec: as -st). Default "
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
    textcat_arch=("Text classifier architecture: ensemble, simple_cnn (or cnn), bow", "option", "ta", str, TEXTCAT_ARCHS),
    raw_text=("Raw texts (JSONL or a text a line) to rehearse on; needs -b", "option", "rt", str),
    shared_tok2vec=("Share one tok2vec: add a 'tok2vec' component first and make the new components read its "
                    "vectors (one CNN pass per token; -cw/-cd/-er/-v/-t2v apply to it)", "flag", "st"),
    gold_words=("Score the dev data on its gold words, not on our tokenizer's tokens of its raw text", "flag", "G"),
    resume=("Resume from OUTPUT_DIR/checkpoint", "flag", None),
    version=("Model version, written to meta.json", "option", "V", str),
    meta_path=("JSON file of meta.json entries (name, description, author, ...)", "option", "m", str),
    dropout=("Dropout rate, the same for every update (default: 0.6 decaying to 0.2, or "
             "NLP_DROPOUT_FROM/_TO/_DECAY or v2's dropout_from/_to/_decay)", "option", "d", float),
    batch_size=("Examples a batch: N compounds from 1 up to N (x1.001 a batch), FROM,TO from FROM "
                "to TO, N,N fixes it (default: up to the components' maximum, or NLP_BATCH_* or "
                "v2's batch_from/_to/_compound)", "option", "bs", str),
)
def train(lang: str, output_dir: str, train_path: str, dev_path: str, pipeline: str | None = None,
          n_iter: int = 30, base_model: str | None = None, vectors: str | None = None, init_tok2vec: str | None = None,
          use_gpu: int = -1, n_examples: int = 0, n_early_stopping: int | None = None, seed: int = 0,
          max_minutes: float | None = None, conv_width: int | None = None, conv_depth: int | None = None,
          embed_rows: int | None = None, textcat_multilabel: bool = False, textcat_arch: str = "ensemble",
          raw_text: str | None = None, resume: bool = False, version: str = "0.0.0", meta_path: str | None = None,
          shared_tok2vec: bool = False, gold_words: bool = False, dropout: float | None = None,
          batch_size: str | None = None) -> int:
    """Train a model."""
    from thinc.api import fix_random_seed

    import nlp_train

    names = parse_pipeline(pipeline or DEFAULT_PIPELINE)
    shared = shared_tok2vec or SHARED in names
    if shared and SHARED not in names:
        names.insert(0, SHARED)
    _check_positive(n_iter, "-n/--n-iter")
    _check_positive(n_early_stopping, "-ne/--n-early-stopping")
    _check_positive(conv_width, "-cw/--conv-width")
    _check_positive(conv_depth, "-cd/--conv-depth")
    _check_positive(embed_rows, "-er/--embed-rows")
    _check_positive(n_examples, "-ns/--n-examples", 0)
    _check_dropout(dropout)
    batch_from, batch_to = parse_batch_size(batch_size)
    check_sizes({"-cw/--conv-width": conv_width, "-cd/--conv-depth": conv_depth, "-er/--embed-rows": embed_rows})
    require_language(lang)
    if max_minutes is not None and not max_minutes > 0:
        fail(f"--max-minutes must be > 0, got {max_minutes}")
    require_path(train_path, "training data")
    require_path(dev_path, "development data")
    meta = {}
    if meta_path is not None:
        try:
            meta = srsly.read_json(require_file(meta_path, "meta file"))
        except ValueError as err:
            fail(f"{meta_path}: invalid JSON ({' '.join(str(err).split())})")
        if not isinstance(meta, dict):
            fail(f"{meta_path}: expected a JSON object of meta.json entries")
    if init_tok2vec is not None:
        require_file(init_tok2vec, "pretrained tok2vec weights")
    if raw_text is not None and base_model is None:
        fail("-rt/--raw-text needs -b/--base-model: rehearsal keeps the base model's predictions")
    raw_texts = read_raw_texts(raw_text) if raw_text is not None else None
    device = use_device(use_gpu)
    fix_random_seed(seed)

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
    nlp.meta.update(meta)
    nlp.meta["version"] = version
    nlp.meta.setdefault("name", "model")

    print(f"ℹ Loading data: {train_path} (train), {dev_path} (dev)")
    train_examples = load_examples(train_path, nlp.vocab, nlp.make_doc, "training data", limit=n_examples)
    dev_examples = load_examples(dev_path, nlp.vocab, nlp.make_doc, "development data", raw_text=not gold_words)
    n_words = sum(len(eg) for eg in train_examples)
    print(f"ℹ {len(train_examples)} training examples ({n_words} words), {len(dev_examples)} dev examples; "
          f"device: {device}")
    names = annotated_components(names, train_examples, train_path, named=pipeline is not None)

    new = []
    for name in names:
        if nlp.has_pipe(name):
            continue
        cfg = _component_cfg(name, conv_width, conv_depth, embed_rows, vectors is not None,
                             textcat_multilabel, textcat_arch, seed, shared)
        nlp.add_pipe(nlp.create_pipe(name, cfg), name=name, first=name == SHARED)
        new.append(name)
    names = with_upstreams(nlp, names)
    new = [name for name in names if name in new]  # pipeline order: a shared tok2vec first
    if raw_text is not None and any(getattr(nlp.get_pipe(n), "listens_to", None) for n in names):
        fail("-rt/--raw-text: rehearsal does not support a shared tok2vec; train without -rt")
    check_data(nlp, names, train_examples, dev_examples, train_path, dev_path)
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
    if base_model is not None:
        optimizer = nlp.resume_training()
    else:
        optimizer = nlp_train.create_optimizer()
    if init_tok2vec is not None:
        loaded = load_into([(n, nlp.get_pipe(n)) for n in new], init_tok2vec)
        print(f"ℹ Loaded pretrained tok2vec weights into {loaded} component(s): {init_tok2vec}")
    trainee = Trainee(nlp, names)
    try:
        with warnings.catch_warnings():  # numpy's overflow warnings: a divergence is reported below
            warnings.filterwarnings("ignore", "(overflow|invalid value) encountered", RuntimeWarning)
            result = nlp_train.train(trainee, train_examples, dev_examples, output_dir, n_epochs=n_iter,
                                     patience=n_early_stopping, max_minutes=max_minutes, seed=seed,
                                     optimizer=optimizer, raw_texts=raw_texts, resume=resume,
                                     dropout_from=dropout, dropout_to=dropout,
                                     batch_from=batch_from, batch_to=batch_to)
    except nlp_train.TrainingDiverged as err:
        if nlp_train.read_log(output_dir):  # the good epochs' curves help to see what went wrong
            _write_report(output_dir, announce=False)
        fail(str(err))
    out = Path(output_dir)
    print(f"✔ Trained {result.epochs} epochs (stopped by {result.stopped_by}); saved {out / 'model-final'}"
          + (f" and {out / 'model-best'} (epoch {result.best_epoch})" if result.best_epoch is not None else ""))
    if result.history:
        _write_report(out)
    return 0


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

