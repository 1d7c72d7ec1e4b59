"""Serving a live run from golden runs: each step whose key matches is answered, the rest run live.

``with cache.serving(task) as golden:`` makes a ``GoldenServer`` active in this context (a
context variable, so threads and asyncio tasks see their own). While it is active:

- ``@vcr_record`` steps ask it before running: a match returns the recorded output without a
  call and is recorded as a ``golden_cache`` frame carrying what the call cost when it was
  recorded; a miss runs live and is recorded with ``source: live``.
- ``golden.llm_call(model, messages, call)`` and ``golden.tool_call(name, input, call)`` do the
  same for code that records with ``record_llm_call`` / ``record_tool_call``: ``call()`` runs
  only on a miss (``report_usage`` inside it gives the tokens and cost).
- LangGraph graphs wrapped by ``VCRLangGraph`` and LangChain models using ``GoldenLLMCache``
  answer their nodes and model calls from it.

Matching never stops at the first miss: every step is looked up, so a change in the middle of a
run costs only the steps whose inputs it really changes.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from recorder.encoding import decode_value, to_jsonable
from recorder.golden.keys import IDENTITY_KEY
from recorder.golden.ledger import CostLedger, what_it_cost
from recorder.golden.table import GoldenStep, Matcher
from recorder.models import FrameMetadata
from recorder.resume_plan import Action, Decision
from recorder.vocabulary import RECORDED_COST, RECORDED_LATENCY, RECORDED_TOKENS, RETURNS, SOURCE, FrameSource
from recorder.writer import VCRRecorder, active_recorder, tool_state

_active: contextvars.ContextVar[GoldenServer | None] = contextvars.ContextVar("vcr_golden_server", default=None)


def active_server() -> GoldenServer | None:
    """The golden server made active by ``cache.serving()`` in this context, if any."""
    return _active.get()


def golden_decision(node_name: str, state: dict[str, Any], identity: str = "") -> Decision | None:
    """How the active server serves one step; None when no server is active (run as usual)."""
    server = _active.get()
    return None if server is None else server.decide(node_name, state, identity)


def answered_custom(step: GoldenStep) -> dict[str, Any]:
    """The ``custom`` facts of a frame answered by ``step``: where from, and what it would have cost."""
    frame = step.frame
    tokens, cost, latency = what_it_cost(frame)
    custom: dict[str, Any] = {
        RECORDED_TOKENS: tokens,
        RECORDED_COST: cost,
        RECORDED_LATENCY: latency,
        "golden_run": step.fingerprint,
    }
    returns = frame.metadata.custom.get(RETURNS)
    if returns is not None:
        custom[RETURNS] = returns
    return custom


class GoldenServer:
    """Answers the steps of one live run from a table of golden steps."""

    def __init__(self, matcher: Matcher, recorder: VCRRecorder | None = None) -> None:
        self.matcher = matcher
        self.recorder = recorder
        self.answered = 0
        self.live = 0
        target = self.current_recorder()
        session = target.session if target is not None else None
        self._first_frame = session.frame_count if session is not None else 0
        self._ledger_recorder = target

    def current_recorder(self) -> VCRRecorder | None:
        return self.recorder if self.recorder is not None else active_recorder()

    def lookup(self, node_name: str, state: dict[str, Any], identity: str = "") -> GoldenStep | None:
        """The golden answer to one call (taking it: the next identical call gets the next one)."""
        step = self.matcher.take(node_name, state, identity)
        if step is None:
            self.live += 1
        else:
            self.answered += 1
        return step

    def decide(self, node_name: str, state: dict[str, Any], identity: str = "") -> Decision:
        """A step's decision in the resume plan's terms, so the recording integrations can act on it."""
        step = self.lookup(node_name, state, identity)
        if step is None:
            return Decision(Action.LIVE, source=FrameSource.LIVE.value)
        return Decision(
            Action.REPLAY,
            output=step.frame.output_state,
            source=FrameSource.GOLDEN.value,
            custom=answered_custom(step),
            matched=step.frame,
        )

    def llm_call(self, model: str, messages: list[Any], call: Callable[[], Any], *, identity: str = "") -> Any:
        """The model's response: the golden one when the call matches, else ``call()``'s, recorded either way."""
        state = {"messages": to_jsonable(messages)}
        step = self.lookup(f"llm:{model}", state, identity)
        recorder = self.current_recorder()
        if step is not None:
            response = step.frame.output_state.get("response")
            if recorder is not None:
                custom = {**answered_custom(step), SOURCE: FrameSource.GOLDEN.value, **_identity(identity)}
                recorder.record_llm_call(model, state["messages"], response, custom=custom)
            return decode_value(response)
        usage, latency, response = _run_measured(call)
        if recorder is not None:
            recorder.record_llm_call(
                model,
                state["messages"],
                response,
                tokens_input=usage.tokens_input,
                tokens_output=usage.tokens_output,
                latency_ms=latency,
                cost_usd=usage.cost_usd,
                custom={**usage.custom, SOURCE: FrameSource.LIVE.value, **_identity(identity)},
            )
        return response

    def tool_call(self, tool_name: str, tool_input: Any, call: Callable[[], Any], *, identity: str = "") -> Any:
        """The tool's result: the golden one when the call matches, else ``call()``'s, recorded either way.

        A tool that raises is recorded as a failed tool call and the exception propagates.
        """
        state = to_jsonable(tool_state(tool_input))
        step = self.lookup(f"tool:{tool_name}", state, identity)
        recorder = self.current_recorder()
        if step is not None:
            result = step.frame.output_state.get("result")
            if recorder is not None:
                custom = {**answered_custom(step), SOURCE: FrameSource.GOLDEN.value, **_identity(identity)}
                recorder.record_tool_call(tool_name, state, result, custom=custom)
            return decode_value(result)
        custom = {SOURCE: FrameSource.LIVE.value, **_identity(identity)}
        started = time.perf_counter()
        try:
            _, latency, result = _run_measured(call)
        except Exception as exc:
            if recorder is not None:
                latency = (time.perf_counter() - started) * 1000.0
                recorder.record_tool_call(tool_name, state, None, latency_ms=latency, error=str(exc), custom=custom)
            raise
        if recorder is not None:
            recorder.record_tool_call(tool_name, state, result, latency_ms=latency, custom=custom)
        return result

    def ledger(self) -> CostLedger:
        """The ledger of the frames recorded since serving began (read back from the recording)."""
        recorder = self._ledger_recorder
        if recorder is None or recorder.path is None:
            return CostLedger()
        from recorder.reader import VCRReader

        with VCRReader(recorder.path) as reader:
            return CostLedger.of_frames(reader.frame(i) for i in range(self._first_frame, len(reader)))


def _identity(identity: str) -> dict[str, str]:
    return {IDENTITY_KEY: identity} if identity else {}


def _run_measured(call: Callable[[], Any]) -> tuple[FrameMetadata, float, Any]:
    """Run ``call`` with ``report_usage`` collecting into a fresh usage: (usage, latency ms, result)."""
    from recorder.decorators import _usage

    usage = FrameMetadata()
    token = _usage.set(usage)
    started = time.perf_counter()
    try:
        result = call()
    finally:
        _usage.reset(token)
    return usage, (time.perf_counter() - started) * 1000.0, result


@contextmanager
def server_active(server: GoldenServer) -> Iterator[GoldenServer]:
    token = _active.set(server)
    try:
        yield server
    finally:
        _active.reset(token)
