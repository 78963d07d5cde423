"""The recipe's optimizer: Adam with L2, gradient clipping and averaging.

thinc 8.3's ``Optimizer`` keeps the parameter averages itself, in
``optimizer.averages``: a dict ``{(model_id, param_name): array}`` updated on
every step when ``use_averages`` is on.  That is exactly the mapping thinc's
``Model.use_params`` takes, so ``with nlp.use_params(optimizer.averages):``
swaps the averaged weights in, as the seed describes.

The optimizer also answers to spaCy v2's attribute names (thinc 7's Adam):
``alpha`` is ``learn_rate`` and ``max_grad_norm`` is ``grad_clip``; ``b1``,
``b2``, ``eps`` and ``L2`` are thinc's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from thinc.api import Optimizer

from .settings import check_environment, resolve

LearnRate = float | Iterator[float]


def _alias(attr: str, doc: str) -> property:
    """A read-write property that is another name of the attribute ``attr``."""

    def get(self: Optimizer) -> float:
        return getattr(self, attr)

    def set_(self: Optimizer, value: float) -> None:
        setattr(self, attr, value)

    return property(get, set_, doc=doc)


class RecipeOptimizer(Optimizer):
    """thinc's Optimizer with v2's names for two of its hyper-parameters, so
    v2 code such as ``optimizer.alpha = 0.002`` or ``optimizer.max_grad_norm``
    reads and sets the values the optimizer uses."""

    __slots__ = ()
    alpha = _alias("learn_rate", "v2's name of the learning rate (``learn_rate``).")
    max_grad_norm = _alias("grad_clip", "v2's name of the gradient clipping threshold (``grad_clip``).")


def create_optimizer(
    learn_rate: LearnRate | None = None,
    *,
    beta1: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    L2: float | None = None,
    grad_clip: float | None = None,
    use_averages: bool = True,
    L2_is_weight_decay: bool = False,
    env: Mapping[str, str] | None = None,
) -> RecipeOptimizer:
    """Build thinc's Adam with the recipe's defaults.

    Each value is taken from its argument, else from its environment variable
    (``NLP_LEARN_RATE``, ``NLP_BETA1``, ``NLP_BETA2``, ``NLP_EPS``, ``NLP_L2``,
    ``NLP_GRAD_CLIP``), else from the recipe (0.001, 0.9, 0.999, 1e-8, 1e-6,
    1.0).  ``learn_rate`` may also be an iterator (a schedule), stepped by the
    training loop through ``optimizer.step_schedules()``.  ``L2`` is added to
    the gradient (classic L2 regularization, as in the recipe) unless
    ``L2_is_weight_decay`` asks for decoupled weight decay.  ``env`` replaces
    ``os.environ`` (for tests).  spaCy v2's variables (``learn_rate``,
    ``optimizer_B1``, ``L2_penalty``, ...) are read too, see
    :mod:`nlp_train.settings`; an unknown ``NLP_*`` variable warns.
    """
    check_environment(env)
    if learn_rate is None or isinstance(learn_rate, (int, float)):
        rate: LearnRate = resolve("learn_rate", learn_rate, env)
    else:
        rate = learn_rate
    return RecipeOptimizer(
        rate,
        beta1=resolve("beta1", beta1, env),
        beta2=resolve("beta2", beta2, env),
        eps=resolve("eps", eps, env),
        L2=resolve("L2", L2, env),
        grad_clip=resolve("grad_clip", grad_clip, env),
        use_averages=use_averages,
        use_radam=False,
        L2_is_weight_decay=L2_is_weight_decay,
    )
