"""The answers a node got from ``interrupt()``: recorded with the node, handed back when it runs again.

A node that calls ``interrupt()`` stops the graph; the caller answers with
``Command(resume=value)`` in a later invocation, and the node runs again from its start, this time
receiving the answers in order. The frame of the node's completed run keeps those answers under
``custom["langgraph"]["answers"]``. A resume invokes the graph once: when a node that was
answered runs live again, its recorded answers are put where LangGraph looks for them (the
task's scratchpad), so each ``interrupt()`` returns what the human said then, in the order they
said it, and the resumed run goes on instead of stopping to ask again.

Which recorded run of a node a live call repeats: the k-th live call of a node, counted from the
fork point, takes the answers of the k-th frame of that node from the fork point on.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from langgraph._internal._constants import CONFIG_KEY_SCRATCHPAD

from recorder.encoding import decode_value
from recorder.graph_facts import FACTS_KEY
from recorder.resume_plan import ResumePlan

ANSWERS_KEY = "answers"

_cursors: weakref.WeakKeyDictionary[ResumePlan, dict[str, int]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def scratchpad_of(configurable: Any) -> Any:
    """The task's scratchpad from its config's ``configurable``, or None outside a task."""
    if not isinstance(configurable, dict):
        return None
    return configurable.get(CONFIG_KEY_SCRATCHPAD)


def given_answers(scratchpad: Any) -> list[Any]:
    """The answers the task received from ``interrupt()`` so far (empty when none)."""
    resume = getattr(scratchpad, "resume", None)
    return list(resume) if isinstance(resume, list) else []


def replay_answers(plan: ResumePlan, node: str, scratchpad: Any) -> None:
    """Before a live run of ``node``: give its task the answers its recorded run received."""
    answers = _next_answers(plan, node)
    resume = getattr(scratchpad, "resume", None)
    if answers and isinstance(resume, list) and not resume:
        resume.extend(decode_value(answers))


def _next_answers(plan: ResumePlan, node: str) -> list[Any]:
    reader = plan.parent
    with _lock:
        cursors = _cursors.setdefault(plan, {})
        start = cursors.get(node, plan.fork_at)
        for index in range(start, len(reader)):
            frame = reader.frame(index)
            if frame.node_name != node:
                continue
            cursors[node] = index + 1
            facts = frame.metadata.custom.get(FACTS_KEY)
            answers = facts.get(ANSWERS_KEY) if isinstance(facts, dict) else None
            return answers if isinstance(answers, list) else []
        cursors[node] = len(reader)
        return []
