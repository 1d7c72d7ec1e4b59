"""A recording as an OpenTelemetry trace: sent over OTLP/HTTP, written as OTLP JSON, or emitted live.

One trace per session: a root span for the run (an agent invocation) and one span per frame,
each under the frame it names as its parent (``parent_frame_id``) or else under the root. Span
times are the frame's: it ends at its timestamp and lasts its recorded latency. What each span
carries is decided in ``otel_attributes``.

``opentelemetry-sdk`` and its OTLP exporter are imported only here and only when used
(``pip install 'vcr-tui[otel]'``). A batch the collector refuses is an error, never a quiet loss:
``export`` returns only when every span was accepted.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from recorder.index import decode_line
from recorder.models import Frame, Session, frame_from_dict
from recorder.otel_attributes import (
    DEFAULT_MAX_STATE_BYTES,
    frame_attributes,
    session_attributes,
    span_name,
)
from recorder.otlp_spans import (
    SCOPE,
    PlainSpan,
    Poster,
    SendError,
    Trace,
    TraceBuilder,
    build_trace,
    frame_times,
    gc_paused,
    otlp_json,
    protobuf,
    session_start_ns,
)
from recorder.reader import VCRReader

_BATCH = 512
_EXPORTER_LOGGERS = ("opentelemetry.exporter.otlp.proto.http.trace_exporter", "opentelemetry.sdk.trace.export")


class OtelExportError(OSError):
    """The trace could not be sent or written; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export sent: the trace's id (32 hex digits) and how many spans it holds."""

    trace_id: str
    spans: int


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector's base address (``http://host:4318``)."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def _sdk() -> Any:
    try:
        from opentelemetry.sdk import trace as sdk_trace
    except ImportError:
        raise OtelExportError(
            errno.ENOPKG, "OpenTelemetry export needs opentelemetry-sdk: pip install 'vcr-tui[otel]'"
        ) from None
    return sdk_trace


def _exporter(endpoint: str, headers: dict[str, str] | None, timeout: float) -> Any:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise OtelExportError(
            errno.ENOPKG,
            "OTLP export needs opentelemetry-exporter-otlp-proto-http: pip install 'vcr-tui[otel]'",
        ) from None
    return OTLPSpanExporter(endpoint=traces_url(endpoint), headers=headers, timeout=timeout)


class _TraceBuilder:
    """Turns a session and its frames into finished SDK spans, in the order they end."""

    def __init__(self, session: Session, *, max_state_bytes: int, service_name: str, processor: Any) -> None:
        sdk_trace = _sdk()
        from opentelemetry import trace as otel_trace
        from opentelemetry.sdk.resources import Resource

        self._trace = otel_trace
        self.session = session
        self.max_state_bytes = max_state_bytes
        resource = Resource.create({"service.name": service_name, "session.id": session.session_id})
        self.provider = sdk_trace.TracerProvider(resource=resource)
        self.provider.add_span_processor(processor)
        self.tracer = self.provider.get_tracer(SCOPE)
        self.root: Any = None
        self._contexts: dict[str, Any] = {}
        self._root_context: Any = None
        self.last_end = 0
        self.count = 0

    def start_root(self, start_ns: int, frame_count: int) -> None:
        session = self.session
        agent = session.metadata.get("agent")
        self.root = self.tracer.start_span(
            session.session_id or "vcr run",
            start_time=start_ns,
            attributes=session_attributes(
                session.session_id, agent if isinstance(agent, str) else None, frame_count, session.total_tokens
            ),
        )
        self._root_context = self._trace.set_span_in_context(self.root)
        self.last_end = start_ns

    def add(self, frame: Frame) -> None:
        start, end = frame_times(frame, self.last_end)
        parent = self._contexts.get(frame.parent_frame_id or "") or self._root_context
        span = self.tracer.start_span(
            span_name(frame),
            context=parent,
            start_time=start,
            attributes=frame_attributes(frame, self.session.session_id, max_state_bytes=self.max_state_bytes),
        )
        if frame.is_error:
            status = self._trace.Status(self._trace.StatusCode.ERROR, frame.metadata.error_message or "error")
            span.set_status(status)
        span.end(end_time=end)
        if frame.frame_id:
            self._contexts[frame.frame_id] = self._trace.set_span_in_context(span)
        self.last_end = max(self.last_end, end)
        self.count += 1

    def end_root(self, end_ns: int | None = None) -> str:
        self.root.set_attribute("vcr.frame_count", self.count)
        self.root.end(end_time=end_ns if end_ns is not None else self.last_end)
        return f"{self.root.get_span_context().trace_id:032x}"


@contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter logs each failed try; the caller reports the failure once, in one line."""
    loggers = [logging.getLogger(name) for name in _EXPORTER_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def export(
    source: str | os.PathLike[str] | VCRReader,
    endpoint: str | None = None,
    *,
    json_path: str | os.PathLike[str] | None = None,
    max_state_bytes: int = DEFAULT_MAX_STATE_BYTES,
    service_name: str = "vcr-tui",
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> ExportSummary:
    """Send the recording's last session as one trace to ``endpoint`` (OTLP/HTTP, protobuf), and/or
    write it to ``json_path`` as OTLP JSON. States above ``max_state_bytes`` are cut with a marker.

    Raises ``OtelExportError`` when the collector cannot be reached or refuses a batch.
    """
    if endpoint is None and json_path is None:
        raise ValueError("give an endpoint, a json_path, or both")
    reader = source if isinstance(source, VCRReader) else VCRReader(source)
    try:
        count = len(reader)
        frames = (reader.frame(index) for index in range(count))
        if json_path is None:
            assert endpoint is not None
            return _stream(reader.session, frames, count, endpoint, max_state_bytes, service_name, headers, timeout)
        trace = build_trace(reader.session, frames, count, max_state_bytes=max_state_bytes, service_name=service_name)
    finally:
        if reader is not source:
            reader.close()
    write_otlp_json(trace, Path(json_path))
    if endpoint is not None:
        send(trace, endpoint, headers=headers, timeout=timeout)
    return ExportSummary(trace.trace_hex, len(trace.spans))


def send(trace: Trace, endpoint: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0) -> None:
    """Post the trace's spans in batches of ``_BATCH`` over one connection; the first refused batch raises."""
    sender = _Sender(endpoint, headers, timeout, len(trace.spans))
    try:
        for start in range(0, len(trace.spans), _BATCH):
            sender.put(protobuf(trace, trace.spans[start : start + _BATCH]), min(_BATCH, len(trace.spans) - start))
    finally:
        sender.close()


