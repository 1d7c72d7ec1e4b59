"""Golden runs as LangChain's LLM cache: any chat model answers from them, with no code change.

    set_llm_cache(GoldenLLMCache(cache, task))      # or ChatModel(..., cache=GoldenLLMCache(...))

LangChain asks its cache before every model call with the serialised messages (``prompt``) and
the model's configuration (``llm_string``), and hands it the generations after a live call.
Here a lookup is a golden-step lookup: node ``llm:<model>``, input ``{"messages": [...]}``,
identity the hash of the whole configuration, so a different model, temperature or tool set
never gets another's answer. After a live call the generations are recorded as an ``llm`` frame
into the active recorder (or the one given), which makes the run a golden run once saved.

An answer comes back with its token counts zeroed (it cost nothing this time); the frame it
leaves says what it saved. Inside a recorded step (a LangGraph node, a ``@vcr_record``
function) the model call's tokens are added to that step, which owns them, and the model
call's own frame is marked ``inner_call`` so they are counted once.

Generations are stored as plain data and rebuilt as ``AIMessage`` objects field by field:
nothing in a recording can make this module construct any other class.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Sequence
from typing import Any

import orjson
from langchain_core.caches import BaseCache
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, Generation

from recorder.coerce import optional_float, optional_int
from recorder.golden.cache import GoldenRunCache
from recorder.golden.keys import IDENTITY_KEY
from recorder.golden.serving import GoldenServer, active_server, answered_custom
from recorder.golden.table import Matcher
from recorder.models import FrameMetadata, FrameType
from recorder.vocabulary import INNER_CALL, SOURCE, USAGE, FrameSource
from recorder.writer import VCRRecorder, active_recorder

_MODEL_FIELD = re.compile(r"""['"](?:model_name|model|model_id|_type)['"]\s*[:,]\s*['"]([^'"]{1,80})['"]""")
_MESSAGE_FIELDS = (
    "content",
    "additional_kwargs",
    "response_metadata",
    "tool_calls",
    "invalid_tool_calls",
    "id",
    "name",
)


class GoldenLLMCache(BaseCache):
    """A LangChain ``BaseCache`` answering model calls from the golden runs of ``task``.

    ``task=None`` answers from every golden run in the cache. While ``cache.serving()`` is
    active, its server answers (one walk through the golden steps for the whole run); otherwise
    this cache keeps its own walk, which ``clear()`` starts again. ``recorder`` receives the
    frames; by default the active recorder does.
    """

    def __init__(self, cache: GoldenRunCache, task: str | None = None, *, recorder: VCRRecorder | None = None) -> None:
        self.golden = cache
        self.task = task
        self.recorder = recorder
        self._own: GoldenServer | None = None
        self._lock = threading.Lock()
        self._started: dict[tuple[str, str], float] = {}
        self.hits = 0
        self.misses = 0

    # -- BaseCache ----------------------------------------------------------------------------

    def lookup(self, prompt: str, llm_string: str) -> list[Generation] | None:
        node, state, identity = _step_of(prompt, llm_string)
        step = self._server().lookup(node, state, identity)
        if step is None:
            with self._lock:
                self.misses += 1
                self._started[(prompt, llm_string)] = time.perf_counter()
            return None
        with self._lock:
            self.hits += 1
        stored = step.frame.output_state.get("generations")
        generations = [_generation_from(item) for item in stored] if isinstance(stored, list) else []
        recorder = self._recorder()
        if recorder is not None:
            custom = {**answered_custom(step), SOURCE: FrameSource.GOLDEN.value, IDENTITY_KEY: identity}
            if _in_recorded_step():
                custom[INNER_CALL] = True
            recorder.record_step(
                node,
                state,
                {"generations": stored},
                metadata=FrameMetadata(model=node[4:], custom=custom),
                frame_type=FrameType.LLM_CALL,
            )
        return generations

    def update(self, prompt: str, llm_string: str, return_val: Sequence[Generation]) -> None:
        with self._lock:
            started = self._started.pop((prompt, llm_string), None)
        latency = (time.perf_counter() - started) * 1000.0 if started is not None else 0.0
        recorder = self._recorder()
        if recorder is None:
            return
        node, state, identity = _step_of(prompt, llm_string)
        usage = _usage_of(return_val)
        meta = FrameMetadata(
            model=node[4:], latency_ms=latency, custom={SOURCE: FrameSource.LIVE.value, IDENTITY_KEY: identity}
        )
        if _in_recorded_step():
            _add_to_step(usage)
            meta.custom[INNER_CALL] = True
            meta.custom[USAGE] = usage.to_dict() | {"custom": {}}
        else:
            meta.tokens_input, meta.tokens_output = usage.tokens_input, usage.tokens_output
            meta.tokens_used, meta.cost_usd = usage.tokens_used, usage.cost_usd
        recorder.record_step(
            node,
            state,
            {"generations": [_generation_data(g) for g in return_val]},
            metadata=meta,
            frame_type=FrameType.LLM_CALL,
        )

    def clear(self, **kwargs: Any) -> None:
        """Start the walk through the golden steps again (the golden runs themselves stay)."""
        with self._lock:
            if self._own is not None:
                self._own.matcher.table.close()
            self._own = None
            self._started.clear()

    # -- internals ----------------------------------------------------------------------------

    def _server(self) -> GoldenServer:
        server = active_server()
        if server is not None:
            return server
        with self._lock:
            if self._own is None:
                self._own = GoldenServer(Matcher(self.golden.table(self.task)), self.recorder)
            return self._own

    def _recorder(self) -> VCRRecorder | None:
        recorder = self.recorder if self.recorder is not None else active_recorder()
        return recorder if recorder is not None and recorder.session is not None else None


def _step_of(prompt: str, llm_string: str) -> tuple[str, dict[str, Any], str]:
    """(node, input, identity) of one model call, as golden steps are keyed."""
    try:
        messages: Any = _without_token_counts(orjson.loads(prompt))
    except orjson.JSONDecodeError:
        messages = prompt
    found = _MODEL_FIELD.search(llm_string)
    model = found.group(1) if found else "langchain"
    identity = "langchain:" + hashlib.blake2b(llm_string.encode(), digest_size=12).hexdigest()
    return f"llm:{model}", {"messages": messages}, identity


def _without_token_counts(messages: Any) -> Any:
    """The serialised messages without the token counts earlier replies carry.

    A model never receives those counts, and an answered reply carries zero where the live one
    carried the real figures: left in, they would make every later prompt of the run differ
    from the golden one. Nothing else is dropped.
    """
    if isinstance(messages, list):
        for message in messages:
            kwargs = message.get("kwargs") if isinstance(message, dict) else None
            if isinstance(kwargs, dict):
                kwargs.pop("usage_metadata", None)
    return messages


def _generation_data(generation: Generation) -> dict[str, Any]:
    """A generation as plain data: its text, its message's fields, its info."""
    data: dict[str, Any] = {"text": generation.text, "generation_info": generation.generation_info}
    message = getattr(generation, "message", None)
    if isinstance(message, AIMessage):
        fields = {name: getattr(message, name, None) for name in _MESSAGE_FIELDS}
        fields["usage_metadata"] = dict(message.usage_metadata) if message.usage_metadata else None
        data["message"] = orjson.loads(orjson.dumps(fields, default=str))
    return data


def _generation_from(item: Any) -> Generation:
    """A stored generation rebuilt; an AI message comes back with zero tokens (nothing was spent)."""
    if not isinstance(item, dict):
        return Generation(text=str(item))
    info = item.get("generation_info")
    info = info if isinstance(info, dict) else None
    message = item.get("message")
    if not isinstance(message, dict):
        text = item.get("text")
        return Generation(text=text if isinstance(text, str) else "", generation_info=info)
    fields = {name: message[name] for name in _MESSAGE_FIELDS if message.get(name) is not None}
    usage = message.get("usage_metadata")
    if isinstance(usage, dict):
        fields["usage_metadata"] = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    try:
        rebuilt = AIMessage(**fields)
    except (TypeError, ValueError):
        rebuilt = AIMessage(content=str(fields.get("content", "")))
    return ChatGeneration(message=rebuilt, generation_info=info)


def _usage_of(generations: Sequence[Generation]) -> FrameMetadata:
    usage = FrameMetadata()
    for generation in generations:
        message = getattr(generation, "message", None)
        counts = getattr(message, "usage_metadata", None)
        if not counts:
            continue
        usage.tokens_input = (usage.tokens_input or 0) + (optional_int(counts.get("input_tokens")) or 0)
        usage.tokens_output = (usage.tokens_output or 0) + (optional_int(counts.get("output_tokens")) or 0)
        usage.tokens_used = usage.tokens_input + usage.tokens_output
        cost = optional_float(counts.get("total_cost"))
        if cost:
            usage.cost_usd = (usage.cost_usd or 0.0) + cost
    return usage


def _in_recorded_step() -> bool:
    from recorder.decorators import _usage

    return _usage.get() is not None


def _add_to_step(usage: FrameMetadata) -> None:
    """Count a model call's tokens on the recorded step it ran inside, which owns them."""
    from recorder.decorators import report_usage

    report_usage(
        model=None,
        tokens_input=usage.tokens_input,
        tokens_output=usage.tokens_output,
        cost_usd=usage.cost_usd,
    )
