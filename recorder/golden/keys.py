"""What makes two steps the same step: the key a golden run is looked up by.

A step is its node name, its identity and its input. The node name already carries the model of
an LLM call (``llm:<model>``) and the tool of a tool call (``tool:<name>``); ``identity`` adds
what the caller knows changes a step's answer without showing in its input, such as a prompt
version, a code hash, or a chat model's whole configuration. The input is compared as canonical
JSON (sorted keys, typed values in their file form), so two states are the same exactly when
they hold equal values, whatever order their keys were written in. Nothing is dropped from the
input unless a ``normalize`` hook says so: a strict match is the only safe default.

The input is hashed (BLAKE2b, 128 bits) so a golden set of any size costs a few dozen bytes per
step in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson

from recorder.encoding import to_jsonable
from recorder.models import Frame, FrameType
from recorder.vocabulary import GOLDEN_IDENTITY

Normalize = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``normalize(node_name, input_state) -> input_state``: drop volatile fields before matching."""

StepKey = tuple[str, str, bytes]
"""(node name, identity, digest of the canonical input)."""

IDENTITY_KEY = GOLDEN_IDENTITY
"""``metadata.custom`` key of the identity a step was recorded with (named in the vocabulary)."""

_SORTED = orjson.OPT_SORT_KEYS
_SORTED_ANY_KEYS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def canonical_input(state: Any) -> bytes:
    """``state`` as canonical JSON bytes: sorted keys, typed values in the form the file holds.

    States coming from a recording or from ``to_jsonable`` take the fast path; anything else
    (an enum member, a datetime, a set) is converted first, exactly as recording would store it.
    """
    try:
        return orjson.dumps(state, option=_SORTED)
    except (TypeError, orjson.JSONEncodeError):
        return orjson.dumps(to_jsonable(state), option=_SORTED_ANY_KEYS)


def step_key(node_name: str, state: dict[str, Any], identity: str = "", normalize: Normalize | None = None) -> StepKey:
    """The key of one step; equal keys mean the golden answer may stand in for the call."""
    if normalize is not None:
        state = normalize(node_name, state)
    digest = hashlib.blake2b(canonical_input(state), digest_size=16).digest()
    return (node_name, identity, digest)


def frame_identity(frame: Frame) -> str:
    """The identity a recorded step was made with ('' when none was given)."""
    value = frame.metadata.custom.get(IDENTITY_KEY)
    return value if isinstance(value, str) else ""


_NOT_STEPS = ("fork:", "checkpoint:", "interrupt:")


def answers_steps(frame: Frame) -> bool:
    """Whether a recorded frame can answer a later call; see ``is_answering_step``."""
    return is_answering_step(frame.node_name, frame.frame_type, frame.is_error)


def is_answering_step(node_name: str, kind: FrameType | None, failed: bool) -> bool:
    """A step that returned, not a marker: only such a frame can stand in for a later call.

    Error frames have no output to hand back, and checkpoints, fork points and interrupts are
    markers a run leaves, not calls it makes.
    """
    if failed or kind is None or kind is FrameType.ERROR or kind is FrameType.CHECKPOINT:
        return False
    return not node_name.startswith(_NOT_STEPS)
