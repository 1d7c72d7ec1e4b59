"""AsyncVCRRecorder: the recorder for asyncio agents.

A frame costs microseconds to append, less than a hop to a thread, so the default writes inline
on the event loop. With ``fsync=True`` each frame waits for the disk, which can take milliseconds:
those writes run in a worker thread so the loop keeps serving other tasks.
"""

from __future__ import annotations

import asyncio
import functools
import os
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from recorder.models import Frame, FrameMetadata, FrameType, Session
from recorder.writer import VCRRecorder

_T = TypeVar("_T")


class AsyncVCRRecorder:
    """The same recorder with awaitable methods and ``async with`` support."""

    def __init__(self, output_dir: str | os.PathLike[str] = ".vcr", *, fsync: bool = False) -> None:
        self.sync = VCRRecorder(output_dir, fsync=fsync)

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.sync.fsync:
            return method(*args, **kwargs)
        return await asyncio.to_thread(functools.partial(method, *args, **kwargs))

    @property
    def path(self) -> Path | None:
        return self.sync.path

    @property
    def session(self) -> Session | None:
        return self.sync.session

    async def start_session(self, *args: Any, **kwargs: Any) -> Session:
        result: Session = await self._call(self.sync.start_session, *args, **kwargs)
        return result

    async def record_step(
        self,
        node_name: str,
        input_state: dict[str, Any],
        output_state: dict[str, Any],
        metadata: FrameMetadata | dict[str, Any] | None = None,
        frame_type: FrameType | str = FrameType.NODE_EXECUTION,
        parent_frame_id: str | None = None,
    ) -> Frame:
        result: Frame = await self._call(
            self.sync.record_step, node_name, input_state, output_state, metadata, frame_type, parent_frame_id
        )
        return result

    async def record_llm_call(self, *args: Any, **kwargs: Any) -> Frame:
        result: Frame = await self._call(self.sync.record_llm_call, *args, **kwargs)
        return result

    async def record_tool_call(self, *args: Any, **kwargs: Any) -> Frame:
        result: Frame = await self._call(self.sync.record_tool_call, *args, **kwargs)
        return result

    async def record_error(self, *args: Any, **kwargs: Any) -> Frame:
        result: Frame = await self._call(self.sync.record_error, *args, **kwargs)
        return result

    async def record_checkpoint(self, *args: Any, **kwargs: Any) -> Frame:
        result: Frame = await self._call(self.sync.record_checkpoint, *args, **kwargs)
        return result

    async def save(self) -> Path:
        result: Path = await self._call(self.sync.save)
        return result

    async def close(self) -> None:
        await self._call(self.sync.close)

    async def fork(
        self, from_frame: int, new_session_id: str | None = None, state_overrides: dict[str, Any] | None = None
    ) -> AsyncVCRRecorder:
        forked: VCRRecorder = await asyncio.to_thread(self.sync.fork, from_frame, new_session_id, state_overrides)
        wrapper = AsyncVCRRecorder(forked.output_dir, fsync=forked.fsync)
        wrapper.sync = forked
        return wrapper

    async def __aenter__(self) -> AsyncVCRRecorder:
        self.sync.__enter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.sync.__exit__(exc_type, exc, tb)
