"""A finished recording as OTLP spans: built as plain values, encoded straight to the wire.

Exporting a recording needs no live tracing machinery: every span is finished before it is sent,
its ids, times and attributes known. The SDK's spans check and copy each attribute on the way in
and its encoder walks them again on the way out, which costs milliseconds per span for the long
states a frame holds; here a span is a small record, and a batch becomes one protobuf message
(``opentelemetry-proto``, the package the OTLP exporter itself encodes with) or OTLP's JSON
mapping. What a span says about its frame is decided in ``otel_attributes``, for live spans too.
"""

from __future__ import annotations

import errno
import gc
import http.client
import random
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from recorder.models import Frame, Session
from recorder.otel_attributes import frame_attributes, session_attributes, span_name
from recorder.timestamps import parse_timestamp

SCOPE = "vcr-tui"
STATUS_UNSET = 0
STATUS_ERROR = 2
KIND_INTERNAL = 1  # OTLP's SPAN_KIND_INTERNAL


class SendError(OSError):
    """The collector could not be reached or refused a batch; the message says why, in one line."""


@dataclass(slots=True)
class PlainSpan:
    """One finished span: what OTLP carries of it."""

    trace_id: int
    span_id: int
    parent_id: int  # 0 for the run's root span
    name: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any]
    status: int = STATUS_UNSET
    message: str = ""


@dataclass(slots=True)
class Trace:
    """A session's spans (frames first, in order, the run's root span last) and its resource."""

    trace_id: int
    resource: dict[str, Any]
    spans: list[PlainSpan] = field(default_factory=list)

    @property
    def trace_hex(self) -> str:
        return f"{self.trace_id:032x}"


def frame_times(frame: Frame, fallback: int) -> tuple[int, int]:
    """(start, end) in nanoseconds: the frame ends at its timestamp and lasts its latency."""
    moment = frame.time
    end = int(moment.timestamp() * 1_000_000_000) if moment is not None else fallback
    return end - int(max(frame.metadata.latency_ms, 0.0) * 1_000_000), end


def session_start_ns(session: Session) -> int:
    moment = parse_timestamp(session.created_at)
    return int(moment.timestamp() * 1_000_000_000) if moment is not None else 0


def _span_id(rng: random.Random) -> int:
    return rng.getrandbits(64) or 1


class TraceBuilder:
    """A session's spans made one frame at a time, so a batch can be sent while the next is built.

    Each frame's span is under the frame it names as its parent, else under the run's root span,
    which ``finish`` makes last (its times and counts are known only then).
    """

    def __init__(self, session: Session, *, max_state_bytes: int, service_name: str) -> None:
        self.rng = random.Random()
        self.session = session
        self.max_state_bytes = max_state_bytes
        self.trace = Trace(
            self.rng.getrandbits(128) or 1, {"service.name": service_name, "session.id": session.session_id}
        )
        self.root_id = _span_id(self.rng)
        self.parents: dict[str, int] = {}
        self.start: int | None = None
        self.last_end = 0
        self.count = 0

    def add(self, frame: Frame) -> PlainSpan:
        begin, end = frame_times(frame, self.last_end)
        if self.start is None:
            self.start = begin
            self.last_end = max(self.last_end, begin)
        span = PlainSpan(
            self.trace.trace_id,
            _span_id(self.rng),
            self.parents.get(frame.parent_frame_id or "", self.root_id),
            span_name(frame),
            begin,
            end,
            frame_attributes(frame, self.session.session_id, max_state_bytes=self.max_state_bytes),
        )
        if frame.is_error:
            span.status, span.message = STATUS_ERROR, frame.metadata.error_message or "error"
        if frame.frame_id:
            self.parents[frame.frame_id] = span.span_id
        self.last_end = max(self.last_end, end)
        self.count += 1
        return span

    def finish(self, count: int) -> PlainSpan:
        """The run's root span, for a session of ``count`` frames."""
        session = self.session
        start = self.start
        if start is None:
            start = session_start_ns(session)
            self.last_end = start
        agent = session.metadata.get("agent")
        attributes = session_attributes(
            session.session_id, agent if isinstance(agent, str) else None, count, session.total_tokens
        )
        attributes["vcr.frame_count"] = self.count
        return PlainSpan(
            self.trace.trace_id,
            self.root_id,
            0,
            session.session_id or "vcr run",
            start,
            max(self.last_end, start),
            attributes,
        )


