# The rule-based tokenizer: whitespace split in C, a cache of each chunk's lexemes, regex rules
# only for chunks not seen before.
from cymem.cymem cimport Pool
from preshed.maps cimport PreshMap

from .doc cimport Doc
from .structs cimport LexemeC
from .typedefs cimport hash_t
from .vocab cimport Vocab


cdef struct CachedSplit:
    int length                  # number of tokens the chunk splits into
    const LexemeC** lexemes     # their lexemes, in order
    const LexemeC** forms       # NULL, or per token its word form's lexeme (NULL: its text)
    int* groups                 # NULL, or per token its MULTIWORD value (nlp_vocab.multiword)


cdef class Tokenizer:
    cdef Pool mem
    cdef PreshMap _cache        # hash of a chunk's code units -> CachedSplit*
    cdef int _cache_size
    cdef readonly Vocab vocab
    cdef object _prefix_search
    cdef object _suffix_search
    cdef object _infix_finditer
    cdef object _whole_match
    cdef dict _specials         # chunk text -> tuple of piece texts
    cdef dict _exceptions       # chunk text -> list of piece dicts (as given)
    cdef dict _rules            # the rule strings as given (for serialization)
    cdef dict _expansions       # surface form -> tuple of words (multiword tokens)

    cdef int _push_chunk(self, Doc doc, str text, int start, int end, int kind,
                         const void* data) except -1
    cdef int _push_space(self, Doc doc, str text, int start, int end, int kind,
                         const void* data) except -1
    cdef const CachedSplit* _fill(self, hash_t key, list pieces) except NULL
