"""What the seed example scripts share: their common options, a seeded start from a saved or a
blank pipeline, the training loop of spaCy v2's examples (shuffle, minibatches of compounding
size, `nlp.update`, the losses printed after each pass), training one component alone, and
showing the predictions before and after saving and reloading the trained pipeline."""

import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from thinc.api import fix_random_seed

import nlp_models
from nlp_models import Language
from nlp_train import compounding, minibatch

#: The plac options every script has (v2's -m, -o and -n).
MODEL = ("Model name. Defaults to blank 'en' model.", "option", "m", str)
OUTPUT_DIR = ("Optional output directory", "option", "o", Path)
N_ITER = ("Number of training iterations", "option", "n", int)


def start(model: str | None, lang: str = "en") -> Language:
    """Seed every random generator (a script prints the same on every run), then load the
    pipeline saved at `model`, or create a blank one for `lang`."""
    random.seed(0)
    fix_random_seed(0)
    if model is not None:
        nlp = nlp_models.load(model)
        print(f"Loaded model '{model}'")
    else:
        nlp = nlp_models.blank(lang)
        print(f"Created blank '{lang}' model")
    return nlp


def pipe_of(nlp: Language, name: str, config: dict | None = None, **where: Any) -> Any:
    """The pipeline's component `name`, created and added (`where`: first=True, last=True, ...)
    when the pipeline has none."""
    if name in nlp.pipe_names:
        return nlp.get_pipe(name)
    component = nlp.create_pipe(name, config=config)
    nlp.add_pipe(component, **where)
    return component


def labels_in(train_data: list, key: str) -> list[str]:
    """The labels that the annotations of `train_data` give under `key` ("deps", "tags",
    "entities"), in the order they first appear."""
    seen: dict[str, None] = {}
    for _text, annot in train_data:
        for value in annot.get(key, []):
            seen[value[2] if key == "entities" else value] = None
    return list(seen)


def others(nlp: Language, name: str) -> list[str]:
    """Every component but `name`: what to disable while training only `name`."""
    return [pipe for pipe in nlp.pipe_names if pipe != name]


def print_losses(losses: dict[str, float]) -> None:
    print("Losses", losses)


def train(
    nlp: Language,
    train_data: list,
    n_iter: int,
    sgd: Any = None,
    drop: float = 0.0,
    sizes: Iterable[float] | None = None,
    report: Callable[[dict[str, float]], None] = print_losses,
) -> None:
    """`n_iter` passes over `train_data` ((text, annotations) pairs), shuffled before each, in
    batches of a size compounding from 4 to 32 (or drawn from `sizes`); `report` gets each
    pass's losses."""
    if sizes is None:
        sizes = compounding(4.0, 32.0, 1.001)
    for _itn in range(n_iter):
        random.shuffle(train_data)
        losses: dict[str, float] = {}
        for batch in minibatch(train_data, size=sizes):
            texts, annotations = zip(*batch)
            nlp.update(texts, annotations, sgd=sgd, drop=drop, losses=losses)
        report(losses)


def train_alone(nlp: Language, name: str, train_data: list, n_iter: int, labels: str, begin: bool = True,
                **options: Any) -> Any:
    """Train the component `name` alone, every other one disabled (the guide's advice for a
    saved pipeline): add the labels the data gives under `labels` ("deps", "entities") with
    `add_label`, call `nlp.begin_training()` when `begin` (a new model), then `train` with
    `options`. Returns the optimizer (None without `begin`: `nlp.update` keeps its own)."""
    component = nlp.get_pipe(name)
    for label in labels_in(train_data, labels):
        component.add_label(label)
    with nlp.disable_pipes(*others(nlp, name)):
        optimizer = nlp.begin_training() if begin else None
        train(nlp, train_data, n_iter, sgd=optimizer, **options)
    return optimizer


def save_and_reload(nlp: Language, output_dir: str | Path) -> Language:
    """Save the pipeline to `output_dir` and load it back, saying so."""
    output_dir = Path(output_dir)
    nlp.to_disk(output_dir)
    print("Saved model to", output_dir)
    print("Loading from", output_dir)
    return nlp_models.load(output_dir)


def finish(nlp: Language, show: Callable[[Language], None], output_dir: str | Path | None) -> None:
    """Show the trained pipeline's predictions; with `output_dir`, save the pipeline there, load
    it back and show the loaded one's."""
    show(nlp)
    if output_dir is not None:
        show(save_and_reload(nlp, output_dir))
