"""`nlp pretrain`: train the token-to-vector layer on raw text to predict each word's static
vector (cosine or L2) or its first and last characters, from context. Writes `model{i}.bin` (the
tok2vec weights, for `nlp train -t2v`), `log.jsonl` and `config.json`."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import plac
import srsly

from ._checks import check_sizes
from ._errors import fail, require_file
from ._models import load_model, use_device
from ._tok2vec import check_compatible, read_weights


def build_tok2vec(width: int | None, depth: int | None, embed_rows: int | None) -> tuple[Any, dict]:
    """The tok2vec a component builds by default (nlp_models' TOK2VEC_DEFAULTS, the dropout layers
    included: their rate is set per batch), with the sizes given, so its weights fit that
    component's own tok2vec; returns (the model, its sizes as recorded in config.json)."""
    from nlp_models.ml import build_hash_embed_cnn_tok2vec
    from nlp_models.pipes.base import TOK2VEC_DEFAULTS

    sizes = {"width": TOK2VEC_DEFAULTS["width"] if width is None else width,
             "depth": TOK2VEC_DEFAULTS["depth"] if depth is None else depth,
             "embed_rows": TOK2VEC_DEFAULTS["embed_rows"] if embed_rows is None else embed_rows,
             "window": TOK2VEC_DEFAULTS["window"], "pieces": TOK2VEC_DEFAULTS["pieces"]}
    tok2vec = build_hash_embed_cnn_tok2vec(width=sizes["width"], depth=sizes["depth"], window=sizes["window"],
                                           pieces=sizes["pieces"], rows=sizes["embed_rows"],
                                           dropout=TOK2VEC_DEFAULTS["dropout"])
    return tok2vec, sizes


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


