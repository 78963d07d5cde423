"""A small real pipeline for testing the loop: a thinc tagger over toy words.

``ToyPipeline`` implements nlp_train's ``TrainablePipeline`` with a real
thinc model (HashEmbed -> Dropout -> Softmax), so updates change real
weights.  Run as a script, it trains on a toy corpus (used by the
interruption test, which kills it with SIGKILL):

    python nlp_train_standin.py OUTPUT_DIR [--resume] [--epochs N] [--seed N]

Setting ``STANDIN_SAVE_SLEEP`` (seconds) and ``STANDIN_SAVE_MARKER`` (a file)
makes ``to_disk`` write half its files, note the folder in the marker file,
then sleep before finishing: a window to kill it inside a save.  With
``STANDIN_SAVE_SLEEP_AT=k`` only the k-th save of the process sleeps.
"""

from __future__ import annotations

import os
import random
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy
import srsly
from thinc.api import Dropout, HashEmbed, Softmax, chain, fix_random_seed

from nlp_train import ComponentInfo, ScoreColumn, ScoreCurve, ScoreWeight, known_info, register_info

TAGS = ("DET", "ADJ", "NOUN", "VERB", "ADV")
LEXICON = {
    "DET": ("the", "a", "every", "some"),
    "ADJ": ("red", "big", "old", "quiet", "fast"),
    "NOUN": ("cat", "dog", "bird", "river", "stone", "house"),
    "VERB": ("sees", "likes", "finds", "eats", "hears"),
    "ADV": ("today", "slowly", "again", "often"),
}

#: Infos like those nlp-models registers for its components (nlp-train's tests do not import
#: nlp-models): what the stand-in's "tagger" and the seed's `get_batches(data, name)` look up.
SEED_INFOS = (
    ComponentInfo("tagger", "Tag Loss", (ScoreColumn("Tag %", ("tag_acc",)),),
                  (ScoreWeight(("tag_acc",)),), 32,
                  (ScoreCurve("Tagger", (("tag_acc", "Tag %"), ("pos_acc", "POS %"),
                                         ("morph_acc", "Morph %"))),),
                  ("tag_per_label", "tag_confusions"), token_level=True),
    ComponentInfo("parser", "Dep Loss", (ScoreColumn("UAS", ("uas",)), ScoreColumn("LAS", ("las",))),
                  (ScoreWeight(("las",), 0.75), ScoreWeight(("uas",), 0.25)), 16,
                  (ScoreCurve("Parser", (("uas", "UAS"), ("las", "LAS"), ("sents_f", "Sentence F"))),),
                  ("dep_per_label", "dep_confusions"), token_level=True),
    ComponentInfo("ner", "NER Loss", tuple(ScoreColumn(f"NER {x}", (f"ents_{x.lower()}",)) for x in "PRF"),
                  (ScoreWeight(("ents_f",)),), 16,
                  (ScoreCurve("Entity recognizer", tuple((f"ents_{x.lower()}", f"NER {x}") for x in "PRF")),),
                  ("ents_per_type",), token_level=True),
    ComponentInfo("textcat", "Textcat Loss", (ScoreColumn("Textcat", ("textcat_macro_f", "textcat_acc")),),
                  (ScoreWeight(("textcat_macro_f", "textcat_acc")),), 64,
                  (ScoreCurve("Text classifier", (("textcat_macro_f", "Macro F"), ("textcat_acc", "Accuracy"),
                                                  ("textcat_macro_auc", "Macro AUC"))),),
                  ("textcat_f_per_type",)),
)


def register_seed_infos() -> None:
    """Register SEED_INFOS by name, leaving alone a name a model library registered already."""
    for info in SEED_INFOS:
        if known_info(info.name) is None:
            register_info(info)


@dataclass(frozen=True)
class ToyExample:
    """Words with gold tags; ``len()`` is the word count."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


def make_corpus(n: int, seed: int) -> list[ToyExample]:
    """``n`` generated sentences: DET (ADJ) NOUN VERB DET (ADJ) NOUN (ADV)."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        pattern = ["DET"] + ["ADJ"] * rng.randint(0, 2) + ["NOUN", "VERB", "DET"]
        pattern += ["ADJ"] * rng.randint(0, 1) + ["NOUN"] + ["ADV"] * rng.randint(0, 1)
        words = tuple(rng.choice(LEXICON[tag]) for tag in pattern)
        examples.append(ToyExample(words, tuple(pattern)))
    return examples


def _ids(words) -> numpy.ndarray:
    return numpy.array([zlib.crc32(w.encode("utf8")) for w in words], dtype="uint64")


