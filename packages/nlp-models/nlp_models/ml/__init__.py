"""Neural network architectures (thinc 8.3): tok2vec, tagger, parser/NER, textcat, pretraining."""

from .featurize import FEATURE_ATTRS, check_features, doc_features, featurize_docs
from .listener import ListenerLink, SharedBatch, build_tok2vec_listener
from .losses import (
    categorical_loss,
    character_targets,
    characters_loss,
    textcat_loss,
    transition_loss,
    vectors_loss,
)
from .maxout import FastMaxout
from .ops import get_cpu_ops, model_ops, use_cpu_ops
from .pretrain import (
    OBJECTIVES,
    CharactersObjective,
    PretrainObjective,
    VectorsObjective,
    build_pretrain_characters_model,
    build_pretrain_vectors_model,
    make_objective,
    pretrain_loss,
)
from .registry import architectures
from .resize import resize_output
from .tagger import build_tagger_model, build_token_scores_model
from .textcat import (
    build_bow_text_classifier,
    build_cnn_text_classifier,
    build_text_classifier,
    pool_windows,
    predict_pooled,
)
from .tok2vec import build_hash_embed_cnn_tok2vec
from .transition_model import ParserStepModel, build_transition_model, predict_step
from .vectors import StaticVectors, VectorTable, static_vector_targets

__all__ = [
    "FEATURE_ATTRS",
    "OBJECTIVES",
    "CharactersObjective",
    "PretrainObjective",
    "VectorsObjective",
    "make_objective",
    "pretrain_loss",
    "FastMaxout",
    "ListenerLink",
    "ParserStepModel",
    "SharedBatch",
    "StaticVectors",
    "VectorTable",
    "architectures",
    "build_bow_text_classifier",
    "build_cnn_text_classifier",
    "build_hash_embed_cnn_tok2vec",
    "build_pretrain_characters_model",
    "build_pretrain_vectors_model",
    "build_tagger_model",
    "build_token_scores_model",
    "build_text_classifier",
    "build_tok2vec_listener",
    "build_transition_model",
    "categorical_loss",
    "character_targets",
    "characters_loss",
    "check_features",
    "doc_features",
    "featurize_docs",
    "get_cpu_ops",
    "model_ops",
    "pool_windows",
    "predict_pooled",
    "predict_step",
    "resize_output",
    "static_vector_targets",
    "textcat_loss",
    "transition_loss",
    "use_cpu_ops",
    "vectors_loss",
]
