"""OpenTelemetry export and import: OTLP JSON round trips here, and a real Arize Phoenix on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from recorder import VCRReader, VCRRecorder
from recorder.otel import export
from recorder.otel_attributes import TRUNCATED_MARKER
from recorder.otel_import import import_trace
from tests.support import phoenix_support
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.phoenix_support import Phoenix
from tests.support.service_venv import free_port

pytest.importorskip("opentelemetry.sdk")
phoenix = phoenix_support.phoenix  # the fixture the backend tests use


def agent_run(folder: Path, session_id: str = "otel-run") -> Path:
    """A small run with every kind of frame, a nested step, tokens and an error."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=session_id, metadata={"agent": "calc-fixer"})
    plan = recorder.record_step("plan", {"task": "fix calc"}, {"task": "fix calc", "plan": ["read", "patch"]})
    recorder.record_llm_call(
        "gpt-4o-mini", [{"role": "user", "content": "fix?"}], {"content": "swap"}, tokens_input=12, tokens_output=8
    )
    recorder.record_tool_call("run_tests", {"cmd": "pytest -q"}, {"passed": 3}, latency_ms=120.0)
    recorder.record_step("review", {"ok": False}, {"ok": True}, parent_frame_id=plan.frame_id)
    recorder.record_error("patch", {"file": "calc.py"}, PermissionError("read-only"))
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def frame_facts(path: Path) -> list[tuple[Any, ...]]:
    with VCRReader(path) as reader:
        return [
            (
                f.frame_id,
                f.node_name,
                f.frame_type,
                f.input_state,
                f.output_state,
                f.metadata.tokens_input,
                f.metadata.tokens_output,
                f.metadata.tokens_used,
                f.parent_frame_id,
                f.timestamp,
            )
            for f in (reader.frame(i) for i in range(len(reader)))
        ]


def test_export_to_otlp_json_then_import_gives_back_the_same_frames(tmp_path: Path) -> None:
    run = agent_run(tmp_path)
    summary = export(run, json_path=tmp_path / "trace.json")
    assert summary.spans == 6  # the run and its five frames
    back = import_trace(tmp_path / "trace.json", tmp_path / "back.vcr")
    assert back.trace_id == summary.trace_id and back.frames == 5
    assert frame_facts(tmp_path / "back.vcr") == frame_facts(run)
    with VCRReader(tmp_path / "back.vcr") as reader:
        assert reader.session.session_id == "otel-run"
        assert reader.session.total_tokens == 20
        assert reader.problems == []


def test_big_states_are_cut_with_a_marker_and_come_back_marked(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="big")
    recorder.record_step("load", {"doc": "é" * 5000}, {"n": 1})
    recorder.close()
    assert recorder.path is not None
    export(recorder.path, json_path=tmp_path / "trace.json", max_state_bytes=100)
    spans = json.loads((tmp_path / "trace.json").read_text())["resourceSpans"][0]["scopeSpans"][0]["spans"]
    values = {a["key"]: a["value"] for a in spans[-2]["attributes"]}
    text = values["input.value"]["stringValue"]
    assert text.endswith(TRUNCATED_MARKER) and len(text.encode()) <= 100 + len(TRUNCATED_MARKER.encode())
    assert values["output.value"]["stringValue"] == '{"n":1}'
    import_trace(tmp_path / "trace.json", tmp_path / "back.vcr")
    with VCRReader(tmp_path / "back.vcr") as reader:
        assert "$truncated" in reader.frame(0).input_state
        assert reader.frame(0).output_state == {"n": 1}


