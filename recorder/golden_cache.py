"""Golden runs under the module name the peer package uses, so its imports need only their prefix
changed: ``from recorder.golden_cache import GoldenRunCache``. The code lives in ``recorder.golden``."""

from recorder.golden import CostLedger, GoldenRunCache

__all__ = ["CostLedger", "GoldenRunCache"]