def _stream(
    session: Session,
    frames: Iterator[Frame],
    count: int,
    endpoint: str,
    max_state_bytes: int,
    service_name: str,
    headers: dict[str, str] | None,
    timeout: float,
) -> ExportSummary:
    """Build the spans a batch at a time and send each while the next is built.

    The collector answers a batch after ingesting it; meanwhile the frames of the next one are
    read and turned into spans, so its ingest and our part overlap instead of adding up.
    """
    builder = TraceBuilder(session, max_state_bytes=max_state_bytes, service_name=service_name)
    sender = _Sender(endpoint, headers, timeout, count + 1)
    try:
        batch: list[PlainSpan] = []
        with gc_paused():
            for frame in frames:
                batch.append(builder.add(frame))
                if len(batch) == _BATCH:
                    sender.put(protobuf(builder.trace, batch), len(batch))
                    batch = []
            batch.append(builder.finish(count))
            sender.put(protobuf(builder.trace, batch), len(batch))
    finally:
        sender.close()
    return ExportSummary(builder.trace.trace_hex, builder.count + 1)


class _Sender:
    """Posts encoded batches over one connection from a thread of its own, in order.

    ``put`` waits only while two batches are already waiting; the first batch the collector
    refuses (or cannot take) stops the sending, and ``close`` (or the next ``put``) raises it as
    an ``OtelExportError`` naming how many spans got through.
    """

    def __init__(self, endpoint: str, headers: dict[str, str] | None, timeout: float, total: int) -> None:
        try:
            self.poster = Poster(traces_url(endpoint), headers, timeout)
        except SendError as exc:
            raise OtelExportError(exc.errno or errno.EINVAL, str(exc)) from None
        self.endpoint = endpoint
        self.total = total
        self.sent = 0
        self.error: OtelExportError | None = None
        self.queue: queue.Queue[tuple[bytes, int] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="vcr-otlp-send", daemon=True)
        self.thread.start()

    def put(self, body: bytes, spans: int) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((body, spans))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.poster.close()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain what is queued; the error is raised to the caller
            body, spans = item
            try:
                self.poster.post(body)
            except SendError as exc:
                self.error = OtelExportError(
                    exc.errno or errno.EIO,
                    f"the collector at {traces_url(self.endpoint)} did not accept the spans"
                    f" ({self.sent} of {self.total} sent: {exc}): is it running and speaking OTLP/HTTP?",
                )
                continue
            self.sent += spans


def write_otlp_json(trace: Trace, path: Path) -> None:
    try:
        path.write_bytes(orjson.dumps(otlp_json(trace)) + b"\n")
    except OSError as exc:
        raise OtelExportError(exc.errno or errno.EIO, f"cannot write {path}: {exc.strerror or exc}") from None


# -- live spans, as a recorder writes ----------------------------------------------------------


class LiveSpans:
    """Spans emitted while a recorder writes: fed each line it writes, closed with it.

    Sent in the background by the SDK's batch processor, so recording never waits on the
    network; ``close()`` ends the run's span and flushes what is left.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        max_state_bytes: int = DEFAULT_MAX_STATE_BYTES,
        service_name: str = "vcr-tui",
        headers: dict[str, str] | None = None,
    ) -> None:
        _sdk()
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self._processor: Any = BatchSpanProcessor(_exporter(endpoint, headers, 10.0), max_queue_size=1 << 16)
        self._max_state_bytes = max_state_bytes
        self._service_name = service_name
        self._builder: _TraceBuilder | None = None
        self._lock = threading.Lock()
        self.trace_id: str | None = None

    def line(self, line: bytes) -> None:
        """One line the recorder wrote: a session header (re)starts the run, a frame becomes a span."""
        value = decode_line(line).value
        if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
            return
        with self._lock:
            if value.get("type") == "session":
                session = Session.from_dict(value["data"])
                if self._builder is None or self._builder.session.session_id != session.session_id:
                    self._finish_locked()
                    self._builder = _TraceBuilder(
                        session,
                        max_state_bytes=self._max_state_bytes,
                        service_name=self._service_name,
                        processor=self._processor,
                    )
                    self._builder.start_root(session_start_ns(session) or _now_ns(), 0)
                    self.trace_id = f"{self._builder.root.get_span_context().trace_id:032x}"
                else:
                    self._builder.session.total_tokens = session.total_tokens
            elif value.get("type") == "frame" and self._builder is not None:
                frame, _notes = frame_from_dict(value["data"], index=self._builder.count)
                self._builder.add(frame)

    def _finish_locked(self) -> None:
        if self._builder is not None:
            self._builder.end_root(max(self._builder.last_end, _now_ns()))
            self._builder = None

    def close(self) -> None:
        """End the run's span and send everything still queued."""
        with self._lock:
            self._finish_locked()
        with _quiet_exporter():
            self._processor.shutdown()


def _now_ns() -> int:
    import time

    return time.time_ns()
