"""What the training loop needs to know about each component, told by the pipeline.

nlp-train names no component: a pipeline describes each of its trained components with a
`ComponentInfo` (through ``component_info()``, see :mod:`nlp_train.protocol`): the table
columns its loss and scores show as, the weights of its main metrics in the best-model score,
its batch-size maximum (the seed's heuristic) and its report charts and tables. The infos are
plain data, written into the training log so ``nlp report`` can redraw a run without the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ScoreColumn:
    """One column of the per-epoch table: its header and the score keys it reads (the first
    one the scores have wins), formatted with ``fmt``."""

    header: str
    keys: tuple[str, ...]
    fmt: str = ".3f"


@dataclass(frozen=True)
class ScoreWeight:
    """A main metric of a component (the first of ``keys`` the scores have) and its weight
    within the component; each component with a main metric counts equally."""

    keys: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class ScoreCurve:
    """A dev-score chart of the training report: ``title`` and ``(score key, legend)`` pairs."""

    title: str
    keys: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ComponentInfo:
    """How one trained component shows in the loop's table, score and report.

    - ``name``: the component's name in the pipeline (the key of its loss in ``losses``).
    - ``loss_header``: the header of its loss column (None: no loss column).
    - ``columns``: its score columns, in table order.
    - ``score_weights``: its main metrics for choosing ``model-best``.
    - ``max_batch_size``: the most examples a batch should hold for it (None: no limit).
    - ``curves``: its charts in ``report.html``.
    - ``tables``: score keys of its per-label tables and confusion lists (``tag_per_label``...).
    - ``token_level``: it annotates tokens, so the table shows the tokenization score too.
    """

    name: str
    loss_header: str | None = None
    columns: tuple[ScoreColumn, ...] = ()
    score_weights: tuple[ScoreWeight, ...] = ()
    max_batch_size: int | None = None
    curves: tuple[ScoreCurve, ...] = ()
    tables: tuple[str, ...] = ()
    token_level: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the training log)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComponentInfo:
        """The inverse of :meth:`to_dict`; a ValueError when ``data`` is not one."""
        try:
            return cls(
                name=str(data["name"]),
                loss_header=data.get("loss_header"),
                columns=tuple(ScoreColumn(c["header"], tuple(c["keys"]), c.get("fmt", ".3f"))
                              for c in data.get("columns", ())),
                score_weights=tuple(ScoreWeight(tuple(w["keys"]), float(w["weight"]))
                                    for w in data.get("score_weights", ())),
                max_batch_size=data.get("max_batch_size"),
                curves=tuple(ScoreCurve(c["title"], tuple((k, n) for k, n in c["keys"]))
                             for c in data.get("curves", ())),
                tables=tuple(data.get("tables", ())),
                token_level=bool(data.get("token_level", False)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a component description: {err!r} in {dict(data)!r}") from None


#: The infos of the component factories a model library registered (nlp_models'
#: `register_component` adds each), so the seed's `get_batches(data, name)` and a pipeline
#: without `component_info()` still find a component's batch maximum and metrics by name.
_KNOWN: dict[str, ComponentInfo] = {}


def register_info(info: ComponentInfo) -> None:
    """Make ``info`` what the name ``info.name`` stands for (the last registration wins)."""
    _KNOWN[info.name] = info


def known_info(name: str) -> ComponentInfo | None:
    """The registered info of the component (factory) ``name``, or None."""
    return _KNOWN.get(name)


def known_names() -> list[str]:
    """The component names with a registered info, sorted (for error messages)."""
    return sorted(_KNOWN)


def lookup_infos(components: str | ComponentInfo | Iterable[str | ComponentInfo],
                 what: str) -> list[ComponentInfo]:
    """``components`` as infos: an info stays as it is, a name is looked up with `known_info`;
    a name nobody registered is a one-line ValueError (``what`` names the caller) that lists
    the known names."""
    items = [components] if isinstance(components, (str, ComponentInfo)) else list(components)
    infos = []
    for item in items:
        info = item if isinstance(item, ComponentInfo) else known_info(str(item))
        if info is None:
            raise ValueError(f"{what}: no component named {item!r} is registered (known: "
                             f"{', '.join(known_names()) or 'none'}); pass a ComponentInfo")
        infos.append(info)
    return infos


def generic_info(name: str) -> ComponentInfo:
    """The description of a component its pipeline says nothing about: a loss column only."""
    return ComponentInfo(name=name, loss_header=f"{name} loss")


def pipeline_infos(nlp: Any) -> list[ComponentInfo]:
    """The infos of the components ``nlp`` trains: its ``component_info()``, else per name of
    ``pipe_names`` the registered info of that name (`known_info`), else a generic one."""
    describe = getattr(nlp, "component_info", None)
    if callable(describe):
        infos = list(describe())
        for i, info in enumerate(infos):
            if not isinstance(info, ComponentInfo):
                raise TypeError(f"component_info() item {i} is a {type(info).__name__}, "
                                "not an nlp_train.ComponentInfo")
        return infos
    return [known_info(name) or generic_info(name) for name in nlp.pipe_names]


def infos_from_log(records: Sequence[Mapping[str, Any]]) -> list[ComponentInfo]:
    """The component infos a training log recorded (from its last record that has them)."""
    for record in reversed(records):
        found = record.get("components")
        if isinstance(found, list):
            return [ComponentInfo.from_dict(item) for item in found]
    names = next((r.get("pipeline") for r in reversed(records) if r.get("pipeline")), [])
    return [generic_info(str(name)) for name in names]
