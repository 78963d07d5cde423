"""`nlp pretrain`: train the token-to-vector layer on raw text to predict each word's static
vector (cosine or L2) or its first and last characters, from context. Writes `model{i}.bin` (the
tok2vec weights after epoch i, for `nlp train -t2v`), `log.jsonl` and `config.json`.

It runs on nlp_train's training loop: the tok2vec and the objective's output layer form an
`nlp_models.pretraining.Pretrainer`, trained by `nlp_train.train` on the texts' pieces, with a
held-out share of them scored each epoch (so `model-best` holds the weights with the lowest
held-out loss). The loop's `model{epoch}` folders become the `model{i}.bin` files afterwards.
`--preset` builds a preset's tok2vec (the one `nlp train --preset` builds); `--resume` continues
from the loop's checkpoint, with the settings the run recorded in config.json.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import plac
import srsly

from ._checks import check_sizes
from ._errors import fail, require_file
from ._models import load_model, use_device
from ._tok2vec import check_compatible, read_weights


def iter_texts(path: Path) -> Iterator[str | list[str]]:
    """Texts of a JSONL file (`{"text": ...}` or `{"tokens": [...]}`) or of a plain-text file
    (a text a line); errors name the file and line."""
    from nlp_gold.paths import open_text

    with open_text(path) as file:
        first = None
        for lineno, line in enumerate(file, 1):
            if not line.strip():
                continue
            if first is None:
                first = line.lstrip().startswith("{")
            if not first:
                yield line.strip()
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                fail(f"{path}:{lineno}: invalid JSON ({err.msg})")
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                yield record["text"]
            elif isinstance(record, dict) and isinstance(record.get("tokens"), list) and all(
                    isinstance(t, str) for t in record["tokens"]):
                yield record["tokens"]
            else:
                fail(f'{path}:{lineno}: expected an object with a "text" string or a "tokens" list of strings')


def make_docs(nlp: Any, texts: Sequence[str | list[str]], min_length: int, max_length: int) -> list[Any]:
    """Docs of the texts, cut into pieces of at most `max_length` words; pieces shorter than
    `min_length` words are dropped."""
    from nlp_vocab import Doc

    docs = []
    for text in texts:
        doc = Doc(nlp.vocab, words=text) if isinstance(text, list) else nlp.make_doc(text)
        for start in range(0, len(doc), max_length):
            end = min(len(doc), start + max_length)
            if end - start < min_length:
                continue
            docs.append(doc if (start, end) == (0, len(doc)) else Doc(nlp.vocab, words=doc.words[start:end],
                                                                   spaces=doc.spaces[start:end]))
    return docs



def split_held_out(docs: Sequence[Any], share: float, seed: int) -> tuple[list[Any], list[Any]]:
    """(training docs, held-out docs): a seeded random `share` of the docs (one at least) is
    held out, and one doc at least stays for training; a single doc is both."""
    if len(docs) < 2:
        return list(docs), list(docs)
    n_held = min(len(docs) - 1, max(1, round(share * len(docs))))
    held = set(random.Random(seed).sample(range(len(docs)), n_held))
    return ([d for i, d in enumerate(docs) if i not in held], [d for i, d in enumerate(docs) if i in held])


class BatchSnapshots:
    """`-s N`: the tok2vec's weights (averaged, as at the end of an epoch) every N batches of an
    epoch, as `model{epoch}.{count}.bin`. Called after each update: the loop shows every
    training doc once per epoch, so the docs seen so far tell the epoch."""

    def __init__(self, output_dir: Path, every: int, n_docs: int, epochs_done: int = 0):
        self.output_dir, self.every, self.n_docs = output_dir, every, n_docs
        self.seen, self.epoch, self.count = epochs_done * n_docs, epochs_done, 0

    def __call__(self, pretrainer: Any, docs: Sequence[Any], sgd: Any) -> None:
        epoch = self.seen // self.n_docs
        if epoch != self.epoch:
            self.epoch, self.count = epoch, 0
        self.count += 1
        self.seen += len(docs)
        if self.count % self.every == 0:
            path = self.output_dir / f"model{epoch}.{self.count}.bin"
            path.write_bytes(pretrainer.tok2vec_bytes(sgd.averages))


def export_epochs(output_dir: Path, history: Sequence[Mapping[str, Any]], loss_key: str) -> int:
    """Turn the loop's output into pretrain's: each epoch's folder `model{e}` (the loop counts
    from 1) becomes `model{e-1}.bin` (its tok2vec.bin) and is removed, and `log.jsonl` gets one
    record per epoch (words and time cumulative). Returns how many weight files were written."""
    from nlp_models.pretraining import LOSS_SCORE, TOK2VEC_FILE

    written, words, seconds = 0, 0, 0.0
    with open(output_dir / "log.jsonl", "w", encoding="utf8") as log:
        for record in history:
            epoch = int(record["epoch"])
            folder = output_dir / f"model{epoch}"
            if (folder / TOK2VEC_FILE).exists():
                shutil.copyfile(folder / TOK2VEC_FILE, output_dir / f"model{epoch - 1}.bin")
                shutil.rmtree(folder)
                written += 1
            loss = float(record["losses"].get(loss_key, 0.0))
            words += int(record["n_words"])
            seconds += float(record["train_seconds"]) + float(record["eval_seconds"])
            log.write(json.dumps({
                "epoch": epoch - 1, "words": words, "loss": loss,
                "loss_per_word": loss / max(1, int(record["n_words"])), "wps": record["train_wps"],
                "seconds": seconds, "dev_loss_per_word": record["scores"].get(LOSS_SCORE),
                "best": bool(record.get("best"))}) + "\n")
    return written


def check_options(**options: Any) -> None:
    """One-line errors for option values out of range (before any file is read)."""
    for option, low in (("-cw/--width", 1), ("-cd/--depth", 0), ("-er/--embed-rows", 1), ("-bs/--batch-size", 1),
                        ("-xw/--max-length", 1), ("-nw/--min-length", 0), ("-i/--n-iter", 1),
                        ("-s/--n-save-every", 1)):
        value = options[option]
        if value is not None and value < low:
            fail(f"{option} must be at least {low}, got {value}")
    check_sizes({k: options[k] for k in ("-cw/--width", "-cd/--depth", "-er/--embed-rows")})
    if not 0 <= options["-d/--dropout"] < 1:
        fail(f"-d/--dropout must be in [0, 1), got {options['-d/--dropout']}")
    if not 0 <= options["-mr/--mask-rate"] < 1:
        fail(f"-mr/--mask-rate must be in [0, 1), got {options['-mr/--mask-rate']}")
    if not 0 < options["-ho/--held-out"] < 1:
        fail(f"-ho/--held-out must be between 0 and 1, got {options['-ho/--held-out']}")
    minutes = options["--max-minutes"]
    if minutes is not None and not minutes > 0:
        fail(f"--max-minutes must be > 0, got {minutes}")


def read_docs(nlp: Any, source: Path, min_length: int, max_length: int) -> list[Any]:
    """The texts of `source` as docs (pieces of `min_length` to `max_length` words)."""
    texts = list(iter_texts(source))
    if not texts:
        fail(f"texts file holds no texts: {source}")
    docs = make_docs(nlp, texts, min_length, max_length)
    if not docs:
        fail(f"no text of {source} has at least {min_length} words (-nw)")
    return docs


def tok2vec_cfg_from_options(preset: str | None, width: int | None, depth: int | None,
                             embed_rows: int | None) -> dict[str, Any]:
    """The tok2vec cfg the options ask for: the `--preset`'s tok2vec cfg (as `nlp train
    --preset` gives every tok2vec), under -cw/-cd/-er where given; the rest are the components'
    defaults."""
    from nlp_models import get_preset
    from nlp_models.pretraining import PRETRAIN_TOK2VEC_KEYS

    settings: dict[str, Any] = {}
    if preset is not None:
        try:
            known = ("width", "depth", "embed_rows", *PRETRAIN_TOK2VEC_KEYS)
            settings = {k: v for k, v in get_preset(preset).tok2vec.items() if k in known}
        except ValueError as err:
            fail(f"--preset: {err}")
    given = {"width": width, "depth": depth, "embed_rows": embed_rows}
    settings.update({key: value for key, value in given.items() if value is not None})
    return settings


def build_pretrainer(nlp: Any, docs: Sequence[Any], objective: str, loss_func: str, settings: dict[str, Any],
                     init_tok2vec: str | None, mask_rate: float = 0.0, include_vectors: bool = False) -> Any:
    """The Pretrainer (a tok2vec of `settings`, reading the model's static vectors if
    `include_vectors`; the objective and its mask rate), initialized on `docs` and loaded with
    the `-t2v` weights if given."""
    from nlp_models.ml import VectorsObjective, VectorTable, make_objective
    from nlp_models.pretraining import Pretrainer, build_pretrain_tok2vec

    vectors = nlp.vocab.vectors
    has_vectors = vectors is not None and vectors.shape[0] > 0
    if objective == "vectors" and not has_vectors:
        fail("the vectors objective needs a VECTORS_MODEL with static vectors (see `nlp init-vectors`)")
    if include_vectors:
        check_vectors_input(has_vectors, getattr(vectors, "attr", None), objective, mask_rate)
    made = make_objective(objective, vectors, loss_func)
    table = None
    if include_vectors:  # one table for the objective's targets and the tok2vec's input
        table = made.table if isinstance(made, VectorsObjective) else VectorTable.from_vectors(vectors)
    tok2vec, _ = build_pretrain_tok2vec(**settings, vectors=table)
    pretrainer = Pretrainer(tok2vec, made, mask_rate=mask_rate)
    pretrainer.initialize(docs)
    if init_tok2vec is not None:
        data, msg = read_weights(init_tok2vec)
        check_compatible(tok2vec, msg, init_tok2vec, "pretraining")
        tok2vec.from_bytes(data)
    return pretrainer


def check_vectors_input(has_vectors: bool, attr: str | None, objective: str, mask_rate: float) -> None:
    """One-line errors for -iv/--include-vectors: the model has no vectors, they are not keyed
    by NORM (as the tok2vec looks them up), or the vectors objective would see what it predicts."""
    if not has_vectors:
        fail("-iv/--include-vectors needs a VECTORS_MODEL with static vectors (see `nlp init-vectors`)")
    if attr not in (None, "NORM"):
        fail(f"-iv/--include-vectors reads vectors by NORM, but these are keyed by {attr}")
    if objective == "vectors" and not mask_rate:
        fail("-iv/--include-vectors with the vectors objective needs -mr/--mask-rate above 0: "
             "the tok2vec would read the very vectors it is asked to predict")


#: The run's settings, written into OUTPUT_DIR (and read back by --resume).
CONFIG_FILE = "config.json"
#: Settings of config.json that --resume may change: where the files were read from (the loop
#: checks the data it trains on is the same).
PATH_SETTINGS = ("texts", "vectors_model")
#: Settings config.json gained after runs were first recorded, with the value older runs had.
ADDED_SETTINGS: dict[str, Any] = {"mask_rate": 0.0, "include_vectors": False}


def check_resumable(out: Path, init_tok2vec: str | None) -> None:
    """A UserError unless `out` holds a pretraining run to resume (its config and checkpoint)."""
    from nlp_train.checkpoint import CHECKPOINT, has_checkpoint

    if init_tok2vec is not None:
        fail("--resume continues from the checkpoint's weights: leave out -t2v/--init-tok2vec")
    if not (out / CONFIG_FILE).is_file() or not has_checkpoint(out):
        fail(f"--resume: {out} holds no pretraining run to resume (no {CONFIG_FILE} and {CHECKPOINT}/)")


def check_same_run(out: Path, config: Mapping[str, Any]) -> None:
    """A UserError naming each setting of this run that differs from the one `out` recorded
    (resuming is exact only with the same tok2vec, objective, batches and data)."""
    from nlp_models.model_files import read_json_file
    from nlp_models.pipes import ADDED_TOK2VEC_CFG
    from nlp_models.pretraining import PRETRAIN_TOK2VEC_KEYS

    try:
        recorded = read_json_file(out / CONFIG_FILE, exact=True)
    except ValueError as err:
        fail(str(err))
    if not isinstance(recorded, dict):
        fail(f"{out / CONFIG_FILE}: not a config of `nlp pretrain`")
    # a run recorded before a setting it records existed had that setting's old value
    recorded = {**{key: value for key, value in ADDED_TOK2VEC_CFG.items() if key in PRETRAIN_TOK2VEC_KEYS},
                **ADDED_SETTINGS, **recorded}
    now = json.loads(json.dumps(config))  # tuples as lists, as the file has them
    keys = [key for key in sorted(set(now) | set(recorded))
            if key not in PATH_SETTINGS and recorded.get(key) != now.get(key)]
    if not keys:
        return
    changed = ", ".join(f"{key} {recorded.get(key)!r} (now {now.get(key)!r})" for key in keys)
    # settings no option sets come from the preset (or the components' defaults) of this version
    no_option = ("window", "pieces", *PRETRAIN_TOK2VEC_KEYS)
    fixed = [key for key in keys if key in no_option] if recorded.get("preset") == now.get("preset") else []
    advice = ("resume with its options" if not fixed else
              f"no option sets {', '.join(fixed)} (the preset's in this version): resume it with the version "
              "that started it, or start a new run")
    fail(f"--resume: the run in {out} was started with {changed}; {advice}")


def epochs_done(out: Path) -> int:
    """The epochs the checkpoint in `out` has finished."""
    from nlp_train.checkpoint import checkpoint_epoch

    return checkpoint_epoch(out)


def loop_config(n_iter: int, batch_size: int, dropout: float, seed: int, max_minutes: float | None) -> Any:
    """nlp_train's options for pretraining: fixed word-based batches and dropout (model-best is
    chosen on the held-out loss: the score weights of the Pretrainer's component_info)."""
    import nlp_train

    return nlp_train.TrainConfig(n_epochs=n_iter, max_minutes=max_minutes, seed=seed, batch_by="words",
                                 batch_from=batch_size, batch_to=batch_size, dropout_from=dropout,
                                 dropout_to=dropout, dropout_decay=0.0)


def run_loop(pretrainer: Any, train_docs: list[Any], dev_docs: list[Any], out: Path, config: Any,
             resume: bool = False) -> Any:
    """Train on nlp_train's loop (from `out`'s checkpoint if `resume`); the finished epochs
    become model{i}.bin and log.jsonl even when the run stops early (an interruption, a
    divergence: a one-line error)."""
    import nlp_train

    try:
        return nlp_train.train(pretrainer, train_docs, dev_docs, out, config=config, resume=resume)
    except nlp_train.TrainingDiverged as err:
        fail(str(err))
    finally:
        export_epochs(out, nlp_train.read_log(out), pretrainer.name)


@plac.annotations(
    texts_loc=("Raw texts: JSONL with \"text\" (or \"tokens\") per line, or plain text a line", "positional", None, str),
    vectors_model=("Model folder: its tokenizer, and its vectors for the vectors objective", "positional", None, str),
    output_dir=("Folder for model{i}.bin, log.jsonl and config.json", "positional", None, str),
    objective=("What to predict: vectors, characters", "option", "o", str, ("vectors", "characters")),
    loss_func=("Loss of the vectors objective: cosine, L2", "option", "L", str, ("cosine", "L2")),
    width=("Width of the token-to-vector layers (as `train -cw`; default: as the components)", "option", "cw", int),
    depth=("Depth of the token-to-vector CNN (as `train -cd`; default: as the components)", "option", "cd", int),
    embed_rows=("Rows of each hashed embedding table (as `train -er`)", "option", "er", int),
    dropout=("Dropout rate", "option", "d", float),
    include_vectors=("The tok2vec reads VECTORS_MODEL's static vectors, as `nlp train -v` gives them to "
                     "components: the weights then fit a model trained with those vectors", "flag", "iv"),
    mask_rate=("Share of the words hidden (every feature) and predicted from their context alone; "
               "0: every word is seen and predicted", "option", "mr", float),
    batch_size=("Words per batch", "option", "bs", int),
    max_length=("Texts are cut into pieces of at most this many words", "option", "xw", int),
    min_length=("Pieces shorter than this many words are skipped", "option", "nw", int),
    n_iter=("Number of epochs", "option", "i", int),
    seed=("Random seed", "option", "se", int),
    n_save_every=("Also save every N batches (model{epoch}.{count}.bin)", "option", "s", int),
    init_tok2vec=("Weights to start from (model{i}.bin of an earlier run)", "option", "t2v", str),
    max_minutes=("Stop after this many minutes (the current weights are saved)", "option", None, float),
    use_gpu=("GPU id, or -1 for the CPU", "option", "g", int),
    held_out=("Share of the pieces held out to score each epoch (picks model-best)", "option", "ho", float),
    preset=("Build the tok2vec of this preset, as `nlp train --preset` does: efficiency, accuracy (its sizes, "
            "character features and encoder; -cw/-cd/-er override its sizes)", "option", None, str),
    resume=("Continue the run in OUTPUT_DIR from its checkpoint (the last epoch's weights and optimizer "
            "state), with the options it recorded (only -i, -s and --max-minutes may change)", "flag", None),
)
def pretrain(texts_loc: str, vectors_model: str, output_dir: str, objective: str = "vectors", loss_func: str = "cosine",
             width: int | None = None, depth: int | None = None, embed_rows: int | None = None, dropout: float = 0.2,
             batch_size: int = 3000, max_length: int = 500, min_length: int = 5, n_iter: int = 1000, seed: int = 0,
             n_save_every: int | None = None, init_tok2vec: str | None = None, max_minutes: float | None = None,
             use_gpu: int = -1, held_out: float = 0.05, preset: str | None = None, resume: bool = False,
             mask_rate: float = 0.0, include_vectors: bool = False) -> int:
    """Pretrain the token-to-vector layer."""
    from thinc.api import fix_random_seed

    from nlp_models.pretraining import pretrain_tok2vec_sizes

    check_options(**{"-cw/--width": width, "-cd/--depth": depth, "-er/--embed-rows": embed_rows,
                     "-bs/--batch-size": batch_size, "-xw/--max-length": max_length, "-nw/--min-length": min_length,
                     "-i/--n-iter": n_iter, "-s/--n-save-every": n_save_every, "-d/--dropout": dropout,
                     "-ho/--held-out": held_out, "--max-minutes": max_minutes, "-mr/--mask-rate": mask_rate})
    source = require_file(texts_loc, "texts file")
    if init_tok2vec is not None:
        require_file(init_tok2vec, "tok2vec weights")
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        fail(f"output folder is a file: {out}")
    settings = tok2vec_cfg_from_options(preset, width, depth, embed_rows)
    config = {"objective": objective, "loss_func": loss_func, "preset": preset, **pretrain_tok2vec_sizes(**settings),
              "dropout": dropout, "mask_rate": mask_rate, "include_vectors": include_vectors,
              "batch_size": batch_size, "max_length": max_length, "min_length": min_length,
              "seed": seed, "held_out": held_out, "texts": str(source), "vectors_model": str(vectors_model)}
    if resume:  # before the model and the texts are read: a wrong option is one line at once
        check_resumable(out, init_tok2vec)
        check_same_run(out, config)
    nlp = load_model(vectors_model, "VECTORS_MODEL")
    device = use_device(use_gpu)
    fix_random_seed(seed)
    docs = read_docs(nlp, source, min_length, max_length)
    train_docs, dev_docs = split_held_out(docs, held_out, seed)
    pretrainer = build_pretrainer(nlp, train_docs, objective, loss_func, settings, init_tok2vec, mask_rate,
                                  include_vectors)
    if n_save_every:
        pretrainer.after_update = BatchSnapshots(out, n_save_every, len(train_docs),
                                                 epochs_done(out) if resume else 0)
    out.mkdir(parents=True, exist_ok=True)
    srsly.write_json(out / CONFIG_FILE, config)
    held = "the training text itself" if len(docs) < 2 else f"{len(dev_docs)} texts"
    print(f"ℹ {len(train_docs)} texts, {sum(len(d) for d in train_docs)} words (held out: {held}); "
          f"objective {objective}{f' on {mask_rate:.0%} of the words, hidden' if mask_rate else ''}; "
          f"device: {device}")
    result = run_loop(pretrainer, train_docs, dev_docs, out,
                      loop_config(n_iter, batch_size, dropout, seed, max_minutes), resume)
    report(result, out, max_minutes)
    return 0


def report(result: Any, out: Path, max_minutes: float | None) -> None:
    """The closing lines: why the run stopped early, the weight files, the best epoch."""
    if result.stopped_by == "time":
        print(f"ℹ Stopped after {max_minutes:g} minutes (--max-minutes)")
    last = result.epochs - 1
    print(f"✔ Saved tok2vec weights to {out}: model0.bin to model{last}.bin, after Itn 1 to {last + 1} "
          "(load with `nlp train -t2v`)")
    if result.best_epoch is not None:
        print(f"ℹ Lowest held-out loss after Itn {result.best_epoch}: model{result.best_epoch - 1}.bin "
              f"(also {out / 'model-best'})")
