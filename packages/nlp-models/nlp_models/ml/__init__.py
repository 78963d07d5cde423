"""Neural network architectures (thinc 8.3): tok2vec, tagger, parser/NER, textcat, pretraining."""

from .biaffine import ParseBatch, ParseGrads, ParseScores, build_biaffine_parser_model, parse_loss
from .biaffine_scorers import build_biaffine_arc_scorer, build_biaffine_label_scorer
from .bilstm import BiLSTM
from .chars import DEFAULT_CHAR_WINDOW, CharEmbed, char_codes
from .featurize import FEATURE_ATTRS, check_features, doc_features, featurize_docs, featurize_for
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
from .mst import mst_heads
from .nb_fit import fit_log_count_ratios, log_count_ratios
from .nb_textcat import build_nb_ensemble_classifier, build_nb_text_classifier
from .ops import get_cpu_ops, model_ops, use_cpu_ops
from .pretrain import (
    OBJECTIVES,
    CharactersObjective,
    PretrainObjective,
    VectorsObjective,
    build_pretrain_characters_model,
    build_pretrain_vectors_model,
    make_objective,
    mask_tokens,
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
from .tok2vec import build_hash_embed_cnn_tok2vec, saved_tok2vec_layers, tok2vec_settings
from .transition_model import ParserStepModel, build_transition_model, predict_step
from .vectors import StaticVectors, VectorTable, static_vector_targets

__all__ = [
    "FEATURE_ATTRS",
    "OBJECTIVES",
    "CharactersObjective",
    "PretrainObjective",
    "VectorsObjective",
    "make_objective",
    "mask_tokens",
    "pretrain_loss",
    "BiLSTM",
    "CharEmbed",
    "DEFAULT_CHAR_WINDOW",
    "FastMaxout",
    "ParseBatch",
    "ParseGrads",
    "ParseScores",
    "ListenerLink",
    "ParserStepModel",
    "SharedBatch",
    "StaticVectors",
    "VectorTable",
    "architectures",
    "build_biaffine_arc_scorer",
    "build_biaffine_label_scorer",
    "build_biaffine_parser_model",
    "build_bow_text_classifier",
    "build_cnn_text_classifier",
    "build_hash_embed_cnn_tok2vec",
    "build_nb_ensemble_classifier",
    "build_nb_text_classifier",
    "build_pretrain_characters_model",
    "build_pretrain_vectors_model",
    "build_tagger_model",
    "build_token_scores_model",
    "build_text_classifier",
    "build_tok2vec_listener",
    "build_transition_model",
    "categorical_loss",
    "char_codes",
    "character_targets",
    "characters_loss",
    "check_features",
    "doc_features",
    "featurize_docs",
    "featurize_for",
    "fit_log_count_ratios",
    "get_cpu_ops",
    "model_ops",
    "log_count_ratios",
    "mst_heads",
    "parse_loss",
    "pool_windows",
    "predict_pooled",
    "predict_step",
    "resize_output",
    "static_vector_targets",
    "textcat_loss",
    "saved_tok2vec_layers",
    "tok2vec_settings",
    "transition_loss",
    "use_cpu_ops",
    "vectors_loss",
]
