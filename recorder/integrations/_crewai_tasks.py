"""A crew's tasks as frames, and each task served by a resume plan: run, or answered from the recording.

A task's frame holds what the task was given (description, expected output, the context CrewAI
built from earlier tasks' outputs, the agent) and what it produced (the task output, without the
agent's conversation, which its LLM frames hold). During a resume, each task's ``execute_sync``
asks the plan first, by the task's name and that input:

- before the fork point, and in REPLAY while the input is unchanged, the task returns its
  recorded output rebuilt as a ``TaskOutput``; its agent does not run, so no LLM is called, and
  CrewAI hands that output on as context exactly as if the task had run;
- at the fork point it runs live with the edited description, expected output and context (or,
  when the edit was to its output, returns the edit);
- otherwise it runs live.

Only a task's frame is a place to resume with an edit: a model, tool or step frame belongs to the
task recorded after it, which is what a resume from there runs again.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from recorder.encoding import encode_searched, to_jsonable
from recorder.models import FrameMetadata
from recorder.resume_plan import Action, Decision, ResumePlan
from recorder.vocabulary import CREWAI_FACTS

if TYPE_CHECKING:
    from recorder.integrations._crewai_run import _CrewRun

FACTS_KEY = CREWAI_FACTS  # frame.metadata.custom[FACTS_KEY]: what a frame was in a crew's run
_ANSWERED = (Action.RECORDED, Action.REPLAY, Action.MOCK, Action.SKIP, Action.EDITED_OUTPUT)
_CONVERSATION = {"messages"}  # left out of a task output: its LLM frames hold it (never changed)
_OUTPUT_FIELDS = ("description", "name", "expected_output", "summary", "raw", "json_dict", "agent", "output_format")


def task_node(task: Any, index: int | None) -> str:
    """A task's frame name: its ``name``, else ``task_<n>`` by its place in the crew (from 1)."""
    name = getattr(task, "name", None)
    if isinstance(name, str) and name:
        return name
    return f"task_{index + 1}" if index is not None else "task"


def task_input(task: Any, context: Any) -> dict[str, Any]:
    """What a task was given, as its frame's input."""
    agent = getattr(task, "agent", None)
    return {
        "description": str(getattr(task, "description", "")),
        "expected_output": str(getattr(task, "expected_output", "")),
        "context": context if isinstance(context, str) else "",
        "agent": str(getattr(agent, "role", "")) if agent is not None else "",
    }


def task_output_state(output: Any) -> dict[str, Any]:
    """A ``TaskOutput`` as its frame's output (the agent's conversation left to the LLM frames)."""
    try:
        dumped = output.model_dump(mode="json", exclude={"messages"})
    except Exception:  # not a pydantic TaskOutput: keep what it says
        return {"raw": str(output)}
    return dumped if isinstance(dumped, dict) else {"raw": str(output)}


def task_output_json(output: Any) -> bytes:
    """``task_output_state`` already encoded, byte for byte what pydantic's JSON mode writes.

    A task's output is almost always flat (strings, None, the output format's enum, no failed
    tools): orjson writes that from the model's fields in a fraction of what pydantic's
    serializer costs at a task's end, when its code has left the cache (``_flat_output``).
    Anything else goes through pydantic in one call, and an output pydantic cannot write as JSON
    takes the slower path, which keeps what it can.
    """
    flat = _flat_output(output)
    if flat is not None:
        try:
            return orjson.dumps(flat)
        except orjson.JSONEncodeError:  # a lone surrogate: pydantic's path decides what is kept
            pass
    serializer = getattr(output, "__pydantic_serializer__", None)
    if serializer is not None:
        try:
            data: bytes = serializer.to_json(output, exclude=_CONVERSATION)
        except Exception:  # a value in it pydantic cannot write: dump it the tolerant way
            pass
        else:
            if data.startswith(b"{"):
                return data
    return encode_searched(task_output_state(output))


