"""Language: the tokenizer, the vocab and the pipeline of components, trained and saved as one.

`nlp(text)` tokenizes and runs every component in order; `nlp.update` trains the trainable
ones on a batch of Examples (or texts/Docs with annotation dicts, the seed's simple training
style); `nlp.to_disk` writes a folder that `nlp_models.load` reads back with no training code.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import srsly
from thinc.api import CupyOps, Optimizer, get_current_ops

from nlp_gold import Example, Scorer
from nlp_gold.goldparse import is_gold_tuple
from nlp_gold.multiword import tokens_of
from nlp_train import create_optimizer
from nlp_train.components import ComponentInfo, generic_info
from nlp_train.storage import atomic_write_dir
from nlp_vocab import Doc, DocBin, Tokenizer, Vocab
from nlp_vocab.tag_map import default_tag_map

from .about import __version__
from .component_protocol import (
    BatchComponent,
    Calibrated,
    LearnsLabels,
    NormalizedLoss,
    SavedComponent,
    TrainableComponent,
    implements,
)
from .component_registry import find_component_spec, get_component_spec
from .gold_inputs import examples_from_gold_tuple, to_example
from .listeners import check_listeners, link_listeners, rename_upstream, unlink
from .model_files import (
    CONFIG_FILE,
    META_FILE,
    TOKENIZER_FILE,
    VOCAB_DIR,
    check_component_name,
    check_config,
    check_links,
    check_meta,
    read_config,
    read_meta,
    write_config,
)
from .pipeline import DisabledPipes, Pipeline
from .pipes.base import MODEL_FILE, batched, check_drop
from .presets import resolve_cfg
from .workers import map_batches

#: meta entries that describe the saved components: rebuilt by every save, not kept in `nlp.meta`.
_DERIVED_META = ("pipeline", "factories", "labels", "untrained")


def _check_saved_name(component: Any, name: Any, where: str) -> None:
    """A component that `to_disk` saves gets a folder of its name: only plain names."""
    if implements(component, SavedComponent):
        check_component_name(name, where)


def _default_name(component: Any) -> str:
    """The pipeline name of a component added without one: its own name, a function's name,
    or its class's (any callable can be a component, so this reads what a callable may have)."""
    return getattr(component, "name", None) or getattr(component, "__name__", None) or type(component).__name__


def _default_vocab(lang: str) -> Vocab:
    return Vocab(lang, tag_map=default_tag_map(lang))


