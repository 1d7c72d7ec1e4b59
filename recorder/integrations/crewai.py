"""Record a CrewAI crew, and resume it from any recorded task.

    result = VCRCrewAI(VCRRecorder(".vcr")).kickoff(crew, inputs={"city": "Lisbon"})

Recording goes through CrewAI's own hooks: its event bus (tasks, LLM calls, tool calls) and the
agents' ``step_callback``. Every task becomes a frame named after the task (``name``, else
``task_<n>``): its input is the description, the expected output, the context from earlier tasks
and the agent; its output the task's output. Inside it, every LLM call is an ``llm:<model>``
frame (messages in, response out, tokens and cost where CrewAI reports usage), every tool call
a ``tool:<name>`` frame (a failed call is an error frame), and every agent step a frame named
after the agent's role. A task's frame follows the frames of its insides, as a LangGraph node's
does.

Resuming uses the engine's ``resume`` with a callable that builds the crew and kicks it off
through ``VCRCrewAI`` (``resume_crew`` builds that callable from a crew factory). Each task of the
crew asks the resume plan what to do: the tasks before the fork point return their recorded
outputs without running their agents (CrewAI feeds those outputs to later tasks as context, as
ever), the task at the fork point runs live with its edited input (or, with an edited output,
returns it), and the rest run live (FORK) or return their recorded outputs while their input is
unchanged (REPLAY). ``@vcr_task`` records a plain function used as a task step.

This module imports CrewAI only when a crew is kicked off, so it imports (and ``recorder`` stays
importable) where CrewAI is not installed.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from recorder.decorators import vcr_record
from recorder.integrations._framework_run import recorder_for_run
from recorder.resume import ResumeConfig, ResumeResult, resume
from recorder.writer import VCRRecorder, active_recorder

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["CrewAIMissingError", "VCRCrewAI", "resume_crew", "vcr_task"]


class CrewAIMissingError(ImportError):
    """Recording a crew needs the ``crewai`` package."""


class VCRCrewAI:
    """Records CrewAI crews into a recorder.

    ``recorder`` is where frames go; its session is started on the first kickoff when the caller
    has not started one. Without a recorder, frames go to the active one (``with recorder:``),
    and the crew just runs when there is none. While a resume runs, frames always go to the fork.
    """

    def __init__(
        self, recorder: VCRRecorder | None = None, *, session_metadata: Mapping[str, Any] | None = None
    ) -> None:
        self.recorder = recorder
        self.session_metadata = dict(session_metadata or {})
        self._start_lock = threading.Lock()

    def current_recorder(self, inputs: Mapping[str, Any] | None = None) -> VCRRecorder | None:
        """Where the kickoff starting now records: the fork during a resume, else this one's recorder."""
        metadata = {"framework": "crewai", **self.session_metadata}
        if inputs is not None:
            return recorder_for_run(self.recorder, self._start_lock, metadata, dict(inputs))
        return recorder_for_run(self.recorder, self._start_lock, metadata)

    def kickoff(self, crew: Any, inputs: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """``crew.kickoff(inputs=...)``, recorded; returns its ``CrewOutput``."""
        try:
            from recorder.integrations._crewai_run import recorded_kickoff
        except ImportError as exc:
            raise CrewAIMissingError(
                f"recording a CrewAI crew needs the crewai package (pip install 'vcr-tui[crewai]'): {exc}"
            ) from exc
        return recorded_kickoff(self, crew, inputs, kwargs)


def resume_crew(
    source: str | os.PathLike[str],
    crew_factory: Callable[[], Any],
    config: ResumeConfig,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    cancel: threading.Event | None = None,
) -> ResumeResult:
    """Resume a recorded crew: ``resume`` with a crew built by ``crew_factory`` and kicked off recorded.

    The crew is kicked off with the inputs it was recorded with (``config.agent_input`` to change them).
    """

    def agent(inputs: Any) -> Any:
        return VCRCrewAI().kickoff(crew_factory(), inputs=inputs if isinstance(inputs, Mapping) else None)

    return resume(source, agent, config, output_dir=output_dir, cancel=cancel)


@overload
def vcr_task(recorder: F, /) -> F: ...
@overload
def vcr_task(recorder: VCRRecorder | None = None, /, *, task_name: str | None = None) -> Callable[[F], F]: ...


def vcr_task(recorder: Any = None, /, *, task_name: str | None = None) -> Any:
    """Record each call of a function used as a task step, as ``@vcr_record`` does.

    ``@vcr_task`` and ``@vcr_task(task_name=...)`` record into the active recorder (and into the
    fork while a resume runs); ``@vcr_task(recorder, task_name=...)`` records into ``recorder``
    when no recorder is active, starting its session if needed.
    """
    if callable(recorder) and not isinstance(recorder, VCRRecorder):
        return vcr_task(None, task_name=task_name)(recorder)
    own: VCRRecorder | None = recorder

    def decorate(func: F) -> F:
        recorded = vcr_record(node_name=task_name or func.__name__)(func)
        if own is None:
            return recorded

        def target() -> VCRRecorder | None:
            if active_recorder() is not None:
                return None  # the active one (a fork during a resume) takes the frame
            if own.session is None:
                own.start_session(metadata={"framework": "crewai"})
            return own

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                chosen = target()
                if chosen is None:
                    return await recorded(*args, **kwargs)
                with chosen:
                    return await recorded(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            chosen = target()
            if chosen is None:
                return recorded(*args, **kwargs)
            with chosen:
                return recorded(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