def _flat_output(output: Any) -> dict[str, Any] | None:
    """The output's fields as pydantic's JSON mode writes them, when each is a str, None, an
    enum member with a str value or an empty list; else None (pydantic writes it).

    Only for a model class whose JSON is its fields in declaration order under their own names:
    no computed field, serializer, alias or excluded field (``_plain_fields``, checked once per
    class). The values are checked by their types in one pass of C code (a loop in Python over
    the fields cost as much as the rest of the task's frame); orjson writes an enum member as
    its value, as pydantic's JSON mode does.
    """
    plain = _plain_fields(type(output))
    if plain is None:
        return None
    names, pick = plain
    try:
        values = pick(output.__dict__)
    except KeyError:  # a field without a value: pydantic decides
        return None
    kinds = [*map(type, values)]
    if not _FLAT_KINDS.issuperset(kinds) and not _learn_flat_kinds(kinds):
        return None
    if list in kinds and kinds.count(list) != values.count([]):
        return None  # a list with something in it
    return dict(zip(names, values, strict=True))


def _learn_flat_kinds(kinds: list[type]) -> bool:
    """Whether every type is flat, learning enum classes whose members all have str values."""
    for kind in kinds:
        if kind in _FLAT_KINDS:
            continue
        if not isinstance(kind, enum.EnumMeta):
            return False
        members: list[enum.Enum] = list(kind)
        if not all(type(member.value) is str for member in members):
            return False
        _FLAT_KINDS.add(kind)
    return True


_FLAT_KINDS: set[type] = {str, type(None), list}  # and enum classes, as they are met
_plain_field_names: dict[type, tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] | None] = {}


def _plain_fields(model: type) -> tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] | None:
    """The fields a model's JSON holds (the conversation left out), if writing them by hand is exact,
    and what picks their values, in that order, out of an instance's ``__dict__``."""
    try:
        return _plain_field_names[model]
    except KeyError:
        pass
    found: tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] | None = None
    try:
        fields = model.model_fields  # type: ignore[attr-defined]
        decorators = model.__pydantic_decorators__  # type: ignore[attr-defined]
        config = model.model_config  # type: ignore[attr-defined]
        plain = (
            not model.model_computed_fields  # type: ignore[attr-defined]
            and not decorators.field_serializers
            and not decorators.model_serializers
            and not config.get("serialize_by_alias")
            and not config.get("use_enum_values")
            and all(
                field.exclude is None and field.serialization_alias is None and field.alias in (None, name)
                for name, field in fields.items()
            )
        )
        names = tuple(name for name in fields if name not in _CONVERSATION)
        if plain and len(names) > 1:  # (one name would make itemgetter return the value alone)
            found = names, operator.itemgetter(*names)
    except AttributeError:  # not a pydantic v2 model
        found = None
    _plain_field_names[model] = found
    return found


