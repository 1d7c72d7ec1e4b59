"""A small recording shipped with the package, for the quick start (see make_sample.py)."""
