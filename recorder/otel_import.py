"""A trace from an observability backend, turned into a recording that can be stepped and diffed.

Reads OTLP JSON as the collector's file exporter writes it (one ``ExportTraceServiceRequest`` per
line, or one for the whole file), and the span lists Phoenix's REST API returns (``{"data": [...]}``
of OTLP spans from ``/spans/otlpv1``, or of its own shape with ``context.trace_id``). One trace becomes one session: each span a
frame, in the order the spans ended (the order a recorder would have written them), each naming
its parent span's frame. A trace that this program exported comes back as the frames it was
made from; any other OpenInference or GenAI trace reads as well as its attributes allow.

Pure standard library and orjson: importing needs no OpenTelemetry package.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from recorder.encoding import encode_line
from recorder.models import Session
from recorder.otel_attributes import frame_record, is_session_span


class TraceImportError(ValueError):
    """The file holds no trace this can read; the message says why in one line."""


@dataclass
class ImportedSpan:
    """One span, whatever JSON shape it came in."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    path: Path
    trace_id: str
    frames: int
    other_traces: int


def read_spans(path: str | os.PathLike[str]) -> list[ImportedSpan]:
    """Every span in the file, in file order."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TraceImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    documents = _documents(data, path)
    spans: list[ImportedSpan] = []
    for document in documents:
        if not isinstance(document, dict):
            continue
        if isinstance(document.get("resourceSpans"), list):
            spans.extend(_otlp_spans(document["resourceSpans"]))
        elif isinstance(document.get("data"), list):
            for item in document["data"]:
                if isinstance(item, dict):
                    spans.append(_phoenix_span(item) if "context" in item else _otlp_span(item))
    if not spans:
        raise TraceImportError(f"{path} holds no spans (expected OTLP JSON with resourceSpans, or a list of spans)")
    return spans


def _documents(data: bytes, path: str | os.PathLike[str]) -> list[Any]:
    try:
        return [orjson.loads(data)]
    except orjson.JSONDecodeError:
        pass
    documents = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            documents.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise TraceImportError(f"{path}: line {number} is not JSON ({exc.msg})") from None
    return documents


def _hex_id(value: Any, width: int) -> str:
    """An id as hex: OTLP JSON writes hex, protobuf's own JSON mapping writes base64."""
    if not isinstance(value, str) or not value:
        return ""
    text = value.lower()
    if len(text) == width and all(c in "0123456789abcdef" for c in text):
        return text
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return value


