"""Golden runs: save a run that succeeded, answer later runs' unchanged steps from it, and say what it saved.

A step is answered only when its node name, identity and canonical input equal a saved step's
(``keys``); everything else runs live. ``CostLedger`` reads what a run spent and saved from its
frames, so every view of a run agrees.
"""

from recorder.golden.cache import GoldenRunCache
from recorder.golden.keys import Normalize, canonical_input, step_key
from recorder.golden.ledger import CostLedger, LedgerRow
from recorder.golden.serving import GoldenServer, active_server
from recorder.golden.store import fingerprint

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
