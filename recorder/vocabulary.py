"""The words a ``.vcr`` file uses beyond its fixed fields: metadata keys and frame sources.

A recording is read by the engine, the app and other tools; each of them naming a key by its
own string literal is how two of them come to disagree. Every key written into a session's
``metadata`` or a frame's ``metadata.custom`` is named here once, and the values of
``custom["source"]`` are an enum whose members compare equal to the strings in the file.
(Problem kinds live with ``Problem`` in ``recorder.models``.)
"""

from __future__ import annotations

from enum import Enum

# -- session metadata ------------------------------------------------------------------------

ENTRY_POINT = "entry_point"  # "module:callable" of the agent that made the run (r offers it)
AGENT_INPUT = "agent_input"  # what the agent was called with, for a resume to call it again
WORKSPACE = "workspace"  # the folder the run changed (an ACID session names it)
ACID_SESSION = "acid_session"  # the ACID session whose snapshots the run saved (header and frames)
FORKED_FROM = "forked_from"  # the parent session id, in a fork's metadata
RESUME_MODE = "resume_mode"  # a resume's fork: the ``ResumeMode`` its steps ran in

# -- frame metadata.custom -------------------------------------------------------------------

CREWAI_FACTS = "crewai"  # what a frame was in a CrewAI crew's run (task, LLM call, tool, step)
AUTOGEN_FACTS = "autogen"  # what a frame was in an AutoGen team's run (message, model call, tool)

SOURCE = "source"  # where a fork's frame came from: a ``FrameSource`` value
RECORDED_TOKENS = "recorded_tokens"  # a replayed frame: the tokens the recorded step spent
RECORDED_COST = "recorded_cost_usd"  # a replayed frame: what the recorded step cost
RECORDED_LATENCY = "recorded_latency_ms"  # an answered frame: how long the recorded step took
INNER_CALL = "inner_call"  # a model call recorded inside a recorded step, which carries its cost
USAGE = "usage"  # an inner call: the tokens and cost it reported (counted on the outer step)
RESUMED_FROM_FRAME = "resumed_from_frame"  # a resumed run's step: the fork point it ran from
CHECKPOINT_LABEL = "checkpoint_label"  # a checkpoint frame: the name it was given
GOLDEN_IDENTITY = "identity"  # a step served by a golden run: the identity it was recorded with
COPIED_FROM_SESSION = "copied_from_session"  # a frame copied into a fork: the session it came from
EDITED_SIDE = "edited"  # the fork point: "input" or "output", the side the user edited
FORKED_FROM_FRAME = "forked_from_frame"  # the fork point: the parent's frame index
FORKED_FROM_FRAME_ID = "forked_from_frame_id"  # the fork point: the parent's frame id
RETURNS = "returns"  # "value" when the step returned a bare value, stored as {"return": value}
ACID_PREFIX = "acid_"  # every key the ACID workspace writes starts so
ACID_SAVEPOINT = "acid_savepoint"  # a checkpoint frame: the savepoint's number
ACID_COMMIT_HASH = "acid_commit_hash"  # a frame that saved the workspace: its snapshot's commit
ACID_ROLLED_BACK_TO = "acid_rolled_back_to_frame"  # a rollback's frame: the frame it restored
ACID_UNDO_COMMIT = "acid_undo_commit"  # a rollback's frame: the snapshot that undoes it


class ResumeMode(str, Enum):
    """How steps after the fork point run (a resume's fork names it under ``RESUME_MODE``).

    Here rather than with the resume plan: the command line and the app read it on every start,
    and the plan's machinery loads only when a resume runs.
    """

    FORK = "fork"
    REPLAY = "replay"
    MOCK = "mock"


class FrameSource(str, Enum):
    """``metadata.custom["source"]`` of a frame in a fork: how that step was answered.

    Members are the strings in the file (``FrameSource.LIVE == "live"``); write ``.value``.
    """

    FORK = "fork"  # the fork point itself, carrying the edit
    REPLAYED = "replayed"  # answered from the recording: nothing ran, no tokens spent
    LIVE = "live"  # the step ran
    MOCKED = "mocked"  # a value the user gave was returned instead of running it
    SKIPPED = "skipped"  # a step asked to be skipped returned its recorded output
    EDITED = "edited"  # the step's output was the user's edit
    GOLDEN = "golden_cache"  # answered from a golden run (the peer's word): nothing ran

    @classmethod
    def parse(cls, value: object) -> FrameSource | None:
        """The member for a value read from a file, or None for anything else."""
        try:
            return cls(value) if isinstance(value, str) else None
        except ValueError:
            return None


ANSWERED_SOURCES = frozenset((FrameSource.GOLDEN.value, FrameSource.REPLAYED.value))
"""Sources of frames whose step was answered without a call: they cost nothing this time.

Plain strings: an enum member hashes by its name, so a set of members would miss the file's text."""