class TaskServer:
    """Wraps a crew's tasks for one kickoff; during a resume, serves each one through the plan."""

    def __init__(self, run: _CrewRun, plan: ResumePlan | None) -> None:
        self.run = run
        self.plan = plan
        self.tasks: list[Any] = []
        self.places: dict[int, int] = {}  # id(task) -> its place in the crew, for the wrapped tasks
        self.nodes: dict[int, str] = {}  # id(task) -> its frame's name, once asked (names never change in a kickoff)
        self.answered_ids: set[int] = set()

    def index_of(self, task: Any) -> int | None:
        return self.places.get(id(task))

    def node_of(self, task: Any) -> str:
        """The frame name of a task (``task_node``), worked out once per kickoff."""
        node = self.nodes.get(id(task))
        if node is None:
            node = self.nodes[id(task)] = task_node(task, self.places.get(id(task)))
        return node

    def answered(self, task: Any) -> bool:
        return id(task) in self.answered_ids

    def wrap(self, tasks: list[Any]) -> None:
        self.tasks = list(tasks)
        self.places = {id(task): index for index, task in enumerate(self.tasks)}
        if self.plan is not None:
            _check_fork_point(self.plan)
        for task in self.tasks:
            original = task.execute_sync  # the class's method, bound to this task
            object.__setattr__(task, "execute_sync", self._serving(task, original))

    def unwrap(self) -> None:
        for task in self.tasks:
            task.__dict__.pop("execute_sync", None)

    def _serving(self, task: Any, original: Any) -> Any:
        def execute_sync(agent: Any = None, context: str | None = None, tools: Any = None) -> Any:
            plan = self.plan
            if plan is not None:
                decision = plan.decide(task_node(task, self.index_of(task)), task_input(task, context))
                if decision.action in _ANSWERED:
                    return self._answer(task, context, decision)
                if decision.state is not None:  # the fork point: run with the edited input
                    context = _apply_edit(task, decision.state, context)
            try:
                return original(agent=agent, context=context, tools=tools)
            finally:
                self.run.write_noted()

        return execute_sync

    def _answer(self, task: Any, context: str | None, decision: Decision) -> Any:
        output = _rebuilt_output(task, decision.output or {})
        task.output = output
        self.answered_ids.add(id(task))
        if decision.action is not Action.RECORDED:  # the fork already holds the prefix
            index = self.index_of(task)
            custom: dict[str, Any] = {FACTS_KEY: {"kind": "task", "index": index}}
            custom.update({k: v for k, v in decision.custom.items() if k.startswith("recorded_")})
            if decision.source:
                custom["source"] = decision.source
            self.run.lines.record(  # after the frames of the tasks before it, written as each ended
                self.run.recorder.record_step,
                task_node(task, index),
                task_input(task, context),
                task_output_state(output),
                FrameMetadata(custom=custom),
            )
        return output


def _check_fork_point(plan: ResumePlan) -> None:
    """An edit made on a frame inside a task cannot be applied: say which task frame to resume from."""
    frame = plan.parent.frame(plan.fork_at)
    facts = frame.metadata.custom.get(FACTS_KEY)
    if not isinstance(facts, dict) or facts.get("kind") == "task":
        return
    edited = plan.edited_state != (frame.output_state if plan.edit_output else frame.input_state)
    if not edited:
        return  # nothing to apply: the task around it runs again
    for index in range(plan.fork_at + 1, len(plan.parent)):
        later = plan.parent.frame(index)
        later_facts = later.metadata.custom.get(FACTS_KEY)
        if isinstance(later_facts, dict) and later_facts.get("kind") == "task":
            raise ValueError(
                f"frame {plan.fork_at} is a {facts.get('kind')} inside task {later.node_name!r}; "
                f"edit and resume from that task's frame, {index}"
            )
    raise ValueError(f"frame {plan.fork_at} is inside a task that was never recorded as finished")


def _apply_edit(task: Any, state: dict[str, Any], context: str | None) -> str | None:
    """Put the edited description and expected output on the task; the edited context to run with."""
    for key in ("description", "expected_output"):
        value = state.get(key)
        if isinstance(value, str) and value != getattr(task, key, None):
            setattr(task, key, value)
    edited = state.get("context")
    return edited if isinstance(edited, str) else context


def _rebuilt_output(task: Any, state: dict[str, Any]) -> Any:
    """A recorded (or edited) task output as the ``TaskOutput`` CrewAI hands on to later tasks."""
    from crewai.tasks.task_output import TaskOutput

    data = {key: state[key] for key in _OUTPUT_FIELDS if state.get(key) is not None}
    data.setdefault("description", str(getattr(task, "description", "")))
    agent = getattr(task, "agent", None)
    data.setdefault("agent", str(getattr(agent, "role", "")) if agent is not None else "")
    if not isinstance(data.get("json_dict"), dict):
        data.pop("json_dict", None)
    if not isinstance(data.get("raw", ""), str):
        data["raw"] = str(to_jsonable(data["raw"]))
    output = TaskOutput.model_validate(data)
    model = getattr(task, "output_pydantic", None)
    recorded = state.get("pydantic")
    if model is not None and isinstance(recorded, dict):
        try:  # the type comes from the live task, never from the recording
            output.pydantic = model.model_validate(recorded)
        except Exception:
            pass
    return output
