"""Golden runs: save a run that succeeded, answer later runs' unchanged steps from it, and say what it saved.

A step is answered only when its node name, identity and canonical input equal a saved step's
(``keys``); everything else runs live. ``CostLedger`` reads what a run spent and saved from its
frames, so every view of a run agrees. Each name is imported from its module on first use
(``EXPORTS``): a viewer that only reads the ledger's words never loads the serving machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recorder.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the same names as EXPORTS, for type checkers and editors
    from recorder.golden.cache import GoldenRunCache
    from recorder.golden.keys import Normalize, canonical_input, step_key
    from recorder.golden.ledger import CostLedger, LedgerRow
    from recorder.golden.serving import GoldenServer, active_server
    from recorder.golden.store import fingerprint

EXPORTS: dict[str, str] = {
    "GoldenRunCache": "recorder.golden.cache",
    "Normalize": "recorder.golden.keys",
    "canonical_input": "recorder.golden.keys",
    "step_key": "recorder.golden.keys",
    "CostLedger": "recorder.golden.ledger",
    "LedgerRow": "recorder.golden.ledger",
    "GoldenServer": "recorder.golden.serving",
    "active_server": "recorder.golden.serving",
    "fingerprint": "recorder.golden.store",
}
"""Each public name and the module that defines it."""

__all__ = [
    "CostLedger",
    "GoldenRunCache",
    "GoldenServer",
    "LedgerRow",
    "Normalize",
    "active_server",
    "canonical_input",
    "fingerprint",
    "step_key",
]

if not TYPE_CHECKING:  # type checkers see the imports above, and flag a name that is not one
    __getattr__, __dir__ = lazy_exports(__name__, EXPORTS, globals())
