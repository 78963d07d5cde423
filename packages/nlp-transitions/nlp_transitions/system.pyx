# cython: language_level=3
"""What both transition systems share: the batch helpers (one `nogil` loop over the states of a
batch each) and the single-state Python API built on them.

A subclass supplies five C methods (validity, move, features, costs, oracle choice) and the
action names; everything here is written once against those.
"""

from libc.stdlib cimport free, malloc
from libc.stdint cimport int8_t

import numpy

from ._state cimport INVALID_ACTION_COST, StateC, state_is_final
from .batch cimport StateBatch

INVALID_COST = float(INVALID_ACTION_COST)
"""Cost `set_costs` gives an action that is not valid in a state (and every action of a final
state): large, so no zero-cost test ever selects it, and finite, so a loss stays finite."""


cdef class Gold:
    """Gold annotation of one document in C form; made by a system's `make_gold`, reusable."""

    def __len__(self) -> int:
        return self.n


cdef class TransitionSystem:
    """Base of `ArcEager` and `BiluoPushDown`: the batch API and the single-state API."""

    # ---- what a subclass supplies --------------------------------------------------------

    cdef int c_valid(self, const StateC* st, int action) noexcept nogil:
        return 0

    cdef void c_apply(self, StateC* st, int action) noexcept nogil:
        pass

    cdef void c_features(self, const StateC* st, int* out) noexcept nogil:
        pass

    cdef void c_costs(self, StateC* st, const void* gold, float* out) noexcept nogil:
        pass

    cdef int c_oracle(self, StateC* st, const void* gold) noexcept nogil:
        return -1

    def _action_name_list(self) -> list:
        raise NotImplementedError

    def init_batch(self, lengths, preset=None) -> StateBatch:
        raise NotImplementedError

    # ---- actions ---------------------------------------------------------------------------

    def _actions_changed(self) -> None:
        """Forget cached names; called by a subclass whenever its labels grow."""
        self._names = None
        self._ids = None

    @property
    def n_actions(self) -> int:
        """Number of actions; ids are stable: adding a label only appends actions."""
        return self.nr_actions

    @property
    def n_features(self) -> int:
        """Number of feature slots `set_features` fills per state."""
        return self.nr_features

    @property
    def action_names(self) -> list:
        """Action names in id order."""
        if self._names is None:
            self._names = list(self._action_name_list())
        return list(self._names)

    def action_id(self, name) -> int:
        """Id of the action called `name` (an int id is checked and returned)."""
        if isinstance(name, (int, numpy.integer)):
            if not 0 <= name < self.nr_actions:
                raise ValueError(f"action id {name} out of range (0..{self.nr_actions - 1})")
            return int(name)
        if self._ids is None:
            self._ids = {n: i for i, n in enumerate(self.action_names)}
        try:
            return self._ids[name]
        except KeyError:
            raise ValueError(f"unknown action {name!r} for {type(self).__name__}") from None

    # ---- batch API -------------------------------------------------------------------------

    def _check_batch(self, states) -> None:
        if not isinstance(states, StateBatch):
            raise TypeError(f"expected a StateBatch, got {type(states).__name__}")
        if (<StateBatch>states).system is not None and (<StateBatch>states).system is not self:
            raise ValueError("this StateBatch was made by another transition system")

    def set_features(self, StateBatch states, out) -> None:
        """Write each state's feature token indices (-1 for an empty slot) into
        `out: int32[n_states, n_features]`."""
        self._check_batch(states)
        cdef int[:, ::1] view = out
        if view.shape[0] < states.size or view.shape[1] != self.nr_features:
            raise ValueError(
                f"set_features: out has shape {tuple(out.shape)}, need ({states.size}, {self.nr_features})"
            )
        cdef int i
        with nogil:
            for i in range(states.size):
                self.c_features(&states.c[i], &view[i, 0])

    def set_valid(self, StateBatch states, out) -> None:
        """Write 1 for each valid action, 0 otherwise, into `out: int8 or float32[n_states,
        n_actions]`; a final state has no valid action."""
        self._check_batch(states)
        if out.ndim != 2 or out.shape[0] < states.size or out.shape[1] != self.nr_actions:
            raise ValueError(
                f"set_valid: out has shape {tuple(out.shape)}, need ({states.size}, {self.nr_actions})"
            )
        cdef int i, a
        cdef int n_act = self.nr_actions
        cdef int8_t[:, ::1] bytes_view
        cdef float[:, ::1] float_view
        if out.dtype == numpy.int8 or out.dtype == numpy.bool_:
            bytes_view = out.view(numpy.int8)
            with nogil:
                for i in range(states.size):
                    for a in range(n_act):
                        bytes_view[i, a] = self.c_valid(&states.c[i], a)
        elif out.dtype == numpy.float32:
            float_view = out
            with nogil:
                for i in range(states.size):
                    for a in range(n_act):
                        float_view[i, a] = self.c_valid(&states.c[i], a)
        else:
            raise TypeError(f"set_valid: out must be int8, bool or float32, not {out.dtype}")

    def set_costs(self, StateBatch states, golds, out) -> None:
        """Write each action's cost (gold annotation made unreachable; `INVALID_COST` for an
        invalid action) into `out: float32[n_states, n_actions]`; `golds` holds one gold per
        state, made by `make_gold`."""
        self._check_batch(states)
        cdef float[:, ::1] view = out
        if view.shape[0] < states.size or view.shape[1] != self.nr_actions:
            raise ValueError(
                f"set_costs: out has shape {tuple(out.shape)}, need ({states.size}, {self.nr_actions})"
            )
        cdef const void** ptrs = self._gold_pointers(states, golds, "set_costs")
        cdef int i
        try:
            with nogil:
                for i in range(states.size):
                    self.c_costs(&states.c[i], ptrs[i], &view[i, 0])
        finally:
            free(ptrs)

    def apply_batch(self, StateBatch states, actions) -> None:
        """Apply `actions[i]` (an action id) to state i; final states are left alone. Raises
        ValueError naming the state if an action is not valid there (nothing after it moves)."""
        self._check_batch(states)
        cdef const int[::1] acts = numpy.ascontiguousarray(actions, dtype="int32")
        if acts.shape[0] < states.size:
            raise ValueError(f"apply_batch: {acts.shape[0]} actions for {states.size} states")
        cdef int i, a, bad = -1
        cdef int n_act = self.nr_actions
        with nogil:
            for i in range(states.size):
                if state_is_final(&states.c[i]):
                    continue
                a = acts[i]
                if a < 0 or a >= n_act or not self.c_valid(&states.c[i], a):
                    bad = i
                    break
                self.c_apply(&states.c[i], a)
        if bad >= 0:
            name = self.action_names[acts[bad]] if 0 <= acts[bad] < n_act else acts[bad]
            raise ValueError(f"apply_batch: action {name!r} is not valid in state {bad}")

    def follow_oracle(self, StateBatch states, golds) -> int:
        """Advance every state to the end along the oracle (a zero-cost action where one
        exists, preferring the canonical one); returns the number of transitions made."""
        self._check_batch(states)
        cdef const void** ptrs = self._gold_pointers(states, golds, "follow_oracle")
        cdef int i, a
        cdef long count = 0
        cdef StateC* st
        try:
            with nogil:
                for i in range(states.size):
                    st = &states.c[i]
                    while not state_is_final(st):
                        a = self.c_oracle(st, ptrs[i])
                        if a < 0:
                            break
                        self.c_apply(st, a)
                        count += 1
        finally:
            free(ptrs)
        return count

    cdef const void** _gold_pointers(self, object states_obj, object golds, str where) except NULL:
        cdef StateBatch states = states_obj
        golds = list(golds)
        if len(golds) != states.size:
            raise ValueError(f"{where}: {len(golds)} golds for {states.size} states")
        cdef const void** ptrs = <const void**>malloc(max(states.size, 1) * sizeof(void*))
        if ptrs == NULL:
            raise MemoryError()
        cdef Gold gold
        cdef int i
        try:
            for i in range(states.size):
                self._check_gold(golds[i], states.c[i].n, where, i)
                gold = golds[i]
                ptrs[i] = gold.ptr
        except BaseException:
            free(ptrs)
            raise
        return ptrs

    def _check_gold(self, gold, int n_words, str where, int index=-1) -> None:
        """Raise unless `gold` was made by this kind of system for a document of `n_words` words
        and names only labels this system has: the C loops read it without bounds checks."""
        if not self._owns_gold(gold):
            raise TypeError(f"{where}: gold{'' if index < 0 else f' {index}'} is a {type(gold).__name__}, "
                            f"not made by {type(self).__name__}.make_gold")
        if (<Gold>gold).n != n_words:
            raise ValueError(f"{where}: gold{'' if index < 0 else f' {index}'} covers {(<Gold>gold).n} words, "
                             f"its state {n_words}")
        problem = self._gold_label_problem(gold)
        if problem:
            raise ValueError(f"{where}: gold{'' if index < 0 else f' {index}'} {problem}")

    def _gold_label_problem(self, gold):
        """What makes `gold` unusable with this system's labels (None when nothing)."""
        return None

    def _owns_gold(self, gold) -> bool:
        raise NotImplementedError

    # ---- single-state API (a batch of one, or state `i` of a batch) -------------------------

    def init_state(self, n_words: int, **kwargs) -> StateBatch:
        """A batch holding one state of `n_words` words (keyword arguments as `init_batch`,
        given for that one document)."""
        wrapped = {k: (None if v is None else [v]) for k, v in kwargs.items()}
        return self.init_batch([n_words], **wrapped)

    def is_valid(self, StateBatch state, name, int i=0) -> bool:
        """Whether action `name` (or id) is valid in state `i` of the batch."""
        self._check_index(state, i)
        return bool(self.c_valid(&state.c[i], self.action_id(name)))

    def apply(self, StateBatch state, name, int i=0) -> None:
        """Apply action `name` (or id) to state `i`; ValueError if it is not valid there."""
        self._check_index(state, i)
        cdef int a = self.action_id(name)
        if not self.c_valid(&state.c[i], a):
            raise ValueError(f"action {self.action_names[a]!r} is not valid in this state")
        self.c_apply(&state.c[i], a)

    def costs(self, StateBatch state, Gold gold, int i=0) -> dict:
        """Cost of every action in state `i` ({name: cost}; invalid ones cost `INVALID_COST`)."""
        self._check_index(state, i)
        self._check_gold(gold, state.c[i].n, "costs")
        cdef float[::1] row = numpy.zeros(self.nr_actions, dtype="float32")
        if self.nr_actions:
            self.c_costs(&state.c[i], gold.ptr, &row[0])
        return {name: float(row[a]) for a, name in enumerate(self.action_names)}

    def oracle_action(self, StateBatch state, Gold gold, int i=0) -> str:
        """The action the oracle picks in state `i` (the canonical zero-cost one)."""
        self._check_index(state, i)
        self._check_gold(gold, state.c[i].n, "oracle_action")
        cdef int a = self.c_oracle(&state.c[i], gold.ptr)
        return self.action_names[a] if a >= 0 else None

    def _oracle_names(self, StateBatch state, Gold gold) -> list:
        """Follow the oracle from state 0 to the end, returning the action names taken."""
        names = self.action_names
        taken = []
        cdef StateC* st = &state.c[0]
        cdef int a
        while not state_is_final(st):
            a = self.c_oracle(st, gold.ptr)
            if a < 0:
                raise RuntimeError("the oracle found no valid action in a non-final state")
            self.c_apply(st, a)
            taken.append(names[a])
        return taken

    def _check_index(self, StateBatch state, int i) -> None:
        self._check_batch(state)
        if not 0 <= i < state.size:
            raise IndexError(f"state index {i} out of range for a batch of {state.size}")