class ToyTagger:
    """The component: a thinc model mapping word ids to tag probabilities."""

    name = "tagger"

    def __init__(self, tags=TAGS, width: int = 12, n_rows: int = 97) -> None:
        self.tags = list(tags)
        self.model = chain(HashEmbed(width, n_rows, seed=11), Dropout(0.0), Softmax(len(tags), width))
        self.model.initialize(X=_ids(["the", "cat"]),
                              Y=numpy.zeros((2, len(self.tags)), dtype="f"))

    def set_dropout(self, rate: float) -> None:
        for node in self.model.walk():
            if node.name == "dropout":
                node.attrs["dropout_rate"] = rate

    def targets(self, examples) -> numpy.ndarray:
        gold = [self.tags.index(t) for ex in examples for t in ex.tags]
        out = numpy.zeros((len(gold), len(self.tags)), dtype="f")
        out[numpy.arange(len(gold)), gold] = 1.0
        return out


class ToyPipeline:
    """A one-component pipeline with the protocol's methods; counts its calls."""

    def __init__(self) -> None:
        self.tagger = ToyTagger()
        self.pipeline = [("tagger", self.tagger)]
        self.pipe_names = ["tagger"]
        self.calls = {"update": 0, "evaluate": 0, "rehearse": 0, "to_disk": 0}
        self.drops: list[float] = []
        self._teacher = None

    def update(self, examples, *, drop, sgd, losses, loss_normalizers=None):
        """One step; the loss is the mean over the words (or over the count that
        ``loss_normalizers``, of a larger batch, gives)."""
        self.calls["update"] += 1
        self.drops.append(drop)
        tagger = self.tagger
        tagger.set_dropout(drop)
        words = [w for ex in examples for w in ex.words]
        probs, backprop = tagger.model.begin_update(_ids(words))
        count = (loss_normalizers or {}).get("tagger", max(len(words), 1))
        d_probs = (probs - tagger.targets(examples)) / count
        backprop(d_probs)
        tagger.model.finish_update(sgd)
        tagger.set_dropout(0.0)
        losses["tagger"] = losses.get("tagger", 0.0) + float((d_probs**2).sum())

    def loss_normalizers(self, examples):
        """What update divides the loss by: the words of ``examples``."""
        return {"tagger": float(max(sum(len(ex) for ex in examples), 1))}

    def rehearse(self, texts, *, sgd, losses):
        """Pull the predictions on raw texts towards the first-seen model's."""
        self.calls["rehearse"] += 1
        model = self.tagger.model
        if self._teacher is None:
            self._teacher = ToyTagger().model.from_bytes(model.to_bytes())
        words = [w for text in texts for w in text.split()]
        ids = _ids(words)
        target = self._teacher.predict(ids)
        probs, backprop = model.begin_update(ids)
        d_probs = (probs - target) / max(len(words), 1)
        backprop(d_probs)
        model.finish_update(sgd)
        losses["tagger"] = losses.get("tagger", 0.0) + float((d_probs**2).sum())

    def evaluate(self, examples):
        self.calls["evaluate"] += 1
        start = time.perf_counter()
        words = [w for ex in examples for w in ex.words]
        gold = [t for ex in examples for t in ex.tags]
        probs = self.tagger.model.predict(_ids(words))
        guess = [self.tagger.tags[i] for i in probs.argmax(axis=1)]
        correct = sum(g == p for g, p in zip(gold, guess))
        seconds = max(time.perf_counter() - start, 1e-9)
        return {"tag_acc": 100.0 * correct / len(gold), "token_acc": 100.0,
                "wps": len(words) / seconds}

    def use_params(self, params):
        return self.tagger.model.use_params(params)

    def to_disk(self, path) -> None:
        self.calls["to_disk"] += 1
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "tagger.bin").write_bytes(self.tagger.model.to_bytes())
        sleep = float(os.environ.get("STANDIN_SAVE_SLEEP", "0"))
        at = int(os.environ.get("STANDIN_SAVE_SLEEP_AT", "0"))
        if sleep and at in (0, self.calls["to_disk"]):
            with open(os.environ["STANDIN_SAVE_MARKER"], "a") as marker:
                marker.write(f"{path}\n")
            time.sleep(sleep)
        srsly.write_json(path / "meta.json", {"tags": self.tagger.tags})

    def from_disk(self, path) -> ToyPipeline:
        path = Path(path)
        meta = srsly.read_json(path / "meta.json")
        if meta["tags"] != self.tagger.tags:
            raise ValueError(f"{path}: tags {meta['tags']} differ from {self.tagger.tags}")
        self.tagger.model.from_bytes((path / "tagger.bin").read_bytes())
        return self

    def weights(self) -> bytes:
        """The current weights, for byte comparisons."""
        return self.tagger.model.to_bytes()


def build(seed: int = 0) -> ToyPipeline:
    """A fresh pipeline with seeded initial weights."""
    fix_random_seed(seed)
    return ToyPipeline()


def main(argv: list[str]) -> int:
    from nlp_train import train

    register_seed_infos()
    out = Path(argv[0])
    resume = "--resume" in argv
    epochs = int(argv[argv.index("--epochs") + 1]) if "--epochs" in argv else 6
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    nlp = build(seed)
    train(nlp, make_corpus(120, 1), make_corpus(30, 2), out, n_epochs=epochs, seed=seed,
          resume=resume, batch_from=2, batch_to=8, batch_compound=1.05, dropout_from=0.3,
          dropout_to=0.1, dropout_decay=0.002)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
