"""The engine must stay usable without a terminal: importing it never imports Textual."""

import subprocess
import sys


def test_recorder_imports_without_textual() -> None:
    code = (
        "import sys, recorder, recorder.player, recorder.reader, recorder.writer, recorder.diffing;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'vcr_tui'));"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_public_names_are_exported() -> None:
    import recorder

    for name in ("VCRRecorder", "VCRPlayer", "FrameType", "Frame", "Session", "AsyncVCRRecorder"):
        assert hasattr(recorder, name), name
