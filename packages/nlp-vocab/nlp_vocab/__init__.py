"""nlp-vocab: Strings, lexemes, vectors, tag maps, Doc/Token/Span, the rule-based tokenizer and
`render`, pictures of parses and entities for a browser."""

from . import attrs
from .about import __version__
from .doc import Doc
from .docbin import DocBin
from .entity_scores import ENT_SCORES, entity_scores, set_entity_scores
from .lang import LangData, check_language, get_lang_data, known_languages
from .lexeme import Lexeme
from .matcher import Matcher
from .phrasematcher import PhraseMatcher
from .span import Span
from .strings import StringStore, hash_string
from .tag_map import TagMap, english_tag_map
from .token import Token
from .tokenizer import Tokenizer
from .vectors import Vectors
from .visualize import render
from .vocab import Vocab

__all__ = ["__version__", "attrs", "LangData", "check_language", "get_lang_data", "known_languages", "Lexeme", "Matcher", "PhraseMatcher", "StringStore", "hash_string", "Vocab", "Doc", "Token", "Span", "ENT_SCORES", "entity_scores", "set_entity_scores", "DocBin", "Tokenizer", "Vectors", "TagMap", "english_tag_map", "render"]
