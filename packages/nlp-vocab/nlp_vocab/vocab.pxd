from cymem.cymem cimport Pool
from preshed.maps cimport PreshMap

from .strings cimport StringStore
from .structs cimport LexemeC
from .typedefs cimport attr_t


cdef class Vocab:
    cdef Pool mem
    cdef PreshMap _by_orth            # orth -> LexemeC*
    cdef list _orths                  # orths in creation order
    cdef readonly StringStore strings
    cdef readonly str lang
    cdef readonly object lang_data    # nlp_vocab.lang.LangData
    cdef public object tag_map        # nlp_vocab.tag_map.TagMap or None
    cdef public object vectors        # nlp_vocab.vectors.Vectors or None
    cdef list _flag_getters           # [(flag bit, function(text) -> bool)]
    cdef dict _string_getters         # attribute name -> function(text) -> str

    cdef const LexemeC* get(self, str string) except NULL
    cdef const LexemeC* get_by_orth(self, attr_t orth) except NULL
    cdef const LexemeC* _new_lexeme(self, str string, attr_t orth) except NULL