class Language:
    """A tokenizer, a vocab and an ordered pipeline of components (any callable Doc -> Doc).

    What the Language does with a component beyond calling it depends on what it is
    (`nlp_models.component_protocol`): a `TrainableComponent` (a `TrainablePipe`) is trained,
    evaluated and saved; any other callable just runs. The shared tok2vec's links are remade
    by `nlp_models.listeners` whenever the pipeline changes.
    """

    def __init__(
        self,
        lang: str = "xx",
        vocab: Vocab | None = None,
        tokenizer: Callable[[str], Doc] | None = None,
        meta: dict | None = None,
        max_length: int | None = None,
    ) -> None:
        self.vocab = vocab if vocab is not None else _default_vocab(lang)
        self.lang = self.vocab.lang
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer.for_language(self.vocab)
        self.meta: dict[str, Any] = dict(meta or {})
        #: The settings that made this pipeline (`nlp train` records its options, recipe and
        #: component cfgs): JSON-ready, saved as config.json; empty for a hand-built one.
        self.config: dict[str, Any] = {}
        self._pipeline = Pipeline()
        self._optimizer: Optimizer | None = None
        self.max_length = max_length

    @property
    def max_length(self) -> int | None:
        """The most characters a text may have (None, the default: no limit). Texts of any
        length are processed in bounded memory (components read a bounded number of tokens
        per model call), so this is a hard limit for callers who want one, not a safeguard."""
        return self._max_length

    @max_length.setter
    def max_length(self, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"max_length must be a positive int or None, got {value!r}")
        self._max_length = value

    def __repr__(self) -> str:
        return f"Language(lang={self.lang!r}, pipeline={self.pipe_names})"

    # ---- the pipeline --------------------------------------------------------------------------

    @property
    def pipeline(self) -> list[tuple[str, Any]]:
        """(name, component) pairs in the order they run."""
        return list(self._pipeline)

    @property
    def pipe_names(self) -> list[str]:
        return self._pipeline.names

    def create_pipe(self, name: str, config: dict | None = None) -> Any:
        """A new component from the registered factory `name` ("tagger", "parser", "ner",
        "textcat", "tok2vec", or a user's: see `nlp_models.component_registry`). A cfg `preset`
        ("efficiency", "accuracy") fills in that preset's values under the ones given."""
        spec = get_component_spec(name)
        return spec.cls(self.vocab, **resolve_cfg(name, spec.cls, config))

    def add_pipe(
        self,
        component: Any,
        name: str | None = None,
        before: str | None = None,
        after: str | None = None,
        first: bool = False,
        last: bool = False,
    ) -> None:
        """Add a component (from `create_pipe`, or any callable Doc -> Doc) to the pipeline."""
        if isinstance(component, str):
            raise ValueError(
                f"add_pipe takes a component, not the string {component!r}: "
                f"use nlp.add_pipe(nlp.create_pipe({component!r}))"
            )
        if name is None:
            name = _default_name(component)
        _check_saved_name(component, name, "add_pipe")
        self._pipeline.add(component, name, before=before, after=after, first=first, last=last)
        if implements(component, TrainableComponent):
            component.name = name
        try:
            self._link_listeners()
        except ValueError:
            self._pipeline.remove(name)
            self._link_listeners()
            raise

    def get_pipe(self, name: str) -> Any:
        return self._pipeline.get(name)

    def has_pipe(self, name: str) -> bool:
        return self._pipeline.has(name)

    def remove_pipe(self, name: str) -> tuple[str, Any]:
        """Take a component out for good; it keeps no shared-tok2vec link either way."""
        removed = self._pipeline.remove(name)
        self._link_listeners()
        unlink(removed[1])
        return removed

    def replace_pipe(self, name: str, component: Any) -> None:
        _check_saved_name(component, name, "replace_pipe")
        self._pipeline.replace(name, component)
        if implements(component, TrainableComponent):
            component.name = name
        self._link_listeners()

    def rename_pipe(self, old_name: str, new_name: str) -> None:
        """Rename a component; components listening to a renamed tok2vec follow it."""
        _check_saved_name(self._pipeline.get(old_name), new_name, "rename_pipe")
        self._pipeline.rename(old_name, new_name)
        component = self._pipeline.get(new_name)
        if implements(component, TrainableComponent):
            component.name = new_name
        rename_upstream(self._pipeline, old_name, new_name)

    def disable_pipes(self, *names: str | Iterable[str]) -> DisabledPipes:
        """Take components out until the returned object's `restore()` or the `with` block ends."""
        flat: list[str] = []
        for item in names:
            flat.extend([item] if isinstance(item, str) else list(item))
        return self._pipeline.disable(flat)

    def component_info(self, names: Iterable[str] | None = None) -> list[ComponentInfo]:
        """What the training loop shows for each trainable component (or those in `names`), in
        pipeline order: its registered table columns, score weights and batch maximum."""
        wanted = None if names is None else set(names)
        infos = []
        for name, proc in self._trainable():
            if wanted is not None and name not in wanted:
                continue
            spec = find_component_spec(proc.factory)
            infos.append(spec.info_for(name) if spec is not None else generic_info(name))
        return infos

    def _trainable(self) -> list[tuple[str, TrainableComponent]]:
        return [(name, proc) for name, proc in self._pipeline if implements(proc, TrainableComponent)]

    # ---- shared tok2vec: linking listeners to their upstream ---------------------------------

    def _link_listeners(self) -> None:
        """Remake every listener's link after a change of the pipeline (`nlp_models.listeners`)."""
        link_listeners(self._pipeline)

    def _check_listeners(self, disable: Sequence[str] = ()) -> None:
        """A clear error when a listener that will run has no upstream running before it."""
        check_listeners(self._pipeline, disable)

    # ---- running -------------------------------------------------------------------------------

    def make_doc(self, text: str) -> Doc:
        if not isinstance(text, str):
            raise TypeError(f"make_doc expects a str, got {type(text).__name__}")
        self._check_length(text, "make_doc")
        return self.tokenizer(text)

    def _check_length(self, text: str, where: str) -> None:
        limit = self._max_length
        if limit is not None and len(text) > limit:
            raise ValueError(
                f"{where}: the text has {len(text):,} characters, more than nlp.max_length "
                f"({limit:,}): split it, or raise nlp.max_length (None: no limit)"
            )

    def _as_doc(self, item: Any, where: str) -> Doc:
        return self.make_doc(item) if isinstance(self._checked(item, where), str) else item

    def _checked(self, item: Any, where: str) -> str | Doc:
        """`item` if it is a text within nlp.max_length or a Doc; else the error naming `where`."""
        if isinstance(item, str):
            self._check_length(item, where)
        elif not isinstance(item, Doc):
            raise TypeError(f"{where}: expected a text (str) or a Doc, got {type(item).__name__}")
        return item

    def __call__(self, text: str | Doc, disable: Sequence[str] = ()) -> Doc:
        """Tokenize `text` (unless it is a Doc already) and run every component on it."""
        doc = self._as_doc(text, "nlp()")
        self._check_listeners(disable)
        for name, proc in self._pipeline:
            if name in disable:
                continue
            doc = proc(doc)
            if doc is None:
                raise ValueError(f"Pipeline component '{name}' returned None instead of the Doc")
        return doc

    def pipe(
        self,
        texts: Iterable[str | Doc],
        batch_size: int = 256,
        n_process: int = 1,
        disable: Sequence[str] = (),
    ) -> Iterator[Doc]:
        """Process texts (or Docs) in batches and yield the Docs in order.

        With n_process > 1 this process and n_process - 1 worker processes forked from it
        annotate the batches (`nlp_models.workers`: one BLAS thread each, this process's own
        given back after), and a worker's batch comes back as one array of its annotation (a
        DocBin): tags, pos, morph, lemmas, heads, deps, entities, sentence starts, multiword
        word forms, cats and user_data, but not `doc.tensor` (no doc has it then: use
        n_process=1 when you need it). An error names the item ("pipe() item 517: ...")."""
        if self._uses_workers(n_process, disable):
            options = {"batch_size": batch_size, "disable": tuple(disable)}
            work, here = (functools.partial(f, **options) for f in (self._batch_docbin, self._batch_doc_list))
            batches = self._batches_out(((t, None) for t in texts), batch_size)
            for result in map_batches(work, batches, n_process, here=here):
                yield from result.get_docs(self.vocab) if isinstance(result, DocBin) else result
            return
        docs: Iterable[Doc] = (self._as_doc(t, f"pipe() item {i}") for i, t in enumerate(texts))
        for name, proc in self._pipeline:
            if name in disable:
                continue
            docs = self._run_component(name, proc, docs, batch_size)
        yield from docs

    @staticmethod
    def _run_component(name: str, proc: Any, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
        if implements(proc, BatchComponent):
            yield from proc.pipe(docs, batch_size=batch_size)
            return
        for doc in docs:
            out = proc(doc)
            if out is None:
                raise ValueError(f"Pipeline component '{name}' returned None instead of the Doc")
            yield out

    def pipe_map(
        self,
        pairs: Iterable[tuple[str | Doc, Any]],
        func: Callable[[Doc, Any], Any],
        batch_size: int = 256,
        n_process: int = 1,
        disable: Sequence[str] = (),
    ) -> Iterator[Any]:
        """`func(doc, context)` for each (text or Doc, context) pair, in order. With n_process > 1
        `func` runs beside the pipeline in whichever process annotated the batch, so only its
        results travel back from a worker (they and the contexts must pickle): the way to let
        workers also render what is written (`nlp apply`). Errors as for `pipe`."""
        in_workers = self._uses_workers(n_process, disable)
        work = functools.partial(self._batch_map, func=func, batch_size=batch_size, disable=tuple(disable))
        batches = self._batches_out(pairs, batch_size, portable=in_workers)
        for results in map_batches(work, batches, n_process) if in_workers else map(work, batches):
            yield from results

    def _uses_workers(self, n_process: int, disable: Sequence[str]) -> bool:
        """Check the arguments of pipe/pipe_map; whether they run in worker processes (not on GPU)."""
        if n_process < 1:
            raise ValueError(f"n_process must be >= 1, got {n_process}")
        self._check_listeners(disable)
        return n_process > 1 and not isinstance(get_current_ops(), CupyOps)

    def _batches_out(self, pairs: Iterable[Any], batch_size: int, portable: bool = True) -> Iterator[list]:
        """Batches of checked (text or Doc, context) pairs; `portable`: Docs as bytes, for a worker."""
        return batched((self._pair_out(pair, i, portable) for i, pair in enumerate(pairs)), batch_size)

    def _pair_out(self, pair: Any, i: int, portable: bool) -> tuple[str | Doc | bytes, Any]:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"pipe() item {i}: expected a (text, context) pair, got {type(pair).__name__}")
        item = self._checked(pair[0], f"pipe() item {i}")
        return (item.to_bytes() if portable and isinstance(item, Doc) else item), pair[1]

    def _batch_docs(self, batch: list, batch_size: int, disable: tuple) -> Iterator[Doc]:
        """The annotated docs of a batch of pairs (a Doc sent as bytes is rebuilt first)."""
        items = [Doc(self.vocab).from_bytes(item) if isinstance(item, bytes) else item for item, _ in batch]
        return self.pipe(items, batch_size=batch_size, disable=disable)

    def _batch_docbin(self, batch: list, batch_size: int, disable: tuple) -> DocBin:
        """In a worker: a batch's annotated docs, packed in one DocBin for the trip back."""
        return DocBin(store_user_data=True, docs=self._batch_docs(batch, batch_size, disable))

    def _batch_doc_list(self, batch: list, batch_size: int, disable: tuple) -> list[Doc]:
        """Here, beside the workers: a batch's annotated docs, without `doc.tensor` as theirs."""
        docs = list(self._batch_docs(batch, batch_size, disable))
        for doc in docs:
            doc.tensor = None
        return docs

    def _batch_map(self, batch: list, func: Callable[[Doc, Any], Any], batch_size: int, disable: tuple) -> list:
        """`func(doc, context)` of each pair of a batch (in a worker, or here for one process)."""
        docs = self._batch_docs(batch, batch_size, disable)
        return [func(doc, context) for doc, (_, context) in zip(docs, batch)]

    # ---- training ------------------------------------------------------------------------------

    def _examples(self, docs: Any, golds: Any = None, where: str = "update") -> list[Example]:
        """Examples from Examples, from texts/Docs paired with golds (GoldParse, Example, annotation
        dict or gold Doc), or from v2's gold tuples (see `gold_inputs`)."""
        if isinstance(docs, (str, Doc, Example)):
            docs = [docs]
            if golds is not None and not isinstance(golds, (list, tuple)):
                golds = [golds]
        docs = list(docs)
        if golds is None:
            golds = [None] * len(docs)
        else:
            golds = list(golds)
            if len(golds) != len(docs):
                raise ValueError(f"{where}: got {len(docs)} docs but {len(golds)} golds")
        examples = []
        for i, (doc, gold) in enumerate(zip(docs, golds)):
            label = f"{where} example {i}"
            if gold is None and is_gold_tuple(doc):
                examples.extend(examples_from_gold_tuple(doc, self.vocab, self.make_doc, label))
            else:
                examples.append(to_example(doc, gold, self._as_doc, label))
        return examples

    def update(
        self,
        docs: Any,
        golds: Any = None,
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
        exclude: Iterable[str] = (),
        loss_normalizers: Mapping[str, float] | None = None,
    ) -> dict[str, float]:
        """One gradient step of every trainable component on a batch (but those in `exclude`,
        which keep their weights).

        `docs`: Examples (then no golds), or texts/Docs with `golds` as GoldParse objects,
        Examples, annotation dicts (keys entities, heads, deps, tags, pos, morphs, lemmas, cats,
        words, ...) or gold Docs. `loss_normalizers` (`loss_normalizers()` of a larger batch
        this one is a shard of) makes each component named there divide its loss by that count.
        """
        check_drop(drop, "update")
        examples = self._examples(docs, golds, "update")
        if losses is None:
            losses = {}
        if not examples:
            return losses
        sgd = self._optimizer_or_default(sgd)
        self._check_listeners()
        skipped = set(exclude)
        trainable = [(name, proc) for name, proc in self._trainable() if name not in skipped]
        for _name, proc in trainable:  # bad gold is an error before any component learns
            proc.check_examples(examples)
        counts = loss_normalizers or {}
        try:
            for name, proc in trainable:
                with _normalized(proc, counts.get(name)):
                    proc.update(examples, drop=drop, sgd=sgd, losses=losses)
        finally:
            # A shared tok2vec applies its update once, on the sum of its listeners' gradients;
            # listeners that sent none (nothing to learn in this batch) are not waited for.
            for _name, proc in trainable:
                proc.flush_update()
        return losses

    def loss_normalizers(self, docs: Any, golds: Any = None, exclude: Iterable[str] = ()) -> dict[str, float]:
        """What each trainable component (but those in `exclude`) divides its loss by in
        `update` on this batch (its `loss_normalizer`), for those whose loss is a mean. The
        counts add up over the examples and no label is added, so each worker of data-parallel
        training counts the whole batch and passes the count to `update(shard,
        loss_normalizers=)` on its shard."""
        examples = self._examples(docs, golds, "loss_normalizers")
        counts = {}
        skipped = set(exclude)
        for name, proc in self._trainable():
            if name in skipped:
                continue
            count = proc.loss_normalizer(examples) if implements(proc, NormalizedLoss) else None
            if count is not None:
                counts[name] = float(count)
        return counts

    def labels_to_learn(self, docs: Any, golds: Any = None, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
        """The labels `update` on this batch would add to each trainable component (but those
        in `exclude`), in order, without adding them (components with none are left out):
        each worker of data-parallel training asks on the whole batch and `learn_labels` them
        before updating on its shard, so every replica adds the same labels in the same order."""
        examples = self._examples(docs, golds, "labels_to_learn")
        skipped = set(exclude)
        found = {}
        for name, proc in self._trainable():
            labels = proc.new_labels(examples) if name not in skipped and implements(proc, LearnsLabels) else []
            if labels:
                found[name] = list(labels)
        return found

    def learn_labels(self, labels: Mapping[str, Iterable[str]]) -> None:
        """Add `labels` ({component name: labels}, in order) to the components, skipping those
        they have (a built model grows its output layer)."""
        for name, names in labels.items():
            proc = self.get_pipe(name)
            for label in names:
                if label not in proc.labels:
                    proc.add_label(label)

    def _optimizer_or_default(self, sgd: Optimizer | None) -> Optimizer:
        """`sgd`, or the optimizer this Language keeps for updates that pass none."""
        if sgd is None:
            if self._optimizer is None:
                self._optimizer = create_optimizer()
            sgd = self._optimizer
        return sgd

    def rehearse(
        self,
        docs: Any,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
        drop: float = 0.0,
    ) -> dict[str, float]:
        """Pseudo-rehearsal on raw texts/Docs/Examples: keep each component's outputs close to
        the snapshot taken by `resume_training()` (no gold needed); a ValueError before it."""
        check_drop(drop, "rehearse")
        if not any(proc.has_rehearsal_snapshot for _, proc in self._trainable()):
            raise ValueError("rehearse: no component has a snapshot to rehearse against: "
                             "call nlp.resume_training() before rehearse")
        if isinstance(docs, (str, Doc, Example)):
            docs = [docs]
        batch = [
            item.predicted if isinstance(item, Example) else self._as_doc(item, f"rehearse example {i}")
            for i, item in enumerate(docs)
        ]
        if losses is None:
            losses = {}
        if not batch:
            return losses
        sgd = self._optimizer_or_default(sgd)
        for _name, proc in self._trainable():
            proc.rehearse(batch, drop=drop, sgd=sgd, losses=losses)
        return losses

    def begin_training(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        sgd: Optimizer | None = None,
        **cfg: Any,
    ) -> Optimizer:
        """Infer labels from `get_examples()` (Examples, (text, annotations) pairs, (doc,
        GoldParse) pairs, or v2's gold tuples), build and initialise every trainable component's
        model, and return the recipe's optimizer.

        Keyword `cfg` entries override the hyperparameters of components that have them.
        """
        get_eg = None
        if get_examples is not None:
            cache: list[Example] | None = None

            def get_eg() -> list[Example]:
                nonlocal cache
                if cache is None:
                    items = list(get_examples())
                    cache = self._examples(items, None, "begin_training")
                return cache

        self._check_listeners()  # a shared tok2vec initialises before its listeners
        for _name, proc in self._trainable():
            for key, value in cfg.items():
                if key in proc.default_cfg:
                    proc.cfg[key] = value
            proc.begin_training(get_eg, sgd=sgd, pipeline=self.pipeline)
        if sgd is None:
            sgd = create_optimizer()
        self._optimizer = sgd
        return sgd

    def resume_training(self, sgd: Optimizer | None = None) -> Optimizer:
        """Continue training a loaded pipeline: snapshot each model for `rehearse`, and return
        an optimizer. Components that have no model yet are initialised from their labels."""
        for _name, proc in self._trainable():
            if proc.model is None:
                proc.begin_training(None, sgd=sgd, pipeline=self.pipeline)
            proc.snapshot_for_rehearsal()
        if sgd is None:
            sgd = create_optimizer()
        self._optimizer = sgd
        return sgd

    @contextlib.contextmanager
    def use_params(self, params: dict) -> Iterator[None]:
        """Swap `params` (e.g. optimizer.averages) into every component; restore on exit."""
        with contextlib.ExitStack() as stack:
            for _name, proc in self._trainable():
                stack.enter_context(proc.use_params(params))
            yield

    def random_states(self) -> dict[str, Any]:
        """`{component name: state}` of the components that keep their own random generator
        (e.g. the parser's exploration): what a training checkpoint saves to resume exactly."""
        states = {name: proc.get_random_state() for name, proc in self._trainable()}
        return {name: state for name, state in states.items() if state is not None}

    def set_random_states(self, states: dict[str, Any]) -> None:
        """Restore states from `random_states` (a ValueError names a component that is
        missing or keeps no generator)."""
        for name, state in states.items():
            proc = self.get_pipe(name) if self.has_pipe(name) else None
            if not implements(proc, TrainableComponent) or proc.get_random_state() is None:
                raise ValueError(f"a random state is saved for {name!r}, but the pipeline "
                                 f"({', '.join(self.pipe_names)}) has no such component with a generator")
            proc.set_random_state(state)

    # ---- evaluation ------------------------------------------------------------------------------

    def calibrate(self, examples: Iterable[Any], batch_size: int = 256,
                  exclude: Iterable[str] = ()) -> dict[str, dict[str, float]]:
        """Let every `Calibrated` component (but those named in `exclude`) fit its scores'
        confidence on held-out `examples` (e.g. the dev set after training): the pipeline runs
        on fresh docs of the examples' tokens up to the last such component, each fitting on the
        docs as the components before it left them. Returns `{name: what it fitted}`; without
        such a component, nothing runs."""
        skipped = set(exclude)
        names = [name for name, proc in self._pipeline if name not in skipped and implements(proc, Calibrated)]
        if not names:
            return {}
        examples = self._examples(list(examples), None, "calibrate")
        docs: list[Doc] = [tokens_of(eg.predicted) for eg in examples]
        fitted: dict[str, dict[str, float]] = {}
        for name, proc in self._pipeline:
            if name in names:
                fitted[name] = proc.calibrate(docs, examples)
            if name == names[-1]:
                break
            docs = list(self._run_component(name, proc, docs, batch_size))
        return fitted

    def evaluate(
        self,
        examples: Iterable[Any],
        batch_size: int = 256,
        exclude_punct: bool = False,
        details: bool = False,
    ) -> dict[str, Any]:
        """Run the pipeline on fresh docs with each example's tokenization and score them.

        Returns percentages (nlp_gold.Scorer, and each registered component's own scorer)
        plus "wps" (words per second of the pipeline); scores that do not apply are left out,
        and per-type tables only with `details`. Nothing else changes: `record_scores` keeps
        the result in `meta` when the caller wants it saved with the model.
        """
        examples = self._examples(list(examples), None, "evaluate")
        fresh = [tokens_of(eg.predicted) for eg in examples]  # the tokens, multiword tokens' word forms too
        start = time.perf_counter()
        docs = list(self.pipe(fresh, batch_size=batch_size))
        seconds = time.perf_counter() - start
        n_words = sum(len(doc) for doc in docs)
        scored = [eg.with_predicted(doc) for doc, eg in zip(docs, examples)]
        raw = self._score(scored, exclude_punct)
        raw["wps"] = n_words / seconds if seconds > 0 else 0.0
        return {
            k: (float(v) if isinstance(v, (int, float)) else v)
            for k, v in raw.items()
            if v is not None and (details or isinstance(v, (int, float)))
        }

    def _score(self, scored: list[Example], exclude_punct: bool) -> dict[str, Any]:
        """nlp_gold.Scorer's scores with the options the components ask for (`score_options`),
        joined by the scores of each registered factory's own `scorer` (once per factory)."""
        options: dict[str, Any] = {}
        scorers = {}
        for _name, proc in self._trainable():
            options.update(proc.score_options())
            spec = find_component_spec(proc.factory)
            if spec is not None and spec.scorer is not None:
                scorers[proc.factory] = spec.scorer
        raw = Scorer(**{**options, "exclude_punct": exclude_punct}).score(scored)
        for factory, scorer in scorers.items():
            extra = scorer(scored)
            if not isinstance(extra, Mapping):
                raise TypeError(f"the scorer of component factory {factory!r} returned "
                                f"{type(extra).__name__}, not a dict of scores")
            raw.update(extra)
        return raw

    def record_scores(self, scores: Mapping[str, Any]) -> None:
        """Keep `scores` (from `evaluate`) in `meta`, which `to_disk` saves: "accuracy" (the
        numeric scores) and "speed" (words per second and the device). `evaluate` itself
        leaves `meta` alone; the training command records the scores of the model it saves."""
        self.meta["accuracy"] = {k: float(v) for k, v in scores.items()
                                 if k != "wps" and isinstance(v, (int, float))}
        device = "gpu" if isinstance(get_current_ops(), CupyOps) else "cpu"
        self.meta["speed"] = {"wps": float(scores.get("wps", 0.0)), "device": device}

    # ---- serialization ---------------------------------------------------------------------------

    def _saved_components(self) -> list[tuple[str, Any]]:
        return [(name, proc) for name, proc in self._pipeline if implements(proc, SavedComponent)]

    def _meta(self) -> dict[str, Any]:
        meta = dict(self.meta)
        saved = self._saved_components()
        meta.update({
            "lang": self.lang,
            "pipeline": [name for name, _ in saved],
            "factories": {name: _factory_of(proc, name) for name, proc in saved},
            "labels": {name: list(proc.labels) if implements(proc, TrainableComponent) else []
                       for name, proc in saved},
            "nlp_models_version": __version__,
        })
        # Saved without weights on purpose; any other component's model.bin must be there.
        untrained = [name for name, proc in saved if _lacks_weights(proc)]
        meta.pop("untrained", None)
        if untrained:
            meta["untrained"] = untrained
        meta.setdefault("name", "pipeline")
        meta.setdefault("version", "0.0.0")
        return meta

    def to_disk(self, path: str | Path) -> None:
        """Write meta.json, config.json (if `self.config` holds settings), vocab/, tokenizer and
        one folder per component, atomically (into a temporary folder, flushed to disk, then
        renamed over `path`). Custom callables without to_disk are skipped."""
        for name, _proc in self._saved_components():
            check_component_name(name, "to_disk")
        check_config(self.config, "to_disk: nlp.config")
        atomic_write_dir(Path(path), self._write_folder, fsync=True)

    def _write_folder(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        # Components first: they may add strings (labels) the vocab must then hold.
        for name, proc in self._saved_components():
            proc.to_disk(path / name)
        self.vocab.to_disk(path / VOCAB_DIR)
        self.tokenizer.to_disk(path / TOKENIZER_FILE)
        srsly.write_json(path / META_FILE, self._meta())
        if self.config:  # a folder without settings stays as it was: no empty config.json
            write_config(path / CONFIG_FILE, self.config)

    def from_disk(self, path: str | Path) -> Language:
        """Load a folder written by `to_disk` into this object (components are created as
        needed). Everything is read and checked now: a bad file is a one-line error naming it."""
        path = Path(path)
        check_links(path)
        meta = read_meta(path)
        config = read_config(path)
        if meta.get("lang", self.lang) != self.lang:
            raise ValueError(f"{path / META_FILE}: pipeline is for language {meta['lang']!r}, not {self.lang!r}")
        self.vocab.from_disk(path / VOCAB_DIR)
        if (path / TOKENIZER_FILE).exists() and isinstance(self.tokenizer, Tokenizer):
            self.tokenizer.from_disk(path / TOKENIZER_FILE)  # a custom tokenizer keeps its own rules
        for name in meta.get("pipeline", []):
            proc = self._component_for(name, meta, str(path / META_FILE))
            proc.from_disk(path / name)
            if _lacks_weights(proc) and name not in meta.get("untrained", []):
                raise FileNotFoundError(f"{path / name / MODEL_FILE}: missing (the weights of component '{name}')")
        self._link_listeners()
        self.meta = {k: v for k, v in meta.items() if k not in _DERIVED_META}
        self.config = config
        return self

    def _component_for(self, name: str, meta: dict, where: str) -> Any:
        if self.has_pipe(name):
            if not implements(self.get_pipe(name), SavedComponent):
                raise ValueError(f"{where}: component {name!r} is in this pipeline but cannot be loaded into")
            return self.get_pipe(name)
        factory = meta.get("factories", {}).get(name, name)
        spec = find_component_spec(factory)
        if spec is None:
            raise ValueError(
                f"{where}: component {name!r} needs factory {factory!r}, which is not available "
                f"(no registered factory has that name: install the package that provides it)"
            )
        proc = spec.cls(self.vocab, name=name)
        self.add_pipe(proc, name=name)
        return proc

    def to_bytes(self) -> bytes:
        check_config(self.config, "to_bytes: nlp.config")
        components = {name: proc.to_bytes() for name, proc in self._saved_components()}
        return srsly.msgpack_dumps({
            "meta": self._meta(),
            "config": self.config,
            "vocab": self.vocab.to_bytes(),
            "tokenizer": self.tokenizer.to_bytes(),
            "components": components,
        })

    def from_bytes(self, data: bytes) -> Language:
        try:
            msg = srsly.msgpack_loads(data)
        except Exception:  # noqa: BLE001 - msgpack raises several unrelated types
            msg = None
        if not isinstance(msg, dict) or not isinstance(msg.get("meta"), dict) or "lang" not in msg["meta"]:
            raise ValueError("Language.from_bytes: not the bytes of a saved pipeline")
        meta = msg["meta"]
        check_meta(meta, "Language.from_bytes")
        config = msg.get("config", {})  # bytes saved before configs existed have none
        check_config(config, "Language.from_bytes: config")
        components = msg.get("components")
        if not isinstance(components, dict) or not set(meta.get("pipeline", [])) <= set(components):
            raise ValueError("Language.from_bytes: the bytes lack components that the meta lists")
        if not isinstance(msg.get("vocab"), bytes) or not isinstance(msg.get("tokenizer"), bytes):
            raise ValueError("Language.from_bytes: the bytes lack the vocab or the tokenizer")
        if meta.get("lang", self.lang) != self.lang:
            raise ValueError(f"Language.from_bytes: pipeline is for language {meta['lang']!r}, not {self.lang!r}")
        self.vocab.from_bytes(msg["vocab"])
        self.tokenizer.from_bytes(msg["tokenizer"])
        for name in meta.get("pipeline", []):
            self._component_for(name, meta, "Language.from_bytes").from_bytes(components[name])
        self._link_listeners()
        self.meta = {k: v for k, v in meta.items() if k not in _DERIVED_META}
        self.config = config
        return self


def _normalized(component: Any, count: float | None) -> contextlib.AbstractContextManager[Any]:
    """`component.normalized_by(count)`, or nothing to do when no count is given."""
    if count is None or not implements(component, NormalizedLoss):
        return contextlib.nullcontext()
    return component.normalized_by(count)


def _factory_of(component: Any, name: str) -> str:
    """The registered factory a saved component is recreated from (its name for others)."""
    return component.factory if implements(component, TrainableComponent) else name


def _lacks_weights(component: Any) -> bool:
    """A trainable component whose model is not built yet (saved and loaded without weights)."""
    return implements(component, TrainableComponent) and component.model is None
