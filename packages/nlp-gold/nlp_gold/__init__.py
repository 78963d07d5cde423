"""nlp-gold: Gold annotations, alignment, BILUO, (de)projectivization, corpus readers/writers and the scorer."""

from .about import __version__
from .alignment import Alignment
from .biluo import (
    biluo_tags_from_offsets,
    biluo_to_iob,
    iob_to_biluo,
    offsets_from_biluo_tags,
    spans_from_biluo_tags,
    tags_to_entities,
)
from .columns import read_columns, read_word_tag_lines, write_columns
from .conll18 import CONLL18_METRICS, conll18_score_files, conll18_scores
from .conllu import read_conllu, write_conllu
from .corpus import Corpus, detect_format, merge_annotations, read_annotations
from .docdata import doc_from_annotations, doc_to_annotations
from .errors import (
    AlignmentError,
    BiluoError,
    CorpusError,
    CorpusWarning,
    GoldError,
    MisalignedEntityWarning,
)
from .example import Example
from .goldparse import GoldParse
from .json_format import docs_to_json, read_json, write_json
from .jsonl import read_jsonl, write_jsonl
from .nonproj import (
    decorated_label_freqs,
    deprojectivize,
    is_nonproj_arc,
    is_nonproj_tree,
    projectivize,
)
from .scorer import PRFScore, Scorer, roc_auc

__all__ = [
    "__version__",
    "Alignment",
    "AlignmentError",
    "BiluoError",
    "CONLL18_METRICS",
    "Corpus",
    "CorpusError",
    "CorpusWarning",
    "Example",
    "GoldError",
    "GoldParse",
    "MisalignedEntityWarning",
    "PRFScore",
    "Scorer",
    "biluo_tags_from_offsets",
    "biluo_to_iob",
    "conll18_score_files",
    "conll18_scores",
    "decorated_label_freqs",
    "deprojectivize",
    "detect_format",
    "doc_from_annotations",
    "doc_to_annotations",
    "docs_to_json",
    "iob_to_biluo",
    "is_nonproj_arc",
    "is_nonproj_tree",
    "merge_annotations",
    "offsets_from_biluo_tags",
    "projectivize",
    "read_annotations",
    "read_columns",
    "read_conllu",
    "read_json",
    "read_jsonl",
    "read_word_tag_lines",
    "roc_auc",
    "spans_from_biluo_tags",
    "tags_to_entities",
    "write_columns",
    "write_conllu",
    "write_json",
    "write_jsonl",
]
