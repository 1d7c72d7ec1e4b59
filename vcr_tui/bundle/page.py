"""The bundle's HTML: a fixed page, the viewer's script and style, and the data as a JSON block.

Nothing from the recording is written into HTML: it all goes into one ``application/json``
script block, which the browser never runs, escaped so that no ``</script>`` (or any ``<``) can
end it early. The viewer then builds the page with ``textContent`` only. A Content-Security-Policy
names the page's own script and style by hash and allows nothing else (no other script, no
network), so even a mistake in that chain could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Any

import orjson

# In a JSON text these can only occur inside strings, where their \\u escapes mean the same.
_JSON_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)

_SKELETON = """<header>
<div id="run-title"></div>
<div id="run-facts"></div>
<div id="problems"></div>
</header>
<main>
<div id="left">
<div id="runs"></div>
<div id="frames" tabindex="0"><div id="frames-spacer"></div></div>
</div>
<div id="right">
<div id="frame-title" class="frame-title"></div>
<div id="frame-facts"></div>
<div id="state-box"><div id="sides"><button id="side-in" type="button">input</button>
<button id="side-out" type="button">output</button>
<span class="muted">i switches · j/k, g/G move</span></div></div>
<div id="state"></div>
<div id="step-caption"></div>
<div id="changes"></div>
</div>
</main>"""


def json_block(data: Any) -> bytes:
    """``data`` as JSON that is safe inside a ``<script type="application/json">`` element."""
    text = orjson.dumps(data)
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _asset(name: str) -> str:
    return resources.files("vcr_tui.bundle").joinpath(name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(data: Any) -> bytes:
    """The whole self-contained HTML file for ``data`` (see ``payload``)."""
    script = _asset("viewer.js")
    style = _asset("viewer.css")
    policy = (
        f"default-src 'none'; script-src {_digest(script)}; style-src {_digest(style)}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        "<title>vcr-tui recording</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        "<noscript>This page shows the recording with JavaScript, which is turned off.</noscript>\n"
        f"{_SKELETON}\n"
        '<script type="application/json" id="vcr-data">'
    )
    tail = f"</script>\n<script>{script}</script>\n</body>\n</html>\n"
    return head.encode("utf-8") + json_block(data) + tail.encode("utf-8")
