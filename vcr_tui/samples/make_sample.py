"""Regenerate ``sample.vcr``, the recording the README's quick start opens.

A small, plausible agent run recorded with the real ``VCRRecorder``: a planner, two LLM calls,
tool calls (one of which fails), a retry, an error frame and a checkpoint, with typed values
(a datetime, an enum, a dataclass) in the state. Nothing machine-specific is written: no paths,
no host names. Run ``python -m vcr_tui.samples.make_sample`` to rewrite the file in place.
"""

from __future__ import annotations

import enum
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from recorder import VCRRecorder
from recorder.models import FrameMetadata, FrameType

HERE = Path(__file__).resolve().parent
SESSION_ID = "sample_weather_report"
MODEL = "gpt-4o-mini"


class Priority(enum.Enum):
    LOW = "low"
    HIGH = "high"


@dataclass
class Forecast:
    city: str
    high_c: float
    low_c: float
    summary: str


def record(folder: Path) -> Path:
    """Record the sample run into ``folder`` and return the file written."""
    recorder = VCRRecorder(folder)
    recorder.start_session(
        session_id=SESSION_ID,
        metadata={"task": "Write a short weather report for Lisbon and Porto", "agent": "weather-reporter"},
        tags=["sample", "weather"],
    )
    asked_at = datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc)
    state: dict[str, Any] = {
        "task": "Write a short weather report for Lisbon and Porto",
        "cities": ["Lisbon", "Porto"],
        "requested_at": asked_at,
        "priority": Priority.HIGH,
        "forecasts": [],
        "step": 0,
    }
    plan = dict(state, step=1, plan=["fetch forecasts", "compare", "write report"])
    recorder.record_step("plan", state, plan, metadata=FrameMetadata(latency_ms=4.1, custom={"note": "planner"}))

    messages = [
        {"role": "system", "content": "You are a concise weather reporter."},
        {"role": "user", "content": "Which tool calls do you need for Lisbon and Porto?"},
    ]
    recorder.record_llm_call(
        MODEL,
        messages,
        {"role": "assistant", "content": "Call get_forecast for each city, then summarise."},
        tokens_input=46,
        tokens_output=14,
        latency_ms=812.0,
        cost_usd=0.000015,
    )
    lisbon = Forecast("Lisbon", 19.5, 12.0, "sunny, light wind")
    recorder.record_tool_call("get_forecast", {"city": "Lisbon"}, lisbon, latency_ms=231.0)
    recorder.record_tool_call(
        "get_forecast", {"city": "Porto"}, None, latency_ms=5003.0, error="upstream timeout after 5.0 s"
    )
    recorder.record_tool_call(
        "get_forecast",
        {"city": "Porto", "retry": 1},
        Forecast("Porto", 16.0, 10.5, "cloudy, showers later"),
        latency_ms=264.0,
    )
    gathered = dict(plan, step=2, forecasts=[lisbon, Forecast("Porto", 16.0, 10.5, "cloudy, showers later")])
    recorder.record_step("collect", plan, gathered, metadata=FrameMetadata(latency_ms=0.8))
    recorder.record_checkpoint(gathered, label="forecasts-ready")

    compare = dict(gathered, step=3, warmest="Lisbon", spread_c=3.5)
    recorder.record_step("compare", gathered, compare, metadata=FrameMetadata(latency_ms=1.2))
    report_prompt = [
        *messages,
        {"role": "user", "content": "Write three sentences comparing Lisbon (19.5/12.0) and Porto (16.0/10.5)."},
    ]
    report = (
        "Lisbon will be the warmer city today, with sunshine and a high of 19.5 °C.\n"
        "Porto stays cooler at 16 °C under clouds, with showers later in the day.\n"
        "Pack a light jacket if you travel north."
    )
    recorder.record_llm_call(
        MODEL, report_prompt, {"role": "assistant", "content": report}, 88, 61, latency_ms=1430.0, cost_usd=0.000050
    )
    draft = dict(compare, step=4, report=report)
    recorder.record_step(
        "format_report",
        compare,
        {"error": "KeyError: 'units'"},
        metadata=FrameMetadata(latency_ms=0.4, error_type="KeyError", error_message="'units'"),
        frame_type=FrameType.ERROR,
    )
    fixed = dict(draft, units="metric", step=5)
    recorder.record_step("format_report", dict(draft, units="metric"), fixed, metadata=FrameMetadata(latency_ms=0.6))
    recorder.record_tool_call("send_report", {"channel": "#weather", "text": report}, {"ok": True}, latency_ms=180.0)
    recorder.record_step(
        "finish",
        fixed,
        dict(fixed, step=6, done=True, finished_at=datetime(2026, 3, 14, 9, 30, 11, tzinfo=timezone.utc)),
    )
    path = recorder.save()
    recorder.close()
    return path


def main(target: Path = HERE / "sample.vcr") -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        written = record(Path(scratch))
        shutil.copyfile(written, target)
    return target


if __name__ == "__main__":
    print(main())
