"""Record an AutoGen AgentChat team run, and resume it from any recorded message.

    result = await VCRAutoGen(VCRRecorder(".vcr")).run(team, task="Plan the trip")

``team`` is a ``RoundRobinGroupChat`` or a ``SelectorGroupChat`` (any AgentChat group chat
whose participants are agents). Every chat message of the run becomes a frame named after its
sender (the task itself is ``user``): its input is the thread the sender saw, its output the
message. Every model call becomes an ``llm:<model>`` frame (messages in, response out, token
counts), taken from AutoGen's own event log, which its model clients write to; and every tool
call a ``tool:<name>`` frame (arguments in, result out; a failed call is an error frame).

Resuming uses the engine's ``resume``/``aresume`` with any callable that builds the team and runs
it through ``VCRAutoGen`` (``async def run(task): return await VCRAutoGen().run(build(), task=task)``).
From a message frame, the team does not replay the run: the messages before it (as edited) are
loaded into the team's state (its thread, every participant's inbox, the turn count), the sender
of that message speaks next, and the rest runs live, in a fork of the recording. With an edited
*output* the edited message joins the thread and the next speaker goes on from it. See
``_autogen_resume``.

This module imports AutoGen only when a team runs, so it imports (and ``recorder`` stays
importable) where AutoGen is not installed.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from recorder.integrations._framework_run import recorder_for_run
from recorder.writer import VCRRecorder

__all__ = ["AutoGenMissingError", "VCRAutoGen"]


class AutoGenMissingError(ImportError):
    """Recording a team needs the ``autogen-agentchat`` package."""


class VCRAutoGen:
    """Records AutoGen AgentChat team runs into a recorder.

    ``recorder`` is where frames go; its session is started on the first run when the caller has
    not started one. Without a recorder, frames go to the active one (``with recorder:``), and
    the team just runs when there is none. While a resume runs, frames always go to the fork.
    """

    def __init__(
        self, recorder: VCRRecorder | None = None, *, session_metadata: Mapping[str, Any] | None = None
    ) -> None:
        self.recorder = recorder
        self.session_metadata = dict(session_metadata or {})
        self._start_lock = threading.Lock()

    def current_recorder(self, task: Any = None) -> VCRRecorder | None:
        """Where the run starting now records: the fork during a resume, else this one's recorder."""
        metadata = {"framework": "autogen", **self.session_metadata}
        if isinstance(task, str):
            return recorder_for_run(self.recorder, self._start_lock, metadata, task)
        return recorder_for_run(self.recorder, self._start_lock, metadata)

    async def run(self, team: Any, *, task: Any = None, cancellation_token: Any = None) -> Any:
        """Run ``team`` on ``task`` like ``team.run``, recording it; returns its ``TaskResult``."""
        result: Any = None
        # The recorded stream itself, not ``run_stream``: a generator layer less for every item.
        async for item in _recorded_stream()(self, team, task, cancellation_token):
            result = item
        return result

    async def run_stream(self, team: Any, *, task: Any = None, cancellation_token: Any = None) -> AsyncIterator[Any]:
        """``team.run_stream`` recorded: yields what it yields, the ``TaskResult`` last."""
        async for item in _recorded_stream()(self, team, task, cancellation_token):
            yield item


def _recorded_stream() -> Any:
    """The recording stream (imported on first use, with AutoGen), or a clear error without AutoGen."""
    try:
        from recorder.integrations._autogen_run import recorded_stream
    except ImportError as exc:
        raise AutoGenMissingError(
            f"recording an AutoGen team needs autogen-agentchat (pip install 'vcr-tui[autogen]'): {exc}"
        ) from exc
    return recorded_stream