def batches_by_words(docs: Sequence[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive batches of about `size` words."""
    batch: list[Any] = []
    n = 0
    for doc in docs:
        batch.append(doc)
        n += len(doc)
        if n >= size:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


class Objective:
    """Builds the pretraining model and computes its loss and gradient for a batch."""

    def __init__(self, name: str, loss: str, nlp: Any, tok2vec: Any):
        from nlp_models.ml import (
            VectorTable,
            build_pretrain_characters_model,
            build_pretrain_vectors_model,
        )

        self.name = name
        self.loss = loss
        if name == "vectors":
            vectors = nlp.vocab.vectors
            if vectors is None or not vectors.shape[0]:
                fail("the vectors objective needs a VECTORS_MODEL with static vectors (see `nlp init-vectors`)")
            self.table = VectorTable.from_vectors(vectors)
            self.model = build_pretrain_vectors_model(tok2vec, self.table.width)
        else:
            self.model = build_pretrain_characters_model(tok2vec)
            self.n_characters = self.model.attrs["n_characters"]

    def gradient(self, docs: Sequence[Any], features: list, outputs: list) -> tuple[list, float]:
        from nlp_models.ml import (
            character_targets,
            characters_loss,
            static_vector_targets,
            vectors_loss,
        )

        ops = self.model.ops
        predicted = ops.xp.concatenate(outputs) if len(outputs) > 1 else outputs[0]
        if self.name == "vectors":
            targets, masks = static_vector_targets(self.table, features, 0, ops)
            target = ops.xp.concatenate(targets) if len(targets) > 1 else targets[0]
            mask = ops.xp.concatenate(masks) if len(masks) > 1 else masks[0]
            d_pred, loss = vectors_loss(predicted, target, mask, objective=self.loss)
        else:
            words = [w for doc in docs for w in doc.words]
            d_pred, loss = characters_loss(predicted, ops.asarray(character_targets(words, self.n_characters)))
        grads, start = [], 0
        for out in outputs:
            grads.append(d_pred[start:start + len(out)])
            start += len(out)
        return grads, float(loss)


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
    batch_size=("Words per batch", "option", "bs", int),
    max_length=("Texts are cut into pieces of at most this many words", "option", "xw", int),
    min_length=("Pieces shorter than this many words are skipped", "option", "nw", int),
    n_iter=("Number of epochs", "option", "i", int),
    seed=("Random seed", "option", "se", int),
    n_save_every=("Also save every N batches (model{epoch}.{count}.bin)", "option", "s", int),
    init_tok2vec=("Weights to start from (model{i}.bin of an earlier run)", "option", "t2v", str),
    max_minutes=("Stop after this many minutes (the current weights are saved)", "option", None, float),
    use_gpu=("GPU id, or -1 for the CPU", "option", "g", int),
)
def pretrain(texts_loc: str, vectors_model: str, output_dir: str, objective: str = "vectors", loss_func: str = "cosine",
             width: int | None = None, depth: int | None = None, embed_rows: int | None = None, dropout: float = 0.2,
             batch_size: int = 3000, max_length: int = 500, min_length: int = 5, n_iter: int = 1000, seed: int = 0,
             n_save_every: int | None = None, init_tok2vec: str | None = None, max_minutes: float | None = None,
             use_gpu: int = -1) -> int:
    """Pretrain the token-to-vector layer."""
    from thinc.api import fix_random_seed

    import nlp_train
    from nlp_models.pipes import set_dropout

    for option, value, low in (("-cw/--width", width, 1), ("-cd/--depth", depth, 0), ("-er/--embed-rows", embed_rows, 1),
                               ("-bs/--batch-size", batch_size, 1), ("-xw/--max-length", max_length, 1),
                               ("-nw/--min-length", min_length, 0), ("-i/--n-iter", n_iter, 1),
                               ("-s/--n-save-every", n_save_every, 1)):
        if value is not None and value < low:
            fail(f"{option} must be at least {low}, got {value}")
    check_sizes({"-cw/--width": width, "-cd/--depth": depth, "-er/--embed-rows": embed_rows})
    if not 0 <= dropout < 1:
        fail(f"-d/--dropout must be in [0, 1), got {dropout}")
    if max_minutes is not None and not max_minutes > 0:
        fail(f"--max-minutes must be > 0, got {max_minutes}")
    source = require_file(texts_loc, "texts file")
    if init_tok2vec is not None:
        require_file(init_tok2vec, "tok2vec weights")
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        fail(f"output folder is a file: {out}")
    nlp = load_model(vectors_model, "VECTORS_MODEL")
    device = use_device(use_gpu)
    fix_random_seed(seed)
    texts = list(iter_texts(source))
    if not texts:
        fail(f"texts file holds no texts: {source}")
    docs = make_docs(nlp, texts, min_length, max_length)
    if not docs:
        fail(f"no text of {source} has at least {min_length} words (-nw)")
    tok2vec, sizes = build_tok2vec(width, depth, embed_rows)
    task = Objective(objective, loss_func, nlp, tok2vec)
    model = task.model
    from nlp_models.ml import featurize_docs

    model.initialize(X=featurize_docs(docs[:8]))
    if init_tok2vec is not None:
        data, msg = read_weights(init_tok2vec)
        check_compatible(tok2vec, msg, init_tok2vec, "pretraining")
        tok2vec.from_bytes(data)
    optimizer = nlp_train.create_optimizer()
    out.mkdir(parents=True, exist_ok=True)
    config = {"objective": objective, "loss_func": loss_func, **sizes, "dropout": dropout, "batch_size": batch_size,
              "max_length": max_length, "min_length": min_length, "seed": seed, "texts": str(source),
              "vectors_model": str(vectors_model)}
    srsly.write_json(out / "config.json", config)
    n_words = sum(len(d) for d in docs)
    print(f"ℹ {len(docs)} texts, {n_words} words; objective {objective}; device: {device}")
    print(f"{'Epoch':>5}  {'Words':>10}  {'Loss':>12}  {'Loss/word':>9}  {'WPS':>7}")
    rng = random.Random(seed)
    started = time.perf_counter()
    deadline = None if max_minutes is None else started + 60 * max_minutes
    log = open(out / "log.jsonl", "a", encoding="utf8")
    total_words = 0

    def save(name: str) -> None:
        averages = optimizer.averages
        if averages:
            with model.use_params(averages):
                (out / name).write_bytes(tok2vec.to_bytes())
        else:
            (out / name).write_bytes(tok2vec.to_bytes())

    try:
        for epoch in range(n_iter):
            order = list(docs)
            rng.shuffle(order)
            epoch_loss = 0.0
            epoch_words = 0
            epoch_start = time.perf_counter()
            stop = False
            for count, batch in enumerate(batches_by_words(order, batch_size), 1):
                set_dropout(model, dropout)
                features = featurize_docs(batch)
                outputs, backprop = model.begin_update(features)
                grads, loss = task.gradient(batch, features, outputs)
                backprop(grads)
                model.finish_update(optimizer)
                optimizer.step_schedules()
                words = sum(len(d) for d in batch)
                epoch_loss += loss
                epoch_words += words
                if n_save_every and count % n_save_every == 0:
                    save(f"model{epoch}.{count}.bin")
                if deadline is not None and time.perf_counter() > deadline:
                    stop = True
                    break
            total_words += epoch_words
            seconds = time.perf_counter() - epoch_start
            wps = epoch_words / seconds if seconds > 0 else 0.0
            save(f"model{epoch}.bin")
            record = {"epoch": epoch, "words": total_words, "loss": epoch_loss,
                      "loss_per_word": epoch_loss / max(1, epoch_words), "wps": wps,
                      "seconds": time.perf_counter() - started}
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(f"{epoch:>5}  {total_words:>10}  {epoch_loss:>12.3f}  {record['loss_per_word']:>9.4f}  {wps:>7.0f}", flush=True)
            if stop:
                print(f"ℹ Stopped after {max_minutes:g} minutes (--max-minutes)")
                break
    finally:
        log.close()
    print(f"✔ Saved tok2vec weights to {out} (model{{epoch}}.bin; load with `nlp train -t2v`)")
    return 0
