"""Recording and resuming runs of agent frameworks.

Each integration lives in its own module and imports its framework only when it is used, so
``import recorder`` never pulls in a framework and an integration module imports even where its
framework is not installed:

- ``recorder.integrations.langgraph``: ``VCRLangGraph(recorder).wrap_graph(graph)`` records every
  node of a LangGraph graph, and a resume starts the real graph again at the chosen node.
- ``recorder.integrations.crewai``: ``VCRCrewAI(recorder).kickoff(crew)`` records every task, LLM
  call, tool call and agent step of a CrewAI crew, and a resume answers the tasks before the
  chosen one from the recording.
- ``recorder.integrations.autogen``: ``VCRAutoGen(recorder).run(team, task=...)`` records every
  message, model call and tool call of an AutoGen AgentChat team, and a resume loads the thread
  before the chosen message into the team.

Plain-Python agents need no integration: ``@vcr_record`` (in ``recorder``) records their steps.
"""
