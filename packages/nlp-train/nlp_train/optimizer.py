"""The recipe's optimizer: Adam with L2, gradient clipping and averaging.

thinc 8.3's ``Optimizer`` keeps the parameter averages itself, in
``optimizer.averages``: a dict ``{(model_id, param_name): array}`` updated on
every step when ``use_averages`` is on.  That is exactly the mapping thinc's
``Model.use_params`` takes, so ``with nlp.use_params(optimizer.averages):``
swaps the averaged weights in, as the seed describes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from thinc.api import Optimizer

from .settings import resolve

LearnRate = float | Iterator[float]


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
) -> Optimizer:
    """Build thinc's Adam with the recipe's defaults.

    Each value is taken from its argument, else from its environment variable
    (``NLP_LEARN_RATE``, ``NLP_BETA1``, ``NLP_BETA2``, ``NLP_EPS``, ``NLP_L2``,
    ``NLP_GRAD_CLIP``), else from the recipe (0.001, 0.9, 0.999, 1e-8, 1e-6,
    1.0).  ``learn_rate`` may also be an iterator (a schedule), stepped by the
    training loop through ``optimizer.step_schedules()``.  ``L2`` is added to
    the gradient (classic L2 regularization, as in the recipe) unless
    ``L2_is_weight_decay`` asks for decoupled weight decay.  ``env`` replaces
    ``os.environ`` (for tests).
    """
    if learn_rate is None or isinstance(learn_rate, (int, float)):
        rate: LearnRate = resolve("learn_rate", learn_rate, env)
    else:
        rate = learn_rate
    return Optimizer(
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