def test_cli_export_and_import_report_bad_input_in_one_line(tmp_path: Path) -> None:
    run = agent_run(tmp_path)
    assert_one_line_failure(run_cli("export", str(run), cwd=tmp_path), "--otlp")
    assert_one_line_failure(run_cli("export", str(run), "--otlp", "ftp://x", cwd=tmp_path), "not an http")
    assert_one_line_failure(run_cli("export", "missing.vcr", "--json", "t.json", cwd=tmp_path), "missing.vcr")
    closed = f"http://127.0.0.1:{free_port()}"
    refused = run_cli("export", str(run), "--otlp", closed, cwd=tmp_path)
    assert_one_line_failure(refused, "did not accept", "0 of 6 sent")

    (tmp_path / "junk.json").write_text("{not json\n")
    assert_one_line_failure(run_cli("import", "junk.json", "-o", "x.vcr", cwd=tmp_path), "line 1 is not JSON")
    (tmp_path / "empty.json").write_text('{"resourceSpans": []}')
    assert_one_line_failure(run_cli("import", "empty.json", "-o", "x.vcr", cwd=tmp_path), "holds no spans")

    assert run_cli("export", str(run), "--json", "t.json", cwd=tmp_path).returncode == 0
    done = run_cli("import", "t.json", "-o", "back.vcr", cwd=tmp_path)
    assert done.returncode == 0 and "5 frames" in done.stdout, done.stderr
    assert_one_line_failure(run_cli("import", "t.json", "-o", "back.vcr", cwd=tmp_path), "never overwritten")
    assert not (tmp_path / "x.vcr").exists()


@pytest.mark.slow
def test_export_to_phoenix_shows_names_parents_and_tokens(phoenix: Phoenix, tmp_path: Path) -> None:
    run = agent_run(tmp_path, "phoenix-run")
    result = run_cli("export", str(run), "--otlp", phoenix.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    trace_id = result.stdout.split("(trace ", 1)[1].split(")", 1)[0]
    spans = phoenix.wait_for_spans(trace_id, 6)
    by_name = {span["name"]: span for span in spans}
    assert set(by_name) == {"phoenix-run", "plan", "chat gpt-4o-mini", "execute_tool run_tests", "review", "patch"}
    root = by_name["phoenix-run"]
    assert root["parent_id"] is None and root["span_kind"] == "AGENT"
    root_id = root["context"]["span_id"]
    assert by_name["review"]["parent_id"] == by_name["plan"]["context"]["span_id"]
    for name in ("plan", "chat gpt-4o-mini", "execute_tool run_tests", "patch"):
        assert by_name[name]["parent_id"] == root_id
    llm = by_name["chat gpt-4o-mini"]
    assert llm["span_kind"] == "LLM"
    attributes = phoenix_support.flat(llm["attributes"])
    assert attributes["llm.token_count.prompt"] == 12 and attributes["llm.token_count.completion"] == 8
    assert attributes["gen_ai.usage.input_tokens"] == 12 and attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert by_name["patch"]["status_code"] == "ERROR"

    # Round trip through the backend: Phoenix's own OTLP JSON of the trace, imported, is the run.
    address = f"{phoenix.url}/v1/projects/{phoenix_support.PROJECT}/spans/otlpv1?trace_id={trace_id}&limit=1000"
    with urllib.request.urlopen(address, timeout=30) as response:
        (tmp_path / "from-phoenix.json").write_bytes(response.read())
    imported = run_cli("import", "from-phoenix.json", "-o", "back.vcr", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert frame_facts(tmp_path / "back.vcr") == frame_facts(run)


@pytest.mark.slow
def test_a_recorder_emits_spans_live(phoenix: Phoenix, tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path, otel_endpoint=phoenix.url)
    recorder.start_session(session_id="live-run")
    for step in range(3):
        recorder.record_llm_call("m", [], "ok", tokens_input=step + 1, tokens_output=1)
    trace_id = recorder.live_spans.trace_id if recorder.live_spans else None
    recorder.close()
    assert trace_id is not None
    spans = phoenix.wait_for_spans(trace_id, 4)
    assert sorted(span["name"] for span in spans) == ["chat m", "chat m", "chat m", "live-run"]
    prompts = sorted(phoenix_support.flat(s["attributes"]).get("llm.token_count.prompt", 0) for s in spans)
    assert prompts == [0, 1, 2, 3]
