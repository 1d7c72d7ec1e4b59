"""The app's state and decisions, without Textual: what the screens show, not how.

Modules here never import Textual (a test imports each one and checks): the debugger's view model,
the rows and diffs it shows, the session list's summaries, the workspace and resume texts, the
sanitising of untrusted strings. So the state of a debugging session can be built, changed and
asserted on without running an app, and every screen that shows a recording (the debugger, a
comparison, a browser) shares one owner of each fact.
"""
