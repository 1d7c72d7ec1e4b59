"""The debugger screen for one recording, in parts that each own one concern.

``FileScreen`` (``file_screen``) is the host; each other module here is one part of it (scans,
following, editing, time travel, workspace, ledger, the ways out to other views, the question asked
before unsaved edits are left) and they meet only through the ``ScreenParts`` protocol. The modal
screens and other views that the debugger opens live one level up, beside the other screens.
"""
