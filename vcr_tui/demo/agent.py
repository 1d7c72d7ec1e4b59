"""A coding agent with a scripted model: read the tests, plan, write code, run the tests, report.

No network and no keys: the "model" is a pair of deterministic functions, and the "tests" are
evaluated by a tiny arithmetic evaluator (never ``eval``), so the demo is safe to run again from
any recording. The planner states the Fahrenheit-to-Celsius formula upside down; the coder trusts
the plan, the tests fail two steps later, and the report step raises. Editing the coder's input
(the ``formula``) and resuming fixes the run while the first two steps replay at zero tokens.
"""

from __future__ import annotations

import ast
import operator
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recorder import VCRRecorder, report_usage, vcr_record, vocabulary
from recorder.models import FrameType

ENTRY_POINT = "vcr_tui.demo.agent:run_agent"
DEMO_INPUT: dict[str, Any] = {
    "task": "Add f_to_c(f) to temperature.py so that tests/test_temperature.py passes",
    "repo": "examples/temperature",
}
TEST_CASES = ((212, 100.0), (32, 0.0), (-40, -40.0))


def _think(seconds: float = 0.15) -> None:
    """Pretend to wait on a model, so frames arrive at a visible pace (VCR_DEMO_DELAY=0 disables)."""
    delay = float(os.environ.get("VCR_DEMO_DELAY", seconds))
    if delay > 0:
        time.sleep(delay)


@vcr_record(node_name="tool:read_tests", frame_type=FrameType.TOOL_CALL)
def read_tests(state: dict[str, Any]) -> dict[str, Any]:
    cases = [f"assert f_to_c({f}) == {c}" for f, c in TEST_CASES]
    return {**state, "tests": cases}


@vcr_record(node_name="llm:planner", frame_type=FrameType.LLM_CALL)
def plan(state: dict[str, Any]) -> dict[str, Any]:
    _think()
    report_usage(model="scripted-planner", tokens_input=412, tokens_output=96, cost_usd=0.0021)
    return {
        **state,
        "plan": ["implement f_to_c with the conversion formula", "run the tests", "report"],
        "formula": "(f - 32) * 9 / 5",  # the planner's mistake: it should be (f - 32) * 5 / 9
    }


@vcr_record(node_name="llm:coder", frame_type=FrameType.LLM_CALL)
def write_code(state: dict[str, Any]) -> dict[str, Any]:
    _think()
    report_usage(model="scripted-coder", tokens_input=538, tokens_output=61, cost_usd=0.0024)
    code = f"def f_to_c(f):\n    return {state['formula']}\n"
    return {**state, "code": code}


@vcr_record(node_name="tool:run_tests", frame_type=FrameType.TOOL_CALL)
def run_tests(state: dict[str, Any]) -> dict[str, Any]:
    _think(0.05)
    formula = _formula_of(state["code"])
    results = []
    for fahrenheit, expected in TEST_CASES:
        got = evaluate(formula, fahrenheit)
        results.append({"case": f"f_to_c({fahrenheit})", "expected": expected, "got": got, "ok": got == expected})
    failed = sum(not result["ok"] for result in results)
    return {**state, "results": results, "failed": failed}


@vcr_record
def report(state: dict[str, Any]) -> dict[str, Any]:
    if state["failed"]:
        first = next(result for result in state["results"] if not result["ok"])
        raise AssertionError(
            f"{state['failed']} of {len(state['results'])} tests failed: "
            f"{first['case']} returned {first['got']}, expected {first['expected']}"
        )
    return {"summary": f"all {len(state['results'])} tests pass", "code": state["code"]}


def run_agent(task: dict[str, Any]) -> dict[str, Any]:
    """The agent: each step's output is the next step's input."""
    state = read_tests(task)
    state = plan(state)
    state = write_code(state)
    state = run_tests(state)
    return report(state)


def record_demo(directory: str | os.PathLike[str]) -> Path:
    """Record one (failing) run of the agent into ``directory`` and return the file's path."""
    recorder = VCRRecorder(directory)
    recorder.start_session(
        metadata={
            "task": DEMO_INPUT["task"],
            "agent": "vcr-tui demo",
            vocabulary.ENTRY_POINT: ENTRY_POINT,
            vocabulary.AGENT_INPUT: DEMO_INPUT,
        },
        tags=["demo"],
    )
    with recorder:
        try:
            run_agent(dict(DEMO_INPUT))
        except AssertionError:
            pass  # the failure is the point of the demo; it is in the recording as an error frame
    recorder.close()
    assert recorder.path is not None
    return recorder.path


_OPERATORS: dict[type[ast.AST], Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _formula_of(code: str) -> str:
    for line in code.splitlines():
        stripped = line.strip()
        if stripped.startswith("return "):
            return stripped[len("return ") :]
    raise ValueError("no return statement in the generated code")


def evaluate(formula: str, f: float) -> float:
    """Arithmetic on ``f`` and numbers only: anything else in the formula is refused."""
    if len(formula) > 200:
        raise ValueError("formula too long")

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "f":
            return float(f)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        raise ValueError(f"unsupported expression: {ast.dump(node)[:60]}")

    return round(walk(ast.parse(formula, mode="eval")), 6)
