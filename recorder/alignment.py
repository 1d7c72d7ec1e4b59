"""Aligning two sequences of steps, so that an inserted or skipped step shifts nothing after it.

Two runs of one agent mostly take the same path; where they part, steps are inserted, skipped,
or run again with other inputs. Pairing by index would call everything after the first
insertion different. Here the alignment has two levels:

1. **Identical steps**: steps whose whole key (node, type, input) is equal on both sides, paired
   by an exact longest common subsequence (Myers, below) while the runs differ little enough for
   that to be cheap. Past that, the k-th occurrence of a key pairs with the k-th: with every token
   unique, the longest common subsequence is the longest increasing subsequence of their
   positions, O(n log n) even for 100,000 steps that all differ.
2. **Gaps** between anchors: aligned by shape alone (node, type) with Myers' O((n+m)·D)
   difference algorithm, so a step run again with another input pairs with its old self and
   shows as changed. D is capped; a gap too different to align within the cap is paired by
   position, with steps of another shape left on their own side.

Only integers are compared here: callers map their keys to ints first. Nothing here knows
frames.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

Pair = tuple[int | None, int | None]

# The work Myers may do on one gap, in (n + m) * D units: bounds the worst case on two runs that
# share nothing, where D would be n + m.
_MYERS_BUDGET = 20_000_000
_MYERS_MIN_D = 64


def align(a_shape: Sequence[int], a_key: Sequence[int], b_shape: Sequence[int], b_key: Sequence[int]) -> list[Pair]:
    """Pairs ``(i, j)`` in order; ``(i, None)`` is a step only in a, ``(None, j)`` one only in b.

    ``*_shape`` is what must be equal for two steps to be the same step (node and type);
    ``*_key`` adds what makes them identical (the input). Every index of both sides appears
    exactly once.
    """
    if len(a_shape) != len(a_key) or len(b_shape) != len(b_key):
        raise ValueError("shape and key sequences must have the same length")
    n, m = len(a_key), len(b_key)
    head = 0  # runs of one agent share long stretches: pair them without any search
    while head < n and head < m and a_key[head] == b_key[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and a_key[n - 1 - tail] == b_key[m - 1 - tail]:
        tail += 1
    pairs: list[Pair] = [(i, i) for i in range(head)]
    previous_i, previous_j = head, head
    for anchor_i, anchor_j in _identical_steps(a_key[head : n - tail], b_key[head : m - tail]):
        i, j = anchor_i + head, anchor_j + head
        pairs.extend(_align_gap(a_shape, b_shape, previous_i, i, previous_j, j))
        pairs.append((i, j))
        previous_i, previous_j = i + 1, j + 1
    pairs.extend(_align_gap(a_shape, b_shape, previous_i, n - tail, previous_j, m - tail))
    pairs.extend((n - tail + k, m - tail + k) for k in range(tail))
    return pairs


def _identical_steps(a_key: Sequence[int], b_key: Sequence[int]) -> list[tuple[int, int]]:
    """The pairs of identical steps: an exact longest common subsequence while that is cheap, the
    occurrence anchors when the runs differ too much for it."""
    exact = _myers(a_key, b_key, _max_edits(len(a_key), len(b_key)))
    return exact if exact is not None else _anchors(a_key, b_key)


def _max_edits(n: int, m: int) -> int:
    return min(n + m, max(_MYERS_MIN_D, _MYERS_BUDGET // max(1, n + m)))


def _anchors(a_key: Sequence[int], b_key: Sequence[int]) -> list[tuple[int, int]]:
    """The longest common subsequence of the keys, the k-th occurrence of a key pairing the k-th."""
    seen: dict[int, int] = {}
    b_place: dict[tuple[int, int], int] = {}
    for j, key in enumerate(b_key):
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        b_place[(key, occurrence)] = j
    seen.clear()
    candidates: list[tuple[int, int]] = []  # (i, j) for tokens found on both sides, in a's order
    for i, key in enumerate(a_key):
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        place = b_place.get((key, occurrence))
        if place is not None:
            candidates.append((i, place))
    return _longest_increasing(candidates)


def _longest_increasing(candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of candidates whose j rises with i (i already rises): patience sorting."""
    if not candidates:
        return []
    tails: list[int] = []  # tails[k]: the smallest j ending a rising run of length k + 1
    tail_at: list[int] = []  # the candidate holding tails[k]
    back: list[int] = [-1] * len(candidates)
    for position, (_, j) in enumerate(candidates):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(position)
        else:
            tails[k] = j
            tail_at[k] = position
        back[position] = tail_at[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    position = tail_at[-1]
    while position >= 0:
        chain.append(candidates[position])
        position = back[position]
    chain.reverse()
    return chain


def _align_gap(a: Sequence[int], b: Sequence[int], a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[Pair]:
    """Align ``a[a_lo:a_hi]`` with ``b[b_lo:b_hi]`` by shape."""
    n, m = a_hi - a_lo, b_hi - b_lo
    if not n and not m:
        return []
    if not n:
        return [(None, j) for j in range(b_lo, b_hi)]
    if not m:
        return [(i, None) for i in range(a_lo, a_hi)]
    matches = _myers(a[a_lo:a_hi], b[b_lo:b_hi], _max_edits(n, m))
    if matches is None:
        return _by_position(a, b, a_lo, a_hi, b_lo, b_hi)
    pairs: list[Pair] = []
    i, j = 0, 0
    for match_i, match_j in matches:
        pairs.extend((a_lo + x, None) for x in range(i, match_i))
        pairs.extend((None, b_lo + y) for y in range(j, match_j))
        pairs.append((a_lo + match_i, b_lo + match_j))
        i, j = match_i + 1, match_j + 1
    pairs.extend((a_lo + x, None) for x in range(i, n))
    pairs.extend((None, b_lo + y) for y in range(j, m))
    return pairs


def _by_position(a: Sequence[int], b: Sequence[int], a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[Pair]:
    """The fallback for gaps too different to align: k-th with k-th where the shapes agree."""
    pairs: list[Pair] = []
    for k in range(max(a_hi - a_lo, b_hi - b_lo)):
        i = a_lo + k if a_lo + k < a_hi else None
        j = b_lo + k if b_lo + k < b_hi else None
        if i is not None and j is not None and a[i] == b[j]:
            pairs.append((i, j))
            continue
        if i is not None:
            pairs.append((i, None))
        if j is not None:
            pairs.append((None, j))
    return pairs


def _myers(a: Sequence[int], b: Sequence[int], max_d: int) -> list[tuple[int, int]] | None:
    """The matched positions of a shortest edit script from a to b, or None past ``max_d`` edits."""
    n, m = len(a), len(b)
    offset = max_d + 1
    furthest = [0] * (2 * max_d + 3)  # furthest[offset + k]: the furthest x reached on diagonal k
    trace: list[list[int]] = []
    for d in range(max_d + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1]):
                x = furthest[offset + k + 1]  # a step down: b[y - 1] inserted
            else:
                x = furthest[offset + k - 1] + 1  # a step right: a[x - 1] deleted
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            furthest[offset + k] = x
            if k == n - m and x >= n:  # the end (n, m) lies on diagonal n - m
                trace.append(furthest[offset - d : offset + d + 1])
                return _backtrack(trace, n, m)
        trace.append(furthest[offset - d : offset + d + 1])
    return None


def _backtrack(trace: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    """Walk the saved frontiers back from (n, m), collecting the diagonal (matching) moves."""
    matches: list[tuple[int, int]] = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        k = x - y
        if d == 0:
            while x > 0 and y > 0:
                x, y = x - 1, y - 1
                matches.append((x, y))
            break
        previous = trace[d - 1]  # covers diagonals -(d - 1) .. d - 1, at index k + d - 1
        shift = d - 1
        if k == -d or (k != d and previous[k - 1 + shift] < previous[k + 1 + shift]):
            previous_k = k + 1
        else:
            previous_k = k - 1
        previous_x = previous[previous_k + shift]
        previous_y = previous_x - previous_k
        start_x = previous_x if previous_k == k + 1 else previous_x + 1  # where this d's snake began
        while x > start_x:
            x, y = x - 1, y - 1
            matches.append((x, y))
        x, y = previous_x, previous_y
    matches.reverse()
    return matches
