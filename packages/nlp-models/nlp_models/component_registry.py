"""The component registry: every component, built-in or a user's, declares itself once here.

A component class is registered with the `register_component` decorator, which records its
factory name and everything the rest of the system derives from it: the default cfg (the
class's `default_cfg`), the annotation it learns from and how to read its labels off an
Example, its batch-size maximum, its scores, table columns and report charts
(`nlp_train.ComponentInfo`), and an optional scorer of its own. `Language.create_pipe`, the
loader, `nlp train -p`, `nlp debug-data`, `nlp evaluate`, the batch heuristic, the best-model
score and the training table all read the registry; none of them names a component.

A user's package registers its components by importing this module and decorating its classes;
to make them available by name (`nlp train -p mine`, loading a saved model) without an import,
it declares the module under the entry point group `nlp_models.components` in its pyproject:

    [project.entry-points."nlp_models.components"]
    mine = "my_package.my_component"

The entry points are read the first time a factory name is not found. Loading a model never
imports anything else: a saved folder names factories, it carries no code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from typing import Any, TypeVar

from nlp_train.components import ComponentInfo, ScoreColumn, ScoreCurve, ScoreWeight, register_info

#: The entry point group user packages declare their component modules under.
ENTRY_POINT_GROUP = "nlp_models.components"

C = TypeVar("C", bound=type)


@dataclass(frozen=True)
class ComponentSpec:
    """What the system knows of one component factory.

    - ``factory``: the name `create_pipe`, `nlp train -p` and saved models use.
    - ``cls``: called as ``cls(vocab, name=name, **cfg)``; its ``default_cfg`` is the cfg.
    - ``annotation``: what it learns from, in words ("tags"); None: it learns from no
      annotation of its own (a shared tok2vec, trained through its listeners).
    - ``label_kind``: what its labels are, in words ("dependency labels").
    - ``gold_labels``: the labels one nlp_gold Example's gold holds for it (None: it has none).
    - ``training``: its table columns, score weights, batch maximum and report charts (the
      name is filled in per pipeline by `info_for`).
    - ``evaluate_rows``: ``(score key, label)`` rows `nlp evaluate` prints for it.
    - ``scorer``: extra scores from scored Examples (`nlp_gold.Scorer` gives the built-in
      ones); its keys join `Language.evaluate`'s result.
    - ``rare_label_count``: `nlp debug-data` warns about labels seen fewer times than this.
    - ``can_listen``: the component can read a shared tok2vec (`nlp train -st`).
    """

    factory: str
    cls: type
    annotation: str | None = None
    label_kind: str = "labels"
    gold_labels: Callable[[Any], Iterable[str]] | None = None
    training: ComponentInfo = ComponentInfo(name="")
    evaluate_rows: tuple[tuple[str, str], ...] = ()
    scorer: Callable[[Sequence[Any]], Mapping[str, Any]] | None = None
    rare_label_count: int = 5
    can_listen: bool = True

    @property
    def default_cfg(self) -> dict[str, Any]:
        return dict(getattr(self.cls, "default_cfg", {}))

    def info_for(self, name: str) -> ComponentInfo:
        """The component's training info under its pipeline name."""
        return replace(self.training, name=name)


_REGISTRY: dict[str, ComponentSpec] = {}
_ENTRY_POINTS_READ = False


def register_component(
    factory: str,
    *,
    annotation: str | None = None,
    label_kind: str = "labels",
    gold_labels: Callable[[Any], Iterable[str]] | None = None,
    loss_header: str | None = None,
    columns: Sequence[ScoreColumn] = (),
    score_weights: Sequence[ScoreWeight] = (),
    max_batch_size: int | None = None,
    curves: Sequence[ScoreCurve] = (),
    tables: Sequence[str] = (),
    token_level: bool = False,
    evaluate_rows: Sequence[tuple[str, str]] = (),
    scorer: Callable[[Sequence[Any]], Mapping[str, Any]] | None = None,
    rare_label_count: int = 5,
    can_listen: bool = True,
) -> Callable[[C], C]:
    """A class decorator that registers a component factory (see `ComponentSpec`); the class
    gets ``factory`` as its attribute of that name. Registering a taken name is a ValueError,
    unless it is the same class again (a module imported twice)."""
    if not isinstance(factory, str) or not factory.isidentifier():
        raise ValueError(f"register_component: factory name must be an identifier, got {factory!r}")

    def decorate(cls: C) -> C:
        training = ComponentInfo(
            name=factory, loss_header=loss_header, columns=tuple(columns),
            score_weights=tuple(score_weights), max_batch_size=max_batch_size,
            curves=tuple(curves), tables=tuple(tables), token_level=token_level,
        )
        spec = ComponentSpec(
            factory=factory, cls=cls, annotation=annotation, label_kind=label_kind,
            gold_labels=gold_labels, training=training, evaluate_rows=tuple(evaluate_rows),
            scorer=scorer, rare_label_count=rare_label_count, can_listen=can_listen,
        )
        known = _REGISTRY.get(factory)
        if known is not None and _qualname(known.cls) != _qualname(cls):
            raise ValueError(f"register_component: factory {factory!r} is taken by "
                             f"{_qualname(known.cls)}; {_qualname(cls)} needs another name")
        _REGISTRY[factory] = spec
        register_info(training)  # the seed's get_batches(data, factory) finds its batch maximum
        cls.factory = factory
        return cls

    return decorate


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _read_entry_points() -> None:
    """Import the modules user packages declare under ENTRY_POINT_GROUP (once): importing one
    runs its `register_component` decorators. A module that fails to import is named."""
    global _ENTRY_POINTS_READ
    if _ENTRY_POINTS_READ:
        return
    _ENTRY_POINTS_READ = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except Exception as err:  # noqa: BLE001 - any failure of a user's module
            raise ImportError(f"component entry point {point.name!r} ({point.value}) failed to "
                              f"import: {type(err).__name__}: {err}") from err


def get_component_spec(factory: str) -> ComponentSpec:
    """The spec of ``factory``; a KeyError naming the available factories if there is none."""
    if factory not in _REGISTRY:
        _read_entry_points()
    try:
        return _REGISTRY[factory]
    except KeyError:
        raise KeyError(f"No component factory named {factory!r}; available factories: "
                       f"{', '.join(component_factories()) or 'none'}") from None


def find_component_spec(factory: str) -> ComponentSpec | None:
    """The spec of ``factory``, or None when nothing registers it (entry points read if needed)."""
    if factory not in _REGISTRY:
        _read_entry_points()
    return _REGISTRY.get(factory)


def has_component(factory: str) -> bool:
    """Whether ``factory`` is registered (reading the entry points if needed)."""
    return find_component_spec(factory) is not None


def component_factories() -> list[str]:
    """Every registered factory name (built-in and from entry points), sorted."""
    _read_entry_points()
    return sorted(_REGISTRY)


def component_specs() -> Mapping[str, ComponentSpec]:
    """A read-only view of the registry (factory name -> spec)."""
    _read_entry_points()
    return dict(_REGISTRY)
