"""The debugger's panes: frame list (Line API), state tree, diff view, details, status line, prompt."""
