"""Which steps a golden run answers: same node, same identity, same input; everything else runs live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recorder import VCRPlayer, VCRRecorder, report_usage, vcr_record
from recorder.golden import CostLedger, GoldenRunCache


class Agent:
    """A three-step agent whose steps count their real calls and report what they cost."""

    def __init__(self, identity: str = "prompt-v1") -> None:
        self.calls: list[str] = []

        @vcr_record(node_name="llm:planner", frame_type="llm", identity=identity)
        def plan(state: dict[str, Any]) -> dict[str, Any]:
            self.calls.append("plan")
            report_usage(model="scripted", tokens_input=30, tokens_output=10, cost_usd=0.004)
            return {"steps": [f"read {state['task']}", "patch"]}

        @vcr_record(node_name="tool:fetch", frame_type="tool")
        def fetch(state: dict[str, Any]) -> dict[str, Any]:
            self.calls.append("fetch")
            return {"page": f"contents of {state['url']}"}

        @vcr_record(node_name="llm:writer", frame_type="llm")
        def write(state: dict[str, Any]) -> dict[str, Any]:
            self.calls.append("write")
            report_usage(model="scripted", tokens_input=20, tokens_output=20, cost_usd=0.006)
            return {"report": " / ".join(state["steps"]) + " :: " + state["page"][:20]}

        self.plan, self.fetch, self.write = plan, fetch, write

    def __call__(self, task: str, url: str) -> dict[str, Any]:
        planned = self.plan({"task": task})
        page = self.fetch({"url": url})
        return self.write({"steps": planned["steps"], "page": page["page"]})


def record(folder: Path, agent: Any, *args: Any, cache: GoldenRunCache | None = None, task: str = "report") -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session()
    with recorder:
        if cache is None:
            agent(*args)
        else:
            with cache.serving(task):
                agent(*args)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def sources(path: Path) -> list[tuple[str, str | None]]:
    return [(frame.node_name, frame.source) for frame in VCRPlayer.load(path)]


@pytest.fixture
def golden(tmp_path: Path) -> GoldenRunCache:
    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("report", record(tmp_path / "runs", Agent(), "calc", "http://a"))
    return cache


def test_an_unchanged_run_makes_no_call_and_its_ledger_says_what_it_saved(
    tmp_path: Path, golden: GoldenRunCache
) -> None:
    agent = Agent()
    path = record(tmp_path / "runs", agent, "calc", "http://a", cache=golden)
    assert agent.calls == []
    assert sources(path) == [
        ("llm:planner", "golden_cache"),
        ("tool:fetch", "golden_cache"),
        ("llm:writer", "golden_cache"),
    ]
    ledger = CostLedger.of_recording(path)
    assert (ledger.replay_tokens, ledger.tokens_saved, ledger.steps_replayed, ledger.steps_rerun) == (0, 80, 3, 0)
    assert ledger.cost_saved_usd == pytest.approx(0.010)
    assert ledger.savings_percent == pytest.approx(100.0)
    assert str(ledger).startswith("CostLedger(saved=100% | $0.0100 | 80 tokens | ")


def test_a_changed_middle_step_runs_live_and_the_steps_it_does_not_change_are_still_answered(
    tmp_path: Path, golden: GoldenRunCache
) -> None:
    agent = Agent()
    path = record(tmp_path / "runs", agent, "calc", "http://b", cache=golden)
    # fetch's input changed; write's input changed through fetch's output; plan is answered.
    assert agent.calls == ["fetch", "write"]
    assert [s for _, s in sources(path)] == ["golden_cache", "live", "live"]
    ledger = CostLedger.of_recording(path)
    assert (ledger.replay_tokens, ledger.tokens_saved) == (40, 40)
    assert ledger.savings_percent == pytest.approx(40.0)  # $0.004 of $0.010


def test_a_step_after_the_first_miss_is_looked_up_again(tmp_path: Path) -> None:
    calls: list[str] = []

    @vcr_record
    def stamp(state: dict[str, Any]) -> dict[str, Any]:
        calls.append("stamp")
        return {"n": state["n"]}

    @vcr_record
    def shout(state: dict[str, Any]) -> dict[str, Any]:
        calls.append("shout")
        return {"text": state["text"].upper()}

    def agent(n: int) -> None:
        stamp({"n": n})
        shout({"text": "same every time"})

    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("t", record(tmp_path / "runs", agent, 1))
    calls.clear()
    record(tmp_path / "runs", agent, 2, cache=cache, task="t")
    assert calls == ["stamp"]


def test_identical_repeated_calls_replay_in_recorded_order_then_run_live(tmp_path: Path) -> None:
    answers = iter(["first", "second", "third", "fourth"])
    calls = 0

    @vcr_record
    def roll(state: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return {"face": next(answers)}

    def agent(times: int) -> list[str]:
        return [roll({"die": 6})["face"] for _ in range(times)]

    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("dice", record(tmp_path / "runs", agent, 2))
    calls = 0
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session()
    with recorder, cache.serving("dice"):
        faces = agent(3)
    assert faces == ["first", "second", "third"]  # two from the golden run, in order; the third live
    assert calls == 1


def test_a_different_identity_misses_even_with_the_same_input(tmp_path: Path, golden: GoldenRunCache) -> None:
    agent = Agent(identity="prompt-v2")
    path = record(tmp_path / "runs", agent, "calc", "http://a", cache=golden)
    assert agent.calls == ["plan"]  # the tool and the writer carry no identity and still match
    frames = list(VCRPlayer.load(path))
    assert frames[0].metadata.custom["identity"] == "prompt-v2"


def test_matching_is_strict_by_default_and_normalize_drops_what_the_user_names(tmp_path: Path) -> None:
    calls = 0

    @vcr_record
    def answer(state: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return {"text": state["question"].title()}

    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("q", record(tmp_path / "runs", answer, {"question": "why", "sent_at": "09:00"}))

    def served(cache: GoldenRunCache, state: dict[str, Any]) -> int:
        nonlocal calls
        calls = 0
        record(tmp_path / "runs", answer, state, cache=cache, task="q")
        return calls

    # Key order never matters; any other difference does, down to an int against a float.
    assert served(cache, {"sent_at": "09:00", "question": "why"}) == 0
    assert served(cache, {"question": "why", "sent_at": "09:01"}) == 1
    assert served(cache, {"question": "why ", "sent_at": "09:00"}) == 1
    assert served(cache, {"question": "why", "sent_at": "09:00", "extra": None}) == 1

    def without_time(node: str, state: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in state.items() if k != "sent_at"}

    relaxed = GoldenRunCache(tmp_path / "golden", normalize=without_time)
    assert served(relaxed, {"question": "why", "sent_at": "17:45"}) == 0
    assert served(relaxed, {"question": "how", "sent_at": "09:00"}) == 1


def test_typed_values_match_in_their_recorded_form(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    calls = 0

    @vcr_record
    def book(state: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return {"booked": state["when"], "seats": {2, 3}}

    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("book", record(tmp_path / "runs", book, {"when": when}))
    calls = 0
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session()
    with recorder, cache.serving("book"):
        result = book({"when": when})
    assert calls == 0
    assert result["booked"] == when  # handed back decoded, as the function returned it


def test_llm_and_tool_calls_are_answered_through_the_server(tmp_path: Path) -> None:
    live: list[str] = []

    def model_call() -> str:
        live.append("model")
        report_usage(tokens_input=12, tokens_output=8, cost_usd=0.002)
        return "swap the sign"

    def tool_call() -> dict[str, int]:
        live.append("tool")
        return {"passed": 3}

    def agent(cache: GoldenRunCache, question: str) -> tuple[Any, Any]:
        recorder = VCRRecorder(tmp_path / "runs")
        recorder.start_session()
        with recorder, cache.serving("fix") as golden:
            reply = golden.llm_call("gpt-x", [{"role": "user", "content": question}], model_call)
            result = golden.tool_call("run_tests", {"cmd": "pytest -q"}, tool_call)
        recorder.close()
        assert recorder.path is not None
        agent.path = recorder.path  # type: ignore[attr-defined]
        return reply, result

    cache = GoldenRunCache(tmp_path / "golden")
    assert agent(cache, "fix?") == ("swap the sign", {"passed": 3})
    first = list(VCRPlayer.load(agent.path))  # type: ignore[attr-defined]
    assert [(f.node_name, f.metadata.tokens_used, f.source) for f in first] == [
        ("llm:gpt-x", 20, "live"),
        ("tool:run_tests", None, "live"),
    ]
    cache.save_golden_run("fix", agent.path)  # type: ignore[attr-defined]
    live.clear()
    assert agent(cache, "fix?") == ("swap the sign", {"passed": 3})
    assert live == []
    ledger = CostLedger.of_recording(agent.path)  # type: ignore[attr-defined]
    assert (ledger.tokens_saved, ledger.cost_saved_usd) == (20, pytest.approx(0.002))
    agent(cache, "fix, please?")
    assert live == ["model"]


def test_a_failed_step_is_never_an_answer(tmp_path: Path) -> None:
    attempts = 0

    @vcr_record
    def flaky(state: dict[str, Any]) -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("timeout")
        return {"ok": True}

    def agent() -> None:
        try:
            flaky({"x": 1})
        except RuntimeError:
            flaky({"x": 1})

    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("flaky", record(tmp_path / "runs", agent))
    attempts = 1  # it would succeed now
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session()
    with recorder, cache.serving("flaky"):
        assert flaky({"x": 1}) == {"ok": True}
    assert attempts == 1  # answered by the step that returned, not by the error frame


def test_replay_keeps_the_seed_api(tmp_path: Path, golden: GoldenRunCache) -> None:
    outputs, ledger = golden.replay("report")
    assert [sorted(o) for o in outputs] == [["steps"], ["page"], ["report"]]
    assert (ledger.steps_replayed, ledger.steps_rerun, ledger.tokens_saved) == (3, 0, 80)

    def executor(node: str, state: dict[str, Any]) -> dict[str, Any]:
        report_usage(tokens_input=5, tokens_output=5)
        return {"page": "fresh " + state["url"]}

    recorder = VCRRecorder(tmp_path / "replays")
    outputs, ledger = golden.replay("report", step_executor=executor, changed_steps={1}, recorder=recorder)
    recorder.close()
    assert outputs[1] == {"page": "fresh http://a"}
    assert (ledger.steps_replayed, ledger.steps_rerun, ledger.replay_tokens, ledger.tokens_saved) == (2, 1, 10, 80)
    assert recorder.path is not None
    assert CostLedger.of_recording(recorder.path).summary() == ledger.summary()  # the same, read from the file
    with pytest.raises(KeyError):
        golden.replay("never saved")


def test_has_list_and_invalidate(tmp_path: Path, golden: GoldenRunCache) -> None:
    assert golden.has_golden_run("report") and golden.has_golden_run("  REPORT ")  # the peer's fingerprint
    [listed] = golden.list_golden_runs()
    assert (listed["task"], listed["frame_count"], listed["total_tokens"]) == ("report", 3, 80)
    assert golden.invalidate(listed["fingerprint"]) is True
    assert golden.has_golden_run("report") is False
    assert golden.invalidate("report") is False
    assert list((tmp_path / "golden").glob("*.vcr")) == []


def test_serving_a_task_without_a_golden_run_runs_everything_live(tmp_path: Path) -> None:
    cache = GoldenRunCache(tmp_path / "nothing-here")
    agent = Agent()
    record(tmp_path / "runs", agent, "calc", "http://a", cache=cache, task="unknown")
    assert agent.calls == ["plan", "fetch", "write"]
    assert cache.problems == []


def test_saving_an_empty_run_is_refused(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    with pytest.raises(ValueError, match="no frames"):
        GoldenRunCache(tmp_path / "golden").save_golden_run("t", recorder)
