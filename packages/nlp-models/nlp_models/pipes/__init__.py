"""Pipeline components and the factory table `Language.create_pipe` reads.

Each component module registers itself below with one import line and one FACTORIES line.
"""

from .base import TrainablePipe, batched, set_dropout

FACTORIES: dict[str, type] = {}

__all__ = ["FACTORIES", "TrainablePipe", "batched", "set_dropout"]
