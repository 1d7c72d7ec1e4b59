"""How one frame reads as a span: its name, kind and attributes, in both directions.

Two vocabularies are written side by side, since backends read one or the other: the OpenTelemetry
GenAI conventions (``gen_ai.*``) and OpenInference (``openinference.span.kind``, ``input.value``,
``llm.token_count.*``), which Phoenix and Langfuse display. A few ``vcr.*`` attributes carry what
neither has a name for (the frame's id, type and exact timestamp), so a run exported here and
imported back is the same run. States go in ``input.value`` / ``output.value`` as JSON; a state
longer than the limit is cut and ends with ``TRUNCATED_MARKER``, and comes back marked as cut.

No OpenTelemetry import here: export, live spans and import all share these plain functions.
"""

from __future__ import annotations

from typing import Any

import orjson

from recorder.coerce import optional_float, optional_int
from recorder.models import Frame, FrameMetadata, FrameType

DEFAULT_MAX_STATE_BYTES = 32 << 10
TRUNCATED_MARKER = "…[truncated by vcr-tui]"
JSON_MIME = "application/json"

# OpenInference span kinds per frame type; everything else is a step of a chain.
_KINDS = {FrameType.LLM_CALL: "LLM", FrameType.TOOL_CALL: "TOOL"}
_OPERATIONS = {FrameType.LLM_CALL: "chat", FrameType.TOOL_CALL: "execute_tool"}
_TYPES_BY_KIND = {"LLM": FrameType.LLM_CALL, "TOOL": FrameType.TOOL_CALL}


def tool_name(frame: Frame) -> str:
    """The tool a tool frame called: the node name without its ``tool:`` prefix."""
    name = frame.node_name
    return name[5:] if name.startswith("tool:") else name


def span_name(frame: Frame) -> str:
    """``chat MODEL`` and ``execute_tool NAME`` as the GenAI conventions name them; else the node."""
    if frame.frame_type is FrameType.LLM_CALL and frame.metadata.model:
        return f"chat {frame.metadata.model}"
    if frame.frame_type is FrameType.TOOL_CALL:
        return f"execute_tool {tool_name(frame)}"
    return frame.node_name


def state_text(state: Any, limit: int) -> str:
    """A state as JSON, cut to ``limit`` bytes (whole characters) with the marker when longer."""
    text = orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS).decode()
    if len(text) <= limit:  # characters <= bytes: cheap test first
        return text
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore") + TRUNCATED_MARKER


def frame_attributes(frame: Frame, session_id: str, *, max_state_bytes: int) -> dict[str, Any]:
    """Every attribute of the frame's span (values are str, int, float or bool only)."""
    meta = frame.metadata
    kind = _KINDS.get(frame.frame_type, "CHAIN")
    attributes: dict[str, Any] = {
        "openinference.span.kind": kind,
        "session.id": session_id,
        "input.value": state_text(frame.input_state, max_state_bytes),
        "input.mime_type": JSON_MIME,
        "output.value": state_text(frame.output_state, max_state_bytes),
        "output.mime_type": JSON_MIME,
        "vcr.frame.id": frame.frame_id,
        "vcr.frame.type": frame.frame_type.value,
        "vcr.frame.index": frame.index,
        "vcr.node_name": frame.node_name,
        "vcr.timestamp": frame.timestamp,
        "vcr.frame.facts": orjson.dumps(meta.to_dict(), option=orjson.OPT_NON_STR_KEYS).decode(),
    }
    operation = _OPERATIONS.get(frame.frame_type)
    if operation:
        attributes["gen_ai.operation.name"] = operation
    if frame.parent_frame_id:
        attributes["vcr.parent_frame_id"] = frame.parent_frame_id
    if meta.model:
        attributes["gen_ai.request.model"] = meta.model
        attributes["llm.model_name"] = meta.model
    if meta.tokens_input is not None:
        attributes["gen_ai.usage.input_tokens"] = meta.tokens_input
        attributes["llm.token_count.prompt"] = meta.tokens_input
    if meta.tokens_output is not None:
        attributes["gen_ai.usage.output_tokens"] = meta.tokens_output
        attributes["llm.token_count.completion"] = meta.tokens_output
    if meta.tokens_used is not None:
        attributes["llm.token_count.total"] = meta.tokens_used
    if meta.cost_usd is not None:
        attributes["vcr.cost_usd"] = meta.cost_usd
    if frame.frame_type is FrameType.TOOL_CALL:
        attributes["gen_ai.tool.name"] = tool_name(frame)
        attributes["tool.name"] = tool_name(frame)
    if meta.error_type:
        attributes["error.type"] = meta.error_type
    return attributes


