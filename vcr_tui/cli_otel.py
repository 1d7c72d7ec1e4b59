"""``vcr-tui export RUN.vcr --otlp URL`` and ``vcr-tui import TRACE.json -o run.vcr``.

A recording goes to an observability backend as an OpenTelemetry trace, and a trace comes back
as a recording; both directions are the engine's (``recorder.otel``, ``recorder.otel_import``),
this module only reads the options and reports in one line.
"""

from __future__ import annotations

from pathlib import Path

import click

from vcr_tui.cli import fail


@click.command("export")
@click.argument("recording", type=click.Path(path_type=Path))
@click.option("--otlp", "endpoint", metavar="URL", help="OTLP/HTTP collector to send the trace to (http://host:4318).")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Also (or only) write the trace as OTLP JSON."
)
@click.option(
    "--max-state-bytes",
    type=click.IntRange(min=16),
    default=None,
    help="Cut each state attribute above this size (a marker says so); default 32 KiB.",
)
@click.option("--service-name", default="vcr-tui", show_default=True, help="The trace's service.name.")
def export_command(
    recording: Path, endpoint: str | None, json_path: Path | None, max_state_bytes: int | None, service_name: str
) -> None:
    """Send RECORDING as one OpenTelemetry trace: a span per frame, GenAI and OpenInference attributes."""
    from recorder import RecordingNotFoundError, RecordingUnreadableError
    from recorder.otel import OtelExportError, export
    from recorder.otel_attributes import DEFAULT_MAX_STATE_BYTES

    if endpoint is None and json_path is None:
        fail("export: say where to: --otlp http://127.0.0.1:4318 and/or --json trace.json")
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        fail(f"export: --otlp {endpoint!r} is not an http(s) URL")
    if json_path is not None and json_path.exists():
        fail(f"export: {json_path} exists; choose another --json file")
    try:
        summary = export(
            recording,
            endpoint,
            json_path=json_path,
            max_state_bytes=max_state_bytes or DEFAULT_MAX_STATE_BYTES,
            service_name=service_name,
        )
    except (RecordingNotFoundError, RecordingUnreadableError, OtelExportError) as exc:
        fail(f"export: {exc.strerror or exc}")
    where = " and ".join(part for part in (endpoint, str(json_path) if json_path else None) if part)
    click.echo(f"exported {summary.spans} spans (trace {summary.trace_id}) to {where}")


@click.command("import")
@click.argument("trace", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The recording to write (new file)."
)
@click.option("--trace-id", default=None, help="Which trace of the file to import (default: the first).")
def import_command(trace: Path, output: Path, trace_id: str | None) -> None:
    """Turn TRACE (OTLP JSON, or Phoenix's span list) into a recording to open, step and diff."""
    from recorder.otel_import import TraceImportError, import_trace

    try:
        summary = import_trace(trace, output, trace_id=trace_id)
    except TraceImportError as exc:
        fail(f"import: {exc}")
    others = f"; {summary.other_traces} other trace(s) in the file (--trace-id)" if summary.other_traces else ""
    click.echo(f"imported trace {summary.trace_id}: {summary.frames} frames into {summary.path}{others}")
