# C kernels of the precomputed hidden layer: a state's pre-activation is the sum of one
# precomputed row per feature slot (row = token id, or the padding row when the slot is empty).

cdef inline long row_of(int token_id, int pad_row) noexcept nogil:
    return pad_row if token_id < 0 else token_id


cdef void sum_state_rows(float* out, const float* table, const float* bias, const int* ids,
                         int n_states, int n_slots, int n_cols, int pad_row) noexcept nogil

cdef void scatter_state_rows(float* d_table, const float* d_out, const int* ids,
                             int n_states, int n_slots, int n_cols, int pad_row) noexcept nogil