def session_attributes(session_id: str, agent: str | None, frame_count: int, tokens: int) -> dict[str, Any]:
    """The root span's attributes: the run as one agent invocation."""
    attributes: dict[str, Any] = {
        "openinference.span.kind": "AGENT",
        "gen_ai.operation.name": "invoke_agent",
        "session.id": session_id,
        "vcr.session_id": session_id,
        "vcr.frame_count": frame_count,
        "llm.token_count.total": tokens,
    }
    if agent:
        attributes["gen_ai.agent.name"] = agent
    return attributes


# -- reading spans back ---------------------------------------------------------------------------


def is_session_span(attributes: dict[str, Any]) -> bool:
    return "vcr.session_id" in attributes


def state_from_text(text: Any) -> dict[str, Any]:
    """A state from ``input.value``: the JSON object, a cut one marked as such, or the text kept."""
    if not isinstance(text, str):
        return {} if text is None else {"value": text}
    if text.endswith(TRUNCATED_MARKER):
        return {"$truncated": text[: -len(TRUNCATED_MARKER)]}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}


def frame_record(
    name: str, attributes: dict[str, Any], *, timestamp: str, latency_ms: float, error: str | None
) -> dict[str, Any]:
    """The ``data`` of a frame record for one span, written by us or by any OpenInference tracer."""
    metadata = _metadata(attributes, latency_ms, error)
    kind = attributes.get("openinference.span.kind")
    frame_type = FrameType.parse(attributes.get("vcr.frame.type")) or _TYPES_BY_KIND.get(str(kind))
    if frame_type is None:
        frame_type = FrameType.ERROR if error else FrameType.NODE_EXECUTION
    node = attributes.get("vcr.node_name")
    if not isinstance(node, str):
        tool = attributes.get("tool.name") or attributes.get("gen_ai.tool.name")
        node = f"tool:{tool}" if frame_type is FrameType.TOOL_CALL and tool else name
    stamp = attributes.get("vcr.timestamp")
    return {
        "frame_id": str(attributes.get("vcr.frame.id") or ""),
        "session_id": "",
        "parent_frame_id": attributes.get("vcr.parent_frame_id"),
        "timestamp": stamp if isinstance(stamp, str) else timestamp,
        "frame_type": frame_type.value,
        "node_name": node,
        "input_state": state_from_text(attributes.get("input.value")),
        "output_state": state_from_text(attributes.get("output.value")),
        "metadata": metadata.to_dict(),
        "state_diff": None,
    }


def _metadata(attributes: dict[str, Any], latency_ms: float, error: str | None) -> FrameMetadata:
    stored = attributes.get("vcr.frame.facts")
    if isinstance(stored, str):
        try:
            value = orjson.loads(stored)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return FrameMetadata.from_dict(value)
    tokens_in = optional_int(attributes.get("gen_ai.usage.input_tokens", attributes.get("llm.token_count.prompt")))
    tokens_out = optional_int(
        attributes.get("gen_ai.usage.output_tokens", attributes.get("llm.token_count.completion"))
    )
    total = optional_int(attributes.get("llm.token_count.total"))
    if total is None and (tokens_in is not None or tokens_out is not None):
        total = (tokens_in or 0) + (tokens_out or 0)
    model = attributes.get("gen_ai.request.model") or attributes.get("llm.model_name")
    error_type = attributes.get("error.type")
    return FrameMetadata(
        model=model if isinstance(model, str) else None,
        latency_ms=latency_ms,
        tokens_used=total,
        tokens_input=tokens_in,
        tokens_output=tokens_out,
        cost_usd=optional_float(attributes.get("vcr.cost_usd")),
        error_type=str(error_type) if error_type else ("Error" if error else None),
        error_message=error,
        custom={"source": "otel"},
    )
