"""Pseudo-projective parsing (Nivre & Nilsson 2005, "head" label encoding).

Trees are lists of absolute head indices (a root's head is itself) with one label per word. A
projective parser can only build projective trees, so non-projective arcs are lifted until the tree
is projective; a lifted word's label records its original head's label as `dep||headdep`, which
`deprojectivize` uses to move the word back after parsing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .errors import GoldError

DELIMITER = "||"


def find_cycle(heads: Sequence[int | None]) -> list[int] | None:
    """The words of one cycle in `heads` (a root's head is itself), or None if the tree has none."""
    n = len(heads)
    state = [0] * n  # 0 unvisited, 1 on the current path, 2 done
    for start in range(n):
        path = []
        i = start
        while i is not None and state[i] == 0:
            state[i] = 1
            path.append(i)
            h = heads[i]
            i = None if h is None or h == i else h
        if i is not None and state[i] == 1:
            return path[path.index(i):]
        for j in path:
            state[j] = 2
    return None


def check_heads(heads: Sequence[int | None], where: str = "") -> None:
    """Raise GoldError if a head is out of range or the heads contain a cycle."""
    n = len(heads)
    prefix = f"{where}: " if where else ""
    for i, h in enumerate(heads):
        if h is not None and not (0 <= h < n):
            raise GoldError(f"{prefix}head {h} of word {i} is out of range (0..{n - 1})")
    cycle = find_cycle(heads)
    if cycle is not None:
        raise GoldError(f"{prefix}the heads contain a cycle through words {cycle}")


def _dominates(h: int, k: int, heads: Sequence[int]) -> bool:
    """Whether `h` is an ancestor of `k` (or `k` itself)."""
    seen = 0
    n = len(heads)
    while k != h:
        parent = heads[k]
        if parent == k or seen > n:
            return False
        k = parent
        seen += 1
    return True


def is_nonproj_arc(word: int, heads: Sequence[int]) -> bool:
    """Whether the arc into `word` is non-projective: a word between it and its head is not below the head."""
    h = heads[word]
    if h is None or h == word:
        return False
    lo, hi = (h, word) if h < word else (word, h)
    for k in range(lo + 1, hi):
        if not _dominates(h, k, heads):
            return True
    return False


def is_nonproj_tree(heads: Sequence[int | None]) -> bool:
    """Whether the tree has at least one non-projective arc (unknown heads are ignored)."""
    if any(h is None for h in heads):
        heads = [i if h is None else h for i, h in enumerate(heads)]
    return any(is_nonproj_arc(i, heads) for i in range(len(heads)))


def _smallest_nonproj_arc(heads: list[int]) -> int | None:
    best = None
    best_len = 0
    for i, h in enumerate(heads):
        length = abs(h - i)
        if length > 1 and (best is None or length < best_len) and is_nonproj_arc(i, heads):
            best, best_len = i, length
    return best


def decompose(label: str) -> tuple[str, str]:
    """Split a decorated label `dep||headdep` (or `dep||headdep||k`) into dep and headdep."""
    dep, _, head_dep = label.partition(DELIMITER)
    return dep, head_dep.partition(DELIMITER)[0]


def _rank(label: str) -> int:
    """Which match of the head search a decorated label asks for (1 unless `||k` is appended)."""
    parts = label.split(DELIMITER)
    return int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1


def is_decorated(label: str | None) -> bool:
    """Whether a label carries a pseudo-projective decoration."""
    return label is not None and DELIMITER in label


def projectivize(
    heads: Sequence[int | None],
    labels: Sequence[str | None],
    label_freqs: Counter | None = None,
    freq_cutoff: int = 0,
) -> tuple[list[int | None], list[str | None]]:
    """Lift non-projective arcs until the tree is projective; decorate lifted labels `dep||headdep`.

    The shortest non-projective arc is lifted first, one step (to its head's head) at a time. With
    `label_freqs` (counts of decorated labels over a corpus, see `decorated_label_freqs`), decorated
    labels seen fewer than `freq_cutoff` times are backed off to the plain label, keeping the label
    set small. Trees with unknown heads (None) are returned unchanged.
    """
    proj_heads = list(heads)
    deco = list(labels)
    if any(h is None for h in proj_heads) or not is_nonproj_tree(proj_heads):
        return proj_heads, deco
    original = list(labels)
    while True:
        word = _smallest_nonproj_arc(proj_heads)
        if word is None:
            break
        head = proj_heads[word]
        if not is_decorated(deco[word]):
            deco[word] = f"{deco[word]}{DELIMITER}{original[head]}"
        proj_heads[word] = proj_heads[head] if proj_heads[head] != head else head
        if proj_heads[word] == head:  # cannot lift above a root; leave the arc as it is
            break
    _rank_ambiguous(heads, proj_heads, deco)
    if label_freqs is not None and freq_cutoff > 0:
        deco = [
            decompose(lab)[0] if is_decorated(lab) and label_freqs.get(lab, 0) < freq_cutoff else lab
            for lab in deco
        ]
    return proj_heads, deco


def decorated_label_freqs(trees: Iterable[tuple[Sequence, Sequence]]) -> Counter:
    """Count the decorated labels that `projectivize` produces over `(heads, labels)` trees."""
    freqs: Counter = Counter()
    for heads, labels in trees:
        _, deco = projectivize(heads, labels)
        freqs.update(lab for lab in deco if is_decorated(lab))
    return freqs


def _search(heads: list, labels: list, word: int, head_dep: str, stop: int) -> list[int]:
    """Words labelled `head_dep`, outside `word`'s subtree, in search order; stops after `stop`
    matches (0: all).

    The order is breadth-first, left to right, below `heads[word]` (Nivre & Nilsson's search),
    then, if needed, below each ancestor in turn, so that every candidate has a rank.
    """
    n = len(heads)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h is not None and h != i:
            children[h].append(i)
    visited = [False] * n
    visited[word] = True
    found: list[int] = []
    top = heads[word]
    visited[top] = True
    while True:
        queue = [c for c in children[top] if not visited[c]]
        pos = 0
        while pos < len(queue):
            node = queue[pos]
            pos += 1
            visited[node] = True
            lab = labels[node]
            if lab is not None and decompose(lab)[0] == head_dep:
                found.append(node)
                if len(found) == stop:
                    return found
            queue.extend(c for c in children[node] if not visited[c])
        if heads[top] == top:
            return found
        top = heads[top]
        visited[top] = True


def _restore_order(heads: Sequence[int], labels: Sequence) -> list[int]:
    """The decorated words by depth in the tree (roots at depth 0), then by position."""
    n = len(heads)
    depth = [-1] * n
    for i in range(n):
        path = []
        k = i
        while depth[k] < 0 and heads[k] != k and len(path) <= n:
            path.append(k)
            k = heads[k]
        base = depth[k] if depth[k] >= 0 else 0
        if depth[k] < 0:
            depth[k] = 0
        for step, node in enumerate(reversed(path), 1):
            depth[node] = base + step
    return sorted((i for i, lab in enumerate(labels) if is_decorated(lab)), key=lambda i: (depth[i], i))


def _rank_ambiguous(orig_heads: Sequence, proj_heads: list, deco: list) -> None:
    """Append `||k` to a decorated label when the k-th (k > 1) match of the head search is the
    original head, so that `deprojectivize` restores every tree exactly, not only the unambiguous."""
    heads = list(proj_heads)
    for word in _restore_order(proj_heads, deco):
        dep, head_dep = decompose(deco[word])
        matches = _search(heads, deco, word, head_dep, 0)
        target = orig_heads[word]
        if target in matches and matches.index(target) > 0:
            deco[word] = f"{dep}{DELIMITER}{head_dep}{DELIMITER}{matches.index(target) + 1}"
        heads[word] = target


def deprojectivize(
    heads: Sequence[int | None], labels: Sequence[str | None]
) -> tuple[list[int | None], list[str | None]]:
    """Undo `projectivize`: reattach each decorated word to the word its label names, strip labels.

    Words are restored top-down (shallowest in the projective tree first, then left to right),
    so a lifted word's original head is back in place before the word looks for it. For `dep||headdep` on word w with current head h, the new
    head is the first word labelled `headdep` found breadth-first, left to right, below h (outside
    w's own subtree; then below h's ancestors); `dep||headdep||k` takes the k-th such word, which
    `projectivize` writes where the first is not the original head. If none is found the word
    keeps h.
    Labels lose their decoration either way.
    """
    new_heads = list(heads)
    new_labels = list(labels)
    if not any(is_decorated(lab) for lab in labels) or any(h is None for h in new_heads):
        return new_heads, [decompose(lab)[0] if is_decorated(lab) else lab for lab in new_labels]
    for word in _restore_order(heads, labels):
        label = labels[word]
        dep, head_dep = decompose(label)
        rank = _rank(label)
        matches = _search(new_heads, new_labels, word, head_dep, rank)
        if len(matches) == rank:
            new_heads[word] = matches[-1]
        new_labels[word] = dep
    return new_heads, new_labels
