"""The object storage and OpenTelemetry parts import their heavy packages only when used."""

import subprocess
import sys


def test_engine_and_sources_import_without_fsspec_or_opentelemetry() -> None:
    code = (
        "import sys, recorder, recorder.storage, recorder.object_index, recorder.object_sessions,"
        " recorder.otel, recorder.otel_import, recorder.integrations.langgraph_threads, vcr_tui.sources,"
        " vcr_tui.cli;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('fsspec', 's3fs', 'botocore', 'opentelemetry', 'langgraph', 'textual'));"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_an_s3_address_is_an_object_and_other_schemes_are_refused() -> None:
    from vcr_tui.sources import LocationError, ObjectPath, parse_location

    assert parse_location("s3://bucket/runs/run.vcr") == ObjectPath("s3://bucket/runs/run.vcr")
    assert parse_location("s3://bucket/runs/").is_prefix  # type: ignore[union-attr]
    assert parse_location("gs://bucket").is_prefix  # type: ignore[union-attr]
    assert not parse_location("s3://bucket/run.vcr").is_prefix  # type: ignore[union-attr]
    for text, words in (("s3://", "names no bucket"), ("ftp://host/x.vcr", "unsupported address")):
        try:
            parse_location(text)
        except LocationError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(f"{text} was accepted")