def build_trace(
    session: Session, frames: Iterable[Frame], count: int, *, max_state_bytes: int, service_name: str
) -> Trace:
    """The trace of a session whose ``count`` frames ``frames`` yields in order."""
    builder = TraceBuilder(session, max_state_bytes=max_state_bytes, service_name=service_name)
    spans = builder.trace.spans
    with gc_paused():
        for frame in frames:
            spans.append(builder.add(frame))
        spans.append(builder.finish(count))
    return builder.trace


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cycle collection while spans are built: they hold no cycles, and the collector, run
    every few hundred allocations, would walk every parsed frame and span made so far (a fifth
    of an export's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- OTLP protobuf --------------------------------------------------------------------------------


def protobuf(trace: Trace, spans: Sequence[PlainSpan]) -> bytes:
    """An ``ExportTraceServiceRequest`` holding ``spans`` of ``trace``, serialised."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    _put_attributes(resource_spans.resource.attributes, trace.resource)
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = SCOPE
    added = scope_spans.spans.add
    for span in spans:
        message = added()
        message.trace_id = span.trace_id.to_bytes(16, "big")
        message.span_id = span.span_id.to_bytes(8, "big")
        if span.parent_id:
            message.parent_span_id = span.parent_id.to_bytes(8, "big")
        message.name = span.name
        message.kind = KIND_INTERNAL  # the enum's wire value
        message.start_time_unix_nano = span.start_ns
        message.end_time_unix_nano = span.end_ns
        _put_attributes(message.attributes, span.attributes)
        if span.status:
            message.status.code = span.status
            if span.message:
                message.status.message = span.message
    data: bytes = request.SerializeToString()
    return data


def _put_attributes(target: Any, values: dict[str, Any]) -> None:
    add = target.add
    for key, value in values.items():
        item = add()
        item.key = key
        if type(value) is str:  # nearly every attribute: spare it the general dispatch
            item.value.string_value = value
        else:
            _put_value(item.value, value)


def _put_value(target: Any, value: Any) -> None:
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, (list, tuple)):
        for item in value:
            _put_value(target.array_value.values.add(), item)
    else:
        target.string_value = str(value)


# -- OTLP JSON, as the collector's file exporter writes it ------------------------------------


def _json_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [_json_value(item) for item in value]}}
    return {"stringValue": str(value)}


def _json_attributes(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": _json_value(value)} for key, value in values.items()]


def otlp_json(trace: Trace) -> dict[str, Any]:
    """The trace as an ``ExportTraceServiceRequest`` in OTLP's JSON mapping (ids in hex, 64-bit ints as strings)."""
    encoded = []
    for span in trace.spans:
        status: dict[str, Any] = {"code": span.status}
        if span.message:
            status["message"] = span.message
        item: dict[str, Any] = {
            "traceId": f"{span.trace_id:032x}",
            "spanId": f"{span.span_id:016x}",
            "name": span.name,
            "kind": KIND_INTERNAL,
            "startTimeUnixNano": str(span.start_ns),
            "endTimeUnixNano": str(span.end_ns),
            "attributes": _json_attributes(span.attributes),
            "status": status,
        }
        if span.parent_id:
            item["parentSpanId"] = f"{span.parent_id:016x}"
        encoded.append(item)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _json_attributes(trace.resource)},
                "scopeSpans": [{"scope": {"name": SCOPE}, "spans": encoded}],
            }
        ]
    }


# -- sending --------------------------------------------------------------------------------------


class Poster:
    """POSTs OTLP/HTTP protobuf bodies to one traces URL over one kept-alive connection."""

    def __init__(self, url: str, headers: dict[str, str] | None, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SendError(errno.EINVAL, f"not an http(s) collector address: {url}")
        self.url = url
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Content-Type": "application/x-protobuf", **(headers or {})}
        connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = connection(parts.hostname, parts.port, timeout=timeout)

    def post(self, body: bytes) -> None:
        """Send one batch; a refused batch or an unreachable collector raises ``SendError``."""
        for attempt in (1, 2):  # a kept-alive connection the collector closed meanwhile: reconnect once
            try:
                self.connection.request("POST", self.path, body, self.headers)
                response = self.connection.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.connection.close()
                if attempt == 2:
                    raise SendError(exc.errno or errno.ECONNRESET, f"the collector at {self.url} hung up") from None
                continue
            except (OSError, http.client.HTTPException) as exc:
                self.connection.close()
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                raise SendError(getattr(exc, "errno", None) or errno.EIO, f"{self.url}: {reason}") from None
            if not 200 <= response.status < 300:
                raise SendError(errno.EIO, f"{self.url} answered {response.status} {response.reason}")
            return

    def close(self) -> None:
        self.connection.close()
