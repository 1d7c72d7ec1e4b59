"""The built-in demo: a small deterministic agent whose run fails, ready to be fixed by time travel."""

from vcr_tui.demo.agent import DEMO_INPUT, ENTRY_POINT, record_demo, run_agent

__all__ = ["DEMO_INPUT", "ENTRY_POINT", "record_demo", "run_agent"]
