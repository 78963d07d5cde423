"""nlp-train: The optimization recipe, schedules, batching and the training loop."""

from .about import __version__
from .batching import (
    batch_size_schedule,
    get_batches,
    max_batch_size,
    minibatch,
    minibatch_by_words,
)
from .checkpoint import LoopState, has_checkpoint
from .components import (
    ComponentInfo,
    ScoreColumn,
    ScoreCurve,
    ScoreWeight,
    known_info,
    pipeline_infos,
    register_info,
)
from .divergence import TrainingDiverged
from .loop import TrainConfig, TrainResult, train
from .optimizer import RecipeOptimizer, create_optimizer
from .protocol import Corpus, Params, TrainablePipeline
from .ray_workers import WorkerLost
from .report import read_log
from .report_html import write_report
from .run import TrainingRun
from .schedules import compounding, constant, decaying
from .scoring import default_score_weights, weighted_score
from .settings import SETTINGS, check_environment
from .streaming import ShuffleBuffer

__all__ = [
    "__version__",
    "SETTINGS",
    "ComponentInfo",
    "Corpus",
    "LoopState",
    "Params",
    "RecipeOptimizer",
    "ScoreColumn",
    "ScoreCurve",
    "ScoreWeight",
    "ShuffleBuffer",
    "TrainConfig",
    "TrainResult",
    "TrainingRun",
    "TrainablePipeline",
    "TrainingDiverged",
    "WorkerLost",
    "batch_size_schedule",
    "check_environment",
    "compounding",
    "constant",
    "create_optimizer",
    "decaying",
    "default_score_weights",
    "get_batches",
    "has_checkpoint",
    "known_info",
    "max_batch_size",
    "minibatch",
    "minibatch_by_words",
    "pipeline_infos",
    "read_log",
    "register_info",
    "train",
    "weighted_score",
    "write_report",
]
