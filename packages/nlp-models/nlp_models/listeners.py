"""The shared tok2vec's wiring: which listener reads the vectors of which upstream.

A listener (a component built with cfg ``tok2vec`` = a name) reads its token vectors from the
tok2vec component of that name in its pipeline, its upstream (see `nlp_models.ml.listener`
for what flows between them). The link is made by name, so it is remade whenever the pipeline
changes; the Language calls these functions and holds no wiring logic of its own:

- `link_listeners(pipeline)`: after any change (add, replace, remove, load): each listener
  is linked to the upstream of its name, or unlinked when there is none.
- `check_listeners(pipeline, disable)`: before running or training: a clear error, naming
  both, when a listener that will run has no upstream running before it.
- `rename_upstream(pipeline, old, new)`: after an upstream was renamed: its listeners follow.
- `unlink(component)`: a component taken out of its pipeline keeps no link either way.

``pipeline`` is any iterable of ``(name, component)`` pairs in running order; components of
other kinds (plain callables included) are passed over.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, NoReturn

from .component_protocol import Listener, Upstream, implements

Pairs = Iterable[tuple[str, Any]]


def _listening(component: Any) -> str | None:
    """The upstream name `component` listens to, or None (not a listener, or its own tok2vec)."""
    return component.listens_to if implements(component, Listener) else None


def link_listeners(pipeline: Pairs) -> None:
    """Link every listener to the upstream of its name in `pipeline` (unlinked when there is
    none); each upstream's listeners become exactly those."""
    components = dict(pipeline)
    for component in components.values():
        if implements(component, Upstream):
            component.clear_listeners()
    for component in components.values():
        wanted = _listening(component)
        if not wanted:
            continue
        upstream = components.get(wanted)
        if implements(upstream, Upstream):
            upstream.add_listener(component)
        else:
            component.set_upstream(None)


def check_listeners(pipeline: Pairs, disable: Collection[str] = ()) -> None:
    """A ValueError naming both components when a listener that will run (not in `disable`)
    listens to an upstream that will not run before it (disabled, absent, or after it), or
    to a component that is no tok2vec; listeners not linked yet are linked."""
    pairs = list(pipeline)
    running = [(name, component) for name, component in pairs if name not in disable]
    position = {name: i for i, (name, _) in enumerate(running)}
    present = {name for name, _ in pairs}
    for i, (name, component) in enumerate(running):
        wanted = _listening(component)
        if not wanted:
            continue
        j = position.get(wanted)
        if j is None:
            disabled = component.upstream is not None or wanted in present
            _missing_upstream(name, wanted, "disabled" if disabled else "not in the pipeline")
        if j > i:
            raise ValueError(
                f"Component '{name}' reads its token vectors from '{wanted}', which runs after it: "
                f"put '{wanted}' before '{name}' in the pipeline"
            )
        upstream = running[j][1]
        if component.upstream is not upstream:
            if not implements(upstream, Upstream):
                raise ValueError(
                    f"Component '{name}' reads its token vectors from '{wanted}', which is not a tok2vec "
                    f"component (it is {type(upstream).__name__})"
                )
            upstream.add_listener(component)


def _missing_upstream(name: str, wanted: str, state: str) -> NoReturn:
    raise ValueError(
        f"Component '{name}' reads its token vectors from the tok2vec component '{wanted}', "
        f"which is {state}: enable or add '{wanted}' before '{name}', or disable '{name}' too"
    )


def rename_upstream(pipeline: Pairs, old: str, new: str) -> None:
    """After the component `old` of `pipeline` was renamed `new`: if it is an upstream, the
    listeners of `old` listen to `new` from now on; then every link is remade."""
    pairs = list(pipeline)
    renamed = dict(pairs).get(new)
    if implements(renamed, Upstream):
        for _name, component in pairs:
            if _listening(component) == old:
                component.listen_to(new)
    link_listeners(pairs)


def unlink(component: Any) -> None:
    """Undo the links of a component taken out of its pipeline: a listener forgets its
    upstream, an upstream its listeners."""
    if implements(component, Listener):
        component.set_upstream(None)
    if implements(component, Upstream):
        component.clear_listeners()
