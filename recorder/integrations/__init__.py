"""Recording and resuming runs of agent frameworks.

Each integration lives in its own module and imports its framework only when it is used, so
``import recorder`` never pulls in a framework and an integration module imports even where its
framework is not installed:

- ``recorder.integrations.langgraph``: ``VCRLangGraph(recorder).wrap_graph(graph)`` records every
  node of a LangGraph graph, and a resume starts the real graph again at the chosen node.

Plain-Python agents need no integration: ``@vcr_record`` (in ``recorder``) records their steps.
"""