def _field(raw: dict[str, Any], camel: str) -> Any:
    """A field under its OTLP JSON name (``traceId``) or its protobuf name (``trace_id``)."""
    if camel in raw:
        return raw[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return raw.get(snake)


def _any(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    for kind in ("stringValue", "boolValue", "doubleValue"):
        found = _field(value, kind)
        if found is not None:
            return found
    number = _field(value, "intValue")
    if number is not None:
        try:
            return int(number)
        except (TypeError, ValueError):
            return None
    array = _field(value, "arrayValue")
    if isinstance(array, dict):
        return [_any(item) for item in array.get("values") or []]
    kvlist = _field(value, "kvlistValue")
    if isinstance(kvlist, dict):
        return _otlp_attributes(kvlist.get("values"))
    return None


def _otlp_attributes(items: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            found[item["key"]] = _any(item.get("value"))
    return found


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _otlp_spans(resource_spans: list[Any]) -> list[ImportedSpan]:
    spans: list[ImportedSpan] = []
    for resource in resource_spans:
        if not isinstance(resource, dict):
            continue
        for scope in _field(resource, "scopeSpans") or _field(resource, "instrumentationLibrarySpans") or []:
            spans.extend(_otlp_span(raw) for raw in (scope or {}).get("spans") or [] if isinstance(raw, dict))
    return spans


def _otlp_span(raw: dict[str, Any]) -> ImportedSpan:
    status = raw.get("status") or {}
    failed = status.get("code") in (2, "STATUS_CODE_ERROR", "ERROR")
    return ImportedSpan(
        trace_id=_hex_id(_field(raw, "traceId"), 32),
        span_id=_hex_id(_field(raw, "spanId"), 16),
        parent_id=_hex_id(_field(raw, "parentSpanId"), 16) or None,
        name=str(raw.get("name") or ""),
        start_ns=_int(_field(raw, "startTimeUnixNano")),
        end_ns=_int(_field(raw, "endTimeUnixNano")),
        attributes=_otlp_attributes(raw.get("attributes")),
        error=(str(status.get("message") or "error")) if failed else None,
    )


def _flatten(values: Any, prefix: str = "") -> dict[str, Any]:
    """Phoenix may nest attributes (``{"llm": {"model_name": ...}}``): flatten to dotted keys."""
    flat: dict[str, Any] = {}
    if not isinstance(values, dict):
        return flat
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _iso_ns(value: Any) -> int:
    if not isinstance(value, str):
        return 0
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1_000_000) * 1000


def _phoenix_span(raw: dict[str, Any]) -> ImportedSpan:
    context = raw.get("context") or {}
    status = str(raw.get("status_code") or "").upper()
    return ImportedSpan(
        trace_id=str(context.get("trace_id") or ""),
        span_id=str(context.get("span_id") or ""),
        parent_id=raw.get("parent_id") or None,
        name=str(raw.get("name") or ""),
        start_ns=_iso_ns(raw.get("start_time")),
        end_ns=_iso_ns(raw.get("end_time")),
        attributes=_flatten(raw.get("attributes")),
        error=str(raw.get("status_message") or "error") if status == "ERROR" else None,
    )


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=timezone.utc).isoformat(timespec="microseconds")


def _order(span: ImportedSpan) -> tuple[int, int, int]:
    index = span.attributes.get("vcr.frame.index")
    return (index if isinstance(index, int) else 1 << 62, span.end_ns, span.start_ns)


def import_trace(
    source: str | os.PathLike[str], output: str | os.PathLike[str], *, trace_id: str | None = None
) -> ImportSummary:
    """Write one trace of ``source`` as a new recording at ``output`` (never over an existing file)."""
    spans = read_spans(source)
    traces: dict[str, list[ImportedSpan]] = {}
    for span in spans:
        traces.setdefault(span.trace_id, []).append(span)
    if trace_id is not None:
        wanted = trace_id.lower()
        if wanted not in traces:
            raise TraceImportError(f"no trace {trace_id} in {source} (it holds {', '.join(sorted(traces))})")
    else:
        wanted = next(iter(traces))
    chosen = traces[wanted]
    session_span = next((span for span in chosen if is_session_span(span.attributes)), None)
    frames = sorted((span for span in chosen if span is not session_span), key=_order)
    if not frames:
        raise TraceImportError(f"trace {wanted} in {source} has no spans besides the run itself")
    session = _session(wanted, session_span, chosen)
    frame_ids = {span.span_id: _frame_id(span) for span in frames}
    lines = [encode_line(session.to_record())]
    for span in frames:
        data = frame_record(
            span.name,
            span.attributes,
            timestamp=_iso(span.end_ns),
            latency_ms=max(span.end_ns - span.start_ns, 0) / 1e6,
            error=span.error,
        )
        data["session_id"] = session.session_id
        data["frame_id"] = frame_ids[span.span_id]
        if not data["parent_frame_id"] and span.parent_id in frame_ids:
            data["parent_frame_id"] = frame_ids[span.parent_id]
        meta = data["metadata"]
        session.frame_count += 1
        session.total_tokens += meta.get("tokens_used") or 0
        session.total_cost_usd += meta.get("cost_usd") or 0.0
        lines.append(encode_line({"type": "frame", "data": data}))
    lines.append(encode_line(session.to_record()))
    target = Path(output)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise TraceImportError(f"{target} exists: recordings are never overwritten, choose another -o") from None
    except OSError as exc:
        raise TraceImportError(f"cannot create {target}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(b"".join(lines))
    return ImportSummary(target, wanted, len(frames), len(traces) - 1)


def _frame_id(span: ImportedSpan) -> str:
    stored = span.attributes.get("vcr.frame.id")
    return stored if isinstance(stored, str) and stored else span.span_id


def _session(trace_id: str, session_span: ImportedSpan | None, spans: list[ImportedSpan]) -> Session:
    attributes = session_span.attributes if session_span is not None else {}
    session_id = attributes.get("vcr.session_id") or next(
        (span.attributes["session.id"] for span in spans if isinstance(span.attributes.get("session.id"), str)),
        f"trace-{trace_id[:16]}",
    )
    start = min((span.start_ns for span in spans if span.start_ns), default=0)
    agent = attributes.get("gen_ai.agent.name")
    metadata: dict[str, Any] = {"imported_from": "otel", "trace_id": trace_id}
    if isinstance(agent, str):
        metadata["agent"] = agent
    stamp = _iso(start) if start else ""
    return Session(session_id=str(session_id), created_at=stamp, updated_at=stamp, metadata=metadata)
